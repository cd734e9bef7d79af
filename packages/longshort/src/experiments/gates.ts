// Which gate matters: the LSTM variants of Greff et al. (2017, "LSTM: A Search Space Odyssey") —
// vanilla, NIG (no input gate), NFG (no forget gate), NOG (no output gate), NIAF / NOAF (no input /
// output activation), PH (peepholes), CIFG (coupled input and forget gate) — plus the vanilla LSTM
// with forget-gate bias 0 instead of 1 (Jozefowicz et al. 2015), each trained on three small tasks
// with a fixed budget, several seeds, and scored by one final metric per task (lower is better):
//   adding     the adding problem at a short lag; test mean squared error
//   charlm     a character-level language model of the bundled Lincoln text; validation bits/char
//   co2        one-step-ahead forecast of monthly Mauna Loa CO₂ (the bundled series); test RMSE, ppm
// Sizes are kept small on purpose (the whole study runs in minutes on two shared cores), so this
// checks the *direction* of the published ranking, not its magnitudes. Browser-safe: the caller
// passes the text and the CSV contents in.
// Left out: hyperparameter search per variant (Greff et al. sampled learning rates etc. at random;
// we use one setting for all variants), the GRU, and the music/handwriting/TIMIT tasks.

import { Tensor } from '../tensor.js';
import { ConfigError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { LSTM, type LstmVariant } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Embedding } from '../nn/embedding.js';
import { Sequential } from '../nn/sequential.js';
import { Adam } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip.js';
import { mseLoss } from '../losses/regression.js';
import { softmaxCrossEntropy } from '../losses/crossEntropy.js';
import { parseCsv, numericColumn, dateColumn } from '../data/csv.js';
import { addingProblem } from './adding.js';

/** A task of the gates experiment: the adding problem, a character language model, CO₂ forecasting. */
export type GateTaskName = 'adding' | 'charlm' | 'co2';
/** Every GateTaskName. */
export const GATE_TASKS: readonly GateTaskName[] = ['adding', 'charlm', 'co2'];

/** One LSTM configuration of the gates experiment. */
export interface GateConfig {
  /** Label in tables: the variant, or 'vanilla fb=0'. */
  label: string;
  /** Greff et al.'s variant. */
  variant: LstmVariant;
  /** Initial forget-gate bias. */
  forgetBias: number;
}

/** The eight variants with forget bias 1, then vanilla with forget bias 0. */
export const GATE_CONFIGS: readonly GateConfig[] = [
  ...(['vanilla', 'NIG', 'NFG', 'NOG', 'NIAF', 'NOAF', 'PH', 'CIFG'] as const).map((v) => ({ label: v, variant: v, forgetBias: 1 })),
  { label: 'vanilla fb=0', variant: 'vanilla', forgetBias: 0 },
];

/** The budget of each gates task. */
export interface GateSizes {
  /** Sequence length, hidden size, batch, training sequences, test sequences, learning rate. */
  adding: { T: number; hidden: number; batch: number; sequences: number; test: number; lr: number };
  /** Training and validation characters, sequence length, hidden and embedding sizes, batch, steps, learning rate. */
  charlm: { trainChars: number; valChars: number; seqLen: number; hidden: number; embed: number; batch: number; steps: number; lr: number };
  /** Months per input window, hidden size, batch, epochs, learning rate. */
  co2: { window: number; hidden: number; batch: number; epochs: number; lr: number };
}

/** GateSizes per experiment size. */
export const GATE_SIZES: Record<'tiny' | 'small' | 'paper', GateSizes> = {
  tiny: {
    adding: { T: 10, hidden: 8, batch: 32, sequences: 3200, test: 256, lr: 1e-2 },
    charlm: { trainChars: 4000, valChars: 1000, seqLen: 32, hidden: 16, embed: 8, batch: 16, steps: 50, lr: 1e-2 },
    co2: { window: 12, hidden: 8, batch: 32, epochs: 3, lr: 1e-2 },
  },
  small: {
    adding: { T: 20, hidden: 8, batch: 32, sequences: 24000, test: 1000, lr: 1e-2 },
    charlm: { trainChars: 40000, valChars: 8000, seqLen: 64, hidden: 48, embed: 16, batch: 16, steps: 300, lr: 1e-2 },
    co2: { window: 24, hidden: 16, batch: 32, epochs: 40, lr: 1e-2 },
  },
  paper: {
    adding: { T: 50, hidden: 16, batch: 32, sequences: 100000, test: 2560, lr: 1e-2 },
    charlm: { trainChars: 120000, valChars: 20000, seqLen: 100, hidden: 128, embed: 32, batch: 32, steps: 2000, lr: 3e-3 },
    co2: { window: 24, hidden: 32, batch: 32, epochs: 150, lr: 3e-3 },
  },
};

