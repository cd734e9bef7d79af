// Model files: one safetensors file per model. Tensors carry PyTorch state-dict names
// ('lstm.weight_ih_l0', 'head.weight'); the header's __metadata__ holds, under the key
// 'longshort', a JSON document with the architecture (Sequential.config()), optional user data
// such as fitted scalers, and — in checkpoints — the training state, whose typed arrays
// (optimizer moments) are stored as extra tensors named '__train__.N'. Browser-safe: bytes in,
// bytes out; the Node edge (./model-node.ts) adds atomic files. Writing is ./model-bytes.ts (it
// needs no layer classes, so Sequential.toBytes() can use it without an import cycle).
//
// Reading validates before it builds: the safetensors layer checks the container; this layer reads
// the JSON document with limits (./json.ts), checks each layer's kind and size numbers and that
// the sizes fit the tensors the file holds, builds the layers, compares every name and shape, and
// only then reads tensor data (loadStateDict rejects NaN and infinite weights). A checkpoint's
// training state is checked field by field (./training-state.ts).

import { readSafetensorsHeader, decodeSafetensors, type SafetensorsEntry } from './safetensors.js';
import { FORMAT_VERSION, META_KEY, TRAIN_PREFIX, type ModelDocument } from './model-bytes.js';
import { FormatError, NonFiniteError } from '../errors.js';
import { clip, jsonKind, parseJson, quote } from './json.js';
import { checkTrainingState } from './training-state.js';
import { MAX_DIM } from '../util/check.js';
import { Tensor, type Arr } from '../tensor.js';
import { Sequential } from '../nn/sequential.js';
import { LSTM, type LSTMOptions } from '../nn/lstm.js';
import { Dense, type DenseOptions } from '../nn/dense.js';
import { Embedding, type EmbeddingOptions } from '../nn/embedding.js';
import { Dropout, type DropoutOptions } from '../nn/dropout.js';
import { LayerNorm, type LayerNormOptions } from '../nn/layernorm.js';
import { Activation, type ActivationOptions } from '../nn/activations.js';
import type { Layer } from '../nn/layer.js';
import type { TrainingState } from '../train/state.js';

export { FORMAT_VERSION, modelToBytes, type ModelDocument } from './model-bytes.js';

type Factory = (config: Record<string, unknown>) => Layer;

/** Layer kinds a model file may name, and how each is rebuilt from its config(). */
const REGISTRY: Record<string, Factory> = {
  LSTM: (c) => new LSTM(c as unknown as LSTMOptions),
  Dense: (c) => new Dense(c as unknown as DenseOptions),
  Embedding: (c) => new Embedding(c as unknown as EmbeddingOptions),
  Dropout: (c) => new Dropout(c as unknown as DropoutOptions),
  LayerNorm: (c) => new LayerNorm(c as unknown as LayerNormOptions),
  Activation: (c) => new Activation(c as unknown as ActivationOptions),
};

/** A model file's contents: the model, the application's extra data, and a checkpoint's training state. */
export interface ModelFile {
  /** The model, built from the file's architecture, with its weights. */
  model: Sequential;
  /** JSON data saved with the model (empty when there was none). */
  extra: Record<string, unknown>;
  /** The training state of a checkpoint (pass it to fit's `resume`), or null. */
  training: TrainingState | null;
}

/**
 * Rebuild a model from bytes written by modelToBytes. The file is treated as hostile: the
 * container, the JSON document, every architecture number and the training state are checked, and
 * the architecture's size against the tensors the file actually holds, before any layer is built.
 * Any problem is a FormatError naming the field and what was expected (NonFiniteError for NaN or
 * infinite weights).
 */
