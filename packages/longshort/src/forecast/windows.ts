// Training windows for a global forecasting model, built batch by batch from the panel (never all
// at once), and the scaling fitted per fold.
//
// A window of series i at origin o spans T = L + H steps, t = o − L … o + H − 1: the L steps of
// history before o and the H steps to forecast. The LSTM reads all T steps; its outputs at the
// last H steps are the forecast. Per step the input holds:
//   y        the target, scaled: (y_t − a)/s  (a = y_{o−1}, the last observed value; s the series'
//            scale), or y_t/ν for the negative-binomial head; 0 at future or padded steps
//   observed 1 at history steps inside the series, 0 at padding (before the series starts) and at
//            the H future steps
//   horizon  (t − o + 1)/H at future steps, 0 before
//   lag      (m > 1) y_{t−m} scaled like y and a flag that it is known (t − m < o, inside the series):
//            at a future step this is the seasonal-naive forecast
//   past-only covariates (0 at future steps), future-known covariates, calendar features
//            (sin/cos of month of year and day of week, a holiday count), static covariates,
//            each standardised with statistics pooled over the fold's training parts
//   level    log s standardised over the series (tells the global model each series' magnitude)
//   id       E columns for the learned series embedding, filled in by the model (src/forecast/model.ts)
// Targets at the future steps: (y_{o+k} − a − base_k)/s, or the raw counts y_{o+k} for the
// negative-binomial head (whose scale ν enters the likelihood instead, as in DeepAR). base_k is 0,
// or with a trend damping φ > 0 the damped continuation of the window's recent slope,
// slope·(φ + … + φ^(k+1)) with slope = (z_{o−1} − z_{o−1−P})/P, P = m (12 without a season): the
// network then learns corrections to a damped-trend forecast (as hybrid models learn corrections
// to exponential smoothing) instead of having to discover momentum from few series.
// Per series, fitted on that series' training part only, in this order: the transform g (log(1 + y)
// or none), the additive seasonal profile of g(y) (deseasonalize, m > 1: classical decomposition,
// subtracted from every value so the network sees the seasonally adjusted series and a zero output
// means "last adjusted value plus the usual seasonal shape"), the scale s = mean |z_t − z_{t−1}| of
// the result (the naive forecast's in-sample error; falls back to mean |z|, then 1); for the
// negative binomial only ν = 1 + mean y (no transform, no profile).
//
// Which origins train: o + H ≤ end (the whole horizon inside the training part) and at least
// min(L, end − start − H) observed points before o, so a short series still gives one window
// (padded) while long series give only full windows. The list of windows is never built: an
// epoch draws a permutation of window numbers (4 bytes each) and each batch maps its numbers to
// (series, origin) through per-series counts.
// Left out: lags other than 1 and m, per-window (rather than per-series) scaling.

import { ConfigError, ShapeError } from '../errors.js';
import { timeAt, type Panel, type PanelSeries } from './panel.js';

/**
 * The forecasting network's output head: 'quantile' (one output per quantile level, pinball loss),
 * 'gaussian' (mean and scale, Gaussian likelihood), 'negbin' (negative binomial for counts, DeepAR-style).
 */
export type HeadKind = 'quantile' | 'gaussian' | 'negbin';
/** 'log': the model works on log(1 + y) (multiplicative changes; needs y ≥ 0), forecasts are mapped back. */
export type Transform = 'none' | 'log';

/** The transform g and its inverse. */
export function forward(transform: Transform, v: number): number {
  return transform === 'log' ? Math.log1p(v) : v;
}
/** The inverse of g: maps the model's units back to the data's. */
export function inverse(transform: Transform, v: number): number {
  return transform === 'log' ? Math.expm1(v) : v;
}

/** The shape of a forecasting window and what its inputs hold. */
export interface WindowSpec {
  /** L: history steps before the forecast origin. */
  lookback: number;
  /** H: steps forecast from the origin. */
  horizon: number;
  /** Season m ≥ 1 (m > 1 adds the lag-m input). */
  season: number;
  /** The output head the targets are scaled for. */
  head: HeadKind;
  /** g applied to y before anything else. */
  transform: Transform;
  /** Subtract each series' additive seasonal profile (m > 1, not for the negative binomial); see seasonalProfile. */
  deseasonalize: boolean;
  /** Width of the learned series embedding (0 = none). */
  embeddingDim: number;
  /** Damping φ of the trend base (0 = none): see the file header. */
  trend?: number;
}

/** Mean and standard deviation of one covariate column. */
export interface ColStats {
  mean: number;
  std: number;
}

