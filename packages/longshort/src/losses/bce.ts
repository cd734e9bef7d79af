// Binary cross-entropy on logits (sigmoid inside), with its gradient, in one call. Semantics follow
// PyTorch's BCEWithLogitsLoss including pos_weight (broadcast along the last dimension), plus a
// mask / lengths for padded sequence batches. Written in the overflow-free form, so logits of ±1e4
// give finite losses and exact gradients.
// Left out: the per-element `weight` argument, and BCELoss on probabilities (it needs clamping of
// log(0), which the logit form avoids).
//
// shapes: logits, targets (…, K) equal; posWeight scalar or (K); mask a leading part, e.g. (B) or (B, T).

import { Tensor, allocArr, formatShape } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import {
  type BaseLossOptions,
  type LossResult,
  checkReduction,
  checkSameShape,
  checkTensor,
  formatIndex,
  resolveMask,
  throwIfNonFiniteInput,
} from './common.js';

export interface BceWithLogitsOptions extends BaseLossOptions {
  /** Weight of the positive term, a number or one per entry of the last dimension (PyTorch pos_weight). Default 1. */
  posWeight?: number | ArrayLike<number>;
}

const WHERE = '[bceWithLogits]';

/**
 * With σ the logistic sigmoid and q = posWeight, for each counted element
 *   l = −[q·y·log σ(x) + (1 − y)·log(1 − σ(x))]
 *     = (1 − y)·x + (1 + (q − 1)·y)·softplus(−x),   softplus(−x) = max(−x, 0) + log(1 + exp(−|x|))
 * (for q = 1 this is max(x, 0) − x·y + log(1 + exp(−|x|))), and
 *   dl/dx = (1 − y) − (1 + (q − 1)·y)·σ(−x).
 * Targets may be soft labels anywhere in [0, 1].
 */
export function bceWithLogits(logits: Tensor, targets: Tensor, options: BceWithLogitsOptions = {}): LossResult {
  checkTensor(WHERE, 'logits', logits);
  checkTensor(WHERE, 'targets', targets);
  checkSameShape(WHERE, 'logits', logits, 'targets', targets);
  const reduction = checkReduction(WHERE, options.reduction ?? 'mean');
  const computeGrad = options.computeGrad ?? true;
  const shape = logits.shape;
  const K = shape[shape.length - 1];

  const pw = options.posWeight ?? 1;
  let q: Float64Array;
  if (typeof pw === 'number') {
    if (!(Number.isFinite(pw) && pw >= 0)) throw new ConfigError(`${WHERE} posWeight must be finite and ≥ 0; received ${pw}.`);
    q = new Float64Array(K).fill(pw);
  } else {
    if (pw === null || typeof pw !== 'object' || pw.length !== K) {
      throw new ShapeError(
        `${WHERE} posWeight must be a number or have ${K} entries, one per entry of the last dimension of ${formatShape(shape)}; ` +
          `received ${pw !== null && typeof pw === 'object' ? `${pw.length} entries` : String(pw)}.`,
      );
    }
    q = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      const v = pw[k];
      if (!(Number.isFinite(v) && v >= 0)) throw new ConfigError(`${WHERE} posWeight[${k}] must be finite and ≥ 0; received ${v}.`);
      q[k] = v;
    }
  }

  const m = resolveMask(WHERE, shape, options.mask, options.lengths);
  const { rowMask, outer, inner } = m;
  const x = logits.data;
  const y = targets.data;
  for (let o = 0; o < outer; o++) {
    if (rowMask !== null && rowMask[o] === 0) continue;
    for (let i = o * inner; i < (o + 1) * inner; i++) {
      const t = y[i];
      if (!(t >= 0 && t <= 1)) {
        throw new ConfigError(
          `${WHERE} targets must be in [0, 1]; received ${t} at ${formatIndex(i, shape)}. ` +
            'Hint: targets are probabilities of the positive class, not logits or class ids.',
        );
      }
    }
  }

  let count = 0;
  if (rowMask === null) count = x.length;
  else for (let o = 0; o < outer; o++) count += rowMask[o] * inner;
  const scale = reduction === 'mean' ? (count > 0 ? 1 / count : 0) : 1;

  const grad = computeGrad ? new Tensor(allocArr(x.length, logits.dtype), shape) : null;
  const g = grad === null ? null : grad.data;
  const losses = reduction === 'none' ? new Tensor(allocArr(x.length, logits.dtype), shape) : null;
  const l = losses === null ? null : losses.data;

  let sum = 0;
  for (let o = 0; o < outer; o++) {
    if (rowMask !== null && rowMask[o] === 0) continue;
    for (let i = o * inner; i < (o + 1) * inner; i++) {
      const xi = x[i];
      const yi = y[i];
      const c = 1 + (q[i % K] - 1) * yi; // weight of softplus(−x)
      const e = Math.exp(-Math.abs(xi)); // in (0, 1]: never overflows
      const spNeg = Math.max(-xi, 0) + Math.log1p(e); // softplus(−x)
      const li = (1 - yi) * xi + c * spNeg;
      sum += li;
      if (l !== null) l[i] = li;
      if (g !== null) {
        // σ(−x) from e = exp(−|x|) without overflow: x ≥ 0 → e/(1+e), x < 0 → 1/(1+e)
        const sigNeg = xi >= 0 ? e / (1 + e) : 1 / (1 + e);
        g[i] = ((1 - yi) - c * sigNeg) * scale;
      }
    }
  }
  const loss = reduction === 'mean' ? sum * scale : sum;
  if (!Number.isFinite(loss)) throwIfNonFiniteInput(WHERE, 'logits', x, shape, m);
  return { loss, grad, losses, divisor: count };
}
