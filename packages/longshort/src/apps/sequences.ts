// Sequence classification and regression behind `longshort train` / `longshort predict`: one
// variable-length sequence of feature vectors per example, one label (a class name or a number)
// per sequence. Batches are right-padded to the longest sequence and carry `lengths`, so the LSTM
// (returnSequences: false) reads each sequence's own last valid step; padding never reaches the
// output.
//
// Input formats (docs/cli.md shows examples):
//   JSON Lines  one object per line: {"sequence": [[f1, f2, …], …], "label": "walk"}; a sequence of
//               plain numbers is one feature per step; "label" may be a string (class) or a number
//               (regression); an optional "id" names the example in predictions.
//   CSV (long)  one row per time step: id,t,feature…,label. Rows of one id form one sequence,
//               ordered by t when a t column exists; the label must be the same on all its rows.
//               Column names: --id (default id), --time (default t, optional), --label (default
//               label); every other column is a feature unless --features lists them.
// Features are standardised with mean/std over the valid steps of the training sequences only;
// regression targets too. The validation part (--val, default 20%, chosen by a seeded shuffle)
// gives the reported metrics.
// Left out: per-step labels (sequence tagging), multi-output regression, class weighting.

import { Tensor } from '../tensor.js';
import { ConfigError, FormatError, ShapeError } from '../errors.js';
import { parseCsv, columnIndex, spreadsheetRow, DEFAULT_MISSING_TOKENS } from '../data/csv.js';
import { StandardScaler, scalerFromJSON, type ScalerJSON } from '../data/scale.js';
import { classificationReport, type ClassificationReport } from '../metrics/classification.js';
import { Rng } from '../util/rng.js';
import { LSTM } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Sequential } from '../nn/sequential.js';
import { predict } from '../train/fit.js';

export type Task = 'classify' | 'regress';

export interface SequenceData {
  ids: string[];
  /** One (T_i · F) array per example, row-major (step, feature). */
  seqs: Float64Array[];
  lengths: Int32Array;
  F: number;
  featureNames: string[];
  /** Label per example; null when the file has none (prediction input). */
  labels: (string | number)[] | null;
}

export interface CsvLayout {
  id?: string;
  time?: string;
  label?: string;
  features?: string[];
}

/** Picks the format from the extension (.jsonl/.ndjson/.json → JSON Lines, else CSV). */
export function loadSequences(text: string, fileName: string, layout: CsvLayout = {}, requireLabels = true): SequenceData {
  return /\.(jsonl|ndjson|json)$/i.test(fileName) ? parseJsonl(text, requireLabels) : parseLongCsv(text, layout, requireLabels);
}

