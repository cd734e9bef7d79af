// Gate activations of the first LSTM layer over one sequence, for `longshort gates`: turns what a
// model file's app wrote (forecast, sequences, text — or none) plus an input file into the layer's
// input (1, T, D), runs LSTM.forward with returnGates, and returns heatmap rows (input, forget and
// output gates, and the cell state) for the command line's heatmapChart (longshort-cli's src/plot).
// Left out: deeper layers and the reverse direction of bidirectional models (layer 0, forward only).

import { Tensor } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { parseCsv, numericColumns } from '../data/csv.js';
import { Embedding } from '../nn/embedding.js';
import { LSTM } from '../nn/lstm.js';
import type { Sequential } from '../nn/sequential.js';
import { forecastGateInput } from './forecast.js';
import { batchTensor, loadSequences, type SeqExtra } from './sequences.js';
import { encode, type TextExtra } from './text.js';
import { scalerFromJSON } from '../data/scale.js';
import type { StandardScaler } from '../data/scale.js';

/** One sequence prepared as a model's input, for gate heatmaps (gateInput). */
export interface GateInput {
  /** Input of the model's first layer, (1, T, ·) — ids (1, T) for an Embedding. */
  x: Tensor;
  /** What each time step is (dates, characters, step numbers). */
  steps: string[];
  /** What the sequence is, for a chart's title. */
  description: string;
}

/** Builds the model input for one sequence from `text` (the content of `fileName`). */
export function gateInput(extra: Record<string, unknown>, text: string, fileName: string, index = 0, model?: Sequential): GateInput {
  const app = extra.app;
  if (app === 'forecast') {
    if (model === undefined) throw new ConfigError('[gates] a forecast model needs the model itself to build its input window; pass it as the fifth argument.');
    // The window the future forecast of the first series reads (index > 0: the window ending before that row).
    return forecastGateInput(model, extra, text, 0, index);
  }
  if (app === 'sequences') {
    const e = extra as unknown as SeqExtra;
    const data = loadSequences(text, fileName, { features: fileName.endsWith('.csv') ? e.featureNames : undefined }, false);
    if (!Number.isInteger(index) || index < 0 || index >= data.seqs.length) {
      throw new ConfigError(`[gates] --index must be in [0, ${data.seqs.length}) (the file holds ${data.seqs.length} sequences); received ${index}.`);
    }
    const { x } = batchTensor(data, [index], scalerFromJSON(e.featureScaler) as StandardScaler);
    return { x, steps: Array.from({ length: data.lengths[index] }, (_, t) => String(t)), description: `sequence '${data.ids[index]}'` };
  }
  if (app === 'text') {
    const e = extra as unknown as TextExtra;
    const chars = Array.from(text).slice(0, 200);
    const ids = encode(chars.join(''), Array.from(e.vocab));
    return { x: new Tensor(Float32Array.from(ids), [1, ids.length]), steps: chars.map((c) => (c === ' ' ? '␣' : c === '\n' ? '↵' : c)), description: `the first ${chars.length} characters` };
  }
  // No app data: a CSV whose rows are the time steps and whose numeric columns are the features.
  const table = parseCsv(text);
  const cols = numericColumns(table, table.columns);
  const T = cols.values[0].length;
  const F = cols.values.length;
  const x = new Float32Array(T * F);
  for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) x[t * F + f] = cols.values[f][t];
  return { x: new Tensor(x, [1, T, F]), steps: Array.from({ length: T }, (_, t) => String(t)), description: `${T} rows of ${fileName} as given (no scaling)` };
}

/** Gate heatmap rows of the first LSTM layer over one sequence (gateRows). */
export interface GateResult {
  /** One row per gate and unit. */
  rows: HeatmapRow[];
  /** The units shown. */
  units: number[];
  /** The layer's hidden size H. */
  hidden: number;
  /** Time steps. */
  T: number;
}

