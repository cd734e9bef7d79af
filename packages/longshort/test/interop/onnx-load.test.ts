// loadOnnx beyond the PyTorch fixtures: constant folding, the first unsupported node named with
// its place, feed checks, hostile shape arithmetic, the two importer bugs the fuzzing found (an
// empty `direction` attribute; non-finite weights, alpha or beta), and graphs written by
// exportOnnx (sequence_lens, initial states, layout) against LSTM.forward.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadOnnx, SUPPORTED_OPS } from '../../src/interop/onnx-run.js';
import { exportOnnx, importOnnx } from '../../src/interop/onnx.js';
import { GraphBuilder } from '../../src/interop/onnx-graph.js';
import { AttributeType, DataType } from '../../src/interop/onnx-schema.js';
import { ConfigError, FormatError, NonFiniteError, ShapeError, UnsupportedError } from '../../src/errors.js';
import { LSTM } from '../../src/nn/lstm.js';
import { Tensor } from '../../src/tensor.js';
import { maxAbsDiff, rand, runOrt } from './onnx-helpers.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/pytorch/exported/${name}.onnx`, import.meta.url)));
const build = (g: GraphBuilder, opset = 17): Uint8Array => g.build({ opset, irVersion: 8, graphName: 'g', producer: 'test' });

/** input (T, B, 2) → LSTM(H=3) → Squeeze → output, with hooks to damage the LSTM node. */
function lstmGraph(attrs: Record<string, unknown> = {}, w = new Float32Array(24).fill(0.1)): GraphBuilder {
  const g = new GraphBuilder();
  const x = g.input('input', DataType.FLOAT, ['time', 'batch', 2]);
  const W = g.float('W', [1, 12, 2], w);
  const R = g.float('R', [1, 12, 3], new Float32Array(36).fill(0.1));
  const [Y] = g.node('LSTM', [x, W, R], ['Y', 'Yh', 'Yc'], { hidden_size: { i: 3 }, ...(attrs as object) }, 'lstm');
  g.output(g.node('Squeeze', [Y, g.int64([1])], ['out'], {}, 'squeeze')[0], DataType.FLOAT, ['time', 'batch', 3]);
  return g;
}

describe('loadOnnx: constant folding', () => {
  test('a static-shape export folds all its shape arithmetic: only layout moves, the LSTM and the head run', () => {
    const m = loadOnnx(fixture('static_shapes_op15'));
    assert.deepEqual(Object.keys(m.stats.ops).sort(), ['Gather', 'Gemm', 'LSTM', 'Squeeze', 'Transpose']);
    assert.ok(m.stats.folded >= 20, JSON.stringify(m.stats));
  });
  test('with dynamic axes, what depends on the batch size runs per call; the constants still fold', () => {
    const m = loadOnnx(fixture('last_step_op10'));
    assert.ok(m.stats.folded > 0 && m.stats.ops.Shape === 1, JSON.stringify(m.stats));
    for (const B of [1, 4]) assert.deepEqual(m.run({ input: rand([B, 7, 4], B) }).y.shape, [B, 3]);
  });
});

