// Negative log-likelihood losses for distribution heads (DeepAR's Gaussian and negative-binomial
// outputs): the network emits two unconstrained numbers per target value, these functions map
// them to the distribution's parameters and return −log p(y) with its gradient.
//
// Gaussian, pred (…, 2) = [μ, ρ]:  σ = softplus(ρ) + minScale
//   nll = ½ log 2π + log σ + ½ z²,  z = (y − μ)/σ
//   ∂/∂μ = −z/σ,  ∂/∂σ = (1 − z²)/σ,  ∂σ/∂ρ = sigmoid(ρ)
// Negative binomial, pred (…, 2) = [a, b], with a per-value scale ν ≥ 1 (DeepAR: the series' mean
// + 1; counts are not divided by it, the parameters are scaled instead):
//   mean μ = ν·softplus(a),  shape α = softplus(b)/√ν,  r = 1/α;  Var = μ + αμ²
//   p(y) = Γ(y + r) / (Γ(r) Γ(y + 1)) · (r/(r + μ))^r · (μ/(r + μ))^y
//   nll  = lnΓ(r) + lnΓ(y + 1) − lnΓ(y + r) + r·log1p(μ/r) + y·log1p(r/μ)
//   ∂/∂μ = (r + y)/(r + μ) − y/μ
//   ∂/∂r = ψ(r) − ψ(y + r) + log1p(μ/r) + (y − μ)/(r + μ),   ∂r/∂α = −r²
// Targets of the negative binomial must be ≥ 0 (whole numbers in principle; real values are
// accepted as DeepAR does, the likelihood is continued through lnΓ).
// 'mean' divides by the number of counted target values (not by 2).
//
// shapes: pred (…, 2); target (…) = pred without its last axis; mask a leading part of target's
// shape; scale (negative binomial) one entry per target value, or a single number.
// Left out: Student-t and other families, mixture heads.

import { Tensor, allocArr } from '../tensor.js';
import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';
import { digamma, lgamma, sigmoid, softplus } from '../math/special.js';
import { type BaseLossOptions, type LossResult, checkReduction, checkTensor, formatIndex, resolveMask, throwIfNonFiniteInput } from './common.js';
import { checkDropLast } from './quantile.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/** Floors that keep the parameters away from 0 (log 0, division by 0). */
const MIN_MEAN = 1e-8;
const MIN_ALPHA = 1e-8;

export interface GaussianNllOptions extends BaseLossOptions {
  /** Added to softplus(ρ) so σ never reaches 0; default 1e-3 (targets are usually scaled to unit size). */
  minScale?: number;
}

export interface NegativeBinomialNllOptions extends BaseLossOptions {
  /** ν per target value (or one number for all), ≥ 1 in DeepAR's scheme; default 1. */
  scale?: ArrayLike<number> | number;
}

/** σ of a Gaussian head from its raw output ρ. */
export function gaussianSigma(rho: number, minScale = 1e-3): number {
  return softplus(rho) + minScale;
}

/** μ and α of a negative-binomial head from its raw outputs (a, b) and the value's scale ν. */
export function negBinParams(a: number, b: number, nu = 1): { mean: number; alpha: number } {
  return { mean: nu * softplus(a) + MIN_MEAN, alpha: softplus(b) / Math.sqrt(nu) + MIN_ALPHA };
}

function common(where: string, pred: Tensor, target: Tensor, options: BaseLossOptions) {
  checkTensor(where, 'pred', pred, 1);
  checkTensor(where, 'target', target, 0);
  checkDropLast(where, pred, target, 2, 'values, the two raw distribution parameters');
  const reduction = checkReduction(where, options.reduction ?? 'mean');
  const m = resolveMask(where, target.shape, options.mask, options.lengths);
  let count = 0;
  if (m.rowMask === null) count = target.size;
  else for (let o = 0; o < m.outer; o++) count += m.rowMask[o] * m.inner;
  const scale = reduction === 'mean' ? (count > 0 ? 1 / count : 0) : 1;
  const grad = (options.computeGrad ?? true) ? new Tensor(allocArr(pred.size, pred.dtype), pred.shape) : null;
  const losses = reduction === 'none' ? new Tensor(allocArr(target.size, pred.dtype), target.shape) : null;
  return { reduction, m, count, scale, grad, losses };
}

