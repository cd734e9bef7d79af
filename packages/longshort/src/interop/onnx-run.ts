// `loadOnnx`: an ONNX graph → a model that runs it in longshort, every graph input and output
// kept (h0/c0 inputs, (out, h_n, c_n) outputs, any head made of the supported operators). This is
// how the files torch.onnx.export writes load in one call; `importOnnx` (./onnx-import.ts) is the
// other door, for graphs that are a chain of layers and should become a trainable Sequential.
//
// How: the file is decoded and validated as hostile input by parseOnnxGraph (dtypes, byte
// lengths, size caps, cycles) before anything is built. Then, in topological order over the nodes
// the outputs need:
//   1. constant folding: a node whose inputs are all constants (initializers, Constant nodes,
//      Shape of an input whose dims are all fixed, earlier folded nodes) is evaluated once, now —
//      this removes the shape arithmetic torch emits for zero initial states and reshapes;
//   2. support check: the first node whose operator is not in SUPPORTED_OPS stops the load with an
//      UnsupportedError naming its op type, its name, its position in execution order and where
//      its inputs come from;
//   3. binding: each LSTM node becomes a longshort LSTM layer (weights converted by onnx-lstm.ts),
//      each Gemm / MatMul with a constant weight matrix a Dense layer, each LayerNormalization over
//      the last axis a LayerNorm layer; these run in longshort's kernels (reference or
//      WebAssembly, `kernels` option). Everything else (layout moves, elementwise math, the shape
//      arithmetic that depends on the input's batch or time size) runs in ./onnx-ops.ts.
// run() checks the feeds (names, ranks, fixed dims, finite values) before computing anything.
//
// dim key: T time, B batch, Dn directions, H hidden size, I input size, N rows, K/O in/out features.

