// importOnnx and loadOnnx on hostile bytes: seeded truncations, bit flips, byte splices and hand-made
// adversarial protobufs (huge dims, wrong dtypes, bad attributes, deep nesting). Every failure
// must be a FormatError, UnsupportedError or ShapeError with a message — never a hang, a crash
// or another exception type. Successful imports (a flip inside a weight) are allowed. No test here
// asserts on elapsed time (the suite runs on busy machines); times are printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { exportOnnx, importOnnx } from '../../src/interop/onnx.js';
import { loadOnnx } from '../../src/interop/onnx-run.js';
import { GraphBuilder } from '../../src/interop/onnx-graph.js';
import { DataType, decodeModelProto, encodeModelProto, type ModelProto } from '../../src/interop/onnx-schema.js';
import { LSTM } from '../../src/nn/lstm.js';
import { Dense } from '../../src/nn/dense.js';
import { Sequential } from '../../src/nn/sequential.js';
import { FormatError, ShapeError, UnsupportedError } from '../../src/errors.js';
import { Rng } from '../../src/util/rng.js';

function bases(): Uint8Array[] {
  const a = exportOnnx(
    new Sequential([new LSTM({ inputSize: 3, hiddenSize: 4, bidirectional: true, numLayers: 2, returnSequences: false, seed: 1 }), new Dense({ inputSize: 8, outputSize: 2, activation: 'softmax' })]),
    { sequenceLengths: true },
  );
  const b = exportOnnx(new LSTM({ inputSize: 2, hiddenSize: 3, peepholes: true, clip: 2, seed: 2 }));
  const c = exportOnnx(new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: false }), new Dense({ inputSize: 3, outputSize: 2, activation: 'tanh' })]));
  // and two real torch.onnx.export files (shape arithmetic, Concat of states, Gemm heads)
  const dir = new URL('../fixtures/pytorch/exported/', import.meta.url);
  const torch = ['bidir_cat_hn_op14', 'layernorm_op12'].map((n) => new Uint8Array(readFileSync(new URL(`${n}.onnx`, dir))));
  return [a, b, c, ...torch];
}

type Outcome = 'imported' | 'FormatError' | 'UnsupportedError' | 'ShapeError';

