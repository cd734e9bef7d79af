// exportOnnx → ONNX Runtime: every exported graph is run by onnxruntime-node on random inputs and
// must give longshort's own forward pass to 1e-5 (output, and the final states for a bare LSTM).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportOnnx } from '../../src/interop/onnx.js';
import { LSTM, type LSTMOptions } from '../../src/nn/lstm.js';
import { Sequential } from '../../src/nn/sequential.js';
import { Dense } from '../../src/nn/dense.js';
import { Activation } from '../../src/nn/activations.js';
import { Dropout } from '../../src/nn/dropout.js';
import { LayerNorm } from '../../src/nn/layernorm.js';
import { Tensor } from '../../src/tensor.js';
import { ConfigError, UnsupportedError } from '../../src/errors.js';
import { maxAbsDiff, rand, runOrt, type OrtFeed } from './onnx-helpers.js';

const TOL = 1e-5;

interface LstmCase {
  name: string;
  opts: Omit<LSTMOptions, 'inputSize' | 'hiddenSize'>;
  lengths?: number[];
  states?: boolean;
  scale?: number;
}

const B = 3;
const T = 5;
const I = 4;
const H = 6;

const cases: LstmCase[] = [
  { name: 'unidirectional, batch-first', opts: {} },
  { name: 'bidirectional, time-major', opts: { bidirectional: true, batchFirst: false } },
  { name: 'stacked 2 layers', opts: { numLayers: 2 } },
  { name: 'stacked 3 layers, bidirectional', opts: { numLayers: 3, bidirectional: true } },
  { name: 'sequence lengths (right-padded rows)', opts: { bidirectional: true, numLayers: 2 }, lengths: [5, 2, 3] },
  { name: 'initial states, stacked bidirectional', opts: { bidirectional: true, numLayers: 2 }, states: true },
  { name: 'initial states and lengths, time-major', opts: { batchFirst: false }, states: true, lengths: [1, 5, 4] },
  { name: 'peepholes, bidirectional', opts: { peepholes: true, bidirectional: true }, lengths: [4, 5, 2] },
  { name: 'coupled input-forget gate', opts: { coupledInputForget: true, numLayers: 2 } },
  { name: 'clip', opts: { clip: 0.4, bidirectional: true }, scale: 4 },
  { name: 'reverse direction with lengths', opts: { reverse: true }, lengths: [2, 5, 3] },
  { name: 'relu cell and hidden activations', opts: { activations: { cell: 'relu', hidden: 'relu' } } },
];

function feedFor(lstm: LSTM, x: Tensor, c: LstmCase, seed: number): { feed: OrtFeed; h0?: Tensor; c0?: Tensor } {
  const feed: OrtFeed = { input: { data: x.data as Float32Array, dims: x.shape } };
  if (c.lengths) feed.sequence_lens = { data: Int32Array.from(c.lengths), dims: [B] };
  if (!c.states) return { feed };
  const S = lstm.numLayers * lstm.numDirections;
  const h0 = rand([S, B, H], seed + 1);
  const c0 = rand([S, B, H], seed + 2);
  feed.initial_h = { data: h0.data as Float32Array, dims: h0.shape };
  feed.initial_c = { data: c0.data as Float32Array, dims: c0.shape };
  return { feed, h0, c0 };
}

