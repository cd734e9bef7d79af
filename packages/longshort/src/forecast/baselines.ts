// The baselines every forecast report compares the model with, each with a point forecast and a
// standard deviation per step (so every baseline also has prediction intervals, coverage and
// quantile losses). History y_1 … y_T, horizon step h = 1 … H, season m, k = ⌊(h − 1)/m⌋.
//
//   naive                  ŷ = y_T;                          sd = σ √h,          e_t = y_t − y_{t−1}
//   seasonal naive         ŷ = y_{T+h−m(k+1)};               sd = σ √(k+1),      e_t = y_t − y_{t−m}
//   drift                  ŷ = y_T + h·c,  c = (y_T − y_1)/(T − 1);   sd = σ √(h(1 + h/T)),  e_t = y_t − y_{t−1} − c
//   seasonal naive + drift ŷ = y_{T+h−m(k+1)} + (k+1)·c,  c = mean of y_t − y_{t−m} (n of them);
//                          sd = σ √((k+1)(1 + (k+1)/n)),  e_t = y_t − y_{t−m} − c
//                          (the drift method on the seasonal differences: ARIMA(0,0,0)(0,1,0)ₘ with drift)
//   Holt-Winters           additive trend and season (ETS(A,A,A) in error-correction form):
//                          e_t = y_t − (ℓ_{t−1} + b_{t−1} + s_{t−m})
//                          ℓ_t = ℓ_{t−1} + b_{t−1} + α e_t,  b_t = b_{t−1} + β e_t,  s_t = s_{t−m} + γ e_t
//                          ŷ_{T+h} = ℓ_T + h b_T + s_{T+h−m(k+1)}
//                          sd = σ √(1 + Σ_{j=1}^{h−1} c_j²),  c_j = α + βj + γ·[j mod m = 0]
//                          α, β, γ minimise the sum of squared one-step errors (least squares, as R's
//                          HoltWinters()) over 0 < α < 1, 0 < β < α, 0 < γ < 1 − α, by Nelder–Mead from
//                          several starts. Initial states from the first two seasons: ℓ = mean of
//                          season 1, b = (mean of season 2 − mean of season 1)/m, s_j = y_j − the line
//                          through them. m = 1 or fewer than 2m + 2 points: Holt's linear trend (no s).
// σ² is the mean squared one-step error e_t² of each method on the history (formulas from
// Hyndman & Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., §5.5 and §8.7).
// Left out: multiplicative and damped variants, Box-Cox transforms, bootstrapped intervals.

import { ConfigError, ShapeError } from '../errors.js';
import { nelderMead } from '../math/optimize.js';
import type { Nums } from '../metrics/forecast.js';

/** A baseline forecasting method (see baselineForecast). */
export type BaselineName = 'naive' | 'seasonalNaive' | 'drift' | 'seasonalNaiveDrift' | 'holtWinters';
/** Every baseline, in the order reports list them. */
export const BASELINES: readonly BaselineName[] = ['naive', 'seasonalNaive', 'drift', 'seasonalNaiveDrift', 'holtWinters'];

/** Human-readable names for tables. */
export function baselineLabel(name: BaselineName, m: number): string {
  switch (name) {
    case 'naive':
      return 'naive (last value)';
    case 'seasonalNaive':
      return `seasonal naive (m = ${m})`;
    case 'drift':
      return 'drift';
    case 'seasonalNaiveDrift':
      return `seasonal naive + drift (m = ${m})`;
    case 'holtWinters':
      return m > 1 ? `Holt-Winters (m = ${m})` : 'Holt (linear trend)';
  }
}

/** A baseline's forecast: a point forecast and the standard deviation of its error at every step. */
export interface PointSd {
  /** (H) point forecast. */
  point: Float64Array;
  /** (H) standard deviation of the forecast error. */
  sd: Float64Array;
}


function check(where: string, y: Nums, h: number, m: number, need: number): void {
  if (!Number.isInteger(h) || h < 1) throw new ConfigError(`[${where}] horizon must be an integer ≥ 1; received ${h}.`);
  if (!Number.isInteger(m) || m < 1) throw new ConfigError(`[${where}] season m must be an integer ≥ 1; received ${m}.`);
  if (y.length < need) throw new ShapeError(`[${where}] needs at least ${need} points of history; received ${y.length}.`);
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i])) throw new ShapeError(`[${where}] history[${i}] must be finite; received ${y[i]}.`);
}

function meanSq(e: number[]): number {
  if (e.length === 0) return 0;
  let s = 0;
  for (const v of e) s += v * v;
  return s / e.length;
}

/**
 * Naive forecast of H steps after history y: the last value, sd σ√h (σ² the mean squared one-step
 * change). Throws ConfigError for H < 1, ShapeError for an empty or non-finite history; the same
 * checks apply to every baseline.
 */
