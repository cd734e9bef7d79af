// Writing model files: a model's parameters as safetensors tensors under their state-dict names,
// and in the header's __metadata__, under the key 'longshort', a JSON document with the
// architecture (the model's config()), optional user data and — in checkpoints — the training
// state, whose typed arrays (optimizer moments) become extra tensors named '__train__.N'. Reading
// (validation first, then layers built from the architecture) is ./model.ts. This half needs only
// a model's params() and config(), not the layer classes, so Sequential.toBytes() uses it without
// nn/ depending on the reader.

import { encodeSafetensors, type NamedTensor } from './safetensors.js';
import type { Arr } from '../tensor.js';
import type { Param } from '../nn/layer.js';
import type { TrainingState } from '../train/state.js';

/** Version of the model-file document this longshort writes; newer files are refused. */
export const FORMAT_VERSION = 1;
/** The safetensors metadata key that holds the model document. */
export const META_KEY = 'longshort';
/** Name prefix of the extra tensors holding a checkpoint's typed arrays ('__train__.0', …). */
export const TRAIN_PREFIX = '__train__.';

/** The JSON document a model file keeps under the 'longshort' metadata key. */
export interface ModelDocument {
  /** Always 'longshort'. */
  format: 'longshort';
  /** FORMAT_VERSION of the writer. */
  version: number;
  /** Sequential.config(): every layer's name, kind and constructor options. */
  architecture: { layers: { name: string; kind: string; config: Record<string, unknown> }[] };
  /** Anything JSON the application wants to keep with the model (scalers, vocabularies, feature names). */
  extra?: Record<string, unknown>;
  /** Present in checkpoints only. */
  training?: unknown;
}

/** What writing needs of a model: its named parameters and the config that rebuilds it. */
export interface SerializableModel {
  /** Parameters with their full names (PyTorch state_dict naming), written as tensors. */
  params(): Param[];
  /** The architecture (Sequential.config(): every layer's name, kind and options), written to the metadata. */
  config(): Record<string, unknown>;
}

/** Serialise a model (and optionally a training state for checkpoints) to safetensors bytes. */
export function modelToBytes(model: SerializableModel, options: { extra?: Record<string, unknown>; training?: TrainingState } = {}): Uint8Array {
  const tensors: NamedTensor[] = model.params().map((p) => ({ name: p.name, shape: p.shape, data: p.value }));
  const doc: ModelDocument = { format: 'longshort', version: FORMAT_VERSION, architecture: model.config() as ModelDocument['architecture'] };
  if (options.extra !== undefined) doc.extra = options.extra;
  if (options.training !== undefined) {
    const arrays: Arr[] = [];
    doc.training = packArrays(options.training, arrays);
    arrays.forEach((a, k) => tensors.push({ name: `${TRAIN_PREFIX}${k}`, shape: [a.length], data: a }));
  }
  return encodeSafetensors(tensors, { [META_KEY]: JSON.stringify(doc) });
}

/** Replace typed arrays by { $array: k } and collect them (JSON cannot hold them exactly). */
function packArrays(v: unknown, arrays: Arr[]): unknown {
  if (v instanceof Float32Array || v instanceof Float64Array) {
    arrays.push(v);
    return { $array: arrays.length - 1, dtype: v instanceof Float64Array ? 'float64' : 'float32' };
  }
  if (Array.isArray(v)) return v.map((e) => packArrays(e, arrays));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) out[k] = packArrays(e, arrays);
    return out;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  return v;
}

