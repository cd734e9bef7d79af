// LSTM layer behaviour: an independent step-by-step float64 reference (the equations of the
// brief, gate order i, f, g, o as PyTorch), variable lengths, streaming, state dicts,
// initialisation, determinism and every bad-input message.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM } from '../../src/nn/lstm.js';
import { Tensor } from '../../src/tensor.js';
import { fill } from '../helpers/fd.js';

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** The brief's equations, literally: one row, one step at a time, PyTorch gate blocks i, f, g, o. */
function naiveLstm(sd: Record<string, Tensor>, xs: number[][], H: number, h0: number[], c0: number[]) {
  const wih = sd.weight_ih_l0.data, whh = sd.weight_hh_l0.data, bih = sd.bias_ih_l0.data, bhh = sd.bias_hh_l0.data;
  const D = xs[0].length;
  let h = [...h0], c = [...c0];
  const ys: number[][] = [];
  const pre = (gate: number, j: number, x: number[]) => {
    const row = gate * H + j;
    let s = bih[row] + bhh[row];
    for (let k = 0; k < D; k++) s += wih[row * D + k] * x[k];
    for (let k = 0; k < H; k++) s += whh[row * H + k] * h[k];
    return s;
  };
  for (const x of xs) {
    const hn: number[] = [], cn: number[] = [];
    for (let j = 0; j < H; j++) {
      const f = sig(pre(1, j, x)); //  forget gate
      const i = sig(pre(0, j, x)); //  input gate
      const g = Math.tanh(pre(2, j, x)); // candidate
      const ct = f * c[j] + i * g;
      const o = sig(pre(3, j, x));
      cn.push(ct);
      hn.push(o * Math.tanh(ct));
    }
    h = hn;
    c = cn;
    ys.push(h);
  }
  return { ys, h, c };
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k] - b[k]) <= tol, `${what}[${k}]: ${a[k]} vs ${b[k]}`);
}