import { ConfigError, FormatError, NonFiniteError, ShapeError, UnsupportedError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { LSTM } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { LayerNorm } from '../nn/layernorm.js';
import type { Sequential } from '../nn/sequential.js';
import { getKernels, type KernelName, type Kernels } from '../kernels/index.js';
import { lstmFromOnnx, type OnnxLstmAttributes } from './onnx-lstm.js';
import { importGraph, parseOnnxGraph, readTensorChecked as readConst, type Graph } from './onnx-import.js';
import { DataType, int64, type NodeProto, type ValueInfoProto } from './onnx-schema.js';
import {
  OPS, attrFloat, attrFloats, attrInt, attrString, attrStrings, kindOfDataType, nodeLabel, sizeOfDims, transpose,
  type Kind, type OpCtx, type Value,
} from './onnx-ops.js';

const W = '[loadOnnx]';

/** The operators loadOnnx runs (ONNX default domain). */
export const SUPPORTED_OPS: readonly string[] = Object.freeze(['LSTM', ...Object.keys(OPS)].sort());

/** Options of loadOnnx(). */
export interface LoadOnnxOptions {
  /** Kernels for the LSTM layers: 'auto' (WebAssembly when loaded, default), 'ref', 'wasm', or a kernel set. */
  kernels?: 'auto' | KernelName | Kernels;
}

/** A graph input or output of a loaded ONNX model. */
export interface OnnxModelIo {
  /** Its name in the graph (the key of run()'s feeds and results). */
  name: string;
  /** Declared dims: a number when fixed, the symbolic name (e.g. 'batch') or null when free. */
  dims: (number | string | null)[];
  /** 'float', 'int' or 'bool'. */
  kind: Kind;
}

/** A value for one graph input of OnnxModel.run(): a Tensor, or row-major numbers with their dims (e.g. int sequence_lens). */
export type OnnxFeed = Tensor | { data: ArrayLike<number>; dims: readonly number[] };

/** A compiled node: runs with the values of its inputs. */
interface Step {
  node: NodeProto;
  index: number;
  ctx: OpCtx;
  run: (ins: (Value | null)[]) => (Value | null)[];
}

/** A loaded ONNX model: run(feeds) gives every graph output, computed with longshort's layers and kernels. */
export class OnnxModel {
  /** The graph inputs that run() needs, in file order. */
  readonly inputs: readonly OnnxModelIo[];
  /** The graph outputs, in file order. */
  readonly outputs: readonly OnnxModelIo[];
  /** The ONNX opset the model imports. */
  readonly opset: number;
  /** producer_name and producer_version from the file, e.g. 'pytorch 2.3.0'. */
  readonly producer: string;
  /** Nodes in the file, nodes folded into constants at load, nodes left to run per call, and the operators of those. */
  readonly stats: { nodes: number; folded: number; steps: number; ops: Record<string, number> };
  private readonly graph: Graph;
  private readonly consts: Map<string, Value>;
  private readonly steps: Step[];
  private readonly lstms: LSTM[];

  /** @internal use loadOnnx */
  constructor(graph: Graph, consts: Map<string, Value>, steps: Step[], lstms: LSTM[], inputs: OnnxModelIo[], outputs: OnnxModelIo[], folded: number) {
    this.graph = graph;
    this.consts = consts;
    this.steps = steps;
    this.lstms = lstms;
    this.inputs = Object.freeze(inputs);
    this.outputs = Object.freeze(outputs);
    this.opset = graph.opset;
    this.producer = `${graph.model.producer_name ?? ''} ${graph.model.producer_version ?? ''}`.trim();
    const ops: Record<string, number> = {};
    for (const s of steps) ops[s.node.op_type!] = (ops[s.node.op_type!] ?? 0) + 1;
    this.stats = Object.freeze({ nodes: graph.nodes.length, folded, steps: steps.length, ops });
  }

  /** Name of the kernels the LSTM layers use ('ref' or 'wasm'); null without LSTM nodes. */
  get kernelName(): KernelName | null {
    return this.lstms[0]?.kernelName ?? null;
  }

  /** Switch the LSTM layers' kernels. */
  useKernels(k: 'auto' | KernelName | Kernels): void {
    for (const l of this.lstms) l.useKernels(k);
  }

  /**
   * Run the graph. `feeds` maps every graph input name to a Tensor (or { data, dims }); returns
   * every graph output (or the ones named in `outputs`) as a Tensor: float32 for float outputs,
   * float64 holding the integers for integer and boolean ones.
   */
  run(feeds: Record<string, OnnxFeed>, options: { outputs?: readonly string[] } = {}): Record<string, Tensor> {
    const where = `${W.slice(0, -1)}: run]`;
    if (feeds === null || typeof feeds !== 'object') throw new ConfigError(`${where} feeds must be an object { inputName: Tensor }; received ${String(feeds)}.`);
    const names = this.inputs.map((i) => i.name);
    const missing = names.filter((n) => !(n in feeds));
    if (missing.length > 0) throw new ConfigError(`${where} missing input(s) ${missing.map((n) => `'${n}'`).join(', ')}; the model's inputs are ${this.describeInputs()}.`);
    const extra = Object.keys(feeds).filter((n) => !names.includes(n));
    if (extra.length > 0) throw new ConfigError(`${where} unknown input(s) ${extra.map((n) => `'${n}'`).join(', ')}; the model's inputs are ${this.describeInputs()}.`);
    const wanted = options.outputs ?? this.outputs.map((o) => o.name);
    for (const o of wanted) {
      if (!this.outputs.some((q) => q.name === o)) throw new ConfigError(`${where} no output '${o}'; outputs are ${this.outputs.map((q) => `'${q.name}'`).join(', ')}.`);
    }
    const vals = new Map<string, Value>(this.consts);
    for (const io of this.inputs) vals.set(io.name, checkFeed(where, io, feeds[io.name]));
    for (const s of this.steps) {
      const ins = (s.node.input ?? []).map((i) => (i === '' ? null : vals.get(i) ?? null));
      const outs = s.run(ins);
      (s.node.output ?? []).forEach((o, k) => {
        const v = outs[k];
        if (o !== '' && v !== undefined && v !== null) vals.set(o, v);
      });
    }
    const result: Record<string, Tensor> = {};
    for (const o of wanted) {
      const v = vals.get(o);
      if (v === undefined) throw new FormatError(`${where} output '${o}' was not computed; the graph does not produce it.`);
      const data = v.kind === 'float' ? Float32Array.from(v.data) : Float64Array.from(v.data);
      result[o] = new Tensor(data, v.dims);
    }
    return result;
  }

  /** The first output for one input tensor: `model.call(x)` = `model.run({ [inputs[0].name]: x })[outputs[0].name]`. */
  call(x: Tensor): Tensor {
    if (this.inputs.length !== 1) {
      throw new ConfigError(`[loadOnnx: call] the model has ${this.inputs.length} inputs (${this.describeInputs()}); use run({ … }) with all of them.`);
    }
    return this.run({ [this.inputs[0].name]: x }, { outputs: [this.outputs[0].name] })[this.outputs[0].name];
  }

  /**
   * The same model as a trainable longshort Sequential (importOnnx's result), when its first output
   * is a chain of layers from its one input (UnsupportedError naming the node that is not).
   */
  toSequential(): Sequential {
    return importGraph(this.graph);
  }

  private describeInputs(): string {
    return this.inputs.map((i) => `'${i.name}' (${i.dims.map((d) => (d === null ? '?' : d)).join(', ')})`).join(', ');
  }
}

/**
 * Load an ONNX model (bytes of a .onnx file) to run in longshort. Errors: FormatError (malformed or
 * hostile file), UnsupportedError (the first node longshort cannot run, with its op type, name and
 * place in the graph), ShapeError (weights whose shapes disagree).
 * @example
 * ```ts
 * const model = loadOnnx(await readFile('model.onnx'));
 * model.inputs;                                  // e.g. [{ name: 'input', dims: ['batch', 'seq', 8], kind: 'float' }]
 * const y = model.call(zeros([1, 20, 8]));       // first output for the one input
 * const all = model.run({ input: x });           // every output, by name
 * const seq = model.toSequential();              // trainable, when the graph is a chain of layers
 * ```
 */
export function loadOnnx(bytes: Uint8Array, options: LoadOnnxOptions = {}): OnnxModel {
  if (options === null || typeof options !== 'object') throw new ConfigError(`${W} options must be an object; received ${String(options)}.`);
  if (typeof options.kernels === 'string') getKernels(options.kernels); // a kernel that is not loaded: ConfigError with the fix, before the file is read
  try {
    return load(bytes, options);
  } catch (e) {
    if (e instanceof FormatError || e instanceof UnsupportedError || e instanceof ShapeError) throw e;
    // a layer refusing a hyperparameter or a weight read from the file is a property of the file
    if (e instanceof ConfigError || e instanceof NonFiniteError) throw new FormatError(`${W} the model's values are not usable: ${e.message}`);
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw new FormatError(`${W} the file nests messages too deeply to be an ONNX model.`);
    throw e;
  }
}

function load(bytes: Uint8Array, options: LoadOnnxOptions): OnnxModel {
  const graph = parseOnnxGraph(bytes, W);
  const g = graph.model.graph!;
  const opset = graph.opset;
  const initNames = new Set(graph.consts.keys());

  const inputs: OnnxModelIo[] = [];
  for (const vi of g.input ?? []) {
    if (initNames.has(vi.name ?? '')) continue;
    inputs.push(ioOf(vi));
  }
  const outputs = (g.output ?? []).map(ioOf);
  if (outputs.length === 0) throw new FormatError(`${W} the graph declares no output; expected at least one.`);

  // constants: initializers (float → float32), then whatever folds
  const consts = new Map<string, Value>();
  for (const [name, c] of graph.consts) consts.set(name, { dims: c.dims, data: c.integer ? c.data : Float32Array.from(c.data), kind: c.integer ? 'int' : 'float' });

  const producer = new Map<string, NodeProto>();
  for (const n of graph.nodes) for (const o of n.output ?? []) if (o !== '') producer.set(o, n);
  const order = new Map<NodeProto, number>(graph.nodes.map((n, k) => [n, k]));
  const needed = neededNodes(outputs.map((o) => o.name), producer, new Set());
  for (const o of outputs) {
    if (!producer.has(o.name) && !consts.has(o.name) && !inputs.some((i) => i.name === o.name)) throw new FormatError(`${W} graph output '${o.name}' is not produced by any node.`);
  }

  // 1. fold. `known` holds the fixed dims of values computed at run time (from the declared input
  // dims, through the layout ops), so Shape of any of them folds too when no axis is dynamic.
  const known = new Map<string, number[]>();
  for (const io of inputs) if (io.dims.every((d) => typeof d === 'number')) known.set(io.name, io.dims as number[]);
  let folded = 0;
  for (const n of graph.nodes) {
    if (!needed.has(n)) continue;
    const op = n.op_type!;
    const ins = n.input ?? [];
    const ctx: OpCtx = { node: n, opset, where: nodeLabel(W, n) };
    checkDomain(n, graph.nodes.length, order, producer, initNames);
    if (op === 'Constant') {
      setOutputs(consts, n, [constantValue(ctx)]);
      folded++;
      continue;
    }
    if (op === 'Shape' && ins[0] !== undefined && known.has(ins[0])) {
      setOutputs(consts, n, OPS.Shape(ctx, [{ dims: known.get(ins[0])!, data: new Float32Array(0), kind: 'float' }]));
      folded++;
      continue;
    }
    if (op !== 'LSTM' && Object.hasOwn(OPS, op) && ins.every((i) => i === '' || consts.has(i))) {
      setOutputs(consts, n, OPS[op](ctx, ins.map((i) => (i === '' ? null : consts.get(i)!))));
      folded++;
      continue;
    }
    inferDims(ctx, known, consts);
  }

  // 2. what is left to run, in order; the first unsupported node stops the load
  const live = neededNodes(outputs.map((o) => o.name), producer, new Set(consts.keys()));
  const steps: Step[] = [];
  const lstms: LSTM[] = [];
  const liveList = graph.nodes.filter((n) => live.has(n));
  for (const n of liveList) {
    if (!SUPPORTED_OPS.includes(n.op_type!)) {
      throw new UnsupportedError(
        `${W} operator '${n.op_type}' is not supported: ${placeOf(n, order, graph.nodes.length, producer, initNames, inputs)}. ` +
          `Supported operators: ${SUPPORTED_OPS.join(', ')}.`,
      );
    }
  }
  for (const n of liveList) {
    const ctx: OpCtx = { node: n, opset, where: nodeLabel(W, n) };
    const c = (k: number): Value | null => {
      const name = (n.input ?? [])[k];
      return name === undefined || name === '' ? null : consts.get(name) ?? null;
    };
    steps.push({ node: n, index: order.get(n)!, ctx, run: bindNode(ctx, c, options, lstms) });
  }
  return new OnnxModel(graph, consts, steps, lstms, inputs, outputs, folded);
}

// ---------------------------------------------------------------------------------------------

/** Operators whose output dims depend only on the dims of their input 0 (the other inputs must be constants). */
const DIMS_FROM_FIRST = new Set(['Identity', 'Cast', 'Dropout', 'Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Slice', 'Gather', 'Expand', 'Relu', 'Tanh', 'Sigmoid', 'Sqrt', 'Softmax', 'LogSoftmax', 'ReduceMean', 'LayerNormalization']);
/** Operators whose output dims depend only on the dims of all their inputs. */
const DIMS_FROM_ALL = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal', 'Where', 'Concat', 'MatMul', 'Gemm']);
/** Inputs larger than this are not replayed on zeros to learn their output dims. */
const INFER_ELEMENTS = 1 << 16;

/**
 * Record the fixed output dims of a node that is not folded, when its inputs' dims are fixed:
 * LSTM from its attributes; the layout and elementwise ops by running them on zeros of those dims
 * (their output dims do not depend on the values).
 */
function inferDims(ctx: OpCtx, known: Map<string, number[]>, consts: Map<string, Value>): void {
  const n = ctx.node;
  const op = n.op_type!;
  const ins = n.input ?? [];
  const dimsOf = (i: string): number[] | undefined => consts.get(i)?.dims ?? known.get(i);
  if (op === 'LSTM') {
    const x = dimsOf(ins[0] ?? '');
    const w = consts.get(ins[1] ?? '');
    if (x === undefined || x.length !== 3 || w === undefined || w.dims.length !== 3) return;
    const H = w.dims[1] / 4;
    const Dn = w.dims[0];
    const [T, B] = attrInt(ctx.where, n, 'layout', 0) === 1 ? [x[1], x[0]] : [x[0], x[1]];
    const layout1 = attrInt(ctx.where, n, 'layout', 0) === 1;
    const outs = [layout1 ? [B, T, Dn, H] : [T, Dn, B, H], layout1 ? [B, Dn, H] : [Dn, B, H], layout1 ? [B, Dn, H] : [Dn, B, H]];
    (n.output ?? []).forEach((o, k) => o !== '' && k < 3 && known.set(o, outs[k]));
    return;
  }
  const fromAll = DIMS_FROM_ALL.has(op);
  if (!fromAll && !DIMS_FROM_FIRST.has(op)) return;
  const args: (Value | null)[] = [];
  for (let k = 0; k < ins.length; k++) {
    const name = ins[k];
    if (name === '') args.push(null);
    else if (consts.has(name)) args.push(consts.get(name)!);
    else if ((k === 0 || fromAll) && known.has(name)) {
      const dims = known.get(name)!;
      if (sizeOfDims(dims) > INFER_ELEMENTS) return;
      args.push({ dims, data: op === 'Where' && k === 0 ? new Float64Array(sizeOfDims(dims)) : new Float32Array(sizeOfDims(dims)), kind: op === 'Where' && k === 0 ? 'bool' : 'float' });
    } else return;
  }
  try {
    const outs = OPS[op](ctx, args);
    (n.output ?? []).forEach((o, k) => {
      const v = outs[k];
      if (o !== '' && v) known.set(o, v.dims);
    });
  } catch {
    // not inferable here; the node reports its problem when it runs
  }
}

function ioOf(vi: ValueInfoProto): OnnxModelIo {
  const t = vi.type?.tensor_type;
  const dims = (t?.shape?.dim ?? []).map((d) => {
    if (d.dim_param) return d.dim_param;
    const v = d.dim_value === undefined || d.dim_value === null ? 0 : int64(d.dim_value);
    return v > 0 ? v : null;
  });
  return { name: vi.name ?? '', dims, kind: kindOfDataType(t?.elem_type ?? DataType.FLOAT) ?? 'float' };
}

function neededNodes(outputs: string[], producer: Map<string, NodeProto>, stop: Set<string>): Set<NodeProto> {
  const needed = new Set<NodeProto>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (stop.has(v)) continue;
    const p = producer.get(v);
    if (p === undefined || needed.has(p)) continue;
    needed.add(p);
    for (const i of p.input ?? []) if (i !== '') stack.push(i);
  }
  return needed;
}

