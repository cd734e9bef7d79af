// The values of an ONNX graph and its glue operators: shape arithmetic (Shape, Gather, Concat,
// Unsqueeze, Slice, …), layout moves (Transpose, Reshape, Squeeze, Flatten, Expand), elementwise
// math with NumPy broadcasting, reductions and (log-)softmax. The same functions fold constants
// when a graph is loaded and run the rest at call time (src/interop/onnx-run.ts); the LSTM, Gemm,
// MatMul and LayerNormalization nodes with constant weights run in longshort's layers instead.
//
// A value is { dims, data, kind }: 'float' values are Float32Array (ONNX FLOAT, DOUBLE and FLOAT16
// all become float32, like longshort's tensors); 'int' and 'bool' values are Float64Array, exact
// for integers up to 2^53. Every output size is checked against MAX_ELEMENTS before it is
// allocated, so a hostile shape computation cannot ask for gigabytes.
//
// dim key: r rank, N elements; broadcasting follows NumPy (dims aligned from the right, 1 stretches).

import { FormatError, ShapeError, UnsupportedError } from '../errors.js';
import { AttributeType, DataType, int64, type AttributeProto, type NodeProto } from './onnx-schema.js';

/** Element kind of an ONNX value: 'float' (float, double, float16, bfloat16), 'int' (the integer types) or 'bool'. */
export type Kind = 'float' | 'int' | 'bool';

export interface Value {
  dims: number[];
  data: Float32Array | Float64Array;
  kind: Kind;
}

/** Largest tensor a node may produce (also the importer's cap on initializers). */
export const MAX_ELEMENTS = 2 ** 28;

/** What an operator needs to know besides its inputs. */
export interface OpCtx {
  node: NodeProto;
  opset: number;
  /** e.g. "[loadOnnx] node 'Gather_3' (Gather)" */
  where: string;
}

export function nodeLabel(W: string, n: NodeProto): string {
  return `${W} node '${n.name || '?'}' (${n.op_type})`;
}

// ---------------------------------------------------------------------------------------------
// Attributes (a missing attribute gives the default; a wrongly typed one is a FormatError).
// `where` is the node's label for messages, e.g. nodeLabel('[loadOnnx]', n).

export function attr(n: NodeProto, name: string): AttributeProto | undefined {
  return (n.attribute ?? []).find((a) => a.name === name);
}

function wrongType(where: string, name: string, want: string): FormatError {
  return new FormatError(`${where}: attribute ${name} must be ${want}.`);
}

export function attrInt(where: string, n: NodeProto, name: string, dflt: number): number {
  const a = attr(n, name);
  if (a === undefined) return dflt;
  if (a.type !== undefined && a.type !== AttributeType.INT) throw wrongType(where, name, 'an INT');
  return int64(a.i);
}

export function attrFloat(where: string, n: NodeProto, name: string, dflt: number): number {
  const a = attr(n, name);
  if (a === undefined) return dflt;
  if (a.type !== undefined && a.type !== AttributeType.FLOAT) throw wrongType(where, name, 'a FLOAT');
  const v = a.f ?? 0;
  if (!Number.isFinite(v)) throw new FormatError(`${where}: attribute ${name} must be finite; received ${v}.`);
  return v;
}

/** An absent or empty `bytes` field (or anything that is not bytes) reads as ''. */
function decodeBytes(b: unknown): string {
  return b instanceof Uint8Array && b.length > 0 ? new TextDecoder().decode(b) : '';
}

export function attrString(where: string, n: NodeProto, name: string, dflt: string): string {
  const a = attr(n, name);
  if (a === undefined) return dflt;
  if (a.type !== undefined && a.type !== AttributeType.STRING) throw wrongType(where, name, 'a STRING');
  return decodeBytes(a.s);
}

export function attrInts(where: string, n: NodeProto, name: string): number[] | null {
  const a = attr(n, name);
  if (a === undefined) return null;
  if (a.type !== undefined && a.type !== AttributeType.INTS) throw wrongType(where, name, 'INTS');
  return (a.ints ?? []).map((v) => int64(v));
}

export function attrStrings(where: string, n: NodeProto, name: string): string[] | null {
  const a = attr(n, name);
  if (a === undefined) return null;
  if (a.type !== undefined && a.type !== AttributeType.STRINGS) throw wrongType(where, name, 'STRINGS');
  return (a.strings ?? []).map(decodeBytes);
}

