// The research experiments behind `longshort experiment <name>`: each runs its seeds, and returns
// one JSON-ready report, a Markdown table, and Vega-Lite chart specs as plain JSON (the command line
// renders them). Browser-safe: no files (the CLI reads the bundled data and writes the outputs), so a
// web page could run these too.
//   adding          Hochreiter & Schmidhuber (1997) experiment 4, LSTM vs a plain (Elman) RNN
//   temporal-order  the same paper's experiment 6a, LSTM vs Elman
//   gates           Greff et al. (2017) variants and forget bias 0 vs 1 on three small tasks

import { ConfigError } from '../errors.js';
import { addingTask, temporalOrderTask, trainOnStream, type CurvePoint, type ModelKind, type StreamResult, type StreamTask } from './stream.js';
import { GATE_CONFIGS, GATE_METRICS, GATE_SIZES, GATE_TASKS, gateBaselines, runGateTask, summarizeGates, type GateData, type GateRun, type GateSummary, type GateTaskName } from './gates.js';

export { addingProblem, addingErrors, type AddingBatch } from './adding.js';
export { temporalOrderProblem, TEMPORAL_ORDER_SYMBOLS, type TemporalOrderBatch } from './temporal-order.js';
export { ElmanRNN, type ElmanRNNOptions } from './elman.js';
export * from './stream.js';
export * from './gates.js';

/** A Vega-Lite chart specification (plain JSON); `longshort experiment` renders it with vega-lite. */
export type ChartSpec = Record<string, unknown>;

/** An experiment runExperiment() can run (see the file header). */
export type ExperimentName = 'adding' | 'temporal-order' | 'gates';
/** Every ExperimentName. */
export const EXPERIMENTS: readonly ExperimentName[] = ['adding', 'temporal-order', 'gates'];
/** The budget of an experiment: 'tiny' (seconds, for tests), 'small', or 'paper' (the published settings). */
export type ExperimentSize = 'tiny' | 'small' | 'paper';
/** Every ExperimentSize. */
export const SIZES: readonly ExperimentSize[] = ['tiny', 'small', 'paper'];

/** Options of runExperiment(); bad values throw ConfigError. */
export interface ExperimentOptions {
  /** The budget. */
  size: ExperimentSize;
  /** Runs per model or configuration, each with its own seed. */
  seeds: number;
  /** First seed (runs use firstSeed, firstSeed + 1, …). Default 1. */
  firstSeed?: number;
  /** adding / temporal-order: sequence length T (default 100; tiny: 10). */
  T?: number;
  /** adding / temporal-order: which networks (default both). */
  models?: ModelKind[];
  /** adding / temporal-order: override the size's budget of training sequences. */
  maxSequences?: number;
  /** gates: only these tasks (default all three). */
  tasks?: GateTaskName[];
  /** gates: the corpus and CSV contents. */
  data?: GateData;
  /** Progress lines (the CLI sends them to stderr). */
  log?: (line: string) => void;
}

/** What runExperiment() returns: JSON-ready results, a Markdown table and Vega-Lite charts. */
export interface ExperimentReport {
  /** The experiment run. */
  experiment: ExperimentName;
  /** Its budget. */
  size: ExperimentSize;
  /** The settings used (sizes, learning rate, T, …). */
  settings: Record<string, unknown>;
  /** Per seed (and model / config) results. */
  runs: unknown[];
  /** Per model (or configuration) aggregates. */
  summary: unknown[];
  /** Wall time, in seconds. */
  seconds: number;
  /** The results as a Markdown table. */
  markdown: string;
  /** Vega-Lite charts by name. */
  charts: Record<string, ChartSpec>;
}

/** The trainOnStream settings of one budget of the adding and temporal-order experiments (STREAM_SIZES). */
export interface StreamSize {
  /** Hidden size. */
  hidden: number;
  /** Sequences per training batch. */
  batch: number;
  /** Adam's learning rate. */
  lr: number;
  /** Global gradient-norm clip. */
  clipNorm: number;
  /** Training sequences before giving up, per network. */
  maxSequences: Record<ModelKind, number>;
  /** Score the test set every this many training sequences. */
  evalEvery: number;
  /** Size of the fixed test set. */
  test: number;
  /** Sequences in the stopping rule's window. */
  window: number;
}

