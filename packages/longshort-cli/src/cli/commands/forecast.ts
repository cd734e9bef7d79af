// `longshort forecast data.csv --target COL --horizon N …`: argument parsing, progress, Ctrl-C
// checkpoints and output only; the pipeline (panels, windows, the global model, backtests,
// baselines, search, CSV) is the library's (src/apps/forecast.ts on src/forecast/).
// Writes into --out: model.safetensors (the last fold's model; options, scaling and series ids in
// its extra), forecast.csv (every scored test point and the future horizon), metrics.json (the
// report without the point-by-point data), forecast.svg / forecast.png (bands), and with a
// distribution head samples.csv (sample paths of the future). On Ctrl-C: checkpoint.safetensors
// instead, resumable with --resume (finished folds are kept; the interrupted training run
// continues from its last completed epoch).

import { join } from 'node:path';
import type { Command } from 'commander';
import { CliError, Output, choiceOption, ensureDir, floatOption, getInvocation, intOption, io, listOption, plural, progressReporter, readText, removeFinishedCheckpoint, requireFile, shellQuote, table, type ProgressReporter } from '../util.js';
import type { BacktestOptions, MissingPolicy, ModelOptions, ResumePoint, RunResult, Panel } from 'longshort';

interface ForecastOpts {
  target?: string;
  horizon: number;
  date?: string;
  id?: string;
  wide?: string[];
  features?: string[];
  past?: string[];
  futureKnown?: string[];
  futureFile?: string;
  static?: string[];
  calendar: string;
  holidays?: string;
  missing: MissingPolicy;
  season?: number;
  lookback?: number;
  head?: 'quantile' | 'gaussian' | 'negbin';
  transform?: 'none' | 'log';
  deseasonalize?: boolean;
  dampedTrend?: number;
  augment?: 'none' | 'flip';
  conformal?: boolean;
  ensemble?: number;
  intervals?: string[];
  samples?: number;
  hidden?: number;
  layers?: number;
  dropout?: number;
  embedding?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  windowsPerEpoch?: number;
  validation?: boolean;
  patience?: number;
  backtest: number;
  stride?: number;
  window: 'expanding' | 'sliding';
  trainSize?: number;
  search?: boolean;
  grid?: string;
  plotSeries: number;
  seed: number;
  out: string;
  json?: boolean;
  quiet?: boolean;
  resume?: string;
}

