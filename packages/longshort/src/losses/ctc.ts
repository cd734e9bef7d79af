// CTC loss over a batch of unnormalised scores (B, T, C), with its gradient w.r.t. those scores.
// This is the public boundary: every argument is checked here, once, with a message that names
// the argument and the row; the per-row math is the reference kernel in src/kernels/ref/ctc.ts.
// Semantics follow PyTorch's nn.CTCLoss (blank index, 'mean' = per-row loss / target length then
// batch mean, zero_infinity; a target that cannot fit in its input has loss +inf and, as in PyTorch,
// a NaN gradient on its valid frames unless zeroInfinity), except that logits are raw scores and
// log-softmax is applied inside. Checked against F.ctc_loss in test/ctc/ctc-pytorch.test.ts.
// Left out: TensorFlow's ctc_merge_repeated=false variant, and a GPU or SIMD kernel.

import { Tensor, allocArr, formatShape } from '../tensor.js';
import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';
import { ctcBackward, ctcForward, extendTarget, logSoftmaxRows, minFrames } from '../kernels/ref/ctc.js';

/** How ctcLoss reduces its per-row losses: 'mean' (each row divided by its target length, then the mean over rows), 'sum' or 'none'. */
export type CtcReduction = 'mean' | 'sum' | 'none';

/** Options of ctcLoss(). */
export interface CtcLossOptions {
  /** Class index of the blank symbol. Default 0. */
  blank?: number;
  /** 'mean' (PyTorch: each row / its target length, then mean over rows), 'sum', or 'none'. Default 'mean'. */
  reduction?: CtcReduction;
  /**
   * PyTorch's zero_infinity. A row whose target cannot fit in its input length (more labels, plus a
   * blank between equal neighbours, than frames) has no alignment: its loss is +Infinity and its
   * gradient NaN (false, the default, as PyTorch), or its loss and gradient are 0 (true).
   */
  zeroInfinity?: boolean;
  /** Compute the gradient. Default true; false skips the backward pass (evaluation), and `grad` is null. */
  computeGrad?: boolean;
}

/** What ctcLoss() returns. */
export interface CtcLossResult {
  /** The reduced loss. For reduction 'none' this is the sum of `losses`, i.e. what `grad` is the gradient of. */
  loss: number;
  /** Per-row negative log-likelihood -log p(target_b | x_b), before any division (B entries). */
  losses: Float64Array;
  /** dLoss/dlogits, shape and dtype of logits; 0 at padded frames t >= inputLengths[b]. Null when computeGrad is false. */
  grad: Tensor | null;
  /** Rows that had no feasible alignment: their losses are +Infinity, or 0 with zeroInfinity. */
  infeasibleRows: number[];
}

/** One row's label ids (an array or Int32Array). */
export type Labels = ArrayLike<number>;

const WHERE = '[ctcLoss]';

/**
 * Connectionist Temporal Classification loss (Graves et al. 2006).
 *
 * @param logits       (B, T, C) unnormalised scores; float32 or float64. Softmax over C is applied inside.
 * @param targets      B label sequences (arrays or Int32Arrays) of ids in [0, C) other than `blank`;
 *                     may be longer than targetLengths[b] (padding after it is ignored).
 * @param inputLengths B valid frame counts in [0, T]; frames at and after it are padding.
 * @param targetLengths B label counts; default targets[b].length.
 */
