// Float64 finite-difference checks of LSTM backpropagation through time: every input, initial
// state and parameter, for every option and variant, at small awkward sizes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM, type LSTMOptions } from '../../src/nn/lstm.js';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { checkGrad, dot, fill } from '../helpers/fd.js';

interface Case {
  name: string;
  opts: Omit<LSTMOptions, 'dtype'>;
  B: number;
  T: number;
  lengths?: number[];
  states?: boolean;
  training?: boolean;
}

const I = 3;
const cases: Case[] = [
  { name: 'base H=5', opts: { inputSize: I, hiddenSize: 5 }, B: 2, T: 4, states: true },
  { name: 'H=1 B=1 T=1', opts: { inputSize: I, hiddenSize: 1 }, B: 1, T: 1, states: true },
  { name: 'time-major', opts: { inputSize: I, hiddenSize: 3, batchFirst: false }, B: 2, T: 3, states: true },
  { name: 'stacked', opts: { inputSize: I, hiddenSize: 3, numLayers: 2 }, B: 2, T: 3, states: true },
  { name: 'bidirectional', opts: { inputSize: I, hiddenSize: 3, bidirectional: true }, B: 2, T: 4, states: true },
  { name: 'bidirectional stacked + lengths', opts: { inputSize: I, hiddenSize: 2, bidirectional: true, numLayers: 2 }, B: 3, T: 4, lengths: [4, 2, 1], states: true },
  { name: 'lengths', opts: { inputSize: I, hiddenSize: 4 }, B: 3, T: 5, lengths: [5, 3, 1], states: true },
  { name: 'projection', opts: { inputSize: I, hiddenSize: 5, projSize: 2 }, B: 2, T: 3, states: true },
  { name: 'projection bidirectional stacked lengths', opts: { inputSize: I, hiddenSize: 4, projSize: 3, bidirectional: true, numLayers: 2 }, B: 2, T: 3, lengths: [3, 2], states: true },
  { name: 'NIG', opts: { inputSize: I, hiddenSize: 3, variant: 'NIG' }, B: 2, T: 3, states: true },
  { name: 'NFG', opts: { inputSize: I, hiddenSize: 3, variant: 'NFG' }, B: 2, T: 3, states: true },
  { name: 'NOG', opts: { inputSize: I, hiddenSize: 3, variant: 'NOG' }, B: 2, T: 3, states: true },
  { name: 'NIAF', opts: { inputSize: I, hiddenSize: 3, variant: 'NIAF' }, B: 2, T: 3, states: true },
  { name: 'NOAF', opts: { inputSize: I, hiddenSize: 3, variant: 'NOAF' }, B: 2, T: 3, states: true },
  { name: 'peepholes', opts: { inputSize: I, hiddenSize: 3, peepholes: true }, B: 2, T: 4, states: true },
  { name: 'peepholes bidirectional lengths', opts: { inputSize: I, hiddenSize: 2, peepholes: true, bidirectional: true }, B: 2, T: 3, lengths: [2, 3], states: true },
  { name: 'coupled input-forget', opts: { inputSize: I, hiddenSize: 3, coupledInputForget: true }, B: 2, T: 4, states: true },
  { name: 'clip', opts: { inputSize: I, hiddenSize: 3, clip: 0.7 }, B: 2, T: 4, states: true },
  { name: 'hardSigmoid gates', opts: { inputSize: I, hiddenSize: 3, activations: { gate: 'hardSigmoid' } }, B: 2, T: 3, states: true },
  { name: 'dropout between layers (training)', opts: { inputSize: I, hiddenSize: 3, numLayers: 2, dropout: 0.4 }, B: 2, T: 3, training: true },
];

function run(c: Case): void {
  const lstm = new LSTM({ ...c.opts, dtype: 'float64', seed: 7 });
  // weights of order 1 so every gate is away from saturation but clearly nonlinear
  for (const p of lstm.params()) fill(p.value, p.name.length * 31 + p.value.length, 0.6);
  const batchFirst = c.opts.batchFirst ?? true;
  const x = new Tensor(fill(new Float64Array(c.B * c.T * I), 11), batchFirst ? [c.B, c.T, I] : [c.T, c.B, I]);
  const probe = lstm.forward(x, { lengths: c.lengths });
  const h0 = c.states ? new Tensor(fill(new Float64Array(probe.h.size), 12, 0.5), probe.h.shape) : undefined;
  const c0 = c.states ? new Tensor(fill(new Float64Array(probe.c.size), 13, 0.5), probe.c.shape) : undefined;
  const wOut = fill(new Float64Array(probe.output.size), 21);
  const wH = fill(new Float64Array(probe.h.size), 22);
  const wC = fill(new Float64Array(probe.c.size), 23);
  const forward = () => lstm.forward(x, { h0, c0, lengths: c.lengths, training: c.training, rng: new Rng(5) });
  const loss = (): number => {
    const r = forward();
    return dot(r.output.data, wOut) + dot(r.h.data, wH) + dot(r.c.data, wC);
  };
  lstm.zeroGrad();
  forward();
  const g = lstm.backward(new Tensor(wOut, probe.output.shape), {
    dh: new Tensor(wH, probe.h.shape),
    dc: new Tensor(wC, probe.c.shape),
  });
  checkGrad('x', x.data, g.dx.data, loss);
  if (h0 && c0) {
    checkGrad('h0', h0.data, g.dh0.data, loss);
    checkGrad('c0', c0.data, g.dc0.data, loss);
  }
  for (const p of lstm.params()) checkGrad(p.name, p.value, p.grad, loss);
}

describe('LSTM gradients (float64 central differences)', () => {
  for (const c of cases) test(c.name, () => run(c));

  test('returnSequences: false through call/callBackward (many-to-one)', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true, returnSequences: false, dtype: 'float64', seed: 3 });
    for (const p of lstm.params()) fill(p.value, p.value.length + 5, 0.6);
    const x = new Tensor(fill(new Float64Array(2 * 4 * 2), 4), [2, 4, 2]);
    const lengths = new Int32Array([4, 2]);
    const y = lstm.call(x, { training: false, lengths });
    assert.deepEqual(y.shape, [2, 6]);
    const w = fill(new Float64Array(y.size), 9);
    const loss = () => dot(lstm.call(x, { training: false, lengths }).data, w);
    lstm.zeroGrad();
    lstm.call(x, { training: false, lengths });
    const dx = lstm.callBackward(new Tensor(w, y.shape));
    checkGrad('x', x.data, dx.data, loss);
    for (const p of lstm.params()) checkGrad(p.name, p.value, p.grad, loss);
  });

  test('a wrong gradient is caught (the check can fail)', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 2, dtype: 'float64', seed: 1 });
    const x = new Tensor(fill(new Float64Array(6), 3), [1, 3, 2]);
    const w = fill(new Float64Array(6), 4);
    lstm.forward(x);
    const g = lstm.backward(new Tensor(w, [1, 3, 2]));
    g.dx.data[2] += 1e-3;
    assert.throws(() => checkGrad('x', x.data, g.dx.data, () => dot(lstm.forward(x).output.data, w)), /gradient mismatch/);
  });
});