export function naive(y: Nums, H: number): PointSd {
  check('naive', y, H, 1, 1);
  const T = y.length;
  const e: number[] = [];
  for (let t = 1; t < T; t++) e.push(y[t] - y[t - 1]);
  const s = Math.sqrt(meanSq(e));
  return { point: new Float64Array(H).fill(y[T - 1]), sd: Float64Array.from({ length: H }, (_, i) => s * Math.sqrt(i + 1)) };
}

/** Seasonal-naive forecast: each step repeats the value one season (m steps) earlier; needs at least m points. */
export function seasonalNaive(y: Nums, H: number, m: number): PointSd {
  check('seasonalNaive', y, H, m, m);
  const T = y.length;
  const e: number[] = [];
  for (let t = m; t < T; t++) e.push(y[t] - y[t - m]);
  const s = Math.sqrt(meanSq(e));
  const point = new Float64Array(H);
  const sd = new Float64Array(H);
  for (let i = 0; i < H; i++) {
    const k = Math.floor(i / m); // h = i + 1
    point[i] = y[T - m + (i % m)];
    sd[i] = s * Math.sqrt(k + 1);
  }
  return { point, sd };
}

/** Drift forecast: the last value plus h times the mean change over the history; needs at least 2 points. */
export function drift(y: Nums, H: number): PointSd {
  check('drift', y, H, 1, 2);
  const T = y.length;
  const c = (y[T - 1] - y[0]) / (T - 1);
  const e: number[] = [];
  for (let t = 1; t < T; t++) e.push(y[t] - y[t - 1] - c);
  const s = Math.sqrt(meanSq(e));
  return {
    point: Float64Array.from({ length: H }, (_, i) => y[T - 1] + (i + 1) * c),
    sd: Float64Array.from({ length: H }, (_, i) => s * Math.sqrt((i + 1) * (1 + (i + 1) / T))),
  };
}

/** Seasonal naive plus the mean seasonal change per season (ARIMA(0,0,0)(0,1,0)ₘ with drift); needs at least m + 1 points. */
export function seasonalNaiveDrift(y: Nums, H: number, m: number): PointSd {
  check('seasonalNaiveDrift', y, H, m, m + 1);
  const T = y.length;
  const n = T - m;
  let c = 0;
  for (let t = m; t < T; t++) c += (y[t] - y[t - m]) / n;
  const e: number[] = [];
  for (let t = m; t < T; t++) e.push(y[t] - y[t - m] - c);
  const s = Math.sqrt(meanSq(e));
  const point = new Float64Array(H);
  const sd = new Float64Array(H);
  for (let i = 0; i < H; i++) {
    const k = Math.floor(i / m);
    point[i] = y[T - m + (i % m)] + (k + 1) * c;
    sd[i] = s * Math.sqrt((k + 1) * (1 + (k + 1) / n));
  }
  return { point, sd };
}

// ------------------------------------------------------------------------------- Holt-Winters

/** Smoothing parameters of Holt-Winters. */
export interface HoltWintersParams {
  /** Level smoothing α, in (0, 1). */
  alpha: number;
  /** Trend smoothing β, in (0, α). */
  beta: number;
  /** 0 without a season. */
  gamma: number;
}

/** A fitted Holt-Winters model (fitHoltWinters): parameters and the states after the last observation. */
export interface HoltWintersFit extends HoltWintersParams {
  /** Season length used (1 = Holt's linear trend, no seasonal states). */
  m: number;
  /** States after the last observation: level ℓ_T, trend b_T, and s_{T−m+1} … s_T (oldest first). */
  level: number;
  /** Trend b_T. */
  trend: number;
  /** Seasonal states s_{T−m+1} … s_T (one zero entry without a season). */
  season: Float64Array;
  /** Sum of squared one-step errors and how many errors it sums. */
  sse: number;
  /** Number of one-step errors in sse. */
  n: number;
}

/** Holt-Winters states at one time: level, trend and the last m seasonal states. */
export interface HoltWintersState {
  /** Level ℓ_t. */
  level: number;
  /** Trend b_t. */
  trend: number;
  /** m seasonal states, oldest first: s_{t−m+1} … s_t. */
  season: Float64Array;
}

/** Initial states from the first two seasons (or the first two points for Holt's linear trend); see the file header. */
export function holtWintersInit(y: Nums, m: number): HoltWintersState {
  if (m === 1) return { level: y[0], trend: y[1] - y[0], season: new Float64Array(1) };
  let a = 0;
  let b = 0;
  for (let j = 0; j < m; j++) {
    a += y[j] / m;
    b += y[m + j] / m;
  }
  const trend = (b - a) / m;
  const season = new Float64Array(m);
  for (let j = 0; j < m; j++) season[j] = y[j] - (a + trend * (j - (m - 1) / 2));
  return { level: a + (trend * (m - 1)) / 2, trend, season };
}

