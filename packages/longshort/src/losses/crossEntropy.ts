// Softmax cross-entropy over class ids, with its gradient w.r.t. the logits, in one call.
// Semantics follow PyTorch's nn.CrossEntropyLoss with class-index targets: class weights, the
// weighted mean (divide by the summed weights of the counted targets), ignore_index and
// label_smoothing (including how PyTorch combines smoothing with weights). Our additions: a mask
// or per-row lengths for padded sequence batches, which drop entries exactly as ignore_index does.
// Left out: probability (soft) targets, and a separate log-softmax layer — log-softmax happens here,
// via log-sum-exp, so huge logits (±1e4) give finite losses and exact gradients.
//
// N = rows (every position of the leading dims), C = classes (last dim)
// in  logits (…, C), e.g. (N, C) or (B, T, C);  targets (…) class ids, N entries
// out grad (…, C) dtype of logits;  losses (…) for reduction 'none'

import { Tensor, allocArr, formatShape, sizeOf } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import {
  type BaseLossOptions,
  type LossResult,
  checkReduction,
  checkTensor,
  formatIndex,
  resolveMask,
  throwIfNonFiniteInput,
} from './common.js';

export interface CrossEntropyOptions extends BaseLossOptions {
  /** A weight per class (C entries, finite, ≥ 0), as PyTorch's `weight`. Default: all 1. */
  classWeights?: ArrayLike<number>;
  /** ε in [0, 1]: the target becomes (1 − ε)·onehot + ε/C (PyTorch label_smoothing). Default 0. */
  labelSmoothing?: number;
  /** Targets equal to this id count for nothing (PyTorch ignore_index). Default -100. */
  ignoreIndex?: number;
}

const WHERE = '[softmaxCrossEntropy]';

/**
 * Cross-entropy of softmax(logits) against class ids. With w the class weights (1 by default),
 * ε the label smoothing and log p = logits − logsumexp(logits), each counted row n has
 *   l_n = (1 − ε)·w[y_n]·(−log p[y_n]) + (ε/C)·Σ_c w[c]·(−log p[c])
 * and 'mean' returns Σ_n l_n / Σ_n w[y_n] over counted rows (PyTorch's weighted mean).
 */