function setOutputs(map: Map<string, Value>, n: NodeProto, outs: (Value | null)[]): void {
  (n.output ?? []).forEach((o, k) => {
    const v = outs[k];
    if (o !== '' && v !== undefined && v !== null) map.set(o, v);
  });
}

function checkDomain(n: NodeProto, total: number, order: Map<NodeProto, number>, producer: Map<string, NodeProto>, inits: Set<string>): void {
  if ((n.domain ?? '') !== '' && n.domain !== 'ai.onnx') {
    throw new UnsupportedError(`${W} operator '${n.op_type}' of domain '${n.domain}' is not supported: ${placeOf(n, order, total, producer, inits, [])}. Only the default ONNX domain is.`);
  }
}

/** "node 'x' (#7 of 23 in execution order), reading 'a' (output of node 'y', Transpose) and 'w' (an initializer), producing 'z'" */
function placeOf(n: NodeProto, order: Map<NodeProto, number>, total: number, producer: Map<string, NodeProto>, inits: Set<string>, inputs: OnnxModelIo[]): string {
  const from = (i: string): string => {
    if (i === '') return '(omitted)';
    const p = producer.get(i);
    if (p !== undefined) return `'${i}' (output of node '${p.name || '?'}', ${p.op_type})`;
    if (inits.has(i)) return `'${i}' (an initializer)`;
    if (inputs.some((q) => q.name === i)) return `'${i}' (a graph input)`;
    return `'${i}'`;
  };
  const ins = (n.input ?? []).map(from);
  return `node '${n.name || '?'}' (#${order.get(n)! + 1} of ${total} in execution order), reading ${ins.length ? ins.join(', ') : 'nothing'}, producing ${(n.output ?? []).map((o) => `'${o}'`).join(', ')}`;
}