describe('exportOnnx: a bare LSTM, run in ONNX Runtime', () => {
  for (const [k, c] of cases.entries()) {
    test(c.name, async (t) => {
      const lstm = new LSTM({ inputSize: I, hiddenSize: H, seed: 10 + k, forgetBias: null, ...c.opts });
      const bf = lstm.batchFirst;
      const x = rand(bf ? [B, T, I] : [T, B, I], 100 + k, -(c.scale ?? 1), c.scale ?? 1);
      const { feed, h0, c0 } = feedFor(lstm, x, c, 200 + k);
      const bytes = exportOnnx(lstm, { sequenceLengths: c.lengths !== undefined, initialStates: c.states === true });
      const ours = lstm.forward(x, { lengths: c.lengths, h0, c0 });
      const ort = await runOrt(bytes, feed);
      assert.deepEqual([...ort.output.dims], [...ours.output.shape]);
      assert.deepEqual([...ort.h_n.dims], [...ours.h.shape]);
      const d = Math.max(maxAbsDiff(ort.output.data, ours.output.data), maxAbsDiff(ort.h_n.data, ours.h.data), maxAbsDiff(ort.c_n.data, ours.c.data));
      t.diagnostic(`max |ORT − longshort| = ${d.toExponential(2)}`);
      assert.ok(d <= TOL, `max abs diff ${d}`);
      // the comparison is not vacuous: outputs are far from zero
      assert.ok(maxAbsDiff(ours.output.data, new Float32Array(ours.output.size)) > 0.05);
      if (c.opts.clip !== undefined) {
        // and clipping really bites on these inputs: the same weights unclipped give other numbers
        const { clip: _clip, ...rest } = c.opts;
        const free = new LSTM({ inputSize: I, hiddenSize: H, seed: 10 + k, forgetBias: null, ...rest });
        const d2 = maxAbsDiff(free.forward(x, { lengths: c.lengths, h0, c0 }).output.data, ours.output.data);
        t.diagnostic(`clip changes the output by up to ${d2.toExponential(2)}`);
        assert.ok(d2 > 1e-2);
      }
    });
  }
});

