// The PyTorch bridge: a state dict saved with `safetensors.torch.save_file(model.state_dict(), …)`
// from a module holding an `nn.LSTM` (any num_layers, bidirectional, proj_size, bias) and an
// `nn.Linear` head ⇄ a longshort Sequential. nn.LSTM's parameter names and layouts are longshort's
// own (weight_ih_l{k} (4H, in), weight_hh_l{k} (4H, P), bias_ih_l{k}, bias_hh_l{k} (4H),
// weight_hr_l{k} (P, H) with proj_size, `_reverse` for the backward direction, gate order i, f,
// g, o), so the bridge is about names, prefixes and shape checks, not arithmetic.
//
// The architecture is either given (a small JSON, see PytorchArchitecture) or read from the names
// and shapes: the LSTM prefix is whatever stands before `weight_ih_l0` ('lstm.', 'rnn.',
// 'module.encoder.'), the head is the one other `<prefix>weight` matrix.
// Left out: GRU/RNN modules, more than one Linear layer, and (on export) longshort variants that
// nn.LSTM cannot express (peepholes, coupled gates, clip, other activations, reverse-only).
//
// dim key: H hidden size, P proj_size (or H), Dn directions, I input size, O head outputs.

import { ConfigError, FormatError, ShapeError, UnsupportedError } from '../errors.js';
import { LSTM } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Sequential } from '../nn/sequential.js';
import { Dropout } from '../nn/dropout.js';
import type { DenseActivation } from '../kernels/ref/dense.js';
import { DENSE_ACTIVATIONS } from '../kernels/ref/dense.js';
import { Tensor, formatShape } from '../tensor.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { parseJson } from '../io/json.js';
import { loadParams } from '../nn/layer.js';
import { MAX_DIM, show } from '../util/check.js';

/** The architecture JSON: PyTorch's constructor arguments, plus where each module's tensors live. */
export interface PytorchArchitecture {
  lstm: {
    input_size: number;
    hidden_size: number;
    num_layers?: number;
    bidirectional?: boolean;
    proj_size?: number;
    batch_first?: boolean;
    bias?: boolean;
  };
  /** The nn.Linear after the LSTM, or null/absent for none. */
  head?: {
    in_features: number;
    out_features: number;
    bias?: boolean;
    /** What the head reads: 'last' = each row's final hidden state (h_n of the top layer, both directions concatenated; the default), 'sequence' = every step. */
    applies_to?: 'last' | 'sequence';
    /** An activation applied after the head in the module's forward() (not stored in the state dict). Default 'linear'. */
    activation?: DenseActivation;
  } | null;
  /** Name prefixes including the trailing dot, e.g. { lstm: 'rnn.', head: 'fc.' }. */
  prefixes?: { lstm?: string; head?: string };
}

/** A PyTorch state dict as plain data: tensor name → { shape, data } (row-major), in an object or a Map. */
export type StateDictLike = Record<string, { shape: readonly number[]; data: ArrayLike<number> }> | Map<string, { shape: readonly number[]; data: ArrayLike<number> }>;

/** Options of fromPytorchStateDict and loadPytorchSafetensors. */
export interface PytorchLoadOptions {
  /** Reject tensors the architecture does not use (default true). */
  strict?: boolean;
}

const WHERE = '[pytorch]';
const META_ARCH = 'longshort.architecture';

function entries(dict: StateDictLike): Map<string, { shape: readonly number[]; data: ArrayLike<number> }> {
  if (dict === null || typeof dict !== 'object') throw new ConfigError(`${WHERE} a state dict must be an object or Map of { shape, data }; received ${show(dict)}.`);
  const m = dict instanceof Map ? dict : new Map(Object.entries(dict));
  for (const [name, t] of m) {
    const ok = t !== null && typeof t === 'object' && Array.isArray(t.shape) && t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) &&
      t.data !== null && typeof t.data === 'object' && typeof t.data.length === 'number';
    if (!ok) throw new ShapeError(`${WHERE} state dict entry '${name}' must be { shape: integers ≥ 0, data: numbers }; received ${show(t)}.`);
  }
  return m;
}

/**
 * Read the architecture from tensor names and shapes: the LSTM is the prefix of `…weight_ih_l0`,
 * its sizes come from weight_ih_l0 (4H, I) and weight_hr_l0 (P, H); the head is the single other
 * 2-D `<prefix>weight`. batch_first is not stored in a state dict: it defaults to false (PyTorch's).
 */
