// Rolling-origin backtesting of the global model against every baseline, and the future forecast.
//
// Folds k = 1 … K, per series of length T (stride S, horizon H):
//   cutoff_k = T − H − (K − k)·S       the model and the baselines see y[start_k, cutoff_k) only
//   test_k   = [cutoff_k, cutoff_k + H) the points scored
//   start_k  = 0 (expanding window) or max(0, cutoff_k − trainSize) (sliding window)
// so the last fold's test part is the last H points. For each fold a fresh model is trained
// (scalers fitted on that fold's training parts only), then every series is forecast from its
// cutoff. With an ensemble, N members (seeds moved by 7919·j) are trained per fold and their
// quantiles averaged; with conformal intervals each member first trains a calibration model
// without the last H training points and widens its intervals by the factors its errors give. Baselines are fitted on the same y[start_k, cutoff_k). MASE divides by the in-sample
// seasonal-naive MAE of that same training part (period m; m = 1 when it is shorter than m + 2).
// A series too short for a fold (fewer than H + 2 points before its cutoff) is left out of that
// fold's scores and counted in `skipped`.
// Aggregates: per fold and overall, MAE, RMSE, sMAPE and MASE are means over (series, fold);
// coverage is the share of all scored points inside the interval; wQL is pooled (Σ over every
// point of every series, GluonTS style); CRPS is the mean over points.
// The best baseline is the one with the lowest overall mean MASE; the report compares the model
// with it. The future forecast comes from the last fold's model at each series' end.
// Left out: refitting on all data for the future forecast, fold- or member-parallel training.

import { ConfigError, ShapeError } from '../errors.js';
import { maseScale } from '../metrics/forecast.js';
import { BASELINES, baselineForecast, type BaselineName } from './baselines.js';
import { DECILES, decodeForecasts, gaussianForecast, levelIndex, reportLevels, interval, type Forecast } from './heads.js';
import { ForecastNet, predictRaw, trainNet, type TrainOptions, type TrainResult } from './model.js';
import { WindowBuilder, fitScaling, inputNames, type FoldScaling, type HeadKind, type Transform, type WindowSpec } from './windows.js';
import type { Panel } from './panel.js';
import type { BatchLog, EpochLog, FitControl, TrainingState } from '../train/fit.js';

/**
 * Every setting of a forecasting run: windows, network, training, intervals, ensemble.
 * resolveModelOptions() fills in defaults from the panel and checks them (ConfigError).
 */
export interface ModelOptions {
  /** H: steps to forecast. */
  horizon: number;
  /** L: history steps the network reads before each forecast origin. */
  lookback: number;
  /** Season m (1 = none). */
  season: number;
  /** The network's output head. */
  head: HeadKind;
  /** 'log' models log(1 + y) (needs y ≥ 0). */
  transform: Transform;
  /** Subtract each series' seasonal profile before the network sees it (src/forecast/windows.ts). */
  deseasonalize: boolean;
  /** Damping φ of the trend base the network corrects (0 = none; src/forecast/windows.ts). */
  trend: number;
  /** Central interval coverages, e.g. [0.8, 0.95]. */
  intervals: number[];
  /** LSTM hidden size. */
  hidden: number;
  /** Stacked LSTM layers. */
  layers: number;
  /** Dropout between LSTM layers. */
  dropout: number;
  /** Width of the learned series-id embedding; 0 = none. */
  embeddingDim: number;
  /** Training epochs per fold. */
  epochs: number;
  /** Windows per batch. */
  batchSize: number;
  /** Adam's learning rate. */
  lr: number;
  /** Decoupled weight decay (AdamW); 0 = plain Adam. */
  weightDecay: number;
  /** Seed of weights and shuffling (ensemble member j uses seed + 7919·j). */
  seed: number;
  /** Windows per epoch: a random sample of this many, or null for all. */
  windowsPerEpoch: number | null;
  /** Hold out each series' last H training points for validation and early stopping. */
  validation: boolean;
  /** Early-stopping patience in epochs, or null for none. */
  patience: number | null;
  /** Sample paths per forecast for the distribution heads. */
  samples: number;
  /** Training-window augmentation (src/forecast/model.ts). */
  augment: 'none' | 'flip';
  /** Widen the intervals by split-conformal calibration on each series' last H training points (trains a second model per fold). */
  conformal: boolean;
  /** Members of the ensemble (different seeds; quantiles averaged); 1 = one model. */
  ensemble: number;
}

