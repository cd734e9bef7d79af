// TensorFlow.js / Keras Layers models → a longshort Sequential, plus the weight conversions in both
// directions. This is the import boundary where Keras's transposed layouts (kernel (I, 4H), Dense
// kernel (I, O)) and its single LSTM bias become PyTorch's weight_ih (4H, I), Linear weight (O, I)
// and bias_ih + bias_hh (every weight read is checked to be finite). Keras's gate order i, f, c, o is already PyTorch's i, f, g, o (c is the
// candidate g), so gate blocks keep their places: only the matrices are transposed.
//
// It reads a `model.json` as `model.save()` writes it (tfjs-layers) or tensorflowjs_converter does
// (a Keras `model_config` wrapper), and the weight bytes as one buffer: every shard of every manifest
// group, in manifest order. Everything is checked before a byte is read: weight names, dtypes and
// shapes against the topology, and the byte count against the manifest. No file access here — the
// Node reader (./tfjs-node.ts) resolves shard paths; a browser fetches them itself.
//
// Left out: GRU/SimpleRNN/Conv layers, quantized weights, go_backwards, stateful and return_state
// LSTMs, Bidirectional merge modes other than 'concat', and functional graphs that branch or merge.
//
// dim key: I input features, H units, G = 4H (gate blocks i, f, g|c, o), O dense units.
//   Keras LSTM  kernel (I, G)  recurrent_kernel (H, G)  bias (G)
//   longshort   weight_ih (G, I)  weight_hh (G, H)  bias_ih (G)  bias_hh (G)
//   Keras Dense kernel (I, O) bias (O)  →  weight (O, I) bias (O)

import { FormatError, NonFiniteError, ShapeError, UnsupportedError } from '../errors.js';
import { formatShape, type DType } from '../tensor.js';
import type { ActivationName } from '../kernels/activations.js';
import type { DenseActivation } from '../kernels/ref/dense.js';
import { LSTM } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Dropout } from '../nn/dropout.js';
import { Activation } from '../nn/activations.js';
import { Embedding } from '../nn/embedding.js';
import { Sequential } from '../nn/sequential.js';
import type { Layer } from '../nn/layer.js';

const WHERE = 'loadTfjsModel';

/** A named tensor in PyTorch state-dict form. */
export interface StateTensor {
  shape: number[];
  data: Float32Array;
}

// ---------------------------------------------------------------- weight conversion

/** dst (cols, rows) ← srcᵀ, src (rows, cols) row-major. */
function transpose(src: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const dst = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
  return dst;
}

/**
 * One Keras LSTM direction → PyTorch-named tensors (`weight_ih${suffix}` …). The single Keras bias
 * goes into bias_ih and bias_hh is zero, so their sum — all the cell ever uses — is unchanged.
 * kernel (I, 4H), recurrentKernel (H, 4H), bias (4H) or null (use_bias: false).
 */
export function lstmStateFromKeras(
  kernel: ArrayLike<number>,
  recurrentKernel: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  I: number,
  H: number,
  suffix = '_l0',
): Record<string, StateTensor> {
  const G = 4 * H;
  if (kernel.length !== I * G) throw new ShapeError(`[lstmStateFromKeras] kernel must have shape (${I}, ${G}) = ${I * G} values; received ${kernel.length}.`);
  if (recurrentKernel.length !== H * G) {
    throw new ShapeError(`[lstmStateFromKeras] recurrentKernel must have shape (${H}, ${G}) = ${H * G} values; received ${recurrentKernel.length}.`);
  }
  if (bias !== null && bias.length !== G) throw new ShapeError(`[lstmStateFromKeras] bias must have shape (${G}); received ${bias.length} values.`);
  const bih = new Float32Array(G);
  if (bias !== null) bih.set(bias);
  return {
    [`weight_ih${suffix}`]: { shape: [G, I], data: transpose(kernel, I, G) },
    [`weight_hh${suffix}`]: { shape: [G, H], data: transpose(recurrentKernel, H, G) },
    [`bias_ih${suffix}`]: { shape: [G], data: bih },
    [`bias_hh${suffix}`]: { shape: [G], data: new Float32Array(G) },
  };
}

/**
 * One direction of a longshort LSTM's state dict → Keras kernel (I, 4H), recurrent kernel (H, 4H)
 * and bias (4H) = bias_ih + bias_hh. Projection (weight_hr) and peepholes have no Keras equivalent.
 */