export function detectPytorchArchitecture(dict: StateDictLike): PytorchArchitecture {
  const m = entries(dict);
  const names = [...m.keys()];
  const lstmKeys = names.filter((n) => n.endsWith('weight_ih_l0'));
  if (lstmKeys.length !== 1) {
    throw new UnsupportedError(
      `${WHERE} expected exactly one nn.LSTM (a tensor named '<prefix>weight_ih_l0'); found ${lstmKeys.length}${lstmKeys.length ? ` (${lstmKeys.join(', ')})` : ''}. ` +
        `Tensors: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}. Hint: pass the architecture JSON with explicit prefixes.`,
    );
  }
  const lp = lstmKeys[0].slice(0, -'weight_ih_l0'.length);
  const wih = m.get(`${lp}weight_ih_l0`)!;
  if (wih.shape.length !== 2 || wih.shape[0] % 4 !== 0 || wih.shape[0] === 0) {
    throw new ShapeError(`${WHERE} ${lp}weight_ih_l0 must have shape (4·hidden_size, input_size); received ${formatShape(wih.shape)}.`);
  }
  const H = wih.shape[0] / 4;
  let L = 0;
  while (m.has(`${lp}weight_ih_l${L}`)) L++;
  const hr = m.get(`${lp}weight_hr_l0`);
  const arch: PytorchArchitecture = {
    lstm: {
      input_size: wih.shape[1],
      hidden_size: H,
      num_layers: L,
      bidirectional: m.has(`${lp}weight_ih_l0_reverse`),
      proj_size: hr ? hr.shape[0] : 0,
      batch_first: false,
      bias: m.has(`${lp}bias_ih_l0`),
    },
    head: null,
    prefixes: { lstm: lp },
  };
  const lstmParam = /^(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l\d+(_reverse)?$/;
  const isLstm = (n: string): boolean => n.startsWith(lp) && lstmParam.test(n.slice(lp.length));
  const heads = names.filter((n) => !isLstm(n) && n.endsWith('weight') && m.get(n)!.shape.length === 2);
  if (heads.length > 1) {
    throw new UnsupportedError(`${WHERE} found ${heads.length} candidate Linear heads (${heads.join(', ')}); longshort's bridge maps one. Hint: give the architecture JSON with prefixes.head.`);
  }
  if (heads.length === 1) {
    const hp = heads[0].slice(0, -'weight'.length);
    const w = m.get(heads[0])!;
    arch.head = { in_features: w.shape[1], out_features: w.shape[0], bias: m.has(`${hp}bias`), applies_to: 'last' };
    arch.prefixes!.head = hp;
  }
  return arch;
}

/** Every tensor an architecture implies, with its PyTorch name and shape. */
export function expectedPytorchTensors(arch: PytorchArchitecture): { name: string; shape: number[] }[] {
  const a = normalize(arch);
  const { input_size: I, hidden_size: H, num_layers: L, bidirectional, proj_size, bias } = a.lstm;
  const P = proj_size > 0 ? proj_size : H;
  const Dn = bidirectional ? 2 : 1;
  const out: { name: string; shape: number[] }[] = [];
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < Dn; d++) {
      const s = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const p = a.prefixes.lstm;
      out.push({ name: `${p}weight_ih${s}`, shape: [4 * H, l === 0 ? I : Dn * P] });
      out.push({ name: `${p}weight_hh${s}`, shape: [4 * H, P] });
      if (bias) {
        out.push({ name: `${p}bias_ih${s}`, shape: [4 * H] });
        out.push({ name: `${p}bias_hh${s}`, shape: [4 * H] });
      }
      if (proj_size > 0) out.push({ name: `${p}weight_hr${s}`, shape: [P, H] });
    }
  }
  if (a.head) {
    out.push({ name: `${a.prefixes.head}weight`, shape: [a.head.out_features, a.head.in_features] });
    if (a.head.bias) out.push({ name: `${a.prefixes.head}bias`, shape: [a.head.out_features] });
  }
  return out;
}

type NormArch = {
  lstm: Required<PytorchArchitecture['lstm']>;
  head: Required<NonNullable<PytorchArchitecture['head']>> | null;
  prefixes: { lstm: string; head: string };
};