/** How backtest() cuts the series into rolling-origin folds; checkBacktest() validates it. */
export interface BacktestOptions {
  /** Folds K ≥ 1; the last fold tests the last H points. */
  folds: number;
  /** Steps between fold cutoffs; default the horizon. */
  stride?: number;
  /** 'expanding' (default): train on everything before the cutoff; 'sliding': on the last trainSize points. */
  window?: 'expanding' | 'sliding';
  /** Training points per series for a sliding window. */
  trainSize?: number;
  /** Baselines to compare with. Default all of BASELINES. */
  baselines?: readonly BaselineName[];
}

/** Accuracy scores of a forecast (or a mean over many), in the data's units where they have units. */
export interface Scores {
  /** Mean absolute error of the point forecast. */
  mae: number;
  /** Root mean squared error of the point forecast. */
  rmse: number;
  /** Symmetric MAPE, percent (0 … 200). */
  smape: number;
  /** Mean absolute scaled error (MAE over the in-sample seasonal-naive MAE). */
  mase: number;
  /** Coverage per interval, keyed by percent ('80', '95'). */
  coverage: Record<string, number>;
  /** Weighted quantile loss over the reported levels (pooled, GluonTS style). */
  wql: number;
  /** Continuous ranked probability score, approximated from the quantile levels. */
  crps: number;
}

/** A forecasting method in a report: the model or a baseline. */
export type Method = 'model' | BaselineName;

/** One series in one fold: the truth, every method's forecast and its scores. */
export interface SeriesFold {
  /** Index of the series in the panel. */
  series: number;
  /** Fold number, 1-based. */
  fold: number;
  /** Index of the first test point in the series. */
  cutoff: number;
  /** (H) the test points. */
  actual: Float64Array;
  /** Point forecasts and interval bounds of every method (bounds per interval: [lower, upper]). */
  forecasts: Record<string, { point: Float64Array; intervals: [Float64Array, Float64Array][] }>;
  /** Scores of every method, by method name. */
  scores: Record<string, Scores>;
}

/** One fold's results (backtest). */
export interface FoldReport {
  /** Fold number, 1-based. */
  fold: number;
  /** Series scored in this fold. */
  scored: number;
  /** Series too short for this fold (fewer than H + 2 points before the cutoff). */
  skipped: number;
  /** Aggregate scores of every method over the fold's series. */
  scores: Record<string, Scores>;
  /** The fold's training run (the last member's). */
  training: TrainResult;
}

/** What backtest() resolves to: scores per fold, overall and per series, and the last fold's trained models. */
export interface BacktestReport {
  /** The options the run used. */
  options: ModelOptions;
  /** One report per fold. */
  folds: FoldReport[];
  /** Aggregate scores of every method over all folds. */
  overall: Record<string, Scores>;
  /** Mean scores per series over the folds. */
  perSeries: { id: string; scores: Record<string, Scores> }[];
  /** The model and the baselines compared, in report order. */
  methods: Method[];
  /** The baseline with the lowest overall mean MASE. */
  bestBaseline: BaselineName;
  /** Every (series, fold) with forecasts and scores. */
  details: SeriesFold[];
  /** The last fold's models (one per ensemble member) and its scaling (for the future forecast and the model file). */
  members: ForecastNet[];
  /** members[0]. */
  net: ForecastNet;
  /** The last fold's scaling. */
  scaling: FoldScaling;
  /** Names of the network's input columns. */
  inputNames: string[];
  /** The last fold's conformal factors per member (applied to the future forecast too), or null. */
  calibration: number[][][] | null;
}

/** Progress callbacks of backtest(); it awaits returned promises. */
export interface BacktestCallbacks {
  /** Before each fold (1-based, of folds). */
  onFoldStart?(fold: number, folds: number): void | Promise<void>;
  /** Before each training run of a fold: the calibration model (with conformal) or the model. */
  onTrainStart?(fold: number, stage: 'calibration' | 'model', net: ForecastNet, member: number, members: number, finished: ForecastNet[]): void | Promise<void>;
  /** After every training batch, as fit()'s. */
  onBatchEnd?(log: BatchLog, ctl: FitControl): void | Promise<void>;
  /** After every training epoch, as fit()'s. */
  onEpochEnd?(log: EpochLog, ctl: FitControl): void | Promise<void>;
  /** Called after each fold with what a checkpoint needs to skip it when resuming. */
  onFoldEnd?(fold: number, report: FoldReport, details: SeriesFold[]): void | Promise<void>;
}