export function lstmStateToKeras(
  state: Record<string, { shape: readonly number[]; data: ArrayLike<number> }>,
  suffix = '_l0',
): { kernel: Float32Array; recurrentKernel: Float32Array; bias: Float32Array; I: number; H: number } {
  const where = 'lstmStateToKeras';
  for (const extra of [`weight_hr${suffix}`, `weight_ph${suffix}`]) {
    if (extra in state) throw new UnsupportedError(`[${where}] Keras's LSTM has no ${extra.startsWith('weight_hr') ? 'projection' : 'peepholes'}; received ${extra}.`);
  }
  const get = (name: string) => {
    const t = state[`${name}${suffix}`];
    if (t === undefined) throw new ShapeError(`[${where}] missing tensor ${name}${suffix}; received ${Object.keys(state).join(', ') || 'none'}.`);
    return t;
  };
  const wih = get('weight_ih');
  const whh = get('weight_hh');
  const bih = get('bias_ih');
  const bhh = get('bias_hh');
  const [G, I] = wih.shape;
  const H = G / 4;
  if (wih.shape.length !== 2 || !Number.isInteger(H) || whh.shape[0] !== G || whh.shape[1] !== H || bih.data.length !== G || bhh.data.length !== G) {
    throw new ShapeError(
      `[${where}] expected weight_ih (4H, I), weight_hh (4H, H), bias_ih and bias_hh (4H); received ${formatShape(wih.shape)}, ${formatShape(whh.shape)}, ${formatShape(bih.shape)}, ${formatShape(bhh.shape)}.`,
    );
  }
  const bias = new Float32Array(G);
  for (let n = 0; n < G; n++) bias[n] = bih.data[n] + bhh.data[n];
  return { kernel: transpose(wih.data, G, I), recurrentKernel: transpose(whh.data, G, H), bias, I, H };
}

/** Keras Dense kernel (I, O) → Linear weight (O, I). */
export function denseWeightFromKeras(kernel: ArrayLike<number>, I: number, O: number): Float32Array {
  if (kernel.length !== I * O) throw new ShapeError(`[denseWeightFromKeras] kernel must have shape (${I}, ${O}) = ${I * O} values; received ${kernel.length}.`);
  return transpose(kernel, I, O);
}

// ---------------------------------------------------------------- the weights manifest

export interface TfjsWeightEntry {
  name: string;
  shape: number[];
  /** Byte offset in the concatenation of all shards of all groups. */
  offset: number;
  byteLength: number;
}

export interface TfjsWeightGroup {
  /** Shard file names, relative to model.json, as listed. */
  paths: string[];
  weights: TfjsWeightEntry[];
  /** Bytes the group's weights need = total size of its shards. */
  byteLength: number;
}

export interface TfjsManifest {
  groups: TfjsWeightGroup[];
  /** Bytes all groups need together. */
  byteLength: number;
}

/** Largest weight blob we accept (2 GiB): beyond this a manifest is certainly not a small LSTM model. */
const MAX_BYTES = 2 ** 31;

/**
 * Validate `weightsManifest` of a model.json and compute where each weight sits. Only float32,
 * unquantized weights are accepted. Shard paths are checked with checkShardPath.
 */
export function readTfjsManifest(modelJson: unknown): TfjsManifest {
  const json = asObject(modelJson, 'model.json');
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) {
    throw new FormatError(
      `[${WHERE}] model.json must have a weightsManifest array; received ${describe(manifest)}. Hint: pass the parsed model.json of a TensorFlow.js Layers model (model.save('file://…') or tensorflowjs_converter --output_format tfjs_layers_model).`,
    );
  }
  const groups: TfjsWeightGroup[] = [];
  const seen = new Set<string>();
  let offset = 0;
  manifest.forEach((g, gi) => {
    const group = asObject(g, `weightsManifest[${gi}]`);
    if (!Array.isArray(group.paths) || group.paths.length === 0) {
      throw new FormatError(`[${WHERE}] weightsManifest[${gi}].paths must be a non-empty list of shard file names; received ${describe(group.paths)}.`);
    }
    const paths = group.paths.map((p, pi) => checkShardPath(p, `weightsManifest[${gi}].paths[${pi}]`));
    if (!Array.isArray(group.weights)) throw new FormatError(`[${WHERE}] weightsManifest[${gi}].weights must be a list; received ${describe(group.weights)}.`);
    const start = offset;
    const weights: TfjsWeightEntry[] = group.weights.map((w, wi) => {
      const at = `weightsManifest[${gi}].weights[${wi}]`;
      const spec = asObject(w, at);
      if (typeof spec.name !== 'string' || spec.name === '') throw new FormatError(`[${WHERE}] ${at}.name must be a non-empty string; received ${describe(spec.name)}.`);
      const name = spec.name;
      if (seen.has(name)) throw new FormatError(`[${WHERE}] weight '${name}' is listed twice in weightsManifest; each weight name must be unique.`);
      seen.add(name);
      if (spec.quantization !== undefined && spec.quantization !== null) {
        throw new UnsupportedError(
          `[${WHERE}] weight '${name}' is quantized (${JSON.stringify(spec.quantization)}); only float32 weights are supported. Hint: convert the model again without --quantize_* options.`,
        );
      }
      if (spec.dtype !== 'float32') throw new UnsupportedError(`[${WHERE}] weight '${name}' must have dtype float32; received ${describe(spec.dtype)}.`);
      if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new FormatError(`[${WHERE}] weight '${name}' must have a shape of non-negative integers; received ${describe(spec.shape)}.`);
      }
      const shape = spec.shape as number[];
      let n = 4;
      for (const d of shape) n *= d;
      if (n > MAX_BYTES || offset + n > MAX_BYTES) {
        throw new FormatError(`[${WHERE}] weight '${name}' of shape ${formatShape(shape)} would take the weights past ${MAX_BYTES} bytes; this is not a model longshort can hold.`);
      }
      const entry = { name, shape, offset, byteLength: n };
      offset += n;
      return entry;
    });
    groups.push({ paths, weights, byteLength: offset - start });
  });
  return { groups, byteLength: offset };
}

