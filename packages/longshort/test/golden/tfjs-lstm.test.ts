// Cross-check of the LSTM against TensorFlow.js (tf.layers.lstm, cpu backend) run as a peer with
// the same random weights: forward outputs, final h and c, the input gradient and the weight
// gradients, for plain, H=1, bidirectional, stacked, hardSigmoid-gated, initial-state and masked
// (right-padded) cases. Weights go to Keras through lstmStateToKeras (kernel (I, 4H) = weight_ihᵀ,
// single bias = bias_ih + bias_hh) and Keras gradients come back transposed, so a mistake in
// either direction of the conversion fails here too. Both sides float32; tolerance 1e-5 absolute.
//
// Keras facts this relies on (checked in tfjs-layers 4.22 source, layers/wrappers.js and
// layers/recurrent.js): Bidirectional re-reverses the backward layer's sequence output so both
// halves are indexed by input time, and concatenates [forward, backward]; returnState gives
// [output, h_fwd, c_fwd, h_bwd, c_bwd]; a masked step carries the previous output and state forward
// (our output is zero there, so only valid steps are compared; final states must agree).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LSTM } from '../../src/nn/lstm.js';
import { Tensor } from '../../src/tensor.js';
import { lstmStateToKeras } from '../../src/interop/tfjs.js';
import { fill } from '../helpers/fd.js';

const ATOL = 1e-5;

before(async () => {
  await tf.setBackend('cpu');
});

interface Case {
  name: string;
  T: number;
  B: number;
  D: number;
  H: number;
  layers?: number;
  bidirectional?: boolean;
  gate?: 'sigmoid' | 'hardSigmoid';
  states?: boolean;
  lengths?: number[];
  /** Harness self-test: add this to the first forget-gate bias on the TF.js side only. */
  perturbForgetBias?: number;
}

const cases: Case[] = [
  { name: 'T=3 B=2 D=4 H=5', T: 3, B: 2, D: 4, H: 5 },
  { name: 'H=1 T=4 B=3 D=2', T: 4, B: 3, D: 2, H: 1 },
  { name: 'T=1 B=1 D=3 H=2', T: 1, B: 1, D: 3, H: 2 },
  { name: 'T=7 B=2 D=3 H=8, initial states', T: 7, B: 2, D: 3, H: 8, states: true },
  { name: 'bidirectional T=3 B=2 D=4 H=5', T: 3, B: 2, D: 4, H: 5, bidirectional: true },
  { name: 'bidirectional H=1 T=5 B=2 D=2', T: 5, B: 2, D: 2, H: 1, bidirectional: true },
  { name: 'stacked ×2 T=3 B=2 D=4 H=5', T: 3, B: 2, D: 4, H: 5, layers: 2 },
  { name: 'stacked ×2 bidirectional T=4 B=2 D=3 H=3', T: 4, B: 2, D: 3, H: 3, layers: 2, bidirectional: true },
  { name: 'hardSigmoid gates T=3 B=2 D=4 H=5', T: 3, B: 2, D: 4, H: 5, gate: 'hardSigmoid' },
  { name: 'hardSigmoid bidirectional stacked', T: 4, B: 2, D: 2, H: 4, layers: 2, bidirectional: true, gate: 'hardSigmoid' },
  { name: 'masking (right padding) T=5 B=3 D=4 H=5', T: 5, B: 3, D: 4, H: 5, lengths: [5, 3, 1] },
  { name: 'masking bidirectional T=4 B=3 D=3 H=2', T: 4, B: 3, D: 3, H: 2, bidirectional: true, lengths: [2, 4, 1] },
];

/** Max |a − b| with the first offending index decoded against `shape`. */
function compare(label: string, ours: ArrayLike<number>, theirs: ArrayLike<number>, shape: readonly number[], skip?: (idx: number[]) => boolean): number {
  assert.equal(ours.length, theirs.length, `${label}: length`);
  let worst = 0;
  const bad: string[] = [];
  for (let n = 0; n < ours.length; n++) {
    const idx: number[] = [];
    let r = n;
    for (let k = shape.length - 1; k >= 0; k--) {
      idx[k] = r % shape[k];
      r = Math.floor(r / shape[k]);
    }
    if (skip?.(idx)) continue;
    const e = Math.abs(ours[n] - theirs[n]);
    worst = Math.max(worst, e);
    if (!(e <= ATOL) && bad.length < 5) bad.push(`${label}[${idx.join(',')}]: ours ${ours[n]} tfjs ${theirs[n]}`);
  }
  assert.equal(bad.length, 0, `mismatch vs TensorFlow.js:\n${bad.join('\n')}`);
  return worst;
}

