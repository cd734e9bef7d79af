// LayerNorm: a hand-computed row, per-row mean 0 / variance 1 after normalisation, PyTorch-style
// defaults and names, float64 gradient checks (input, weight, bias; rank 2 and 3; with and without
// affine; non-trivial weight and bias), and the error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LayerNorm } from '../../src/nn/layernorm.js';
import { Tensor, tensor } from '../../src/tensor.js';
import { ConfigError, ShapeError, UnsupportedError } from '../../src/errors.js';
import { expectGradOk, randTensor, randomizeParams } from './layer-helpers.js';

const ctx = { training: false };

describe('LayerNorm', () => {
  test('hand-computed row: x = (1, 2, 3, 4)', () => {
    const ln = new LayerNorm({ normalizedShape: 4, dtype: 'float64' });
    const y = ln.call(tensor([[1, 2, 3, 4]], undefined, 'float64'), ctx).toArray();
    // mean 2.5, biased variance 1.25
    const s = Math.sqrt(1.25 + 1e-5);
    const want = [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s];
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(y[i] - want[i]) < 1e-15, `${y[i]} vs ${want[i]}`);
    // with affine parameters: y = x̂·w + b
    ln.weight!.value.set([1, 2, -1, 0]);
    ln.bias!.value.set([0, 1, 2, 3]);
    const y2 = ln.call(tensor([[1, 2, 3, 4]], undefined, 'float64'), ctx).toArray();
    const want2 = [want[0], 2 * want[1] + 1, -want[2] + 2, 3];
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(y2[i] - want2[i]) < 1e-15);
  });

  test('every row of (B, T, C) has mean 0 and variance var/(var+eps) ≈ 1 afterwards', () => {
    const ln = new LayerNorm({ normalizedShape: 16 });
    const x = randTensor([3, 5, 16], 4, 'float32', -3, 7);
    const y = ln.call(x, ctx);
    assert.deepEqual(y.shape, [3, 5, 16]);
    for (let r = 0; r < 15; r++) {
      let m = 0;
      for (let c = 0; c < 16; c++) m += y.data[r * 16 + c];
      m /= 16;
      let v = 0;
      for (let c = 0; c < 16; c++) v += (y.data[r * 16 + c] - m) ** 2;
      v /= 16;
      assert.ok(Math.abs(m) < 1e-6, `row ${r} mean ${m}`);
      assert.ok(Math.abs(v - 1) < 1e-4, `row ${r} variance ${v}`);
    }
  });

  test('a constant row maps to the bias (eps keeps it finite)', () => {
    const ln = new LayerNorm({ normalizedShape: 3, dtype: 'float64' });
    ln.bias!.value.set([1, 2, 3]);
    assert.deepEqual(ln.call(tensor([[5, 5, 5]], undefined, 'float64'), ctx).toArray(), [1, 2, 3]);
  });

  test('defaults, names, config', () => {
    const ln = new LayerNorm({ normalizedShape: [3] });
    assert.equal(ln.eps, 1e-5);
    assert.deepEqual(ln.params().map((p) => [p.name, p.shape]), [['weight', [3]], ['bias', [3]]]);
    assert.deepEqual(Array.from(ln.weight!.value), [1, 1, 1]);
    assert.deepEqual(Array.from(ln.bias!.value), [0, 0, 0]);
    assert.deepEqual(ln.config(), { normalizedShape: 3, eps: 1e-5, elementwiseAffine: true, dtype: 'float32' });
    assert.deepEqual(new LayerNorm({ normalizedShape: 3, elementwiseAffine: false }).params(), []);
    assert.deepEqual(ln.outputShape([null, null, 3]), [null, null, 3]);
  });

  describe('float64 gradient checks', () => {
    for (const affine of [true, false]) {
      for (const shape of [[4, 5], [2, 3, 5]]) {
        test(`affine=${affine} on ${shape.length === 2 ? '(N, C)' : '(B, T, C)'}`, () => {
          const ln = new LayerNorm({ normalizedShape: 5, elementwiseAffine: affine, dtype: 'float64' });
          randomizeParams(ln, 3, -1.5, 1.5);
          const r = expectGradOk(ln, randTensor(shape, 8, 'float64', -2, 2));
          assert.equal(r.checked, shape.reduce((a, b) => a * b) + (affine ? 10 : 0));
        });
      }
    }
    test('C=1 (x̂ ≡ 0, dx ≡ 0) and a large eps', () => {
      const ln = new LayerNorm({ normalizedShape: 1, dtype: 'float64' });
      randomizeParams(ln, 1);
      // dL/dx is exactly 0 when C=1 and dL/dweight too (x̂ = 0): only bias carries gradient
      const r = expectGradOk(ln, randTensor([3, 1], 2), { params: ['bias'], allowZeroGrad: true });
      assert.deepEqual(r.vacuous, ['x']);
      expectGradOk(new LayerNorm({ normalizedShape: 4, eps: 0.5, dtype: 'float64' }), randTensor([2, 4], 5));
    });
  });

  test('errors', () => {
    const ln = new LayerNorm({ normalizedShape: 8 });
    assert.throws(
      () => ln.call(new Tensor(new Float32Array(32 * 16 * 10), [32, 16, 10]), ctx),
      (e: unknown) => e instanceof ShapeError && /^\[LayerNorm\.call\] x must have last dimension 8 because normalizedShape=8; received \(32, 16, 10\)\. Hint: construct LayerNorm with normalizedShape: 10/.test(e.message),
    );
    assert.throws(() => new LayerNorm({ normalizedShape: 0 }), (e: unknown) => e instanceof ConfigError && /normalizedShape must be a positive integer; received 0/.test(e.message));
    assert.throws(() => new LayerNorm({ normalizedShape: [2, 3] }), (e: unknown) => e instanceof UnsupportedError && /received \[2, 3\]/.test(e.message));
    assert.throws(() => new LayerNorm({ normalizedShape: 3, eps: 0 }), /eps must be a positive finite number; received 0/);
    const l64 = new LayerNorm({ normalizedShape: 2, dtype: 'float64' });
    assert.throws(() => l64.call(tensor([1, 2], [1, 2]), ctx), /must be float64 because the layer's dtype is float64; received float32/);
    assert.throws(() => l64.callBackward(tensor([1, 2], [1, 2], 'float64')), /no forward pass/);
    assert.throws(() => ln.outputShape([null, 9]), /last dimension 8 because normalizedShape=8; received \(null, 9\)/);
  });
});