export function attrFloats(where: string, n: NodeProto, name: string): number[] | null {
  const a = attr(n, name);
  if (a === undefined) return null;
  if (a.type !== undefined && a.type !== AttributeType.FLOATS) throw wrongType(where, name, 'FLOATS');
  const v = [...(a.floats ?? [])];
  if (v.some((x) => !Number.isFinite(x))) throw new FormatError(`${where}: attribute ${name} must hold finite numbers; received [${v.join(', ')}].`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Making values

export function sizeOfDims(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function alloc(ctx: OpCtx, dims: number[], kind: Kind): Value {
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${ctx.where}: computed an invalid shape (${dims.join(', ')}); every dimension must be a non-negative integer.`);
  }
  const n = sizeOfDims(dims);
  if (n > MAX_ELEMENTS) throw new ShapeError(`${ctx.where}: the result would have ${n} elements (shape (${dims.join(', ')})); at most ${MAX_ELEMENTS} are allowed.`);
  return { dims, data: kind === 'float' ? new Float32Array(n) : new Float64Array(n), kind };
}

export function scalarInts(values: readonly number[]): Value {
  return { dims: [values.length], data: Float64Array.from(values), kind: 'int' };
}

/** The ONNX element type an integer `to`/dtype code stands for, as a value kind. */
export function kindOfDataType(t: number): Kind | null {
  if (t === DataType.FLOAT || t === DataType.DOUBLE || t === DataType.FLOAT16 || t === DataType.BFLOAT16) return 'float';
  if (t === DataType.BOOL) return 'bool';
  if ([DataType.INT8, DataType.INT16, DataType.INT32, DataType.INT64, DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64].includes(t as 2)) return 'int';
  return null;
}

function need(ctx: OpCtx, ins: (Value | null)[], k: number, what: string): Value {
  const v = ins[k] ?? null;
  if (v === null) throw new FormatError(`${ctx.where}: input ${k} (${what}) is missing.`);
  return v;
}

function ints(ctx: OpCtx, v: Value, what: string): number[] {
  if (v.kind === 'float') throw new FormatError(`${ctx.where}: ${what} must be integers; received a float tensor.`);
  if (v.dims.length > 1) throw new FormatError(`${ctx.where}: ${what} must be a 1-D list; received shape (${v.dims.join(', ')}).`);
  return Array.from(v.data);
}

function axisOf(ctx: OpCtx, a: number, rank: number, what = 'axis'): number {
  const r = a < 0 ? a + rank : a;
  if (!Number.isInteger(r) || r < 0 || r >= rank) throw new ShapeError(`${ctx.where}: ${what} ${a} is out of range for a rank-${rank} input (valid: ${-rank}…${rank - 1}).`);
  return r;
}

function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    s[k] = acc;
    acc *= dims[k];
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Broadcasting

export function broadcastDims(ctx: OpCtx, list: readonly (readonly number[])[]): number[] {
  const r = Math.max(...list.map((d) => d.length));
  const out = new Array<number>(r).fill(1);
  for (const dims of list) {
    for (let k = 0; k < dims.length; k++) {
      const o = r - dims.length + k;
      const d = dims[k];
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else throw new ShapeError(`${ctx.where}: shapes ${list.map((x) => `(${x.join(', ')})`).join(' and ')} do not broadcast (axis ${o}: ${out[o]} vs ${d}).`);
    }
  }
  return out;
}

/** Strides of `dims` read as `out` (0 along broadcast axes). */
function broadcastStrides(dims: readonly number[], out: readonly number[]): number[] {
  const s = new Array<number>(out.length).fill(0);
  let acc = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    const o = out.length - dims.length + k;
    s[o] = dims[k] === 1 ? 0 : acc;
    acc *= dims[k];
  }
  return s;
}

/** out[i] = f(a[i'], b[i'], …) over the broadcast shape. */
function elementwise(ctx: OpCtx, ins: Value[], kind: Kind, f: (x: number[]) => number, atLeast: readonly number[] = []): Value {
  const dims = broadcastDims(ctx, [...ins.map((v) => v.dims), atLeast]);
  const out = alloc(ctx, dims, kind);
  const N = out.data.length;
  const r = dims.length;
  const st = ins.map((v) => broadcastStrides(v.dims, dims));
  const idx = new Array<number>(r).fill(0);
  const off = new Array<number>(ins.length).fill(0);
  const args = new Array<number>(ins.length);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < ins.length; k++) args[k] = ins[k].data[off[k]];
    out.data[n] = f(args);
    // advance the multi-index (last axis fastest) and every input's offset
    for (let a = r - 1; a >= 0; a--) {
      idx[a]++;
      for (let k = 0; k < ins.length; k++) off[k] += st[k][a];
      if (idx[a] < dims[a]) break;
      for (let k = 0; k < ins.length; k++) off[k] -= st[k][a] * dims[a];
      idx[a] = 0;
    }
  }
  return out;
}

/** Copy `v` into the layout given by a permutation of its axes. */
export function transpose(ctx: OpCtx, v: Value, perm: readonly number[]): Value {
  const r = v.dims.length;
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, k) => p !== k)) {
    throw new FormatError(`${ctx.where}: perm (${perm.join(', ')}) is not a permutation of ${r} axes.`);
  }
  const dims = perm.map((p) => v.dims[p]);
  const out = alloc(ctx, dims, v.kind);
  const inSt = stridesOf(v.dims);
  const st = perm.map((p) => inSt[p]);
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let n = 0; n < out.data.length; n++) {
    out.data[n] = v.data[off];
    for (let a = r - 1; a >= 0; a--) {
      idx[a]++;
      off += st[a];
      if (idx[a] < dims[a]) break;
      off -= st[a] * dims[a];
      idx[a] = 0;
    }
  }
  return out;
}

function reshaped(v: Value, dims: number[]): Value {
  return { dims, data: v.data, kind: v.kind };
}

// ---------------------------------------------------------------------------------------------
// The operators. Each takes the node's inputs (null for an omitted optional one) and returns its
// outputs in order.

type Op = (ctx: OpCtx, ins: (Value | null)[]) => (Value | null)[];

const unary = (f: (x: number) => number): Op => (ctx, ins) => {
  const x = need(ctx, ins, 0, 'X');
  if (x.kind !== 'float') throw new UnsupportedError(`${ctx.where}: only float inputs are supported; received ${x.kind}.`);
  const out = alloc(ctx, [...x.dims], 'float');
  for (let n = 0; n < x.data.length; n++) out.data[n] = f(x.data[n]);
  return [out];
};

const binary = (f: (a: number, b: number) => number, result?: Kind): Op => (ctx, ins) => {
  const a = need(ctx, ins, 0, 'A');
  const b = need(ctx, ins, 1, 'B');
  if ((a.kind === 'float') !== (b.kind === 'float')) throw new FormatError(`${ctx.where}: A and B must have the same element type; received ${a.kind} and ${b.kind}.`);
  const kind = result ?? a.kind;
  const intDiv = kind === 'int' && f === DIV;
  return [elementwise(ctx, [a, b], kind, (x) => (intDiv ? Math.trunc(x[0] / x[1]) : f(x[0], x[1])))];
};

const DIV = (a: number, b: number): number => a / b;

function softmaxOp(log: boolean): Op {
  return (ctx, ins) => {
    const x = need(ctx, ins, 0, 'input');
    const r = x.dims.length;
    // opset < 13: the input is read as 2-D (prod(dims[:axis]), prod(dims[axis:])) and normalised per row
    const old = ctx.opset < 13;
    const axis = axisOf(ctx, attrInt(ctx.where, ctx.node, 'axis', old ? 1 : -1), r);
    const len = old ? sizeOfDims(x.dims.slice(axis)) : x.dims[axis];
    const inner = old ? 1 : sizeOfDims(x.dims.slice(axis + 1));
    const outer = sizeOfDims(x.dims.slice(0, axis));
    const out = alloc(ctx, [...x.dims], 'float');
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let m = -Infinity;
        for (let k = 0; k < len; k++) m = Math.max(m, x.data[base + k * inner]);
        let s = 0;
        for (let k = 0; k < len; k++) s += Math.exp(x.data[base + k * inner] - m);
        const lse = m + Math.log(s);
        for (let k = 0; k < len; k++) {
          const z = x.data[base + k * inner] - lse;
          out.data[base + k * inner] = log ? z : Math.exp(z);
        }
      }
    }
    return [out];
  };
}

function sliceOp(ctx: OpCtx, ins: (Value | null)[]): (Value | null)[] {
  const x = need(ctx, ins, 0, 'data');
  const r = x.dims.length;
  let starts: number[];
  let ends: number[];
  let axes: number[] | null;
  let steps: number[] | null = null;
  if (ctx.opset < 10) {
    starts = attrInts(ctx.where, ctx.node, 'starts') ?? [];
    ends = attrInts(ctx.where, ctx.node, 'ends') ?? [];
    axes = attrInts(ctx.where, ctx.node, 'axes');
  } else {
    starts = ints(ctx, need(ctx, ins, 1, 'starts'), 'starts');
    ends = ints(ctx, need(ctx, ins, 2, 'ends'), 'ends');
    axes = ins[3] ? ints(ctx, ins[3], 'axes') : null;
    steps = ins[4] ? ints(ctx, ins[4], 'steps') : null;
  }
  const ax = (axes ?? starts.map((_, k) => k)).map((a) => axisOf(ctx, a, r));
  if (starts.length !== ends.length || ax.length !== starts.length || (steps !== null && steps.length !== starts.length)) {
    throw new FormatError(`${ctx.where}: starts, ends, axes and steps must have one entry per sliced axis; received ${starts.length}, ${ends.length}, ${ax.length}${steps ? `, ${steps.length}` : ''}.`);
  }
  const start = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  const dims = [...x.dims];
  ax.forEach((a, k) => {
    const D = x.dims[a];
    const s = steps === null ? 1 : steps[k];
    if (s === 0) throw new FormatError(`${ctx.where}: a slice step must not be 0.`);
    let b = starts[k] < 0 ? starts[k] + D : starts[k];
    let e = ends[k] < 0 ? ends[k] + D : ends[k];
    if (s > 0) {
      b = Math.min(Math.max(b, 0), D);
      e = Math.min(Math.max(e, 0), D);
    } else {
      b = Math.min(Math.max(b, 0), D - 1);
      e = Math.min(Math.max(e, -1), D - 1);
    }
    start[a] = b;
    step[a] = s;
    dims[a] = Math.max(0, Math.ceil((e - b) / s));
  });
  const out = alloc(ctx, dims, x.kind);
  const st = stridesOf(x.dims);
  const idx = new Array<number>(r).fill(0);
  for (let n = 0; n < out.data.length; n++) {
    let off = 0;
    for (let a = 0; a < r; a++) off += (start[a] + idx[a] * step[a]) * st[a];
    out.data[n] = x.data[off];
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a] < dims[a]) break;
      idx[a] = 0;
    }
  }
  return [out];
}

function gatherOp(ctx: OpCtx, ins: (Value | null)[]): (Value | null)[] {
  const x = need(ctx, ins, 0, 'data');
  const ind = need(ctx, ins, 1, 'indices');
  if (ind.kind === 'float') throw new FormatError(`${ctx.where}: indices must be integers; received a float tensor.`);
  const r = x.dims.length;
  const axis = axisOf(ctx, attrInt(ctx.where, ctx.node, 'axis', 0), r);
  const D = x.dims[axis];
  const outer = sizeOfDims(x.dims.slice(0, axis));
  const inner = sizeOfDims(x.dims.slice(axis + 1));
  const out = alloc(ctx, [...x.dims.slice(0, axis), ...ind.dims, ...x.dims.slice(axis + 1)], x.kind);
  const K = ind.data.length;
  for (let k = 0; k < K; k++) {
    const i = ind.data[k];
    if (!(i >= -D && i < D)) throw new ShapeError(`${ctx.where}: index ${i} is out of range for axis ${axis} of size ${D}.`);
  }
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < K; k++) {
      const i = ind.data[k] < 0 ? ind.data[k] + D : ind.data[k];
      const src = (o * D + i) * inner;
      const dst = (o * K + k) * inner;
      for (let j = 0; j < inner; j++) out.data[dst + j] = x.data[src + j];
    }
  }
  return [out];
}

function axesArg(ctx: OpCtx, ins: (Value | null)[], sinceOpset: number): number[] | null {
  if (ctx.opset < sinceOpset) return attrInts(ctx.where, ctx.node, 'axes');
  return ins[1] ? ints(ctx, ins[1], 'axes') : null;
}

function reshapeOp(ctx: OpCtx, ins: (Value | null)[]): (Value | null)[] {
  const x = need(ctx, ins, 0, 'data');
  const shape = ints(ctx, need(ctx, ins, 1, 'shape'), 'shape');
  const allowZero = attrInt(ctx.where, ctx.node, 'allowzero', 0) === 1;
  const dims = shape.map((s, k) => {
    if (s === 0 && !allowZero) {
      if (k >= x.dims.length) throw new ShapeError(`${ctx.where}: shape entry ${k} is 0 (copy the input's dimension) but the input has rank ${x.dims.length}.`);
      return x.dims[k];
    }
    return s;
  });
  const neg = dims.filter((d) => d === -1).length;
  if (neg > 1 || dims.some((d) => d < -1)) throw new ShapeError(`${ctx.where}: shape [${shape.join(', ')}] may hold at most one -1 and no other negative entry.`);
  const known = sizeOfDims(dims.filter((d) => d !== -1));
  const N = x.data.length;
  if (neg === 1) {
    if (known === 0 || N % known !== 0) throw new ShapeError(`${ctx.where}: cannot reshape (${x.dims.join(', ')}) to [${shape.join(', ')}].`);
    dims[dims.indexOf(-1)] = N / known;
  }
  if (sizeOfDims(dims) !== N) throw new ShapeError(`${ctx.where}: cannot reshape (${x.dims.join(', ')}) (${N} elements) to (${dims.join(', ')}).`);
  return [reshaped(x, dims)];
}

/** Numpy matmul of two float values (rank ≥ 1; batch dims broadcast). */
export function matmul(ctx: OpCtx, a: Value, b: Value): Value {
  if (a.kind !== 'float' || b.kind !== 'float') throw new UnsupportedError(`${ctx.where}: MatMul of ${a.kind} tensors is not supported.`);
  const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const [M, K] = ad.slice(-2);
  const [K2, N] = bd.slice(-2);
  if (K !== K2) throw new ShapeError(`${ctx.where}: MatMul of (${a.dims.join(', ')}) and (${b.dims.join(', ')}): inner dimensions ${K} and ${K2} differ.`);
  const batch = broadcastDims(ctx, [ad.slice(0, -2), bd.slice(0, -2)]);
  const out = alloc(ctx, [...batch, M, N], 'float');
  const nb = sizeOfDims(batch);
  const aSt = broadcastStrides(ad.slice(0, -2), batch);
  const bSt = broadcastStrides(bd.slice(0, -2), batch);
  const bIdx = new Array<number>(batch.length).fill(0);
  for (let q = 0; q < nb; q++) {
    let ao = 0;
    let bo = 0;
    for (let k = 0; k < batch.length; k++) {
      ao += bIdx[k] * aSt[k];
      bo += bIdx[k] * bSt[k];
    }
    ao *= M * K;
    bo *= K * N;
    const oo = q * M * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[ao + i * K + k] * b.data[bo + k * N + j];
        out.data[oo + i * N + j] = s;
      }
    }
    for (let k = batch.length - 1; k >= 0; k--) {
      if (++bIdx[k] < batch[k]) break;
      bIdx[k] = 0;
    }
  }
  // drop the axes added for 1-D operands
  let dims = out.dims;
  if (a.dims.length === 1) dims = [...dims.slice(0, -2), dims[dims.length - 1]];
  if (b.dims.length === 1) dims = dims.slice(0, -1);
  return reshaped(out, dims);
}