/** Where an interrupted backtest resumes (from a checkpoint): finished folds and the interrupted training run. */
export interface ResumePoint {
  /** Folds already done, with their results. */
  done: { report: FoldReport; details: SeriesFold[] }[];
  /** The next fold's interrupted training run: which member, which stage, its state and weights (the net holds them). */
  member: number;
  /** The interrupted run's stage. */
  stage: 'calibration' | 'model';
  /** Its training state, or null to start it afresh. */
  training: TrainingState | null;
  /** Its network with the checkpoint's weights, or null. */
  net: ForecastNet | null;
  /** That fold's finished members (before `member`) and the conformal factors known so far, per member. */
  members: ForecastNet[];
  /** Conformal factors of the finished members. */
  calibrations: number[][][];
}

/** Cutoff of fold k (1-based) for a series of length T. */
export function foldCutoff(T: number, k: number, folds: number, horizon: number, stride: number): number {
  return T - horizon - (folds - k) * stride;
}

/** BacktestOptions with defaults filled in (stride = horizon, expanding window, every baseline); bad values throw ConfigError. */
export function checkBacktest(o: BacktestOptions, horizon: number): Required<Omit<BacktestOptions, 'trainSize'>> & { trainSize: number | null } {
  const folds = o.folds;
  if (!Number.isInteger(folds) || folds < 1) throw new ConfigError(`[forecast] --backtest must be an integer ≥ 1 (folds); received ${folds}.`);
  const stride = o.stride ?? horizon;
  if (!Number.isInteger(stride) || stride < 1) throw new ConfigError(`[forecast] --stride must be an integer ≥ 1; received ${stride}.`);
  const window = o.window ?? 'expanding';
  if (window !== 'expanding' && window !== 'sliding') throw new ConfigError(`[forecast] --window must be expanding or sliding; received '${String(window)}'.`);
  const trainSize = o.trainSize ?? null;
  if (window === 'sliding' && (trainSize === null || !Number.isInteger(trainSize) || trainSize < 2)) {
    throw new ConfigError(`[forecast] a sliding window needs --train-size, the training points per series (an integer ≥ 2); received ${trainSize}.`);
  }
  const baselines: BaselineName[] = [...(o.baselines ?? BASELINES)];
  for (const b of baselines) if (!BASELINES.includes(b)) throw new ConfigError(`[forecast] baselines must be among ${BASELINES.join(', ')}; received '${b}'.`);
  return { folds, stride, window, trainSize, baselines };
}

/** Throws unless the longest series leaves horizon + 2 training points before the first fold's cutoff. */
export function checkFoldsFit(panel: Panel, H: number, folds: number, stride: number): void {
  const longest = Math.max(...panel.series.map((s) => s.y.length));
  if (longest - H - (folds - 1) * stride < H + 2) {
    throw new ShapeError(
      `[forecast] the series are too short for ${folds} fold${folds > 1 ? 's' : ''} of horizon ${H} with stride ${stride}: the first fold would train on ${longest - H - (folds - 1) * stride} points of the longest series (${longest} points); at least horizon + 2 = ${H + 2} are needed. ` +
        'Hint: use fewer --backtest folds, a smaller --stride, or a shorter --horizon.',
    );
  }
}