export function parseJsonl(text: string, requireLabels = true): SequenceData {
  const ids: string[] = [];
  const seqs: Float64Array[] = [];
  const lengths: number[] = [];
  const labels: (string | number)[] = [];
  let F = -1;
  let sawLabel = false;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, k) => {
    if (line.trim() === '') return;
    const where = `[jsonl] line ${k + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new FormatError(`${where}: not valid JSON (${(e as Error).message}). Hint: one object per line, e.g. {"sequence": [[0.1, 2], [0.3, 1]], "label": "walk"}.`);
    }
    const o = obj as { sequence?: unknown; label?: unknown; id?: unknown };
    if (obj === null || typeof obj !== 'object' || !Array.isArray(o.sequence)) {
      throw new FormatError(`${where}: expected an object with a "sequence" array; received ${line.length > 80 ? line.slice(0, 80) + '…' : line}.`);
    }
    const steps = o.sequence as unknown[];
    if (steps.length === 0) throw new FormatError(`${where}: "sequence" is empty; every sequence needs at least one step.`);
    const f = Array.isArray(steps[0]) ? (steps[0] as unknown[]).length : 1;
    if (F < 0) F = f;
    const data = new Float64Array(steps.length * F);
    steps.forEach((st, t) => {
      const row = Array.isArray(st) ? st : [st];
      if (row.length !== F) {
        throw new FormatError(`${where}: step ${t} has ${row.length} feature${row.length === 1 ? '' : 's'}; expected ${F} like the first sequence.`);
      }
      row.forEach((v, j) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new FormatError(`${where}: sequence[${t}][${j}] must be a finite number; received ${JSON.stringify(v)}.`);
        }
        data[t * F + j] = v;
      });
    });
    if (o.label !== undefined) {
      if (typeof o.label !== 'string' && !(typeof o.label === 'number' && Number.isFinite(o.label))) {
        throw new FormatError(`${where}: "label" must be a string (class) or a finite number; received ${JSON.stringify(o.label)}.`);
      }
      labels.push(o.label);
      sawLabel = true;
    } else if (requireLabels || sawLabel) {
      throw new FormatError(`${where}: "label" is missing. Hint: every training example needs a label.`);
    }
    ids.push(o.id === undefined ? String(ids.length) : String(o.id));
    seqs.push(data);
    lengths.push(steps.length);
  });
  if (seqs.length === 0) throw new FormatError('[jsonl] the file holds no sequences; expected one JSON object per line.');
  return {
    ids,
    seqs,
    lengths: Int32Array.from(lengths),
    F,
    featureNames: Array.from({ length: F }, (_, j) => `f${j}`),
    labels: sawLabel ? labels : null,
  };
}

export function parseLongCsv(text: string, layout: CsvLayout = {}, requireLabels = true): SequenceData {
  const table = parseCsv(text);
  const idName = layout.id ?? 'id';
  const jId = columnIndex(table, idName);
  const timeName = layout.time ?? (table.columns.includes('t') ? 't' : undefined);
  const jT = timeName === undefined ? -1 : columnIndex(table, timeName);
  const labelName = layout.label ?? 'label';
  const hasLabel = table.columns.includes(labelName);
  if (requireLabels && !hasLabel) columnIndex(table, labelName); // throws, listing the columns
  const jL = hasLabel ? columnIndex(table, labelName) : -1;
  const featureNames = layout.features ?? table.columns.filter((_, j) => j !== jId && j !== jT && j !== jL);
  if (featureNames.length === 0) throw new ConfigError(`[csv] no feature columns: the columns are ${table.columns.join(', ')}. Hint: add feature columns besides ${idName}, ${timeName ?? ''} and ${labelName}.`);
  const jF = featureNames.map((n) => columnIndex(table, n));
  const missing = new Set(DEFAULT_MISSING_TOKENS);
  const groups = new Map<string, number[]>();
  table.rows.forEach((row, i) => {
    const key = row[jId].trim();
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push(i);
  });
  const num = (i: number, j: number, what: string): number => {
    const s = table.rows[i][j].trim();
    const v = Number(s);
    if (s === '' || missing.has(s) || !Number.isFinite(v)) {
      throw new FormatError(`[csv] row ${spreadsheetRow(table, i)}, column '${table.columns[j]}': expected ${what}; received ${JSON.stringify(table.rows[i][j])}.`);
    }
    return v;
  };
  const F = jF.length;
  const ids: string[] = [];
  const seqs: Float64Array[] = [];
  const lengths: number[] = [];
  const labels: (string | number)[] = [];
  let numericLabels = true;
  for (const [key, rowsOf] of groups) {
    if (jT >= 0) {
      const ts = rowsOf.map((i) => num(i, jT, 'a number (time step)'));
      const order = rowsOf.map((_, k) => k).sort((a, b) => ts[a] - ts[b]);
      const sorted = order.map((k) => rowsOf[k]);
      rowsOf.splice(0, rowsOf.length, ...sorted);
    }
    const data = new Float64Array(rowsOf.length * F);
    rowsOf.forEach((i, t) => jF.forEach((j, f) => (data[t * F + f] = num(i, j, 'a number'))));
    if (jL >= 0) {
      const first = table.rows[rowsOf[0]][jL].trim();
      for (const i of rowsOf) {
        if (table.rows[i][jL].trim() !== first) {
          throw new FormatError(
            `[csv] row ${spreadsheetRow(table, i)}: id '${key}' has label ${JSON.stringify(table.rows[i][jL].trim())}, but its first row (row ${spreadsheetRow(table, rowsOf[0])}) has ${JSON.stringify(first)}; one sequence has one label.`,
          );
        }
      }
      if (first === '') throw new FormatError(`[csv] row ${spreadsheetRow(table, rowsOf[0])}: id '${key}' has an empty label.`);
      if (!Number.isFinite(Number(first))) numericLabels = false;
      labels.push(first);
    }
    ids.push(key);
    seqs.push(data);
    lengths.push(rowsOf.length);
  }
  return {
    ids,
    seqs,
    lengths: Int32Array.from(lengths),
    F,
    featureNames,
    labels: jL < 0 ? null : numericLabels ? labels.map(Number) : labels,
  };
}

// ------------------------------------------------------------------------------------------ model

export interface SeqConfig {
  task: Task;
  hidden: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Fraction of examples held out for the reported metrics. */
  val: number;
}

export interface SeqExtra {
  app: 'sequences';
  task: Task;
  /** Class names in id order (classification). */
  classes: string[];
  featureNames: string[];
  featureScaler: ScalerJSON;
  /** Regression only. */
  targetScaler: ScalerJSON | null;
  config: SeqConfig;
}

export function resolveTask(data: SequenceData, task: Task | 'auto'): Task {
  if (data.labels === null) throw new ConfigError('[train] the file has no labels; training needs a "label" for every sequence.');
  if (task !== 'auto') {
    if (task === 'regress' && data.labels.some((l) => typeof l !== 'number')) {
      const bad = data.labels.findIndex((l) => typeof l !== 'number');
      throw new ConfigError(`[train] --task regress needs numeric labels; example ${data.ids[bad]} has label ${JSON.stringify(data.labels[bad])}.`);
    }
    return task;
  }
  return data.labels.every((l) => typeof l === 'number') ? 'regress' : 'classify';
}

/** Seeded shuffle, then the last ⌈val·N⌉ examples (at least 1 when val > 0) are the validation part. */
export function splitIndices(N: number, val: number, seed: number): { train: number[]; val: number[] } {
  if (!(val >= 0 && val < 1)) throw new ConfigError(`[train] --val must be in [0, 1); received ${val}.`);
  const perm = Array.from(new Rng(seed + 101).permutation(N));
  const nVal = val === 0 ? 0 : Math.max(1, Math.round(N * val));
  if (N - nVal < 1) throw new ShapeError(`[train] ${N} example${N === 1 ? '' : 's'} leave none for training after holding out ${nVal} (--val ${val}).`);
  return { train: perm.slice(0, N - nVal), val: perm.slice(N - nVal) };
}

/** Right-padded (N, Tmax, F) input with lengths, features standardised. */
export function batchTensor(data: SequenceData, idx: readonly number[], scaler: StandardScaler): { x: Tensor; lengths: Int32Array } {
  const F = data.F;
  const lengths = Int32Array.from(idx, (i) => data.lengths[i]);
  const T = Math.max(...lengths);
  const x = new Float32Array(idx.length * T * F); // (N, T, F), zero past each length
  const z = scaler.transform(stepColumns(data, idx)); // F columns over all valid steps, in order
  let r = 0;
  idx.forEach((i, n) => {
    for (let t = 0; t < data.lengths[i]; t++, r++) for (let f = 0; f < F; f++) x[(n * T + t) * F + f] = z[f][r];
  });
  return { x: new Tensor(x, [idx.length, T, F]), lengths };
}

function stepColumns(data: SequenceData, idx: readonly number[]): Float64Array[] {
  const total = idx.reduce((s, i) => s + data.lengths[i], 0);
  const cols = Array.from({ length: data.F }, () => new Float64Array(total));
  let r = 0;
  for (const i of idx) {
    const s = data.seqs[i];
    for (let t = 0; t < data.lengths[i]; t++, r++) for (let f = 0; f < data.F; f++) cols[f][r] = s[t * data.F + f];
  }
  return cols;
}

export interface PreparedSeq {
  model: Sequential;
  x: Tensor;
  y: Tensor;
  lengths: Int32Array;
  val: { x: Tensor; y: Tensor; lengths: Int32Array; idx: number[] } | null;
  trainIdx: number[];
  extra: SeqExtra;
}

export function prepareSequences(data: SequenceData, c: SeqConfig): PreparedSeq {
  const labels = data.labels!;
  const split = splitIndices(data.seqs.length, c.val, c.seed);
  const featureScaler = new StandardScaler().fit(stepColumns(data, split.train));
  const classes = c.task === 'classify' ? [...new Set(labels.map(String))].sort() : [];
  if (c.task === 'classify' && classes.length < 2) {
    throw new ConfigError(`[train] classification needs at least 2 classes; every example has label ${JSON.stringify(classes[0])}.`);
  }
  let targetScaler: StandardScaler | null = null;
  if (c.task === 'regress') targetScaler = new StandardScaler().fit([Float64Array.from(split.train, (i) => labels[i] as number)]);
  const target = (idx: number[]): Tensor => {
    if (c.task === 'classify') return new Tensor(Float32Array.from(idx, (i) => classes.indexOf(String(labels[i]))), [idx.length]);
    const z = targetScaler!.transform([Float64Array.from(idx, (i) => labels[i] as number)])[0];
    return new Tensor(Float32Array.from(z), [idx.length, 1]);
  };
  const tr = batchTensor(data, split.train, featureScaler);
  let val: PreparedSeq['val'] = null;
  if (split.val.length > 0) {
    const v = batchTensor(data, split.val, featureScaler);
    val = { x: v.x, y: target(split.val), lengths: v.lengths, idx: split.val };
  }
  const model = new Sequential(
    [
      ['lstm', new LSTM({ inputSize: data.F, hiddenSize: c.hidden, returnSequences: false, seed: c.seed })],
      ['head', new Dense({ inputSize: c.hidden, outputSize: c.task === 'classify' ? classes.length : 1, seed: c.seed + 1 })],
    ],
    { seed: c.seed },
  );
  return {
    model,
    x: tr.x,
    y: target(split.train),
    lengths: tr.lengths,
    val,
    trainIdx: split.train,
    extra: {
      app: 'sequences',
      task: c.task,
      classes,
      featureNames: data.featureNames,
      featureScaler: featureScaler.toJSON(),
      targetScaler: targetScaler?.toJSON() ?? null,
      config: c,
    },
  };
}

export interface Predictions {
  /** Class name (classification) or value (regression) per example. */
  predicted: (string | number)[];
  /** Softmax probabilities per example (classification). */
  probabilities: number[][] | null;
}

export function predictSequences(model: Sequential, extra: SeqExtra, data: SequenceData, idx?: number[]): Predictions {
  if (data.F !== extra.featureNames.length) {
    throw new ShapeError(`[predict] the model reads ${extra.featureNames.length} features (${extra.featureNames.join(', ')}); the input has ${data.F} (${data.featureNames.join(', ')}).`);
  }
  const which = idx ?? data.seqs.map((_, i) => i);
  const scaler = scalerFromJSON(extra.featureScaler) as StandardScaler;
  const { x, lengths } = batchTensor(data, which, scaler);
  const out = predict(model, x, { lengths });
  if (extra.task === 'classify') {
    const K = extra.classes.length;
    const probabilities: number[][] = [];
    const predicted: string[] = [];
    for (let n = 0; n < which.length; n++) {
      const row = Array.from(out.data.subarray(n * K, (n + 1) * K));
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      const s = e.reduce((a, b) => a + b, 0);
      const p = e.map((v) => v / s);
      probabilities.push(p);
      predicted.push(extra.classes[p.indexOf(Math.max(...p))]);
    }
    return { predicted, probabilities };
  }
  const ts = scalerFromJSON(extra.targetScaler);
  const v = ts.inverseTransform([Float64Array.from(out.data)])[0];
  return { predicted: Array.from(v), probabilities: null };
}

export interface SeqMetrics {
  n: number;
  classification?: ClassificationReport & { classes: string[] };
  regression?: { mae: number; rmse: number; r2: number };
}

/** Metrics of predictions against the labels of examples idx. */
export function scorePredictions(extra: SeqExtra, labels: (string | number)[], idx: number[], p: Predictions): SeqMetrics {
  if (extra.task === 'classify') {
    const known = new Map(extra.classes.map((c, k) => [c, k]));
    const yTrue: number[] = [];
    const yPred: number[] = [];
    idx.forEach((i, n) => {
      const k = known.get(String(labels[i]));
      if (k === undefined) throw new ConfigError(`[predict] label ${JSON.stringify(labels[i])} is not one of the model's classes (${extra.classes.join(', ')}).`);
      yTrue.push(k);
      yPred.push(known.get(String(p.predicted[n]))!);
    });
    return { n: idx.length, classification: { ...classificationReport(yTrue, yPred, extra.classes.length), classes: extra.classes } };
  }
  let ae = 0;
  let se = 0;
  let mean = 0;
  idx.forEach((i) => (mean += labels[i] as number));
  mean /= idx.length;
  let ss = 0;
  idx.forEach((i, n) => {
    const d = (p.predicted[n] as number) - (labels[i] as number);
    ae += Math.abs(d);
    se += d * d;
    ss += ((labels[i] as number) - mean) ** 2;
  });
  return { n: idx.length, regression: { mae: ae / idx.length, rmse: Math.sqrt(se / idx.length), r2: ss > 0 ? 1 - se / ss : NaN } };
}