/**
 * A shard path as a manifest lists it, made safe to resolve against model.json's directory: a
 * relative path that stays inside it (no '..' segment, no absolute path, drive letter, URL or NUL).
 * Returns the path without a leading './'.
 */
export function checkShardPath(p: unknown, at = 'shard path'): string {
  if (typeof p !== 'string' || p === '') throw new FormatError(`[${WHERE}] ${at} must be a non-empty string; received ${describe(p)}.`);
  const bad = (why: string): never => {
    throw new FormatError(
      `[${WHERE}] ${at} must be a file name relative to model.json that stays in its directory; received '${p}' (${why}). Hint: shards must sit beside model.json or below it.`,
    );
  };
  if (p.includes('\0')) bad('contains a NUL byte');
  if (p.startsWith('/') || p.startsWith('\\')) bad('absolute path');
  if (/^[A-Za-z]:/.test(p)) bad('drive letter');
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(p)) bad('URL');
  const parts = p.split(/[\\/]/);
  if (parts.some((s) => s === '..')) bad("'..' segment");
  const kept = parts.filter((s) => s !== '.' && s !== '');
  if (kept.length === 0) bad('no file name');
  return kept.join('/');
}

// ---------------------------------------------------------------- the topology

interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

/** The layers in call order and the declared input shape (batch dimension included), if any. */
function linearTopology(modelTopology: unknown): KerasLayer[] {
  let topo = asObject(modelTopology, 'modelTopology');
  if (topo.model_config !== undefined) topo = asObject(topo.model_config, 'modelTopology.model_config'); // tensorflowjs_converter
  const cls = topo.class_name;
  if (cls === 'Sequential') {
    // Keras ≥ 2.2 and tfjs: { name, layers: [...] }; Keras 2.1: the list itself.
    const list = Array.isArray(topo.config) ? topo.config : asObject(topo.config, 'Sequential config').layers;
    if (!Array.isArray(list) || list.length === 0) throw new FormatError(`[${WHERE}] Sequential config.layers must be a non-empty list; received ${describe(list)}.`);
    return list.map((l, k) => kerasLayer(l, `layers[${k}]`));
  }
  if (cls === 'Model' || cls === 'Functional') return functionalChain(asObject(topo.config, `${cls} config`));
  throw new UnsupportedError(`[${WHERE}] modelTopology.class_name must be 'Sequential', 'Model' or 'Functional'; received ${describe(cls)}.`);
}

function kerasLayer(l: unknown, at: string): KerasLayer {
  const o = asObject(l, at);
  if (typeof o.class_name !== 'string') throw new FormatError(`[${WHERE}] ${at}.class_name must be a string; received ${describe(o.class_name)}.`);
  const config = asObject(o.config ?? {}, `${at}.config`);
  const name = typeof o.name === 'string' ? o.name : typeof config.name === 'string' ? config.name : '';
  if (name === '') throw new FormatError(`[${WHERE}] ${at} (${o.class_name}) must have a name; received none.`);
  return { className: o.class_name, name, config };
}

/**
 * A functional model whose graph is a single chain input → … → output, in call order. Walks back
 * from the output through each layer's one inbound tensor; a revisited layer is a cycle.
 */
