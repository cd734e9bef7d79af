// The forecasting application behind `longshort forecast`, on top of src/forecast: read one or
// many series (and their covariates) from CSV text, backtest the global LSTM against the
// baselines (optionally after a grid search), forecast past the end of the data, and turn the
// results into the CSV, the JSON report and the model file's extra. Browser-safe: text in,
// text and numbers out (the CLI reads and writes the files).
//
// The model file is an ordinary longshort model file (the layers of src/forecast/model.ts in one
// Sequential); its extra holds everything needed to forecast again from the same kind of CSV:
// how the panel was read, the options, the fitted scaling, the series ids and input names.

import { parseCsv } from '../data/csv.js';
import type { MissingPolicy, TimeStep } from '../data/missing.js';
import { ConfigError, FormatError } from '../errors.js';
import type { Sequential } from '../nn/sequential.js';
import { baselineLabel, type BaselineName } from '../forecast/baselines.js';
import {
  backtest,
  baselineFuture,
  checkBacktest,
  checkFoldsFit,
  forecastFuture,
  memberConfig,
  netConfigFor,
  specOf,
  type BacktestCallbacks,
  type BacktestOptions,
  type BacktestReport,
  type FoldReport,
  type ModelOptions,
  type ResumePoint,
  type Scores,
  type SeriesFold,
} from '../forecast/backtest.js';
import { interval, reportLevels, type Forecast } from '../forecast/heads.js';
import { ForecastNet, membersFromContainer } from '../forecast/model.js';
import { resolveModelOptions } from '../forecast/options.js';
import { addFutureRows, formatTime, panelFromTable, timeAt, type CalendarFeature, type Panel, type PanelOptions } from '../forecast/panel.js';
import { gridSearch, type Grid, type SearchCallbacks, type SearchResult } from '../forecast/search.js';
import { WindowBuilder, scalingFromJSON, scalingToJSON, type FoldScalingJSON } from '../forecast/windows.js';
import { Tensor } from '../tensor.js';

/** How loadPanel() reads the CSV: the panel's columns, plus the future rows and holidays as text. */
export interface LoadOptions extends PanelOptions {
  /** CSV text of the future rows of the future-known columns. */
  futureText?: string;
  /** Text with one holiday date per line (a CSV's first column; a header line is skipped). */
  holidaysText?: string;
}

/** Reads the panel (and its future rows) from CSV text; `horizon` is how many future rows each series needs. */
export function loadPanel(text: string, o: LoadOptions, horizon: number): Panel {
  const holidays = o.holidaysText === undefined ? undefined : holidayLines(o.holidaysText);
  let panel = panelFromTable(parseCsv(text), { ...o, holidays });
  if (o.futureText !== undefined) panel = addFutureRows(panel, parseCsv(o.futureText), horizon);
  else if (panel.futureNames.length > 0) {
    // Backtests need no future rows; the forecast past the end does. Say so before any training.
    throw new ConfigError(
      `[forecast] future-known column${panel.futureNames.length > 1 ? 's' : ''} ${panel.futureNames.map((n) => `'${n}'`).join(', ')} need${panel.futureNames.length > 1 ? '' : 's'} their values for the ${horizon} steps after the end of every series to forecast past the data; none were given. ` +
        'Hint: pass --future-file with those rows (the id and date columns and the future-known columns).',
    );
  }
  return panel;
}

function holidayLines(text: string): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.split(/[,;\t]/)[0].trim()).filter((l) => l !== '');
  // A header line (not a date) is skipped.
  if (lines.length > 0 && !/^\d{4}-\d{2}/.test(lines[0])) lines.shift();
  if (lines.length === 0) throw new FormatError('[forecast] the holidays file lists no dates. Hint: one date per line, YYYY-MM-DD.');
  return lines;
}

