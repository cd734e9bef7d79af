// .onnx bytes → a longshort Sequential, for graphs that are a chain of layers (to train, fine-tune or
// save in longshort's and PyTorch's formats). Running any supported graph with all its inputs and
// outputs is loadOnnx's job (./onnx-run.ts); this file also holds the validator both use.
// Reads the graph shapes that torch.onnx.export, tf2onnx and our own exportOnnx give an LSTM with a
// head: LSTM node(s) → Squeeze / Transpose / Reshape / Gather or Slice (last step) → Gemm, or
// MatMul + Add, (+ activation, LayerNorm); h_n built by Concat of stacked nodes' states and read
// as h_n[-1], cat(h_n[-2], h_n[-1]) or h_n[-2:]; reshape targets computed from Shape at run time.
//
// How: the file is decoded (./protobuf.ts) and validated as hostile input (every initializer's
// dtype, dims and byte length, size caps, every node input resolvable, no cycles) BEFORE any
// layer is built. Then the nodes that the first graph output depends on are walked in topological
// order, tracking what each value IS rather than computing it: a sequence with labelled axes
// (T time, B batch, D direction, H hidden, F features), an LSTM's final state (or a stack of them,
// or one direction of one), a constant, a zero state, or a shape computation (with its entries
// when known: numbers or "the size of axis B"). Each recognised op either moves the labels
// (Transpose, Squeeze, Reshape merging D·H, Gather of the last step) or appends a layer to the
// chain that produced the value (LSTM, Dense, Activation, LayerNorm). Consecutive compatible LSTM
// nodes become one stacked LSTM, so weights keep PyTorch's names (weight_ih_l1, …).
//
// Left out: anything that is not a chain of those layers (branches that merge, attention, Conv,
// Embedding/Gather on token ids, a lower layer's state), initial states fed from graph inputs or
// non-zero constants (a Sequential starts from zero state), external data files, and every op not
// listed in SUPPORTED.
//
// dim key: T time, B batch, D directions (Dn), H hidden, F features, I input size, O output size.

import { ConfigError, FormatError, NonFiniteError, ShapeError, UnsupportedError } from '../errors.js';
import { LSTM } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Activation, type ActivationFn } from '../nn/activations.js';
import { LayerNorm } from '../nn/layernorm.js';
import { Sequential } from '../nn/sequential.js';
import type { Layer } from '../nn/layer.js';
import type { DenseActivation } from '../kernels/ref/dense.js';
import { f16ToNumber } from '../io/safetensors.js';
import { lstmFromOnnx, type OnnxLstmAttributes } from './onnx-lstm.js';
import { DataType, decodeModelProto, int64, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './onnx-schema.js';
import {
  attr, nodeLabel, attrFloat as opsAttrFloat, attrFloats as opsAttrFloats, attrInt as opsAttrInt, attrInts as opsAttrInts, attrString as opsAttrString, attrStrings as opsAttrStrings,
} from './onnx-ops.js';

const W0 = '[importOnnx]';
const W = W0;

/** Caps on what a file may declare, checked before anything is allocated. */
const LIMITS = {
  nodes: 100_000,
  initializers: 100_000,
  rank: 8,
  dim: 2 ** 31 - 1,
  /** Elements in one initializer, and in all of them together. */
  elements: 2 ** 28,
};

const SUPPORTED = [
  'LSTM', 'Squeeze', 'Unsqueeze', 'Transpose', 'Reshape', 'Gather', 'Slice', 'Gemm', 'MatMul', 'Add', 'Relu', 'Tanh', 'Sigmoid',
  'Softmax', 'LayerNormalization', 'Identity', 'Dropout', 'Cast', 'Constant', 'Shape', 'Concat', 'ConstantOfShape', 'Expand',
];

// ---------------------------------------------------------------------------------------------
// Validated graph

export interface Const {
  dims: number[];
  /** Numeric values (integers exact up to 2^53). */
  data: Float32Array | Float64Array;
  integer: boolean;
}

export interface Graph {
  model: ModelProto;
  opset: number;
  nodes: NodeProto[]; // topological order
  consts: Map<string, Const>;
  /** Graph inputs that are not initializers, with their declared dims (null = symbolic or missing). */
  inputs: Map<string, (number | null)[] | null>;
  output: string;
}

const DTYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL',
  10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};
const dtypeName = (t: number): string => DTYPE_NAMES[t] ?? `data_type ${t}`;

/** Decode and validate: everything the importer later relies on is checked here. */
export function parseOnnxGraph(bytes: Uint8Array, W = W0): Graph {
  if (!(bytes instanceof Uint8Array)) throw new FormatError(`${W} bytes must be a Uint8Array; received ${typeof bytes}.`);
  if (bytes.length === 0) throw new FormatError(`${W} the file is empty; expected an ONNX ModelProto.`);
  let model: ModelProto;
  try {
    model = decodeModelProto(bytes);
  } catch (e) {
    throw new FormatError(`${W} not a valid ONNX protobuf (${(e as Error).message}). Hint: the file may be truncated or not an .onnx model.`);
  }
  const g: GraphProto | undefined = model.graph ?? undefined;
  if (!g) throw new FormatError(`${W} the ModelProto has no graph; expected field 7 (graph). Hint: is this an .onnx file?`);
  let opset = -1;
  for (const o of model.opset_import ?? []) if ((o.domain ?? '') === '' || o.domain === 'ai.onnx') opset = Math.max(opset, int64(o.version));
  if (opset < 1) throw new FormatError(`${W} the model imports no version of the default ONNX opset; expected an opset_import entry with domain ''.`);
  const nodes = g.node ?? [];
  const inits = g.initializer ?? [];
  if (nodes.length > LIMITS.nodes) throw new FormatError(`${W} the graph has ${nodes.length} nodes; at most ${LIMITS.nodes} are accepted.`);
  if (inits.length > LIMITS.initializers) throw new FormatError(`${W} the graph has ${inits.length} initializers; at most ${LIMITS.initializers} are accepted.`);

  const consts = new Map<string, Const>();
  let total = 0;
  for (const t of inits) {
    const name = t.name ?? '';
    if (name === '') throw new FormatError(`${W} an initializer has no name; every initializer must be named.`);
    if (consts.has(name)) throw new FormatError(`${W} initializer '${name}' is defined twice.`);
    const c = readTensor(t, `initializer '${name}'`, W);
    total += c.data.length;
    if (total > LIMITS.elements) throw new FormatError(`${W} the initializers hold more than ${LIMITS.elements} elements in all; refusing to load.`);
    consts.set(name, c);
  }

  const inputs = new Map<string, (number | null)[] | null>();
  for (const vi of g.input ?? []) {
    const name = vi.name ?? '';
    if (name === '') throw new FormatError(`${W} a graph input has no name.`);
    if (consts.has(name)) continue; // older exporters list initializers as inputs too
    const dim = vi.type?.tensor_type?.shape?.dim;
    inputs.set(name, dim ? dim.map((d) => (d.dim_value !== undefined && d.dim_value !== null && int64(d.dim_value) > 0 ? int64(d.dim_value) : null)) : null);
  }

  // producers, then a topological order (Kahn); a value defined twice or a cycle is a FormatError
  const producer = new Map<string, number>();
  nodes.forEach((n, k) => {
    const what = nodeName(n, k);
    if (!n.op_type) throw new FormatError(`${W} ${what} has no op_type.`);
    for (const o of n.output ?? []) {
      if (o === '') continue;
      if (producer.has(o) || consts.has(o) || inputs.has(o)) throw new FormatError(`${W} value '${o}' is defined twice (again by ${what}); ONNX values have a single definition.`);
      producer.set(o, k);
    }
  });
  const indeg = new Array<number>(nodes.length).fill(0);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, k) => {
    for (const i of n.input ?? []) {
      if (i === '' || consts.has(i) || inputs.has(i)) continue;
      const p = producer.get(i);
      if (p === undefined) {
        throw new FormatError(`${W} ${nodeName(n, k)} reads '${i}', which no node, initializer or graph input defines. Hint: the graph is incomplete.`);
      }
      if (p === k) throw new FormatError(`${W} ${nodeName(n, k)} consumes its own output '${i}'; the graph has a cycle.`);
      indeg[k]++;
      users[p].push(k);
    }
  });
  const order: NodeProto[] = [];
  const queue: number[] = [];
  indeg.forEach((d, k) => d === 0 && queue.push(k));
  for (let head = 0; head < queue.length; head++) {
    const k = queue[head];
    order.push(nodes[k]);
    for (const u of users[k]) if (--indeg[u] === 0) queue.push(u);
  }
  if (order.length !== nodes.length) {
    const stuck = indeg.findIndex((d) => d > 0);
    throw new FormatError(`${W} the graph has a cycle through ${nodeName(nodes[stuck], stuck)}; ONNX graphs must be acyclic.`);
  }
  const outs = g.output ?? [];
  if (outs.length === 0 || !outs[0].name) throw new FormatError(`${W} the graph declares no output; expected at least one.`);
  const output = outs[0].name;
  if (!producer.has(output) && !consts.has(output) && !inputs.has(output)) {
    throw new FormatError(`${W} graph output '${output}' is not produced by any node.`);
  }
  return { model, opset, nodes: order, consts, inputs, output };
}