function functionalChain(config: Record<string, unknown>): KerasLayer[] {
  if (!Array.isArray(config.layers) || config.layers.length === 0) {
    throw new FormatError(`[${WHERE}] functional model config.layers must be a non-empty list; received ${describe(config.layers)}.`);
  }
  const byName = new Map<string, { layer: KerasLayer; inbound: unknown }>();
  config.layers.forEach((l, k) => {
    const layer = kerasLayer(l, `layers[${k}]`);
    if (byName.has(layer.name)) throw new FormatError(`[${WHERE}] layer name '${layer.name}' appears twice in the functional model; names must be unique.`);
    byName.set(layer.name, { layer, inbound: (l as Record<string, unknown>).inbound_nodes });
  });
  const endpoint = (v: unknown, what: string): string => {
    if (!Array.isArray(v) || v.length !== 1) {
      throw new UnsupportedError(`[${WHERE}] only single-input, single-output functional models are supported; ${what} lists ${Array.isArray(v) ? v.length : describe(v)}.`);
    }
    const e = v[0];
    if (!Array.isArray(e) || typeof e[0] !== 'string') throw new FormatError(`[${WHERE}] ${what}[0] must be [layer_name, node_index, tensor_index]; received ${describe(e)}.`);
    return e[0];
  };
  const input = endpoint(config.input_layers, 'input_layers');
  const output = endpoint(config.output_layers, 'output_layers');
  const chain: KerasLayer[] = [];
  const visited = new Set<string>();
  let cur = output;
  for (;;) {
    if (visited.has(cur)) {
      throw new FormatError(`[${WHERE}] the functional graph has a cycle through layer '${cur}'; a model must be a directed acyclic chain from input to output.`);
    }
    visited.add(cur);
    const entry = byName.get(cur);
    if (entry === undefined) throw new FormatError(`[${WHERE}] the functional graph refers to layer '${cur}', which config.layers does not define.`);
    chain.push(entry.layer);
    if (entry.layer.className === 'InputLayer') {
      if (cur !== input) throw new FormatError(`[${WHERE}] the chain from the output reaches InputLayer '${cur}', but input_layers names '${input}'.`);
      break;
    }
    cur = inboundName(entry.inbound, cur);
  }
  if (visited.size !== byName.size) {
    const off = [...byName.keys()].filter((n) => !visited.has(n));
    throw new UnsupportedError(`[${WHERE}] only chain-shaped functional models are supported; layer(s) ${off.join(', ')} are not on the path from input to output.`);
  }
  return chain.reverse();
}

/** The single layer feeding `name` (tfjs/Keras 2: [[[name, node, tensor, kwargs]]]; Keras 3: [{args: [{config: {keras_history}}]}]). */
function inboundName(nodes: unknown, name: string): string {
  const unsupported = (what: string): never => {
    throw new UnsupportedError(`[${WHERE}] layer '${name}' ${what}; only chains where each layer is called once on one tensor are supported.`);
  };
  if (!Array.isArray(nodes) || nodes.length === 0) throw new FormatError(`[${WHERE}] layer '${name}' has no inbound_nodes, yet it is not an InputLayer.`);
  if (nodes.length > 1) unsupported(`is called ${nodes.length} times (shared layer)`);
  const node = nodes[0];
  let src: unknown;
  let kwargs: unknown = {};
  if (Array.isArray(node)) {
    if (node.length !== 1) unsupported(`takes ${node.length} inputs`);
    const t = node[0];
    if (!Array.isArray(t)) throw new FormatError(`[${WHERE}] layer '${name}' inbound node must list [layer_name, node_index, tensor_index, kwargs]; received ${describe(t)}.`);
    src = t[0];
    kwargs = t[3] ?? {};
  } else if (node !== null && typeof node === 'object') {
    const args = (node as Record<string, unknown>).args;
    if (!Array.isArray(args) || args.length !== 1) unsupported(`takes ${Array.isArray(args) ? args.length : 0} inputs`);
    const hist = asObject(asObject((args as unknown[])[0], `layer '${name}' args[0]`).config ?? {}, `layer '${name}' args[0].config`).keras_history;
    src = Array.isArray(hist) ? hist[0] : undefined;
    kwargs = (node as Record<string, unknown>).kwargs ?? {};
  }
  if (typeof src !== 'string') throw new FormatError(`[${WHERE}] layer '${name}' inbound node does not name its source layer; received ${describe(node)}.`);
  // 'training' only switches dropout; Keras 3 also writes unused arguments as null (mask: null)
  const kw = asObject(kwargs, `layer '${name}' call kwargs`);
  const keys = Object.keys(kw).filter((k) => k !== 'training' && kw[k] !== null);
  if (keys.length > 0) unsupported(`is called with ${keys.join(', ')}`);
  return src;
}

// ---------------------------------------------------------------- building the model

/** Options of loadTfjsModel and loadTfjsModelFromFile. */
export interface LoadTfjsOptions {
  /** dtype of the resulting layers (the weights are float32 either way). Default 'float32'. */
  dtype?: DType;
}

const ACT_LSTM: Record<string, ActivationName> = {
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  linear: 'identity',
  hard_sigmoid: 'hardSigmoid',
  hardSigmoid: 'hardSigmoid',
};
const ACT_DENSE: Record<string, DenseActivation> = { linear: 'linear', relu: 'relu', tanh: 'tanh', sigmoid: 'sigmoid', softmax: 'softmax' };

/** Input to the next layer: rank 3 (B, T, F) or 2 (B, F); F null until a shape or a kernel fixes it. */
interface Flow {
  rank: 2 | 3 | null;
  features: number | null;
}

