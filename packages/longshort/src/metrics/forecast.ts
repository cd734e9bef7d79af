// Forecast accuracy measures, the two baselines every forecast should beat, and seasonal-period
// detection. Definitions (A = actual, F = forecast, n = horizon points, y = training series):
//   MAE   = 1/n Σ|F−A|
//   RMSE  = sqrt(1/n Σ(F−A)²)
//   sMAPE = 200/n Σ |F−A| / (|A|+|F|)  in percent, 0..200; a term with A = F = 0 counts as 0
//           (a perfect forecast of zero is not an error). This is the symmetric form used in the
//           M3/M4 competitions; note it is not symmetric in over- vs under-forecasting.
//   MASE  = MAE / Q,  Q = 1/(T−m) Σ_{t=m}^{T−1} |y_t − y_{t−m}|  (Hyndman & Koehler 2006): the
//           in-sample MAE of the seasonal-naive forecast with period m on the TRAINING series
//           (m = 1: the naive forecast). MASE < 1 beats that baseline on average.
// Probabilistic forecasts (quantile forecasts q_τ at levels τ):
//   pinball      1/n Σ ρ_τ(A − q_τ),  ρ_τ(u) = τu if u ≥ 0, (τ − 1)u otherwise
//   coverage     share of points with lower ≤ A ≤ upper (an 80% interval should cover ~0.8)
//   wQL          mean over the levels of 2 Σ ρ_τ(A − q_τ) / Σ|A|  (GluonTS's mean weighted
//                quantile loss; over the deciles 0.1 … 0.9 it approximates CRPS / Σ|A|)
//   CRPS         ≈ 1/n Σ_points (2/K) Σ_k ρ_{τ_k}(A − q_{τ_k}), the quantile decomposition of the
//                continuous ranked probability score over K evenly spread levels (in data units)
// Left out: weighted or scaled-squared variants, interval (Winkler) scores.

import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';

/** Numbers in any array-like: number[], Float32Array, Float64Array, … */
export type Nums = ArrayLike<number>;

function checkPair(where: string, actual: Nums, forecast: Nums): void {
  if (actual.length !== forecast.length) {
    throw new ShapeError(`[${where}] actual and forecast must have the same length; received ${actual.length} and ${forecast.length}.`);
  }
  if (actual.length === 0) throw new ShapeError(`[${where}] needs at least one point; received empty arrays.`);
  checkFinite(where, 'actual', actual);
  checkFinite(where, 'forecast', forecast);
}

function checkFinite(where: string, name: string, x: Nums): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new NonFiniteError(`[${where}] ${name}[${i}] must be finite; received ${x[i]}.`);
  }
}

/**
 * Mean absolute error, in the data's units. `actual` and `forecast` must have the same non-zero
 * length (ShapeError) and be finite (NonFiniteError); the same holds for rmse, smape and mase.
 */
export function mae(actual: Nums, forecast: Nums): number {
  checkPair('mae', actual, forecast);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(forecast[i] - actual[i]);
  return s / actual.length;
}

/** Root mean squared error, in the data's units. */
export function rmse(actual: Nums, forecast: Nums): number {
  checkPair('rmse', actual, forecast);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (forecast[i] - actual[i]) ** 2;
  return Math.sqrt(s / actual.length);
}

/** Symmetric MAPE in percent (0..200); 0/0 terms count as 0. See the file header. */
export function smape(actual: Nums, forecast: Nums): number {
  checkPair('smape', actual, forecast);
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const den = Math.abs(actual[i]) + Math.abs(forecast[i]);
    if (den > 0) s += Math.abs(forecast[i] - actual[i]) / den;
  }
  return (200 * s) / actual.length;
}

/** The MASE denominator: in-sample MAE of the seasonal-naive forecast (period m) on the training series. */
export function maseScale(train: Nums, m = 1): number {
  if (!Number.isInteger(m) || m < 1) throw new ConfigError(`[mase] seasonal period m must be an integer >= 1; received ${m}.`);
  if (train.length <= m) {
    throw new ShapeError(`[mase] the training series must be longer than m = ${m} to compute the scale; received ${train.length} points. Hint: use m = 1 for short series.`);
  }
  checkFinite('mase', 'train', train);
  let s = 0;
  for (let t = m; t < train.length; t++) s += Math.abs(train[t] - train[t - m]);
  return s / (train.length - m);
}

/** Mean absolute scaled error (Hyndman & Koehler 2006); see the file header. */
export function mase(actual: Nums, forecast: Nums, train: Nums, m = 1): number {
  checkPair('mase', actual, forecast);
  const q = maseScale(train, m);
  if (q === 0) {
    throw new ConfigError(`[mase] the training series does not change over any lag of m = ${m}, so the scale is 0 and MASE is undefined. Hint: report MAE instead, or pick another m.`);
  }
  return mae(actual, forecast) / q;
}