/** Budgets of the stream experiments. The test set and the 2,000-sequence window are the paper's from 'small' up. */
export const STREAM_SIZES: Record<ExperimentSize, StreamSize> = {
  tiny: { hidden: 8, batch: 32, lr: 1e-2, clipNorm: 1, maxSequences: { lstm: 10_000, 'lstm-forget': 10_000, elman: 10_000 }, evalEvery: 2000, test: 256, window: 500 },
  small: { hidden: 8, batch: 32, lr: 1e-2, clipNorm: 1, maxSequences: { lstm: 200_000, 'lstm-forget': 100_000, elman: 100_000 }, evalEvery: 10_000, test: 2560, window: 2000 },
  paper: { hidden: 8, batch: 32, lr: 1e-2, clipNorm: 1, maxSequences: { lstm: 1_000_000, 'lstm-forget': 1_000_000, elman: 1_000_000 }, evalEvery: 20_000, test: 2560, window: 2000 },
};

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

function checkCommon(o: ExperimentOptions): void {
  if (!SIZES.includes(o.size)) throw new ConfigError(`[experiment] size must be one of ${SIZES.join(', ')}; received '${o.size}'.`);
  if (!Number.isInteger(o.seeds) || o.seeds < 1) throw new ConfigError(`[experiment] seeds must be a positive integer; received ${o.seeds}.`);
}

/** Runs experiment `name` with every seed and returns its report; bad options throw ConfigError. */
export function runExperiment(name: ExperimentName, o: ExperimentOptions): ExperimentReport {
  checkCommon(o);
  switch (name) {
    case 'adding':
    case 'temporal-order':
      return runStreamExperiment(name, o);
    case 'gates':
      return runGatesExperiment(o);
    default:
      throw new ConfigError(`[experiment] name must be one of ${EXPERIMENTS.join(', ')}; received '${String(name)}'.`);
  }
}

// ---------------------------------------------------------------- adding / temporal order

/** Aggregates of one model's runs on the adding or temporal-order task. */
export interface StreamSummary {
  /** The network. */
  model: ModelKind;
  /** Runs (seeds). */
  runs: number;
  /** Runs that solved the task. */
  solved: number;
  /** Mean training sequences over the solved runs (null when none solved). */
  meanTrainingSequences: number | null;
  /** Mean misclassified test sequences. */
  meanTestErrors: number;
  /** Test sequences per run. */
  testSequences: number;
  /** Mean wall time per run, in seconds. */
  meanSeconds: number;
}

