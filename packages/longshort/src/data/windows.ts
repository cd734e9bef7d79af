// Sliding windows for direct multi-output forecasting, and chronological splits.
// A window starting at s takes F feature columns over [s, s+L) as input and the target column over
// [s+L, s+L+H) as the H outputs, so one forward pass predicts the whole horizon (no feeding
// predictions back in). Splits are by time, never shuffled: the model is always tested on a
// stretch that comes after everything it was trained on.
// Key: T = series length, L = lookback, H = horizon, S = stride, F = features, N = windows.
// Left out: batching and shuffling of windows within the training split (the trainer's job),
// recursive (one-step, fed back) forecasting, multiple target columns.

import { ConfigError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';

export { StandardScaler, MinMaxScaler, scalerFromJSON, type Scaler, type ScalerJSON } from './scale.js';

/** How makeWindows cuts a series: lookback L, horizon H, stride S, and the range the targets may come from. Bad values throw ConfigError. */
export interface WindowOptions {
  /** L: time steps of input per window. */
  lookback: number;
  /** H: time steps predicted per window. */
  horizon: number;
  /** S: steps between window starts; default 1. */
  stride?: number;
  /** Only windows whose first target step lies in [targetStart, targetEnd); default the whole series. */
  targetStart?: number;
  /** End (exclusive) of that range; default the series length. */
  targetEnd?: number;
}

/** Windows cut from a series: inputs, the targets to predict, and where each window's targets start. */
export interface Windows {
  /** (N, L, F) float32. */
  inputs: Tensor;
  /** (N, H) float32. */
  targets: Tensor;
  /** Index of the first target step of each window (length N), to line forecasts up with dates. */
  targetIndex: Int32Array;
}

function checkInt(where: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) {
    throw new ConfigError(`[${where}] ${name} must be an integer >= ${min}; received ${v}.`);
  }
}

/**
 * Cuts windows from feature columns (each length T) and a target column (length T). The target may
 * also be one of the features (autoregressive input). Windows are only taken where the whole
 * horizon lies inside [targetStart, targetEnd); the lookback may reach back before targetStart
 * (past values are known when forecasting), but never before index 0.
 */
export function makeWindows(features: readonly ArrayLike<number>[], target: ArrayLike<number>, options: WindowOptions): Windows {
  const { lookback: L, horizon: H, stride: S = 1 } = options;
  checkInt('makeWindows', 'lookback', L, 1);
  checkInt('makeWindows', 'horizon', H, 1);
  checkInt('makeWindows', 'stride', S, 1);
  const F = features.length;
  if (F === 0) throw new ConfigError('[makeWindows] features must hold at least one column; received none. Hint: pass [target] to forecast a series from its own past.');
  const T = target.length;
  for (let f = 0; f < F; f++) {
    if (features[f].length !== T) {
      throw new ShapeError(`[makeWindows] features[${f}] must have length ${T} like the target; received ${features[f].length}.`);
    }
  }
  const targetStart = Math.max(options.targetStart ?? L, L);
  const targetEnd = options.targetEnd ?? T;
  if (targetEnd > T || (options.targetStart ?? 0) < 0) {
    throw new ConfigError(`[makeWindows] targetStart/targetEnd must lie in [0, ${T}]; received ${options.targetStart}, ${targetEnd}.`);
  }
  const N = targetEnd - targetStart >= H ? Math.floor((targetEnd - targetStart - H) / S) + 1 : 0;
  if (N <= 0) {
    throw new ShapeError(
      `[makeWindows] no window fits: each needs lookback + horizon = ${L} + ${H} = ${L + H} steps with the horizon inside [${targetStart}, ${targetEnd}), ` +
        `and the series has ${T} steps. Hint: use a shorter lookback or horizon, or a larger split.`,
    );
  }
  const x = new Float32Array(N * L * F); // (N, L, F)
  const y = new Float32Array(N * H); // (N, H)
  const targetIndex = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    const t0 = targetStart + n * S; // first target step
    const s = t0 - L; // first input step
    targetIndex[n] = t0;
    const xn = n * L * F; // x[n,:,:]
    for (let l = 0; l < L; l++) {
      for (let f = 0; f < F; f++) x[xn + l * F + f] = features[f][s + l];
    }
    for (let h = 0; h < H; h++) y[n * H + h] = target[t0 + h];
  }
  return { inputs: new Tensor(x, [N, L, F]), targets: new Tensor(y, [N, H]), targetIndex };
}