/** What runForecast() does: the model options (horizon required, the rest defaulted from the data), the backtest, an optional grid search. */
export interface RunOptions {
  /** Model options; every one left out gets its default from the panel (resolveModelOptions). */
  model: Partial<ModelOptions> & { horizon: number };
  /** The backtest's folds. */
  backtest: BacktestOptions;
  /** Grid search before the backtest (null = none). */
  search: Grid | null;
  /** Keep sample paths of the future forecast (distribution heads). */
  keepSamples?: boolean;
}

/** Progress callbacks of runForecast(): the search's and the backtest's, plus the start of each phase. */
export interface RunCallbacks extends BacktestCallbacks, SearchCallbacks {
  /** When the search or the backtest starts; `detail` says how much it will run ('16 combinations', '3 folds'). */
  onPhase?(phase: 'search' | 'backtest', detail: string): void | Promise<void>;
}

/** What runForecast() resolves to. */
export interface RunResult {
  /** The options used (after the search, the winner's). */
  options: ModelOptions;
  /** The grid search's results, or null without one. */
  search: SearchResult | null;
  /** The backtest's report (with the last fold's trained models). */
  report: BacktestReport;
  /** Null when training was interrupted. */
  future: Forecast[] | null;
  /** Each baseline's future forecast per series, by name; null when training was interrupted. */
  baselineFuture: Record<string, Forecast[]> | null;
  /** A callback stopped training before the run finished. */
  interrupted: boolean;
}

/** Resolves the options against the data and checks that the folds fit, before anything is trained or written. */
export function prepareRun(panel: Panel, r: RunOptions): ModelOptions {
  const b = checkBacktest(r.backtest, r.model.horizon);
  const holdOut = r.model.horizon + (b.folds - 1) * b.stride;
  const options = resolveModelOptions(panel, r.model, holdOut);
  checkFoldsFit(panel, options.horizon, b.folds, b.stride);
  return options;
}

/**
 * The whole forecasting pipeline of `longshort forecast`: resolves the options against the data,
 * searches the grid (optionally), backtests the global LSTM against the baselines, and forecasts
 * the H steps after every series' end with the last fold's model. Throws ConfigError for bad
 * options, ShapeError when the series are too short for the folds, DivergenceError when training diverges.
 * @example
 * ```ts
 * const panel = loadPanel(csvText, { target: 'CO2', date: 'Date', missing: 'interpolate' }, 24);
 * const run = await runForecast(panel, { model: { horizon: 24 }, backtest: { folds: 3 }, search: null });
 * console.log(comparison(run.report));   // model vs the best baseline, by mean MASE
 * const csv = forecastCsv(panel, run);   // backtest points and the future forecast
 * ```
 */
export async function runForecast(panel: Panel, r: RunOptions, cb: RunCallbacks = {}, resume?: { options: ModelOptions; point: ResumePoint }): Promise<RunResult> {
  const b = checkBacktest(r.backtest, r.model.horizon);
  let options = resume?.options ?? prepareRun(panel, r);
  let search: SearchResult | null = null;
  if (r.search !== null && resume === undefined) {
    await cb.onPhase?.('search', `${Object.values(r.search).reduce((n, v) => n * (v?.length ?? 1), 1)} combinations`);
    search = await gridSearch(panel, options, r.backtest, r.search, cb);
    options = search.best;
  }
  await cb.onPhase?.('backtest', `${b.folds} fold${b.folds > 1 ? 's' : ''}`);
  const report = await backtest(panel, options, r.backtest, cb, resume?.point);
  if ('interrupted' in report) return { options, search, report, future: null, baselineFuture: null, interrupted: true };
  const future = forecastFuture(panel, report.members, report.scaling, options, r.keepSamples ?? false, report.calibration);
  const baselines: Record<string, Forecast[]> = {};
  for (const name of report.methods) if (name !== 'model') baselines[name] = baselineFuture(panel, name, options);
  return { options, search, report, future, baselineFuture: baselines, interrupted: false };
}

