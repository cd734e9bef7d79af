// Activation layers: values by formula, softmax rows summing to 1 over the last dimension,
// float64 gradient checks for every function on rank 2 and 3, agreement with Dense's built-in
// activation, and the error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Activation, ACTIVATION_FNS } from '../../src/nn/activations.js';
import { Dense } from '../../src/nn/dense.js';
import { tensor } from '../../src/tensor.js';
import { ConfigError } from '../../src/errors.js';
import { expectGradOk, randTensor } from './layer-helpers.js';

const ctx = { training: false };

describe('Activation', () => {
  test('relu, tanh, sigmoid by formula', () => {
    const xs = [-2, -0.5, 0, 0.5, 3];
    const x = tensor(xs, [1, 5], 'float64');
    assert.deepEqual(new Activation({ fn: 'relu' }).call(x, ctx).toArray(), [0, 0, 0, 0.5, 3]);
    const t = new Activation({ fn: 'tanh' }).call(x, ctx).toArray();
    const s = new Activation({ fn: 'sigmoid' }).call(x, ctx).toArray();
    xs.forEach((v, i) => {
      assert.ok(Math.abs(t[i] - Math.tanh(v)) < 1e-15);
      assert.ok(Math.abs(s[i] - 1 / (1 + Math.exp(-v))) < 1e-15);
    });
  });

  test('sigmoid stays finite and exact at the extremes', () => {
    const s = new Activation({ fn: 'sigmoid' }).call(tensor([-800, 800], [1, 2], 'float64'), ctx).toArray();
    assert.equal(s[1], 1);
    assert.ok(s[0] >= 0 && s[0] < 1e-300);
  });

  test('softmax over the last dimension of (B, T, C)', () => {
    const x = randTensor([2, 3, 4], 1, 'float64', -5, 5);
    const y = new Activation({ fn: 'softmax' }).call(x, ctx);
    for (let r = 0; r < 6; r++) {
      let sum = 0;
      let max = -Infinity;
      for (let c = 0; c < 4; c++) max = Math.max(max, x.data[r * 4 + c]);
      let z = 0;
      for (let c = 0; c < 4; c++) z += Math.exp(x.data[r * 4 + c] - max);
      for (let c = 0; c < 4; c++) {
        sum += y.data[r * 4 + c];
        assert.ok(Math.abs(y.data[r * 4 + c] - Math.exp(x.data[r * 4 + c] - max) / z) < 1e-15);
      }
      assert.ok(Math.abs(sum - 1) < 1e-15);
    }
  });

  test('softmax backward by hand: dx = y ⊙ (dy − Σ dy·y)', () => {
    const a = new Activation({ fn: 'softmax' });
    const y = a.call(tensor([0, Math.log(3)], [1, 2], 'float64'), ctx).toArray(); // (0.25, 0.75)
    assert.ok(Math.abs(y[0] - 0.25) < 1e-15 && Math.abs(y[1] - 0.75) < 1e-15);
    const dx = a.callBackward(tensor([1, 0], [1, 2], 'float64')).toArray();
    // Σ dy·y = 0.25 → dx = (0.25·0.75, 0.75·(−0.25))
    assert.ok(Math.abs(dx[0] - 0.1875) < 1e-15 && Math.abs(dx[1] + 0.1875) < 1e-15);
  });

  describe('float64 gradient checks', () => {
    for (const fn of ACTIVATION_FNS) {
      for (const shape of [[3, 5], [2, 3, 4]]) {
        test(`${fn} on rank ${shape.length}`, () => {
          const r = expectGradOk(new Activation({ fn, dtype: 'float64' }), randTensor(shape, 13, 'float64', -2, 2));
          assert.equal(r.checked, shape.reduce((a, b) => a * b));
        });
      }
    }
  });

  test('Dense(activation) equals Dense(linear) followed by Activation, forward and backward', () => {
    for (const fn of ACTIVATION_FNS) {
      const fused = new Dense({ inputSize: 3, outputSize: 4, activation: fn, dtype: 'float64', seed: 6 });
      const lin = new Dense({ inputSize: 3, outputSize: 4, dtype: 'float64', seed: 6 });
      const act = new Activation({ fn, dtype: 'float64' });
      const x = randTensor([2, 5, 3], 17);
      const y1 = fused.call(x, ctx);
      const y2 = act.call(lin.call(x, ctx), ctx);
      assert.deepEqual(y1.toArray(), y2.toArray(), fn);
      const dy = randTensor([2, 5, 4], 18);
      fused.zeroGrad();
      lin.zeroGrad();
      const dx1 = fused.callBackward(dy);
      const dx2 = lin.callBackward(act.callBackward(dy));
      assert.deepEqual(dx1.toArray(), dx2.toArray(), fn);
      assert.deepEqual(Array.from(fused.weight.grad), Array.from(lin.weight.grad), fn);
    }
  });

  test('errors and config', () => {
    assert.throws(() => new Activation({ fn: 'gelu' as never }), (e: unknown) => e instanceof ConfigError && /fn must be one of relu, tanh, sigmoid, softmax; received 'gelu'/.test(e.message));
    const a = new Activation({ fn: 'tanh' });
    assert.throws(() => a.callBackward(tensor([1], [1, 1])), /no forward pass/);
    a.call(tensor([1, 2], [1, 2]), ctx);
    assert.throws(() => a.callBackward(tensor([1, 2, 3], [1, 3])), /dy must have the output's shape \(1, 2\); received \(1, 3\)/);
    assert.deepEqual(a.config(), { fn: 'tanh', dtype: 'float32' });
    assert.deepEqual(a.outputShape([null, 5]), [null, 5]);
  });
});