/** A TensorProto's values with every check of the validator (for Constant nodes read later). */
export function readTensorChecked(t: TensorProto, what: string, W = W0): Const {
  return readTensor(t, what, W);
}

function nodeName(n: NodeProto, k: number): string {
  return `node ${n.name ? `'${n.name}'` : `#${k}`} (${n.op_type || '?'})`;
}

/** A TensorProto's values, with dims × dtype size checked against the stored bytes or list. */
function readTensor(t: TensorProto, what: string, W = W0): Const {
  const dimsRaw = t.dims ?? [];
  if (dimsRaw.length > LIMITS.rank) throw new FormatError(`${W} ${what} has rank ${dimsRaw.length}; at most ${LIMITS.rank} is accepted.`);
  const dims = dimsRaw.map((d) => int64(d));
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > LIMITS.dim) throw new FormatError(`${W} ${what} has dims (${dims.join(', ')}); each must be an integer in [0, ${LIMITS.dim}].`);
    n *= d;
  }
  if (n > LIMITS.elements) throw new FormatError(`${W} ${what} declares ${n} elements (dims (${dims.join(', ')})); at most ${LIMITS.elements} are accepted.`);
  if (t.data_location === 1 || (t.external_data?.length ?? 0) > 0) {
    throw new UnsupportedError(`${W} ${what} keeps its data in an external file; re-save the model with all tensors inside the .onnx file.`);
  }
  const type = t.data_type ?? 0;
  const size: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.FLOAT16]: 2, [DataType.INT32]: 4, [DataType.INT64]: 8 };
  const bytesPer = size[type];
  if (bytesPer === undefined) {
    throw new UnsupportedError(`${W} ${what} has element type ${dtypeName(type)}; supported: FLOAT, DOUBLE, FLOAT16, INT32, INT64.`);
  }
  const integer = type === DataType.INT32 || type === DataType.INT64;
  const out = integer || type === DataType.DOUBLE ? new Float64Array(n) : new Float32Array(n);
  const raw = t.raw_data;
  if (raw !== undefined && raw !== null && raw.length > 0) {
    if (raw.length !== n * bytesPer) {
      throw new FormatError(`${W} ${what}: dims (${dims.join(', ')}) × ${bytesPer} bytes (${dtypeName(type)}) = ${n * bytesPer} bytes, but raw_data holds ${raw.length}.`);
    }
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let k = 0; k < n; k++) {
      out[k] =
        type === DataType.FLOAT ? v.getFloat32(4 * k, true)
        : type === DataType.DOUBLE ? v.getFloat64(8 * k, true)
        : type === DataType.FLOAT16 ? f16ToNumber(v.getUint16(2 * k, true))
        : type === DataType.INT32 ? v.getInt32(4 * k, true)
        : Number(v.getBigInt64(8 * k, true));
    }
  } else {
    // typed lists: FLOAT in float_data, DOUBLE in double_data, INT64 in int64_data, INT32 and FLOAT16 (bits) in int32_data
    const list: ArrayLike<unknown> =
      type === DataType.FLOAT ? (t.float_data ?? [])
      : type === DataType.DOUBLE ? (t.double_data ?? [])
      : type === DataType.INT64 ? (t.int64_data ?? [])
      : (t.int32_data ?? []);
    if (list.length !== n) {
      throw new FormatError(`${W} ${what}: dims (${dims.join(', ')}) hold ${n} elements, but the ${dtypeName(type)} data list has ${list.length} (and raw_data is empty).`);
    }
    for (let k = 0; k < n; k++) {
      const x = list[k] as number | { toNumber(): number };
      const num = typeof x === 'number' ? x : x.toNumber();
      out[k] = type === DataType.FLOAT16 ? f16ToNumber(num & 0xffff) : num;
    }
  }
  if (!integer) {
    for (let k = 0; k < n; k++) {
      if (!Number.isFinite(out[k])) throw new FormatError(`${W} ${what} holds ${out[k]} at flat index ${k}; weights must be finite.`);
    }
  }
  return { dims, data: out, integer };
}

// ---------------------------------------------------------------------------------------------
// Abstract values

/** Axis labels. X0/X1 are the graph input's first two axes until the first LSTM says which is time. */
type Axis = 'T' | 'B' | 'D' | 'H' | 'F' | 'T1' | 'X0' | 'X1';

interface LstmDesc {
  kind: 'lstm';
  lstm: LSTM; // one ONNX node = one layer; batchFirst = the graph input's arrangement
  lens: boolean;
  node: string;
}
type LayerDesc =
  | LstmDesc
  | { kind: 'dense'; I: number; O: number; w: Float32Array; b: Float32Array | null; act: DenseActivation; node: string }
  | { kind: 'act'; fn: ActivationFn; node: string }
  | { kind: 'ln'; C: number; eps: number; scale: Float32Array; bias: Float32Array; node: string };

/** A chain entry: the layer, and for an LSTM whether it returns every step or only the last. */
interface Entry {
  desc: LayerDesc;
  returnSequences: boolean;
}