/** Gemm: alpha·A'·B' + beta·C (A', B' optionally transposed), C broadcast to (M, N). */
export function gemm(ctx: OpCtx, ins: (Value | null)[]): Value {
  const n = ctx.node;
  let a = need(ctx, ins, 0, 'A');
  let b = need(ctx, ins, 1, 'B');
  if (a.dims.length !== 2 || b.dims.length !== 2) throw new ShapeError(`${ctx.where}: A and B must be matrices; received (${a.dims.join(', ')}) and (${b.dims.join(', ')}).`);
  if (attrInt(ctx.where, n, 'transA', 0) === 1) a = transpose(ctx, a, [1, 0]);
  if (attrInt(ctx.where, n, 'transB', 0) === 1) b = transpose(ctx, b, [1, 0]);
  const alpha = attrFloat(ctx.where, n, 'alpha', 1);
  const beta = attrFloat(ctx.where, n, 'beta', 1);
  const y = matmul(ctx, a, b);
  if (alpha !== 1) for (let k = 0; k < y.data.length; k++) y.data[k] *= alpha;
  const c = ins[2] ?? null;
  if (c === null) return y;
  return elementwise(ctx, [y, c], 'float', (x) => x[0] + beta * x[1]);
}

/** LayerNormalization over axes [axis, r): (x − mean) / √(var + eps) · scale + bias. */
export function layerNorm(ctx: OpCtx, ins: (Value | null)[]): Value {
  const x = need(ctx, ins, 0, 'X');
  const scale = need(ctx, ins, 1, 'Scale');
  const bias = ins[2] ?? null;
  const axis = axisOf(ctx, attrInt(ctx.where, ctx.node, 'axis', -1), x.dims.length);
  const eps = attrFloat(ctx.where, ctx.node, 'epsilon', 1e-5);
  const inner = sizeOfDims(x.dims.slice(axis));
  const outer = sizeOfDims(x.dims.slice(0, axis));
  const normed = alloc(ctx, [...x.dims], 'float');
  for (let o = 0; o < outer; o++) {
    let m = 0;
    for (let k = 0; k < inner; k++) m += x.data[o * inner + k];
    m /= inner;
    let v = 0;
    for (let k = 0; k < inner; k++) v += (x.data[o * inner + k] - m) ** 2;
    const rs = 1 / Math.sqrt(v / inner + eps);
    for (let k = 0; k < inner; k++) normed.data[o * inner + k] = (x.data[o * inner + k] - m) * rs;
  }
  const args = bias === null ? [normed, scale] : [normed, scale, bias];
  return elementwise(ctx, args, 'float', (q) => q[0] * q[1] + (q.length > 2 ? q[2] : 0));
}