/** The data the charlm and co2 tasks read (the command line passes the bundled files). */
export interface GateData {
  /** The character-level corpus (data/lincoln-annual-messages-1861-1864.txt). */
  text: string;
  /** data/co2-concentration.csv contents. */
  co2Csv: string;
}

/** One run of one configuration on one task. */
export interface GateRun {
  /** The task. */
  task: GateTaskName;
  /** The configuration's label. */
  config: string;
  /** Its variant. */
  variant: LstmVariant;
  /** Its forget bias. */
  forgetBias: number;
  /** The run's seed. */
  seed: number;
  /** The task's final metric (lower is better). */
  metric: number;
  /** Wall time, in seconds. */
  seconds: number;
}

/** The name of each task's metric, for tables. */
export const GATE_METRICS: Record<GateTaskName, string> = {
  adding: 'test MSE',
  charlm: 'validation bits/char',
  co2: 'test RMSE (ppm)',
};

function lstm(inputSize: number, hidden: number, c: GateConfig, seed: number, returnSequences: boolean): LSTM {
  return new LSTM({ inputSize, hiddenSize: hidden, returnSequences, variant: c.variant, forgetBias: c.forgetBias, seed });
}

function step(model: Sequential, opt: Adam, grad: Tensor): void {
  model.callBackward(grad);
  clipGradNorm(model.params(), 1);
  opt.step();
}

/** Adding problem with a fixed budget of fresh sequences; returns test MSE. */
export function runGateAdding(s: GateSizes['adding'], c: GateConfig, seed: number): number {
  const model = new Sequential([lstm(2, s.hidden, c, seed, false), new Dense({ inputSize: s.hidden, outputSize: 1, seed: seed + 7919 })]);
  const opt = new Adam(model.params(), { lr: s.lr });
  const rng = new Rng(2_000_003 + seed);
  for (let seen = 0; seen < s.sequences; seen += s.batch) {
    const b = addingProblem(s.batch, s.T, rng);
    model.zeroGrad();
    const pred = model.call(b.x, { training: true, lengths: b.lengths });
    step(model, opt, mseLoss(pred, b.y, { computeGrad: true }).grad!);
  }
  const test = addingProblem(s.test, s.T, new Rng(1_000_003 + seed));
  const pred = model.call(test.x, { training: false, lengths: test.lengths });
  return mseLoss(pred, test.y, { computeGrad: false }).loss;
}

/** The corpus as class ids over its sorted distinct characters. */
export function encodeText(text: string): { ids: Int32Array; vocab: string[] } {
  const vocab = [...new Set(text)].sort();
  const index = new Map(vocab.map((ch, k) => [ch, k]));
  const ids = new Int32Array(text.length);
  for (let k = 0; k < text.length; k++) ids[k] = index.get(text[k])!;
  return { ids, vocab };
}