/**
 * A TensorFlow.js Layers model (parsed model.json + its weight bytes, all shards of all manifest
 * groups concatenated in order) → an equivalent longshort Sequential. Layer names are kept (made
 * identifier-safe). Throws UnsupportedError for layers or options longshort cannot represent, and
 * FormatError/ShapeError for a manifest that does not match the topology or the bytes.
 */
export function loadTfjsModel(modelJson: unknown, weightData: ArrayBuffer | ArrayBufferView, options: LoadTfjsOptions = {}): Sequential {
  const dtype = options.dtype ?? 'float32';
  const json = asObject(modelJson, 'model.json');
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new UnsupportedError(
      `[${WHERE}] model.json format must be 'layers-model'; received '${String(json.format)}'. Hint: a graph model (tf.loadGraphModel) has no layer topology to import; export a Keras/Layers model instead.`,
    );
  }
  const manifest = readTfjsManifest(json);
  const bytes = toBytes(weightData);
  if (bytes.byteLength !== manifest.byteLength) {
    const count = manifest.groups.reduce((n, g) => n + g.weights.length, 0);
    const short = bytes.byteLength < manifest.byteLength;
    const first = short ? manifest.groups.flatMap((g) => g.weights).find((w) => w.offset + w.byteLength > bytes.byteLength) : undefined;
    throw new FormatError(
      `[${WHERE}] weight data must be ${manifest.byteLength} bytes for the ${count} float32 weights in weightsManifest; received ${bytes.byteLength} bytes.` +
        (short
          ? ` Weight '${first!.name}' (bytes ${first!.offset}–${first!.offset + first!.byteLength}) runs past the end. Hint: a shard is missing or truncated; every shard of every group must be concatenated in manifest order.`
          : ' Hint: the bytes belong to a different model.json, or a shard was passed twice.'),
    );
  }
  const entries = new Map<string, TfjsWeightEntry>();
  for (const g of manifest.groups) for (const w of g.weights) entries.set(stripSuffix(w.name), w);
  const used = new Set<string>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (e: TfjsWeightEntry): Float32Array => {
    const out = new Float32Array(e.byteLength / 4);
    for (let n = 0; n < out.length; n++) {
      const v = view.getFloat32(e.offset + 4 * n, true); // little-endian on every host
      if (!Number.isFinite(v)) {
        throw new NonFiniteError(`[${WHERE}] weight '${e.name}' must be finite; received ${v} at flat index ${n} (shape ${formatShape(e.shape)}). The weights are corrupt or the model diverged before it was saved.`);
      }
      out[n] = v;
    }
    return out;
  };

  const keras = linearTopology(json.modelTopology);
  const built: Array<[string, Layer]> = [];
  const names = new Set<string>();
  const flow: Flow = { rank: null, features: null };
  keras.forEach((kl, k) => {
    takeInputShape(kl, flow, k);
    const weights = (prefix: string[], kinds: string[], optional: string[] = []) => findWeights(kl, entries, used, prefix, kinds, optional);
    let layer: Layer | null;
    switch (kl.className) {
      case 'InputLayer':
        if (k !== 0) throw new FormatError(`[${WHERE}] InputLayer '${kl.name}' must come first; found at position ${k}.`);
        layer = null;
        break;
      case 'LSTM':
        layer = buildLstm(kl, kl.config, false, flow, weights, read, dtype);
        break;
      case 'Bidirectional':
        layer = buildBidirectional(kl, flow, weights, read, dtype);
        break;
      case 'Dense':
        layer = buildDense(kl, flow, weights, read, dtype);
        break;
      case 'Embedding':
        layer = buildEmbedding(kl, k, keras, flow, weights, read, dtype);
        break;
      case 'Dropout': {
        const rate = kl.config.rate ?? 0;
        if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new FormatError(`[${WHERE}] layer '${kl.name}' (Dropout) rate must be in [0, 1); received ${describe(rate)}.`);
        layer = new Dropout({ p: rate, dtype }); // identity at inference, as in Keras
        break;
      }
      case 'Activation': {
        const a = kl.config.activation;
        const fn = typeof a === 'string' ? ACT_DENSE[a] : undefined;
        if (fn === undefined) throw unsupportedActivation(kl, 'activation', a, Object.keys(ACT_DENSE));
        layer = fn === 'linear' ? null : new Activation({ fn, dtype });
        break;
      }
      default:
        throw new UnsupportedError(
          `[${WHERE}] layer '${kl.name}' has class '${kl.className}', which longshort cannot import; supported: InputLayer, Embedding, LSTM, Bidirectional(LSTM), Dense, Dropout, Activation.` +
            (kl.className === 'GRU' || kl.className === 'SimpleRNN' ? ' Hint: retrain with an LSTM layer.' : ''),
        );
    }
    if (layer !== null) built.push([uniqueName(kl.name, names), layer]);
  });
  const unused = [...entries.keys()].filter((n) => !used.has(n));
  if (unused.length > 0) {
    throw new FormatError(`[${WHERE}] weightsManifest lists weight(s) no layer uses: ${unused.join(', ')}. Hint: model.json and its weights must come from the same save.`);
  }
  if (built.length === 0) throw new UnsupportedError(`[${WHERE}] the model has no layers longshort can run (only ${keras.map((l) => l.className).join(', ')}).`);
  return new Sequential(built);
}