function attempt(bytes: Uint8Array, label: string): Outcome {
  // loadOnnx (the whole graph) must fail as cleanly as importOnnx (the chain)
  try {
    loadOnnx(bytes);
  } catch (e) {
    const ok = e instanceof FormatError || e instanceof UnsupportedError || e instanceof ShapeError;
    assert.ok(ok, `${label} (loadOnnx): threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.ok((e as Error).message.startsWith('[loadOnnx'), `${label} (loadOnnx): message ${(e as Error).message}`);
  }
  try {
    importOnnx(bytes);
    return 'imported';
  } catch (e) {
    const ok = e instanceof FormatError || e instanceof UnsupportedError || e instanceof ShapeError;
    assert.ok(ok, `${label}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.ok((e as Error).message.length > 20 && (e as Error).message.startsWith('['), `${label}: message ${(e as Error).message}`);
    return (e as Error).name as Outcome;
  }
}

function mutate(src: Uint8Array, rng: Rng): Uint8Array {
  const kind = rng.int(5);
  const b = src.slice();
  switch (kind) {
    case 0:
      return src.slice(0, rng.int(src.length));
    case 1: {
      const flips = 1 + rng.int(4);
      for (let k = 0; k < flips; k++) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    }
    case 2: {
      const n = 1 + rng.int(8);
      for (let k = 0; k < n; k++) b[rng.int(b.length)] = rng.int(256);
      return b;
    }
    case 3: {
      const at = rng.int(src.length);
      const junk = new Uint8Array(1 + rng.int(16)).map(() => rng.int(256));
      const out = new Uint8Array(src.length + junk.length);
      out.set(src.subarray(0, at));
      out.set(junk, at);
      out.set(src.subarray(at), at + junk.length);
      return out;
    }
    default: {
      const from = rng.int(src.length);
      const len = rng.int(Math.min(64, src.length - from));
      const at = rng.int(src.length);
      const out = new Uint8Array(src.length + len);
      out.set(src.subarray(0, at));
      out.set(src.subarray(from, from + len), at);
      out.set(src.subarray(at), at + len);
      return out;
    }
  }
}

/** Structured attacks: decode a valid model, damage one field, re-encode. */
function adversarial(src: Uint8Array, rng: Rng): Uint8Array {
  const m = decodeModelProto(src) as ModelProto;
  const g = m.graph!;
  const inits = g.initializer!;
  const t = inits[rng.int(inits.length)];
  const node = g.node![rng.int(g.node!.length)];
  switch (rng.int(10)) {
    case 0: t.dims = [2 ** 40, 2 ** 40]; break;
    case 1: t.dims = [-3, 4]; break;
    case 2: t.data_type = rng.int(20); break;
    case 3: t.raw_data = t.raw_data!.subarray(0, Math.max(0, t.raw_data!.length - 1 - rng.int(8))); break;
    case 4: {
      const a = node.attribute?.find((q) => q.name === 'hidden_size');
      if (a) a.i = [0, -1, 2 ** 31, 7][rng.int(4)];
      else node.input = [...(node.input ?? []), node.output![0]];
      break;
    }
    case 5: node.op_type = ['', 'Loop', 'Scan', 'If', 'Conv'][rng.int(5)]; break;
    case 6: node.input = (node.input ?? []).map((i) => (i === '' ? i : `${i}_missing`)); break;
    case 7: g.output = []; break;
    case 8: {
      const raw = new Uint8Array(t.raw_data!.length).fill(0xff); // NaN floats
      t.raw_data = raw;
      break;
    }
    default: {
      const a = node.attribute?.[0];
      if (a) {
        a.type = 1 + rng.int(10);
        a.i = 2 ** 50;
      }
      node.domain = rng.int(2) === 0 ? 'com.microsoft' : '';
    }
  }
  return encodeModelProto(m);
}

/**
 * A ModelProto whose graph nests GraphProto → NodeProto.attribute → AttributeProto.g → GraphProto …
 * `depth` times, as raw protobuf bytes built from the inside out.
 */
function deeplyNested(depth: number): Uint8Array {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    while (n > 127) {
      out.push((n & 127) | 128);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  const prefixes: number[][] = [];
  let len = 0; // bytes of everything inside the next prefix
  for (let k = 0; k < depth; k++) {
    // AttributeProto.g (6) wraps a GraphProto, NodeProto.attribute (5) wraps it, GraphProto.node (1) wraps that
    for (const tag of [0x32, 0x2a, 0x0a]) {
      const p = [tag, ...varint(len)];
      prefixes.push(p);
      len += p.length;
    }
  }
  prefixes.push([0x3a, ...varint(len)]); // ModelProto.graph (7)
  const out = new Uint8Array(len + prefixes[prefixes.length - 1].length);
  let o = 0;
  for (let k = prefixes.length - 1; k >= 0; k--) {
    out.set(prefixes[k], o);
    o += prefixes[k].length;
  }
  return out;
}

test('importOnnx survives 600 seeded corruptions of valid models with a typed, worded error', () => {
  const rng = new Rng(20261127);
  const models = bases();
  const counts: Record<string, number> = {};
  for (let k = 0; k < 600; k++) {
    const src = models[k % models.length];
    const bytes = k % 3 === 2 ? adversarial(src, rng) : mutate(src, rng);
    const o = attempt(bytes, `case ${k}`);
    counts[o] = (counts[o] ?? 0) + 1;
  }
  // every class of outcome is exercised (time and memory per case: `npm run fuzz`, not a clock here)
  assert.ok((counts.FormatError ?? 0) > 100, JSON.stringify(counts));
  assert.ok((counts.UnsupportedError ?? 0) > 10, JSON.stringify(counts));
});

test('random bytes, empty and tiny inputs, deep nesting', () => {
  const rng = new Rng(7);
  for (let k = 0; k < 100; k++) {
    const junk = new Uint8Array(rng.int(300)).map(() => rng.int(256));
    attempt(junk, `junk ${k}`);
  }
  for (const n of [1, 2, 3]) attempt(new Uint8Array(n), `zeros ${n}`);
  assert.equal(attempt(deeplyNested(20000), 'deep'), 'FormatError');
});

test('an LSTM node whose input is its own Y is a cycle, not a hang', () => {
  const g = new GraphBuilder();
  const x = g.input('input', DataType.FLOAT, ['seq', 'batch', 2]);
  const W = g.float('W', [1, 12, 2], new Float32Array(24));
  const R = g.float('R', [1, 12, 3], new Float32Array(36));
  g.nodes.push({ op_type: 'LSTM', name: 'self', input: ['Y', W, R], output: ['Y', 'Yh'], attribute: [{ name: 'hidden_size', type: 2, i: 3 }] });
  void x;
  g.output('Y', DataType.FLOAT, ['seq', 1, 'batch', 3]);
  const bytes = g.build({ opset: 17, irVersion: 8, graphName: 'g', producer: 't' });
  assert.throws(() => importOnnx(bytes), (e: unknown) => e instanceof FormatError && /node 'self' \(LSTM\) consumes its own output 'Y'/.test(e.message));
});

test('a 20 000-node chain imports (no recursion limit, no cycle false alarm)', () => {
  const g = new GraphBuilder();
  let cur = g.input('input', DataType.FLOAT, ['seq', 'batch', 2]);
  const W = g.float('W', [1, 12, 2], new Float32Array(24).fill(0.1));
  const R = g.float('R', [1, 12, 3], new Float32Array(36).fill(0.1));
  const [Y] = g.node('LSTM', [cur, W, R], ['Y', 'Yh', 'Yc'], { hidden_size: { i: 3 } }, 'lstm');
  cur = g.node('Squeeze', [Y, g.int64([1])], ['y'])[0];
  for (let k = 0; k < 20_000; k++) cur = g.node('Identity', [cur], ['id'])[0];
  g.output(cur, DataType.FLOAT, ['seq', 'batch', 3]);
  const bytes = g.build({ opset: 17, irVersion: 8, graphName: 'g', producer: 't' });
  const m = importOnnx(bytes);
  assert.equal(m.layers.length, 1);
  assert.equal(loadOnnx(bytes).stats.steps, 20_002);
});