function constantValue(ctx: OpCtx): Value {
  const n = ctx.node;
  const a = (n.attribute ?? [])[0];
  if (a === undefined) throw new FormatError(`${ctx.where}: a Constant node needs a value attribute.`);
  const finite = (xs: ArrayLike<number>): void => {
    for (let k = 0; k < xs.length; k++) if (!Number.isFinite(xs[k])) throw new FormatError(`${ctx.where}: the constant holds ${xs[k]} at flat index ${k}; values must be finite.`);
  };
  if (a.name === 'value' && a.t) {
    const c = readConst(a.t, `the value of Constant node '${n.name || '?'}'`);
    return { dims: c.dims, data: c.integer ? c.data : Float32Array.from(c.data), kind: c.integer ? (a.t.data_type === DataType.BOOL ? 'bool' : 'int') : 'float' };
  }
  if (a.name === 'value_float') {
    const v = Float32Array.of(attrFloat(ctx.where, n, 'value_float', 0));
    return { dims: [], data: v, kind: 'float' };
  }
  if (a.name === 'value_floats') {
    const v = Float32Array.from(attrFloats(ctx.where, n, 'value_floats') ?? []);
    finite(v);
    return { dims: [v.length], data: v, kind: 'float' };
  }
  if (a.name === 'value_int') return { dims: [], data: Float64Array.of(attrInt(ctx.where, n, 'value_int', 0)), kind: 'int' };
  if (a.name === 'value_ints') {
    const v = (a.ints ?? []).map((q) => int64(q));
    return { dims: [v.length], data: Float64Array.from(v), kind: 'int' };
  }
  throw new UnsupportedError(`${ctx.where}: a Constant given by '${a.name}' is not supported; expected value, value_float(s) or value_int(s).`);
}