describe('LSTM forward', () => {
  test('matches the step-by-step equations (T=3, B=2, D=4, H=5), float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const T = 3, B = 2, D = 4, H = 5;
      const lstm = new LSTM({ inputSize: D, hiddenSize: H, seed: 42, dtype });
      const sd = lstm.stateDict();
      const x = new Tensor(fill(dtype === 'float64' ? new Float64Array(B * T * D) : new Float32Array(B * T * D), 3), [B, T, D]);
      const h0 = new Tensor(fill(dtype === 'float64' ? new Float64Array(B * H) : new Float32Array(B * H), 4, 0.5), [1, B, H]);
      const c0 = new Tensor(fill(dtype === 'float64' ? new Float64Array(B * H) : new Float32Array(B * H), 5, 0.5), [1, B, H]);
      const r = lstm.forward(x, { h0, c0 });
      for (let b = 0; b < B; b++) {
        const xs = [0, 1, 2].map((t) => Array.from(x.data.subarray((b * T + t) * D, (b * T + t + 1) * D)));
        const ref = naiveLstm(sd, xs, H, Array.from(h0.data.subarray(b * H, (b + 1) * H)), Array.from(c0.data.subarray(b * H, (b + 1) * H)));
        const tol = dtype === 'float64' ? 1e-12 : 1e-6;
        for (let t = 0; t < T; t++) close(r.output.data.subarray((b * T + t) * H, (b * T + t + 1) * H), ref.ys[t], tol, `y[b=${b},t=${t}]`);
        close(r.h.data.subarray(b * H, (b + 1) * H), ref.h, tol, `h[b=${b}]`);
        close(r.c.data.subarray(b * H, (b + 1) * H), ref.c, tol, `c[b=${b}]`);
      }
    }
  });

  test('variable lengths: padded outputs are 0 and each row equals its own unpadded run', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true, numLayers: 2, seed: 1, dtype: 'float64' });
    const T = 5, lengths = [5, 3, 1];
    const x = new Tensor(fill(new Float64Array(3 * T * 2), 8), [3, T, 2]);
    const r = lstm.forward(x, { lengths });
    for (let b = 0; b < 3; b++) {
      const L = lengths[b];
      const xb = new Tensor(x.data.slice(b * T * 2, (b * T + L) * 2), [1, L, 2]);
      const rb = lstm.forward(xb);
      for (let t = 0; t < T; t++) {
        const row = r.output.data.subarray((b * T + t) * 6, (b * T + t + 1) * 6);
        if (t >= L) assert.ok(row.every((v) => v === 0), `padded y[b=${b},t=${t}] must be 0`);
        else close(row, rb.output.data.subarray(t * 6, (t + 1) * 6), 1e-12, `y[b=${b},t=${t}]`);
      }
      for (let s = 0; s < 4; s++) {
        close(r.h.data.subarray((s * 3 + b) * 3, (s * 3 + b + 1) * 3), rb.h.data.subarray(s * 3, (s + 1) * 3), 1e-12, `h[${s},${b}]`);
        close(r.c.data.subarray((s * 3 + b) * 3, (s * 3 + b + 1) * 3), rb.c.data.subarray(s * 3, (s + 1) * 3), 1e-12, `c[${s},${b}]`);
      }
    }
  });

  test('the reverse direction reads the sequence backwards', () => {
    const bi = new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true, seed: 9, dtype: 'float64' });
    const sd = bi.stateDict();
    const fwd = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
    fwd.loadStateDict({ weight_ih_l0: sd.weight_ih_l0_reverse, weight_hh_l0: sd.weight_hh_l0_reverse, bias_ih_l0: sd.bias_ih_l0_reverse, bias_hh_l0: sd.bias_hh_l0_reverse });
    const T = 4;
    const x = new Tensor(fill(new Float64Array(T * 2), 2), [1, T, 2]);
    const xr = new Tensor(new Float64Array(T * 2), [1, T, 2]);
    for (let t = 0; t < T; t++) xr.data.set(x.data.subarray(t * 2, t * 2 + 2), (T - 1 - t) * 2);
    const a = bi.forward(x).output.data;
    const b = fwd.forward(xr).output.data;
    for (let t = 0; t < T; t++) close(a.subarray(t * 6 + 3, t * 6 + 6), b.subarray((T - 1 - t) * 3, (T - t) * 3), 1e-12, `reverse y[t=${t}]`);
  });

  test('returnGates gives post-activation gates and cell state consistent with c = f⊙c₋₁ + i⊙g, h = o⊙tanh(c)', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 4, seed: 3, dtype: 'float64' });
    const x = new Tensor(fill(new Float64Array(2 * 3 * 2), 6), [2, 3, 2]);
    const r = lstm.forward(x, { returnGates: true });
    assert.equal(r.gates!.length, 1);
    const { i, f, g, o, c } = r.gates![0];
    assert.deepEqual(i.shape, [2, 3, 4]);
    for (let b = 0; b < 2; b++)
      for (let t = 0; t < 3; t++)
        for (let j = 0; j < 4; j++) {
          const k = (b * 3 + t) * 4 + j;
          const cp = t === 0 ? 0 : c.data[k - 4];
          assert.ok(Math.abs(c.data[k] - (f.data[k] * cp + i.data[k] * g.data[k])) < 1e-12);
          assert.ok(Math.abs(r.output.data[k] - o.data[k] * Math.tanh(c.data[k])) < 1e-12);
          for (const gate of [i, f, o]) assert.ok(gate.data[k] > 0 && gate.data[k] < 1);
        }
  });

  test('step() streams: T single steps equal one forward over T', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, projSize: 2, seed: 5 });
    const T = 6, B = 2;
    const x = new Tensor(fill(new Float32Array(B * T * 3), 7), [B, T, 3]);
    const full = lstm.forward(x);
    let state = lstm.initialState(B);
    for (let t = 0; t < T; t++) {
      const xt = new Float32Array(B * 3);
      for (let b = 0; b < B; b++) xt.set(x.data.subarray((b * T + t) * 3, (b * T + t + 1) * 3), b * 3);
      const r = lstm.step(new Tensor(xt, [B, 3]), state);
      state = r.state;
      for (let b = 0; b < B; b++) close(r.output.data.subarray(b * 2, b * 2 + 2), full.output.data.subarray((b * T + t) * 2, (b * T + t) * 2 + 2), 1e-6, `step t=${t}`);
    }
    close(state.h.data, full.h.data, 1e-6, 'final h');
    close(state.c.data, full.c.data, 1e-6, 'final c');
  });
});

