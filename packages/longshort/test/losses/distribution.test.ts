// gaussianNllLoss and negativeBinomialNllLoss: values against the closed-form densities, float64
// gradient checks against central differences, masks and scales, and the error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor } from '../../src/tensor.js';
import { ConfigError } from '../../src/errors.js';
import { gaussianNllLoss, negativeBinomialNllLoss, negBinParams, gaussianSigma } from '../../src/losses/index.js';
import { softplusInverse } from '../../src/math/special.js';
import { checkLossGrad, close, rand } from './helpers.js';

describe('gaussianNllLoss', () => {
  test('equals −log of the normal density', () => {
    // μ = 1, σ = 2 (ρ = softplus⁻¹(2 − 1e-3)), y = 4: −log N(4; 1, 2²) = log 2 + ½ log 2π + ½ (3/2)²
    const rho = softplusInverse(2 - 1e-3);
    const r = gaussianNllLoss(tensor([1, rho], [1, 2], 'float64'), tensor([4], [1], 'float64'));
    close(r.loss, Math.log(2) + 0.5 * Math.log(2 * Math.PI) + 0.5 * 2.25, 1e-12);
    close(gaussianSigma(rho), 2, 1e-12);
  });

  test('gradient matches central differences, with a mask, mean and sum', () => {
    const pred = rand([3, 4, 2], 5, -1.5, 1.5);
    const target = rand([3, 4], 6, -2, 2);
    for (const reduction of ['mean', 'sum'] as const) {
      checkLossGrad(`gaussian ${reduction}`, pred, (computeGrad) => gaussianNllLoss(pred, target, { reduction, computeGrad, mask: [1, 0, 1] }));
    }
  });
});

describe('negativeBinomialNllLoss', () => {
  test('equals −log of the NB pmf: μ = 2, r = 3, y = 4 → C(6,4)·0.6³·0.4⁴', () => {
    // α = 1/3 with ν = 1: softplus(b) = 1/3 − 1e-8; μ = softplus(a) + 1e-8 = 2
    const a = softplusInverse(2 - 1e-8);
    const b = softplusInverse(1 / 3 - 1e-8);
    const r = negativeBinomialNllLoss(tensor([a, b], [1, 2], 'float64'), tensor([4], [1], 'float64'));
    close(r.loss, -Math.log(15 * 0.6 ** 3 * 0.4 ** 4), 1e-10);
    // y = 0: P = (r/(r + μ))^r = 0.6³
    const z = negativeBinomialNllLoss(tensor([a, b], [1, 2], 'float64'), tensor([0], [1], 'float64'));
    close(z.loss, -3 * Math.log(0.6), 1e-10);
  });

  test('the scale ν multiplies the mean and divides α by √ν (DeepAR)', () => {
    const p = negBinParams(0.3, -0.2, 1);
    const q = negBinParams(0.3, -0.2, 100);
    close(q.mean, 100 * (p.mean - 1e-8) + 1e-8, 1e-12);
    close(q.alpha, (p.alpha - 1e-8) / 10 + 1e-8, 1e-12);
  });

  test('gradient matches central differences for counts with per-value scales', () => {
    const pred = rand([2, 5, 2], 9, -1, 1.5);
    const counts = tensor([0, 1, 3, 7, 12, 0, 2, 40, 5, 9], [2, 5], 'float64');
    const scale = Float64Array.from({ length: 10 }, (_, i) => 1 + (i % 3) * 4);
    for (const reduction of ['mean', 'sum'] as const) {
      checkLossGrad(`negbin ${reduction}`, pred, (computeGrad) => negativeBinomialNllLoss(pred, counts, { reduction, computeGrad, scale, mask: [1, 1] }));
    }
  });

  test('the pmf sums to 1 over the counts', () => {
    const pred = tensor([0.7, -0.4], [1, 2], 'float64');
    let total = 0;
    for (let y = 0; y < 400; y++) total += Math.exp(-negativeBinomialNllLoss(pred, tensor([y], [1], 'float64'), { scale: 5, computeGrad: false }).loss);
    close(total, 1, 1e-10);
  });

  test('negative counts and bad scales are refused', () => {
    assert.throws(
      () => negativeBinomialNllLoss(rand([2, 2], 1), tensor([1, -2], [2], 'float64')),
      (e: unknown) => e instanceof ConfigError && /targets must be counts ≥ 0; received -2 at \[1\]\. Hint: use a Gaussian or quantile head/.test((e as Error).message),
    );
    assert.throws(() => negativeBinomialNllLoss(rand([2, 2], 1), tensor([1, 2], [2], 'float64'), { scale: [1] }), /scale must have one entry per target value \(2, shape of target\) or be one number; received 1 entries/);
    assert.throws(() => negativeBinomialNllLoss(rand([2, 2], 1), tensor([1, 2], [2], 'float64'), { scale: 0 }), /scale must be a finite number > 0; received 0/);
    assert.throws(() => gaussianNllLoss(rand([2, 3], 1), tensor([1, 2], [2], 'float64')), /last axis must hold 2 values/);
  });

  test('float32 predictions get a float32 gradient', () => {
    const r = negativeBinomialNllLoss(new Tensor(new Float32Array([0.1, 0.2]), [1, 2]), tensor([3], [1]));
    assert.ok(r.grad!.data instanceof Float32Array);
  });
});
