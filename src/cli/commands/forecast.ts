import { CHECKPOINT_OPTION, THREADS_OPTION, type CheckpointEvery } from '../training.js';
// `longshort forecast data.csv --target COL --horizon N …`: argument parsing and output only; the
// pipeline (features, windows, scalers, model, metrics, CSV) is src/apps/forecast.ts.
// Writes into --out: model.safetensors (weights + scalers and config in its extra), forecast.csv,
// forecast.svg and forecast.png; on Ctrl-C, checkpoint.safetensors instead (see ../training.ts).

import { join } from 'node:path';
import type { Command } from 'commander';
import { CliError, Output, choiceOption, ensureDir, getInvocation, floatOption, intOption, listOption, readText, requireFile, table } from '../util.js';
import type { MissingPolicy } from '../../data/csv.js';

interface ForecastOpts {
  checkpointEvery?: CheckpointEvery;
  threads: number;
  target: string;
  features?: string[];
  date?: string;
  horizon: number;
  lookback?: number;
  season?: number;
  holdout?: number;
  missing: MissingPolicy;
  epochs?: number;
  hidden?: number;
  batchSize?: number;
  lr?: number;
  seed: number;
  out: string;
  json?: boolean;
  quiet?: boolean;
  resume?: string;
}

export function register(program: Command): void {
  program
    .command('forecast')
    .description('train an LSTM on the past of a CSV time series and forecast the next --horizon values; compare with naive baselines on the held-out tail')
    .argument('<file>', 'CSV file with a header line')
    .requiredOption('--target <column>', 'column to forecast')
    .requiredOption('--horizon <n>', 'values to forecast at once (and the default held-out tail)', intOption('--horizon'))
    .option('--features <a,b>', 'extra input columns (their past values are model inputs)', listOption)
    .option('--date <column>', 'date column (YYYY-MM-DD, YYYY-MM, ISO date-time or decimal year): monthly/daily gaps are detected, dates go into the CSV and plot')
    .option('--lookback <n>', 'input steps per window (default: max(2·season, min(horizon, 24), 8))', intOption('--lookback'))
    .option('--season <n>', 'seasonal period (default: detected from the autocorrelation of the training part; 1 = none)', intOption('--season'))
    .option('--holdout <n>', 'points held out at the end for the metrics (>= horizon; default horizon)', intOption('--holdout'))
    .option('--missing <policy>', 'missing values and missing dates: error, drop, ffill or interpolate', choiceOption('--missing', ['error', 'drop', 'ffill', 'interpolate'] as const), 'error')
    .option('--epochs <n>', 'training epochs (default 30)', intOption('--epochs'))
    .option('--hidden <n>', 'LSTM hidden size (default 32)', intOption('--hidden'))
    .option('--batch-size <n>', 'mini-batch size (default 32)', intOption('--batch-size'))
    .option('--lr <x>', 'Adam learning rate (default 0.005)', floatOption('--lr', 0, 10, true))
    .option('--seed <n>', 'random seed (weights, shuffling)', intOption('--seed', 0), 0)
    .option(...THREADS_OPTION)
    .option(...CHECKPOINT_OPTION)
    .option('--out <dir>', 'output folder', 'out/forecast')
    .option('--resume <checkpoint>', 'continue an interrupted run from its checkpoint')
    .option('--json', 'print one JSON object on stdout (progress as JSON lines on stderr)')
    .option('--quiet', 'no progress output')
    .action(async (file: string, opts: ForecastOpts) => {
      await runForecast(file, opts, getInvocation());
    });
}