export function softmaxCrossEntropy(
  logits: Tensor,
  targets: ArrayLike<number> | Tensor,
  options: CrossEntropyOptions = {},
): LossResult {
  checkTensor(WHERE, 'logits', logits, 2);
  const reduction = checkReduction(WHERE, options.reduction ?? 'mean');
  const computeGrad = options.computeGrad ?? true;
  const eps = options.labelSmoothing ?? 0;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const shape = logits.shape;
  const C = shape[shape.length - 1];
  const rowShape = shape.slice(0, -1);
  const N = sizeOf(rowShape);
  if (C === 0) throw new ShapeError(`${WHERE} logits must have at least one class; received shape ${formatShape(shape)}.`);
  if (!(typeof eps === 'number' && eps >= 0 && eps <= 1)) {
    throw new ConfigError(`${WHERE} labelSmoothing must be in [0, 1]; received ${eps}.`);
  }
  if (!Number.isInteger(ignoreIndex)) throw new ConfigError(`${WHERE} ignoreIndex must be an integer; received ${ignoreIndex}.`);

  const ids = targets instanceof Tensor ? targets.data : targets;
  if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
    throw new ConfigError(`${WHERE} targets must be an Int32Array or array of class ids; received ${String(targets)}.`);
  }
  if (targets instanceof Tensor) {
    const ts = targets.shape;
    if (ts.length !== rowShape.length || ts.some((d, k) => d !== rowShape[k])) {
      throw new ShapeError(
        `${WHERE} targets must have shape ${formatShape(rowShape)}, the logits ${formatShape(shape)} without the class dimension; ` +
          `received ${formatShape(ts)}.`,
      );
    }
  } else if (ids.length !== N) {
    throw new ShapeError(
      `${WHERE} targets must hold ${N} class ids, one per row of logits ${formatShape(shape)}; received ${ids.length}. ` +
        'Hint: for (B, T, C) logits pass B·T ids in row-major (b, t) order.',
    );
  }

  let w: Float64Array | null = null;
  let wSum = C; // Σ_c w[c]
  if (options.classWeights !== undefined && options.classWeights !== null) {
    const cw = options.classWeights;
    if (typeof cw !== 'object' || cw.length !== C) {
      throw new ShapeError(
        `${WHERE} classWeights must have ${C} entries because logits have C=${C} classes; received ${typeof cw === 'object' ? cw.length : String(cw)}.`,
      );
    }
    w = new Float64Array(C);
    wSum = 0;
    for (let c = 0; c < C; c++) {
      const v = cw[c];
      if (!(Number.isFinite(v) && v >= 0)) throw new ConfigError(`${WHERE} classWeights[${c}] must be finite and ≥ 0; received ${v}.`);
      w[c] = v;
      wSum += v;
    }
  }

  const m = resolveMask(WHERE, rowShape, options.mask, options.lengths);
  // counted[n]: row n is neither masked nor ignored
  const counted = new Uint8Array(N);
  for (let n = 0; n < N; n++) {
    if (m.rowMask !== null && m.rowMask[Math.floor(n / m.inner)] === 0) continue;
    const k = ids[n];
    if (k === ignoreIndex) continue;
    if (!Number.isInteger(k) || k < 0 || k >= C) {
      throw new ConfigError(
        `${WHERE} targets${formatIndex(n, rowShape)} must be a class id in [0, ${C}) because logits have C=${C} classes; received ${k}.` +
          (ignoreIndex !== -100 ? '' : ' Hint: mark padding with the mask, lengths, or ignoreIndex (default -100).'),
      );
    }
    counted[n] = 1;
  }

  let divisor = 0;
  for (let n = 0; n < N; n++) if (counted[n] === 1) divisor += w === null ? 1 : w[ids[n]];
  // Nothing counted: loss 0, gradient 0 (PyTorch returns NaN here; see regression.ts for why not).
  const scale = reduction === 'mean' ? (divisor > 0 ? 1 / divisor : 0) : 1;

  const x = logits.data;
  const grad = computeGrad ? new Tensor(allocArr(x.length, logits.dtype), shape) : null;
  const g = grad === null ? null : grad.data;
  const losses = reduction === 'none' ? new Tensor(allocArr(N, logits.dtype), rowShape) : null;
  const hard = 1 - eps; // weight of the one-hot part
  const soft = eps / C; // weight of the uniform part

  let sum = 0;
  for (let n = 0; n < N; n++) {
    if (counted[n] === 0) continue;
    const row = n * C; // logits[n,:]
    const y = ids[n];
    let mx = -Infinity;
    for (let c = 0; c < C; c++) if (x[row + c] > mx) mx = x[row + c];
    let se = 0;
    for (let c = 0; c < C; c++) se += Math.exp(x[row + c] - mx);
    // −log p[c] = (mx − x[c]) + log Σ exp(x − mx). Kept in this order rather than lse − x[c]:
    // with logits near 5e4 the sum lse = mx + log(se) would lose ~1e-11 of log(se) to rounding.
    const logSe = Math.log(se);
    const wy = w === null ? 1 : w[y];
    // forward: l = hard·w[y]·(−log p[y]) + soft·Σ_c w[c]·(−log p[c])
    let li = hard * wy * (mx - x[row + y] + logSe);
    if (eps !== 0) {
      let s = 0;
      for (let c = 0; c < C; c++) s += (w === null ? 1 : w[c]) * (mx - x[row + c] + logSe);
      li += soft * s;
    }
    sum += li;
    if (losses !== null) losses.data[n] = li;
    if (g !== null) {
      // d(−log p[c])/dx[k] = p[k] − δ_ck, so
      // dl/dx[k] = hard·w[y]·(p[k] − δ_yk) + soft·(Σ_c w[c]·p[k] − w[k])
      const inv = 1 / se;
      for (let c = 0; c < C; c++) {
        const pk = Math.exp(x[row + c] - mx) * inv;
        let gk = hard * wy * pk;
        if (eps !== 0) gk += soft * (wSum * pk - (w === null ? 1 : w[c]));
        g[row + c] = gk * scale;
      }
      g[row + y] -= hard * wy * scale;
    }
  }
  const loss = reduction === 'mean' ? sum * scale : sum;
  if (!Number.isFinite(loss)) {
    throwIfNonFiniteInput(WHERE, 'logits', x, shape, { rowMask: counted, outer: N, inner: C });
  }
  return { loss, grad, losses, divisor };
}