/** The run function of one node: longshort layers for LSTM and constant-weight Gemm/MatMul/LayerNormalization, onnx-ops for the rest. */
function bindNode(ctx: OpCtx, constIn: (k: number) => Value | null, options: LoadOnnxOptions, lstms: LSTM[]): Step['run'] {
  const n = ctx.node;
  const op = n.op_type!;
  if (op === 'LSTM') return bindLstm(ctx, constIn, options, lstms);
  if (op === 'Gemm') {
    const w = constIn(1);
    const c = (n.input ?? [])[2] ? constIn(2) : null;
    const hasC = !!(n.input ?? [])[2];
    const transB = attrInt(ctx.where, n, 'transB', 0) === 1;
    const alpha = attrFloat(ctx.where, n, 'alpha', 1);
    const beta = attrFloat(ctx.where, n, 'beta', 1);
    if (w !== null && w.kind === 'float' && w.dims.length === 2 && attrInt(ctx.where, n, 'transA', 0) === 0 && (!hasC || (c !== null && c.data.length === (transB ? w.dims[0] : w.dims[1]) && c.dims.slice(0, -1).every((d) => d === 1)))) {
      const [K, O] = transB ? [w.dims[1], w.dims[0]] : [w.dims[0], w.dims[1]];
      const dense = new Dense({ inputSize: K, outputSize: O, bias: hasC });
      for (let o = 0; o < O; o++) for (let k = 0; k < K; k++) dense.weight.value[o * K + k] = alpha * w.data[transB ? o * K + k : k * O + o];
      if (c !== null) for (let o = 0; o < O; o++) dense.bias!.value[o] = beta * c.data[o];
      for (const [arr, what] of [[dense.weight.value, 'alpha·B'], [dense.bias?.value ?? null, 'beta·C']] as const) {
        const k = arr === null ? -1 : arr.findIndex((q) => !Number.isFinite(q));
        if (k >= 0) throw new FormatError(`${ctx.where}: ${what} is not finite at flat index ${k} (alpha=${alpha}, beta=${beta}); weights must be finite.`);
      }
      return (ins) => {
        const a = ins[0];
        if (a === null || a.kind !== 'float' || a.dims.length !== 2 || a.dims[1] !== K) {
          throw new ShapeError(`${ctx.where}: A must be a float (N, ${K}) matrix for B of shape (${w.dims.join(', ')}); received ${a === null ? 'nothing' : `(${a.dims.join(', ')})`}.`);
        }
        const y = dense.call(new Tensor(a.data as Float32Array, a.dims), { training: false });
        return [{ dims: [...y.shape], data: y.data, kind: 'float' }];
      };
    }
    return (ins) => OPS.Gemm(ctx, ins);
  }
  if (op === 'MatMul') {
    const w = constIn(1);
    if (w !== null && w.kind === 'float' && w.dims.length === 2) {
      const [K, O] = w.dims;
      const dense = new Dense({ inputSize: K, outputSize: O, bias: false });
      for (let o = 0; o < O; o++) for (let k = 0; k < K; k++) dense.weight.value[o * K + k] = w.data[k * O + o];
      return (ins) => {
        const a = ins[0];
        if (a === null || a.kind !== 'float' || a.dims.length < 2 || a.dims[a.dims.length - 1] !== K) return OPS.MatMul(ctx, ins);
        const N = a.data.length / K;
        const y = dense.call(new Tensor(a.data as Float32Array, [N, K]), { training: false });
        return [{ dims: [...a.dims.slice(0, -1), O], data: y.data, kind: 'float' }];
      };
    }
    return (ins) => OPS.MatMul(ctx, ins);
  }
  if (op === 'LayerNormalization') {
    const scale = constIn(1);
    const hasBias = !!(n.input ?? [])[2];
    const bias = hasBias ? constIn(2) : null;
    const axis = attrInt(ctx.where, n, 'axis', -1);
    if (scale !== null && scale.dims.length === 1 && (!hasBias || (bias !== null && bias.data.length === scale.data.length)) && (n.output ?? []).slice(1).every((o) => o === '')) {
      const C = scale.data.length;
      const ln = new LayerNorm({ normalizedShape: C, eps: attrFloat(ctx.where, n, 'epsilon', 1e-5) });
      ln.weight!.value.set(scale.data);
      if (bias !== null) ln.bias!.value.set(bias.data);
      else ln.bias!.value.fill(0);
      return (ins) => {
        const x = ins[0];
        if (x === null || x.kind !== 'float' || x.dims.length === 0 || x.dims[x.dims.length - 1] !== C || (axis !== -1 && axis !== x.dims.length - 1)) return OPS.LayerNormalization(ctx, ins);
        const y = ln.call(new Tensor(x.data as Float32Array, x.dims));
        return [{ dims: [...x.dims], data: y.data, kind: 'float' }];
      };
    }
    return (ins) => OPS.LayerNormalization(ctx, ins);
  }
  const f = OPS[op];
  return (ins) => f(ctx, ins);
}

