// Shared by the loss tests: seeded float64 tensors, a float64 central-difference check of a loss's
// gradient (through src/nn/gradcheck.ts, which also fails "vacuous" all-zero gradients), and a
// close-enough assertion for hand-computed numbers.
import assert from 'node:assert/strict';
import { Tensor, type DType } from '../../src/tensor.js';
import { randTensor } from '../nn/layer-helpers.js';
import { gradCheck } from '../../src/nn/gradcheck.js';
import type { LossResult } from '../../src/losses/index.js';

/** Uniform [lo, hi) entries from a seeded generator (randTensor with the range first). */
export function rand(shape: readonly number[], seed: number, lo = -1, hi = 1, dtype: DType = 'float64'): Tensor {
  return randTensor(shape, seed, dtype, lo, hi);
}

/**
 * `run(computeGrad)` evaluates the loss at the current contents of `x`. Checks its grad against
 * central differences (eps 1e-6, |diff| ≤ 1e-8 + 1e-6·|numeric|) and returns the worst |diff|.
 */
export function checkLossGrad(label: string, x: Tensor, run: (computeGrad: boolean) => LossResult): number {
  const r = run(true);
  assert.ok(r.grad !== null, `${label}: no gradient`);
  assert.equal(r.grad.dtype, 'float64');
  const rep = gradCheck(() => run(false).loss, [{ name: label, shape: x.shape, value: x.data, analytic: r.grad.data }], {
    atol: 1e-8,
    rtol: 1e-6,
  });
  assert.ok(rep.ok, rep.summary);
  return rep.maxAbsErr;
}

export function close(actual: number, expected: number, tol = 1e-12, label = ''): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${label} expected ${expected}, received ${actual} (diff ${actual - expected})`,
  );
}

export function closeAll(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12, label = ''): void {
  assert.equal(actual.length, expected.length, `${label} length`);
  for (let i = 0; i < expected.length; i++) close(actual[i], expected[i], tol, `${label}[${i}]`);
}