type Val =
  | { k: 'const'; c: Const }
  /** A per-step or per-sequence activation: axes labelled; `size` of D, H, F when known. */
  | { k: 'data'; axes: Axis[]; D: number; H: number; F: number | null; chain: Entry[] }
  /** An LSTM's Y_h or Y_c: (D, B, H) or (B, D, H) for layout 1. */
  | { k: 'state'; which: 'h' | 'c'; axes: Axis[]; D: number; H: number; chain: Entry[]; lstm: LstmDesc }
  | { k: 'zeros' }
  /** A shape computation; `entries` follow its values when known: a number, or the size of an axis (the batch, …). */
  | { k: 'meta'; entries?: MetaEntry[] | null }
  | { k: 'extern'; name: string }
  /** Concat of stacked LSTM nodes' final states along the state axis: h_n of a multi-layer nn.LSTM, (L·Dn, B, H). */
  | { k: 'stack'; which: 'h' | 'c'; D: number; layers: Extract<Val, { k: 'state' }>[] }
  /** One direction (0 forward, 1 backward) of a bidirectional final state, (B, H): h_n[-2] or h_n[-1]. */
  | { k: 'dir'; d: number; state: Extract<Val, { k: 'state' }> };

type StateVal = Extract<Val, { k: 'state' }>;
type MetaEntry = number | { axis: Axis };

interface Ctx {
  graph: Graph;
  binding: Map<Axis, Axis>;
  dataInput: string | null;
  inputAxes: Axis[];
}

const res = (ctx: Ctx, a: Axis): Axis => ctx.binding.get(a) ?? a;

function unsupported(n: NodeProto, why: string): UnsupportedError {
  return new UnsupportedError(`${W} operator '${n.op_type}' (node '${n.name || '?'}'): ${why}`);
}

// ---------------------------------------------------------------------------------------------
// Attributes

// one definition in onnx-ops.ts (empty bytes read as '', non-finite floats refused)
const at = (n: NodeProto): string => nodeLabel(W, n);
const attrInt = (n: NodeProto, name: string, dflt: number): number => opsAttrInt(at(n), n, name, dflt);
const attrFloat = (n: NodeProto, name: string, dflt: number | null): number | null => (attr(n, name) === undefined ? dflt : opsAttrFloat(at(n), n, name, 0));
const attrString = (n: NodeProto, name: string, dflt: string): string => opsAttrString(at(n), n, name, dflt);
const attrInts = (n: NodeProto, name: string): number[] | null => opsAttrInts(at(n), n, name);
const attrStrings = (n: NodeProto, name: string): string[] | null => opsAttrStrings(at(n), n, name);
const attrFloats = (n: NodeProto, name: string): number[] | null => opsAttrFloats(at(n), n, name);

// ---------------------------------------------------------------------------------------------
// The walk

/**
 * Build the longshort Sequential equal to an ONNX model's first graph output. Errors:
 * FormatError (malformed or hostile file), UnsupportedError (an op or pattern with no longshort
 * equivalent, naming op_type and node), ShapeError (weights whose shapes disagree).
 */
export function importOnnx(bytes: Uint8Array): Sequential {
  try {
    return importGraph(parseOnnxGraph(bytes));
  } catch (e) {
    if (e instanceof FormatError || e instanceof UnsupportedError || e instanceof ShapeError) throw e;
    // A layer constructor refusing a hyperparameter read from the file (hidden_size 0, clip ≤ 0, …)
    // or a weight that is not finite is a property of the file: report it as a format problem.
    if (e instanceof ConfigError || e instanceof NonFiniteError) throw new FormatError(`${W} the model's values are not usable: ${e.message}`);
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw new FormatError(`${W} the file nests messages too deeply to be an ONNX model.`);
    throw e;
  }
}

export function importGraph(graph: Graph): Sequential {
  const ctx: Ctx = { graph, binding: new Map(), dataInput: null, inputAxes: ['X0', 'X1', 'F'] };
  const vals = new Map<string, Val>();
  for (const [name, c] of graph.consts) vals.set(name, { k: 'const', c });
  for (const name of graph.inputs.keys()) vals.set(name, { k: 'extern', name });

  // only the nodes the first output depends on
  const producerOf = new Map<string, NodeProto>();
  for (const n of graph.nodes) for (const o of n.output ?? []) producerOf.set(o, n);
  const needed = new Set<NodeProto>();
  const stack = [graph.output];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const p = producerOf.get(v);
    if (p === undefined || needed.has(p)) continue;
    needed.add(p);
    for (const i of p.input ?? []) if (i !== '') stack.push(i);
  }
  for (const n of graph.nodes) {
    if (!needed.has(n)) continue;
    if ((n.domain ?? '') !== '' && n.domain !== 'ai.onnx') {
      throw unsupported(n, `domain '${n.domain}' is not the default ONNX domain; only standard operators are supported.`);
    }
    if (!SUPPORTED.includes(n.op_type!)) {
      throw unsupported(n, `not supported by longshort's importer; supported: ${SUPPORTED.join(', ')}.`);
    }
    const ins = (n.input ?? []).map((i) => (i === '' ? null : vals.get(i)!));
    const outs = evalNode(ctx, n, ins);
    (n.output ?? []).forEach((o, k) => {
      if (o !== '' && outs[k] !== undefined) vals.set(o, outs[k]);
    });
  }
  const out = vals.get(graph.output);
  if (out === undefined || out.k !== 'data') {
    throw new UnsupportedError(
      `${W} graph output '${graph.output}' is ${out === undefined ? 'not computed by a supported op' : describeVal(out)}; expected the output of an LSTM or a layer after it.`,
    );
  }
  const axes = out.axes.map((a) => res(ctx, a));
  const inAxes = ctx.inputAxes.map((a) => res(ctx, a));
  const vec = axes.length === 2 && axes[0] === 'B' && (axes[1] === 'F' || axes[1] === 'H');
  const sameAsInput = axes.length === 3 && axes[0] === inAxes[0] && axes[1] === inAxes[1] && (axes[2] === 'F' || axes[2] === 'H');
  if (!vec && !sameAsInput) {
    throw new UnsupportedError(
      `${W} graph output '${graph.output}' has axes (${axes.join(', ')}); a longshort Sequential returns (${inAxes.slice(0, 2).join(', ')}, F) like its input, or (B, F) per sequence.`,
    );
  }
  if (out.chain.length === 0) throw new UnsupportedError(`${W} graph output '${graph.output}' passes the input through no layer; nothing to import.`);
  return assemble(out.chain);
}

function describeVal(v: Val): string {
  switch (v.k) {
    case 'const': return 'a constant';
    case 'state': return `an LSTM's final ${v.which === 'h' ? 'hidden' : 'cell'} state with axes (${v.axes.join(', ')})`;
    case 'zeros': return 'a tensor of zeros';
    case 'meta': return 'a shape computation';
    case 'extern': return `the graph input '${v.name}'`;
    case 'stack': return `the final ${v.which === 'h' ? 'hidden' : 'cell'} states of ${v.layers.length} stacked LSTM layers`;
    case 'dir': return `direction ${v.d} of an LSTM's final state`;
    default: return `a tensor with axes (${v.axes.join(', ')})`;
  }
}

function constOf(n: NodeProto, v: Val | null, what: string): Const {
  if (v === null || v.k !== 'const') throw unsupported(n, `${what} must be a constant (initializer or Constant node); received ${v === null ? 'nothing' : describeVal(v)}.`);
  return v.c;
}

function intsOf(n: NodeProto, v: Val | null, what: string): number[] {
  const c = constOf(n, v, what);
  if (c.dims.length > 1 || c.data.length > 64) throw unsupported(n, `${what} must be a short 1-D list; received dims (${c.dims.join(', ')}).`);
  return Array.from(c.data, (x) => Math.trunc(x));
}