/** All four measures at once. */
export function forecastMetrics(actual: Nums, forecast: Nums, train: Nums, m = 1): { mae: number; rmse: number; smape: number; mase: number } {
  return { mae: mae(actual, forecast), rmse: rmse(actual, forecast), smape: smape(actual, forecast), mase: mase(actual, forecast, train, m) };
}

/** Naive forecast: the last observed value repeated for h steps. */
export function naiveForecast(history: Nums, h: number): Float64Array {
  if (!Number.isInteger(h) || h < 1) throw new ConfigError(`[naiveForecast] horizon h must be an integer >= 1; received ${h}.`);
  if (history.length === 0) throw new ShapeError('[naiveForecast] history must hold at least one value; received none.');
  return new Float64Array(h).fill(history[history.length - 1]);
}

/** Seasonal-naive forecast: step k repeats the value one season earlier, history[T − m + (k mod m)]. */
export function seasonalNaiveForecast(history: Nums, h: number, m: number): Float64Array {
  if (!Number.isInteger(h) || h < 1) throw new ConfigError(`[seasonalNaiveForecast] horizon h must be an integer >= 1; received ${h}.`);
  if (!Number.isInteger(m) || m < 1) throw new ConfigError(`[seasonalNaiveForecast] period m must be an integer >= 1; received ${m}.`);
  const T = history.length;
  if (T < m) throw new ShapeError(`[seasonalNaiveForecast] history must hold at least one season (m = ${m}); received ${T} values.`);
  const out = new Float64Array(h);
  for (let k = 0; k < h; k++) out[k] = history[T - m + (k % m)];
  return out;
}

/**
 * Sample autocorrelation r_k for k = 0..maxLag:
 * r_k = Σ_{t=0}^{N−k−1} (x_t − x̄)(x_{t+k} − x̄) / Σ_t (x_t − x̄)²  (the usual biased estimator,
 * which keeps |r_k| <= 1 and shrinks long lags). A constant series gives r_0 = 1 and 0 elsewhere.
 */
export function acf(x: Nums, maxLag: number): Float64Array {
  const N = x.length;
  if (!Number.isInteger(maxLag) || maxLag < 0 || maxLag >= N) {
    throw new ConfigError(`[acf] maxLag must be an integer in [0, ${N - 1}] for a series of ${N} points; received ${maxLag}.`);
  }
  checkFinite('acf', 'x', x);
  let mean = 0;
  for (let t = 0; t < N; t++) mean += x[t];
  mean /= N;
  let den = 0;
  for (let t = 0; t < N; t++) den += (x[t] - mean) ** 2;
  const r = new Float64Array(maxLag + 1);
  r[0] = 1;
  if (den === 0) return r;
  for (let k = 1; k <= maxLag; k++) {
    let s = 0;
    for (let t = 0; t + k < N; t++) s += (x[t] - mean) * (x[t + k] - mean);
    r[k] = s / den;
  }
  return r;
}

/** Options of detectSeasonPeriod() and detectSeasonPeriodDetailed(). */
export interface SeasonOptions {
  /** Largest lag considered; default floor(N/2) of the (differenced) series. */
  maxLag?: number;
  /** A peak must have r_k above this; default 0.3 (white noise of a few hundred points stays near ±0.1). */
  threshold?: number;
  /** 'difference' (default) removes a trend by first differences before the ACF; 'none' uses x as is. */
  detrend?: 'difference' | 'none';
}

/** What detectSeasonPeriodDetailed() found. */
export interface SeasonResult {
  /** Detected period; 1 when no lag qualifies (non-seasonal). */
  period: number;
  /** r at that period (NaN when period = 1). */
  strength: number;
  /** The ACF that was searched (of the differenced series when detrend = 'difference'). */
  acf: Float64Array;
}

/**
 * Seasonal period from the autocorrelation function: among lags 2..maxLag after the ACF first goes
 * below zero, the local maxima (r_k > r_{k−1} and r_k >= r_{k+1}) above the threshold; the highest
 * one wins, unless a divisor of it also peaks within 10% of its height (then the smallest such
 * divisor: the fundamental rather than a multiple). Trends make the
 * ACF of the raw series decay slowly with no peaks, hence the default first difference.
 */