export const OPS: Record<string, Op> = {
  Identity: (ctx, ins) => [need(ctx, ins, 0, 'input')],
  Dropout: (ctx, ins) => {
    const t = ins[2] ?? null;
    if (t !== null && t.data.some((q) => q !== 0)) throw new UnsupportedError(`${ctx.where}: training_mode=true (random dropout at inference) is not supported; export the model in eval mode.`);
    const x = need(ctx, ins, 0, 'data');
    const mask = alloc(ctx, [...x.dims], 'bool');
    mask.data.fill(1);
    return [x, mask];
  },
  Cast: (ctx, ins) => {
    const x = need(ctx, ins, 0, 'input');
    const to = attrInt(ctx.where, ctx.node, 'to', 0);
    const kind = kindOfDataType(to);
    if (kind === null) throw new UnsupportedError(`${ctx.where}: casting to data type ${to} is not supported (supported: float, double, float16, integers, bool).`);
    const out = alloc(ctx, [...x.dims], kind);
    for (let k = 0; k < x.data.length; k++) {
      const v = x.data[k];
      out.data[k] = kind === 'float' ? v : kind === 'bool' ? (v !== 0 ? 1 : 0) : Math.trunc(v);
    }
    return [out];
  },
  Shape: (ctx, ins) => {
    const x = need(ctx, ins, 0, 'data');
    const r = x.dims.length;
    const clampAxis = (a: number): number => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
    const start = clampAxis(attrInt(ctx.where, ctx.node, 'start', 0));
    const end = clampAxis(attrInt(ctx.where, ctx.node, 'end', r));
    return [scalarInts(x.dims.slice(start, Math.max(start, end)))];
  },
  ConstantOfShape: (ctx, ins) => {
    const shape = ints(ctx, need(ctx, ins, 0, 'input'), 'the shape');
    const a = attr(ctx.node, 'value');
    let kind: Kind = 'float';
    let fill = 0;
    if (a?.t) {
      const t = a.t;
      const k = kindOfDataType(t.data_type ?? 0);
      if (k === null) throw new UnsupportedError(`${ctx.where}: a value of data type ${t.data_type} is not supported.`);
      kind = k;
      fill = constantScalar(ctx, t);
    }
    const out = alloc(ctx, shape, kind);
    out.data.fill(fill);
    return [out];
  },
  Gather: gatherOp,
  Slice: sliceOp,
  Squeeze: (ctx, ins) => {
    const x = need(ctx, ins, 0, 'data');
    const r = x.dims.length;
    const axes = axesArg(ctx, ins, 13);
    const drop = new Set(axes === null ? x.dims.flatMap((d, k) => (d === 1 ? [k] : [])) : axes.map((a) => axisOf(ctx, a, r)));
    for (const a of drop) if (x.dims[a] !== 1) throw new ShapeError(`${ctx.where}: cannot squeeze axis ${a} of size ${x.dims[a]} (shape (${x.dims.join(', ')})).`);
    return [reshaped(x, x.dims.filter((_, k) => !drop.has(k)))];
  },
  Unsqueeze: (ctx, ins) => {
    const x = need(ctx, ins, 0, 'data');
    const axes = axesArg(ctx, ins, 13);
    if (axes === null) throw new FormatError(`${ctx.where}: Unsqueeze needs axes.`);
    const r = x.dims.length + axes.length;
    const add = new Set(axes.map((a) => axisOf(ctx, a, r)));
    if (add.size !== axes.length) throw new FormatError(`${ctx.where}: axes [${axes.join(', ')}] repeat an axis.`);
    const dims: number[] = [];
    let k = 0;
    for (let a = 0; a < r; a++) dims.push(add.has(a) ? 1 : x.dims[k++]);
    return [reshaped(x, dims)];
  },
  Concat: (ctx, ins) => {
    const parts = ins.filter((v): v is Value => v !== null);
    if (parts.length === 0) throw new FormatError(`${ctx.where}: Concat needs at least one input.`);
    const r = parts[0].dims.length;
    const axis = axisOf(ctx, attrInt(ctx.where, ctx.node, 'axis', 0), r);
    for (const p of parts) {
      if (p.dims.length !== r || p.dims.some((d, k) => k !== axis && d !== parts[0].dims[k]) || (p.kind === 'float') !== (parts[0].kind === 'float')) {
        throw new ShapeError(`${ctx.where}: inputs (${parts.map((q) => `(${q.dims.join(', ')})`).join(', ')}) must match on every axis but ${axis} and share an element type.`);
      }
    }
    const dims = [...parts[0].dims];
    dims[axis] = parts.reduce((s, p) => s + p.dims[axis], 0);
    const out = alloc(ctx, dims, parts[0].kind);
    const outer = sizeOfDims(dims.slice(0, axis));
    const inner = sizeOfDims(dims.slice(axis + 1));
    let at = 0;
    for (const p of parts) {
      const w = p.dims[axis] * inner;
      for (let o = 0; o < outer; o++) out.data.set(p.data.subarray(o * w, (o + 1) * w), o * dims[axis] * inner + at);
      at += w;
    }
    return [out];
  },
  Transpose: (ctx, ins) => {
    const x = need(ctx, ins, 0, 'data');
    const perm = attrInts(ctx.where, ctx.node, 'perm') ?? x.dims.map((_, k) => x.dims.length - 1 - k);
    return [transpose(ctx, x, perm)];
  },
  Reshape: reshapeOp,
  Flatten: (ctx, ins) => {
    const x = need(ctx, ins, 0, 'input');
    const r = x.dims.length;
    const a = attrInt(ctx.where, ctx.node, 'axis', 1);
    const axis = a < 0 ? a + r : a;
    if (!(axis >= 0 && axis <= r)) throw new ShapeError(`${ctx.where}: axis ${a} is out of range for rank ${r}.`);
    return [reshaped(x, [sizeOfDims(x.dims.slice(0, axis)), sizeOfDims(x.dims.slice(axis))])];
  },
  Expand: (ctx, ins) => {
    const x = need(ctx, ins, 0, 'input');
    const shape = ints(ctx, need(ctx, ins, 1, 'shape'), 'shape');
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new ShapeError(`${ctx.where}: shape [${shape.join(', ')}] must hold non-negative integers.`);
    return [elementwise(ctx, [x], x.kind, (q) => q[0], shape)];
  },
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary(DIV),
  Pow: (ctx, ins) => {
    const a = need(ctx, ins, 0, 'X');
    const b = need(ctx, ins, 1, 'Y');
    return [elementwise(ctx, [a, b], a.kind, (q) => q[0] ** q[1])];
  },
  Equal: binary((a, b) => (a === b ? 1 : 0), 'bool'),
  Where: (ctx, ins) => {
    const c = need(ctx, ins, 0, 'condition');
    const x = need(ctx, ins, 1, 'X');
    const y = need(ctx, ins, 2, 'Y');
    return [elementwise(ctx, [c, x, y], x.kind, (q) => (q[0] !== 0 ? q[1] : q[2]))];
  },
  Sqrt: unary(Math.sqrt),
  Tanh: unary(Math.tanh),
  Relu: unary((x) => (x > 0 ? x : 0)),
  Sigmoid: unary((x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))),
  Softmax: softmaxOp(false),
  LogSoftmax: softmaxOp(true),
  ReduceMean: (ctx, ins) => {
    const x = need(ctx, ins, 0, 'data');
    const r = x.dims.length;
    const axesIn = ctx.opset < 18 ? attrInts(ctx.where, ctx.node, 'axes') : ins[1] ? ints(ctx, ins[1], 'axes') : null;
    const keep = attrInt(ctx.where, ctx.node, 'keepdims', 1) === 1;
    const axes = new Set((axesIn === null || axesIn.length === 0 ? x.dims.map((_, k) => k) : axesIn).map((a) => axisOf(ctx, a, r)));
    const dims = x.dims.map((d, k) => (axes.has(k) ? 1 : d));
    const out = alloc(ctx, dims, 'float');
    const st = broadcastStrides(dims, x.dims);
    const idx = new Array<number>(r).fill(0);
    let off = 0;
    const sums = new Float64Array(out.data.length);
    for (let n = 0; n < x.data.length; n++) {
      sums[off] += x.data[n];
      for (let a = r - 1; a >= 0; a--) {
        idx[a]++;
        off += st[a];
        if (idx[a] < x.dims[a]) break;
        off -= st[a] * x.dims[a];
        idx[a] = 0;
      }
    }
    const count = x.data.length / Math.max(out.data.length, 1);
    for (let k = 0; k < sums.length; k++) out.data[k] = sums[k] / count;
    return [keep ? out : reshaped(out, x.dims.filter((_, k) => !axes.has(k)))];
  },
  MatMul: (ctx, ins) => [matmul(ctx, need(ctx, ins, 0, 'A'), need(ctx, ins, 1, 'B'))],
  Gemm: (ctx, ins) => [gemm(ctx, ins)],
  LayerNormalization: (ctx, ins) => [layerNorm(ctx, ins)],
};