/**
 * Runs the recursions over y[start …] from the given state (the state at time start − 1) and
 * returns the state after the last point and the sum of squared one-step errors.
 */
export function holtWintersFilter(y: Nums, start: number, p: HoltWintersParams, init: HoltWintersState): { state: HoltWintersState; sse: number; n: number } {
  const m = init.season.length;
  const s = init.season.slice(); // ring: s[(t) mod m] holds s_{t−m} before step t (start aligned below)
  let level = init.level;
  let trend = init.trend;
  let sse = 0;
  const seasonal = m > 1;
  for (let t = start; t < y.length; t++) {
    const j = (t - start) % m; // the seasonal state s_{t−m}
    const st = seasonal ? s[j] : 0;
    const e = y[t] - (level + trend + st);
    sse += e * e;
    level = level + trend + p.alpha * e;
    trend = trend + p.beta * e;
    if (seasonal) s[j] = st + p.gamma * e;
  }
  const n = y.length - start;
  // Rotate so that season[0] is the oldest state s_{T−m+1}.
  const season = new Float64Array(m);
  const off = n % m;
  for (let k = 0; k < m; k++) season[k] = s[(off + k) % m];
  return { state: { level, trend, season }, sse, n };
}

/** Fits α, β, γ by least squares on the one-step errors; see the file header. */
export function fitHoltWinters(y: Nums, m: number): HoltWintersFit {
  check('holtWinters', y, 1, m, 3);
  const seasonal = m > 1 && y.length >= 2 * m + 2;
  const mm = seasonal ? m : 1;
  const init = holtWintersInit(y, mm);
  const start = seasonal ? m : 1;
  const sig = (u: number): number => 1 / (1 + Math.exp(-u));
  const map = (u: readonly number[]): HoltWintersParams => {
    const alpha = sig(u[0]);
    return { alpha, beta: alpha * sig(u[1]), gamma: seasonal ? (1 - alpha) * sig(u[2]) : 0 };
  };
  const sse = (u: readonly number[]): number => holtWintersFilter(y, start, map(u), init).sse;
  const logit = (p: number): number => Math.log(p / (1 - p));
  let best: { x: number[]; f: number } | null = null;
  // A few starts: slow and fast levels; the SSE surface is often flat in β and γ.
  for (const a0 of [0.2, 0.5, 0.8]) {
    const x0 = seasonal ? [logit(a0), logit(0.1), logit(0.2)] : [logit(a0), logit(0.1)];
    const r = nelderMead(sse, x0, { step: 1, maxIter: 400 });
    if (best === null || r.f < best.f) best = r;
  }
  const p = map(best!.x);
  const run = holtWintersFilter(y, start, p, init);
  return { ...p, m: mm, level: run.state.level, trend: run.state.trend, season: run.state.season, sse: run.sse, n: run.n };
}

/** Forecasts from a fitted model. */
export function holtWintersForecast(fit: HoltWintersFit, H: number): PointSd {
  const { m, alpha, beta, gamma } = fit;
  const sigma = Math.sqrt(fit.n > 0 ? fit.sse / fit.n : 0);
  const point = new Float64Array(H);
  const sd = new Float64Array(H);
  let acc = 0; // Σ_{j=1}^{h−1} c_j²
  for (let i = 0; i < H; i++) {
    const h = i + 1;
    point[i] = fit.level + h * fit.trend + (m > 1 ? fit.season[i % m] : 0);
    sd[i] = sigma * Math.sqrt(1 + acc);
    const cj = alpha + beta * h + (m > 1 && h % m === 0 ? gamma : 0); // c_j for j = h, used from step h + 1 on
    acc += cj * cj;
  }
  return { point, sd };
}

/**
 * Holt-Winters forecast with additive trend and season m, fitted by least squares (Holt's linear
 * trend when m = 1 or fewer than 2m + 2 points; the naive forecast below 3 points).
 */
export function holtWinters(y: Nums, H: number, m: number): PointSd {
  if (y.length < 3) return naive(y, H);
  return holtWintersForecast(fitHoltWinters(y, m), H);
}

/** One baseline's forecast of H steps after y. Falls back to a simpler method when the history is too short for it. */
export function baselineForecast(name: BaselineName, y: Nums, H: number, m: number): PointSd {
  switch (name) {
    case 'naive':
      return naive(y, H);
    case 'seasonalNaive':
      return y.length >= m ? seasonalNaive(y, H, m) : naive(y, H);
    case 'drift':
      return y.length >= 2 ? drift(y, H) : naive(y, H);
    case 'seasonalNaiveDrift':
      return y.length > m ? seasonalNaiveDrift(y, H, m) : y.length >= 2 ? drift(y, H) : naive(y, H);
    case 'holtWinters':
      return holtWinters(y, H, m);
    default:
      throw new ConfigError(`[baselineForecast] name must be one of ${BASELINES.join(', ')}; received '${String(name)}'.`);
  }
}