describe('LSTM parameters and initialisation', () => {
  test('state dict uses PyTorch names and shapes', () => {
    const lstm = new LSTM({ inputSize: 10, hiddenSize: 20, numLayers: 2, bidirectional: true, projSize: 5 });
    const sd = lstm.stateDict();
    const shapes = Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.shape]));
    assert.deepEqual(shapes, {
      weight_ih_l0: [80, 10], weight_hh_l0: [80, 5], bias_ih_l0: [80], bias_hh_l0: [80], weight_hr_l0: [5, 20],
      weight_ih_l0_reverse: [80, 10], weight_hh_l0_reverse: [80, 5], bias_ih_l0_reverse: [80], bias_hh_l0_reverse: [80], weight_hr_l0_reverse: [5, 20],
      weight_ih_l1: [80, 10], weight_hh_l1: [80, 5], bias_ih_l1: [80], bias_hh_l1: [80], weight_hr_l1: [5, 20],
      weight_ih_l1_reverse: [80, 10], weight_hh_l1_reverse: [80, 5], bias_ih_l1_reverse: [80], bias_hh_l1_reverse: [80], weight_hr_l1_reverse: [5, 20],
    });
  });

  test('state dict round trip reproduces outputs; bad dicts are clear errors', () => {
    const a = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
    const b = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 2 });
    const x = new Tensor(fill(new Float32Array(2 * 5 * 3), 1), [2, 5, 3]);
    assert.notDeepEqual(a.forward(x).output.data, b.forward(x).output.data);
    b.loadStateDict(a.stateDict());
    assert.deepEqual(a.forward(x).output.data, b.forward(x).output.data);
    const sd = a.stateDict();
    const { bias_hh_l0: _, ...missing } = sd;
    assert.throws(() => b.loadStateDict(missing), /missing tensor\(s\) bias_hh_l0; expected: weight_ih_l0 \(16, 3\)/);
    assert.throws(() => b.loadStateDict({ ...sd, weight_hh_l0: new Tensor(new Float32Array(12), [4, 3]) }), /weight_hh_l0 must have shape \(16, 4\); received \(4, 3\)/);
    assert.throws(() => b.loadStateDict({ ...sd, weight_ih_l1: sd.weight_ih_l0 }), /unexpected tensor\(s\) weight_ih_l1/);
    const nan = sd.bias_ih_l0.clone();
    nan.data[3] = NaN;
    assert.throws(() => b.loadStateDict({ ...sd, bias_ih_l0: nan }), /bias_ih_l0 must be finite; received NaN at flat index 3/);
  });

  test('PyTorch init: U(±1/√H) everywhere, forget bias 1 by default (configurable)', () => {
    const H = 16;
    const lstm = new LSTM({ inputSize: 8, hiddenSize: H, seed: 3 });
    const k = 1 / Math.sqrt(H);
    const sd = lstm.stateDict();
    for (const v of sd.weight_ih_l0.data) assert.ok(Math.abs(v) <= k);
    const spread = Math.max(...sd.weight_hh_l0.data) - Math.min(...sd.weight_hh_l0.data);
    assert.ok(spread > 1.8 * k, 'weights fill the interval');
    for (let j = 0; j < H; j++) {
      assert.equal(sd.bias_ih_l0.data[H + j] + sd.bias_hh_l0.data[H + j], 1);
    }
    const plain = new LSTM({ inputSize: 8, hiddenSize: H, seed: 3, forgetBias: null }).stateDict();
    assert.ok(Math.abs(plain.bias_ih_l0.data[H]) <= k);
    const two = new LSTM({ inputSize: 8, hiddenSize: H, seed: 3, forgetBias: 2 }).stateDict();
    assert.equal(two.bias_ih_l0.data[H + 5], 2);
  });

  test('Keras init: orthogonal recurrent weights (WᵀW = I), glorot input weights, zero biases but forget', () => {
    const H = 6;
    const lstm = new LSTM({ inputSize: 5, hiddenSize: H, init: 'keras', seed: 4, dtype: 'float64' });
    const sd = lstm.stateDict();
    const W = sd.weight_hh_l0.data; // (4H, H): columns orthonormal
    for (let p = 0; p < H; p++)
      for (let q = 0; q < H; q++) {
        let s = 0;
        for (let r = 0; r < 4 * H; r++) s += W[r * H + p] * W[r * H + q];
        assert.ok(Math.abs(s - (p === q ? 1 : 0)) < 1e-10);
      }
    const lim = Math.sqrt(6 / (5 + 4 * H));
    for (const v of sd.weight_ih_l0.data) assert.ok(Math.abs(v) <= lim);
    assert.equal(sd.bias_ih_l0.data[0], 0);
    assert.equal(sd.bias_ih_l0.data[H], 1);
  });

  test('same seed, same numbers; another seed, other numbers', () => {
    const x = new Tensor(fill(new Float32Array(2 * 4 * 3), 2), [2, 4, 3]);
    const run = (seed: number) => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, dropout: 0.5, seed }).forward(x, { training: true }).output.data;
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
  });

  test('dropout acts between layers in training only', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 2, dropout: 0.5, seed: 1 });
    const x = new Tensor(fill(new Float32Array(2 * 4 * 3), 2), [2, 4, 3]);
    const evalA = lstm.forward(x).output.data;
    const evalB = lstm.forward(x).output.data;
    assert.deepEqual(evalA, evalB);
    const trainA = lstm.forward(x, { training: true }).output.data;
    assert.notDeepEqual(trainA, evalA);
  });
});