export function modelFromBytes(bytes: Uint8Array): ModelFile {
  const header = readSafetensorsHeader(bytes);
  const raw = header.metadata?.[META_KEY];
  if (raw === undefined) {
    const names = header.entries.slice(0, 4).map((e) => e.name).join(', ');
    throw new FormatError(
      `[loadModel] this safetensors file has no '${META_KEY}' metadata, so it holds weights (${names}${header.entries.length > 4 ? ', …' : ''}) but no architecture. ` +
        'Hint: for a PyTorch state dict use loadPytorchSafetensors(bytes, architecture), or `longshort convert` with --arch.',
    );
  }
  const doc = parseJson(raw, `[loadModel] the '${META_KEY}' metadata`, { maxDepth: MAX_DOCUMENT_DEPTH }) as Record<string, unknown>;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || doc.format !== 'longshort') {
    throw new FormatError(`[loadModel] the '${META_KEY}' metadata must be an object with format 'longshort'; received ${truncate(raw)}.`);
  }
  if (typeof doc.version !== 'number' || !Number.isInteger(doc.version) || doc.version < 1) {
    throw new FormatError(`[loadModel] the '${META_KEY}' metadata: version must be an integer ≥ 1; received ${jsonKind(doc.version)}. The file is corrupt.`);
  }
  if (doc.version > FORMAT_VERSION) {
    throw new FormatError(`[loadModel] model file version ${doc.version} is newer than this longshort reads (${FORMAT_VERSION}). Hint: upgrade longshort.`);
  }
  if (doc.extra !== undefined && (doc.extra === null || typeof doc.extra !== 'object' || Array.isArray(doc.extra))) {
    throw new FormatError(`[loadModel] the '${META_KEY}' metadata: extra must be an object; received ${jsonKind(doc.extra)}.`);
  }
  const arch = doc.architecture as { layers?: unknown; chain?: unknown } | null | undefined;
  const layersDoc = arch !== null && typeof arch === 'object' ? arch.layers : undefined;
  if (!Array.isArray(layersDoc) || layersDoc.length === 0 || layersDoc.length > MAX_LAYERS) {
    throw new FormatError(
      `[loadModel] architecture.layers must be a list of 1 to ${MAX_LAYERS} layers; received ${Array.isArray(layersDoc) ? `${layersDoc.length} entries` : jsonKind(layersDoc)}. The file is corrupt.`,
    );
  }

  // Every architecture number, and the size it implies, before a single layer is built: a few
  // bytes of JSON must not be able to ask for gigabytes.
  const present = new Map<string, number>(); // layer name → values its tensors hold in the file
  for (const e of header.entries) {
    const dot = e.name.indexOf('.');
    if (dot > 0) present.set(e.name.slice(0, dot), (present.get(e.name.slice(0, dot)) ?? 0) + numel(e.shape));
  }
  const specs = layersDoc.map((l, k) => checkLayerDoc(l, k, present));

  const layers: Array<[string, Layer]> = specs.map(({ name, kind, config }) => {
    try {
      return [name, REGISTRY[kind](config)];
    } catch (e) {
      throw new FormatError(`[loadModel] layer '${name}' (${kind}) has an invalid config: ${(e as Error).message}`);
    }
  });
  let model: Sequential;
  try {
    model = new Sequential(layers, { chain: arch!.chain !== false });
  } catch (e) {
    throw new FormatError(`[loadModel] invalid architecture: ${(e as Error).message}`);
  }
  // Exact names and shapes before any tensor data is read: the header's byte ranges are already validated.
  const expected = new Map(model.params().map((p) => [p.name, p]));
  const train = new Map<string, SafetensorsEntry>();
  for (const e of header.entries) {
    if (e.name.startsWith(TRAIN_PREFIX)) {
      train.set(e.name, e);
      continue;
    }
    const p = expected.get(e.name);
    if (p === undefined) throw new FormatError(`[loadModel] unexpected tensor '${clip(e.name)}' for this architecture; expected: ${[...expected.keys()].join(', ')}.`);
    if (e.shape.length !== p.shape.length || e.shape.some((d, k) => d !== p.shape[k])) {
      throw new FormatError(`[loadModel] tensor '${e.name}' must have shape (${p.shape.join(', ')}); received (${e.shape.join(', ')}).`);
    }
  }
  const decoded = decodeSafetensors(bytes);
  const dict: Record<string, Tensor> = {};
  for (const [name, t] of decoded.tensors) if (!name.startsWith(TRAIN_PREFIX)) dict[name] = new Tensor(t.data, t.shape);
  try {
    model.loadStateDict(dict);
  } catch (e) {
    if (e instanceof NonFiniteError) throw new NonFiniteError(`[loadModel] ${e.message}`);
    throw new FormatError(`[loadModel] ${(e as Error).message}`);
  }
  // Float64 training arrays are read exactly (the generic decoder returns float32).
  let training: TrainingState | null = null;
  if (doc.training !== undefined) {
    const arrays: Arr[] = [];
    for (let k = 0; k < train.size; k++) {
      const name = `${TRAIN_PREFIX}${k}`;
      const entry = train.get(name);
      if (entry === undefined) throw new FormatError(`[loadModel] checkpoint tensor '${name}' is missing (the file has ${train.size} training tensors, which must be numbered 0 to ${train.size - 1}); the file is corrupt.`);
      arrays.push(entry.dtype === 'F64' ? readF64(bytes, header.dataStart + entry.begin, (entry.end - entry.begin) / 8) : decoded.tensors.get(name)!.data);
    }
    training = checkTrainingState(unpackArrays(doc.training, arrays), '[loadModel]', FormatError);
  } else if (train.size > 0) {
    throw new FormatError(`[loadModel] the file holds ${train.size} training tensors ('${TRAIN_PREFIX}…') but its metadata has no training state; the file is corrupt.`);
  }
  return { model, extra: (doc.extra as Record<string, unknown> | undefined) ?? {}, training };
}

