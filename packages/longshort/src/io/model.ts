// Model files: one safetensors file per model. Tensors carry PyTorch state-dict names
// ('lstm.weight_ih_l0', 'head.weight'); the header's __metadata__ holds, under the key
// 'longshort', a JSON document with the architecture (Sequential.config()), optional user data
// such as fitted scalers, and — in checkpoints — the training state, whose typed arrays
// (optimizer moments) are stored as extra tensors named '__train__.N'. Browser-safe: bytes in,
// bytes out; the Node edge (./model-node.ts) adds atomic files. Writing is ./model-bytes.ts (it
// needs no layer classes, so Sequential.toBytes() can use it without an import cycle).
//
// Reading validates before it builds: the safetensors layer checks the container, this layer
// checks the JSON document against the layer registry, and loadStateDict checks every name and shape.

import { readSafetensorsHeader, decodeSafetensors } from './safetensors.js';
import { FORMAT_VERSION, META_KEY, TRAIN_PREFIX, type ModelDocument } from './model-bytes.js';
import { FormatError } from '../errors.js';
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

export interface ModelFile {
  model: Sequential;
  extra: Record<string, unknown>;
  training: TrainingState | null;
}

/** Rebuild a model from bytes written by modelToBytes. Any problem is a FormatError naming it. */
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
  let doc: ModelDocument;
  try {
    doc = JSON.parse(raw) as ModelDocument;
  } catch (e) {
    throw new FormatError(`[loadModel] the '${META_KEY}' metadata is not valid JSON (${(e as Error).message}). The file is corrupt.`);
  }
  if (doc === null || typeof doc !== 'object' || doc.format !== 'longshort') {
    throw new FormatError(`[loadModel] the '${META_KEY}' metadata must be an object with format 'longshort'; received ${truncate(raw)}.`);
  }
  if (typeof doc.version !== 'number' || doc.version > FORMAT_VERSION) {
    throw new FormatError(`[loadModel] model file version ${String(doc.version)} is newer than this longshort reads (${FORMAT_VERSION}). Hint: upgrade longshort.`);
  }
  const layersDoc = doc.architecture?.layers;
  if (!Array.isArray(layersDoc) || layersDoc.length === 0 || layersDoc.length > 1000) {
    throw new FormatError('[loadModel] architecture.layers must be a non-empty list of layers; the file is corrupt.');
  }
  const layers: Array<[string, Layer]> = layersDoc.map((l, k) => {
    if (l === null || typeof l !== 'object' || typeof l.name !== 'string' || typeof l.kind !== 'string' || l.config === null || typeof l.config !== 'object') {
      throw new FormatError(`[loadModel] architecture.layers[${k}] must be { name, kind, config }; received ${truncate(JSON.stringify(l))}.`);
    }
    const make = Object.prototype.hasOwnProperty.call(REGISTRY, l.kind) ? REGISTRY[l.kind] : undefined;
    if (make === undefined) {
      throw new FormatError(`[loadModel] layer '${l.name}' has unknown kind '${l.kind}'; known kinds: ${Object.keys(REGISTRY).join(', ')}.`);
    }
    try {
      return [l.name, make(l.config)];
    } catch (e) {
      throw new FormatError(`[loadModel] layer '${l.name}' (${l.kind}) has an invalid config: ${(e as Error).message}`);
    }
  });
  let model: Sequential;
  try {
    model = new Sequential(layers);
  } catch (e) {
    throw new FormatError(`[loadModel] invalid architecture: ${(e as Error).message}`);
  }
  // Sizes must agree before any tensor data is read: the header's byte ranges are already validated.
  const expected = new Map(model.params().map((p) => [p.name, p]));
  let trainCount = 0;
  for (const e of header.entries) {
    if (e.name.startsWith(TRAIN_PREFIX)) {
      trainCount++;
      continue;
    }
    const p = expected.get(e.name);
    if (p === undefined) throw new FormatError(`[loadModel] unexpected tensor '${e.name}' for this architecture; expected: ${[...expected.keys()].join(', ')}.`);
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
    throw new FormatError(`[loadModel] ${(e as Error).message}`);
  }
  // Float64 training arrays are read exactly (the generic decoder returns float32).
  let training: TrainingState | null = null;
  if (doc.training !== undefined) {
    const arrays: Arr[] = [];
    for (let k = 0; k < trainCount; k++) {
      const name = `${TRAIN_PREFIX}${k}`;
      const entry = header.entries.find((e) => e.name === name);
      if (entry === undefined) throw new FormatError(`[loadModel] checkpoint tensor '${name}' is missing; the file is corrupt.`);
      arrays.push(entry.dtype === 'F64' ? readF64(bytes, header.dataStart + entry.begin, (entry.end - entry.begin) / 8) : decoded.tensors.get(name)!.data);
    }
    training = unpackArrays(doc.training, arrays) as TrainingState;
  }
  return { model, extra: doc.extra ?? {}, training };
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
    if (typeof o.$array === 'number') {
      const a = arrays[o.$array];
      if (a === undefined) throw new FormatError(`[loadModel] checkpoint refers to array ${o.$array}, which the file does not hold.`);
      return o.dtype === 'float64' ? Float64Array.from(a) : a instanceof Float32Array ? a : Float32Array.from(a);
    }
    if (typeof o.$number === 'string') return Number(o.$number);
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(o)) out[k] = unpackArrays(e, arrays);
    return out;
  }
  return v;
}

function truncate(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}