/** Character LM: train on random windows of the first trainChars, score the next valChars; bits/char. */
export function runGateCharLm(s: GateSizes['charlm'], text: string, c: GateConfig, seed: number): number {
  const { ids, vocab } = encodeText(text);
  const V = vocab.length;
  if (ids.length < s.trainChars + s.valChars) {
    throw new ConfigError(`[gates charlm] the text must have at least trainChars + valChars = ${s.trainChars + s.valChars} characters; received ${ids.length}.`);
  }
  const L = s.seqLen;
  const model = new Sequential([
    new Embedding({ numEmbeddings: V, embeddingDim: s.embed, seed: seed + 31 }),
    lstm(s.embed, s.hidden, c, seed, true),
    new Dense({ inputSize: s.hidden, outputSize: V, seed: seed + 7919 }),
  ]);
  const opt = new Adam(model.params(), { lr: s.lr });
  const rng = new Rng(3_000_017 + seed);
  const x = new Tensor(new Float32Array(s.batch * L), [s.batch, L]);
  const y = new Int32Array(s.batch * L);
  for (let it = 0; it < s.steps; it++) {
    for (let b = 0; b < s.batch; b++) {
      const start = rng.int(s.trainChars - L - 1);
      for (let t = 0; t < L; t++) {
        x.data[b * L + t] = ids[start + t];
        y[b * L + t] = ids[start + t + 1];
      }
    }
    model.zeroGrad();
    const logits = model.call(x, { training: true });
    step(model, opt, softmaxCrossEntropy(logits, y, { computeGrad: true }).grad!);
  }
  // validation: consecutive non-overlapping windows, each from a zero state (the same for all variants)
  const nWin = Math.floor((s.valChars - 1) / L);
  const vx = new Tensor(new Float32Array(nWin * L), [nWin, L]);
  const vy = new Int32Array(nWin * L);
  for (let w = 0; w < nWin; w++) {
    for (let t = 0; t < L; t++) {
      vx.data[w * L + t] = ids[s.trainChars + w * L + t];
      vy[w * L + t] = ids[s.trainChars + w * L + t + 1];
    }
  }
  const nats = softmaxCrossEntropy(model.call(vx, { training: false }), vy, { computeGrad: false }).loss;
  return nats / Math.LN2;
}

/** Monthly CO₂ from 1965 (after the record's gaps), as ppm. */
export function co2Series(csv: string): Float64Array {
  const table = parseCsv(csv);
  const dates = dateColumn(table, 'Date');
  const ppm = numericColumn(table, 'CO2');
  const from = Date.UTC(1965, 0, 1);
  const out: number[] = [];
  for (let k = 0; k < ppm.length; k++) if (dates[k] >= from) out.push(ppm[k]);
  return Float64Array.from(out);
}

/**
 * CO₂ forecasting: from the last `window` monthly changes, predict the next change (standardised
 * with the training part's mean and spread); the first 80 % of windows train, the last 20 % test.
 * Returns the test RMSE of the one-step-ahead level forecast, in ppm (= RMSE of the change).
 */
export function runGateCo2(s: GateSizes['co2'], csv: string, c: GateConfig, seed: number): number {
  const level = co2Series(csv);
  const n = level.length - 1;
  const diff = new Float64Array(n);
  for (let k = 0; k < n; k++) diff[k] = level[k + 1] - level[k];
  const W = s.window;
  const N = n - W; // windows: diff[k .. k+W) → diff[k+W]
  const nTrain = Math.floor(N * 0.8);
  let mean = 0;
  for (let k = 0; k < nTrain + W; k++) mean += diff[k];
  mean /= nTrain + W;
  let sd = 0;
  for (let k = 0; k < nTrain + W; k++) sd += (diff[k] - mean) ** 2;
  sd = Math.sqrt(sd / (nTrain + W));
  const z = (v: number): number => (v - mean) / sd;
  const make = (from: number, to: number): { x: Tensor; y: Tensor } => {
    const m = to - from;
    const x = new Float32Array(m * W);
    const y = new Float32Array(m);
    for (let r = 0; r < m; r++) {
      for (let t = 0; t < W; t++) x[r * W + t] = z(diff[from + r + t]);
      y[r] = z(diff[from + r + W]);
    }
    return { x: new Tensor(x, [m, W, 1]), y: new Tensor(y, [m, 1]) };
  };
  const train = make(0, nTrain);
  const test = make(nTrain, N);
  const model = new Sequential([lstm(1, s.hidden, c, seed, false), new Dense({ inputSize: s.hidden, outputSize: 1, seed: seed + 7919 })]);
  const opt = new Adam(model.params(), { lr: s.lr });
  const rng = new Rng(4_000_037 + seed);
  const B = s.batch;
  const xb = new Tensor(new Float32Array(B * W), [B, W, 1]);
  const yb = new Tensor(new Float32Array(B), [B, 1]);
  for (let e = 0; e < s.epochs; e++) {
    const order = rng.permutation(nTrain);
    // whole batches only, so the buffers keep one shape (the last partial batch is dropped)
    for (let s0 = 0; s0 + B <= nTrain; s0 += B) {
      for (let r = 0; r < B; r++) {
        const i = order[s0 + r];
        xb.data.set(train.x.data.subarray(i * W, (i + 1) * W), r * W);
        yb.data[r] = train.y.data[i];
      }
      model.zeroGrad();
      const pred = model.call(xb, { training: true });
      step(model, opt, mseLoss(pred, yb, { computeGrad: true }).grad!);
    }
  }
  const pred = model.call(test.x, { training: false });
  let se = 0;
  for (let r = 0; r < pred.size; r++) se += ((pred.data[r] - test.y.data[r]) * sd) ** 2;
  return Math.sqrt(se / pred.size);
}

