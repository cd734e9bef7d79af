// The forecasting application behind `longshort forecast`: a CSV table → a univariate target
// series (plus optional feature columns) → an LSTM trained on the chronological past that
// forecasts the next H values in one forward pass (direct multi-output: the Dense head has H
// outputs), evaluated on the held-out tail against the naive and seasonal-naive baselines.
//
// What the network sees and predicts (why: a small LSTM on raw levels of a trending series must
// extrapolate to values it never saw in training; on differences it only has to learn a shape):
//   inputs, per time step t of the lookback window:
//     s_t = y_t − y_{t−m}   the seasonal difference (m = season; m = 1 gives the first difference)
//     d_t = y_t − y_{t−1}   the first difference (left out when m = 1, where it equals s_t)
//     each --features column, as is
//   each input column standardised with mean/std fitted on the training part only;
//   targets: the residual of the seasonal-naive forecast from the forecast origin o,
//     r_k = y_{o+k} − y_{o−m+(k mod m)},  k = 0 … H−1,
//   standardised per k (StandardScaler over H columns, fitted on training windows only).
// The forecast is the seasonal-naive forecast plus the predicted residual, so the network only
// has to learn how the seasonal-naive forecast is wrong (for CO₂: the year-on-year growth).
//
// Splits by time: training | validation (the `horizon` points before the test part, when the
// training part stays large enough; used for the validation loss only) | test (the last
// `holdout` points, default = horizon). Test forecasts start at the test part's first point
// and then every H points, each from the true history before it; MASE is scaled by the in-sample
// seasonal-naive error on everything before the test part.
// Left out: probabilistic forecasts, several target columns, recursive (fed-back) forecasting,
// exogenous features known in the future (a feature column is only used as past input).

import { Tensor } from '../tensor.js';
import { ConfigError, FormatError, ShapeError } from '../errors.js';
import { parseCsv, columnIndex, numericColumns, dateColumn, spreadsheetRow, type CsvTable, type MissingPolicy } from '../data/csv.js';
import { applyMissing, MISSING_POLICIES, regularizeTimeSeries, type TimeStep } from '../data/missing.js';
import { StandardScaler, scalerFromJSON, type ScalerJSON } from '../data/scale.js';
import { detectSeasonPeriod, forecastMetrics, naiveForecast, seasonalNaiveForecast } from '../metrics/forecast.js';
import { LSTM } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Sequential } from '../nn/sequential.js';
import { predict } from '../train/fit.js';

// ------------------------------------------------------------------------------------------ data

export interface SeriesOptions {
  target: string;
  features?: readonly string[];
  date?: string;
  missing?: MissingPolicy;
}

export interface ForecastSeries {
  target: string;
  features: string[];
  /** (T) the target. */
  y: Float64Array;
  /** Feature columns, each (T). */
  x: Float64Array[];
  /** ms since the epoch per point, or null without a date column. */
  times: Float64Array | null;
  /** Grid of the dates: 'month', 'day', or null (no dates, or irregular). */
  step: TimeStep | null;
  /** How many missing values / missing time steps were filled or dropped (for the report). */
  filled: number;
}

const DAY_MS = 86_400_000;