/** Scores of one forecast against the truth; `train` is the history the MASE scale comes from. */
export function scoreForecast(actual: Float64Array, f: Forecast, train: ArrayLike<number>, m: number, intervals: readonly number[]): Scores & { sums: ScoreSums } {
  const n = actual.length;
  let ae = 0;
  let se = 0;
  let sm = 0;
  for (let k = 0; k < n; k++) {
    const d = f.point[k] - actual[k];
    ae += Math.abs(d);
    se += d * d;
    const den = Math.abs(actual[k]) + Math.abs(f.point[k]);
    if (den > 0) sm += Math.abs(d) / den;
  }
  const period = train.length >= m + 2 ? m : 1;
  const q = train.length >= period + 1 ? maseScale(train, period) : NaN;
  const coverage: Record<string, number> = {};
  const inside: number[] = [];
  for (const c of intervals) {
    const [lo, hi] = interval(f, c);
    let k = 0;
    for (let i = 0; i < n; i++) if (actual[i] >= lo[i] && actual[i] <= hi[i]) k++;
    coverage[String(Math.round(c * 1000) / 10)] = k / n;
    inside.push(k);
  }
  // Pinball over the deciles: Σ_points Σ_levels ρ.
  let pin = 0;
  for (const q0 of DECILES) {
    const j = levelIndex(f.levels, q0);
    if (j < 0) throw new ConfigError(`[forecast] forecasts need the deciles for CRPS; level ${q0} is missing.`);
    const qs = f.quantiles[j];
    for (let i = 0; i < n; i++) {
      const u = actual[i] - qs[i];
      pin += u >= 0 ? q0 * u : (q0 - 1) * u;
    }
  }
  let abs = 0;
  for (let i = 0; i < n; i++) abs += Math.abs(actual[i]);
  const K = DECILES.length;
  return {
    mae: ae / n,
    rmse: Math.sqrt(se / n),
    smape: (200 * sm) / n,
    mase: q > 0 ? ae / n / q : NaN,
    coverage,
    wql: abs > 0 ? (2 * pin) / K / abs : NaN,
    crps: (2 * pin) / K / n,
    sums: { n, inside, pin, abs },
  };
}

/** What pooled aggregates need from each scored forecast. */
export interface ScoreSums {
  n: number;
  inside: number[];
  pin: number;
  abs: number;
}

/** Mean and pooled aggregate of many scores (see the file header). */
export function aggregate(list: (Scores & { sums?: ScoreSums })[], intervals: readonly number[]): Scores {
  const mean = (k: 'mae' | 'rmse' | 'smape' | 'mase'): number => {
    let s = 0;
    let n = 0;
    for (const x of list) if (Number.isFinite(x[k])) (s += x[k]), n++;
    return n > 0 ? s / n : NaN;
  };
  let n = 0;
  let pin = 0;
  let abs = 0;
  const inside = intervals.map(() => 0);
  for (const x of list) {
    const s = x.sums!;
    n += s.n;
    pin += s.pin;
    abs += s.abs;
    s.inside.forEach((v, k) => (inside[k] += v));
  }
  const coverage: Record<string, number> = {};
  intervals.forEach((c, k) => (coverage[String(Math.round(c * 1000) / 10)] = n > 0 ? inside[k] / n : NaN));
  const K = DECILES.length;
  return { mae: mean('mae'), rmse: mean('rmse'), smape: mean('smape'), mase: mean('mase'), coverage, wql: abs > 0 ? (2 * pin) / K / abs : NaN, crps: n > 0 ? (2 * pin) / K / n : NaN };
}

/** Keeps ScoreSums next to the scores of a SeriesFold (non-enumerable: not in JSON output). */
function withSums(s: Scores & { sums: ScoreSums }): Scores {
  const { sums, ...rest } = s;
  Object.defineProperty(rest, 'sums', { value: sums, enumerable: false });
  return rest;
}

/** The window layout of a set of model options. */
export function specOf(o: ModelOptions): WindowSpec {
  return { lookback: o.lookback, horizon: o.horizon, season: o.season, head: o.head, transform: o.transform, deseasonalize: o.deseasonalize, embeddingDim: o.embeddingDim, trend: o.trend };
}

/** The network configuration for a panel and model options (input size from the panel's columns). */
export function netConfigFor(panel: Panel, o: ModelOptions, levels: number[]): ConstructorParameters<typeof ForecastNet>[0] {
  const names = inputNames(panel, specOf(o));
  return {
    inputSize: names.length,
    numSeries: panel.series.length,
    hidden: o.hidden,
    layers: o.layers,
    dropout: o.dropout,
    embeddingDim: o.embeddingDim,
    head: o.head,
    quantiles: levels,
    seed: o.seed,
  };
}

/**
 * Rolling-origin backtest of the global model against the baselines: for each fold a fresh model
 * (or ensemble) is trained on every series' data before the fold's cutoff, then every series is
 * forecast for the H points after it and scored. The report carries the last fold's models for the
 * future forecast. Throws ConfigError for bad options, ShapeError when the series are too short for
 * the folds, DivergenceError when training diverges.
 */