/** Layers a model file may hold; more is not a model this library builds. */
const MAX_LAYERS = 1000;
/** The metadata document nests about six levels (training.optimizer.slots.name[k].$array); user `extra` gets room. */
const MAX_DOCUMENT_DEPTH = 64;
/** A layer may ask for at most this many values more than its tensors hold before it is built (the exact check follows). */
const SIZE_SLACK = 4096;

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * One entry of architecture.layers: { name, kind, config } with a known kind, and the config's size
 * numbers in range and consistent with the values the file holds for that layer (`present`).
 */
function checkLayerDoc(l: unknown, k: number, present: Map<string, number>): { name: string; kind: string; config: Record<string, unknown> } {
  const at = `[loadModel] architecture.layers[${k}]`;
  if (l === null || typeof l !== 'object' || Array.isArray(l)) throw new FormatError(`${at} must be { name, kind, config }; received ${jsonKind(l)}.`);
  const { name, kind, config } = l as Record<string, unknown>;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new FormatError(`${at}.name must be an identifier (letters, digits, _); received ${jsonKind(name)}.`);
  if (typeof kind !== 'string') throw new FormatError(`${at}.kind must be a string; received ${jsonKind(kind)}.`);
  if (!Object.prototype.hasOwnProperty.call(REGISTRY, kind)) {
    throw new FormatError(`[loadModel] layer '${name}' has unknown kind ${quote(kind)}; known kinds: ${Object.keys(REGISTRY).join(', ')}.`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new FormatError(`${at}.config must be an object; received ${jsonKind(config)}.`);
  const c = config as Record<string, unknown>;
  const where = `[loadModel] layer '${name}' (${kind}) has an invalid config:`;
  const size = (key: string, min = 1, fallback?: number): number => {
    const v = c[key] === undefined ? fallback : c[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_DIM) {
      throw new FormatError(`${where} ${key} must be ${min === 1 ? 'a positive integer' : `an integer ≥ ${min}`} at most ${MAX_DIM}; received ${jsonKind(v)}.`);
    }
    return v;
  };
  // The fewest values a layer of this config holds (optional biases left out); the exact shapes are
  // compared after it is built, which is safe once this bound is known to fit the file.
  let least = 0;
  let because = '';
  switch (kind) {
    case 'LSTM': {
      const I = size('inputSize');
      const H = size('hiddenSize');
      const L = size('numLayers', 1, 1);
      if (L > 1024) throw new FormatError(`${where} numLayers must be at most 1024; received ${L}.`);
      const proj = size('projSize', 0, 0);
      const Dn = c.bidirectional === true ? 2 : 1;
      const P = proj > 0 ? proj : H;
      const hr = proj > 0 ? P * H : 0;
      least = Dn * (4 * H * I + 4 * H * P + hr) + (L - 1) * Dn * (4 * H * Dn * P + 4 * H * P + hr);
      because = `inputSize=${I}, hiddenSize=${H}, numLayers=${L}${Dn === 2 ? ', bidirectional' : ''}${proj > 0 ? `, projSize=${proj}` : ''}`;
      break;
    }
    case 'Dense': {
      const I = size('inputSize');
      const O = size('outputSize');
      least = I * O;
      because = `inputSize=${I}, outputSize=${O}`;
      break;
    }
    case 'Embedding': {
      const V = size('numEmbeddings');
      const E = size('embeddingDim');
      least = V * E;
      because = `numEmbeddings=${V}, embeddingDim=${E}`;
      break;
    }
    case 'LayerNorm': {
      const C = Array.isArray(c.normalizedShape) && c.normalizedShape.length === 1 ? c.normalizedShape[0] : c.normalizedShape;
      if (typeof C !== 'number' || !Number.isInteger(C) || C < 1 || C > MAX_DIM) {
        throw new FormatError(`${where} normalizedShape must be a positive integer at most ${MAX_DIM}; received ${jsonKind(c.normalizedShape)}.`);
      }
      least = c.elementwiseAffine === false ? 0 : 2 * C;
      because = `normalizedShape=${C}`;
      break;
    }
    default: // Dropout, Activation: no parameters, no sizes
  }
  const holds = present.get(name) ?? 0;
  if (least > holds + SIZE_SLACK) {
    throw new FormatError(
      `[loadModel] layer '${name}' (${kind}) with ${because} needs at least ${least} parameter values; the file's tensors for it ('${name}.…') hold ${holds}. The file is corrupt or hostile.`,
    );
  }
  return { name, kind, config: c };
}

function readF64(bytes: Uint8Array, p: number, n: number): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = view.getFloat64(p + 8 * k, true);
  return out;
}

function unpackArrays(v: unknown, arrays: Arr[]): unknown {
  if (Array.isArray(v)) return v.map((e) => unpackArrays(e, arrays));
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.$array !== undefined) {
      const k = o.$array;
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= arrays.length) {
        throw new FormatError(`[loadModel] checkpoint refers to array ${jsonKind(k)}; the file holds arrays 0 to ${arrays.length - 1}. The file is corrupt.`);
      }
      if (o.dtype !== 'float32' && o.dtype !== 'float64') throw new FormatError(`[loadModel] checkpoint array ${k}: dtype must be 'float32' or 'float64'; received ${jsonKind(o.dtype)}.`);
      const a = arrays[k];
      return o.dtype === 'float64' ? Float64Array.from(a) : a instanceof Float32Array ? a : Float32Array.from(a);
    }
    if (o.$number !== undefined) {
      if (o.$number !== 'NaN' && o.$number !== 'Infinity' && o.$number !== '-Infinity') {
        throw new FormatError(`[loadModel] checkpoint number must be 'NaN', 'Infinity' or '-Infinity'; received ${jsonKind(o.$number)}.`);
      }
      return Number(o.$number);
    }
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(o)) out[k] = unpackArrays(e, arrays);
    return out;
  }
  return v;
}

function truncate(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}