export function register(program: Command): void {
  program
    .command('forecast')
    .description('train a global LSTM on one or many CSV time series, backtest it against five baselines with prediction intervals, and forecast the next --horizon values')
    .argument('<file>', 'CSV file with a header line')
    .requiredOption('--horizon <n>', 'values to forecast at once (each backtest fold scores this many)', intOption('--horizon'))
    .option('--target <column>', 'column to forecast (with --wide: a label for reports)')
    .option('--date <column>', 'date column (YYYY-MM-DD, YYYY-MM, ISO date-time or decimal year): monthly/daily grids are detected')
    .option('--id <column>', 'long layout: the column naming each row\'s series (one global model for all of them)')
    .option('--wide <a,b|*>', 'wide layout: these columns are the series (* = every column but --date)', listOption)
    .option('--features <a,b>', 'past-only covariates (same as --past)', listOption)
    .option('--past <a,b>', 'past-only covariates: observed up to the forecast origin only', listOption)
    .option('--future-known <a,b>', 'future-known covariates: their values after the end come from --future-file', listOption)
    .option('--future-file <csv>', 'rows after each series\' end for the future-known columns (id, date and those columns)')
    .option('--static <a,b>', 'static covariates: one number per series (constant in its rows)', listOption)
    .option('--calendar <list>', 'calendar features from the dates: auto (month; daily data also day of week), none, or month,dayofweek', 'auto')
    .option('--holidays <file>', 'holiday dates, one per line: a 0/1 feature (a count per month for monthly data)')
    .option('--missing <policy>', 'missing values and missing dates: error, drop, ffill or interpolate', choiceOption('--missing', ['error', 'drop', 'ffill', 'interpolate'] as const), 'error')
    .option('--season <n>', 'seasonal period (default: detected from the autocorrelation; 1 = none)', intOption('--season'))
    .option('--lookback <n>', 'history steps the model reads (default: max(2·season, min(horizon, 24), 8))', intOption('--lookback'))
    .option('--head <kind>', 'output: quantile (pinball loss), gaussian or negbin (likelihood, sample paths)', choiceOption('--head', ['quantile', 'gaussian', 'negbin'] as const))
    .option('--transform <t>', 'none, or log: model log(1 + y) (multiplicative changes; y ≥ 0)', choiceOption('--transform', ['none', 'log'] as const))
    .option('--deseasonalize', 'subtract each series\' seasonal profile (fitted on its training part) before the model sees it')
    .option('--damped-trend <phi>', 'the model corrects a damped continuation of each window\'s recent slope (damping φ in (0, 1], e.g. 0.8; default 0 = none)', floatOption('--damped-trend', 0, 1))
    .option('--augment <a>', 'none, or flip: mirror half the training windows around their last value (no learned drift)', choiceOption('--augment', ['none', 'flip'] as const))
    .option('--conformal', 'calibrate the intervals on each series\' last horizon of training data (trains a second model per fold)')
    .option('--ensemble <n>', 'train n models per fold with different seeds and average their quantiles (default 1)', intOption('--ensemble'))
    .option('--intervals <80,95>', 'central prediction intervals in percent (default 80,95)', listOption)
    .option('--samples <n>', 'sample paths per forecast for the distribution heads (default 500)', intOption('--samples', 0))
    .option('--hidden <n>', 'LSTM hidden size (default 32)', intOption('--hidden'))
    .option('--layers <n>', 'LSTM layers (default 1)', intOption('--layers'))
    .option('--dropout <x>', 'dropout between LSTM layers (default 0)', floatOption('--dropout', 0, 0.99))
    .option('--embedding <n>', 'width of a learned embedding of the series id (default 0 = none)', intOption('--embedding', 0))
    .option('--epochs <n>', 'training epochs per fold (default 30)', intOption('--epochs', 0))
    .option('--batch-size <n>', 'windows per batch (default 32)', intOption('--batch-size'))
    .option('--lr <x>', 'Adam learning rate (default 0.005)', floatOption('--lr', 0, 10, true))
    .option('--weight-decay <x>', 'decoupled weight decay (AdamW; default 0)', floatOption('--weight-decay', 0))
    .option('--windows-per-epoch <n>', 'train on a random sample of this many windows per epoch (for very many series)', intOption('--windows-per-epoch'))
    .option('--validation', 'hold out each series\' last horizon of training data for a validation loss (early stopping with --patience)')
    .option('--patience <n>', 'stop after this many epochs without a better validation loss', intOption('--patience'))
    .option('--backtest <k>', 'rolling-origin folds (default 1: the last horizon held out)', intOption('--backtest'), 1)
    .option('--stride <n>', 'steps between fold cutoffs (default horizon)', intOption('--stride'))
    .option('--window <w>', 'expanding (all history) or sliding (the last --train-size points) training window', choiceOption('--window', ['expanding', 'sliding'] as const), 'expanding')
    .option('--train-size <n>', 'training points per series for --window sliding', intOption('--train-size', 2))
    .option('--search', 'grid search (lookback, hidden, layers, lr) scored on backtest folds before the evaluated ones')
    .option('--grid <spec>', 'the search grid, e.g. "lookback=24,36 hidden=16,32 layers=1,2 lr=0.003,0.01"')
    .option('--plot-series <n>', 'series drawn in the plot (default 4)', intOption('--plot-series'), 4)
    .option('--seed <n>', 'random seed (weights, shuffling, samples)', intOption('--seed', 0), 0)
    .option('--out <dir>', 'output folder', 'out/forecast')
    .option('--resume <checkpoint>', 'continue an interrupted run from its checkpoint')
    .option('--json', 'print one JSON object on stdout (progress as JSON lines on stderr)')
    .option('--quiet', 'no progress output')
    .action(async (file: string, opts: ForecastOpts) => {
      await runForecastCommand(file, opts, getInvocation());
    });
}