/** Reads the target (and feature) columns, puts dated rows on a regular grid and applies the missing-value policy. */
export function loadSeries(text: string, o: SeriesOptions): ForecastSeries {
  const missing = o.missing ?? 'error';
  if (!MISSING_POLICIES.includes(missing)) {
    throw new ConfigError(`[forecast] --missing must be one of ${MISSING_POLICIES.join(', ')}; received '${String(missing)}'.`);
  }
  const table = parseCsv(text);
  const features = [...(o.features ?? [])];
  for (const f of features) columnIndex(table, f);
  columnIndex(table, o.target);
  if (features.includes(o.target)) {
    throw new ConfigError(`[forecast] --features must not repeat the target '${o.target}'; the target's own past is always an input.`);
  }
  const names = [o.target, ...features];
  if (o.date === undefined) {
    const cols = numericColumns(table, names, { missing });
    return { target: o.target, features, y: cols.values[0], x: cols.values.slice(1), times: null, step: null, filled: table.rowCount - cols.rows.length + countFilled(table, names, missing) };
  }
  // With dates: read the numbers with NaN kept, so that missing time steps and missing values are
  // filled (or refused) together, in time order.
  const raw = numericColumns(table, names, { missing });
  const times = dateColumn(table, o.date, { rows: raw.rows });
  checkIncreasing(table, o.date, times, raw.rows);
  const step = detectStep(times);
  if (step === null || missing === 'drop') {
    return { target: o.target, features, y: raw.values[0], x: raw.values.slice(1), times, step, filled: table.rowCount - raw.rows.length };
  }
  const reg = regularizeTimeSeries(times, raw.values, step, { label: (i) => `row ${spreadsheetRow(table, raw.rows[i])}` });
  if (reg.inserted > 0 && missing === 'error') {
    // Name the first gap by the rows around it, as the user sees them in a spreadsheet.
    let k = 0;
    while (k + 1 < times.length && nextStep(times[k], step) >= times[k + 1]) k++;
    throw new FormatError(
      `[forecast] the ${step === 'month' ? 'monthly' : 'daily'} dates in column '${o.date}' skip ${reg.inserted} ${step}${reg.inserted === 1 ? '' : 's'}, ` +
        `first after row ${spreadsheetRow(table, raw.rows[k])} (${isoDate(times[k], step)}, next ${isoDate(times[k + 1], step)}); a forecast needs evenly spaced points. ` +
        'Hint: pass --missing interpolate (or ffill) to fill the gaps, or --missing drop to ignore them.',
    );
  }
  const filledCols = applyMissing(names, reg.values, missing === 'error' ? 'error' : missing, (i) => i + 1, '[forecast]');
  return { target: o.target, features, y: filledCols.values[0], x: filledCols.values.slice(1), times: reg.times, step, filled: reg.inserted + countFilled(table, names, missing) };
}

function countFilled(table: CsvTable, names: readonly string[], missing: MissingPolicy): number {
  if (missing === 'error' || missing === 'drop') return 0;
  const cols = numericColumns(table, names, { missing: 'drop' });
  return table.rowCount - cols.rows.length;
}

function checkIncreasing(table: CsvTable, name: string, times: Float64Array, rows: readonly number[]): void {
  for (let i = 1; i < times.length; i++) {
    if (!(times[i] > times[i - 1])) {
      throw new FormatError(
        `[forecast] dates in column '${name}' must increase; row ${spreadsheetRow(table, rows[i])} (${new Date(times[i]).toISOString().slice(0, 10)}) ` +
          `is not after row ${spreadsheetRow(table, rows[i - 1])} (${new Date(times[i - 1]).toISOString().slice(0, 10)}). Hint: sort the file by date and remove duplicate dates.`,
      );
    }
  }
}

/** 'month' when every date is the same day of a month at midnight and steps are whole months; 'day' when steps are whole days, mostly 1. */
export function detectStep(times: Float64Array): TimeStep | null {
  if (times.length < 2) return null;
  const d0 = new Date(times[0]);
  const monthly = Array.from(times).every((t) => {
    const d = new Date(t);
    return d.getUTCDate() === d0.getUTCDate() && t % DAY_MS === 0 && d0.getUTCDate() <= 28;
  });
  if (monthly) {
    const gap = (new Date(times[1]).getUTCFullYear() - d0.getUTCFullYear()) * 12 + new Date(times[1]).getUTCMonth() - d0.getUTCMonth();
    if (gap >= 1 && gap <= 2 && daysBetween(times[0], times[1]) > 27) return 'month';
  }
  let ones = 0;
  for (let i = 1; i < times.length; i++) {
    const d = (times[i] - times[i - 1]) / DAY_MS;
    if (!Number.isInteger(d)) return null;
    if (d === 1) ones++;
  }
  if (ones >= (times.length - 1) / 2) return 'day';
  return null;
}