function takeInputShape(kl: KerasLayer, flow: Flow, k: number): void {
  const s = kl.config.batch_input_shape ?? kl.config.batch_shape; // Keras 2 / tfjs; Keras 3
  if (s === undefined || s === null) return;
  if (!Array.isArray(s) || s.length < 2 || !s.every((d) => d === null || (Number.isInteger(d) && d > 0))) {
    throw new FormatError(`[${WHERE}] layer '${kl.name}' batch_input_shape must list positive integers or null; received ${describe(s)}.`);
  }
  if (k !== 0 && kl.className !== 'InputLayer') return; // Keras keeps it on later layers only as a leftover
  if (s.length > 3) throw new UnsupportedError(`[${WHERE}] layer '${kl.name}' takes rank-${s.length} input ${describe(s)}; longshort layers take (B, F) or (B, T, F).`);
  flow.rank = s.length as 2 | 3;
  flow.features = s[s.length - 1] as number | null;
}

type WeightFinder = (prefix: string[], kinds: string[], optional?: string[]) => Record<string, TfjsWeightEntry>;
type Reader = (e: TfjsWeightEntry) => Float32Array;

function buildLstm(kl: KerasLayer, c: Record<string, unknown>, bidirectional: boolean, flow: Flow, weights: WeightFinder, read: Reader, dtype: DType): LSTM {
  const what = `layer '${kl.name}' (${bidirectional ? 'Bidirectional(LSTM)' : 'LSTM'})`;
  const H = c.units;
  if (!Number.isInteger(H) || (H as number) < 1) throw new FormatError(`[${WHERE}] ${what} units must be a positive integer; received ${describe(H)}.`);
  const units = H as number;
  for (const [key, why] of [
    ['go_backwards', 'use Bidirectional or reverse the input yourself'],
    ['stateful', 'longshort streams with LSTM.step() instead'],
    ['return_state', 'a Sequential passes one tensor between layers'],
    ['time_major', 'feed (B, T, F) input'],
  ] as const) {
    if (c[key] === true) throw new UnsupportedError(`[${WHERE}] ${what} has ${key}: true, which is not supported. Hint: ${why}.`);
  }
  const gate = lstmActivation(kl, c, 'recurrent_activation');
  const act = lstmActivation(kl, c, 'activation');
  if (flow.rank === 2) throw new ShapeError(`[${WHERE}] ${what} needs (B, T, F) sequence input; the previous layer outputs (B, ${flow.features}). Hint: the LSTM before it needs return_sequences: true.`);
  const useBias = c.use_bias !== false;
  const dirs = bidirectional ? ['forward_', 'backward_'] : [''];
  const dict: Record<string, StateTensor> = {};
  let I = flow.features;
  dirs.forEach((dir, d) => {
    const w = weights(dir === '' ? [] : [dir], ['kernel', 'recurrent_kernel'], useBias ? ['bias'] : []);
    if (useBias && w.bias === undefined) throw missingWeight(kl, dir === '' ? 'bias' : `${dir}…/bias`, [4 * units]);
    if (I === null) I = kernelRows(kl, w.kernel); // no declared input shape: the kernel says it
    const I0 = I as number;
    expectShape(kl, w.kernel, [I0, 4 * units], `units=${units}, input features=${I0}`);
    expectShape(kl, w.recurrent_kernel, [units, 4 * units], `units=${units}`);
    if (useBias) expectShape(kl, w.bias, [4 * units], `units=${units}`);
    Object.assign(dict, lstmStateFromKeras(read(w.kernel), read(w.recurrent_kernel), useBias ? read(w.bias) : null, I0, units, d === 1 ? '_l0_reverse' : '_l0'));
  });
  const lstm = new LSTM({
    inputSize: I as number,
    hiddenSize: units,
    bidirectional,
    batchFirst: true,
    returnSequences: c.return_sequences === true,
    activations: { gate, cell: act, hidden: act },
    forgetBias: null,
    dtype,
  });
  lstm.loadStateDict(dict);
  flow.rank = c.return_sequences === true ? 3 : 2;
  flow.features = (bidirectional ? 2 : 1) * units;
  return lstm;
}