/** The data value an op works on: the graph input becomes data on first use. */
function dataOf(ctx: Ctx, n: NodeProto, v: Val | null): Extract<Val, { k: 'data' }> {
  if (v !== null && v.k === 'extern') {
    if (ctx.dataInput !== null && ctx.dataInput !== v.name) {
      throw unsupported(n, `reads a second data input '${v.name}' (the first was '${ctx.dataInput}'); a Sequential has one input.`);
    }
    ctx.dataInput = v.name;
    const dims = ctx.graph.inputs.get(v.name);
    if (dims && dims.length !== 3) throw unsupported(n, `graph input '${v.name}' has rank ${dims.length}; expected a rank-3 sequence batch.`);
    return { k: 'data', axes: [...ctx.inputAxes], D: 1, H: 0, F: dims ? dims[2] : null, chain: [] };
  }
  if (v === null || v.k !== 'data') throw unsupported(n, `expected a sequence or feature tensor as input; received ${v === null ? 'nothing' : describeVal(v)}.`);
  return v;
}

function lastDim(v: Extract<Val, { k: 'data' }>): number | null {
  const a = v.axes[v.axes.length - 1];
  return a === 'H' ? v.H : a === 'F' ? v.F : null;
}

function evalNode(ctx: Ctx, n: NodeProto, ins: (Val | null)[]): Val[] {
  const op = n.op_type!;
  const x = ins[0] ?? null;
  // shape arithmetic and zero states: what torch emits to build h0 = zeros(L·Dn, B, H)
  const metaLike = (v: Val | null): boolean => v !== null && (v.k === 'meta' || v.k === 'const' || v.k === 'zeros');
  if (op === 'Shape') {
    // Shape(x) of a tensor whose axes we know: remember them, so Reshape(y, [B, -1]) built from it resolves
    const v = x !== null && (x.k === 'data' || x.k === 'state') ? x : x !== null && x.k === 'extern' ? { axes: ctx.inputAxes } : null;
    const all = v === null ? null : v.axes.map((a) => ({ axis: a }));
    const start = attrInt(n, 'start', 0);
    const end = attrInt(n, 'end', all?.length ?? 0);
    return [{ k: 'meta', entries: all === null || start !== 0 || end !== all.length ? null : all }];
  }
  if (op === 'Constant') return [constantNode(n)];
  if (op === 'ConstantOfShape') {
    const value = attr(n, 'value');
    if (value?.t) {
      const c = readTensor(value.t, `the value of node '${n.name || '?'}'`);
      if (c.data.some((q) => q !== 0)) throw unsupported(n, 'only zero-filled tensors (initial states) are supported.');
    }
    return [{ k: 'zeros' }];
  }
  const reshapeData = op === 'Reshape' && x !== null && (x.k === 'data' || x.k === 'state' || x.k === 'extern');
  if (!reshapeData && ins.some((v) => v?.k === 'meta' || v?.k === 'zeros') && ['Gather', 'Unsqueeze', 'Concat', 'Slice', 'Cast', 'Squeeze', 'Expand', 'Reshape', 'Identity'].includes(op)) {
    if (!ins.every((v) => v === null || metaLike(v))) throw unsupported(n, 'mixes a shape computation with data.');
    // zeros stay zeros when they are what is being reshaped/expanded/sliced (the first input), or everything concatenated
    const isZero = (v: Val | null): boolean => v !== null && (v.k === 'zeros' || (v.k === 'const' && !v.c.integer && v.c.data.every((q) => q === 0)));
    const zeros = op === 'Concat' ? ins.every((v) => v === null || isZero(v)) : isZero(x);
    return [zeros ? { k: 'zeros' } : { k: 'meta', entries: metaEntries(op, ins) }];
  }
  if (x !== null && x.k === 'extern' && (op === 'Cast' || op === 'Identity')) return [x];
  if (x !== null && x.k === 'const' && (op === 'Cast' || op === 'Identity')) return [x];

  switch (op) {
    case 'Identity':
    case 'Dropout':
      if (x !== null && x.k === 'state') return [x];
      return [dataOf(ctx, n, x)];
    case 'Cast': {
      const to = attrInt(n, 'to', DataType.FLOAT);
      if (to !== DataType.FLOAT && to !== DataType.DOUBLE && to !== DataType.FLOAT16) throw unsupported(n, `casting data to ${dtypeName(to)} is not supported.`);
      return [dataOf(ctx, n, x)];
    }
    case 'LSTM':
      return lstmNode(ctx, n, ins);
    case 'Transpose': {
      const v = x !== null && x.k === 'state' ? x : dataOf(ctx, n, x);
      const perm = attrInts(n, 'perm') ?? v.axes.map((_, k) => v.axes.length - 1 - k);
      if (perm.length !== v.axes.length || [...perm].sort((a, b) => a - b).some((p, k) => p !== k)) throw unsupported(n, `perm (${perm.join(', ')}) is not a permutation of ${v.axes.length} axes.`);
      return [{ ...v, axes: perm.map((p) => v.axes[p]) }];
    }
    case 'Squeeze':
    case 'Gather':
    case 'Slice':
      return [selectNode(ctx, n, ins)];
    case 'Unsqueeze':
      throw unsupported(n, 'adding an axis to data has no longshort equivalent.');
    case 'Reshape':
      return [reshapeNode(ctx, n, ins)];
    case 'Concat':
      return [concatNode(ctx, n, ins)];
    case 'Expand':
      throw unsupported(n, `${op} of data tensors has no longshort equivalent.`);
    case 'MatMul': {
      const v = dataOf(ctx, n, x);
      const w = constOf(n, ins[1] ?? null, 'the weight (second input)');
      if (w.dims.length !== 2) throw unsupported(n, `the weight must be a (I, O) matrix; received dims (${w.dims.join(', ')}).`);
      const [I, O] = w.dims;
      checkIn(n, v, I);
      const wt = new Float32Array(O * I);
      for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) wt[o * I + i] = w.data[i * O + o];
      return [pushLayer(v, { kind: 'dense', I, O, w: wt, b: null, act: 'linear', node: n.name ?? '' }, O)];
    }
    case 'Add': {
      const a = ins[0] ?? null;
      const b = ins[1] ?? null;
      const [dv, cv] = a?.k === 'const' ? [b, a] : [a, b];
      const v = dataOf(ctx, n, dv);
      const c = constOf(n, cv, 'one addend');
      const last = v.chain[v.chain.length - 1]?.desc;
      if (last?.kind !== 'dense' || last.b !== null || last.act !== 'linear') {
        throw unsupported(n, 'only the bias right after a MatMul is supported (Add of two tensors, or of a constant elsewhere, has no longshort equivalent).');
      }
      if (c.data.length !== last.O || c.dims.slice(0, -1).some((d) => d !== 1)) {
        throw new ShapeError(`${W} node '${n.name || '?'}' (Add): the bias must have shape (${last.O}) for a MatMul with ${last.O} outputs; received (${c.dims.join(', ')}).`);
      }
      return [replaceLast(v, { ...last, b: Float32Array.from(c.data) })];
    }
    case 'Gemm':
      return [gemmNode(ctx, n, ins)];
    case 'Relu':
    case 'Tanh':
    case 'Sigmoid':
    case 'Softmax': {
      const v = dataOf(ctx, n, x);
      const fn = op.toLowerCase() as ActivationFn;
      if (op === 'Softmax') {
        const rank = v.axes.length;
        const axis = attrInt(n, 'axis', ctx.graph.opset >= 13 ? -1 : 1);
        const lastAxis = axis === -1 || axis === rank - 1;
        // before opset 13 Softmax flattens to 2-D at `axis`: the same as a last-axis softmax only when axis is the last
        if (!lastAxis) throw unsupported(n, `softmax over axis ${axis} of a rank-${rank} tensor; only the last (feature) axis is supported.`);
      }
      const last = v.chain[v.chain.length - 1]?.desc;
      if (last?.kind === 'dense' && last.act === 'linear') return [replaceLast(v, { ...last, act: fn })];
      return [pushLayer(v, { kind: 'act', fn, node: n.name ?? '' }, lastDim(v))];
    }
    case 'LayerNormalization': {
      const v = dataOf(ctx, n, x);
      const axis = attrInt(n, 'axis', -1);
      if (axis !== -1 && axis !== v.axes.length - 1) throw unsupported(n, `normalising from axis ${axis}; only the last axis is supported.`);
      const scale = constOf(n, ins[1] ?? null, 'the scale');
      const C = scale.data.length;
      if (scale.dims.length !== 1) throw new ShapeError(`${W} node '${n.name || '?'}' (LayerNormalization): scale must be 1-D; received (${scale.dims.join(', ')}).`);
      checkIn(n, v, C);
      const bias = ins[2] ? constOf(n, ins[2], 'the bias') : null;
      if (bias !== null && bias.data.length !== C) throw new ShapeError(`${W} node '${n.name || '?'}' (LayerNormalization): bias must have shape (${C}); received (${bias.dims.join(', ')}).`);
      const eps = attrFloat(n, 'epsilon', 1e-5)!;
      return [pushLayer(v, { kind: 'ln', C, eps, scale: Float32Array.from(scale.data), bias: bias ? Float32Array.from(bias.data) : new Float32Array(C), node: n.name ?? '' }, C)];
    }
  }
  throw unsupported(n, `not supported by longshort's importer; supported: ${SUPPORTED.join(', ')}.`);
}