// ------------------------------------------------------------------------------- model files

/** How a panel was read, as JSON in a forecast model file, so the same kind of CSV can be read again. */
export interface PanelInfo {
  /** The target column. */
  target: string;
  /** The table's layout. */
  layout: Panel['layout'];
  /** The id column (long layout), else null. */
  idColumn: string | null;
  /** The date column, or null. */
  dateColumn: string | null;
  /** The series columns (wide layout), else null. */
  wide: string[] | null;
  /** The date grid, or null. */
  step: TimeStep | null;
  /** Past-only covariate columns. */
  pastNames: string[];
  /** Future-known covariate columns. */
  futureNames: string[];
  /** Static covariate columns. */
  staticNames: string[];
  /** Calendar features used. */
  calendar: CalendarFeature[];
  /** Holiday dates (ms), or null. */
  holidays: number[] | null;
  /** The missing-value policy used. */
  missing: MissingPolicy;
  /** The series ids, in panel order. */
  ids: string[];
}

/** What a forecast model file keeps in its extra. */
export interface ForecastExtra {
  /** Always 'forecast'. */
  app: 'forecast';
  /** Format version of this extra. */
  version: 2;
  /** How the panel was read. */
  panel: PanelInfo;
  /** The model options the network was trained with. */
  options: ModelOptions;
  /** The backtest's folds. */
  backtest: { folds: number; stride: number; window: 'expanding' | 'sliding'; trainSize: number | null };
  /** The last fold's scaling. */
  scaling: FoldScalingJSON;
  /** Names of the network's input columns. */
  inputNames: string[];
  /** Conformal factors per member ([member][level pair][step]), or null. */
  calibration: number[][][] | null;
  /** Checkpoints only: folds finished before the interruption, and where the next one stopped. */
  done?: SerializedFold[];
  /** Checkpoints only: the ensemble member being trained. */
  member?: number;
  /** Checkpoints only: its stage. */
  stage?: 'calibration' | 'model';
}

/** How `panel` was read (for the model file's extra), with the missing policy and wide columns used. */
export function panelInfo(panel: Panel, missing: MissingPolicy, wide: readonly string[] | null): PanelInfo {
  return {
    target: panel.target,
    layout: panel.layout,
    idColumn: panel.idColumn,
    dateColumn: panel.dateColumn,
    wide: wide === null ? null : [...wide],
    step: panel.step,
    pastNames: panel.pastNames,
    futureNames: panel.futureNames,
    staticNames: panel.staticNames,
    calendar: panel.calendar,
    holidays: panel.holidays === null ? null : Array.from(panel.holidays),
    missing,
    ids: panel.series.map((s) => s.id),
  };
}

/** The extra a forecast model file keeps: panel info, options, folds, scaling, input names and conformal factors. */
export function forecastExtra(panel: Panel, info: PanelInfo, options: ModelOptions, bo: BacktestOptions, report: Pick<BacktestReport, 'scaling' | 'inputNames' | 'calibration'>): ForecastExtra {
  const b = checkBacktest(bo, options.horizon);
  return {
    app: 'forecast',
    version: 2,
    panel: info,
    options,
    backtest: { folds: b.folds, stride: b.stride, window: b.window, trainSize: b.trainSize },
    scaling: scalingToJSON(report.scaling),
    inputNames: report.inputNames,
    calibration: report.calibration,
  };
}