/** Everything fitted on one fold's training parts to scale inputs and targets (fitScaling); saved with a model. */
export interface FoldScaling {
  /** Per series: the training part is [start, end) of y. */
  start: Int32Array;
  /** Per series: end (exclusive) of the training part. */
  end: Int32Array;
  /** Per series: s (location-scale heads) or ν (negative binomial). */
  scale: Float64Array;
  /** (S, m) seasonal profile per series, indexed by t mod m (in the transformed units), or null. */
  seasonal: Float64Array | null;
  /** The season m of the profile. */
  season: number;
  /** Mean and std of each past-only covariate, pooled over the training parts. */
  past: ColStats[];
  /** Mean and std of each future-known covariate. */
  future: ColStats[];
  /** Mean and std of each static covariate across series. */
  statics: ColStats[];
  /** log-scale standardisation across series. */
  level: ColStats;
}

/** What a model file stores to rebuild the scaling it was trained with. */
export type FoldScalingJSON = { start: number[]; end: number[]; scale: number[]; seasonal: number[] | null; season: number; past: ColStats[]; future: ColStats[]; statics: ColStats[]; level: ColStats };

/** A FoldScaling as plain JSON, for model files. */
export function scalingToJSON(f: FoldScaling): FoldScalingJSON {
  return { start: Array.from(f.start), end: Array.from(f.end), scale: Array.from(f.scale), seasonal: f.seasonal === null ? null : Array.from(f.seasonal), season: f.season, past: f.past, future: f.future, statics: f.statics, level: f.level };
}

/** A FoldScaling from scalingToJSON() output (typed arrays restored; the JSON is trusted, not checked). */
export function scalingFromJSON(j: FoldScalingJSON): FoldScaling {
  return {
    start: Int32Array.from(j.start),
    end: Int32Array.from(j.end),
    scale: Float64Array.from(j.scale),
    seasonal: j.seasonal === null ? null : Float64Array.from(j.seasonal),
    season: j.season,
    past: j.past,
    future: j.future,
    statics: j.statics,
    level: j.level,
  };
}

/**
 * Additive seasonal profile of z[start, end) by classical decomposition: a centred moving average
 * of length m (2×m for even m) is the trend, the mean of z − trend at each position t mod m is the
 * raw index, centred to sum 0. Fewer than 2m points: all zeros (no profile).
 */
export function seasonalProfile(z: ArrayLike<number>, start: number, end: number, m: number, out = new Float64Array(m)): Float64Array {
  out.fill(0);
  if (m < 2 || end - start < 2 * m) return out;
  const half = Math.floor(m / 2);
  const even = m % 2 === 0;
  const sum = new Float64Array(m);
  const cnt = new Float64Array(m);
  for (let t = start + half; t < end - half; t++) {
    let ma = 0;
    if (even) {
      ma = 0.5 * z[t - half] + 0.5 * z[t + half];
      for (let j = t - half + 1; j < t + half; j++) ma += z[j];
    } else {
      for (let j = t - half; j <= t + half; j++) ma += z[j];
    }
    ma /= m;
    sum[t % m] += z[t] - ma;
    cnt[t % m]++;
  }
  let mean = 0;
  for (let j = 0; j < m; j++) {
    out[j] = cnt[j] > 0 ? sum[j] / cnt[j] : 0;
    mean += out[j] / m;
  }
  for (let j = 0; j < m; j++) out[j] -= mean;
  return out;
}

function stats(sum: number, sumSq: number, n: number): ColStats {
  if (n === 0) return { mean: 0, std: 1 };
  const mean = sum / n;
  const v = sumSq / n - mean * mean;
  return { mean, std: v > 1e-12 * Math.max(1, mean * mean) ? Math.sqrt(v) : 1 };
}

/** The scale of one series on y[start, end); see the file header. */
export function seriesScale(y0: ArrayLike<number>, start: number, end: number, head: HeadKind, transform: Transform = 'none'): number {
  const n = end - start;
  const y = transform === 'none' ? y0 : Float64Array.from(y0, (v) => forward(transform, v));
  if (head === 'negbin') {
    let s = 0;
    for (let t = start; t < end; t++) s += y[t];
    return 1 + (n > 0 ? Math.max(0, s / n) : 0);
  }
  let d = 0;
  for (let t = start + 1; t < end; t++) d += Math.abs(y[t] - y[t - 1]);
  if (n > 1 && d > 0) return d / (n - 1);
  let a = 0;
  for (let t = start; t < end; t++) a += Math.abs(y[t]);
  return n > 0 && a > 0 ? a / n : 1;
}