function constantNode(n: NodeProto): Val {
  const a = (n.attribute ?? [])[0];
  if (a === undefined) throw new FormatError(`${W} Constant node '${n.name || '?'}' has no value attribute.`);
  if (a.name === 'value' && a.t) return { k: 'const', c: readTensor(a.t, `the value of Constant node '${n.name || '?'}'`) };
  if (a.name === 'value_float') return { k: 'const', c: { dims: [], data: Float32Array.of(opsAttrFloat(at(n), n, 'value_float', 0)), integer: false } };
  if (a.name === 'value_floats') {
    const v = Float32Array.from(opsAttrFloats(at(n), n, 'value_floats') ?? []);
    return { k: 'const', c: { dims: [v.length], data: v, integer: false } };
  }
  if (a.name === 'value_int') return { k: 'const', c: { dims: [], data: Float64Array.of(int64(a.i)), integer: true } };
  if (a.name === 'value_ints') return { k: 'const', c: { dims: [(a.ints ?? []).length], data: Float64Array.from((a.ints ?? []).map((v) => int64(v))), integer: true } };
  throw unsupported(n, `a Constant given by '${a.name}' is not supported; expected value, value_float(s) or value_int(s).`);
}

function checkIn(n: NodeProto, v: Extract<Val, { k: 'data' }>, I: number): void {
  const a = v.axes[v.axes.length - 1];
  if (a !== 'F' && a !== 'H') throw unsupported(n, `the last axis of its input is ${a}, not features; a layer acts on features.`);
  const F = lastDim(v);
  if (F !== null && F !== I) {
    throw new ShapeError(`${W} node '${n.name || '?'}' (${n.op_type}) expects ${I} input features; the value it reads has ${F}.`);
  }
}

function pushLayer(v: Extract<Val, { k: 'data' }>, desc: LayerDesc, F: number | null): Val {
  const axes = [...v.axes];
  axes[axes.length - 1] = 'F';
  return { ...v, axes, F, chain: [...v.chain, { desc, returnSequences: true }] };
}

function replaceLast(v: Extract<Val, { k: 'data' }>, desc: LayerDesc): Val {
  const chain = v.chain.slice();
  chain[chain.length - 1] = { ...chain[chain.length - 1], desc };
  return { ...v, chain };
}

function lstmNode(ctx: Ctx, n: NodeProto, ins: (Val | null)[]): Val[] {
  const x = dataOf(ctx, n, ins[0] ?? null);
  const layout = attrInt(n, 'layout', 0);
  if (layout !== 0 && layout !== 1) throw new FormatError(`${W} node '${n.name || '?'}' (LSTM): layout must be 0 or 1; received ${layout}.`);
  const want: Axis[] = layout === 0 ? ['T', 'B'] : ['B', 'T'];
  // bind the graph input's axes on the first LSTM; later ones must agree
  for (let k = 0; k < 2; k++) {
    const a = x.axes[k];
    if ((a === 'X0' || a === 'X1') && !ctx.binding.has(a)) {
      ctx.binding.set(a, want[k]);
      ctx.binding.set(a === 'X0' ? 'X1' : 'X0', want[1 - k]);
    }
  }
  const got = x.axes.map((a) => res(ctx, a));
  if (got.length !== 3 || got[0] !== want[0] || got[1] !== want[1] || (got[2] !== 'F' && got[2] !== 'H')) {
    throw unsupported(n, `its input X has axes (${got.join(', ')}) but layout=${layout} reads (${want.join(', ')}, features).`);
  }
  const Wt = constOf(n, ins[1] ?? null, 'W');
  const Rt = constOf(n, ins[2] ?? null, 'R');
  const Bt = ins[3] ? constOf(n, ins[3], 'B') : undefined;
  const lensV = ins[4] ?? null;
  let lens = false;
  if (lensV !== null) {
    if (lensV.k === 'extern') lens = true;
    else if (lensV.k === 'const') throw unsupported(n, 'a constant sequence_lens is not supported; pass lengths at call time instead.');
    else throw unsupported(n, `sequence_lens must be a graph input; received ${describeVal(lensV)}.`);
  }
  for (const [k, what] of [[5, 'initial_h'], [6, 'initial_c']] as const) {
    const s = ins[k] ?? null;
    if (s === null || s.k === 'zeros') continue;
    if (s.k === 'const' && s.c.data.every((q) => q === 0)) continue;
    throw unsupported(n, `${what} is ${describeVal(s)}; a longshort Sequential starts every sequence from a zero state. Hint: export the model without initial states.`);
  }
  const Pt = ins[7] ? constOf(n, ins[7], 'P') : undefined;
  const dirStr = attrString(n, 'direction', 'forward');
  if (dirStr !== 'forward' && dirStr !== 'reverse' && dirStr !== 'bidirectional') {
    throw new FormatError(`${W} node '${n.name || '?'}' (LSTM): direction must be forward, reverse or bidirectional; received '${dirStr}'.`);
  }
  const hidden = attrInt(n, 'hidden_size', -1);
  const Dn = dirStr === 'bidirectional' ? 2 : 1;
  if (!(hidden >= 1) && Wt.dims.length === 3) {
    throw new FormatError(`${W} node '${n.name || '?'}' (LSTM): hidden_size must be a positive integer; received ${hidden}.`);
  }
  const inputForget = attrInt(n, 'input_forget', 0);
  const attrs: OnnxLstmAttributes = {
    hidden_size: hidden,
    direction: dirStr,
    layout: res(ctx, 'X0') === 'B' ? 1 : 0, // our layer reads the graph input's arrangement
    input_forget: inputForget === 1 ? 1 : 0,
    clip: attrFloat(n, 'clip', null),
    activations: attrStrings(n, 'activations'),
    activation_alpha: attrFloats(n, 'activation_alpha'),
    activation_beta: attrFloats(n, 'activation_beta'),
  };
  const lstm = lstmFromOnnx({ W: Wt, R: Rt, B: Bt, P: Pt }, attrs, `importOnnx: node '${n.name || '?'}' (LSTM)`);
  const F = lastDim(x);
  if (F !== null && F !== lstm.inputSize) {
    throw new ShapeError(`${W} node '${n.name || '?'}' (LSTM): W expects ${lstm.inputSize} input features; its input X has ${F}.`);
  }
  const desc: LstmDesc = { kind: 'lstm', lstm, lens, node: n.name ?? '' };
  const H = hidden;
  const yAxes: Axis[] = layout === 0 ? ['T', 'D', 'B', 'H'] : ['B', 'T', 'D', 'H'];
  const sAxes: Axis[] = layout === 0 ? ['D', 'B', 'H'] : ['B', 'D', 'H'];
  return [
    { k: 'data', axes: yAxes, D: Dn, H, F: null, chain: [...x.chain, { desc, returnSequences: true }] },
    { k: 'state', which: 'h', axes: sAxes, D: Dn, H, chain: x.chain, lstm: desc },
    { k: 'state', which: 'c', axes: sAxes, D: Dn, H, chain: x.chain, lstm: desc },
  ];
}