/** Gaussian negative log-likelihood of a (μ, ρ) head; see the file header. */
export function gaussianNllLoss(pred: Tensor, target: Tensor, options: GaussianNllOptions = {}): LossResult {
  const where = '[gaussianNllLoss]';
  const minScale = options.minScale ?? 1e-3;
  if (!(minScale >= 0 && Number.isFinite(minScale))) throw new ConfigError(`${where} minScale must be a finite number ≥ 0; received ${minScale}.`);
  const { reduction, m, count, scale, grad, losses } = common(where, pred, target, options);
  const p = pred.data;
  const y = target.data;
  const g = grad?.data ?? null;
  const l = losses?.data ?? null;
  let sum = 0;
  for (let o = 0; o < m.outer; o++) {
    if (m.rowMask !== null && m.rowMask[o] === 0) continue;
    for (let i = o * m.inner; i < (o + 1) * m.inner; i++) {
      const mu = p[2 * i];
      const rho = p[2 * i + 1];
      const sigma = softplus(rho) + minScale;
      const z = (y[i] - mu) / sigma;
      const li = HALF_LOG_2PI + Math.log(sigma) + 0.5 * z * z;
      sum += li;
      if (l !== null) l[i] = li;
      if (g !== null) {
        g[2 * i] = (-z / sigma) * scale;
        g[2 * i + 1] = ((1 - z * z) / sigma) * sigmoid(rho) * scale;
      }
    }
  }
  const loss = reduction === 'mean' ? sum * scale : sum;
  if (!Number.isFinite(loss)) {
    throwIfNonFiniteInput(where, 'pred', p, pred.shape, { ...m, inner: m.inner * 2 });
    throwIfNonFiniteInput(where, 'target', y, target.shape, m);
  }
  return { loss, grad, losses, divisor: count };
}

/** Negative-binomial negative log-likelihood of an (a, b) head with scale ν; see the file header. */
export function negativeBinomialNllLoss(pred: Tensor, target: Tensor, options: NegativeBinomialNllOptions = {}): LossResult {
  const where = '[negativeBinomialNllLoss]';
  const { reduction, m, count, scale, grad, losses } = common(where, pred, target, options);
  const n = target.size;
  const sc = options.scale ?? 1;
  if (typeof sc === 'number') {
    if (!(sc > 0 && Number.isFinite(sc))) throw new ConfigError(`${where} scale must be a finite number > 0; received ${sc}.`);
  } else {
    if (sc.length !== n) throw new ShapeError(`${where} scale must have one entry per target value (${n}, shape of target) or be one number; received ${sc.length} entries.`);
    for (let i = 0; i < n; i++) if (!(sc[i] > 0 && Number.isFinite(sc[i]))) throw new ConfigError(`${where} scale[${i}] must be a finite number > 0; received ${sc[i]}.`);
  }
  const p = pred.data;
  const y = target.data;
  const g = grad?.data ?? null;
  const l = losses?.data ?? null;
  let sum = 0;
  for (let o = 0; o < m.outer; o++) {
    if (m.rowMask !== null && m.rowMask[o] === 0) continue;
    for (let i = o * m.inner; i < (o + 1) * m.inner; i++) {
      const yi = y[i];
      if (!Number.isFinite(yi)) throw new NonFiniteError(`${where} target must be finite; received ${yi} at ${formatIndex(i, target.shape)}.`);
      if (yi < 0) {
        throw new ConfigError(
          `${where} targets must be counts ≥ 0; received ${yi} at ${formatIndex(i, target.shape)}. Hint: use a Gaussian or quantile head for data that can be negative.`,
        );
      }
      const nu = typeof sc === 'number' ? sc : sc[i];
      const a = p[2 * i];
      const b = p[2 * i + 1];
      const mu = nu * softplus(a) + MIN_MEAN;
      const alpha = softplus(b) / Math.sqrt(nu) + MIN_ALPHA;
      const r = 1 / alpha;
      const li = lgamma(r) + lgamma(yi + 1) - lgamma(yi + r) + r * Math.log1p(mu / r) + (yi > 0 ? yi * Math.log1p(r / mu) : 0);
      sum += li;
      if (l !== null) l[i] = li;
      if (g !== null) {
        const dmu = (r + yi) / (r + mu) - yi / mu;
        const dr = digamma(r) - digamma(yi + r) + Math.log1p(mu / r) + (yi - mu) / (r + mu);
        g[2 * i] = dmu * nu * sigmoid(a) * scale;
        g[2 * i + 1] = dr * (-r * r) * (sigmoid(b) / Math.sqrt(nu)) * scale;
      }
    }
  }
  const loss = reduction === 'mean' ? sum * scale : sum;
  if (!Number.isFinite(loss)) {
    throwIfNonFiniteInput(where, 'pred', p, pred.shape, { ...m, inner: m.inner * 2 });
    throwIfNonFiniteInput(where, 'target', y, target.shape, m);
  }
  return { loss, grad, losses, divisor: count };
}