function normalize(arch: PytorchArchitecture): NormArch {
  if (arch === null || typeof arch !== 'object' || Array.isArray(arch) || arch.lstm === null || typeof arch.lstm !== 'object' || Array.isArray(arch.lstm)) {
    throw new ConfigError(`${WHERE} the architecture must be { lstm: { input_size, hidden_size, … }, head?, prefixes? }; received ${show(arch)}.`);
  }
  const l = arch.lstm;
  const int = (name: string, v: unknown, min: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_DIM) {
      throw new ConfigError(`${WHERE} ${name} must be an integer in [${min}, ${MAX_DIM}]; received ${show(v)}.`);
    }
    return v;
  };
  const bool = (name: string, v: unknown, fallback: boolean): boolean => {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') throw new ConfigError(`${WHERE} ${name} must be true or false; received ${show(v)}.`);
    return v;
  };
  const lstm = {
    input_size: int('lstm.input_size', l.input_size, 1),
    hidden_size: int('lstm.hidden_size', l.hidden_size, 1),
    num_layers: int('lstm.num_layers', l.num_layers ?? 1, 1),
    bidirectional: bool('lstm.bidirectional', l.bidirectional, false),
    proj_size: int('lstm.proj_size', l.proj_size ?? 0, 0),
    batch_first: bool('lstm.batch_first', l.batch_first, false),
    bias: bool('lstm.bias', l.bias, true),
  };
  if (lstm.proj_size >= lstm.hidden_size) {
    throw new ConfigError(`${WHERE} lstm.proj_size must be smaller than hidden_size (${lstm.hidden_size}), or 0 for none; received ${lstm.proj_size}.`);
  }
  let head: NormArch['head'] = null;
  if (arch.head !== undefined && arch.head !== null) {
    if (typeof arch.head !== 'object' || Array.isArray(arch.head)) throw new ConfigError(`${WHERE} head must be { in_features, out_features, … } or null; received ${show(arch.head)}.`);
    const h = arch.head;
    const applies = h.applies_to ?? 'last';
    if (applies !== 'last' && applies !== 'sequence') throw new ConfigError(`${WHERE} head.applies_to must be 'last' or 'sequence'; received ${JSON.stringify(applies)}.`);
    const act = h.activation ?? 'linear';
    if (!DENSE_ACTIVATIONS.includes(act)) throw new ConfigError(`${WHERE} head.activation must be one of ${DENSE_ACTIVATIONS.join(', ')}; received ${JSON.stringify(act)}.`);
    head = {
      in_features: int('head.in_features', h.in_features, 1),
      out_features: int('head.out_features', h.out_features, 1),
      bias: bool('head.bias', h.bias, true),
      applies_to: applies,
      activation: act,
    };
    const F = (lstm.bidirectional ? 2 : 1) * (lstm.proj_size > 0 ? lstm.proj_size : lstm.hidden_size);
    if (head.in_features !== F) {
      throw new ShapeError(
        `${WHERE} head.in_features must be ${F} (${lstm.bidirectional ? '2 directions × ' : ''}${lstm.proj_size > 0 ? 'proj_size' : 'hidden_size'}) to follow the LSTM; received ${head.in_features}.`,
      );
    }
  }
  const prefixes = arch.prefixes ?? {};
  if (typeof prefixes !== 'object' || prefixes === null) throw new ConfigError(`${WHERE} prefixes must be { lstm?, head? }; received ${show(prefixes)}.`);
  for (const k of ['lstm', 'head'] as const) {
    if (prefixes[k] !== undefined && typeof prefixes[k] !== 'string') throw new ConfigError(`${WHERE} prefixes.${k} must be a string such as 'rnn.'; received ${show(prefixes[k])}.`);
  }
  return { lstm, head, prefixes: { lstm: prefixes.lstm ?? 'lstm.', head: prefixes.head ?? 'fc.' } };
}

/**
 * Build the longshort Sequential ('lstm' [+ 'head']) equal to a PyTorch state dict. Every tensor
 * is checked against the architecture first; a problem is a ShapeError that lists what was
 * expected (name and shape) and what the dict holds.
 */
