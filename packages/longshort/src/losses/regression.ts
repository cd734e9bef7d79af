// Pointwise regression losses — mean squared error, mean absolute error, Huber — each returning
// the loss and dLoss/dpredictions in one call. Semantics follow PyTorch's MSELoss, L1Loss and
// HuberLoss (reduction 'mean' by default), plus a mask so padded steps of a (B, T, …) batch count
// for nothing and 'mean' divides by the number of counted elements only.
// Left out: SmoothL1Loss (Huber divided by delta), per-element weights, target broadcasting.
//
// shapes: pred, target (…) any equal shapes; mask a leading part of them, e.g. (B) or (B, T).
// Arithmetic is float64; the gradient is written in the predictions' dtype.

import { Tensor, allocArr, type Arr } from '../tensor.js';
import { ConfigError } from '../errors.js';
import {
  type BaseLossOptions,
  type LossResult,
  checkReduction,
  checkSameShape,
  checkTensor,
  resolveMask,
  throwIfNonFiniteInput,
} from './common.js';

/** Options of mseLoss() and maeLoss(): reduction, mask or lengths, computeGrad. */
export type RegressionLossOptions = BaseLossOptions;

/** Options of huberLoss(). */
export interface HuberLossOptions extends BaseLossOptions {
  /** Where the loss turns from quadratic to linear, > 0. Default 1 (PyTorch). */
  delta?: number;
}

const enum Kind {
  Mse,
  Mae,
  Huber,
}

/** Mean squared error: l = (p − y)²,  dl/dp = 2(p − y). */
export function mseLoss(pred: Tensor, target: Tensor, options: RegressionLossOptions = {}): LossResult {
  return pointwise('[mseLoss]', Kind.Mse, 0, pred, target, options);
}

/** Mean absolute error (L1): l = |p − y|,  dl/dp = sign(p − y), with the subgradient 0 at p = y. */
export function maeLoss(pred: Tensor, target: Tensor, options: RegressionLossOptions = {}): LossResult {
  return pointwise('[maeLoss]', Kind.Mae, 0, pred, target, options);
}

/**
 * Huber loss (PyTorch HuberLoss): with d = p − y,
 *   l = ½d²             if |d| < δ
 *   l = δ(|d| − ½δ)     otherwise;     dl/dp = clamp(d, −δ, δ).
 */
export function huberLoss(pred: Tensor, target: Tensor, options: HuberLossOptions = {}): LossResult {
  const delta = options.delta ?? 1;
  if (!(typeof delta === 'number' && delta > 0 && Number.isFinite(delta))) {
    throw new ConfigError(`[huberLoss] delta must be a finite number > 0; received ${delta}.`);
  }
  return pointwise('[huberLoss]', Kind.Huber, delta, pred, target, options);
}

function pointwise(where: string, kind: Kind, delta: number, pred: Tensor, target: Tensor, options: BaseLossOptions): LossResult {
  checkTensor(where, 'pred', pred);
  checkTensor(where, 'target', target);
  checkSameShape(where, 'pred', pred, 'target', target);
  const reduction = checkReduction(where, options.reduction ?? 'mean');
  const computeGrad = options.computeGrad ?? true;
  const m = resolveMask(where, pred.shape, options.mask, options.lengths);
  const { rowMask, outer, inner } = m;

  const p = pred.data;
  const y = target.data;
  let count = 0;
  if (rowMask === null) count = p.length;
  else for (let o = 0; o < outer; o++) count += rowMask[o] * inner;
  // An all-padding batch gives loss 0 and gradient 0 (PyTorch's mean over nothing is NaN, which
  // would poison a training run for a batch that simply carries no signal).
  const scale = reduction === 'mean' ? (count > 0 ? 1 / count : 0) : 1;

  const grad = computeGrad ? new Tensor(allocArr(p.length, pred.dtype), pred.shape) : null;
  const g = grad === null ? null : grad.data;
  const losses = reduction === 'none' ? new Tensor(allocArr(p.length, pred.dtype), pred.shape) : null;
  const l = losses === null ? null : losses.data;

  const range = (i0: number, i1: number): number =>
    kind === Kind.Mse ? mseRange(p, y, g, l, scale, i0, i1) : kind === Kind.Mae ? maeRange(p, y, g, l, scale, i0, i1) : huberRange(p, y, g, l, scale, i0, i1, delta);
  let sum = 0;
  if (rowMask === null) sum = range(0, p.length);
  else for (let o = 0; o < outer; o++) if (rowMask[o] !== 0) sum += range(o * inner, (o + 1) * inner); // padded rows: loss and gradient stay 0
  const loss = reduction === 'mean' ? sum * scale : sum;
  if (!Number.isFinite(loss)) {
    throwIfNonFiniteInput(where, 'pred', p, pred.shape, m);
    throwIfNonFiniteInput(where, 'target', y, target.shape, m);
  }
  return { loss, grad, losses, divisor: count };
}

// One loop per kind over elements [i0, i1): Σ l, with l written to `l` and dl/dp·scale to `g` where
// given. Without a mask the whole array is one range (it was 1.6 M ranges of one element, 14 ms
// for the outputs of a bench/threads.ts M batch, on the main thread while the kernel threads
// wait; 6 ms now, half of it allocating the gradient).

function mseRange(p: Arr, y: Arr, g: Arr | null, l: Arr | null, scale: number, i0: number, i1: number): number {
  let sum = 0;
  for (let i = i0; i < i1; i++) {
    const d = p[i] - y[i];
    sum += d * d;
    if (l !== null) l[i] = d * d;
    if (g !== null) g[i] = 2 * d * scale;
  }
  return sum;
}

function maeRange(p: Arr, y: Arr, g: Arr | null, l: Arr | null, scale: number, i0: number, i1: number): number {
  let sum = 0;
  for (let i = i0; i < i1; i++) {
    const d = p[i] - y[i];
    sum += Math.abs(d);
    if (l !== null) l[i] = Math.abs(d);
    if (g !== null) g[i] = (d > 0 ? 1 : d < 0 ? -1 : 0) * scale;
  }
  return sum;
}

function huberRange(p: Arr, y: Arr, g: Arr | null, l: Arr | null, scale: number, i0: number, i1: number, delta: number): number {
  let sum = 0;
  for (let i = i0; i < i1; i++) {
    const d = p[i] - y[i];
    const a = Math.abs(d);
    const li = a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
    sum += li;
    if (l !== null) l[i] = li;
    if (g !== null) g[i] = (a < delta ? d : d > 0 ? delta : -delta) * scale;
  }
  return sum;
}
