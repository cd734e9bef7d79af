// Dense: hand-computed forward/backward, PyTorch and Glorot initialisation statistics, sequence
// input as B·T rows, float64 gradient checks (input, weight, bias; rank 2 and 3; every
// activation; with and without bias) and the error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Dense } from '../../src/nn/dense.js';
import { Tensor, tensor } from '../../src/tensor.js';
import { ShapeError, ConfigError } from '../../src/errors.js';
import { Rng } from '../../src/util/rng.js';
import { expectGradOk, maxAbsDiff, randTensor } from './layer-helpers.js';
import type { DenseActivation } from '../../src/kernels/ref/dense.js';

function handLayer(activation: DenseActivation): Dense {
  const d = new Dense({ inputSize: 2, outputSize: 3, activation, dtype: 'float64' });
  d.weight.value.set([1, 2, 3, 4, 5, 6]); // (3, 2)
  d.bias!.value.set([0.5, -1, 0]);
  return d;
}
const X = () => tensor([[1, -1], [2, 0.5]], undefined, 'float64');

describe('Dense forward/backward by hand', () => {
  test('linear: y = x·Wᵀ + b', () => {
    const d = handLayer('linear');
    const y = d.call(X(), { training: false });
    assert.deepEqual(y.shape, [2, 3]);
    assert.deepEqual(y.toArray(), [-0.5, -2, -1, 3.5, 7, 13]);
  });

  test('relu: zeros where z ≤ 0, and backward masks them', () => {
    const d = handLayer('relu');
    const y = d.call(X(), { training: false });
    assert.deepEqual(y.toArray(), [0, 0, 0, 3.5, 7, 13]);
    d.zeroGrad();
    const dx = d.callBackward(tensor([1, 1, 1, 1, 1, 1], [2, 3], 'float64'));
    // only row 1 passes gradient: dW[o,:] = x[1,:], db = 1, dx[1,:] = Σ_o W[o,:]
    assert.deepEqual(Array.from(d.weight.grad), [2, 0.5, 2, 0.5, 2, 0.5]);
    assert.deepEqual(Array.from(d.bias!.grad), [1, 1, 1]);
    assert.deepEqual(dx.toArray(), [0, 0, 9, 12]);
  });

  test('backward ADDS into parameter gradients; zeroGrad clears them', () => {
    const d = handLayer('linear');
    const dy = tensor([1, 0, 0, 0, 0, 0], [2, 3], 'float64');
    d.zeroGrad();
    d.call(X(), { training: false });
    d.callBackward(dy);
    d.callBackward(dy);
    assert.deepEqual(Array.from(d.weight.grad), [2, -2, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(d.bias!.grad), [2, 0, 0]);
    d.zeroGrad();
    assert.ok(d.weight.grad.every((v) => v === 0) && d.bias!.grad.every((v) => v === 0));
  });

  test('sigmoid, tanh and softmax outputs match the formulas', () => {
    const z = [-0.5, -2, -1, 3.5, 7, 13];
    const sig = handLayer('sigmoid').call(X(), { training: false }).toArray();
    const th = handLayer('tanh').call(X(), { training: false }).toArray();
    const sm = handLayer('softmax').call(X(), { training: false }).toArray();
    for (let i = 0; i < 6; i++) {
      assert.ok(Math.abs(sig[i] - 1 / (1 + Math.exp(-z[i]))) < 1e-15);
      assert.ok(Math.abs(th[i] - Math.tanh(z[i])) < 1e-15);
    }
    for (let r = 0; r < 2; r++) {
      const e = z.slice(3 * r, 3 * r + 3).map(Math.exp);
      const s = e[0] + e[1] + e[2];
      for (let j = 0; j < 3; j++) assert.ok(Math.abs(sm[3 * r + j] - e[j] / s) < 1e-15);
    }
  });

  test('softmax does not overflow on large logits', () => {
    const d = new Dense({ inputSize: 1, outputSize: 2, activation: 'softmax', dtype: 'float32' });
    d.weight.value.set([1000, 999]);
    d.bias!.value.set([0, 0]);
    const y = d.call(tensor([1], [1, 1]), { training: false }).toArray();
    assert.ok(Math.abs(y[0] - 1 / (1 + Math.exp(-1))) < 1e-6, String(y));
    assert.ok(Math.abs(y[0] + y[1] - 1) < 1e-6);
  });
});

describe('Dense initialisation', () => {
  test("'pytorch': weight and bias U(±1/√in), variance k²/3", () => {
    const I = 64;
    const O = 64;
    const d = new Dense({ inputSize: I, outputSize: O, seed: 5 });
    const k = 1 / Math.sqrt(I);
    const w = d.weight.value;
    let max = 0;
    let s2 = 0;
    let s = 0;
    for (const v of w) {
      max = Math.max(max, Math.abs(v));
      s += v;
      s2 += v * v;
    }
    assert.ok(max <= k && max > 0.98 * k, `max |w| ${max} vs bound ${k}`);
    const mean = s / w.length;
    const variance = s2 / w.length - mean * mean;
    assert.ok(Math.abs(variance / (k * k / 3) - 1) < 0.06, `variance ratio ${variance / (k * k / 3)}`);
    assert.ok(Math.abs(mean) < 0.05 * k, `mean ${mean}`);
    for (const v of d.bias!.value) assert.ok(Math.abs(v) <= k);
    assert.ok(d.bias!.value.some((v) => v !== 0));
  });

  test("'glorotUniform': weight U(±√(6/(in+out))), bias 0", () => {
    const d = new Dense({ inputSize: 30, outputSize: 70, init: 'glorotUniform', seed: 2 });
    const lim = Math.sqrt(6 / 100);
    let max = 0;
    for (const v of d.weight.value) max = Math.max(max, Math.abs(v));
    assert.ok(max <= lim && max > 0.98 * lim, `max ${max} lim ${lim}`);
    assert.ok(d.bias!.value.every((v) => v === 0));
  });

  test('same seed, same weights; other seed or a passed Rng differ', () => {
    const a = new Dense({ inputSize: 4, outputSize: 3, seed: 9 });
    const b = new Dense({ inputSize: 4, outputSize: 3, seed: 9 });
    const c = new Dense({ inputSize: 4, outputSize: 3, seed: 10 });
    assert.deepEqual(Array.from(a.weight.value), Array.from(b.weight.value));
    assert.notDeepEqual(Array.from(a.weight.value), Array.from(c.weight.value));
    const rng = new Rng(9);
    const r1 = new Dense({ inputSize: 4, outputSize: 3, rng });
    const r2 = new Dense({ inputSize: 4, outputSize: 3, rng });
    assert.notDeepEqual(Array.from(r1.weight.value), Array.from(r2.weight.value));
  });

  test('params use PyTorch names and layout; bias: false drops the bias', () => {
    const d = new Dense({ inputSize: 4, outputSize: 3 });
    assert.deepEqual(d.params().map((p) => [p.name, p.shape]), [['weight', [3, 4]], ['bias', [3]]]);
    const nb = new Dense({ inputSize: 4, outputSize: 3, bias: false });
    assert.deepEqual(nb.params().map((p) => p.name), ['weight']);
    assert.equal(d.params(), d.params(), 'the same Param objects every time (optimisers keep them)');
  });

  test('config() rebuilds an equal layer', () => {
    const d = new Dense({ inputSize: 4, outputSize: 3, activation: 'tanh', bias: false, init: 'glorotUniform', dtype: 'float64' });
    const c = d.config();
    assert.deepEqual(JSON.parse(JSON.stringify(c)), c);
    assert.deepEqual(new Dense(c as never).config(), c);
  });
});

describe('Dense on sequences', () => {
  test('(B, T, F) equals the same rows as (B·T, F)', () => {
    const d = new Dense({ inputSize: 5, outputSize: 4, activation: 'tanh', seed: 3 });
    const x3 = randTensor([2, 3, 5], 7, 'float32');
    const y3 = d.call(x3, { training: false });
    assert.deepEqual(y3.shape, [2, 3, 4]);
    const y2 = d.call(x3.reshape([6, 5]), { training: false });
    assert.deepEqual(Array.from(y3.data), Array.from(y2.data));
    // and row (b=1, t=2) by direct formula
    const row = 1 * 3 + 2;
    for (let o = 0; o < 4; o++) {
      let z = d.bias!.value[o];
      for (let i = 0; i < 5; i++) z += x3.data[row * 5 + i] * d.weight.value[o * 5 + i];
      assert.ok(Math.abs(y3.data[row * 4 + o] - Math.tanh(z)) < 1e-6);
    }
  });

  test('outputShape keeps free dimensions', () => {
    const d = new Dense({ inputSize: 8, outputSize: 3 });
    assert.deepEqual(d.outputShape([null, null, 8]), [null, null, 3]);
    assert.deepEqual(d.outputShape([null, 8]), [null, 3]);
    assert.deepEqual(d.outputShape([4, null]), [4, 3]);
    assert.throws(() => d.outputShape([null, 10]), /last dimension 8 because inputSize=8; received \(null, 10\)/);
  });
});

describe('Dense gradient checks (float64)', () => {
  const acts: DenseActivation[] = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'];
  for (const activation of acts) {
    for (const shape of [[4, 3], [2, 3, 3]]) {
      test(`${activation} on ${shape.length === 2 ? '(N, F)' : '(B, T, F)'}`, () => {
        const d = new Dense({ inputSize: 3, outputSize: 5, activation, dtype: 'float64', seed: 4 });
        const r = expectGradOk(d, randTensor(shape, 21));
        assert.equal(r.checked, shape.reduce((a, b) => a * b) + 15 + 5);
      });
    }
  }
  test('without bias, odd sizes (I=1, O=1)', () => {
    expectGradOk(new Dense({ inputSize: 1, outputSize: 1, bias: false, dtype: 'float64', seed: 1 }), randTensor([3, 1], 2));
    expectGradOk(new Dense({ inputSize: 7, outputSize: 2, bias: false, activation: 'sigmoid', dtype: 'float64', seed: 1 }), randTensor([1, 2, 7], 3));
  });
});

describe('Dense errors', () => {
  test('wrong last dimension names both sizes', () => {
    const d = new Dense({ inputSize: 8, outputSize: 2 });
    assert.throws(
      () => d.call(new Tensor(new Float32Array(40), [4, 10]), { training: false }),
      (e: unknown) =>
        e instanceof ShapeError &&
        /^\[Dense\.call\] x must have last dimension 8 because inputSize=8; received \(4, 10\)\. Hint: construct Dense with inputSize: 10/.test(e.message),
    );
    assert.throws(() => d.call(new Tensor(new Float32Array(32 * 16 * 10), [32, 16, 10]), { training: false }), /received \(32, 16, 10\)/);
  });

  test('wrong rank', () => {
    const d = new Dense({ inputSize: 8, outputSize: 2 });
    assert.throws(() => d.call(new Tensor(new Float32Array(8), [8]), { training: false }), /x must have shape \(N, 8\) or \(B, T, 8\); received \(8\) \(rank 1\)/);
  });

  test('dtype mismatch, dy shape mismatch, backward before forward', () => {
    const d = new Dense({ inputSize: 2, outputSize: 2, dtype: 'float64' });
    assert.throws(() => d.callBackward(tensor([1, 2], [1, 2], 'float64')), /no forward pass to differentiate/);
    assert.throws(() => d.call(tensor([1, 2], [1, 2]), { training: false }), /must be float64 because the layer's dtype is float64; received float32/);
    d.call(tensor([1, 2], [1, 2], 'float64'), { training: false });
    assert.throws(() => d.callBackward(tensor([1, 2, 3], [1, 3], 'float64')), /dy must have the output's shape \(1, 2\); received \(1, 3\)/);
  });

  test('bad options', () => {
    assert.throws(() => new Dense({ inputSize: 0, outputSize: 2 }), (e: unknown) => e instanceof ConfigError && /inputSize must be a positive integer; received 0/.test(e.message));
    assert.throws(() => new Dense({ inputSize: 2, outputSize: 2.5 }), /outputSize must be a positive integer; received 2\.5/);
    assert.throws(() => new Dense({ inputSize: 2, outputSize: 2, activation: 'gelu' as never }), /activation must be one of linear, relu, tanh, sigmoid, softmax; received 'gelu'/);
    assert.throws(() => new Dense({ inputSize: 2, outputSize: 2, init: 'he' as never }), /init must be 'pytorch' or 'glorotUniform'; received 'he'/);
  });
});

test('float32 forward agrees with float64 to float32 precision', () => {
  const d64 = new Dense({ inputSize: 6, outputSize: 4, activation: 'sigmoid', dtype: 'float64', seed: 8 });
  const d32 = new Dense({ inputSize: 6, outputSize: 4, activation: 'sigmoid', seed: 8 });
  d32.weight.value.set(d64.weight.value);
  d32.bias!.value.set(d64.bias!.value);
  d64.weight.value.set(d32.weight.value); // both hold the float32-rounded values
  d64.bias!.value.set(d32.bias!.value);
  const x64 = randTensor([3, 6], 1);
  const x32 = new Tensor(Float32Array.from(x64.data), x64.shape);
  x64.data.set(x32.data);
  assert.ok(maxAbsDiff(d64.call(x64, { training: false }).data, d32.call(x32, { training: false }).data) < 1e-6);
});