describe('loadOnnx: refusals name the problem', () => {
  test('the first unsupported node: op type, name, position in execution order, where its inputs come from', () => {
    const g = lstmGraph();
    const y = g.outputs[0].name!;
    g.outputs.length = 0;
    const w = g.float('kernel', [3, 3, 1], new Float32Array(9));
    const [c] = g.node('Conv', [y, w], ['conv_out'], {}, 'conv1');
    g.node('Erf', [c], ['erf_out'], {}, 'erf1');
    g.output('erf_out', DataType.FLOAT, ['time', 'batch', 3]);
    assert.throws(
      () => loadOnnx(build(g)),
      (e: unknown) =>
        e instanceof UnsupportedError &&
        /operator 'Conv' is not supported: node 'conv1' \(#3 of 4 in execution order\), reading 'out' \(output of node 'squeeze', Squeeze\), 'kernel' \(an initializer\), producing 'conv_out'/.test(e.message) &&
        e.message.includes(`Supported operators: ${SUPPORTED_OPS.join(', ')}`),
    );
  });
  test("op types that are names of Object's prototype ('constructor', 'toString') are unsupported, not called", () => {
    for (const op of ['constructor', 'toString', '__proto__']) {
      const g = lstmGraph();
      const [c] = g.node('Constant', [], ['k'], { value_ints: { ints: [1, 2] } }, 'konst');
      g.node(op, [c], ['weird'], {}, 'odd');
      g.output('weird', DataType.INT64, [2]);
      assert.throws(() => loadOnnx(build(g)), (e: unknown) => e instanceof UnsupportedError && e.message.includes(`operator '${op}' is not supported: node 'odd'`), op);
    }
  });
  test('a node of another domain', () => {
    const g = lstmGraph();
    g.nodes[1].domain = 'com.microsoft';
    assert.throws(() => loadOnnx(build(g)), (e: unknown) => e instanceof UnsupportedError && /of domain 'com.microsoft'.*node 'squeeze'/.test(e.message));
  });
  test("an LSTM with an empty direction attribute is a FormatError in both importers (it was a TypeError)", () => {
    const g = lstmGraph();
    g.nodes[0].attribute!.push({ name: 'direction', type: AttributeType.STRING, s: new Uint8Array(0) });
    const bytes = build(g);
    for (const load of [loadOnnx, importOnnx]) {
      assert.throws(() => load(bytes), (e: unknown) => e instanceof FormatError && /direction must be .*forward.*received ''/.test(e.message));
    }
  });
  test('non-finite weights, Gemm alpha/beta, or alpha·B overflowing float32 are FormatErrors in both importers', () => {
    const bad: Uint8Array[] = [];
    bad.push(build(lstmGraph({}, new Float32Array(24).fill(Infinity))));
    for (const [alpha, scale] of [[Infinity, 1], [NaN, 1], [1e30, 1e30]] as const) {
      const g = new GraphBuilder();
      const x = g.input('input', DataType.FLOAT, ['time', 'batch', 2]);
      const W = g.float('W', [1, 12, 2], new Float32Array(24).fill(0.1));
      const R = g.float('R', [1, 12, 3], new Float32Array(36).fill(0.1));
      const [, Yh] = g.node('LSTM', [x, W, R], ['Y', 'Yh', 'Yc'], { hidden_size: { i: 3 } }, 'lstm');
      const h = g.node('Squeeze', [Yh, g.int64([0])], ['h'])[0];
      const out = g.node('Gemm', [h, g.float('fc.w', [2, 3], new Float32Array(6).fill(scale))], ['y'], { transB: { i: 1 }, alpha: { f: alpha } }, 'fc')[0];
      g.output(out, DataType.FLOAT, ['batch', 2]);
      bad.push(build(g));
    }
    {
      const g = lstmGraph();
      const [c] = g.node('Constant', [], ['k'], { value_floats: { floats: [1, Infinity] } }, 'konst');
      void c;
      const y = g.outputs[0].name!;
      g.outputs.length = 0;
      g.output(g.node('Add', [y, 'k'], ['z'], {}, 'add')[0], DataType.FLOAT, ['time', 'batch', 3]);
      bad.push(build(g));
    }
    for (const [k, bytes] of bad.entries()) {
      assert.throws(() => loadOnnx(bytes), (e: unknown) => e instanceof FormatError && /finite/.test(e.message), `case ${k} (loadOnnx)`);
      assert.throws(() => importOnnx(bytes), (e: unknown) => (e instanceof FormatError && /finite/.test(e.message)) || (k === 4 && e instanceof UnsupportedError), `case ${k} (importOnnx)`);
    }
  });
  test('a shape computation asking for a huge tensor is refused before allocating', () => {
    const g = new GraphBuilder();
    const x = g.input('input', DataType.FLOAT, ['time', 'batch', 2]);
    const z = g.node('ConstantOfShape', [g.int64([1 << 20, 1 << 20])], ['zeros'], {}, 'huge')[0];
    g.output(g.node('Add', [x, z], ['y'], {}, 'add')[0], DataType.FLOAT, ['time', 'batch', 2]);
    assert.throws(() => loadOnnx(build(g)), (e: unknown) => e instanceof ShapeError && /node 'huge' \(ConstantOfShape\).*1099511627776 elements/.test(e.message));
  });
});

describe('loadOnnx: run() checks its feeds first', () => {
  const m = loadOnnx(fixture('initial_states_inputs_op14'));
  const x = rand([2, 3, 4], 1);
  const h = rand([2, 2, 8], 2);
  test('missing or unknown inputs list the model\'s inputs', () => {
    assert.throws(() => m.run({ input: x }), (e: unknown) => e instanceof ConfigError && /missing input\(s\) 'h0', 'c0'; the model's inputs are 'input' \(batch, time, 4\), 'h0' \(2, batch, 8\)/.test(e.message));
    assert.throws(() => m.run({ input: x, h0: h, c0: h, extra: h }), /unknown input\(s\) 'extra'/);
    assert.throws(() => m.call(x), /has 3 inputs/);
  });
  test('rank, fixed dims and finiteness', () => {
    assert.throws(() => m.run({ input: rand([2, 3], 1), h0: h, c0: h }), (e: unknown) => e instanceof ShapeError && /'input' must have rank 3/.test(e.message));
    assert.throws(() => m.run({ input: rand([2, 3, 5], 1), h0: h, c0: h }), (e: unknown) => e instanceof ShapeError && /axis 2 is fixed at 4/.test(e.message));
    const nan = x.clone();
    nan.data[5] = NaN;
    assert.throws(() => m.run({ input: nan, h0: h, c0: h }), (e: unknown) => e instanceof NonFiniteError && /flat index 5/.test(e.message));
    assert.throws(() => m.run({ input: x, h0: h, c0: rand([2, 3, 8], 3) }), (e: unknown) => e instanceof ShapeError && /initial_c must be/.test(e.message));
  });
  test('outputs can be picked; plain { data, dims } feeds work', () => {
    const r = m.run({ input: { data: Array.from(x.data), dims: x.shape }, h0: h, c0: h }, { outputs: ['h_n'] });
    assert.deepEqual(Object.keys(r), ['h_n']);
    assert.throws(() => m.run({ input: x, h0: h, c0: h }, { outputs: ['nope'] }), /no output 'nope'/);
  });
});

describe('loadOnnx on exportOnnx graphs: sequence_lens, initial states, every output', () => {
  test('bidirectional 2-layer LSTM with lengths and initial states equals LSTM.forward and ONNX Runtime', async () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: false, seed: 3 });
    const bytes = exportOnnx(lstm, { sequenceLengths: true, initialStates: true });
    const x = rand([5, 3, 3], 4);
    const h0 = rand([4, 3, 4], 5);
    const c0 = rand([4, 3, 4], 6);
    const lens = new Int32Array([5, 2, 4]);
    const want = lstm.forward(x, { h0, c0, lengths: lens });
    const got = loadOnnx(bytes, { kernels: 'ref' }).run({ input: x, sequence_lens: { data: lens, dims: [3] }, initial_h: h0, initial_c: c0 });
    assert.ok(maxAbsDiff(got.output.data, want.output.data) < 1e-6);
    assert.ok(maxAbsDiff(got.h_n.data, want.h.data) < 1e-6);
    assert.ok(maxAbsDiff(got.c_n.data, want.c.data) < 1e-6);
    const ort = await runOrt(bytes, {
      input: { data: x.data as Float32Array, dims: x.shape },
      sequence_lens: { data: lens, dims: [3] },
      initial_h: { data: h0.data as Float32Array, dims: h0.shape },
      initial_c: { data: c0.data as Float32Array, dims: c0.shape },
    });
    for (const k of ['output', 'h_n', 'c_n']) assert.ok(maxAbsDiff(got[k].data, ort[k].data) < 1e-5, k);
  });
  test('an LSTM node with layout = 1 (batch-major X, Y, Y_h) gives the layout-0 numbers rearranged', () => {
    const mk = (layout: number): Uint8Array => {
      const g = new GraphBuilder();
      const x = g.input('input', DataType.FLOAT, layout ? ['batch', 'time', 2] : ['time', 'batch', 2]);
      const W = g.float('W', [2, 12, 2], Float32Array.from({ length: 48 }, (_, k) => Math.sin(k)));
      const R = g.float('R', [2, 12, 3], Float32Array.from({ length: 72 }, (_, k) => Math.cos(k) / 2));
      const [Y, Yh] = g.node('LSTM', [x, W, R], ['Y', 'Yh', 'Yc'], { hidden_size: { i: 3 }, direction: { s: 'bidirectional' }, layout: { i: layout } }, 'lstm');
      g.output(Y, DataType.FLOAT, []);
      g.output(Yh, DataType.FLOAT, []);
      return build(g);
    };
    const x = rand([4, 2, 2], 7); // (T, B, 2)
    const a = loadOnnx(mk(0)).run({ input: x });
    const xb = new Tensor(new Float32Array(16), [2, 4, 2]);
    for (let t = 0; t < 4; t++) for (let b = 0; b < 2; b++) for (let i = 0; i < 2; i++) xb.data[(b * 4 + t) * 2 + i] = x.data[(t * 2 + b) * 2 + i];
    const b1 = loadOnnx(mk(1)).run({ input: xb });
    assert.deepEqual(b1.Y.shape, [2, 4, 2, 3]);
    assert.deepEqual(b1.Yh.shape, [2, 2, 3]);
    // Y[t, d, b, j] (layout 0) = Y[b, t, d, j] (layout 1); Y_h[d, b, j] = Y_h[b, d, j]
    for (let t = 0; t < 4; t++) for (let d = 0; d < 2; d++) for (let b = 0; b < 2; b++) for (let j = 0; j < 3; j++) {
      assert.ok(Math.abs(a.Y.data[((t * 2 + d) * 2 + b) * 3 + j] - b1.Y.data[((b * 4 + t) * 2 + d) * 3 + j]) < 1e-6);
    }
    for (let d = 0; d < 2; d++) for (let b = 0; b < 2; b++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(a.Yh.data[(d * 2 + b) * 3 + j] - b1.Yh.data[(b * 2 + d) * 3 + j]) < 1e-6);
  });
  test('toSequential() is importOnnx on the same graph', () => {
    const m = loadOnnx(fixture('hn_last_op11'));
    const s = m.toSequential();
    const x = rand([2, 6, 4], 8);
    assert.ok(maxAbsDiff(s.call(x, { training: false }).data, m.call(x).data) < 1e-6);
    assert.throws(() => loadOnnx(fixture('initial_states_inputs_op14')).toSequential(), UnsupportedError);
  });
});