/** Runs the layers before the first LSTM, then the LSTM with returnGates; rows for i, f, o and c of `units`. */
export function gateRows(model: Sequential, input: GateInput, maxUnits = 8): GateResult {
  let h = input.x;
  let lstm: LSTM | null = null;
  for (const { layer } of model.layers) {
    if (layer instanceof LSTM) {
      lstm = layer;
      break;
    }
    if (!(layer instanceof Embedding)) throw new ConfigError(`[gates] only an Embedding may come before the first LSTM; this model has ${layer.kind}.`);
    h = layer.call(h, { training: false });
  }
  if (lstm === null) throw new ConfigError('[gates] the model has no LSTM layer.');
  if (h.rank !== 3 || h.shape[2] !== lstm.inputSize) {
    throw new ShapeError(`[gates] the LSTM reads ${lstm.inputSize} features per step; the input has shape (${h.shape.join(', ')}).`);
  }
  if (!lstm.batchFirst) h = new Tensor(h.data, [h.shape[1], 1, h.shape[2]]); // (1, T, D) → (T, 1, D): same memory for B = 1
  const r = lstm.forward(h, { returnGates: true });
  const g = r.gates![0];
  const H = lstm.hiddenSize;
  const units = Array.from({ length: Math.min(H, maxUnits) }, (_, j) => j);
  const rows = gateHeatmapRows(g, { gates: ['i', 'f', 'o', 'c'], units, batchFirst: lstm.batchFirst });
  return { rows, units, hidden: H, T: h.shape[lstm.batchFirst ? 1 : 0] };
}

/** One row of a heatmap: a label and one value per time step. */
export interface HeatmapRow {
  /** Row label, e.g. 'f3'. */
  label: string;
  /** One value per time step. */
  values: ArrayLike<number>;
  /** Optional group (e.g. the gate 'i'); shown in the tooltip and used by gateHeatmapRows' labels. */
  group?: string;
}

/** i, f, g, o (and c) activations as returned by LSTM.forward(…, { returnGates: true }). */
export interface GateTensors {
  /** Input gate. */
  i: Tensor;
  /** Forget gate. */
  f: Tensor;
  /** Candidate cell input. */
  g: Tensor;
  /** Output gate. */
  o: Tensor;
  /** Cell state. */
  c: Tensor;
}

/** A gate of GateTensors: input i, forget f, candidate g, output o, or the cell state c. */
export type GateName = 'i' | 'f' | 'g' | 'o' | 'c';

/** Which gates, units and batch row gateHeatmapRows() shows. */
export interface GateRowOptions {
  /** Gates to show, in this order; default ['i', 'f', 'o', 'c'] (c = cell state). */
  gates?: readonly GateName[];
  /** Which sequence of the batch; default 0. */
  batchIndex?: number;
  /** Units to show (default all H); keep it small for a readable chart. */
  units?: readonly number[];
  /** True when the tensors are (B, T, H) rather than (T, B, H). */
  batchFirst?: boolean;
}

/** Heatmap rows grouped by gate (labels like 'f3' = forget gate of unit 3) from (T, B, H) gate tensors. */
export function gateHeatmapRows(g: GateTensors, o: GateRowOptions = {}): HeatmapRow[] {
  const { gates = ['i', 'f', 'o', 'c'], batchIndex = 0, batchFirst = false } = o;
  const shape = g.i.shape;
  if (shape.length !== 3) throw new ShapeError(`[gateHeatmapRows] gate tensors must have rank 3, (T, B, H) or (B, T, H); received (${shape.join(', ')}).`);
  const [T, B, H] = batchFirst ? [shape[1], shape[0], shape[2]] : [shape[0], shape[1], shape[2]];
  if (!Number.isInteger(batchIndex) || batchIndex < 0 || batchIndex >= B) {
    throw new ConfigError(`[gateHeatmapRows] batchIndex must be an integer in [0, ${B}); received ${batchIndex}.`);
  }
  const units = o.units ?? Array.from({ length: H }, (_, j) => j);
  for (const j of units) {
    if (!Number.isInteger(j) || j < 0 || j >= H) throw new ConfigError(`[gateHeatmapRows] units must be integers in [0, ${H}); received ${j}.`);
  }
  const rows: HeatmapRow[] = [];
  for (const name of gates) {
    const t = g[name];
    if (!t || t.shape.join() !== shape.join()) {
      throw new ShapeError(`[gateHeatmapRows] gate '${name}' must have shape (${shape.join(', ')}) like i; received ${t ? `(${t.shape.join(', ')})` : 'nothing'}.`);
    }
    for (const j of units) {
      const v = new Float64Array(T);
      for (let s = 0; s < T; s++) {
        const idx = batchFirst ? (batchIndex * T + s) * H + j : (s * B + batchIndex) * H + j;
        v[s] = t.data[idx];
      }
      rows.push({ label: `${name}${j}`, values: v, group: name });
    }
  }
  return rows;
}