export async function backtest(panel: Panel, o: ModelOptions, bo: BacktestOptions, cb: BacktestCallbacks = {}, resume?: ResumePoint): Promise<BacktestReport> {
  const b = checkBacktest(bo, o.horizon);
  const H = o.horizon;
  const m = o.season;
  const levels = reportLevels(o.intervals);
  const S = panel.series.length;
  const N = o.ensemble;
  checkFoldsFit(panel, H, b.folds, b.stride);
  const folds: FoldReport[] = [];
  const details: SeriesFold[] = [];
  let members: ForecastNet[] = [];
  let scaling: FoldScaling | null = null;
  const methods: Method[] = ['model', ...b.baselines];
  const firstFold = resume ? resume.done.length + 1 : 1;
  let lastCalibration: number[][][] | null = null;
  if (resume) for (const d of resume.done) folds.push(d.report), details.push(...d.details);
  for (let k = firstFold; k <= b.folds; k++) {
    await cb.onFoldStart?.(k, b.folds);
    const start = new Int32Array(S);
    const end = new Int32Array(S);
    const scored: number[] = [];
    panel.series.forEach((s, i) => {
      const cut = foldCutoff(s.y.length, k, b.folds, H, b.stride);
      const c = Math.max(1, Math.min(cut, s.y.length));
      end[i] = c;
      start[i] = b.window === 'sliding' ? Math.max(0, c - b.trainSize!) : 0;
      if (cut - start[i] >= H + 2) scored.push(i);
    });
    const spec = specOf(o);
    const resumeHere = resume !== undefined && k === firstFold ? resume : undefined;
    scaling = fitScaling(panel, spec, start, end);
    const builder = new WindowBuilder(panel, spec, scaling);
    const endA = Int32Array.from(end, (e, i) => Math.max(start[i] + 1, e - H));
    const calSeries = scored.filter((i) => endA[i] - start[i] >= H + 2);
    if (o.conformal && calSeries.length === 0) {
      throw new ShapeError(`[forecast] --conformal needs series with at least ${2 * H + 2} points before fold ${k}'s cutoff to calibrate on; none has. Hint: leave out --conformal or use fewer folds.`);
    }
    const scalingA = o.conformal ? fitScaling(panel, spec, start, endA) : null;
    members = [];
    const calibrations: number[][][] = [];
    let training: TrainResult | null = null;
    const memberForecasts: Forecast[][] = [];
    for (let j = 0; j < N; j++) {
      const cfg = memberConfig(panel, o, levels, j);
      const resumeMember = resumeHere !== undefined && j <= resumeHere.member ? resumeHere : undefined;
      // Members before the interrupted one were finished: their weights and factors are in the checkpoint.
      const finished = resumeMember !== undefined && j < resumeMember.member;
      // Conformal calibration: a model trained without each series' last H points forecasts them;
      // its errors decide how much to widen this member's intervals (see calibrationFactors).
      let calibration: number[][] | null = finished || (resumeMember !== undefined && resumeMember.stage === 'model') ? (resumeMember!.calibrations[j] ?? null) : null;
      if (o.conformal && calibration === null) {
        const builderA = new WindowBuilder(panel, spec, scalingA!);
        const resumingA = resumeMember !== undefined && resumeMember.stage === 'calibration' && resumeMember.net !== null;
        const netA = resumingA ? resumeMember!.net! : new ForecastNet(cfg);
        await cb.onTrainStart?.(k, 'calibration', netA, j, N, [...members]);
        const trainingA = await trainNet(netA, builderA, trainOptions(o, k, j, cb, resumingA ? resumeMember!.training : null));
        if (trainingA.stopped) return partial(o, folds, details, methods, members, netA, scaling, inputNames(panel, spec), b.baselines, trainingA, { fold: k, stage: 'calibration', member: j, calibrations });
        const rawA = predictRaw(netA, builderA, calSeries, Int32Array.from(calSeries, (i) => endA[i]));
        const fcA = decodeForecasts(rawA.out, rawA.anchor, rawA.scale, decodeOptions(o, levels, o.seed + 31 * k + 7 * j), rawA.offset);
        calibration = calibrationFactors(fcA, calSeries.map((i) => panel.series[i].y.subarray(endA[i], endA[i] + H)));
      }
      if (calibration !== null) calibrations[j] = calibration;
      let net: ForecastNet;
      if (finished) {
        net = resumeMember!.members[j];
      } else {
        const resuming = resumeMember !== undefined && resumeMember.stage === 'model' && resumeMember.net !== null;
        net = resuming ? resumeMember!.net! : new ForecastNet(cfg);
        await cb.onTrainStart?.(k, 'model', net, j, N, [...members]);
        const t = await trainNet(net, builder, trainOptions(o, k, j, cb, resuming ? resumeMember!.training : null));
        if (t.stopped) return partial(o, folds, details, methods, members, net, scaling, inputNames(panel, spec), b.baselines, t, { fold: k, stage: 'model', member: j, calibrations });
        training = t; // the fold reports the last member's training (always run, also after a resume)
      }
      members.push(net);
      const raw = predictRaw(net, builder, scored, Int32Array.from(scored, (i) => end[i]));
      const fc = decodeForecasts(raw.out, raw.anchor, raw.scale, decodeOptions(o, levels, o.seed + k + 7 * j), raw.offset);
      if (calibration !== null) for (const f of fc) applyCalibration(f, calibration);
      memberForecasts.push(fc);
    }
    lastCalibration = o.conformal ? calibrations : null;
    const fc = scored.map((_, n) => combineForecasts(memberForecasts.map((list) => list[n])));
    const foldDetails: SeriesFold[] = [];
    scored.forEach((i, n) => {
      const s = panel.series[i];
      const c = end[i];
      const actual = s.y.slice(c, c + H);
      const hist = s.y.subarray(start[i], c);
      const forecasts: SeriesFold['forecasts'] = {};
      const scores: SeriesFold['scores'] = {};
      const add = (name: string, f: Forecast): void => {
        forecasts[name] = { point: f.point, intervals: o.intervals.map((cv) => interval(f, cv)) };
        scores[name] = withSums(scoreForecast(actual, f, hist, m, o.intervals));
      };
      add('model', fc[n]);
      for (const name of b.baselines) {
        const p = baselineForecast(name, hist, H, m);
        add(name, gaussianForecast(p.point, p.sd, levels));
      }
      foldDetails.push({ series: i, fold: k, cutoff: c, actual, forecasts, scores });
    });
    const report: FoldReport = {
      fold: k,
      scored: scored.length,
      skipped: S - scored.length,
      scores: Object.fromEntries(methods.map((mm) => [mm, aggregate(foldDetails.map((d) => d.scores[mm]), o.intervals)])),
      training: training ?? emptyTraining(),
    };
    folds.push(report);
    details.push(...foldDetails);
    await cb.onFoldEnd?.(k, report, foldDetails);
  }
  return { ...summarise(o, folds, details, methods, members, scaling!, inputNames(panel, specOf(o)), b.baselines, panel), calibration: lastCalibration };
}