async function runForecast(file: string, o: ForecastOpts, argv: string[]): Promise<void> {
  const out = new Output(o.json === true, o.quiet === true);
  const text = readText(file, 'data file');
  if (o.resume !== undefined) requireFile(o.resume, 'checkpoint');
  const app = await import('../../apps/forecast.js');
  const { saveModel, loadModelFile } = await import('../../io/model-node.js');
  const series = app.loadSeries(text, { target: o.target, features: o.features, date: o.date, missing: o.missing });

  let model;
  let prepared;
  let resumeState = null;
  if (o.resume !== undefined) {
    const ck = await loadModelFile(o.resume);
    const extra = ck.extra as unknown as import('../../apps/forecast.js').ForecastExtra;
    if (extra.app !== 'forecast') throw new CliError(`--resume: '${o.resume}' is not a forecast checkpoint (it was written by '${String(extra.app)}').`);
    if (extra.target !== o.target || extra.features.join() !== (o.features ?? []).join()) {
      throw new CliError(`--resume: the checkpoint was trained on target '${extra.target}' with features [${extra.features.join(', ')}]; received --target ${o.target} --features ${(o.features ?? []).join(',') || '(none)'}.`);
    }
    prepared = app.prepareForecast(series, extra.config, { date: o.date ?? null, missing: o.missing });
    if (JSON.stringify(prepared.extra.inputScaler) !== JSON.stringify(extra.inputScaler)) {
      throw new CliError(`--resume: '${file}' does not hold the data the checkpoint was trained on (the training part's statistics differ). Hint: resume with the same file and options.`);
    }
    model = ck.model;
    resumeState = ck.training;
    out.log(`resuming from ${o.resume} after epoch ${resumeState?.epoch ?? 0} of ${extra.config.epochs}`);
    (await import('../training.js')).warnIfKernelsDiffer(ck.extra, out);
  } else {
    const config = app.resolveConfig(series, {
      horizon: o.horizon,
      lookback: o.lookback,
      season: o.season,
      holdout: o.holdout,
      hidden: o.hidden,
      epochs: o.epochs ?? 30,
      batchSize: o.batchSize,
      lr: o.lr,
      seed: o.seed,
    });
    prepared = app.prepareForecast(series, config, { date: o.date ?? null, missing: o.missing });
    model = app.buildForecastModel(prepared.x.shape[2], config);
  }
  const c = prepared.extra.config;
  const T = series.y.length;
  out.log(
    `${T} points of '${o.target}'${series.filled > 0 ? ` (${series.filled} missing, ${o.missing})` : ''}; season ${c.season}, lookback ${c.lookback}, horizon ${c.horizon}; ` +
      `${prepared.x.shape[0]} training windows, ${c.holdout} points held out`,
  );
  ensureDir(o.out);
  const { fitInterruptible } = await import('../training.js');
  const modelPath = join(o.out, 'model.safetensors');
  const fitted = await fitInterruptible({
    threads: o.threads,
    model,
    x: prepared.x,
    y: prepared.y,
    options: {
      loss: 'mse',
      optimizer: { name: 'adam', lr: c.lr },
      epochs: c.epochs,
      batchSize: c.batchSize,
      seed: c.seed,
      clipNorm: 1,
      validationData: prepared.val ?? undefined,
    },
    resume: resumeState,
    checkpointPath: join(o.out, 'checkpoint.safetensors'),
    checkpointEvery: o.checkpointEvery,
    extra: prepared.extra as unknown as Record<string, unknown>,
    resumeArgs: argv.filter((_, k, a) => a[k] !== '--resume' && a[k - 1] !== '--resume'),
    out,
  });
  if (fitted.interrupted) return;

  const ev = app.evaluateForecast(model, series, prepared.extra);
  await saveModel(modelPath, model, { extra: prepared.extra as unknown as Record<string, unknown> });
  const { writeFileAtomic } = await import('../../io/node.js');
  const csvPath = join(o.out, 'forecast.csv');
  await writeFileAtomic(csvPath, new TextEncoder().encode(app.forecastCsv(series, ev, o.date ?? null)));
  const plot = await writeForecastPlot(app, series, ev, o, join(o.out, 'forecast'));

  const m = ev.metrics;
  const [testStart] = prepared.extra.splits.test;
  const label = (i: number): string => (series.times === null ? String(i) : new Date(series.times[i]).toISOString().slice(0, series.step === 'month' ? 7 : 10));
  out.result({
    command: 'forecast',
    file,
    target: o.target,
    rows: T,
    missingFilled: series.filled,
    season: c.season,
    lookback: c.lookback,
    horizon: c.horizon,
    holdout: c.holdout,
    trainingWindows: prepared.x.shape[0],
    epochs: fitted.history!.epochs.length,
    finalLoss: fitted.history!.epochs.at(-1)?.loss ?? null,
    finalValLoss: fitted.history!.epochs.at(-1)?.valLoss ?? null,
    metrics: m,
    heldOut: { from: label(testStart), to: label(T - 1) },
    future: ev.future.forecast,
    files: { model: modelPath, csv: csvPath, svg: plot.svg, png: plot.png },
  });
  if (!out.json) {
    out.print(`held-out tail: the last ${c.holdout} points (${label(testStart)} … ${label(T - 1)}), forecast ${c.horizon} at a time; MASE scaled by the seasonal-naive (m = ${c.season}) error in the training part`);
    out.print('');
    out.print(
      table(
        [
          ['', 'MAE', 'RMSE', 'sMAPE %', 'MASE'],
          ['model (LSTM)', m.model.mae, m.model.rmse, m.model.smape, m.model.mase],
          ['naive (last value)', m.naive.mae, m.naive.rmse, m.naive.smape, m.naive.mase],
          [`seasonal naive (m = ${c.season})`, m.seasonalNaive.mae, m.seasonalNaive.rmse, m.seasonalNaive.smape, m.seasonalNaive.mase],
        ],
        3,
      ),
    );
    out.print('');
    out.print(`wrote ${modelPath}, ${csvPath}, ${plot.svg}, ${plot.png}`);
  }
  await fitted.finish();
}