/** Fits the per-series profiles and scales and pooled covariate statistics on each series' training part [start, end). */
export function fitScaling(panel: Panel, spec: WindowSpec, start: ArrayLike<number>, end: ArrayLike<number>): FoldScaling {
  const { head, transform, season: m } = spec;
  const deseason = spec.deseasonalize && m > 1 && head !== 'negbin';
  const seasonal = deseason ? new Float64Array(panel.series.length * m) : null;
  const S = panel.series.length;
  const st = Int32Array.from(start);
  const en = Int32Array.from(end);
  const scale = new Float64Array(S);
  const acc = (k: number) => Array.from({ length: k }, () => ({ s: 0, q: 0, n: 0 }));
  const past = acc(panel.pastNames.length);
  const fut = acc(panel.futureNames.length);
  const stat = acc(panel.staticNames.length);
  let ls = 0;
  let lq = 0;
  panel.series.forEach((s, i) => {
    if (!(0 <= st[i] && st[i] < en[i] && en[i] <= s.y.length)) {
      throw new ConfigError(`[fitScaling] series '${s.id}': the training part must satisfy 0 ≤ start < end ≤ ${s.y.length}; received [${st[i]}, ${en[i]}).`);
    }
    if (seasonal !== null) {
      const z = Float64Array.from(s.y, (v) => forward(transform, v));
      const prof = seasonalProfile(z, st[i], en[i], m, seasonal.subarray(i * m, (i + 1) * m));
      for (let t = 0; t < z.length; t++) z[t] -= prof[t % m];
      scale[i] = seriesScale(z, st[i], en[i], head);
    } else scale[i] = seriesScale(s.y, st[i], en[i], head, transform);
    const l = Math.log(scale[i]);
    ls += l;
    lq += l * l;
    s.past.forEach((col, c) => {
      for (let t = st[i]; t < en[i]; t++) (past[c].s += col[t]), (past[c].q += col[t] * col[t]), past[c].n++;
    });
    s.future.forEach((col, c) => {
      for (let t = st[i]; t < en[i]; t++) (fut[c].s += col[t]), (fut[c].q += col[t] * col[t]), fut[c].n++;
    });
    s.statics.forEach((v, c) => ((stat[c].s += v), (stat[c].q += v * v), stat[c].n++));
  });
  const fin = (a: { s: number; q: number; n: number }[]) => a.map((x) => stats(x.s, x.q, x.n));
  return { start: st, end: en, scale, seasonal, season: m, past: fin(past), future: fin(fut), statics: fin(stat), level: stats(ls, lq, S) };
}

/** Names of the input columns in order (before the embedding columns). */
export function inputNames(panel: Panel, spec: WindowSpec): string[] {
  const names = ['y', 'observed', 'horizon'];
  if (spec.season > 1) names.push(`y lag ${spec.season}`, `lag ${spec.season} known`);
  names.push(...panel.pastNames.map((n) => `past: ${n}`), ...panel.futureNames.map((n) => `future: ${n}`));
  for (const c of panel.calendar) names.push(`${c} sin`, `${c} cos`);
  if (panel.holidays !== null) names.push('holidays');
  names.push(...panel.staticNames.map((n) => `static: ${n}`), 'log scale');
  for (let e = 0; e < spec.embeddingDim; e++) names.push(`id embedding ${e}`);
  return names;
}

/** Buffers for up to `capacity` windows, reused batch after batch. */
export interface WindowBatch {
  /** Windows filled. */
  size: number;
  /** (B, T, F) inputs. */
  x: Float32Array;
  /** (B, H) targets at the future steps (0 where there is none). */
  target: Float32Array;
  /** (B, H) 1 where a future step has a target. */
  mask: Float32Array;
  /** (B, H) ν per value (negative binomial), else 1. */
  nbScale: Float32Array;
  /** (B) series index and origin. */
  series: Int32Array;
  origin: Int32Array;
  /** (B) a and s, and (B, H) the seasonal profile at the future steps: forecast = g⁻¹(a + offset + s·output). */
  anchor: Float64Array;
  scale: Float64Array;
  offset: Float64Array;
}

/**
 * Fills batches of forecasting windows for one fold: for series i at origin o, the L history steps
 * and H future steps as (T, F) inputs (see the file's header for the columns) and the H scaled
 * targets. Windows are built batch by batch into reused buffers, never all at once.
 */