function daysBetween(a: number, b: number): number {
  return (b - a) / DAY_MS;
}

function nextStep(t: number, step: TimeStep): number {
  if (step === 'day') return t + DAY_MS;
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

function isoDate(t: number, step: TimeStep): string {
  return new Date(t).toISOString().slice(0, step === 'month' ? 7 : 10);
}

/** Dates of the H points after the last one (step numbers continue when there are no dates). */
export function futureTimes(s: ForecastSeries, H: number): Float64Array {
  const out = new Float64Array(H);
  const T = s.y.length;
  if (s.times === null) {
    for (let k = 0; k < H; k++) out[k] = T + k;
    return out;
  }
  if (s.step !== null) {
    let t = s.times[T - 1];
    for (let k = 0; k < H; k++) out[k] = t = nextStep(t, s.step);
    return out;
  }
  const dt = (s.times[T - 1] - s.times[0]) / (T - 1); // irregular dates: the mean spacing
  for (let k = 0; k < H; k++) out[k] = s.times[T - 1] + (k + 1) * dt;
  return out;
}

// ------------------------------------------------------------------------------------------ model

export interface ForecastConfig {
  horizon: number;
  lookback: number;
  /** m >= 1. */
  season: number;
  /** Points held out at the end (>= horizon). */
  holdout: number;
  hidden: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
}

/** What a model file needs (in its extra) to forecast again: the config, column names and fitted scalers. */
export interface ForecastExtra {
  app: 'forecast';
  target: string;
  features: string[];
  date: string | null;
  missing: MissingPolicy;
  config: ForecastConfig;
  /** The inputs are the seasonal/first differences of the target followed by the features, in this order. */
  inputs: string[];
  inputScaler: ScalerJSON;
  targetScaler: ScalerJSON;
  /** Index ranges [start, end) of the splits in the (regularised) series. */
  splits: { train: [number, number]; val: [number, number]; test: [number, number] };
}

export interface Prepared {
  x: Tensor;
  y: Tensor;
  val: { x: Tensor; y: Tensor } | null;
  extra: ForecastExtra;
}

/** Resolves the defaults that depend on the data (season, lookback, holdout) and checks that the series is long enough. */
export function resolveConfig(s: ForecastSeries, c: Partial<ForecastConfig> & { horizon: number }): ForecastConfig {
  const T = s.y.length;
  const H = c.horizon;
  if (!Number.isInteger(H) || H < 1) throw new ConfigError(`[forecast] --horizon must be a positive integer; received ${H}.`);
  const holdout = c.holdout ?? H;
  if (!Number.isInteger(holdout) || holdout < H) throw new ConfigError(`[forecast] --holdout must be an integer >= horizon (${H}); received ${holdout}.`);
  let season = c.season;
  if (season === undefined) {
    const trainPart = s.y.subarray(0, Math.max(0, T - holdout));
    season = trainPart.length >= 9 ? detectSeasonPeriod(trainPart) : 1;
  }
  if (!Number.isInteger(season) || season < 1) throw new ConfigError(`[forecast] --season must be a positive integer; received ${season}.`);
  const lookback = c.lookback ?? Math.max(2 * season, Math.min(H, 24), 8);
  if (!Number.isInteger(lookback) || lookback < 1) throw new ConfigError(`[forecast] --lookback must be a positive integer; received ${lookback}.`);
  // The first window needs m points to difference, `lookback` inputs and H targets, and the test
  // part and the MASE scale need history before them: at least 2 training windows.
  const need = season + lookback + H + 1 + holdout;
  if (T < need) {
    throw new ShapeError(
      `[forecast] the series is too short: season + lookback + horizon + 1 + holdout = ${season} + ${lookback} + ${H} + 1 + ${holdout} = ${need} rows are needed; ` +
        `received ${T} rows${s.filled > 0 ? ` (after handling ${s.filled} missing)` : ''}. Hint: use a smaller --horizon or --lookback${c.season === undefined && season > 1 ? ` (or --season 1; ${season} was detected)` : ''}.`,
    );
  }
  return {
    horizon: H,
    lookback,
    season,
    holdout,
    hidden: c.hidden ?? 32,
    epochs: c.epochs ?? 30,
    batchSize: c.batchSize ?? 32,
    lr: c.lr ?? 0.005,
    seed: c.seed ?? 0,
  };
}

/** Input columns (T each): seasonal difference, first difference (m > 1), features. NaN where undefined (t < m). */
export function inputColumns(s: ForecastSeries, m: number): { names: string[]; cols: Float64Array[] } {
  const T = s.y.length;
  const sd = new Float64Array(T).fill(NaN);
  for (let t = m; t < T; t++) sd[t] = s.y[t] - s.y[t - m];
  const names = [m === 1 ? `diff(${s.target})` : `${s.target} − ${m} steps earlier`];
  const cols = [sd];
  if (m > 1) {
    const d1 = new Float64Array(T).fill(NaN);
    for (let t = 1; t < T; t++) d1[t] = s.y[t] - s.y[t - 1];
    names.push(`diff(${s.target})`);
    cols.push(d1);
  }
  for (let f = 0; f < s.features.length; f++) {
    names.push(s.features[f]);
    cols.push(Float64Array.from(s.x[f]));
  }
  return { names, cols };
}

/** Seasonal-naive forecast from origin o (history y[0, o)): y[o − m + (k mod m)], k < H. */
function seasonalBase(y: ArrayLike<number>, o: number, m: number, H: number, out: Float64Array): void {
  for (let k = 0; k < H; k++) out[k] = y[o - m + (k % m)];
}

/** Windows with origins in [o0, o1] (inclusive, step 1): inputs (N, L, F) scaled, targets (N, H) raw residuals. */
function windowsAt(cols: Float64Array[], y: Float64Array, origins: number[], L: number, H: number, m: number): { x: Float32Array; r: Float64Array[] } {
  const F = cols.length;
  const N = origins.length;
  const x = new Float32Array(N * L * F); // (N, L, F)
  const r = Array.from({ length: H }, () => new Float64Array(N)); // H columns of N residuals
  const base = new Float64Array(H);
  for (let n = 0; n < N; n++) {
    const o = origins[n];
    for (let l = 0; l < L; l++) {
      const t = o - L + l;
      for (let f = 0; f < F; f++) x[(n * L + l) * F + f] = cols[f][t];
    }
    seasonalBase(y, o, m, H, base);
    for (let k = 0; k < H; k++) r[k][n] = o + k < y.length ? y[o + k] - base[k] : NaN;
  }
  return { x, r };
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

function toTarget(r: Float64Array[], N: number, H: number): Tensor {
  const y = new Float32Array(N * H);
  for (let n = 0; n < N; n++) for (let k = 0; k < H; k++) y[n * H + k] = r[k][n];
  return new Tensor(y, [N, H]);
}

/** Windows, scalers and the extra for a fresh model. */
export function prepareForecast(s: ForecastSeries, c: ForecastConfig, meta: { date: string | null; missing: MissingPolicy }): Prepared {
  const { horizon: H, lookback: L, season: m, holdout } = c;
  const T = s.y.length;
  const testStart = T - holdout;
  // Validation: the H points before the test part, if at least 2 training windows remain.
  const first = m + L; // earliest origin: inputs need y[t − m] for t >= o − L
  const valStart = testStart - H >= first + H + 2 * H ? testStart - H : testStart;
  const trainOrigins = range(first, valStart - H);
  if (trainOrigins.length < 1) throw new ShapeError(`[forecast] no training window fits before row ${valStart}; use a smaller --lookback or --horizon.`);
  const { names, cols } = inputColumns(s, m);
  const inputScaler = new StandardScaler().fit(cols, [m, valStart]);
  // Differences are undefined before step m; no window reads them (the first origin is m + L).
  const scaled = inputScaler.transform(cols.map((col) => col.map((v) => (Number.isNaN(v) ? 0 : v))));
  const tr = windowsAt(scaled, s.y, trainOrigins, L, H, m);
  const targetScaler = new StandardScaler().fit(tr.r);
  const y = toTarget(targetScaler.transform(tr.r), trainOrigins.length, H);
  const x = new Tensor(tr.x, [trainOrigins.length, L, cols.length]);
  let val: Prepared['val'] = null;
  if (valStart < testStart) {
    const v = windowsAt(scaled, s.y, [valStart], L, H, m);
    val = { x: new Tensor(v.x, [1, L, cols.length]), y: toTarget(targetScaler.transform(v.r), 1, H) };
  }
  return {
    x,
    y,
    val,
    extra: {
      app: 'forecast',
      target: s.target,
      features: s.features,
      date: meta.date,
      missing: meta.missing,
      config: c,
      inputs: names,
      inputScaler: inputScaler.toJSON(),
      targetScaler: targetScaler.toJSON(),
      splits: { train: [0, valStart], val: [valStart, testStart], test: [testStart, T] },
    },
  };
}

export function buildForecastModel(F: number, c: ForecastConfig): Sequential {
  return new Sequential(
    [
      ['lstm', new LSTM({ inputSize: F, hiddenSize: c.hidden, returnSequences: false, seed: c.seed })],
      ['head', new Dense({ inputSize: c.hidden, outputSize: c.horizon, seed: c.seed + 1 })],
    ],
    { seed: c.seed },
  );
}

/** Forecasts of H values from each origin (history y[0, o) only), in the data's units. */
export function forecastFrom(model: Sequential, s: ForecastSeries, extra: ForecastExtra, origins: number[]): Float64Array[] {
  const { horizon: H, lookback: L, season: m } = extra.config;
  const { cols } = inputColumns(s, m);
  if (cols.length !== extra.inputs.length) {
    throw new ConfigError(`[forecast] the model was trained on ${extra.inputs.length} inputs (${extra.inputs.join(', ')}); received ${cols.length}.`);
  }
  for (const o of origins) {
    if (o - L < m || o > s.y.length) throw new ShapeError(`[forecast] a forecast from row ${o} needs ${m + L} earlier rows; the series has ${s.y.length}.`);
  }
  const inScaler = scalerFromJSON(extra.inputScaler);
  const outScaler = scalerFromJSON(extra.targetScaler);
  const scaled = inScaler.transform(cols.map((col) => col.map((v) => (Number.isNaN(v) ? 0 : v))));
  const w = windowsAt(scaled, s.y, origins, L, H, m);
  const pred = predict(model, new Tensor(w.x, [origins.length, L, cols.length]));
  const resid = Array.from({ length: H }, (_, k) => Float64Array.from(origins, (_, n) => pred.data[n * H + k]));
  const unscaled = outScaler.inverseTransform(resid);
  const base = new Float64Array(H);
  return origins.map((o, n) => {
    seasonalBase(s.y, o, m, H, base);
    return Float64Array.from(base, (b, k) => b + unscaled[k][n]);
  });
}

export interface Metrics {
  mae: number;
  rmse: number;
  smape: number;
  mase: number;
}

export interface Evaluation {
  metrics: { model: Metrics; naive: Metrics; seasonalNaive: Metrics };
  /** Test part: index, truth and the three forecasts, point by point. */
  test: { index: number[]; actual: number[]; model: number[]; naive: number[]; seasonalNaive: number[] };
  /** The H points after the data's end. */
  future: { index: number[]; forecast: number[] };
  season: number;
}

/** Forecasts over the held-out tail (origins every H points) and beyond the end, with metrics. */
export function evaluateForecast(model: Sequential, s: ForecastSeries, extra: ForecastExtra): Evaluation {
  const { horizon: H, season: m } = extra.config;
  const [testStart, T] = extra.splits.test;
  const origins: number[] = [];
  for (let o = testStart; o < T; o += H) origins.push(o);
  const fc = forecastFrom(model, s, extra, origins);
  const test = { index: [] as number[], actual: [] as number[], model: [] as number[], naive: [] as number[], seasonalNaive: [] as number[] };
  origins.forEach((o, n) => {
    const len = Math.min(H, T - o);
    const hist = s.y.subarray(0, o);
    const nv = naiveForecast(hist, H);
    const sn = seasonalNaiveForecast(hist, H, m);
    for (let k = 0; k < len; k++) {
      test.index.push(o + k);
      test.actual.push(s.y[o + k]);
      test.model.push(fc[n][k]);
      test.naive.push(nv[k]);
      test.seasonalNaive.push(sn[k]);
    }
  });
  const train = s.y.subarray(0, testStart);
  const metric = (f: number[]): Metrics => forecastMetrics(test.actual, f, train, m);
  const future = forecastFrom(model, s, extra, [T])[0];
  return {
    metrics: { model: metric(test.model), naive: metric(test.naive), seasonalNaive: metric(test.seasonalNaive) },
    test,
    future: { index: range(T, T + H - 1), forecast: Array.from(future) },
    season: m,
  };
}

/** The forecast CSV: every held-out point with truth and the three forecasts, then the future horizon (truth empty). */
export function forecastCsv(s: ForecastSeries, ev: Evaluation, dateName: string | null): string {
  const fut = futureTimes(s, ev.future.index.length);
  const label = (i: number): string => {
    if (s.times === null) return String(i);
    const t = i < s.y.length ? s.times[i] : fut[i - s.y.length];
    return s.step === 'day' || s.step === 'month' ? new Date(t).toISOString().slice(0, 10) : new Date(t).toISOString();
  };
  const num = (v: number): string => (Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : '');
  const lines = [`${dateName ?? 'step'},part,actual,forecast,naive,seasonal_naive`];
  ev.test.index.forEach((i, k) => lines.push(`${label(i)},test,${num(ev.test.actual[k])},${num(ev.test.model[k])},${num(ev.test.naive[k])},${num(ev.test.seasonalNaive[k])}`));
  const hist = s.y;
  const nv = naiveForecast(hist, ev.future.index.length);
  const sn = seasonalNaiveForecast(hist, ev.future.index.length, ev.season);
  ev.future.index.forEach((i, k) => lines.push(`${label(i)},future,,${num(ev.future.forecast[k])},${num(nv[k])},${num(sn[k])}`));
  return lines.join('\n') + '\n';
}

/** The model's input window (1, L, F), scaled as in training, for a forecast from origin o (default: the data's end). */
export function inputWindow(s: ForecastSeries, extra: ForecastExtra, o = s.y.length): { x: Tensor; index: number[] } {
  const { horizon: H, lookback: L, season: m } = extra.config;
  if (o - L < m || o > s.y.length) throw new ShapeError(`[forecast] a window ending at row ${o} needs ${m + L} earlier rows; the series has ${s.y.length}.`);
  const { cols } = inputColumns(s, m);
  const scaled = scalerFromJSON(extra.inputScaler).transform(cols.map((col) => col.map((v) => (Number.isNaN(v) ? 0 : v))));
  const w = windowsAt(scaled, s.y, [o], L, H, m);
  return { x: new Tensor(w.x, [1, L, cols.length]), index: range(o - L, o - 1) };
}