async function writeForecastPlot(
  app: typeof import('../../apps/forecast.js'),
  s: import('../../apps/forecast.js').ForecastSeries,
  ev: import('../../apps/forecast.js').Evaluation,
  o: ForecastOpts,
  base: string,
): Promise<{ svg: string; png: string }> {
  const { forecastChart } = await import('../../plot/charts.js');
  const { svgToPng } = await import('../../plot/node.js');
  const { writeFileAtomic } = await import('../../io/node.js');
  const T = s.y.length;
  const H = ev.future.index.length;
  const testStart = ev.test.index[0];
  const x = (i: number): number => (s.times === null ? i : s.times[i]);
  // Enough history to see the pattern, not so much that the forecast is a sliver of the chart.
  const from = Math.max(0, testStart - Math.max(6 * H, 60));
  const hist = { x: [] as number[], y: [] as number[] };
  for (let i = from; i < testStart; i++) {
    hist.x.push(x(i));
    hist.y.push(s.y[i]);
  }
  // Join the lines at the last historical point so there is no gap in the chart.
  const truth = { x: [x(testStart - 1), ...ev.test.index.map(x)], y: [s.y[testStart - 1], ...ev.test.actual] };
  const fc = { x: [x(testStart - 1), ...ev.test.index.map(x)], y: [s.y[testStart - 1], ...ev.test.model] };
  const fut = app.futureTimes(s, H);
  const future = { x: [x(T - 1), ...Array.from(fut)], y: [s.y[T - 1], ...ev.future.forecast] };
  const svg = await forecastChart({
    history: hist,
    heldOutTruth: truth,
    forecast: fc,
    future,
    time: s.times !== null,
    title: `${o.target}: ${H}-step forecast (MASE ${ev.metrics.model.mase.toFixed(2)}; seasonal naive ${ev.metrics.seasonalNaive.mase.toFixed(2)})`,
    yTitle: o.target,
  });
  const paths = { svg: `${base}.svg`, png: `${base}.png` };
  await writeFileAtomic(paths.svg, new TextEncoder().encode(svg));
  await writeFileAtomic(paths.png, new Uint8Array(svgToPng(svg)));
  return paths;
}