/** The networks (ensemble members) of a forecast model file, checked against its extra. */
export function forecastNetFromFile(model: Sequential, extra: Record<string, unknown>): { net: ForecastNet; members: ForecastNet[]; extra: ForecastExtra } {
  const e = extra as unknown as ForecastExtra;
  if (e.app !== 'forecast') throw new FormatError(`[forecast] this model file was written by '${String(e.app)}', not by forecast.`);
  if (e.version !== 2) {
    throw new FormatError(`[forecast] this forecast model file has format version ${String(e.version)}; this longshort reads version 2 (files from before many-series forecasting). Hint: train it again with longshort forecast.`);
  }
  const levels = reportLevels(e.options.intervals);
  const count = model.layers.filter((l) => l.name === 'lstm' || /^lstm_\d+$/.test(l.name)).length;
  const stub = { series: e.panel.ids.map((id) => ({ id })), pastNames: e.panel.pastNames, futureNames: e.panel.futureNames, staticNames: e.panel.staticNames, calendar: e.panel.calendar, holidays: e.panel.holidays } as unknown as Panel;
  const configs = Array.from({ length: count }, (_, j) => ({ ...memberConfig(stub, e.options, levels, j), inputSize: e.inputNames.length }));
  const members = membersFromContainer(model, configs);
  return { net: members[0], members, extra: e };
}

// -------------------------------------------------------------------------- checkpoints

/** A finished fold as JSON (typed arrays as number arrays; the training state left out). */
export interface SerializedFold {
  /** The fold's report, its training run reduced to the logs. */
  report: Omit<FoldReport, 'training'> & { training: { epochs: FoldReport['training']['epochs']; windows: number; validationWindows: number; bestEpoch: number | null } };
  /** The fold's (series, fold) details with number arrays. */
  details: { series: number; fold: number; cutoff: number; actual: number[]; forecasts: Record<string, { point: number[]; intervals: [number[], number[]][] }>; scores: Record<string, Scores & { sums: unknown }> }[];
}

/** A finished fold as JSON for a checkpoint (deserializeFold reverses it). */
export function serializeFold(report: FoldReport, details: SeriesFold[]): SerializedFold {
  const { training, ...rest } = report;
  return {
    report: { ...rest, training: { epochs: training.epochs, windows: training.windows, validationWindows: training.validationWindows, bestEpoch: training.bestEpoch } },
    details: details.map((d) => ({
      series: d.series,
      fold: d.fold,
      cutoff: d.cutoff,
      actual: Array.from(d.actual),
      forecasts: Object.fromEntries(Object.entries(d.forecasts).map(([k, f]) => [k, { point: Array.from(f.point), intervals: f.intervals.map(([a, b]) => [Array.from(a), Array.from(b)] as [number[], number[]]) }])),
      scores: Object.fromEntries(Object.entries(d.scores).map(([k, s]) => [k, { ...s, sums: (s as { sums?: unknown }).sums }])),
    })),
  };
}

/** A fold from serializeFold() output, typed arrays restored (the training state is not kept). */
export function deserializeFold(f: SerializedFold): { report: FoldReport; details: SeriesFold[] } {
  const details: SeriesFold[] = f.details.map((d) => ({
    series: d.series,
    fold: d.fold,
    cutoff: d.cutoff,
    actual: Float64Array.from(d.actual),
    forecasts: Object.fromEntries(Object.entries(d.forecasts).map(([k, v]) => [k, { point: Float64Array.from(v.point), intervals: v.intervals.map(([a, b]) => [Float64Array.from(a), Float64Array.from(b)] as [Float64Array, Float64Array]) }])),
    scores: Object.fromEntries(
      Object.entries(d.scores).map(([k, s]) => {
        const { sums, ...rest } = s;
        Object.defineProperty(rest, 'sums', { value: sums, enumerable: false });
        return [k, rest as Scores];
      }),
    ),
  }));
  return { report: f.report as unknown as FoldReport, details };
}

// ---------------------------------------------------------------------------------- outputs

const CSV_NAMES: Record<BaselineName, string> = {
  naive: 'naive',
  seasonalNaive: 'seasonal_naive',
  drift: 'drift',
  seasonalNaiveDrift: 'seasonal_naive_drift',
  holtWinters: 'holt_winters',
};

function num(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : '';
}

