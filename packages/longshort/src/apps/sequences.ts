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
import { JsonReader, jsonKind } from '../io/json.js';
import { parseCsv, columnIndex, spreadsheetRow, clipText, DEFAULT_MISSING_TOKENS } from '../data/csv.js';
import { StandardScaler, scalerFromJSON, type ScalerJSON } from '../data/scale.js';
import { classificationReport, type ClassificationReport } from '../metrics/classification.js';
import { Rng } from '../util/rng.js';
import { LSTM } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Sequential } from '../nn/sequential.js';
import { lengthChunks, padBatch, predictRagged, type RaggedSequences } from '../data/sequences.js';

/** What a sequence model learns: a class per sequence, or a number per sequence. */
export type Task = 'classify' | 'regress';

/** Variable-length sequences with one label each, as read from JSON Lines or long CSV. */
export interface SequenceData {
  /** An id per example (from the file, or its position). */
  ids: string[];
  /** One (T_i · F) array per example, row-major (step, feature). */
  seqs: Float64Array[];
  /** T_i per example. */
  lengths: Int32Array;
  /** Features per step. */
  F: number;
  /** A name per feature. */
  featureNames: string[];
  /** Label per example; null when the file has none (prediction input). */
  labels: (string | number)[] | null;
}

/** Column names of a long CSV of sequences (one row per step). */
export interface CsvLayout {
  /** Column naming each row's sequence. Default 'id'. */
  id?: string;
  /** Column ordering the steps of a sequence. Default 't' when there is one, else file order. */
  time?: string;
  /** Column with the sequence's label. Default 'label'. */
  label?: string;
  /** Feature columns. Default every other column. */
  features?: string[];
}

/** Picks the format from the extension (.jsonl/.ndjson/.json → JSON Lines, else CSV). */
export function loadSequences(text: string, fileName: string, layout: CsvLayout = {}, requireLabels = true): SequenceData {
  return /\.(jsonl|ndjson|json)$/i.test(fileName) ? parseJsonl(text, requireLabels) : parseLongCsv(text, layout, requireLabels);
}

/** Nesting allowed in a JSON Lines record (the sequence is read separately, straight into numbers). */
const JSONL_MAX_DEPTH = 16;

/**
 * One JSON object per line: {"sequence": [[f1, f2, …], …] or [x1, x2, …], "label": …, "id": …}.
 * Each line is read with the limited JSON reader (src/io/json.ts); the sequence goes straight
 * into a Float64Array, so memory is 8 bytes per number (a number takes at least 2 bytes of text).
 */
export function parseJsonl(text: string, requireLabels = true): SequenceData {
  if (typeof text !== 'string') throw new FormatError(`[jsonl] expected the file's text; received ${typeof text}.`);
  const ids: string[] = [];
  const seqs: Float64Array[] = [];
  const lengths: number[] = [];
  const labels: (string | number)[] = [];
  let F = -1;
  let sawLabel = false;
  let lineNo = 0;
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end > at && text[end - 1] === '\r' ? end - 1 : end);
    at = end + 1;
    lineNo++;
    if (line.trim() === '') continue;
    const where = `[jsonl] line ${lineNo}`;
    const r = new JsonReader(line, where, { maxDepth: JSONL_MAX_DEPTH, eofName: 'line' });
    r.ws();
    if (r.s[r.i] !== '{') {
      throw new FormatError(`${where}: expected an object with a "sequence" array; received ${line.length > 80 ? line.slice(0, 80) + '…' : line}.`);
    }
    let data: Float64Array | null = null;
    let label: unknown;
    let id: unknown;
    r.members(1, (key) => {
      if (key === 'sequence') {
        const got = readSequence(r, where, F);
        data = got.data;
        F = got.F;
      } else if (key === 'label') label = r.value(2);
      else if (key === 'id') id = r.value(2);
      else r.value(2); // other fields are allowed and ignored
    });
    r.ws();
    if (r.i !== line.length) r.fail(`unexpected ${r.show()} after the end of the JSON object`);
    if (data === null) throw new FormatError(`${where}: expected an object with a "sequence" array; it has no "sequence".`);
    const steps = (data as Float64Array).length / F;
    if (label !== undefined) {
      if (typeof label !== 'string' && !(typeof label === 'number' && Number.isFinite(label))) {
        throw new FormatError(`${where}: "label" must be a string (class) or a finite number; received ${jsonKind(label)}.`);
      }
      if (!sawLabel && seqs.length > 0) throw new FormatError(`${where}: has a "label" but the lines before it have none; label every example or none.`);
      labels.push(label);
      sawLabel = true;
    } else if (requireLabels || sawLabel) {
      throw new FormatError(`${where}: "label" is missing. Hint: every training example needs a label.`);
    }
    if (id !== undefined && typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
      throw new FormatError(`${where}: "id" must be a string or a number; received ${jsonKind(id)}.`);
    }
    ids.push(id === undefined ? String(ids.length) : String(id));
    seqs.push(data);
    lengths.push(steps);
  }
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