/** A state (Dn, B, H) that has become one row per sequence (B, ·): the LSTM returns its last step. */
function stateToData(n: NodeProto, s: Extract<Val, { k: 'state' }>, axes: Axis[]): Val {
  if (s.which === 'c') throw unsupported(n, "uses the LSTM's final cell state Y_c; a Sequential passes on the hidden state only.");
  if (s.D === 2 && axes.includes('H')) throw unsupported(n, 'picks one direction of a bidirectional final state.');
  return { k: 'data', axes, D: 1, H: s.H, F: axes.includes('F') ? s.D * s.H : null, chain: [...s.chain, { desc: s.lstm, returnSequences: false }] };
}

/**
 * Concat that a chain can express: the final states of stacked LSTM nodes along the state axis
 * (h_n of a multi-layer nn.LSTM), or the two directions of a final state side by side
 * (torch.cat([h_n[-2], h_n[-1]], 1), which is what a bidirectional LSTM's last output is).
 */
function concatNode(ctx: Ctx, n: NodeProto, ins: (Val | null)[]): Val {
  const parts = ins.filter((v): v is Val => v !== null);
  const axis = attrInt(n, 'axis', 0);
  if (parts.length > 0 && parts.every((v) => v.k === 'state')) {
    const states = parts as StateVal[];
    const s0 = states[0];
    const dAxis = s0.axes.indexOf('D');
    const ok = (axis === dAxis || axis === dAxis - s0.axes.length) && states.every((q) => q.which === s0.which && q.D === s0.D && q.axes.join() === s0.axes.join());
    // each layer's LSTM reads the one below's output: its chain ends with that LSTM
    const stacked = states.every((q, k) => k === 0 || q.chain[q.chain.length - 1]?.desc === states[k - 1].lstm);
    if (ok && stacked) return { k: 'stack', which: s0.which, D: s0.D, layers: states };
    throw unsupported(n, 'concatenates LSTM final states that are not the layers of one stack along the state axis.');
  }
  if (parts.length === 2 && parts.every((v) => v.k === 'dir')) {
    const [a, b] = parts as Extract<Val, { k: 'dir' }>[];
    if (a.state === b.state && a.d === 0 && b.d === 1 && (axis === 1 || axis === -1)) return stateToData(n, a.state, ['B', 'F']);
    throw unsupported(n, 'concatenates directions of final states other than [forward, backward] of one layer along the features.');
  }
  throw unsupported(n, 'Concat of data tensors (e.g. concatenating LSTM outputs by hand) has no longshort equivalent.');
}

/** Gather or Slice along the state axis of stacked final states (h_n): only the top layer can follow the chain. */
function selectFromStack(n: NodeProto, x: Extract<Val, { k: 'stack' }>, ins: (Val | null)[], opset: number): Val {
  const L = x.layers.length;
  const D = x.D;
  const top = x.layers[L - 1];
  const rank = top.axes.length;
  const dAxis = top.axes.indexOf('D');
  if (n.op_type === 'Gather') {
    const axis = attrInt(n, 'axis', 0);
    const idx = constOf(n, ins[1] ?? null, 'indices');
    if ((axis !== dAxis && axis !== dAxis - rank) || idx.data.length !== 1 || idx.dims.length !== 0) throw unsupported(n, 'only a scalar index along the state axis of h_n / c_n is supported.');
    const i = idx.data[0] < 0 ? idx.data[0] + L * D : idx.data[0];
    if (!(i >= 0 && i < L * D)) throw new FormatError(`${W} node '${n.name || '?'}' (Gather): index ${idx.data[0]} is out of range for ${L * D} stacked states.`);
    if (Math.floor(i / D) !== L - 1) throw unsupported(n, `picks the final state of layer ${Math.floor(i / D)} of ${L}; a Sequential continues from the top layer only.`);
    const kept = top.axes.filter((_, k) => k !== dAxis);
    if (D === 1) return stateToData(n, top, kept.map((q) => (q === 'H' ? 'F' : q)));
    return { k: 'dir', d: i % D, state: top };
  }
  const { starts, ends, axes, steps } = sliceArgs(n, ins, opset);
  if (starts.length !== 1 || (axes[0] !== dAxis && axes[0] !== dAxis - rank) || steps[0] !== 1) throw unsupported(n, 'only a slice along the state axis of h_n / c_n is supported.');
  const S = L * D;
  const b = Math.min(Math.max(starts[0] < 0 ? starts[0] + S : starts[0], 0), S);
  const e = Math.min(Math.max(ends[0] < 0 ? ends[0] + S : ends[0], 0), S);
  if (b === (L - 1) * D && e === S) return top;
  throw unsupported(n, `slices states [${b}, ${e}) of ${S}; only the top layer's ([${(L - 1) * D}, ${S})) can continue the chain.`);
}

/** Slice's starts, ends, axes and steps: attributes before opset 10, inputs from 10 on. */
function sliceArgs(n: NodeProto, ins: (Val | null)[], opset: number): { starts: number[]; ends: number[]; axes: number[]; steps: number[] } {
  const starts = opset < 10 ? (attrInts(n, 'starts') ?? []) : intsOf(n, ins[1] ?? null, 'starts');
  const ends = opset < 10 ? (attrInts(n, 'ends') ?? []) : intsOf(n, ins[2] ?? null, 'ends');
  const axes = opset < 10 ? (attrInts(n, 'axes') ?? starts.map((_, k) => k)) : ins[3] ? intsOf(n, ins[3], 'axes') : starts.map((_, k) => k);
  const steps = opset >= 10 && ins[4] ? intsOf(n, ins[4], 'steps') : starts.map(() => 1);
  if (starts.length !== ends.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new FormatError(`${W} node '${n.name || '?'}' (Slice): starts, ends, axes and steps must have one entry per sliced axis.`);
  }
  return { starts, ends, axes, steps };
}