function bindLstm(ctx: OpCtx, constIn: (k: number) => Value | null, options: LoadOnnxOptions, lstms: LSTM[]): Step['run'] {
  const n = ctx.node;
  const inputs = n.input ?? [];
  const weight = (k: number, what: string): Value | undefined => {
    if (!inputs[k]) return undefined;
    const v = constIn(k);
    if (v === null || v.kind !== 'float') {
      throw new UnsupportedError(`${ctx.where}: ${what} must be a constant float tensor (initializer or folded constant); this one is computed at run time.`);
    }
    return v;
  };
  const Wt = weight(1, 'W');
  const Rt = weight(2, 'R');
  if (Wt === undefined || Rt === undefined) throw new FormatError(`${ctx.where}: the LSTM node needs W and R.`);
  const Bt = weight(3, 'B');
  const Pt = weight(7, 'P');
  const dir = attrString(ctx.where, n, 'direction', 'forward');
  if (dir !== 'forward' && dir !== 'reverse' && dir !== 'bidirectional') {
    throw new FormatError(`${ctx.where}: direction must be 'forward', 'reverse' or 'bidirectional'; received '${dir}'.`);
  }
  const layout = attrInt(ctx.where, n, 'layout', 0);
  if (layout !== 0 && layout !== 1) throw new FormatError(`${ctx.where}: layout must be 0 or 1; received ${layout}.`);
  const hidden = attrInt(ctx.where, n, 'hidden_size', -1);
  if (!(hidden >= 1)) throw new FormatError(`${ctx.where}: hidden_size must be a positive integer; received ${hidden}.`);
  const inputForget = attrInt(ctx.where, n, 'input_forget', 0);
  const clipAttr = (n.attribute ?? []).some((a) => a.name === 'clip') ? attrFloat(ctx.where, n, 'clip', 0) : null;
  const attrs: OnnxLstmAttributes = {
    hidden_size: hidden,
    direction: dir,
    layout: 0,
    input_forget: inputForget === 1 ? 1 : 0,
    clip: clipAttr,
    activations: attrStrings(ctx.where, n, 'activations'),
    activation_alpha: attrFloats(ctx.where, n, 'activation_alpha'),
    activation_beta: attrFloats(ctx.where, n, 'activation_beta'),
  };
  const lstm = lstmFromOnnx({ W: Wt, R: Rt, B: Bt, P: Pt }, attrs, `loadOnnx: node '${n.name || '?'}' (LSTM)`);
  if (options.kernels !== undefined) lstm.useKernels(options.kernels);
  lstms.push(lstm);
  const H = hidden;
  const I = lstm.inputSize;
  const Dn = lstm.numDirections;
  return (ins) => {
    let x = ins[0];
    if (x === null || x.kind !== 'float' || x.dims.length !== 3 || x.dims[2] !== I) {
      throw new ShapeError(`${ctx.where}: X must be a float tensor (${layout === 0 ? 'T, B' : 'B, T'}, ${I}); received ${x === null ? 'nothing' : `${x.kind} (${x.dims.join(', ')})`}.`);
    }
    if (layout === 1) x = transpose(ctx, x, [1, 0, 2]);
    const [T, B] = x.dims;
    const state = (k: number, what: string): Tensor | undefined => {
      let s = ins[k] ?? null;
      if (s === null) return undefined;
      if (layout === 1 && s.dims.length === 3) s = transpose(ctx, s, [1, 0, 2]);
      if (s.kind !== 'float' || s.dims.length !== 3 || s.dims[0] !== Dn || s.dims[1] !== B || s.dims[2] !== H) {
        throw new ShapeError(`${ctx.where}: ${what} must be (${layout === 0 ? `${Dn}, ${B}` : `${B}, ${Dn}`}, ${H}); received (${(ins[k] as Value).dims.join(', ')}).`);
      }
      return new Tensor(s.data as Float32Array, s.dims);
    };
    let lengths: number[] | undefined;
    const lv = ins[4] ?? null;
    if (lv !== null) {
      if (lv.dims.length !== 1 || lv.dims[0] !== B) throw new ShapeError(`${ctx.where}: sequence_lens must have ${B} entries (one per batch row); received (${lv.dims.join(', ')}).`);
      lengths = Array.from(lv.data);
      lengths.forEach((L, b) => {
        if (!Number.isInteger(L) || L < 1 || L > T) throw new ShapeError(`${ctx.where}: sequence_lens[${b}] must be an integer in [1, ${T}]; received ${L}.`);
      });
    }
    const r = lstm.forward(new Tensor(x.data as Float32Array, [T, B, I]), { h0: state(5, 'initial_h'), c0: state(6, 'initial_c'), lengths });
    // longshort's output (T, B, Dn·H) → ONNX Y (T, Dn, B, H)
    let Y: Value = { dims: [T, B, Dn, H], data: r.output.data, kind: 'float' };
    Y = Dn === 1 ? { ...Y, dims: [T, 1, B, H] } : transpose(ctx, Y, [0, 2, 1, 3]);
    let Yh: Value = { dims: [Dn, B, H], data: r.h.data, kind: 'float' };
    let Yc: Value = { dims: [Dn, B, H], data: r.c.data, kind: 'float' };
    if (layout === 1) {
      Y = transpose(ctx, Y, [2, 0, 1, 3]);
      Yh = transpose(ctx, Yh, [1, 0, 2]);
      Yc = transpose(ctx, Yc, [1, 0, 2]);
    }
    return [Y, Yh, Yc];
  };
}