function runStreamExperiment(name: 'adding' | 'temporal-order', o: ExperimentOptions): ExperimentReport {
  const t0 = now();
  const sz = STREAM_SIZES[o.size];
  const T = o.T ?? (o.size === 'tiny' ? 10 : 100);
  if (!Number.isInteger(T) || T < 10) throw new ConfigError(`[experiment ${name}] T must be an integer ≥ 10; received ${T}.`);
  const models = o.models ?? ['lstm', 'elman'];
  const task: StreamTask = name === 'adding' ? addingTask(T) : temporalOrderTask(T);
  const first = o.firstSeed ?? 1;
  const log = o.log ?? (() => undefined);
  const runs: StreamResult[] = [];
  for (const model of models) {
    const maxSequences = o.maxSequences ?? sz.maxSequences[model];
    for (let s = 0; s < o.seeds; s++) {
      const seed = first + s;
      log(`${task.name} ${model} seed ${seed}: training (at most ${maxSequences} sequences)`);
      const r = trainOnStream(task, {
        model,
        hiddenSize: sz.hidden,
        seed,
        batchSize: sz.batch,
        lr: sz.lr,
        clipNorm: sz.clipNorm,
        maxSequences,
        evalEvery: sz.evalEvery,
        testSequences: sz.test,
        window: sz.window,
        onEval: (p: CurvePoint) => log(`  ${model} seed ${seed}: ${p.sequences} sequences, test errors ${p.testErrors}/${sz.test}, test loss ${p.testLoss.toPrecision(4)}`),
      });
      log(`  ${model} seed ${seed}: ${r.solved ? 'solved' : 'NOT solved'} after ${r.trainingSequences} sequences, ${r.testErrors}/${r.testSequences} test errors, ${r.seconds.toFixed(1)} s`);
      runs.push(r);
    }
  }
  const summary: StreamSummary[] = models.map((model) => {
    const rs = runs.filter((r) => r.model === model);
    const solved = rs.filter((r) => r.solved);
    return {
      model,
      runs: rs.length,
      solved: solved.length,
      meanTrainingSequences: solved.length === 0 ? null : mean(solved.map((r) => r.trainingSequences)),
      meanTestErrors: mean(rs.map((r) => r.testErrors)),
      testSequences: sz.test,
      meanSeconds: mean(rs.map((r) => r.seconds)),
    };
  });
  const paper = name === 'adding' ? { T: 100, trainingSequences: 74_000, testErrors: 1, testSequences: 2560, source: 'Hochreiter & Schmidhuber (1997), table 7' } : { T: 100, trainingSequences: 31_390, testErrors: 1, testSequences: 2560, source: 'Hochreiter & Schmidhuber (1997), experiment 6a' };
  const settings = {
    T,
    task: task.describe,
    stoppingRule: `the ${sz.window} most recent training sequences all correct and their mean error below ${task.maxMeanError}`,
    hiddenSize: sz.hidden,
    batchSize: sz.batch,
    optimizer: `Adam lr ${sz.lr}, global gradient-norm clip ${sz.clipNorm}`,
    models: {
      lstm: 'the 1997 cell: no forget gate (variant NFG), input-gate bias −3',
      'lstm-forget': 'LSTM with forget gate (vanilla variant), forget bias 1, input-gate bias −3',
      elman: 'plain tanh RNN (ElmanRNN), PyTorch init',
    },
    maxSequences: Object.fromEntries(models.map((m) => [m, o.maxSequences ?? sz.maxSequences[m]])),
    evalEvery: sz.evalEvery,
    paper,
  };
  const seconds = (now() - t0) / 1000;
  const title = name === 'adding' ? `Adding problem, T = ${T}` : `Temporal order (6a), T = ${T}`;
  const lines = [
    `### ${title} (size ${o.size})`,
    '',
    '| model | seed | solved | training sequences | test errors | seconds |',
    '| --- | --- | --- | ---: | ---: | ---: |',
    ...runs.map((r) => `| ${r.model} | ${r.seed} | ${r.solved ? 'yes' : 'no'} | ${fmtInt(r.trainingSequences)}${r.solved ? '' : ' (budget)'} | ${r.testErrors} / ${r.testSequences} | ${r.seconds.toFixed(1)} |`),
    '',
    '| model | solved | mean training sequences (solved runs) | mean test errors | mean seconds |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...summary.map((s) => `| ${s.model} | ${s.solved} / ${s.runs} | ${s.meanTrainingSequences === null ? '—' : fmtInt(Math.round(s.meanTrainingSequences))} | ${s.meanTestErrors.toFixed(1)} / ${s.testSequences} | ${s.meanSeconds.toFixed(1)} |`),
    `| paper (LSTM, T = ${paper.T}) | — | ${fmtInt(paper.trainingSequences)} | ${paper.testErrors} / ${paper.testSequences} | — |`,
    '',
  ];
  const values = runs.flatMap((r) => r.curve.map((p) => ({ sequences: p.sequences, errorRate: p.testErrors / r.testSequences, run: `${r.model} seed ${r.seed}` })));
  const chart: ChartSpec = {
    $schema: SCHEMA,
    title: `${title}: test error rate while training`,
    width: 520,
    height: 260,
    config: { font: FONT, view: { stroke: null } },
    data: { values },
    mark: { type: 'line', point: values.length <= 80 },
    encoding: {
      x: { field: 'sequences', type: 'quantitative', title: 'training sequences' },
      y: { field: 'errorRate', type: 'quantitative', title: `wrong fraction of ${sz.test} test sequences`, scale: { domain: [0, 1] } },
      color: { field: 'run', type: 'nominal', title: null },
    },
  } as ChartSpec;
  return {
    experiment: name,
    size: o.size,
    settings,
    runs: runs.map((r) => ({ model: r.model, seed: r.seed, solved: r.solved, trainingSequences: r.trainingSequences, testErrors: r.testErrors, testSequences: r.testSequences, testLoss: r.testLoss, seconds: round(r.seconds, 2), curve: r.curve })),
    summary,
    seconds,
    markdown: lines.join('\n'),
    charts: { [`${name}-curve`]: chart },
  };
}