function selectNode(ctx: Ctx, n: NodeProto, ins: (Val | null)[]): Val {
  const op = n.op_type!;
  const x = ins[0] ?? null;
  if (x !== null && x.k === 'stack' && (op === 'Gather' || op === 'Slice')) return selectFromStack(n, x, ins, ctx.graph.opset);
  if (x !== null && x.k === 'dir') throw unsupported(n, 'uses one direction of a bidirectional final state on its own; a longshort LSTM gives both directions together.');
  const v = x !== null && x.k === 'state' ? x : dataOf(ctx, n, x);
  const rank = v.axes.length;
  const norm = (a: number): number => {
    const r = a < 0 ? a + rank : a;
    if (!(r >= 0 && r < rank)) throw new FormatError(`${W} node '${n.name || '?'}' (${op}): axis ${a} is out of range for rank ${rank}.`);
    return r;
  };
  if (op === 'Squeeze') {
    const axesIn = ins[1] ? intsOf(n, ins[1], 'axes') : (attrInts(n, 'axes') ?? []);
    if (axesIn.length === 0) throw unsupported(n, 'Squeeze without axes; give the axes explicitly.');
    const drop = new Set(axesIn.map(norm));
    for (const k of drop) {
      const a = res(ctx, v.axes[k]);
      if (!((a === 'D' && v.D === 1) || a === 'T1')) throw unsupported(n, `squeezes axis ${k} (${a}), which is not of size 1.`);
    }
    const kept = v.axes.filter((_, k) => !drop.has(k));
    const removedT1 = [...drop].some((k) => v.axes[k] === 'T1');
    if (v.k === 'state') return stateToData(n, v, kept.map((a) => (a === 'H' ? 'F' : a)));
    const out = { ...v, axes: kept.map((a) => (a === 'H' && !kept.includes('D') ? ('F' as Axis) : a)), F: kept.includes('D') ? v.F : v.F ?? (v.H || null) };
    return removedT1 ? lastStep(n, out) : out;
  }
  if (op === 'Gather') {
    const axis = norm(attrInt(n, 'axis', 0));
    const idx = constOf(n, ins[1] ?? null, 'indices');
    if (idx.dims.length !== 0 || idx.data.length !== 1) throw unsupported(n, `gathers indices of dims (${idx.dims.join(', ')}); only a scalar index (one step or direction) is supported.`);
    const i = idx.data[0];
    const a = res(ctx, v.axes[axis]);
    const kept = v.axes.filter((_, k) => k !== axis);
    if (a === 'D') {
      if (v.D !== 1 && v.k !== 'state') throw unsupported(n, 'picks one direction of a bidirectional output.');
      if (v.D !== 1) {
        const d = i < 0 ? i + v.D : i;
        if (!(d >= 0 && d < v.D)) throw new FormatError(`${W} node '${n.name || '?'}' (Gather): index ${i} is out of range for ${v.D} directions.`);
        return { k: 'dir', d, state: v as StateVal }; // usable only concatenated with the other direction
      }
      if (i !== 0 && i !== -1) throw new FormatError(`${W} node '${n.name || '?'}' (Gather): index ${i} is out of range for 1 direction.`);
      if (v.k === 'state') return stateToData(n, v, kept.map((q) => (q === 'H' ? 'F' : q)));
      return { ...v, axes: kept.map((q) => (q === 'H' && !kept.includes('D') ? 'F' : q)), F: v.H };
    }
    if (a === 'T' && v.k === 'data') {
      if (i !== -1) throw unsupported(n, `gathers time step ${i}; only the last step (index -1) is supported.`);
      return lastStep(n, { ...v, axes: kept });
    }
    throw unsupported(n, `gathers along axis ${axis} (${a}); only the last time step or the single direction can be picked.`);
  }
  // Slice: x[-1:] along time
  const { starts, ends, axes, steps } = sliceArgs(n, ins, ctx.graph.opset);
  if (starts.length !== 1) throw unsupported(n, 'only a slice along one axis is supported.');
  const axis = norm(axes[0]);
  const a = res(ctx, v.axes[axis]);
  if (v.k === 'state' && a === 'D') {
    // every direction of one layer's final state (h_n[-2:] of a one-layer bidirectional LSTM): unchanged
    const b = Math.min(Math.max(starts[0] < 0 ? starts[0] + v.D : starts[0], 0), v.D);
    const e = Math.min(Math.max(ends[0] < 0 ? ends[0] + v.D : ends[0], 0), v.D);
    if (b === 0 && e === v.D && steps[0] === 1) return v;
    throw unsupported(n, `slices directions [${b}, ${e}) of ${v.D}; a longshort LSTM gives all directions together.`);
  }
  if (v.k !== 'data' || a !== 'T' || starts[0] !== -1 || ends[0] < 2 ** 31 - 1 || steps[0] !== 1) {
    throw unsupported(n, `slices axis ${axis} (${a}) from ${starts[0]} to ${ends[0]}; only the last time step (starts -1, ends ≥ 2^31−1) is supported.`);
  }
  const out = v.axes.slice();
  out[axis] = 'T1';
  return { ...v, axes: out };
}

/** Keep only the last time step: legal when it equals the last LSTM's final state (one forward direction, no lengths, nothing in between). */
function lastStep(n: NodeProto, v: Extract<Val, { k: 'data' }>): Val {
  const last = v.chain[v.chain.length - 1];
  if (last === undefined || last.desc.kind !== 'lstm') {
    throw unsupported(n, 'takes the last time step of something other than an LSTM output; longshort can only end a sequence at an LSTM (returnSequences: false).');
  }
  const l = last.desc.lstm;
  if (l.bidirectional || l.reverse) {
    throw unsupported(n, "takes the last time step of a reverse or bidirectional LSTM, which is not its final state (the backward direction ends at t = 0). Hint: use the LSTM's Y_h output instead.");
  }
  if (last.desc.lens) {
    throw unsupported(n, 'takes step T−1 of an LSTM run with sequence_lens; for padded rows that is not the last valid step. Hint: use Y_h.');
  }
  const chain = v.chain.slice();
  chain[chain.length - 1] = { desc: last.desc, returnSequences: false };
  return { ...v, chain, axes: v.axes.map((a) => (a === 'H' ? 'F' : a)), F: v.F ?? v.H };
}

/** The values of a shape computation, followed through Gather, Unsqueeze, Squeeze, Cast, Identity and Concat. */
function metaEntries(op: string, ins: (Val | null)[]): MetaEntry[] | null {
  const entriesOf = (v: Val | null): MetaEntry[] | null =>
    v === null ? null : v.k === 'meta' ? (v.entries ?? null) : v.k === 'const' && v.c.integer && v.c.data.length <= 64 ? Array.from(v.c.data) : null;
  const x = entriesOf(ins[0] ?? null);
  if (op === 'Unsqueeze' || op === 'Squeeze' || op === 'Cast' || op === 'Identity') return x;
  if (op === 'Gather' && x !== null) {
    const idx = entriesOf(ins[1] ?? null);
    if (idx === null || idx.some((q) => typeof q !== 'number')) return null;
    const picked = (idx as number[]).map((i) => x[i < 0 ? i + x.length : i]);
    return picked.some((q) => q === undefined) ? null : picked;
  }
  if (op === 'Concat') {
    const parts = ins.filter((v) => v !== null).map(entriesOf);
    return parts.some((q) => q === null) ? null : (parts as MetaEntry[][]).flat();
  }
  return null;
}

