// Quantile (pinball) loss over several levels at once, for forecasters that output one value per
// level (MQ-RNN, neuralforecast's MQLoss). For a level q and residual u = y − p:
//   ρ_q(u) = q·u        if u ≥ 0     (under-forecast costs q per unit)
//          = (q − 1)·u  if u < 0     (over-forecast costs 1 − q per unit)
//   dρ/dp  = −q if y > p;  1 − q if y < p;  0 at y = p (a subgradient; the loss has a kink there).
// Minimising E[ρ_q(Y − p)] over p gives the q-quantile of Y, so a head trained on levels
// q_1 … q_Q predicts those quantiles. 'mean' divides by the number of counted predictions
// (elements × Q), as neuralforecast's MQLoss averages over levels.
//
// shapes: pred (…, Q) — the last axis holds the levels in `quantiles` order; target (…) = pred
// without its last axis; mask a leading part of target's shape, e.g. (B) or (B, T).
// Arithmetic is float64; the gradient is written in the predictions' dtype.
// Left out: non-crossing constraints (sort the predicted quantiles afterwards), per-level weights.

import { Tensor, allocArr, formatShape } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { type BaseLossOptions, type LossResult, checkReduction, checkTensor, resolveMask, throwIfNonFiniteInput } from './common.js';

/** Options of pinballLoss(). */
export interface PinballLossOptions extends BaseLossOptions {
  /** The levels, each in (0, 1), one per entry of pred's last axis. */
  quantiles: ArrayLike<number>;
}

/** Checks that target has pred's shape without the last axis. */
export function checkDropLast(where: string, pred: Tensor, target: Tensor, last: number, what: string): void {
  const p = pred.shape;
  const t = target.shape;
  if (p[p.length - 1] !== last) {
    throw new ShapeError(`${where} pred's last axis must hold ${last} ${what}; received shape ${formatShape(p)}.`);
  }
  if (t.length !== p.length - 1 || t.some((d, k) => d !== p[k])) {
    throw new ShapeError(
      `${where} target must have the shape of pred without its last axis, ${formatShape(p.slice(0, -1))}; received ${formatShape(t)}. ` +
        'Hint: one target value per row; the last axis of pred holds the outputs for that value.',
    );
  }
}

/**
 * Quantile (pinball) loss over several levels at once, for heads that predict one value per level:
 * pred (…, Q) with the levels in `quantiles` order on the last axis, target (…) without it. For
 * level q and u = y − p the loss is q·u when u ≥ 0 and (q − 1)·u otherwise; 'mean' divides by the
 * counted predictions (elements × Q). Throws ShapeError for mismatched shapes, ConfigError for
 * levels outside (0, 1), NonFiniteError for non-finite input.
 */
export function pinballLoss(pred: Tensor, target: Tensor, options: PinballLossOptions): LossResult {
  const where = '[pinballLoss]';
  checkTensor(where, 'pred', pred, 1);
  checkTensor(where, 'target', target, 0);
  const qs = options?.quantiles;
  if (qs === undefined || qs === null || typeof qs.length !== 'number' || qs.length === 0) {
    throw new ConfigError(`${where} quantiles must list at least one level in (0, 1); received ${JSON.stringify(qs)}.`);
  }
  for (let j = 0; j < qs.length; j++) {
    if (!(qs[j] > 0 && qs[j] < 1)) throw new ConfigError(`${where} quantiles[${j}] must lie in (0, 1); received ${qs[j]}.`);
  }
  const Q = qs.length;
  checkDropLast(where, pred, target, Q, `values, one per quantile level (${Q} levels given)`);
  const reduction = checkReduction(where, options.reduction ?? 'mean');
  const computeGrad = options.computeGrad ?? true;
  const m = resolveMask(where, target.shape, options.mask, options.lengths);
  const { rowMask, outer, inner } = m;

  const p = pred.data;
  const y = target.data;
  let count = 0;
  if (rowMask === null) count = y.length * Q;
  else for (let o = 0; o < outer; o++) count += rowMask[o] * inner * Q;
  const scale = reduction === 'mean' ? (count > 0 ? 1 / count : 0) : 1;
  const grad = computeGrad ? new Tensor(allocArr(p.length, pred.dtype), pred.shape) : null;
  const g = grad === null ? null : grad.data;
  const losses = reduction === 'none' ? new Tensor(allocArr(p.length, pred.dtype), pred.shape) : null;
  const l = losses === null ? null : losses.data;

  let sum = 0;
  for (let o = 0; o < outer; o++) {
    if (rowMask !== null && rowMask[o] === 0) continue;
    for (let i = o * inner; i < (o + 1) * inner; i++) {
      const yi = y[i];
      for (let j = 0; j < Q; j++) {
        const k = i * Q + j; // pred[…, j]
        const u = yi - p[k];
        const q = qs[j];
        const li = u >= 0 ? q * u : (q - 1) * u;
        sum += li;
        if (l !== null) l[k] = li;
        if (g !== null) g[k] = (u > 0 ? -q : u < 0 ? 1 - q : 0) * scale;
      }
    }
  }
  const loss = reduction === 'mean' ? sum * scale : sum;
  if (!Number.isFinite(loss)) {
    throwIfNonFiniteInput(where, 'pred', p, pred.shape, { rowMask, outer, inner: inner * Q });
    throwIfNonFiniteInput(where, 'target', y, target.shape, m);
  }
  return { loss, grad, losses, divisor: count };
}