/** Member j's network configuration: the options' seed moved by 7919·j, so members start (and shuffle) differently. */
export function memberConfig(panel: Panel, o: ModelOptions, levels: number[], j: number): ConstructorParameters<typeof ForecastNet>[0] {
  return { ...netConfigFor(panel, o, levels), seed: o.seed + 7919 * j };
}

function decodeOptions(o: ModelOptions, levels: number[], seed: number, keepSamples = false): import('./heads.js').HeadDecodeOptions {
  return { head: o.head, headLevels: levels, levels, horizon: o.horizon, numSamples: o.samples, keepSamples, seed, transform: o.transform };
}

function emptyTraining(): TrainResult {
  return { epochs: [], windows: 0, validationWindows: 0, bestEpoch: null, stopped: false, state: null as unknown as TrainingState };
}

/**
 * The ensemble's forecast: each level's quantile averaged over the members (Vincentisation, which
 * keeps the members' typical spread), the median likewise; sample paths pooled (a mixture).
 */
export function combineForecasts(list: readonly Forecast[]): Forecast {
  if (list.length === 1) return list[0];
  const n = list.length;
  const f0 = list[0];
  const quantiles = f0.quantiles.map((_, l) => Float64Array.from(f0.quantiles[l], (_, k) => list.reduce((a, f) => a + f.quantiles[l][k], 0) / n));
  const point = Float64Array.from(f0.point, (_, k) => list.reduce((a, f) => a + f.point[k], 0) / n);
  let samples: Float64Array | null = null;
  if (list.every((f) => f.samples !== null)) {
    samples = new Float64Array(list.reduce((a, f) => a + f.samples!.length, 0));
    let off = 0;
    for (const f of list) (samples.set(f.samples!, off), (off += f.samples!.length));
  }
  return { point, levels: [...f0.levels], quantiles, samples };
}