function percentList(list: string[] | undefined): number[] | undefined {
  if (list === undefined) return undefined;
  return list.map((s) => {
    const v = Number(s.replace(/%$/, ''));
    if (!(v > 0 && v < 100)) throw new CliError(`--intervals must list percentages between 0 and 100, e.g. 80,95; received '${s}'.`);
    return v / 100;
  });
}

/** Progress for a sequence of training runs: one line (or JSON event) per run, a bar or epoch lines within it. */
class Progress {
  private reporter: ProgressReporter | null = null;
  constructor(
    private readonly out: Output,
    private readonly epochs: number,
  ) {}
  event(obj: Record<string, unknown>, text: string): void {
    if (this.out.quiet) return;
    this.reporter?.stop();
    this.reporter = null;
    if (this.out.json) io.err(JSON.stringify(obj) + '\n');
    else if (text !== '') io.err(text + '\n');
  }
  start(startEpoch = 0): void {
    this.reporter?.stop();
    this.reporter = progressReporter(this.out, this.epochs, startEpoch);
  }
  batch(log: Parameters<ProgressReporter['batch']>[0]): void {
    this.reporter?.batch(log);
  }
  epoch(log: Parameters<ProgressReporter['epoch']>[0]): void {
    this.reporter?.epoch(log);
  }
  stop(): void {
    this.reporter?.stop();
    this.reporter = null;
  }
}