function checkFeed(where: string, io: OnnxModelIo, v: OnnxFeed): Value {
  const dims = v instanceof Tensor ? [...v.shape] : Array.isArray((v as { dims?: unknown })?.dims) ? [...(v as { dims: readonly number[] }).dims] : null;
  const data = v instanceof Tensor ? v.data : (v as { data?: ArrayLike<number> })?.data;
  if (dims === null || data === undefined || typeof data.length !== 'number') {
    throw new ConfigError(`${where} input '${io.name}' must be a Tensor or { data, dims }; received ${typeof v}.`);
  }
  if (sizeOfDims(dims) !== data.length) throw new ShapeError(`${where} input '${io.name}': dims (${dims.join(', ')}) hold ${sizeOfDims(dims)} values; data has ${data.length}.`);
  const declared = io.dims;
  const shapeText = `(${declared.map((d) => (d === null ? '?' : d)).join(', ')})`;
  if (declared.length > 0 && dims.length !== declared.length) {
    throw new ShapeError(`${where} input '${io.name}' must have rank ${declared.length} ${shapeText}; received (${dims.join(', ')}).`);
  }
  declared.forEach((d, k) => {
    if (typeof d === 'number' && dims[k] !== d) throw new ShapeError(`${where} input '${io.name}' must have shape ${shapeText}; received (${dims.join(', ')}) (axis ${k} is fixed at ${d}).`);
  });
  if (io.kind === 'float') {
    const out = Float32Array.from(data);
    for (let k = 0; k < out.length; k++) {
      if (!Number.isFinite(out[k])) throw new NonFiniteError(`${where} input '${io.name}' must be finite; received ${out[k]} at flat index ${k}.`);
    }
    return { dims, data: out, kind: 'float' };
  }
  const out = Float64Array.from(data);
  for (let k = 0; k < out.length; k++) {
    if (!Number.isInteger(out[k])) throw new ShapeError(`${where} input '${io.name}' holds integers; received ${out[k]} at flat index ${k}.`);
  }
  return { dims, data: out, kind: io.kind };
}
