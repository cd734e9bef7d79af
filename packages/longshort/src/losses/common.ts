// What every loss in src/losses/ shares: the result type, the reduction names, and the one place
// that turns a user's `mask` / `lengths` into a per-row 0/1 array, with the argument checks and
// their messages. Browser-safe, no Node imports.
// Left out: broadcasting of targets (predictions and targets must have equal shapes), and
// fractional mask weights (a mask entry is 0 or 1; use classWeights / posWeight for weighting).

import { Tensor, formatShape, sizeOf } from '../tensor.js';
import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';

/** How a loss reduces its per-element values: 'mean' over counted elements, 'sum', or 'none' (keep them all). */
export type Reduction = 'mean' | 'sum' | 'none';

/** What every loss returns. */
export interface LossResult {
  /**
   * The reduced loss. For reduction 'none' it is the sum of `losses`, i.e. the scalar that `grad`
   * is the gradient of (each element's loss depends only on its own prediction, so this gradient
   * is also the stack of per-element gradients).
   */
  loss: number;
  /** dLoss/dpredictions: shape and dtype of the predictions, exactly 0 at masked entries. Null when computeGrad is false. */
  grad: Tensor | null;
  /** Per-element losses (0 at masked or ignored entries) for reduction 'none'; null otherwise. */
  losses: Tensor | null;
  /**
   * What 'mean' divides by: the number of counted elements, or for weighted cross-entropy the sum
   * of the class weights of the counted targets. Lets a caller combine batches into an exact mean.
   */
  divisor: number;
}

/** Options every loss takes. */
export interface BaseLossOptions {
  /** 'mean' (default; over counted elements only), 'sum', or 'none'. */
  reduction?: Reduction;
  /**
   * 1 = counts, 0 = padding. Its shape is a leading part of the element grid: per row (B) or per
   * step (B, T) for sequence outputs (B, T, …); the remaining trailing dimensions share the entry.
   * A Tensor must have exactly that shape; a plain array or typed array just that many entries.
   */
  mask?: Tensor | ArrayLike<number>;
  /** Valid steps per row for right-padded (B, T, …) outputs: entries b, t ≥ lengths[b] are masked. Not together with mask. */
  lengths?: ArrayLike<number>;
  /** Compute the gradient (default true). False for evaluation: grad is null. */
  computeGrad?: boolean;
}

/** A resolved mask: `rowMask[o]` for each of `outer` leading positions, each covering `inner` elements. */
export interface ResolvedMask {
  rowMask: Uint8Array | null;
  outer: number;
  inner: number;
}

export function checkReduction(where: string, reduction: unknown): Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new ConfigError(`${where} reduction must be 'mean', 'sum' or 'none'; received ${JSON.stringify(reduction)}.`);
  }
  return reduction;
}

export function checkTensor(where: string, name: string, t: unknown, minRank = 1): Tensor {
  if (!(t instanceof Tensor)) {
    const got = t === null ? 'null' : Array.isArray(t) ? 'an array' : typeof t;
    throw new ShapeError(`${where} ${name} must be a Tensor; received ${got}. Hint: wrap the values with tensor(values, shape).`);
  }
  if (t.rank < minRank) {
    throw new ShapeError(`${where} ${name} must have rank ≥ ${minRank}; received shape ${formatShape(t.shape)}.`);
  }
  return t;
}

export function checkSameShape(where: string, predName: string, pred: Tensor, targName: string, targ: Tensor): void {
  const a = pred.shape;
  const b = targ.shape;
  if (a.length !== b.length || a.some((d, k) => d !== b[k])) {
    throw new ShapeError(
      `${where} ${targName} must have the shape of ${predName} ${formatShape(a)}; received ${formatShape(b)}. ` +
        'Hint: targets are not broadcast; reshape them (e.g. (B, T) → (B, T, 1)) to match.',
    );
  }
}

/**
 * Resolve `mask` or `lengths` against an element grid `shape` (the predictions' shape, or for
 * cross-entropy the shape of the rows without the class dimension).
 */