const worstSeen: Record<string, number> = {};

function runCase(c: Case): void {
  const L = c.layers ?? 1;
  const Dn = c.bidirectional ? 2 : 1;
  const { T, B, D, H } = c;
  const F = Dn * H;
  const gate = c.gate ?? 'sigmoid';
  const ours = new LSTM({ inputSize: D, hiddenSize: H, numLayers: L, bidirectional: c.bidirectional, activations: { gate }, seed: 3 });
  // separate, nonzero bias_ih and bias_hh so the bias sum is exercised
  ours.params().forEach((p, k) => fill(p.value, 100 + k, 0.7));
  const x = new Tensor(fill(new Float32Array(B * T * D), 7) as Float32Array, [B, T, D]);
  const h0 = c.states ? new Tensor(fill(new Float32Array(L * Dn * B * H), 8, 0.5) as Float32Array, [L * Dn, B, H]) : undefined;
  const c0 = c.states ? new Tensor(fill(new Float32Array(L * Dn * B * H), 9, 0.5) as Float32Array, [L * Dn, B, H]) : undefined;
  const wOut = fill(new Float32Array(B * T * F), 21) as Float32Array;
  const wH = fill(new Float32Array(L * Dn * B * H), 22) as Float32Array;
  const wC = fill(new Float32Array(L * Dn * B * H), 23) as Float32Array;
  if (c.lengths) {
    // padded steps do not count in the loss: Keras repeats the last output there, we write zero
    for (let b = 0; b < B; b++) for (let t = c.lengths[b]; t < T; t++) wOut.fill(0, (b * T + t) * F, (b * T + t + 1) * F);
  }

  // ---- ours: forward, then backward of loss = Σ out·wOut + Σ h·wH + Σ c·wC
  const r = ours.forward(x, { h0, c0, lengths: c.lengths });
  ours.zeroGrad();
  const g = ours.backward(new Tensor(wOut, r.output.shape), { dh: new Tensor(wH, r.h.shape), dc: new Tensor(wC, r.c.shape) });

  // ---- TF.js: the same network, one Keras layer per (layer, direction pair)
  const state = ours.stateDict();
  const kerasLayers: tf.layers.Layer[] = [];
  const kerasWeights: tf.Tensor[][] = [];
  for (let l = 0; l < L; l++) {
    const cell = () => tf.layers.lstm({ units: H, returnSequences: true, returnState: true, recurrentActivation: gate, activation: 'tanh' });
    const layer = c.bidirectional ? tf.layers.bidirectional({ layer: cell() as tf.RNN, mergeMode: 'concat' }) : cell();
    kerasLayers.push(layer);
    const ws: tf.Tensor[] = [];
    for (let d = 0; d < Dn; d++) {
      const k = lstmStateToKeras(state, `_l${l}${d === 1 ? '_reverse' : ''}`);
      if (l === 0 && d === 0 && c.perturbForgetBias) k.bias[H] += c.perturbForgetBias;
      ws.push(tf.tensor2d(k.kernel, [k.I, 4 * H]), tf.tensor2d(k.recurrentKernel, [H, 4 * H]), tf.tensor1d(k.bias));
    }
    kerasWeights.push(ws);
  }
  const xT = tf.tensor3d(x.data as Float32Array, [B, T, D]);
  const mask = c.lengths ? tf.tensor2d(Array.from({ length: B * T }, (_, n) => (n % T < c.lengths![Math.floor(n / T)] ? 1 : 0)), [B, T], 'bool') : undefined;
  // Keras initial state per layer: [h, c] (unidirectional) or [h_f, c_f, h_b, c_b]
  const initial = (l: number): tf.Tensor[] | undefined => {
    if (!h0 || !c0) return undefined;
    const out: tf.Tensor[] = [];
    for (let d = 0; d < Dn; d++) {
      const s = (l * Dn + d) * B * H;
      out.push(tf.tensor2d(h0.data.slice(s, s + B * H) as Float32Array, [B, H]), tf.tensor2d(c0.data.slice(s, s + B * H) as Float32Array, [B, H]));
    }
    return out;
  };
  const run = (input: tf.Tensor): { out: tf.Tensor; hs: tf.Tensor[]; cs: tf.Tensor[] } => {
    let h = input;
    const hs: tf.Tensor[] = [];
    const cs: tf.Tensor[] = [];
    kerasLayers.forEach((layer, l) => {
      const kwargs: Record<string, unknown> = {};
      const init = initial(l);
      if (init) kwargs.initialState = init;
      if (mask) kwargs.mask = mask;
      const res = layer.apply(h, kwargs) as tf.Tensor[];
      h = res[0];
      for (let d = 0; d < Dn; d++) {
        hs.push(res[1 + 2 * d]);
        cs.push(res[2 + 2 * d]);
      }
    });
    return { out: h, hs, cs };
  };
  // build every layer, then set the converted weights
  run(xT);
  kerasLayers.forEach((layer, l) => layer.setWeights(kerasWeights[l]));

  const fwd = run(xT);
  const outShape = [B, T, F];
  const validStep = (idx: number[]) => c.lengths !== undefined && idx[1] >= c.lengths[idx[0]];
  const eOut = compare('output', r.output.data, fwd.out.dataSync(), outShape, validStep);
  const eH = compare('h', r.h.data, tf.stack(fwd.hs).dataSync(), r.h.shape);
  const eC = compare('c', r.c.data, tf.stack(fwd.cs).dataSync(), r.c.shape);

  // ---- TF.js gradients of the same loss: input, and every kernel / recurrent kernel / bias
  const wOutT = tf.tensor3d(wOut, [B, T, F]);
  const wHT = tf.tensor3d(wH, [L * Dn, B, H]);
  const wCT = tf.tensor3d(wC, [L * Dn, B, H]);
  const loss = (input: tf.Tensor): tf.Scalar => {
    const o = run(input);
    return tf.addN([tf.sum(tf.mul(o.out, wOutT)), tf.sum(tf.mul(tf.stack(o.hs), wHT)), tf.sum(tf.mul(tf.stack(o.cs), wCT))]) as tf.Scalar;
  };
  // TF.js 4.22 cannot differentiate unstack of a length-1 axis ("Argument tensors passed to stack
  // must be a `Tensor[]`" in Unpack_grad), so at T=1 dx is not compared; the weight gradients are.
  const dxT = T > 1 ? tf.grad(loss)(xT) : null;
  const eDx = dxT === null ? 0 : compare('dx', g.dx.data, dxT.dataSync(), [B, T, D]);

  const vars = kerasLayers.flatMap((layer) => layer.trainableWeights.map((w) => w.read() as tf.Variable));
  const { grads } = tf.variableGrads(() => loss(xT), vars);
  const ourGrads = ours.grads();
  let eW = 0;
  let k = 0;
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < Dn; d++) {
      const s = `_l${l}${d === 1 ? '_reverse' : ''}`;
      // our gradients in Keras layout: transpose like the weights; bias_ih and bias_hh each get dL/db
      const asKeras = lstmStateToKeras({
        [`weight_ih${s}`]: ourGrads[`weight_ih${s}`],
        [`weight_hh${s}`]: ourGrads[`weight_hh${s}`],
        [`bias_ih${s}`]: ourGrads[`bias_ih${s}`],
        [`bias_hh${s}`]: { shape: [4 * H], data: new Float32Array(4 * H) },
      }, s);
      compare(`dbias_hh${s} = dbias_ih${s}`, ourGrads[`bias_hh${s}`].data, ourGrads[`bias_ih${s}`].data, [4 * H]);
      const names = ['kernel', 'recurrent_kernel', 'bias'];
      const mine = [asKeras.kernel, asKeras.recurrentKernel, asKeras.bias];
      for (let n = 0; n < 3; n++, k++) {
        const v = vars[k];
        assert.ok(v.name.endsWith(names[n]), `variable order: expected ${names[n]}, got ${v.name}`);
        eW = Math.max(eW, compare(`d${names[n]}${s}`, mine[n], grads[v.name].dataSync(), v.shape));
      }
    }
  }
  assert.equal(k, vars.length, 'every TF.js trainable weight was compared');
  if (!c.perturbForgetBias) worstSeen[c.name] = Math.max(eOut, eH, eC, eDx, eW);
  tf.dispose([xT, wOutT, wHT, wCT, ...(dxT ? [dxT] : []), ...Object.values(grads), ...(mask ? [mask] : [])]);
  kerasLayers.forEach((layer) => layer.dispose());
}

describe('LSTM vs TensorFlow.js tf.layers.lstm (same weights, float32, atol 1e-5)', () => {
  for (const c of cases) test(c.name, () => runCase(c));

  test('the comparison can fail: a forget bias off by 0.01 on the TF.js side is caught', () => {
    assert.throws(() => runCase({ ...cases[0], perturbForgetBias: 0.01 }), /mismatch vs TensorFlow.js:\n(output|h|c)\[/);
  });

  test('report worst differences', () => {
    for (const [name, e] of Object.entries(worstSeen)) console.log(`# tfjs-lstm ${name}: max |ours − tfjs| = ${e.toExponential(2)}`);
    assert.ok(Object.keys(worstSeen).length === cases.length);
  });
});