/** Baselines that need no network, for the tables: what a useless model scores. */
export function gateBaselines(size: GateSizes, data: GateData): Record<GateTaskName, { label: string; metric: number }> {
  // adding: predicting 0.5 always has MSE Var((X1 + X2)/4) = 2·(1/3)/16 = 1/24
  // charlm: bits/char of the unigram distribution of the training slice, scored on the validation slice
  const { ids, vocab } = encodeText(data.text);
  const counts = new Float64Array(vocab.length).fill(1); // add-one smoothing: unseen characters stay finite
  for (let k = 0; k < size.charlm.trainChars; k++) counts[ids[k]]++;
  const total = counts.reduce((a, b) => a + b, 0);
  let bits = 0;
  const L = size.charlm.seqLen;
  const nVal = Math.floor((size.charlm.valChars - 1) / L) * L;
  for (let k = 0; k < nVal; k++) bits -= Math.log2(counts[ids[size.charlm.trainChars + k + 1]] / total);
  // co2: "next change = this year's change at the same month" (seasonal naive on the changes), test part
  const level = co2Series(data.co2Csv);
  const n = level.length - 1;
  const W = size.co2.window;
  const N = n - W;
  const nTrain = Math.floor(N * 0.8);
  let se = 0;
  let m = 0;
  for (let r = nTrain; r < N; r++) {
    const k = r + W; // predict diff[k] by diff[k − 12]
    const d = level[k + 1] - level[k];
    const p = level[k - 11] - level[k - 12];
    se += (d - p) ** 2;
    m++;
  }
  return {
    adding: { label: 'always 0.5', metric: 1 / 24 },
    charlm: { label: 'unigram frequencies', metric: bits / nVal },
    co2: { label: 'seasonal naive (change 12 months earlier)', metric: Math.sqrt(se / m) },
  };
}

/** Runs one configuration on one task with one seed. */
export function runGateTask(task: GateTaskName, size: GateSizes, data: GateData, c: GateConfig, seed: number): GateRun {
  const t0 = typeof performance !== 'undefined' ? performance.now() : Date.now();
  const metric =
    task === 'adding' ? runGateAdding(size.adding, c, seed) : task === 'charlm' ? runGateCharLm(size.charlm, data.text, c, seed) : runGateCo2(size.co2, data.co2Csv, c, seed);
  const t1 = typeof performance !== 'undefined' ? performance.now() : Date.now();
  return { task, config: c.label, variant: c.variant, forgetBias: c.forgetBias, seed, metric, seconds: (t1 - t0) / 1000 };
}

/** One configuration's results on one task over its seeds. */
export interface GateSummary {
  /** The task. */
  task: GateTaskName;
  /** The configuration's label. */
  config: string;
  /** Mean metric over seeds. */
  mean: number;
  /** Sample standard deviation over seeds (0 for one seed). */
  sd: number;
  /** Best (lowest) metric over seeds. */
  min: number;
  /** Worst (highest) metric over seeds. */
  max: number;
  /** Number of seeds. */
  seeds: number;
  /** Rank among configs on this task by mean (1 = best). */
  rank: number;
}

/** Per task and configuration: mean, spread and rank of the runs' metrics. */
export function summarizeGates(runs: readonly GateRun[]): GateSummary[] {
  const out: GateSummary[] = [];
  for (const task of GATE_TASKS) {
    const rows: GateSummary[] = [];
    for (const c of GATE_CONFIGS) {
      const v = runs.filter((r) => r.task === task && r.config === c.label).map((r) => r.metric);
      if (v.length === 0) continue;
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
      rows.push({ task, config: c.label, mean, sd, min: Math.min(...v), max: Math.max(...v), seeds: v.length, rank: 0 });
    }
    [...rows].sort((a, b) => a.mean - b.mean).forEach((r, k) => (r.rank = k + 1));
    out.push(...rows);
  }
  return out;
}