export class WindowBuilder {
  /** Steps per window, L + H. */
  readonly T: number;
  /** Input features per step, embedding columns included. */
  readonly F: number;
  /** Columns before the embedding. */
  readonly F0: number;
  private readonly holidayDays: Set<number> | null;
  private trendBase = new Float64Array(0);
  private readonly holidayMonths: Map<number, number> | null;

  /** A builder over `panel` with a fold's scaling; a lookback, horizon or season that is not an integer ≥ 1 throws ConfigError. */
  constructor(
    readonly panel: Panel,
    readonly spec: WindowSpec,
    readonly scaling: FoldScaling,
  ) {
    const { lookback: L, horizon: H, season: m } = spec;
    for (const [k, v] of [['lookback', L], ['horizon', H], ['season', m]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ConfigError(`[WindowBuilder] ${k} must be an integer ≥ 1; received ${v}.`);
    }
    this.T = L + H;
    this.F0 = inputNames(panel, { ...spec, embeddingDim: 0 }).length;
    this.F = this.F0 + spec.embeddingDim;
    if (panel.holidays !== null) {
      this.holidayDays = new Set(Array.from(panel.holidays));
      this.holidayMonths = new Map();
      for (const d of panel.holidays) {
        const dt = new Date(d);
        const key = dt.getUTCFullYear() * 12 + dt.getUTCMonth();
        this.holidayMonths.set(key, (this.holidayMonths.get(key) ?? 0) + 1);
      }
    } else {
      this.holidayDays = null;
      this.holidayMonths = null;
    }
  }

  /** Buffers for up to `capacity` windows, to fill() and reuse batch after batch. */
  allocate(capacity: number): WindowBatch {
    const { T, F } = this;
    return {
      size: 0,
      x: new Float32Array(capacity * T * F),
      target: new Float32Array(capacity * this.spec.horizon),
      mask: new Float32Array(capacity * this.spec.horizon),
      nbScale: new Float32Array(capacity * this.spec.horizon).fill(1),
      series: new Int32Array(capacity),
      origin: new Int32Array(capacity),
      anchor: new Float64Array(capacity),
      scale: new Float64Array(capacity),
      offset: new Float64Array(capacity * this.spec.horizon),
    };
  }

  /** First and last training origin of series i (last < first: none). */
  originRange(i: number, endOverride?: number): [number, number] {
    const { lookback: L, horizon: H } = this.spec;
    const start = this.scaling.start[i];
    const end = endOverride ?? this.scaling.end[i];
    const minObs = Math.max(1, Math.min(L, end - start - H));
    return [start + minObs, end - H];
  }

  /**
   * Fills window b of `batch` for series i at origin o. Targets are filled where o + k lies inside
   * the series (and before `targetEnd`, default the series' length); elsewhere the mask stays 0.
   * `flip` mirrors the window around its anchor (y inputs and targets negated; see augment).
   */
  fill(batch: WindowBatch, b: number, i: number, o: number, targetEnd?: number, flip = false): void {
    const { panel, spec, scaling, T, F, F0 } = this;
    const { lookback: L, horizon: H, season: m, head } = spec;
    const s: PanelSeries = panel.series[i];
    if (this.trendBase.length !== H) this.trendBase = new Float64Array(H);
    const base = this.trendBase;
    const lg = spec.transform === 'log';
    const prof = scaling.seasonal === null ? null : scaling.seasonal.subarray(i * m, (i + 1) * m);
    const Y = (t: number): number => (lg ? Math.log1p(s.y[t]) : s.y[t]) - (prof === null ? 0 : prof[t % m]);
    const Ty = s.y.length;
    if (!(o >= 1 && o <= Ty)) throw new ShapeError(`[WindowBuilder] series '${s.id}': an origin must lie in [1, ${Ty}] (after at least one observation); received ${o}.`);
    const start = scaling.start[i];
    const nb = head === 'negbin';
    const sc = scaling.scale[i];
    const a = nb ? 0 : Y(o - 1);
    const inv = (flip ? -1 : 1) / sc;
    const tEnd = Math.min(targetEnd ?? Ty, Ty);
    batch.series[b] = i;
    batch.origin[b] = o;
    batch.anchor[b] = a;
    batch.scale[b] = sc;
    // The trend base: base_k = slope·(φ + φ² + … + φ^(k+1)), slope = the mean change of the
    // (adjusted) series over the last P = m steps (12 without a season) before o.
    const phi = nb ? 0 : (spec.trend ?? 0);
    let slope = 0;
    if (phi > 0) {
      const p0 = Math.max(start, o - 1 - (m > 1 ? m : Math.min(12, L)));
      if (o - 1 - p0 >= 2) slope = (a - Y(p0)) / (o - 1 - p0);
    }
    for (let k = 0, acc = 0, pw = 1; k < H; k++) {
      pw *= phi;
      acc += pw;
      base[k] = slope * acc;
      batch.offset[b * H + k] = (prof === null ? 0 : prof[(o + k) % m]) + base[k];
    }
    const x = batch.x;
    const levelFeature = (Math.log(sc) - scaling.level.mean) / scaling.level.std;
    const nPast = s.past.length;
    const nFut = s.future.length;
    for (let l = 0; l < T; l++) {
      const t = o - L + l;
      const row = (b * T + l) * F; // x[b, l, :]
      x.fill(0, row, row + F0);
      const inHist = t >= start && t < o;
      const future = t >= o;
      let f = 0;
      x[row + f++] = inHist ? (Y(t) - a) * inv : 0;
      x[row + f++] = inHist ? 1 : 0;
      x[row + f++] = future ? (t - o + 1) / H : 0;
      if (m > 1) {
        const tl = t - m;
        const known = tl >= start && tl < o;
        x[row + f++] = known ? (Y(tl) - a) * inv : 0;
        x[row + f++] = known ? 1 : 0;
      }
      for (let c = 0; c < nPast; c++) {
        const st = scaling.past[c];
        x[row + f++] = inHist ? (s.past[c][t] - st.mean) / st.std : 0;
      }
      for (let c = 0; c < nFut; c++) {
        const st = scaling.future[c];
        const col = s.future[c];
        if (t >= start && t < col.length) x[row + f] = (col[t] - st.mean) / st.std;
        else if (t >= start) {
          throw new ShapeError(
            `[forecast] future-known column '${panel.futureNames[c]}' has no value for step ${t - Ty + 1} after the end of series '${s.id}'; a forecast ${H} steps ahead needs ${H}. ` +
              'Hint: supply the future rows (--future-file), or forecast fewer steps.',
          );
        }
        f++;
      }
      if (panel.calendar.length > 0 || this.holidayDays !== null) {
        const time = timeAt(s, panel.step, t);
        const d = new Date(time);
        for (const c of panel.calendar) {
          const phase = c === 'month' ? (2 * Math.PI * d.getUTCMonth()) / 12 : (2 * Math.PI * d.getUTCDay()) / 7;
          x[row + f++] = Math.sin(phase);
          x[row + f++] = Math.cos(phase);
        }
        if (this.holidayDays !== null) {
          x[row + f++] =
            panel.step === 'month'
              ? this.holidayMonths!.get(d.getUTCFullYear() * 12 + d.getUTCMonth()) ?? 0
              : this.holidayDays.has(Math.floor(time / 86_400_000) * 86_400_000)
                ? 1
                : 0;
        }
      }
      for (let c = 0; c < s.statics.length; c++) {
        const st = scaling.statics[c];
        x[row + f++] = (s.statics[c] - st.mean) / st.std;
      }
      x[row + f++] = levelFeature;
      if (future) {
        const k = b * H + (t - o); // target[b, t − o]
        const has = t < tEnd;
        batch.mask[k] = has ? 1 : 0;
        batch.target[k] = has ? (nb ? s.y[t] : (Y(t) - a - base[t - o]) * inv) : 0;
        batch.nbScale[k] = nb ? sc : 1;
      }
    }
  }
}

/**
 * Training windows of a fold, numbered 0 … N−1 without listing them: series i owns numbers
 * [offset[i], offset[i+1]), its k-th window starts at origin first[i] + k.
 */
export class WindowIndex {
  readonly offset: Float64Array; // (S + 1); float64 so counts beyond 2³¹ cannot wrap
  readonly first: Int32Array;
  readonly count: number;

  constructor(builder: WindowBuilder, endOverride?: (i: number) => number) {
    const S = builder.panel.series.length;
    this.offset = new Float64Array(S + 1);
    this.first = new Int32Array(S);
    for (let i = 0; i < S; i++) {
      const [a, z] = builder.originRange(i, endOverride?.(i));
      this.first[i] = a;
      this.offset[i + 1] = this.offset[i] + Math.max(0, z - a + 1);
    }
    this.count = this.offset[S];
  }

  /** (series, origin) of window number g. */
  locate(g: number): [number, number] {
    let lo = 0;
    let hi = this.first.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offset[mid] <= g) lo = mid;
      else hi = mid - 1;
    }
    return [lo, this.first[lo] + (g - this.offset[lo])];
  }
}