function quote(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The forecast CSV: every scored test point of every fold (truth, the model's median and interval
 * bounds, each baseline's point forecast), then the future horizon of every series (truth empty).
 */
export function forecastCsv(panel: Panel, run: RunResult): string {
  const o = run.options;
  const H = o.horizon;
  const baselines = run.report.methods.filter((m) => m !== 'model') as BaselineName[];
  const pct = o.intervals.map((c) => String(Math.round(c * 1000) / 10));
  const multi = panel.series.length > 1 || panel.layout !== 'single';
  const hasDates = panel.dateColumn !== null;
  const header = [
    ...(multi ? ['series'] : []),
    panel.dateColumn ?? 'step',
    'part',
    'fold',
    'actual',
    'forecast',
    ...pct.flatMap((p) => [`lo${p}`, `hi${p}`]),
    ...baselines.map((b) => CSV_NAMES[b]),
  ];
  const lines = [header.join(',')];
  const label = (i: number, t: number): string => {
    const s = panel.series[i];
    return hasDates ? (panel.step === null ? new Date(timeAt(s, null, t)).toISOString() : new Date(timeAt(s, panel.step, t)).toISOString().slice(0, 10)) : String(t);
  };
  const details = [...run.report.details].sort((a, b) => a.series - b.series || a.fold - b.fold);
  for (const d of details) {
    for (let k = 0; k < d.actual.length; k++) {
      const row = [
        ...(multi ? [quote(panel.series[d.series].id)] : []),
        label(d.series, d.cutoff + k),
        'test',
        String(d.fold),
        num(d.actual[k]),
        num(d.forecasts.model.point[k]),
        ...d.forecasts.model.intervals.flatMap(([lo, hi]) => [num(lo[k]), num(hi[k])]),
        ...baselines.map((b) => num(d.forecasts[b].point[k])),
      ];
      lines.push(row.join(','));
    }
  }
  if (run.future !== null) {
    panel.series.forEach((s, i) => {
      const f = run.future![i];
      const ints = o.intervals.map((c) => interval(f, c));
      for (let k = 0; k < H; k++) {
        const row = [
          ...(multi ? [quote(s.id)] : []),
          label(i, s.y.length + k),
          'future',
          '',
          '',
          num(f.point[k]),
          ...ints.flatMap(([lo, hi]) => [num(lo[k]), num(hi[k])]),
          ...baselines.map((b) => num(run.baselineFuture![b][i].point[k])),
        ];
        lines.push(row.join(','));
      }
    });
  }
  return lines.join('\n') + '\n';
}

/** Sample paths of the future forecast as CSV: series, date, sample, value (distribution heads). */
export function samplesCsv(panel: Panel, run: RunResult): string | null {
  if (run.future === null || run.future.every((f) => f.samples === null)) return null;
  const H = run.options.horizon;
  const lines = [`series,${panel.dateColumn ?? 'step'},sample,value`];
  panel.series.forEach((s, i) => {
    const f = run.future![i];
    if (f.samples === null) return;
    const S = f.samples.length / H;
    for (let n = 0; n < S; n++) {
      for (let k = 0; k < H; k++) {
        const t = timeAt(s, panel.step, s.y.length + k);
        lines.push(`${quote(s.id)},${panel.dateColumn === null ? t : formatTime(t, panel.step, true)},${n},${num(f.samples[n * H + k])}`);
      }
    }
  });
  return lines.join('\n') + '\n';
}

/** Table rows of a scores record: method label and the numbers. */
export function scoreRows(scores: Record<string, Scores>, methods: readonly string[], season: number, intervals: readonly number[]): (string | number)[][] {
  const pct = intervals.map((c) => String(Math.round(c * 1000) / 10));
  return methods.map((m) => {
    const s = scores[m];
    return [m === 'model' ? 'model (LSTM)' : baselineLabel(m as BaselineName, season), s.mae, s.rmse, s.smape, s.mase, ...pct.map((p) => percentText(s.coverage[p])), Number.isFinite(s.wql) ? s.wql.toPrecision(3) : '-'];
  });
}

/** A share as a percentage with one decimal ('83.3'). */
export function percentText(v: number): string {
  return Number.isFinite(v) ? (v * 100).toFixed(1) : '-';
}

/** Column headers of scoreRows()'s table, with one coverage column per interval. */
export function scoreHeader(intervals: readonly number[]): string[] {
  return ['', 'MAE', 'RMSE', 'sMAPE %', 'MASE', ...intervals.map((c) => `cover ${Math.round(c * 1000) / 10}%`), 'wQL'];
}

/** "model MASE 0.61 vs best baseline Holt-Winters 0.72: 15% lower". */
export function comparison(report: BacktestReport): string {
  const m = report.overall.model.mase;
  const b = report.overall[report.bestBaseline].mase;
  const label = baselineLabel(report.bestBaseline, report.options.season);
  const rel = ((m - b) / b) * 100;
  const verdict = !Number.isFinite(rel) ? 'not comparable' : m < b ? `${Math.abs(rel).toFixed(1)}% lower: the model wins` : m > b ? `${rel.toFixed(1)}% higher: the baseline wins` : 'a tie';
  return `model mean MASE ${m.toFixed(3)} vs the best baseline, ${label}, ${b.toFixed(3)} (${verdict})`;
}

/** The input window (1, T, F) the future forecast of series `series` reads, embedding columns filled (for `longshort gates`). */
export function forecastGateInput(model: Sequential, extraRaw: Record<string, unknown>, text: string, series = 0, origin?: number): { x: Tensor; steps: string[]; description: string } {
  const { net, extra } = forecastNetFromFile(model, extraRaw);
  const p = extra.panel;
  const panel = panelFromTable(parseCsv(text), {
    target: p.target,
    date: p.dateColumn ?? undefined,
    id: p.idColumn ?? undefined,
    wide: p.wide ?? undefined,
    past: p.pastNames,
    // Future-known values are known in the history; the window before the end needs no future rows.
    future: p.futureNames,
    static: p.staticNames,
    missing: p.missing,
    calendar: p.calendar,
  });
  if (!(series >= 0 && series < panel.series.length)) throw new ConfigError(`[gates] series must be in [0, ${panel.series.length}); received ${series}.`);
  const scaling = scalingFromJSON(extra.scaling);
  if (scaling.start.length !== panel.series.length) {
    throw new ConfigError(`[gates] the model was trained on ${scaling.start.length} series; '${p.target}' in this file has ${panel.series.length}. Hint: pass the file it was trained on.`);
  }
  const builder = new WindowBuilder(panel, specOf(extra.options), scaling);
  const s = panel.series[series];
  const o = origin !== undefined && origin > 0 ? origin : s.y.length;
  if (o + extra.options.horizon > s.y.length && p.futureNames.length > 0) {
    throw new ConfigError(`[gates] a window ending at row ${o} reads future-known values past the data; pass an earlier --index (at most ${s.y.length - extra.options.horizon}).`);
  }
  const batch = builder.allocate(1);
  builder.fill(batch, 0, series, o, 0);
  net.forward(batch, 1, builder.T, builder.F, extra.options.horizon, false); // fills the embedding columns
  const L = extra.options.lookback;
  const steps = Array.from({ length: builder.T }, (_, l) => {
    const t = o - L + l;
    return p.dateColumn === null ? String(t) : formatTime(timeAt(s, panel.step, t), panel.step, true) + (t >= o ? '*' : '');
  });
  return {
    x: new Tensor(batch.x.slice(0, builder.T * builder.F), [1, builder.T, builder.F]),
    steps,
    description: `the ${L} input steps before ${o === s.y.length ? 'the end of the data' : `row ${o}`} of series '${s.id}' and the ${extra.options.horizon} forecast steps (marked *)`,
  };
}

export { netConfigFor };