function buildBidirectional(kl: KerasLayer, flow: Flow, weights: WeightFinder, read: Reader, dtype: DType): LSTM {
  const inner = asObject(kl.config.layer, `layer '${kl.name}' config.layer`);
  if (inner.class_name !== 'LSTM') {
    throw new UnsupportedError(`[${WHERE}] layer '${kl.name}' (Bidirectional) wraps class '${String(inner.class_name)}'; only Bidirectional(LSTM) is supported.`);
  }
  const merge = kl.config.merge_mode === undefined ? 'concat' : kl.config.merge_mode;
  if (merge !== 'concat') {
    throw new UnsupportedError(`[${WHERE}] layer '${kl.name}' (Bidirectional) merge_mode must be 'concat'; received ${describe(merge)}. Hint: longshort concatenates the forward and backward outputs.`);
  }
  const c = asObject(inner.config, `layer '${kl.name}' config.layer.config`);
  // Keras 3 always writes backward_layer; accept it when it mirrors the forward layer.
  const back = kl.config.backward_layer;
  if (back !== undefined && back !== null) {
    const b = asObject(back, `layer '${kl.name}' config.backward_layer`);
    const bc = asObject(b.config ?? {}, `layer '${kl.name}' config.backward_layer.config`);
    const same = ['units', 'activation', 'recurrent_activation', 'use_bias', 'return_sequences'].every((k) => JSON.stringify(bc[k]) === JSON.stringify(c[k]));
    if (b.class_name !== 'LSTM' || !same || bc.go_backwards !== true) {
      throw new UnsupportedError(`[${WHERE}] layer '${kl.name}' (Bidirectional) has a backward_layer that is not the forward LSTM mirrored (same units and activations, go_backwards: true); longshort runs one LSTM both ways.`);
    }
  }
  return buildLstm(kl, c, true, flow, weights, read, dtype);
}

function buildDense(kl: KerasLayer, flow: Flow, weights: WeightFinder, read: Reader, dtype: DType): Dense {
  const c = kl.config;
  const O = c.units;
  if (!Number.isInteger(O) || (O as number) < 1) throw new FormatError(`[${WHERE}] layer '${kl.name}' (Dense) units must be a positive integer; received ${describe(O)}.`);
  const a = c.activation ?? 'linear';
  const activation = typeof a === 'string' ? ACT_DENSE[a] : undefined;
  if (activation === undefined) throw unsupportedActivation(kl, 'activation', a, Object.keys(ACT_DENSE));
  const useBias = c.use_bias !== false;
  const w = weights([], ['kernel'], useBias ? ['bias'] : []);
  if (useBias && w.bias === undefined) throw missingWeight(kl, 'bias', [O as number]);
  const I = flow.features ?? kernelRows(kl, w.kernel);
  expectShape(kl, w.kernel, [I, O as number], `units=${O}, input features=${I}`);
  if (useBias) expectShape(kl, w.bias, [O as number], `units=${O}`);
  const dense = new Dense({ inputSize: I, outputSize: O as number, activation, bias: useBias, dtype });
  dense.weight.value.set(denseWeightFromKeras(read(w.kernel), I, O as number));
  if (useBias) dense.bias!.value.set(read(w.bias));
  flow.features = O as number;
  return dense;
}

/** Keras Embedding: embeddings (V, E) is already PyTorch's weight layout. Ids (B, T) → (B, T, E). */
function buildEmbedding(kl: KerasLayer, k: number, all: KerasLayer[], flow: Flow, weights: WeightFinder, read: Reader, dtype: DType): Embedding {
  const c = kl.config;
  if (k !== 0 && !(k === 1 && all[0].className === 'InputLayer')) {
    throw new UnsupportedError(`[${WHERE}] layer '${kl.name}' (Embedding) must be the first layer (it takes integer ids); found at position ${k}.`);
  }
  if (c.mask_zero === true) {
    throw new UnsupportedError(
      `[${WHERE}] layer '${kl.name}' (Embedding) has mask_zero: true; longshort does not mask by id. Hint: right-pad with id 0 and pass each row's length instead (model.predict(x, { lengths })), which masks the LSTM the same way.`,
    );
  }
  const V = c.input_dim;
  const E = c.output_dim;
  for (const [key, v] of [['input_dim', V], ['output_dim', E]] as const) {
    if (!Number.isInteger(v) || (v as number) < 1) throw new FormatError(`[${WHERE}] layer '${kl.name}' (Embedding) ${key} must be a positive integer; received ${describe(v)}.`);
  }
  const w = weights([], ['embeddings']);
  expectShape(kl, w.embeddings, [V as number, E as number], `input_dim=${V}, output_dim=${E}`);
  const emb = new Embedding({ numEmbeddings: V as number, embeddingDim: E as number, dtype });
  emb.weight.value.set(read(w.embeddings));
  flow.rank = 3;
  flow.features = E as number;
  return emb;
}