export function detectSeasonPeriodDetailed(x: Nums, options: SeasonOptions = {}): SeasonResult {
  const { threshold = 0.3, detrend = 'difference' } = options;
  if (detrend !== 'difference' && detrend !== 'none') {
    throw new ConfigError(`[detectSeasonPeriod] detrend must be 'difference' or 'none'; received ${JSON.stringify(detrend)}.`);
  }
  let y: Float64Array;
  if (detrend === 'difference') {
    y = new Float64Array(Math.max(x.length - 1, 0));
    for (let t = 1; t < x.length; t++) y[t - 1] = x[t] - x[t - 1];
  } else y = Float64Array.from(x);
  if (y.length < 8) {
    throw new ShapeError(`[detectSeasonPeriod] needs at least ${detrend === 'difference' ? 9 : 8} points to look for a season; received ${x.length}.`);
  }
  const maxLag = Math.min(options.maxLag ?? Math.floor(y.length / 2), y.length - 2);
  if (!Number.isInteger(maxLag) || maxLag < 2) throw new ConfigError(`[detectSeasonPeriod] maxLag must be an integer >= 2; received ${options.maxLag}.`);
  const r = acf(y, maxLag + 1); // one extra lag so the last candidate can be tested as a peak
  // Peaks count only once the ACF has dipped below zero: a slowly decaying ACF (trend, long memory)
  // has small bumps near lag 0 that are noise, not seasons.
  const peaks: number[] = [];
  let crossed = false;
  for (let k = 1; k <= maxLag; k++) {
    if (r[k] < 0) crossed = true;
    if (k >= 2 && crossed && r[k] > r[k - 1] && r[k] >= r[k + 1] && r[k] > threshold) peaks.push(k);
  }
  if (peaks.length === 0) return { period: 1, strength: NaN, acf: r };
  let best = peaks[0];
  for (const k of peaks) if (r[k] > r[best]) best = k;
  // Multiples of the true period peak almost as high, and noise can put one of them on top (a
  // weekly cycle showing up as 21): prefer the smallest divisor of the winner that peaks within
  // 10% of it.
  for (const k of peaks) {
    if (k < best && best % k === 0 && r[k] >= 0.9 * r[best]) {
      best = k;
      break;
    }
  }
  return { period: best, strength: r[best], acf: r };
}

/** Seasonal period (1 = none found); see detectSeasonPeriodDetailed. */
export function detectSeasonPeriod(x: Nums, options: SeasonOptions = {}): number {
  return detectSeasonPeriodDetailed(x, options).period;
}

function checkLevels(where: string, actual: Nums, quantiles: readonly Nums[], levels: readonly number[]): void {
  if (quantiles.length !== levels.length || levels.length === 0) {
    throw new ShapeError(`[${where}] needs one quantile forecast per level and at least one level; received ${quantiles.length} forecasts for ${levels.length} levels.`);
  }
  levels.forEach((q, k) => {
    if (!(q > 0 && q < 1)) throw new ConfigError(`[${where}] levels[${k}] must lie in (0, 1); received ${q}.`);
    checkPair(where, actual, quantiles[k]);
  });
}

/** Mean pinball (quantile) loss of one quantile forecast at `level`. */
export function pinball(actual: Nums, forecast: Nums, level: number): number {
  checkLevels('pinball', actual, [forecast], [level]);
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const u = actual[i] - forecast[i];
    s += u >= 0 ? level * u : (level - 1) * u;
  }
  return s / actual.length;
}

/** Share of actual values inside [lower, upper]. */
export function coverage(actual: Nums, lower: Nums, upper: Nums): number {
  checkPair('coverage', actual, lower);
  checkPair('coverage', actual, upper);
  let inside = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] >= lower[i] && actual[i] <= upper[i]) inside++;
  return inside / actual.length;
}

/** Mean over levels of 2 Σ ρ_τ / Σ|A| (GluonTS mean_wQuantileLoss). NaN when every actual is 0. */
export function weightedQuantileLoss(actual: Nums, quantiles: readonly Nums[], levels: readonly number[]): number {
  checkLevels('weightedQuantileLoss', actual, quantiles, levels);
  let abs = 0;
  for (let i = 0; i < actual.length; i++) abs += Math.abs(actual[i]);
  if (abs === 0) return NaN;
  let s = 0;
  levels.forEach((q, k) => (s += (2 * pinball(actual, quantiles[k], q) * actual.length) / abs));
  return s / levels.length;
}

/** CRPS approximated from quantile forecasts at evenly spread levels (e.g. the deciles), in data units. */
export function crpsFromQuantiles(actual: Nums, quantiles: readonly Nums[], levels: readonly number[]): number {
  checkLevels('crpsFromQuantiles', actual, quantiles, levels);
  let s = 0;
  levels.forEach((q, k) => (s += pinball(actual, quantiles[k], q)));
  return (2 * s) / levels.length;
}