export function resolveMask(
  where: string,
  shape: readonly number[],
  mask: Tensor | ArrayLike<number> | undefined,
  lengths: ArrayLike<number> | undefined,
): ResolvedMask {
  const total = sizeOf(shape);
  if (mask !== undefined && mask !== null && lengths !== undefined && lengths !== null) {
    throw new ConfigError(`${where} pass either mask or lengths, not both; received both.`);
  }
  if (lengths !== undefined && lengths !== null) {
    if (shape.length < 2) {
      throw new ShapeError(
        `${where} lengths needs sequence outputs of shape (B, T, …); received ${formatShape(shape)}. Hint: use a per-row mask instead.`,
      );
    }
    const [B, T] = shape;
    if (typeof lengths !== 'object' || typeof lengths.length !== 'number') {
      throw new ConfigError(`${where} lengths must be an array of ${B} integers; received ${String(lengths)}.`);
    }
    if (lengths.length !== B) {
      throw new ShapeError(`${where} lengths must have ${B} entries, one per batch row of ${formatShape(shape)}; received ${lengths.length}.`);
    }
    const rowMask = new Uint8Array(B * T);
    for (let b = 0; b < B; b++) {
      const n = lengths[b];
      if (!Number.isInteger(n) || n < 0 || n > T) {
        throw new ConfigError(`${where} lengths[${b}] must be an integer in [0, ${T}] because T=${T}; received ${n}.`);
      }
      rowMask.fill(1, b * T, b * T + n);
    }
    return { rowMask, outer: B * T, inner: total / (B * T) };
  }
  if (mask === undefined || mask === null) return { rowMask: null, outer: total, inner: 1 };

  let values: ArrayLike<number>;
  let k: number; // the mask covers shape[0..k)
  if (mask instanceof Tensor) {
    const ms = mask.shape;
    const prefixOk = ms.length >= 1 && ms.length <= shape.length && ms.every((d, j) => d === shape[j]);
    if (!prefixOk) {
      throw new ShapeError(
        `${where} mask must have a leading part of the shape ${formatShape(shape)}, e.g. ${describePrefixes(shape)}; ` +
          `received ${formatShape(ms)}.`,
      );
    }
    values = mask.data;
    k = ms.length;
  } else {
    if (typeof mask !== 'object' || typeof mask.length !== 'number') {
      throw new ConfigError(`${where} mask must be a Tensor or an array of 0/1 entries; received ${String(mask)}.`);
    }
    values = mask;
    k = -1;
    let p = 1;
    for (let j = 0; j < shape.length; j++) {
      p *= shape[j];
      if (p === mask.length) {
        k = j + 1;
        break;
      }
    }
    if (k < 0) {
      throw new ShapeError(
        `${where} mask must have as many entries as a leading part of the shape ${formatShape(shape)}, e.g. ${describePrefixes(shape)}; ` +
          `received ${mask.length} entries.`,
      );
    }
  }
  const outer = sizeOf(shape.slice(0, k));
  const rowMask = new Uint8Array(outer);
  for (let o = 0; o < outer; o++) {
    const v = values[o];
    if (v !== 0 && v !== 1) {
      throw new ConfigError(
        `${where} mask entries must be 0 (padded) or 1 (counted); received ${v} at ${formatIndex(o, shape.slice(0, k))}.`,
      );
    }
    rowMask[o] = v;
  }
  return { rowMask, outer, inner: outer === 0 ? 0 : total / outer };
}

function describePrefixes(shape: readonly number[]): string {
  const out: string[] = [];
  for (let j = 1; j <= Math.min(shape.length, 3); j++) out.push(formatShape(shape.slice(0, j)));
  return out.join(' or ');
}

/** Flat row-major index → "[3, 1]". */
export function formatIndex(flat: number, shape: readonly number[]): string {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = flat % shape[k];
    flat = Math.floor(flat / shape[k]);
  }
  return `[${idx.join(', ')}]`;
}

/**
 * Called only after a loss came out non-finite: find the first counted non-finite input and throw
 * a message that points at it. Returns quietly when every counted input is finite (the loss then
 * overflowed on its own, e.g. a squared error of 1e200, and is returned as Infinity).
 */
export function throwIfNonFiniteInput(
  where: string,
  name: string,
  data: ArrayLike<number>,
  shape: readonly number[],
  m: ResolvedMask,
): void {
  const { rowMask, outer, inner } = m;
  for (let o = 0; o < outer; o++) {
    if (rowMask !== null && rowMask[o] === 0) continue;
    for (let j = 0; j < inner; j++) {
      const i = o * inner + j;
      if (!Number.isFinite(data[i])) {
        throw new NonFiniteError(
          `${where} ${name} must be finite; received ${data[i]} at ${formatIndex(i, shape)}. ` +
            'Hint: a NaN in the predictions usually means training diverged; lower the learning rate or clip gradients.',
        );
      }
    }
  }
}
