// Gradient clipping over a list of parameters, as torch.nn.utils.clip_grad_norm_ and
// clip_grad_value_: one global norm across all parameters, scaled by maxNorm / (norm + 1e-6) when
// it exceeds maxNorm. A non-finite norm is returned untouched, so the trainer can detect
// divergence (PyTorch with error_if_nonfinite=false would instead multiply every gradient by NaN).
// Left out: foreach/fused variants, per-parameter norms.

import type { Param } from '../nn/layer.js';
import { ConfigError } from '../errors.js';

/**
 * Scale every gradient in place by min(1, maxNorm / (total + 1e-6)), where
 * total = (Σ over all entries of all grads |g|^p)^(1/p), or max |g| for p = Infinity.
 * Returns `total` as measured before clipping; when it is NaN or ±Infinity nothing is modified.
 */
export function clipGradNorm(params: readonly Param[], maxNorm: number, normType: number | 'inf' = 2): number {
  const where = '[clipGradNorm]';
  if (!(typeof maxNorm === 'number' && maxNorm >= 0 && !Number.isNaN(maxNorm))) {
    throw new ConfigError(`${where} maxNorm must be a number ≥ 0; received ${String(maxNorm)}.`);
  }
  const p = normType === 'inf' ? Infinity : normType;
  if (!(typeof p === 'number' && p > 0)) {
    throw new ConfigError(`${where} normType must be a number > 0 or 'inf'; received ${String(normType)}.`);
  }
  const total = globalNorm(params, p);
  if (!Number.isFinite(total)) return total;
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const q of params) {
      const g = q.grad;
      for (let k = 0; k < g.length; k++) g[k] *= coef;
    }
  }
  return total;
}

/** The global p-norm of all gradients (float64 accumulation; no modification). */
export function globalNorm(params: readonly Param[], p: number): number {
  let maxAbs = 0;
  let sawNaN = false;
  for (const q of params) {
    const g = q.grad;
    for (let k = 0; k < g.length; k++) {
      const a = Math.abs(g[k]);
      if (a > maxAbs) maxAbs = a;
      else if (a !== a) sawNaN = true;
    }
  }
  if (sawNaN) return NaN;
  if (p === Infinity || maxAbs === 0 || maxAbs === Infinity) return maxAbs;
  let sum = 0;
  for (const q of params) {
    const g = q.grad;
    if (p === 2) for (let k = 0; k < g.length; k++) sum += g[k] * g[k];
    else if (p === 1) for (let k = 0; k < g.length; k++) sum += Math.abs(g[k]);
    else for (let k = 0; k < g.length; k++) sum += Math.abs(g[k]) ** p;
  }
  const norm = p === 1 ? sum : p === 2 ? Math.sqrt(sum) : sum ** (1 / p);
  if (Number.isFinite(norm) && norm > 0) return norm;
  // |g|^p overflowed (float64 grads beyond ~1e154 for p = 2) or underflowed: recompute on g / max|g|
  let scaled = 0;
  for (const q of params) {
    const g = q.grad;
    for (let k = 0; k < g.length; k++) scaled += (Math.abs(g[k]) / maxAbs) ** p;
  }
  return maxAbs * scaled ** (1 / p);
}

/** Clamp every gradient entry to [−clipValue, clipValue] in place (NaN stays NaN, as torch.clamp). */
export function clipGradValue(params: readonly Param[], clipValue: number): void {
  if (!(typeof clipValue === 'number' && clipValue >= 0 && !Number.isNaN(clipValue))) {
    throw new ConfigError(`[clipGradValue] clipValue must be a number ≥ 0; received ${String(clipValue)}.`);
  }
  for (const q of params) {
    const g = q.grad;
    for (let k = 0; k < g.length; k++) {
      if (g[k] > clipValue) g[k] = clipValue;
      else if (g[k] < -clipValue) g[k] = -clipValue;
    }
  }
}