export function fromPytorchStateDict(dict: StateDictLike, arch?: PytorchArchitecture, opts: PytorchLoadOptions = {}): Sequential {
  const m = entries(dict);
  const a = normalize(arch ?? detectPytorchArchitecture(m));
  // The architecture's numbers (num_layers above all) come from a file: the tensor count they
  // imply must fit the dict before the expected list is made or anything is allocated.
  const perCell = 2 + (a.lstm.bias ? 2 : 0) + (a.lstm.proj_size > 0 ? 1 : 0);
  const count = a.lstm.num_layers * (a.lstm.bidirectional ? 2 : 1) * perCell + (a.head ? (a.head.bias ? 2 : 1) : 0);
  if (count > m.size) {
    throw new ShapeError(
      `${WHERE} the architecture (num_layers=${a.lstm.num_layers}${a.lstm.bidirectional ? ', bidirectional' : ''}${a.head ? ', a head' : ''}) needs ${count} tensors; the state dict holds ${m.size}. ` +
        'Hint: check num_layers and the prefixes in the architecture JSON.',
    );
  }
  const expected = expectedPytorchTensors(a);
  const list = (): string => expected.map((e) => `${e.name} ${formatShape(e.shape)}`).join(', ');
  const problems: string[] = [];
  for (const e of expected) {
    const t = m.get(e.name);
    if (t === undefined) problems.push(`missing ${e.name}`);
    else if (t.shape.length !== e.shape.length || t.shape.some((d, k) => d !== e.shape[k])) problems.push(`${e.name} is ${formatShape(t.shape)}, expected ${formatShape(e.shape)}`);
    else if (t.data.length !== e.shape.reduce((x, y) => x * y, 1)) problems.push(`${e.name} holds ${t.data.length} values for shape ${formatShape(e.shape)}`);
  }
  const known = new Set(expected.map((e) => e.name));
  const extra = [...m.keys()].filter((n) => !known.has(n));
  if ((opts.strict ?? true) && extra.length > 0) problems.push(`unexpected ${extra.join(', ')}`);
  if (problems.length > 0) {
    throw new ShapeError(`${WHERE} the state dict does not match the architecture: ${problems.join('; ')}. Expected: ${list()}.`);
  }
  const L = a.lstm;
  const lstm = new LSTM({
    inputSize: L.input_size,
    hiddenSize: L.hidden_size,
    numLayers: L.num_layers,
    bidirectional: L.bidirectional,
    projSize: L.proj_size,
    bias: L.bias,
    batchFirst: L.batch_first,
    returnSequences: a.head === null || a.head.applies_to === 'sequence',
    forgetBias: null,
  });
  const sd: Record<string, { shape: readonly number[]; data: ArrayLike<number> }> = {};
  for (const p of lstm.params()) sd[p.name] = m.get(`${a.prefixes.lstm}${p.name}`)!; // checked above; bias=False: no bias params
  lstm.loadStateDict(sd);
  if (a.head === null) return new Sequential([['lstm', lstm]]);
  const head = new Dense({ inputSize: a.head.in_features, outputSize: a.head.out_features, bias: a.head.bias, activation: a.head.activation });
  const headDict: Record<string, { shape: readonly number[]; data: ArrayLike<number> }> = { weight: m.get(`${a.prefixes.head}weight`)! };
  if (head.bias !== null) headDict.bias = m.get(`${a.prefixes.head}bias`)!;
  loadParams(head.params(), headDict, `${WHERE.slice(1, -1)} head`); // checks shapes and finiteness, like the LSTM's
  return new Sequential([['lstm', lstm], ['head', head]]);
}

/**
 * Load a safetensors file written by `safetensors.torch.save_file(model.state_dict(), path)`.
 * `arch` may be an object, its JSON text, or omitted (read from the file's `longshort.architecture`
 * metadata when we wrote it, else detected from names and shapes).
 * @example
 * ```ts
 * // Python: safetensors.torch.save_file(model.state_dict(), 'lstm.safetensors')
 * const model = loadPytorchSafetensors(await readFile('lstm.safetensors'));  // a Sequential: 'lstm' (+ 'head')
 * // the architecture is detected; batch_first is not in a state dict, so it is false (PyTorch's default)
 * const y = model.call(x, { training: false });                               // x (T, B, I)
 * ```
 */