/**
 * The layer's weights by kind (last name segment: 'kernel', 'recurrent_kernel', 'bias'). A weight
 * belongs to the layer when a segment of its name before the last equals the layer name (tfjs:
 * 'lstm_LSTM1/kernel'; converter: 'lstm/lstm_cell/kernel'); `prefix` picks a Bidirectional
 * direction by a later segment starting with 'forward_' / 'backward_'.
 */
function findWeights(
  kl: KerasLayer,
  entries: Map<string, TfjsWeightEntry>,
  used: Set<string>,
  prefix: string[],
  kinds: string[],
  optional: string[],
): Record<string, TfjsWeightEntry> {
  const out: Record<string, TfjsWeightEntry> = {};
  for (const [name, e] of entries) {
    const seg = name.split('/');
    const at = seg.slice(0, -1).indexOf(kl.name);
    if (at < 0) continue;
    if (prefix.length > 0 && !seg.slice(at + 1, -1).some((s) => prefix.some((p) => s.startsWith(p)))) continue;
    const kind = seg[seg.length - 1];
    if (!kinds.includes(kind) && !optional.includes(kind)) continue;
    if (out[kind] !== undefined) {
      throw new FormatError(`[${WHERE}] layer '${kl.name}' matches two '${kind}' weights in weightsManifest: '${out[kind].name}' and '${e.name}'.`);
    }
    out[kind] = e;
  }
  for (const kind of kinds) {
    if (out[kind] === undefined) throw missingWeight(kl, `${prefix.length > 0 ? `${prefix[0]}…/` : ''}${kind}`, null);
  }
  for (const e of Object.values(out)) used.add(stripSuffix(e.name));
  return out;
}

function missingWeight(kl: KerasLayer, kind: string, shape: number[] | null): FormatError {
  return new FormatError(
    `[${WHERE}] layer '${kl.name}' (${kl.className}) needs weight '${kl.name}/${kind}'${shape ? ` of shape ${formatShape(shape)}` : ''}; weightsManifest has none. Hint: model.json and its weights must come from the same save.`,
  );
}

/** Input features as the kernel (I, ·) states them, when no input shape was declared. */
function kernelRows(kl: KerasLayer, e: TfjsWeightEntry): number {
  if (e.shape.length !== 2 || e.shape[0] < 1) {
    throw new ShapeError(`[${WHERE}] weight '${e.name}' of layer '${kl.name}' (${kl.className}) must be a matrix (input features, ·) with at least one row; received ${formatShape(e.shape)}.`);
  }
  return e.shape[0];
}

function expectShape(kl: KerasLayer, e: TfjsWeightEntry, shape: number[], because: string): void {
  const same = e.shape.length === shape.length && e.shape.every((d, k) => d === shape[k]);
  if (!same) {
    throw new ShapeError(`[${WHERE}] weight '${e.name}' of layer '${kl.name}' (${kl.className}) must have shape ${formatShape(shape)} because ${because}; received ${formatShape(e.shape)}.`);
  }
}

function lstmActivation(kl: KerasLayer, c: Record<string, unknown>, key: 'activation' | 'recurrent_activation'): ActivationName {
  const a = c[key];
  if (a === undefined || a === null) {
    throw new FormatError(
      `[${WHERE}] layer '${kl.name}' config.${key} is missing; it must be stated because TF.js and Keras default differently (recurrent_activation 'hard_sigmoid' vs 'sigmoid').`,
    );
  }
  const m = typeof a === 'string' ? ACT_LSTM[a] : undefined;
  if (m === undefined) throw unsupportedActivation(kl, key, a, Object.keys(ACT_LSTM).filter((k) => k !== 'hardSigmoid'));
  return m;
}

function unsupportedActivation(kl: KerasLayer, key: string, a: unknown, supported: string[]): UnsupportedError {
  return new UnsupportedError(`[${WHERE}] layer '${kl.name}' (${kl.className}) ${key} must be one of ${supported.join(', ')}; received ${describe(a)}.`);
}

// ---------------------------------------------------------------- helpers

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new FormatError(`[${WHERE}] ${what} must be a JSON object; received ${describe(v)}.`);
  return v as Record<string, unknown>;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = Object.prototype.toString.call(v); // circular or BigInt: a caller-built object, not parsed JSON
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** TF (Python) variable names end in ':0'. */
function stripSuffix(name: string): string {
  return name.replace(/:\d+$/, '');
}

function toBytes(d: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  throw new FormatError(`[${WHERE}] weightData must be an ArrayBuffer or a byte view (Uint8Array, Buffer); received ${describe(d)}.`);
}

/** Keras names may hold '/', '-' or start with a digit; Sequential wants unique identifiers. */
function uniqueName(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
  let n = base;
  for (let k = 1; taken.has(n); k++) n = `${base}_${k}`;
  taken.add(n);
  return n;
}