function summarise(o: ModelOptions, folds: FoldReport[], details: SeriesFold[], methods: Method[], members: ForecastNet[], scaling: FoldScaling, names: string[], baselines: readonly BaselineName[], panel: Panel): BacktestReport {
  if (details.length === 0) throw new ShapeError('[forecast] no series could be scored in any fold: every one is shorter than horizon + 2 points before its cutoff. Hint: use fewer folds or a shorter horizon.');
  const overall = Object.fromEntries(methods.map((mm) => [mm, aggregate(details.map((d) => d.scores[mm]), o.intervals)])) as Record<string, Scores>;
  let bestBaseline = baselines[0];
  for (const bl of baselines) if (overall[bl].mase < overall[bestBaseline].mase || !Number.isFinite(overall[bestBaseline].mase)) bestBaseline = bl;
  const bySeries = new Map<number, SeriesFold[]>();
  for (const d of details) {
    if (!bySeries.has(d.series)) bySeries.set(d.series, []);
    bySeries.get(d.series)!.push(d);
  }
  const perSeries = [...bySeries.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, ds]) => ({ id: panel.series[i].id, scores: Object.fromEntries(methods.map((mm) => [mm, aggregate(ds.map((d) => d.scores[mm]), o.intervals)])) as Record<string, Scores> }));
  return { options: o, folds, overall, perSeries, methods, bestBaseline, details, members, net: members[0], scaling, inputNames: names, calibration: null };
}

function partial(
  o: ModelOptions,
  folds: FoldReport[],
  details: SeriesFold[],
  methods: Method[],
  members: ForecastNet[],
  net: ForecastNet,
  scaling: FoldScaling,
  names: string[],
  baselines: readonly BaselineName[],
  training: TrainResult,
  at: { fold: number; stage: 'calibration' | 'model'; member: number; calibrations: number[][][] },
): BacktestReport & { interrupted: TrainResult; at: typeof at } {
  // members: the finished members of the interrupted fold, then the interrupted network.
  return { options: o, folds, overall: {}, perSeries: [], methods, bestBaseline: baselines[0], details, members: [...members, net], net, scaling, inputNames: names, calibration: at.calibrations, interrupted: training, at };
}

function trainOptions(o: ModelOptions, k: number, j: number, cb: BacktestCallbacks, resume: TrainingState | null): TrainOptions {
  return {
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    weightDecay: o.weightDecay,
    seed: o.seed + 1000 * (k - 1) + 7919 * j,
    windowsPerEpoch: o.windowsPerEpoch,
    augment: o.augment,
    validation: o.validation,
    patience: o.patience ?? undefined,
    callbacks: { onBatchEnd: cb.onBatchEnd, onEpochEnd: cb.onEpochEnd },
    resume,
  };
}

/**
 * Split-conformal widening factors per symmetric pair of levels (τ, 1 − τ), τ < ½, in the order of
 * the forecasts' levels, and per horizon step: factors[pair][k]. For each calibration point y with
 * median q½ and bounds q_lo, q_hi the normalised score is r = max((q_lo − y)/(q½ − q_lo),
 * (y − q_hi)/(q_hi − q½)), the distance outside the interval in units of its half-width (negative
 * inside). Step k pools the scores of the steps k − w … k + w of every series, w the smallest width
 * that gives at least `minScores` of them (the whole horizon at most; the default pools the whole
 * horizon, which on the unemployment backtest covered better than per-step factors, whose short
 * steps see too few large errors); with n pooled scores and coverage c = 1 − 2τ,
 * λ = 1 + the ⌈(n + 1)c⌉-th smallest r (the largest when that rank exceeds n): Romano et al.
 * 2019's conformalised quantile regression, normalised by the width. λ < 1 narrows.
 */