async function runForecastCommand(file: string, o: ForecastOpts, argv: string[]): Promise<void> {
  const out = new Output(o.json === true, o.quiet === true);
  const text = readText(file, 'data file');
  const futureText = o.futureFile === undefined ? undefined : readText(o.futureFile, 'future file');
  const holidaysText = o.holidays === undefined ? undefined : readText(o.holidays, 'holidays file');
  if (o.resume !== undefined) requireFile(o.resume, 'checkpoint');
  if (o.target === undefined && o.wide === undefined) throw new CliError("required option '--target <column>' not specified (or pass --wide for one column per series).");
  if (o.features !== undefined && o.past !== undefined) throw new CliError('pass past-only covariates with --past or --features, not both.');
  if (o.grid !== undefined && o.search !== true) throw new CliError('--grid sets the grid of --search; add --search.');
  const lib = await import('longshort');
  const { parseCsv } = lib;
  let wide = o.wide ?? null;
  if (wide !== null && wide.length === 1 && wide[0] === '*') {
    wide = parseCsv(text).columns.filter((c) => c !== o.date);
  }
  const calendar = o.calendar === 'auto' || o.calendar === 'none' ? o.calendar : (listOption(o.calendar) as ('month' | 'dayofweek')[]);
  const panel: Panel = lib.loadPanel(
    text,
    {
      target: o.target ?? 'value',
      date: o.date,
      id: o.id,
      wide: wide ?? undefined,
      past: o.past ?? o.features,
      future: o.futureKnown,
      static: o.static,
      missing: o.missing,
      calendar,
      futureText,
      holidaysText,
    },
    o.horizon,
  );
  const backtestOpts: BacktestOptions = { folds: o.backtest, stride: o.stride, window: o.window, trainSize: o.trainSize };
  const modelRequest: Partial<ModelOptions> & { horizon: number } = {
    horizon: o.horizon,
    season: o.season,
    lookback: o.lookback,
    head: o.head,
    transform: o.transform,
    deseasonalize: o.deseasonalize,
    trend: o.dampedTrend,
    augment: o.augment,
    conformal: o.conformal,
    ensemble: o.ensemble,
    intervals: percentList(o.intervals),
    samples: o.samples,
    hidden: o.hidden,
    layers: o.layers,
    dropout: o.dropout,
    embeddingDim: o.embedding,
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    weightDecay: o.weightDecay,
    seed: o.seed,
    windowsPerEpoch: o.windowsPerEpoch,
    validation: o.validation,
    patience: o.patience,
  };
  const info = lib.panelInfo(panel, o.missing, wide);
  const S = panel.series.length;
  const rows = panel.series.reduce((n, s) => n + s.y.length, 0);
  const filled = panel.series.reduce((n, s) => n + s.filled, 0);

  // --resume: the options, finished folds and the interrupted run come from the checkpoint.
  let resume: { options: ModelOptions; point: ResumePoint } | undefined;
  if (o.resume !== undefined) {
    const ck = await lib.loadModelFile(o.resume);
    const extra = ck.extra as unknown as import('longshort').ForecastExtra;
    if (extra.app !== 'forecast') throw new CliError(`--resume: '${o.resume}' is not a forecast checkpoint (it was written by '${String(extra.app)}').`);
    if (extra.version !== 2) throw new CliError(`--resume: '${o.resume}' is a forecast checkpoint of format version ${String(extra.version)}; this longshort resumes version 2.`);
    const same = JSON.stringify({ ...extra.panel, ids: undefined }) === JSON.stringify({ ...info, ids: undefined }) && extra.panel.ids.join('\u0000') === info.ids.join('\u0000');
    if (!same) {
      throw new CliError(`--resume: the checkpoint was trained on target '${extra.panel.target}' with ${extra.panel.ids.length} series (${extra.panel.layout} layout); this run reads '${info.target}' with ${info.ids.length} (${info.layout}). Hint: resume with the same file and options.`);
    }
    // The checkpoint holds the interrupted fold's finished members, then the interrupted network.
    const { members } = lib.forecastNetFromFile(ck.model, ck.extra);
    const member = extra.member ?? 0;
    const point: ResumePoint = {
      done: (extra.done ?? []).map(lib.deserializeFold),
      member,
      stage: extra.stage ?? 'model',
      training: ck.training,
      net: members[member] ?? null,
      members: members.slice(0, member),
      calibrations: extra.calibration ?? [],
    };
    resume = { options: extra.options, point };
    const ens = extra.options.ensemble > 1 ? `, member ${member + 1} of ${extra.options.ensemble}` : '';
    out.log(`resuming from ${o.resume}: ${point.done.length} fold${point.done.length === 1 ? '' : 's'} done, fold ${point.done.length + 1}${ens} after epoch ${ck.training?.epoch ?? 0} of ${extra.options.epochs}`);
    (await import('../training.js')).warnIfKernelsDiffer(ck.extra, out);
  }

  // Every option checked against the data before the output folder exists.
  const runRequest = { model: modelRequest, backtest: backtestOpts, search: o.search ? (o.grid !== undefined ? lib.parseGrid(o.grid) : lib.defaultGrid(lib.prepareRun(panel, { model: modelRequest, backtest: backtestOpts, search: null }))) : null, keepSamples: true };
  if (resume === undefined) lib.prepareRun(panel, runRequest);
  const epochs = resume?.options.epochs ?? o.epochs ?? 30;
  out.log(
    `${S === 1 ? `${rows} points of '${panel.series[0].id}'` : `${S} series, ${rows} points in all`}${filled > 0 ? ` (${filled} missing, ${o.missing})` : ''}; ` +
      `horizon ${o.horizon}, ${o.backtest} backtest fold${o.backtest > 1 ? 's' : ''}${o.search ? ', grid search first' : ''}`,
  );
  ensureDir(o.out);
  const progress = new Progress(out, epochs);
  const checkpointPath = join(o.out, 'checkpoint.safetensors');

  // Ctrl-C: stop after the current batch, save the last completed epoch (as src/cli/training.ts does).
  let interrupted = false;
  let inSearch = false;
  let saved: { weights: (Float32Array | Float64Array)[]; state: import('longshort').TrainingState | null } | null = null;
  let currentNet: import('longshort').ForecastNet | null = resume?.point.net ?? null;
  let lastYield = Date.now();
  // SIGTERM (a scheduler, `kill`) is handled as Ctrl-C is; the exit code tells which one it was.
  let exitCode = 130;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) {
      io.err(`\nsecond signal (${sig}): exiting without saving.\n`);
      process.exit(sig === 'SIGTERM' ? 143 : 130);
    }
    interrupted = true;
    exitCode = sig === 'SIGTERM' ? 143 : 130;
  };
  const onSigint = (): void => onSignal('SIGINT');
  const onSigterm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const done: import('longshort').SerializedFold[] = resume === undefined ? [] : resume.point.done.map((d) => lib.serializeFold(d.report, d.details));
  let run: RunResult;
  let stage: 'calibration' | 'model' = resume?.point.stage ?? 'model';
  let member = resume?.point.member ?? 0;
  try {
    run = await lib.runForecast(
      panel,
      runRequest,
      {
        onPhase: (phase, detail) => {
          inSearch = phase === 'search';
          progress.event({ event: 'phase', phase, detail }, phase === 'search' ? `grid search: ${detail}, scored on folds before the evaluated ones` : o.search ? `backtest of the chosen options: ${detail}` : '');
        },
        onCandidateStart: (i, n, c) => progress.event({ event: 'candidate', candidate: i, of: n, lookback: c.lookback, hidden: c.hidden, layers: c.layers, lr: c.lr }, `search ${i}/${n}: lookback ${c.lookback}, hidden ${c.hidden}, layers ${c.layers}, lr ${c.lr}`),
        onCandidateEnd: (i, n, r) => progress.event({ event: 'candidateResult', candidate: i, of: n, mase: r.scores.mase, wql: r.scores.wql }, `search ${i}/${n}: mean MASE ${r.scores.mase.toFixed(3)}, wQL ${r.scores.wql.toFixed(4)}`),
        onFoldStart: () => undefined,
        onTrainStart: (fold, st, net, j, count) => {
          stage = st;
          member = j;
          currentNet = net;
          // What a checkpoint holds if no epoch completes: this run's starting point.
          const resumed = resume !== undefined && fold === resume.point.done.length + 1 && j === resume.point.member && st === resume.point.stage;
          saved = { weights: net.params().map((p) => p.value.slice()), state: resumed ? resume!.point.training : null };
          const folds = o.backtest;
          if (!inSearch) {
            const who = count > 1 ? `, member ${j + 1}/${count}` : '';
            progress.event(
              { event: 'fold', fold, folds, stage: st, ...(count > 1 ? { member: j + 1, members: count } : {}) },
              `fold ${fold}/${folds}${who}: ${st === 'calibration' ? 'training the calibration model (conformal)' : 'training the model'}`,
            );
          }
          progress.start(resumed ? (resume!.point.training?.epoch ?? 0) : 0);
        },
        onBatchEnd: async (log, ctl) => {
          progress.batch(log);
          if (Date.now() - lastYield > 50) {
            await new Promise<void>((r) => setImmediate(r));
            lastYield = Date.now();
          }
          if (interrupted) ctl.stop();
        },
        onEpochEnd: async (log, ctl) => {
          if (interrupted) {
            ctl.stop();
            return;
          }
          progress.epoch(log);
          const st = ctl.state();
          saved = { weights: currentNetParams().map((p) => p.value.slice()), state: st };
          await new Promise<void>((r) => setImmediate(r));
        },
        onFoldEnd: (_k, report, details) => {
          done.push(lib.serializeFold(report, details));
        },
      },
      resume,
    );
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
  function currentNetParams(): import('longshort').Param[] {
    return currentNet?.params() ?? [];
  }
  void currentNetParams;

  if (run.interrupted) {
    if (inSearch) {
      io.err('\ninterrupted during the grid search: nothing was saved (the search starts again when the command is rerun).\n');
      process.exitCode = exitCode;
      return;
    }
    const net = run.report.net;
    const state = saved as { weights: (Float32Array | Float64Array)[]; state: import('longshort').TrainingState | null } | null;
    const params = net.params();
    // The weights at the last completed epoch (or where this run started when none completed).
    if (state !== null && state.weights.length === params.length) for (let k = 0; k < params.length; k++) params[k].value.set(state.weights[k]);
    const extra = {
      ...lib.forecastExtra(panel, info, run.options, backtestOpts, run.report),
      done,
      member,
      stage,
      checkpointKernels: (await import('../training.js')).kernelLabel(),
    };
    // The fold's finished members, then the interrupted network (src/forecast/backtest.ts partial()).
    await lib.saveModel(checkpointPath, lib.ensembleContainer(run.report.members), { extra: extra as unknown as Record<string, unknown>, training: state?.state ?? undefined });
    const epochDone = state?.state?.epoch ?? 0;
    const foldNo = done.length + 1;
    const resumeArgs = argv.filter((_, k, a) => a[k] !== '--resume' && a[k - 1] !== '--resume');
    io.err(
      `\ninterrupted: saved a checkpoint after epoch ${epochDone} of ${run.options.epochs} (fold ${foldNo} of ${o.backtest}${run.options.ensemble > 1 ? `, member ${member + 1} of ${run.options.ensemble}` : ''}${stage === 'calibration' ? ', calibration model' : ''}) to ${checkpointPath}` +
        ' (the unfinished epoch is discarded so that resuming is exact)' +
        `.\nresume with:\n  longshort ${shellQuote([...resumeArgs, '--resume', checkpointPath])}\n`,
    );
    process.exitCode = exitCode;
    return;
  }
  await writeOutputs(lib, file, o, out, panel, info, run, backtestOpts);
}