/** A chronological split of T points into half-open index ranges [start, end): train, then validation, then test. */
export interface SplitRanges {
  /** Half-open index ranges [start, end) in time order: train, then validation, then test. */
  train: [number, number];
  /** The validation range (may be empty). */
  val: [number, number];
  /** The test range: the rest (may be empty). */
  test: [number, number];
}

/**
 * How chronologicalSplit divides a series: by fractions, `{ train: 0.7, val: 0.15 }` (the test set
 * is the rest), or by counts from the end, `{ testLast: 24, valLast: 24 }` (the rest is training).
 */
export type SplitOptions =
  /** Fractions of the series; test = the rest. E.g. { train: 0.7, val: 0.15 }. */
  | { train: number; val?: number }
  /** The last `test` points are the test set, the `val` before them validation, the rest training. */
  | { testLast: number; valLast?: number };

/**
 * Chronological split of T points. Fractions round down for train and val so the test set gets
 * the remainder. Every non-empty range is checked; training must have at least one point.
 */
export function chronologicalSplit(T: number, options: SplitOptions): SplitRanges {
  checkInt('chronologicalSplit', 'T', T, 1);
  let nTrain: number;
  let nVal: number;
  if ('testLast' in options) {
    const { testLast, valLast = 0 } = options;
    checkInt('chronologicalSplit', 'testLast', testLast, 0);
    checkInt('chronologicalSplit', 'valLast', valLast, 0);
    nVal = valLast;
    nTrain = T - testLast - valLast;
    if (nTrain < 1) {
      throw new ConfigError(`[chronologicalSplit] testLast + valLast = ${testLast + valLast} leaves no training data in a series of ${T} points. Hint: hold out fewer points.`);
    }
  } else {
    const { train, val = 0 } = options;
    if (!(train > 0 && train <= 1) || !(val >= 0 && val < 1) || train + val > 1) {
      throw new ConfigError(`[chronologicalSplit] fractions must satisfy 0 < train <= 1, 0 <= val < 1, train + val <= 1; received train=${train}, val=${val}.`);
    }
    nTrain = Math.floor(T * train);
    nVal = Math.floor(T * val);
    if (nTrain < 1) throw new ConfigError(`[chronologicalSplit] train=${train} of ${T} points is less than one point. Hint: use a larger fraction.`);
  }
  return { train: [0, nTrain], val: [nTrain, nTrain + nVal], test: [nTrain + nVal, T] };
}

/** Windows per split (splitWindows); a split too short for one window is null. */
export interface SplitWindows {
  /** Windows whose horizon lies in the training range. */
  train: Windows;
  /** Windows whose horizon lies in the validation range, or null. */
  val: Windows | null;
  /** Windows whose horizon lies in the test range, or null. */
  test: Windows | null;
}

/**
 * Windows for each split: a window belongs to the split that holds its whole horizon, so no target
 * value is shared between splits (inputs of the first validation window may come from the end of
 * the training range, which is the past). A split too short for even one window gives null,
 * except training, which is an error.
 */
export function splitWindows(features: readonly ArrayLike<number>[], target: ArrayLike<number>, ranges: SplitRanges, options: Omit<WindowOptions, 'targetStart' | 'targetEnd'>): SplitWindows {
  const train = makeWindows(features, target, { ...options, targetStart: ranges.train[0], targetEnd: ranges.train[1] });
  const maybe = (r: [number, number]): Windows | null =>
    r[1] - Math.max(r[0], options.lookback) >= options.horizon
      ? makeWindows(features, target, { ...options, targetStart: r[0], targetEnd: r[1] })
      : null;
  return { train, val: maybe(ranges.val), test: maybe(ranges.test) };
}