export function loadPytorchSafetensors(bytes: Uint8Array, arch?: PytorchArchitecture | string, opts: PytorchLoadOptions = {}): Sequential {
  const file = decodeSafetensors(bytes);
  let a: PytorchArchitecture | undefined;
  if (typeof arch === 'string') a = parseArch(arch, 'the architecture argument');
  else if (arch !== undefined) a = arch;
  else if (file.metadata[META_ARCH] !== undefined) a = parseArch(file.metadata[META_ARCH], `the file's ${META_ARCH} metadata`);
  return fromPytorchStateDict(file.tensors, a, opts);
}

function parseArch(text: string, what: string): PytorchArchitecture {
  // an architecture JSON is a small tree (three levels); the reader's limits keep a hostile one small too
  return parseJson(text, `${WHERE} ${what}`, { maxDepth: 8, maxLength: 1 << 20 }) as PytorchArchitecture;
}

/** The architecture of a longshort model in PyTorch terms (throws UnsupportedError for what nn.LSTM cannot express). */
export function pytorchArchitectureOf(model: Sequential | LSTM, prefixes: { lstm?: string; head?: string } = {}): PytorchArchitecture {
  const layers = model instanceof LSTM ? [model] : model.layers.map((l) => l.layer).filter((l) => !(l instanceof Dropout));
  const lstm = layers[0];
  if (!(lstm instanceof LSTM) || layers.length > 2 || (layers.length === 2 && !(layers[1] instanceof Dense))) {
    throw new UnsupportedError(
      `${WHERE} the PyTorch bridge maps an LSTM optionally followed by one Dense head; received ${layers.map((l) => l.kind).join(' → ')}.`,
    );
  }
  const s = lstm.spec;
  const plain = s.gateAct === 'sigmoid' && s.cellAct === 'tanh' && s.hiddenAct === 'tanh' && s.inputGate && s.forgetGate && s.outputGate && !s.coupled && !s.peephole && !Number.isFinite(s.clip);
  if (!plain || lstm.reverse) {
    throw new UnsupportedError(
      `${WHERE} nn.LSTM has no ${!plain ? 'gate variants (peepholes, coupled gates, clip, other activations, missing gates)' : 'reverse-only direction'}; this layer cannot be saved as a PyTorch state dict. Hint: export it to ONNX instead.`,
    );
  }
  const head = layers[1] as Dense | undefined;
  return {
    lstm: {
      input_size: lstm.inputSize,
      hidden_size: lstm.hiddenSize,
      num_layers: lstm.numLayers,
      bidirectional: lstm.bidirectional,
      proj_size: lstm.projSize,
      batch_first: lstm.batchFirst,
      bias: lstm.bias,
    },
    head: head
      ? { in_features: head.inputSize, out_features: head.outputSize, bias: head.useBias, applies_to: lstm.returnSequences ? 'sequence' : 'last', activation: head.activation }
      : null,
    prefixes: { lstm: prefixes.lstm ?? 'lstm.', head: prefixes.head ?? 'fc.' },
  };
}

/** The model's parameters under PyTorch names (copies), e.g. { 'rnn.weight_ih_l0': …, 'fc.weight': … }. */
export function toPytorchStateDict(model: Sequential | LSTM, prefixes: { lstm?: string; head?: string } = {}): Record<string, Tensor> {
  const arch = pytorchArchitectureOf(model, prefixes);
  const layers = model instanceof LSTM ? [model] : model.layers.map((l) => l.layer).filter((l) => !(l instanceof Dropout));
  const out: Record<string, Tensor> = {};
  for (const p of layers[0].params()) out[`${arch.prefixes!.lstm}${p.name}`] = new Tensor(Float32Array.from(p.value), p.shape);
  if (layers[1]) for (const p of layers[1].params()) out[`${arch.prefixes!.head}${p.name}`] = new Tensor(Float32Array.from(p.value), p.shape);
  return out;
}

/**
 * Safetensors bytes that `model.load_state_dict(safetensors.torch.load_file(path))` accepts for
 * the matching PyTorch module; the architecture rides along in the metadata.
 */
export function savePytorchSafetensors(model: Sequential | LSTM, prefixes: { lstm?: string; head?: string } = {}): Uint8Array {
  const arch = pytorchArchitectureOf(model, prefixes);
  return encodeSafetensors(toPytorchStateDict(model, prefixes), { format: 'pt', [META_ARCH]: JSON.stringify(arch) });
}