async function writeOutputs(
  lib: typeof import('longshort'),
  file: string,
  o: ForecastOpts,
  out: Output,
  panel: Panel,
  info: import('longshort').PanelInfo,
  run: RunResult,
  backtestOpts: BacktestOptions,
): Promise<void> {
  const r = run.report;
  const opt = run.options;
  const files = {
    model: join(o.out, 'model.safetensors'),
    csv: join(o.out, 'forecast.csv'),
    metrics: join(o.out, 'metrics.json'),
    svg: join(o.out, 'forecast.svg'),
    png: join(o.out, 'forecast.png'),
    samples: null as string | null,
  };
  const extra = lib.forecastExtra(panel, info, opt, backtestOpts, r);
  await lib.saveModel(files.model, lib.ensembleContainer(r.members), { extra: extra as unknown as Record<string, unknown> });
  removeFinishedCheckpoint(join(o.out, 'checkpoint.safetensors'), out);
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  await lib.writeFileAtomic(files.csv, enc(lib.forecastCsv(panel, run)));
  const samples = lib.samplesCsv(panel, run);
  if (samples !== null) {
    files.samples = join(o.out, 'samples.csv');
    await lib.writeFileAtomic(files.samples, enc(samples));
  }
  const pct = (c: number): string => String(Math.round(c * 1000) / 10);
  const lastFold = r.folds[r.folds.length - 1];
  const dateOf = (i: number, t: number): string => (panel.dateColumn === null ? String(t) : lib.formatTime(lib.timeAt(panel.series[i], panel.step, t), panel.step, true));
  const foldRanges = r.folds.map((f) => {
    const ds = r.details.filter((d) => d.fold === f.fold);
    const first = ds[0];
    return first === undefined ? null : { from: dateOf(first.series, first.cutoff), to: dateOf(first.series, first.cutoff + opt.horizon - 1) };
  });
  const report = {
    command: 'forecast',
    file,
    target: panel.target,
    layout: panel.layout,
    series: panel.series.length,
    rows: panel.series.reduce((n, s) => n + s.y.length, 0),
    missingFilled: panel.series.reduce((n, s) => n + s.filled, 0),
    options: opt,
    inputs: r.inputNames,
    backtest: { ...lib.checkBacktest(backtestOpts, opt.horizon) },
    search: run.search === null ? null : { folds: run.search.folds, removed: run.search.removed, rows: run.search.rows, best: run.search.bestIndex },
    folds: r.folds.map((f, k) => ({ fold: f.fold, ...foldRanges[k], scored: f.scored, skipped: f.skipped, epochs: f.training.epochs.length, finalLoss: f.training.epochs.at(-1)?.loss ?? null, scores: f.scores })),
    overall: r.overall,
    bestBaseline: r.bestBaseline,
    comparison: lib.comparison(r),
    calibration: r.calibration,
    perSeries: r.perSeries,
  };
  await lib.writeFileAtomic(files.metrics, enc(JSON.stringify(report, jsonNumbers, 1) + '\n'));
  await writePlot(lib, o, panel, run, files.svg, files.png);
  const future = panel.series.map((s, i) => {
    const f = run.future![i];
    return {
      id: s.id,
      dates: Array.from({ length: opt.horizon }, (_, k) => dateOf(i, s.y.length + k)),
      forecast: Array.from(f.point),
      intervals: Object.fromEntries(opt.intervals.map((c) => {
        const [lo, hi] = lib.forecastInterval(f, c);
        return [pct(c), { lower: Array.from(lo), upper: Array.from(hi) }];
      })),
    };
  });
  out.result({ ...report, future, files });
  if (out.json) return;

  const header = lib.scoreHeader(opt.intervals);
  if (run.search !== null) {
    out.print(`grid search (${run.search.rows.length} combinations, ${run.search.folds} fold${run.search.folds > 1 ? 's' : ''} before the evaluated stretch; scored by mean MASE):`);
    out.print('');
    out.print(
      table(
        [
          ['', 'lookback', 'hidden', 'layers', 'lr', 'MASE', 'wQL', `cover ${pct(opt.intervals[0])}%`],
          ...run.search.rows.map((row, k) => [k === run.search!.bestIndex ? '→ chosen' : '', String(row.lookback), String(row.hidden), String(row.layers), String(row.lr), row.scores.mase, row.scores.wql.toPrecision(3), lib.percentText(row.scores.coverage[pct(opt.intervals[0])])]),
        ],
        3,
      ),
    );
    out.print('');
  }
  out.print(
    `season ${opt.season}, lookback ${opt.lookback}, horizon ${opt.horizon}; ${opt.head} head${opt.transform !== 'none' ? `, ${opt.transform} transform` : ''}${opt.deseasonalize ? ', deseasonalized' : ''}${opt.trend > 0 ? `, damped trend φ = ${opt.trend}` : ''}${opt.augment !== 'none' ? `, ${opt.augment} augmentation` : ''}${opt.conformal ? ', conformal intervals' : ''}${opt.ensemble > 1 ? `, ensemble of ${opt.ensemble}` : ''}; ` +
      `hidden ${opt.hidden}×${opt.layers}${opt.embeddingDim > 0 ? `, id embedding ${opt.embeddingDim}` : ''}, ${plural(opt.epochs, 'epoch')}, lr ${opt.lr}`,
  );
  if (r.folds.length > 1) {
    out.print('');
    out.print(`per fold (means over series; best baseline overall: ${lib.baselineLabel(r.bestBaseline, opt.season)}):`);
    out.print('');
    out.print(
      table(
        [
          ['fold', 'test from', 'to', 'series', 'model MASE', 'baseline MASE', `model cover ${pct(opt.intervals[0])}%`, 'model wQL'],
          ...r.folds.map((f, k) => [String(f.fold), foldRanges[k]?.from ?? '-', foldRanges[k]?.to ?? '-', String(f.scored), f.scores.model.mase, f.scores[r.bestBaseline].mase, lib.percentText(f.scores.model.coverage[pct(opt.intervals[0])]), f.scores.model.wql.toPrecision(3)]),
        ],
        3,
      ),
    );
  }
  out.print('');
  const span = foldRanges[0] !== null && foldRanges[foldRanges.length - 1] !== null ? ` (${foldRanges[0]!.from} … ${foldRanges[foldRanges.length - 1]!.to})` : '';
  out.print(
    r.folds.length > 1
      ? `all ${r.folds.length} folds${span}, ${opt.horizon} steps each; MASE scaled by each fold's in-sample seasonal-naive (m = ${opt.season}) error:`
      : `held-out tail: the last ${opt.horizon} points${span}; MASE scaled by the seasonal-naive (m = ${opt.season}) error in the training part:`,
  );
  out.print('');
  out.print(table([header, ...lib.scoreRows(r.overall, r.methods, opt.season, opt.intervals)], 3));
  out.print('');
  out.print(lib.comparison(r));
  if (r.perSeries.length > 1) {
    out.print('');
    out.print('per series (means over folds):');
    out.print('');
    out.print(
      table(
        [
          ['series', 'model MASE', `${lib.baselineLabel(r.bestBaseline, opt.season)} MASE`, `model cover ${pct(opt.intervals[0])}%`],
          ...r.perSeries.map((p) => [p.id, p.scores.model.mase, p.scores[r.bestBaseline].mase, lib.percentText(p.scores.model.coverage[pct(opt.intervals[0])])]),
        ],
        3,
      ),
    );
  }
  void lastFold;
  out.print('');
  out.print(`wrote ${[files.model, files.csv, files.metrics, files.svg, files.png, ...(files.samples ? [files.samples] : [])].join(', ')}`);
}