/** The single value of a ConstantOfShape `value` tensor. */
function constantScalar(ctx: OpCtx, t: NonNullable<AttributeProto['t']>): number {
  const raw = t.raw_data;
  const type = t.data_type ?? 0;
  if (raw instanceof Uint8Array && raw.length > 0) {
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.INT64]: 8, [DataType.INT32]: 4, [DataType.BOOL]: 1, [DataType.UINT8]: 1, [DataType.INT8]: 1 };
    if (size[type] === undefined || raw.length !== size[type]) throw new FormatError(`${ctx.where}: the value tensor must hold exactly one element of its type.`);
    const x = type === DataType.FLOAT ? v.getFloat32(0, true) : type === DataType.DOUBLE ? v.getFloat64(0, true) : type === DataType.INT64 ? Number(v.getBigInt64(0, true)) : type === DataType.INT32 ? v.getInt32(0, true) : type === DataType.INT8 ? v.getInt8(0) : v.getUint8(0);
    if (!Number.isFinite(x)) throw new FormatError(`${ctx.where}: the fill value must be finite; received ${x}.`);
    return x;
  }
  const list: ArrayLike<unknown> = type === DataType.FLOAT ? (t.float_data ?? []) : type === DataType.DOUBLE ? (t.double_data ?? []) : type === DataType.INT64 ? (t.int64_data ?? []) : (t.int32_data ?? []);
  if (list.length === 0) return 0;
  if (list.length !== 1) throw new FormatError(`${ctx.where}: the value tensor must hold exactly one element; received ${list.length}.`);
  const x = list[0] as number | { toNumber(): number };
  const num = typeof x === 'number' ? x : x.toNumber();
  if (!Number.isFinite(num)) throw new FormatError(`${ctx.where}: the fill value must be finite; received ${num}.`);
  return num;
}