describe('LSTM bad input', () => {
  const lstm = new LSTM({ inputSize: 8, hiddenSize: 4, checkFinite: true });
  const x = (shape: number[]) => new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
  test('wrong inputSize', () => {
    assert.throws(() => lstm.forward(x([32, 16, 10])), /\[LSTM\.forward\] x must have shape \(B, T, 8\) because inputSize=8; received \(32, 16, 10\)/);
  });
  test('wrong rank', () => {
    assert.throws(() => lstm.forward(x([16, 8])), /received \(16, 8\)\. Hint: add a batch dimension/);
  });
  test('h0 of the wrong shape', () => {
    assert.throws(() => lstm.forward(x([2, 3, 8]), { h0: x([1, 3, 4]) }), /h0 must have shape \(1, 2, 4\); received \(1, 3, 4\)/);
  });
  test('lengths of the wrong count or out of range', () => {
    assert.throws(() => lstm.forward(x([2, 3, 8]), { lengths: [3] }), /lengths must have one entry per batch row \(B=2\); received 1 entries/);
    assert.throws(() => lstm.forward(x([2, 3, 8]), { lengths: [3, 0] }), /lengths\[1\] must be an integer in \[1, T\] = \[1, 3\]; received 0/);
    assert.throws(() => lstm.forward(x([2, 3, 8]), { lengths: [4, 1] }), /lengths\[0\] must be an integer in \[1, T\] = \[1, 3\]; received 4/);
  });
  test('NaN in the input with checkFinite', () => {
    const bad = x([2, 3, 8]);
    bad.data[(1 * 3 + 2) * 8 + 5] = NaN;
    assert.throws(() => lstm.forward(bad), /x must be finite; received NaN at index \[1, 2, 5\]/);
  });
  test('bad hyperparameters', () => {
    assert.throws(() => new LSTM({ inputSize: 0, hiddenSize: 4 }), /inputSize must be a positive integer; received 0/);
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 4, dropout: 1.5 }), /dropout must be in \[0, 1\); received 1.5/);
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 4, projSize: 4 }), /projSize must be an integer in \[0, hiddenSize\) = \[0, 4\); received 4/);
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 4, activations: { gate: 'gelu' as never } }), /activations\.gate must be one of/);
  });
  test('backward before forward', () => {
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 2 }).backward(null), /call forward\(\) before backward\(\)/);
  });
  test('a second backward needs a new forward (backward consumes the saved gates), and then gives the same gradients', () => {
    for (const kernels of ['ref', 'auto'] as const) {
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 2, kernels });
      const xs = new Tensor(fill(new Float32Array(30), 4), [5, 2, 3]);
      const dy = new Tensor(fill(new Float32Array(40), 5), [5, 2, 4]);
      lstm.forward(xs, { training: true });
      const first = lstm.backward(dy).dx.data.slice();
      assert.throws(() => lstm.backward(dy), /already used by a backward\(\).*call forward\(\) again/);
      lstm.forward(xs, { training: true });
      assert.ok(first.some((v) => v !== 0));
      assert.deepEqual(lstm.backward(dy).dx.data, first);
    }
  });
});