function jsonNumbers(_k: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array) return Array.from(v);
  return v;
}

async function writePlot(lib: typeof import('longshort'), o: ForecastOpts, panel: Panel, run: RunResult, svgPath: string, pngPath: string): Promise<void> {
  const r = run.report;
  const H = run.options.horizon;
  const time = panel.dateColumn !== null;
  const n = Math.min(o.plotSeries, panel.series.length);
  const lastFold = r.folds[r.folds.length - 1].fold;
  const panels = [];
  for (let i = 0; i < n; i++) {
    const s = panel.series[i];
    const x = (t: number): number => (time ? lib.timeAt(s, panel.step, t) : t);
    const d = r.details.find((e) => e.series === i && e.fold === lastFold);
    const T = s.y.length;
    const testStart = d?.cutoff ?? T;
    const from = Math.max(0, testStart - Math.max(4 * H, 48));
    const hx: number[] = [];
    const hy: number[] = [];
    for (let t = from; t < testStart; t++) (hx.push(x(t)), hy.push(s.y[t]));
    const f = run.future![i];
    const fx = Array.from({ length: H }, (_, k) => x(T + k));
    panels.push({
      title: s.id,
      history: { x: hx, y: hy },
      truth: d === undefined ? undefined : { x: Array.from(d.actual, (_, k) => x(d.cutoff + k)), y: d.actual },
      forecast:
        d === undefined
          ? { x: [], y: [], intervals: [] }
          : {
              x: Array.from(d.actual, (_, k) => x(d.cutoff + k)),
              y: d.forecasts.model.point,
              intervals: run.options.intervals.map((c, j) => ({ coverage: c, lower: d.forecasts.model.intervals[j][0], upper: d.forecasts.model.intervals[j][1] })),
            },
      future: { x: fx, y: f.point, intervals: run.options.intervals.map((c) => { const [lo, hi] = lib.forecastInterval(f, c); return { coverage: c, lower: lo, upper: hi }; }) },
    });
  }
  const m = r.overall.model.mase;
  const b = r.overall[r.bestBaseline].mase;
  const { bandChart } = await import('../../plot/bands.js');
  const { svgToPng } = await import('../../plot/node.js');
  const svg = await bandChart({
    panels,
    time,
    yTitle: panel.target,
    title: `${panel.series.length === 1 ? panel.series[0].id : `${n} of ${panel.series.length} series`}: ${H}-step forecast (MASE ${m.toFixed(2)}; best baseline ${b.toFixed(2)})`,
  });
  await lib.writeFileAtomic(svgPath, new TextEncoder().encode(svg));
  await lib.writeFileAtomic(pngPath, new Uint8Array(svgToPng(svg)));
}