export function calibrationFactors(forecasts: Forecast[], actual: ArrayLike<number>[], minScores = Infinity): number[][] {
  if (forecasts.length === 0) throw new ConfigError('[calibrationFactors] needs at least one forecast; received none.');
  const levels = forecasts[0].levels;
  const H = forecasts[0].point.length;
  const mid = levelIndex(levels, 0.5);
  const out: number[][] = [];
  for (let j = 0; levels[j] < 0.5 - 1e-9; j++) {
    const hiJ = levelIndex(levels, 1 - levels[j]);
    if (hiJ < 0 || mid < 0) throw new ConfigError(`[calibrationFactors] levels must come in pairs around 0.5; ${levels[j]} has no partner.`);
    // scores[k]: the normalised scores of step k over the series
    const scores: number[][] = Array.from({ length: H }, () => []);
    forecasts.forEach((f, n) => {
      const y = actual[n];
      for (let k = 0; k < Math.min(H, y.length); k++) {
        const m = f.quantiles[mid][k];
        const lo = f.quantiles[j][k];
        const hi = f.quantiles[hiJ][k];
        const wl = Math.max(m - lo, 1e-12 * Math.max(1, Math.abs(m)));
        const wh = Math.max(hi - m, 1e-12 * Math.max(1, Math.abs(m)));
        scores[k].push(Math.max((lo - y[k]) / wl, (y[k] - hi) / wh));
      }
    });
    const c = 1 - 2 * levels[j];
    const row: number[] = [];
    for (let k = 0; k < H; k++) {
      let r: number[] = [];
      for (let w = 0; w < H; w++) {
        r = [];
        for (let i = Math.max(0, k - w); i <= Math.min(H - 1, k + w); i++) r.push(...scores[i]);
        if (r.length >= minScores) break;
      }
      r.sort((a, b) => a - b);
      const rank = Math.min(r.length, Math.ceil((r.length + 1) * c)) - 1;
      row.push(r.length > 0 ? Math.max(0.05, 1 + r[rank]) : 1);
    }
    out.push(row);
  }
  return out;
}

/** Widens (or narrows) every level pair of a forecast around its median by the calibration factors (factors[pair][step]), keeping quantiles in order. */
export function applyCalibration(f: Forecast, factors: readonly (readonly number[])[]): void {
  const mid = levelIndex(f.levels, 0.5);
  const H = f.point.length;
  factors.forEach((lam, j) => {
    const hiJ = levelIndex(f.levels, 1 - f.levels[j]);
    for (let k = 0; k < H; k++) {
      const m = f.quantiles[mid][k];
      const l = lam[Math.min(k, lam.length - 1)];
      f.quantiles[j][k] = m - l * (m - f.quantiles[j][k]);
      f.quantiles[hiJ][k] = m + l * (f.quantiles[hiJ][k] - m);
    }
  });
  const col = new Float64Array(f.levels.length);
  for (let k = 0; k < H; k++) {
    f.quantiles.forEach((q, j) => (col[j] = q[k]));
    col.sort();
    f.quantiles.forEach((q, j) => (q[k] = col[j]));
  }
}

/**
 * The forecast of the H steps after each series' end from a trained model (the last fold's), with
 * intervals and (distribution heads) sample paths.
 */
export function forecastFuture(panel: Panel, members: readonly ForecastNet[], scaling: FoldScaling, o: ModelOptions, keepSamples = false, calibration: readonly (readonly (readonly number[])[])[] | null = null): Forecast[] {
  const levels = reportLevels(o.intervals);
  const builder = new WindowBuilder(panel, specOf(o), scaling);
  const S = panel.series.length;
  const idx = Int32Array.from({ length: S }, (_, i) => i);
  const origins = Int32Array.from(panel.series, (s) => s.y.length);
  const perMember = members.map((net, j) => {
    const raw = predictRaw(net, builder, idx, origins);
    const fc = decodeForecasts(raw.out, raw.anchor, raw.scale, decodeOptions(o, levels, o.seed + 7919 + 7 * j, keepSamples), raw.offset);
    const cal = calibration?.[j];
    if (cal !== undefined && cal !== null) for (const f of fc) applyCalibration(f, cal);
    return fc;
  });
  return Array.from({ length: S }, (_, i) => combineForecasts(perMember.map((list) => list[i])));
}

/** Baseline forecasts after each series' end (fitted on all of its data), for the future CSV. */
export function baselineFuture(panel: Panel, name: BaselineName, o: ModelOptions): Forecast[] {
  const levels = reportLevels(o.intervals);
  return panel.series.map((s) => {
    const p = baselineForecast(name, s.y, o.horizon, o.season);
    return gaussianForecast(p.point, p.sd, levels);
  });
}
