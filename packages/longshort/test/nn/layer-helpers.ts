// Small helpers for the non-recurrent layer tests: seeded random tensors and an assertion that
// a float64 gradient check passed (printing the check's own report on failure).
import assert from 'node:assert/strict';
import { Tensor, type DType } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';
import type { Layer } from '../../src/nn/layer.js';
import { checkLayerGradients, type GradCheckReport, type LayerGradCheckOptions } from '../../src/nn/gradcheck.js';

/** Uniform [lo, hi) entries from a seeded generator. */
export function randTensor(shape: readonly number[], seed: number, dtype: DType = 'float64', lo = -1, hi = 1): Tensor {
  const rng = new Rng(seed);
  let n = 1;
  for (const d of shape) n *= d;
  const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniform(lo, hi);
  return new Tensor(data, shape);
}

/**
 * Run checkLayerGradients and fail with its summary unless it passed; returns the report.
 * Tolerances are tighter than the helper's defaults: these layers measure |diff| ≤ 7e-10 at
 * eps 1e-6, so atol 1e-8 + rtol 1e-6 still leaves a ~15× margin while catching small slips.
 */
export function expectGradOk(layer: Layer, x: Tensor, opts: LayerGradCheckOptions = {}): GradCheckReport {
  const r = checkLayerGradients(layer, x, { atol: 1e-8, rtol: 1e-6, ...opts });
  assert.ok(r.ok, r.summary);
  assert.ok(r.checked > 0, 'nothing was checked');
  return r;
}

/** Overwrite every parameter with seeded uniform values (so affine params are not 1s and 0s). */
export function randomizeParams(layer: Layer, seed: number, lo = -1, hi = 1): void {
  const rng = new Rng(seed);
  for (const p of layer.params()) for (let i = 0; i < p.value.length; i++) p.value[i] = rng.uniform(lo, hi);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