/**
 * The "sequence" value at the reader's cursor: [[f…], …] (F per step) or [x, …] (F = 1), straight
 * into a Float64Array. `F` is the feature count fixed by the first sequence (-1 before it).
 */
/** Scratch for readSequence, reused from line to line (grows to the longest sequence read). */
let scratch = new Float64Array(1024);

function readSequence(r: JsonReader, where: string, F: number): { data: Float64Array; F: number } {
  r.ws();
  if (r.s[r.i] !== '[') throw new FormatError(`${where}: "sequence" must be an array of steps; received ${jsonKind(r.value(2))}.`);
  let buf = scratch;
  let n = 0;
  let f = F;
  const push = (v: number, t: number, j: number): void => {
    if (!Number.isFinite(v)) throw new FormatError(`${where}: sequence[${t}]${j < 0 ? '' : `[${j}]`} must be a finite number; received ${v}.`);
    if (n === buf.length) {
      const bigger = new Float64Array(2 * buf.length);
      bigger.set(buf);
      buf = scratch = bigger;
    }
    buf[n++] = v;
  };
  const steps = r.elements((t) => {
    const c = r.s[r.i];
    if (c === '[') {
      if (f === -1 && t === 0) f = -2; // first step of the first sequence decides F
      let j = 0;
      r.elements((k) => {
        const ch = r.s[r.i];
        if (ch !== '-' && !(ch >= '0' && ch <= '9')) throw new FormatError(`${where}: sequence[${t}][${k}] must be a finite number; received ${jsonKind(r.value(3))}.`);
        push(r.number(), t, k);
        j++;
      });
      if (f === -2) {
        if (j === 0) throw new FormatError(`${where}: sequence[0] is empty; every step needs at least one feature.`);
        f = j;
      }
      if (j !== f) throw new FormatError(`${where}: step ${t} has ${j} feature${j === 1 ? '' : 's'}; expected ${f} like the first ${F === -1 ? 'step' : 'sequence'}.`);
    } else {
      if (f === -1 && t === 0) f = 1;
      if (f !== 1) throw new FormatError(`${where}: step ${t} has 1 feature; expected ${f} like the first ${F === -1 ? 'step' : 'sequence'}.`);
      if (c !== '-' && !(c >= '0' && c <= '9')) throw new FormatError(`${where}: sequence[${t}] must be a finite number or an array of numbers; received ${jsonKind(r.value(2))}.`);
      push(r.number(), t, -1);
    }
  });
  if (steps === 0) throw new FormatError(`${where}: "sequence" is empty; every sequence needs at least one step.`);
  return { data: buf.slice(0, n), F: f };
}