describe('exportOnnx: Sequential models, run in ONNX Runtime', () => {
  test('LSTM (returnSequences: false, bidirectional, lengths) + Dense softmax head', async (t) => {
    const lstm = new LSTM({ inputSize: I, hiddenSize: H, bidirectional: true, numLayers: 2, returnSequences: false, seed: 3 });
    const model = new Sequential([['rnn', lstm], ['fc', new Dense({ inputSize: 2 * H, outputSize: 4, activation: 'softmax', seed: 4 })]]);
    const x = rand([B, T, I], 5);
    const lengths = Int32Array.from([3, 5, 1]);
    const ours = model.call(x, { training: false, lengths });
    const ort = await runOrt(exportOnnx(model, { sequenceLengths: true }), {
      input: { data: x.data as Float32Array, dims: x.shape },
      sequence_lens: { data: lengths, dims: [B] },
    });
    assert.deepEqual([...ort.output.dims], [B, 4]);
    const d = maxAbsDiff(ort.output.data, ours.data);
    t.diagnostic(`max |ORT − longshort| = ${d.toExponential(2)}`);
    assert.ok(d <= TOL, `max abs diff ${d}`);
  });

  test('LSTM + per-step Dense(tanh) + Activation + Dropout + LayerNorm + Dense, time-major', async (t) => {
    const model = new Sequential([
      new LSTM({ inputSize: I, hiddenSize: H, batchFirst: false, seed: 7 }),
      new Dense({ inputSize: H, outputSize: 5, activation: 'tanh', seed: 8 }),
      new Activation({ fn: 'sigmoid' }),
      new Dropout({ p: 0.3 }),
      new LayerNorm({ normalizedShape: 5 }),
      new Dense({ inputSize: 5, outputSize: 2, seed: 9 }),
    ]);
    const ln = model.get('layernorm') as LayerNorm;
    for (let j = 0; j < 5; j++) {
      ln.weight!.value[j] = 0.5 + j / 10;
      ln.bias!.value[j] = j / 7 - 0.3;
    }
    const x = rand([T, B, I], 11);
    const ours = model.call(x, { training: false });
    const ort = await runOrt(exportOnnx(model), { input: { data: x.data as Float32Array, dims: x.shape } });
    assert.deepEqual([...ort.output.dims], [T, B, 2]);
    const d = maxAbsDiff(ort.output.data, ours.data);
    t.diagnostic(`max |ORT − longshort| = ${d.toExponential(2)}`);
    assert.ok(d <= TOL, `max abs diff ${d}`);
  });

  test('two LSTM layer objects in a row, per-step head with relu, lengths', async (t) => {
    const model = new Sequential([
      new LSTM({ inputSize: I, hiddenSize: H, bidirectional: true, seed: 21 }),
      new LSTM({ inputSize: 2 * H, hiddenSize: 3, seed: 22, peepholes: true }),
      new Dense({ inputSize: 3, outputSize: 2, activation: 'relu', seed: 23 }),
    ]);
    const x = rand([B, T, I], 24);
    const lengths = Int32Array.from([5, 3, 4]);
    const ours = model.call(x, { training: false, lengths });
    const ort = await runOrt(exportOnnx(model, { sequenceLengths: true }), {
      input: { data: x.data as Float32Array, dims: x.shape },
      sequence_lens: { data: lengths, dims: [B] },
    });
    const d = maxAbsDiff(ort.output.data, ours.data);
    t.diagnostic(`max |ORT − longshort| = ${d.toExponential(2)}`);
    assert.ok(d <= TOL, `max abs diff ${d}`);
  });

  test('batchFirst: false exports a batch-first model with a time-major graph input and output', async (t) => {
    const model = new Sequential([new LSTM({ inputSize: I, hiddenSize: H, bidirectional: true, seed: 41 }), new Dense({ inputSize: 2 * H, outputSize: 2, seed: 42 })]);
    const x = rand([B, T, I], 43); // (B, T, I) for longshort
    const xt = new Float32Array(x.size);
    for (let b = 0; b < B; b++) for (let s = 0; s < T; s++) for (let i = 0; i < I; i++) xt[(s * B + b) * I + i] = x.data[(b * T + s) * I + i];
    const ours = model.call(x, { training: false }); // (B, T, 2)
    const ort = await runOrt(exportOnnx(model, { batchFirst: false }), { input: { data: xt, dims: [T, B, I] } });
    assert.deepEqual([...ort.output.dims], [T, B, 2]);
    let d = 0;
    for (let b = 0; b < B; b++) for (let s = 0; s < T; s++) for (let o = 0; o < 2; o++) d = Math.max(d, Math.abs(ort.output.data[(s * B + b) * 2 + o] - ours.data[(b * T + s) * 2 + o]));
    t.diagnostic(`max |ORT − longshort| = ${d.toExponential(2)}`);
    assert.ok(d <= TOL, `max abs diff ${d}`);
  });

  test('initial states on a Sequential reach its LSTM', async (t) => {
    const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, returnSequences: false, seed: 31 });
    const head = new Dense({ inputSize: H, outputSize: 3, seed: 32 });
    const model = new Sequential({ lstm, head });
    const x = rand([B, T, I], 33);
    const h0 = rand([2, B, H], 34);
    const c0 = rand([2, B, H], 35);
    const r = lstm.forward(x, { h0, c0 });
    const top = new Float32Array(r.h.data.subarray(B * H, 2 * B * H));
    const ours = head.call(new Tensor(top, [B, H]));
    const ort = await runOrt(exportOnnx(model, { initialStates: true }), {
      input: { data: x.data as Float32Array, dims: x.shape },
      initial_h: { data: h0.data as Float32Array, dims: h0.shape },
      initial_c: { data: c0.data as Float32Array, dims: c0.shape },
    });
    const d = maxAbsDiff(ort.output.data, ours.data);
    t.diagnostic(`max |ORT − longshort| = ${d.toExponential(2)}`);
    assert.ok(d <= TOL, `max abs diff ${d}`);
  });
});

describe('exportOnnx: what it refuses', () => {
  test('projection has no ONNX equivalent', () => {
    assert.throws(() => exportOnnx(new LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2 })), (e: unknown) => e instanceof UnsupportedError && /projSize=2/.test(e.message));
  });
  test('opset below 14', () => {
    assert.throws(() => exportOnnx(new LSTM({ inputSize: 3, hiddenSize: 5 }), { opset: 13 }), (e: unknown) => e instanceof ConfigError && /received 13/.test(e.message));
  });
  test('initial states with two LSTM objects', () => {
    const m = new Sequential([new LSTM({ inputSize: 3, hiddenSize: 4 }), new LSTM({ inputSize: 4, hiddenSize: 4 })]);
    assert.throws(() => exportOnnx(m, { initialStates: true }), /exactly one LSTM layer object; received 2 \(lstm, lstm_1\)/);
  });
  test('a variant the LSTM operator cannot express', () => {
    assert.throws(() => exportOnnx(new LSTM({ inputSize: 3, hiddenSize: 4, variant: 'NOAF' })), UnsupportedError);
  });
});