function reshapeNode(ctx: Ctx, n: NodeProto, ins: (Val | null)[]): Val {
  const x = ins[0] ?? null;
  const v = x !== null && x.k === 'state' ? x : dataOf(ctx, n, x);
  const rank = v.axes.length;
  const axes = v.axes.map((a) => res(ctx, a));
  let shape: number[];
  const m = ins[1] ?? null;
  if (m !== null && m.k === 'meta') {
    // a run-time shape such as [x.shape[0], -1]: an axis's own size at its own position is a 0 (keep)
    const resolved = (m.entries ?? null)?.map((e, k) => (typeof e === 'number' ? e : res(ctx, e.axis) === axes[k] ? 0 : null));
    if (resolved === undefined || resolved.some((q) => q === null)) {
      throw unsupported(n, 'the target shape is computed at run time from sizes that do not stay on their axes; only shapes such as [0, 0, -1] or [x.shape[0], -1] are supported.');
    }
    shape = resolved as number[];
  } else {
    shape = intsOf(n, m, 'shape');
  }
  // merge the trailing (D, H) into F = D·H
  if (rank >= 2 && axes[rank - 2] === 'D' && axes[rank - 1] === 'H' && shape.length === rank - 1) {
    const lead = shape.slice(0, -1);
    const tail = shape[shape.length - 1];
    const negs = shape.filter((s) => s === -1).length;
    const leadOk = lead.every((s, k) => s === 0 || (s === -1 && tail !== -1) || (axes[k] === 'D' && s === v.D));
    if (leadOk && negs <= 1 && (tail === -1 || tail === v.D * v.H)) {
      const out = v.axes.slice(0, -2).concat(['F' as Axis]);
      if (v.k === 'state') return stateToData(n, v, out);
      return { ...v, axes: out, F: v.D * v.H };
    }
  }
  // a reshape that keeps every axis (all 0, or -1 once)
  if (shape.length === rank && shape.every((s) => s === 0 || s === -1) && shape.filter((s) => s === -1).length <= 1) return v;
  throw unsupported(n, `reshapes axes (${axes.join(', ')}) to [${shape.join(', ')}]; only merging the direction and hidden axes ([0, 0, -1]) is supported.`);
}

function gemmNode(ctx: Ctx, n: NodeProto, ins: (Val | null)[]): Val {
  const v = dataOf(ctx, n, ins[0] ?? null);
  if (attrInt(n, 'transA', 0) !== 0) throw unsupported(n, 'transA=1 is not supported.');
  const transB = attrInt(n, 'transB', 0);
  const alpha = attrFloat(n, 'alpha', 1)!;
  const beta = attrFloat(n, 'beta', 1)!;
  const w = constOf(n, ins[1] ?? null, 'B (the weight)');
  if (w.dims.length !== 2) throw new ShapeError(`${W} node '${n.name || '?'}' (Gemm): B must be a matrix; received (${w.dims.join(', ')}).`);
  const [I, O] = transB ? [w.dims[1], w.dims[0]] : [w.dims[0], w.dims[1]];
  if (v.axes.length !== 2) throw unsupported(n, `Gemm needs a (B, F) input; received axes (${v.axes.join(', ')}).`);
  checkIn(n, v, I);
  const wt = new Float32Array(O * I);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) wt[o * I + i] = alpha * w.data[transB ? o * I + i : i * O + o];
  let b: Float32Array | null = null;
  if (ins[2]) {
    const c = constOf(n, ins[2], 'C (the bias)');
    if (c.data.length === O && c.dims.slice(0, -1).every((d) => d === 1)) b = Float32Array.from(c.data, (q) => beta * q);
    else if (c.data.length === 1) b = new Float32Array(O).fill(beta * c.data[0]);
    else throw new ShapeError(`${W} node '${n.name || '?'}' (Gemm): C must have shape (${O}) or (1, ${O}); received (${c.dims.join(', ')}).`);
  }
  // alpha and beta are finite (attrFloat), but alpha·B or beta·C may still overflow float32
  for (const [arr, what] of [[wt, 'alpha·B'], [b, 'beta·C']] as const) {
    const k = arr === null ? -1 : arr.findIndex((q) => !Number.isFinite(q));
    if (k >= 0) throw new FormatError(`${W} node '${n.name || '?'}' (Gemm): ${what} is not finite at flat index ${k} (alpha=${alpha}, beta=${beta}); weights must be finite.`);
  }
  return pushLayer(v, { kind: 'dense', I, O, w: wt, b, act: 'linear', node: n.name ?? '' }, O);
}

// ---------------------------------------------------------------------------------------------
// Assembly

function assemble(chain: Entry[]): Sequential {
  const lstms = chain.filter((e) => e.desc.kind === 'lstm').map((e) => e.desc as LstmDesc);
  if (lstms.some((d) => d.lens) && !lstms.every((d) => d.lens)) {
    throw new UnsupportedError(
      `${W} some LSTM nodes read sequence_lens and others do not (${lstms.map((d) => `'${d.node}': ${d.lens ? 'yes' : 'no'}`).join(', ')}); a Sequential passes one set of lengths to every LSTM.`,
    );
  }
  const layers: Layer[] = [];
  for (let k = 0; k < chain.length; k++) {
    const e = chain[k];
    const d = e.desc;
    if (d.kind === 'lstm') {
      // gather consecutive LSTM nodes that stack: same cell, each but the last returning sequences
      const group = [e];
      while (k + 1 < chain.length && group[group.length - 1].returnSequences) {
        const nx = chain[k + 1];
        if (nx.desc.kind !== 'lstm' || !stacks(d.lstm, nx.desc.lstm)) break;
        group.push(nx);
        k++;
      }
      layers.push(stackLstms(group));
    } else if (d.kind === 'dense') {
      const dense = new Dense({ inputSize: d.I, outputSize: d.O, activation: d.act, bias: d.b !== null });
      dense.weight.value.set(d.w);
      if (d.b !== null) dense.bias!.value.set(d.b);
      layers.push(dense);
    } else if (d.kind === 'act') {
      layers.push(new Activation({ fn: d.fn }));
    } else {
      const ln = new LayerNorm({ normalizedShape: d.C, eps: d.eps });
      ln.weight!.value.set(d.scale);
      ln.bias!.value.set(d.bias);
      layers.push(ln);
    }
  }
  return new Sequential(layers);
}

function stacks(a: LSTM, b: LSTM): boolean {
  return (
    a.hiddenSize === b.hiddenSize && a.bias === b.bias && a.bidirectional === b.bidirectional && a.reverse === b.reverse && a.batchFirst === b.batchFirst &&
    b.inputSize === a.numDirections * a.hiddenSize && JSON.stringify(a.spec) === JSON.stringify(b.spec)
  );
}

function stackLstms(group: Entry[]): LSTM {
  const first = (group[0].desc as LstmDesc).lstm;
  const cfg = first.config() as Record<string, unknown>;
  const lstm = new LSTM({
    ...(cfg as unknown as ConstructorParameters<typeof LSTM>[0]),
    numLayers: group.length,
    returnSequences: group[group.length - 1].returnSequences,
    forgetBias: null,
  });
  const dict: Record<string, { shape: readonly number[]; data: ArrayLike<number> }> = {};
  group.forEach((e, l) => {
    for (const [name, t] of Object.entries((e.desc as LstmDesc).lstm.stateDict())) dict[name.replace('_l0', `_l${l}`)] = t;
  });
  lstm.loadStateDict(dict);
  return lstm;
}