/**
 * Sequences from a long CSV, one row per time step: rows with the same id form one sequence
 * (ordered by the time column when there is one), the label must be the same on all of its rows.
 * Throws FormatError for malformed rows or values, ConfigError for missing columns.
 */
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
  for (let i = 0; i < table.rowCount; i++) {
    const key = table.cell(i, jId).trim();
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push(i);
  }
  const num = (i: number, j: number, what: string): number => {
    const s = table.cell(i, j).trim();
    const v = Number(s);
    if (s === '' || missing.has(s) || !Number.isFinite(v)) {
      throw new FormatError(`[csv] row ${spreadsheetRow(table, i)}, column '${table.columns[j]}': expected ${what}; received ${JSON.stringify(clipText(table.cell(i, j)))}.`);
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
      const first = table.cell(rowsOf[0], jL).trim();
      for (const i of rowsOf) {
        if (table.cell(i, jL).trim() !== first) {
          throw new FormatError(
            `[csv] row ${spreadsheetRow(table, i)}: id '${key}' has label ${JSON.stringify(clipText(table.cell(i, jL).trim()))}, but its first row (row ${spreadsheetRow(table, rowsOf[0])}) has ${JSON.stringify(first)}; one sequence has one label.`,
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

/** Settings of a sequence model and its training (`longshort train`); checkSeqConfig() validates them. */
export interface SeqConfig {
  /** Classification or regression. */
  task: Task;
  /** LSTM hidden size. */
  hidden: number;
  /** Training epochs. */
  epochs: number;
  /** Sequences per batch. */
  batchSize: number;
  /** Adam's learning rate. */
  lr: number;
  /** Seed of weights, the split and shuffling. */
  seed: number;
  /** Fraction of examples held out for the reported metrics. */
  val: number;
}

/** What a sequence model file keeps in its extra: task, classes, feature names, scalers and config. */
export interface SeqExtra {
  /** Always 'sequences'. */
  app: 'sequences';
  /** Classification or regression. */
  task: Task;
  /** Class names in id order (classification). */
  classes: string[];
  /** The features the model reads, in order. */
  featureNames: string[];
  /** Per-feature standardisation fitted on the training steps. */
  featureScaler: ScalerJSON;
  /** Regression only. */
  targetScaler: ScalerJSON | null;
  /** The training settings. */
  config: SeqConfig;
}

/**
 * Checks the `extra` of a model file written by `longshort train` (it comes from disk): kinds and
 * sizes of every field predictSequences and scorePredictions read. FormatError naming the field.
 */
export function checkSeqExtra(extra: unknown, where: string): SeqExtra {
  const fail = (field: string, expected: string, v: unknown): never => {
    throw new FormatError(`${where} ${field} must be ${expected}; received ${jsonKind(v)}. The model file is corrupt or was not written by \`longshort train\`.`);
  };
  if (extra === null || typeof extra !== 'object') fail('extra', 'an object', extra);
  const e = extra as Record<string, unknown>;
  if (e.app !== 'sequences') fail('extra.app', "'sequences'", e.app);
  if (e.task !== 'classify' && e.task !== 'regress') fail('extra.task', "'classify' or 'regress'", e.task);
  const strings = (field: string, v: unknown, min: number): string[] => {
    if (!Array.isArray(v) || v.length < min || !v.every((x) => typeof x === 'string')) fail(field, `an array of at least ${min} strings`, v);
    return v as string[];
  };
  const features = strings('extra.featureNames', e.featureNames, 1);
  const classes = strings('extra.classes', e.classes, e.task === 'classify' ? 2 : 0);
  const scaler = (field: string, v: unknown, n: number): void => {
    const s = v as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object' || s.kind !== 'standard') fail(field, "a standard scaler { kind: 'standard', mean, std }", v);
    for (const k of ['mean', 'std'] as const) {
      const a = s![k];
      if (!Array.isArray(a) || a.length !== n || !a.every((x) => typeof x === 'number' && Number.isFinite(x))) fail(`${field}.${k}`, `${n} finite numbers`, a);
    }
  };
  scaler('extra.featureScaler', e.featureScaler, features.length);
  if (e.task === 'regress') scaler('extra.targetScaler', e.targetScaler, 1);
  void classes;
  return e as unknown as SeqExtra;
}

/** The task for `task: 'auto'`: regression when every label is a number, else classification. Throws ConfigError for data without labels, or 'regress' with non-numeric labels. */
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

/**
 * Examples idx with their features standardised, kept ragged (one Float32Array per example). One
 * sequence at a time: memory is the output plus one sequence's columns.
 */
export function standardizedSequences(data: SequenceData, idx: readonly number[], scaler: StandardScaler): RaggedSequences {
  const F = data.F;
  const seqs = idx.map((i) => {
    const T = data.lengths[i];
    const s = data.seqs[i];
    const out = new Float32Array(T * F); // (T, F)
    const col = new Float64Array(T);
    for (let f = 0; f < F; f++) {
      for (let t = 0; t < T; t++) col[t] = s[t * F + f];
      const z = scaler.transformColumn(col, f);
      for (let t = 0; t < T; t++) out[t * F + f] = z[t];
    }
    return out;
  });
  return { seqs, lengths: Int32Array.from(idx, (i) => data.lengths[i]), F };
}

/** Right-padded (B, T, F) input with lengths, features standardised; T is the longest of these examples (pass few: see padBatch). */
export function batchTensor(data: SequenceData, idx: readonly number[], scaler: StandardScaler): { x: Tensor; lengths: Int32Array } {
  const ragged = standardizedSequences(data, idx, scaler);
  return padBatch(ragged, idx.map((_, k) => k));
}

/**
 * Mean and standard deviation of each feature over every valid step of examples idx, in one pass
 * per statistic without gathering the steps into columns (the same sums, in the same order, as
 * StandardScaler.fit on those columns).
 */
function fitStepScaler(data: SequenceData, idx: readonly number[]): StandardScaler {
  const F = data.F;
  let n = 0;
  const sum = new Float64Array(F);
  for (const i of idx) {
    const s = data.seqs[i];
    n += data.lengths[i];
    for (let t = 0; t < data.lengths[i]; t++) for (let f = 0; f < F; f++) sum[f] += s[t * F + f];
  }
  const mean = Array.from(sum, (x) => x / n);
  const ss = new Float64Array(F);
  for (const i of idx) {
    const s = data.seqs[i];
    for (let t = 0; t < data.lengths[i]; t++) for (let f = 0; f < F; f++) ss[f] += (s[t * F + f] - mean[f]) * (s[t * F + f] - mean[f]);
  }
  const std = Array.from(ss, (x) => Math.sqrt(x / n) || 1); // constant feature → 1, so it maps to 0
  return new StandardScaler().setFitted(mean, std);
}

/** One part of the data (training or validation): standardised sequences and their targets, row k = example idx[k]. */
export interface SeqPart {
  /** The standardised sequences. */
  data: RaggedSequences;
  /** Targets: class ids (N) or standardised values (N, 1). */
  y: Tensor;
  /** Indices of the examples in the data. */
  idx: number[];
}

/** Everything training needs (prepareSequences): the model, the standardised parts and the model file's extra. */
export interface PreparedSeq {
  /** LSTM ('lstm', returnSequences: false) and Dense ('head'). */
  model: Sequential;
  /** The training part. */
  train: SeqPart;
  /** The validation part, or null with val 0. */
  val: SeqPart | null;
  /** Indices of the training examples. */
  trainIdx: number[];
  /** The extra to save with the model. */
  extra: SeqExtra;
}

/** Checks a SeqConfig (from the command line or from a checkpoint's metadata) before anything is built from it. */
export function checkSeqConfig(c: unknown, where = '[train]'): SeqConfig {
  if (c === null || typeof c !== 'object') throw new ConfigError(`${where} config must be an object; received ${jsonKind(c)}.`);
  const o = c as Record<string, unknown>;
  if (o.task !== 'classify' && o.task !== 'regress') throw new ConfigError(`${where} task must be 'classify' or 'regress'; received ${jsonKind(o.task)}.`);
  const int = (k: string, min: number, max: number): void => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(`${where} ${k} must be an integer in [${min}, ${max}]; received ${jsonKind(v)}.`);
  };
  int('hidden', 1, 1 << 16);
  int('epochs', 0, 1e9);
  int('batchSize', 1, 1 << 24);
  int('seed', 0, Number.MAX_SAFE_INTEGER);
  if (typeof o.lr !== 'number' || !(o.lr > 0) || !Number.isFinite(o.lr)) throw new ConfigError(`${where} lr must be a positive number; received ${jsonKind(o.lr)}.`);
  if (typeof o.val !== 'number' || !(o.val >= 0 && o.val < 1)) throw new ConfigError(`${where} val must be in [0, 1); received ${jsonKind(o.val)}.`);
  return o as unknown as SeqConfig;
}

/**
 * The training and validation parts, the scalers, and the model: a new one, or `model` (resuming
 * from a checkpoint), which must then have the shape this data and config call for.
 */
export function prepareSequences(data: SequenceData, config: SeqConfig, model?: Sequential): PreparedSeq {
  const c = checkSeqConfig(config);
  const labels = data.labels!;
  const split = splitIndices(data.seqs.length, c.val, c.seed);
  const featureScaler = fitStepScaler(data, split.train);
  const classes = c.task === 'classify' ? [...new Set(labels.map(String))].sort() : [];
  if (c.task === 'classify' && classes.length < 2) {
    throw new ConfigError(`[train] classification needs at least 2 classes; every example has label ${JSON.stringify(classes[0])}.`);
  }
  let targetScaler: StandardScaler | null = null;
  if (c.task === 'regress') targetScaler = new StandardScaler().fit([Float64Array.from(split.train, (i) => labels[i] as number)]);
  const classOf = new Map(classes.map((name, k) => [name, k]));
  const target = (idx: number[]): Tensor => {
    if (c.task === 'classify') return new Tensor(Float32Array.from(idx, (i) => classOf.get(String(labels[i]))!), [idx.length]);
    const z = targetScaler!.transform([Float64Array.from(idx, (i) => labels[i] as number)])[0];
    return new Tensor(Float32Array.from(z), [idx.length, 1]);
  };
  const part = (idx: number[]): SeqPart => ({ data: standardizedSequences(data, idx, featureScaler), y: target(idx), idx });
  const outputs = c.task === 'classify' ? classes.length : 1;
  if (model !== undefined) {
    // checked before the data is standardised: a checkpoint says what it holds, the data must fit it
    const lstm = model.layers[0]?.layer;
    const head = model.layers[1]?.layer;
    if (!(lstm instanceof LSTM) || !(head instanceof Dense) || model.layers.length !== 2 || lstm.inputSize !== data.F || lstm.hiddenSize !== c.hidden || head.outputSize !== outputs) {
      throw new ConfigError(
        `[train] the model to resume must be an LSTM (inputSize ${data.F}, hiddenSize ${c.hidden}) and a Dense head with ${outputs} output${outputs === 1 ? '' : 's'} for this data and config; ` +
          `it is ${model.layers.map((l) => l.layer.kind).join(' → ')}${lstm instanceof LSTM ? ` (inputSize ${lstm.inputSize}, hiddenSize ${lstm.hiddenSize})` : ''}${head instanceof Dense ? ` with ${head.outputSize} output(s)` : ''}. Hint: resume with the same data file.`,
      );
    }
  }
  const built =
    model ??
    new Sequential(
      [
        ['lstm', new LSTM({ inputSize: data.F, hiddenSize: c.hidden, returnSequences: false, seed: c.seed })],
        ['head', new Dense({ inputSize: c.hidden, outputSize: outputs, seed: c.seed + 1 })],
      ],
      { seed: c.seed },
    );
  return {
    model: built,
    train: part(split.train),
    val: split.val.length > 0 ? part(split.val) : null,
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

/** What predictSequences() returns, one entry per example. */
export interface Predictions {
  /** Class name (classification) or value (regression) per example. */
  predicted: (string | number)[];
  /** Softmax probabilities per example (classification). */
  probabilities: number[][] | null;
}

/**
 * Predictions of a sequence model file (its model and extra) for examples `idx` of `data` (default
 * all): class names with softmax probabilities, or values in the label's units. Throws ShapeError
 * when the data's features or the model's outputs do not match the extra, FormatError for a bad extra.
 */
export function predictSequences(model: Sequential, extra: SeqExtra, data: SequenceData, idx?: number[]): Predictions {
  checkSeqExtra(extra, '[predict]');
  const out = model.outputShape([null, null, data.F]);
  const width = extra.task === 'classify' ? extra.classes.length : 1;
  if (out.length !== 2 || out[1] !== width) {
    throw new ShapeError(`[predict] the model must output one row of ${width} value${width === 1 ? '' : 's'} per sequence (${extra.task === 'classify' ? 'one per class' : 'the regression target'}); it outputs (${out.map((d) => d ?? 'B').join(', ')}).`);
  }
  if (data.F !== extra.featureNames.length) {
    throw new ShapeError(`[predict] the model reads ${extra.featureNames.length} features (${extra.featureNames.join(', ')}); the input has ${data.F} (${data.featureNames.join(', ')}).`);
  }
  const which = idx ?? data.seqs.map((_, i) => i);
  const scaler = scalerFromJSON(extra.featureScaler) as StandardScaler;
  // padded per chunk of similar lengths, never to the longest sequence of the file; standardised
  // chunk by chunk, so memory is one chunk's, not a copy of the file's
  const rows = new Array<Float32Array>(which.length);
  const order = which.map((_, k) => k).sort((a, b) => data.lengths[which[a]] - data.lengths[which[b]]);
  for (const part of lengthChunks(order, Int32Array.from(which, (i) => data.lengths[i]))) {
    const ragged = standardizedSequences(data, part.map((k) => which[k]), scaler);
    const out = predictRagged(model, ragged, part.map((_, n) => n));
    part.forEach((k, n) => (rows[k] = out[n]));
  }
  if (extra.task === 'classify') {
    const probabilities: number[][] = [];
    const predicted: string[] = [];
    for (const out of rows) {
      const row = Array.from(out);
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
  const v = ts.inverseTransform([Float64Array.from(rows, (r) => r[0])])[0];
  return { predicted: Array.from(v), probabilities: null };
}

/** Metrics of predictions (scorePredictions). */
export interface SeqMetrics {
  /** Examples scored. */
  n: number;
  /** Classification: the report, with the class names. */
  classification?: ClassificationReport & { classes: string[] };
  /** Regression: MAE and RMSE in the label's units, and R². */
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