// ---------------------------------------------------------------- gates

function runGatesExperiment(o: ExperimentOptions): ExperimentReport {
  const t0 = now();
  if (o.data === undefined) throw new ConfigError('[experiment gates] needs data: { text, co2Csv } (the CLI reads them from data/).');
  const size = GATE_SIZES[o.size];
  const tasks = o.tasks ?? [...GATE_TASKS];
  for (const t of tasks) if (!GATE_TASKS.includes(t)) throw new ConfigError(`[experiment gates] tasks must be among ${GATE_TASKS.join(', ')}; received '${t}'.`);
  const first = o.firstSeed ?? 1;
  const log = o.log ?? (() => undefined);
  const runs: GateRun[] = [];
  for (const task of tasks) {
    for (const c of GATE_CONFIGS) {
      for (let s = 0; s < o.seeds; s++) {
        const r = runGateTask(task, size, o.data, c, first + s);
        log(`gates ${task} ${c.label} seed ${r.seed}: ${GATE_METRICS[task]} ${r.metric.toPrecision(4)} (${r.seconds.toFixed(1)} s)`);
        runs.push(r);
      }
    }
  }
  const summary = summarizeGates(runs);
  const baselines = gateBaselines(size, o.data);
  const lines: string[] = [`### Which gate matters (size ${o.size}, ${o.seeds} seed${o.seeds === 1 ? '' : 's'} each)`, ''];
  for (const task of tasks) {
    const rows = summary.filter((r) => r.task === task);
    lines.push(`**${task}** — ${GATE_METRICS[task]}, lower is better; mean ± sd over seeds [min, max]`, '');
    lines.push('| config | mean | sd | min | max | rank |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) lines.push(`| ${r.config} | ${fmt(r.mean)} | ${fmt(r.sd)} | ${fmt(r.min)} | ${fmt(r.max)} | ${r.rank} |`);
    lines.push(`| *baseline: ${baselines[task].label}* | ${fmt(baselines[task].metric)} | | | | |`, '');
  }
  const chart: ChartSpec = {
    $schema: SCHEMA,
    title: 'LSTM variants: final metric relative to vanilla (mean over seeds, lower is better)',
    config: { font: FONT, view: { stroke: null } },
    data: {
      values: summary.map((r) => {
        const v = summary.find((q) => q.task === r.task && q.config === 'vanilla');
        const ref = v === undefined ? 1 : v.mean;
        return { task: r.task, config: r.config, ratio: r.mean / ref, lo: r.min / ref, hi: r.max / ref };
      }),
    },
    facet: { column: { field: 'task', type: 'nominal', title: null } },
    spec: {
      width: 200,
      height: 220,
      layer: [
        // points on a log axis: a failed configuration can be 100× worse than vanilla, a good one 5 % better
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'config', type: 'nominal', title: null, sort: GATE_CONFIGS.map((c) => c.label) }, y: { field: 'ratio', type: 'quantitative', title: 'metric / vanilla (log scale)', scale: { type: 'log' } } } },
        { mark: { type: 'rule' }, encoding: { x: { field: 'config', type: 'nominal', sort: GATE_CONFIGS.map((c) => c.label) }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  } as ChartSpec;
  const seconds = (now() - t0) / 1000;
  return {
    experiment: 'gates',
    size: o.size,
    settings: { tasks, configs: GATE_CONFIGS, sizes: size, metrics: GATE_METRICS, baselines, optimizer: 'Adam, global gradient-norm clip 1' },
    runs: runs.map((r) => ({ ...r, seconds: round(r.seconds, 2) })),
    summary: summary as GateSummary[],
    seconds,
    markdown: lines.join('\n'),
    charts: { 'gates-ratio': chart },
  };
}

// ---------------------------------------------------------------- helpers

function mean(v: number[]): number {
  return v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}

function fmtInt(v: number): string {
  return v.toLocaleString('en-US');
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