export function ctcLoss(
  logits: Tensor,
  targets: readonly Labels[],
  inputLengths: ArrayLike<number>,
  targetLengths?: ArrayLike<number>,
  options: CtcLossOptions = {},
): CtcLossResult {
  const { blank = 0, reduction = 'mean', zeroInfinity = false, computeGrad = true } = options;
  if (!(logits instanceof Tensor) || logits.rank !== 3) {
    const got = logits instanceof Tensor ? formatShape(logits.shape) : typeof logits;
    throw new ShapeError(
      `${WHERE} logits must be a Tensor of shape (B, T, C); received ${got}. ` +
        'Hint: reshape a single sequence (T, C) to (1, T, C).',
    );
  }
  const [B, T, C] = logits.shape;
  if (B === 0 || C === 0) {
    throw new ShapeError(`${WHERE} logits must have at least one batch row and one class; received ${formatShape(logits.shape)}.`);
  }
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new ConfigError(`${WHERE} reduction must be 'mean', 'sum' or 'none'; received ${JSON.stringify(reduction)}.`);
  }
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) {
    throw new ConfigError(
      `${WHERE} blank must be an integer class index in [0, ${C}) because logits have C=${C} classes; received ${blank}.`,
    );
  }
  if (targets.length !== B) {
    throw new ShapeError(
      `${WHERE} targets must hold one label sequence per batch row (${B} because logits are ${formatShape(logits.shape)}); received ${targets.length}.`,
    );
  }
  checkLengths('inputLengths', inputLengths, B, T, `T=${T}, the time dimension of logits ${formatShape(logits.shape)}`);
  const tLens = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const n = targets[b]?.length;
    if (typeof n !== 'number') throw new ConfigError(`${WHERE} targets[${b}] must be an array of label ids; received ${String(targets[b])}.`);
    tLens[b] = n;
  }
  if (targetLengths !== undefined) {
    if (targetLengths.length !== B) {
      throw new ShapeError(`${WHERE} targetLengths must have ${B} entries, one per batch row; received ${targetLengths.length}.`);
    }
    for (let b = 0; b < B; b++) {
      const n = targetLengths[b];
      if (!Number.isInteger(n) || n < 0 || n > tLens[b]) {
        throw new ConfigError(
          `${WHERE} targetLengths[${b}] must be an integer in [0, ${tLens[b]}] (targets[${b}] holds ${tLens[b]} labels); received ${n}.`,
        );
      }
      tLens[b] = n;
    }
  }
  let Lmax = 0;
  for (let b = 0; b < B; b++) {
    const y = targets[b];
    for (let i = 0; i < tLens[b]; i++) {
      const k = y[i];
      if (!Number.isInteger(k) || k < 0 || k >= C) {
        throw new ConfigError(
          `${WHERE} targets[${b}][${i}] must be a class id in [0, ${C}) because logits have C=${C} classes; received ${k}.`,
        );
      }
      if (k === blank) {
        throw new ConfigError(
          `${WHERE} targets[${b}][${i}] is the blank id ${blank}; targets must not contain the blank. ` +
            'Hint: shift label ids so the blank has an id of its own, or pass the right { blank }.',
        );
      }
    }
    if (tLens[b] > Lmax) Lmax = tLens[b];
  }
  const x = logits.data;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      const b = Math.floor(i / (T * C));
      const t = Math.floor(i / C) % T;
      // padded frames are never read, but a NaN there is almost always a bug upstream: say so
      throw new NonFiniteError(
        `${WHERE} logits must be finite; received ${x[i]} at [b=${b}, t=${t}, c=${i % C}].` +
          (t >= inputLengths[b] ? ` (a padded frame: inputLengths[${b}]=${inputLengths[b]}; fill padding with 0.)` : ''),
      );
    }
  }

  const infeasibleRows: number[] = [];
  for (let b = 0; b < B; b++) {
    const need = minFrames(targets[b], 0, tLens[b]);
    if (need > inputLengths[b]) infeasibleRows.push(b);
  }

  // workspaces, allocated once per call and reused by every row
  const Smax = 2 * Lmax + 1;
  const logProbs = new Float64Array(T * C); // (T,C)
  const alpha = new Float64Array(T * Smax); // (T,S)
  const beta = computeGrad ? new Float64Array(T * Smax) : alpha; // (T,S)
  const ext = new Int32Array(Smax); // (S)
  const occ = new Float64Array(C); // (C)
  const losses = new Float64Array(B);
  const grad = computeGrad ? new Tensor(allocArr(x.length, logits.dtype), logits.shape) : null;

  let infeasibleAt = 0;
  for (let b = 0; b < B; b++) {
    if (infeasibleAt < infeasibleRows.length && infeasibleRows[infeasibleAt] === b) {
      infeasibleAt++;
      if (zeroInfinity) {
        losses[b] = 0; // zero_infinity: loss and gradient of this row are zero
        continue;
      }
      // no alignment: -log p = +inf, and d(inf)/dlogits is NaN on the row's valid frames (PyTorch's CPU kernel gives the same)
      losses[b] = Infinity;
      if (grad !== null) grad.data.fill(NaN, b * T * C, (b * T + inputLengths[b]) * C);
      continue;
    }
    const Tb = inputLengths[b];
    const L = tLens[b];
    const S = 2 * L + 1;
    const xOff = b * T * C; // logits[b,:,:]
    logSoftmaxRows(logProbs, x, xOff, C, Tb, C);
    extendTarget(ext, targets[b], 0, L, blank);
    const logLik = ctcForward(alpha, logProbs, ext, Tb, C, S);
    losses[b] = 0 - logLik; // not -logLik: an empty target in 0 frames would give -0
    if (grad !== null) {
      const scale = reduction === 'mean' ? 1 / (B * Math.max(L, 1)) : 1;
      ctcBackward(grad.data, xOff, C, scale, beta, occ, alpha, logProbs, ext, logLik, Tb, C, S);
    }
  }

  let loss = 0;
  if (reduction === 'mean') {
    for (let b = 0; b < B; b++) loss += losses[b] / Math.max(tLens[b], 1);
    loss /= B;
  } else {
    for (let b = 0; b < B; b++) loss += losses[b];
  }
  return { loss, losses, grad, infeasibleRows };
}

function checkLengths(name: string, lens: ArrayLike<number>, B: number, max: number, why: string): void {
  if (lens === null || typeof lens !== 'object' || typeof lens.length !== 'number') {
    throw new ConfigError(`${WHERE} ${name} must be an array of ${B} integers; received ${String(lens)}.`);
  }
  if (lens.length !== B) {
    throw new ShapeError(`${WHERE} ${name} must have ${B} entries, one per batch row; received ${lens.length}.`);
  }
  for (let b = 0; b < B; b++) {
    const n = lens[b];
    if (!Number.isInteger(n) || n < 0 || n > max) {
      throw new ConfigError(`${WHERE} ${name}[${b}] must be an integer in [0, ${max}] because ${why}; received ${n}.`);
    }
  }
}
