// longshort model → .onnx bytes. Each stacked LSTM layer becomes one ONNX `LSTM` node (gate order,
// packed biases and peepholes converted by ./onnx-lstm.ts); between layers and before the head
// the (T, Dn, B, H) output is Squeezed (one direction) or Transposed and Reshaped (two) into
// (T, B, Dn·H); Dense heads are Gemm (per sequence) or MatMul + Add (per step) with their
// activation node. Inference only: Dropout is left out, as in any exported graph.
// Left out: projection (ONNX's LSTM has none: UnsupportedError), Embedding layers, NIAF/NOAF and
// gate-less variants (the LSTM operator cannot express them; lstmToOnnx says so).
//
// dim key: B batch, T time, I input size, H hidden size, Dn directions, L stacked layers, F features.

import { ConfigError, UnsupportedError } from '../errors.js';
import { LSTM } from '../nn/lstm.js';
import { Sequential } from '../nn/sequential.js';
import { Dense } from '../nn/dense.js';
import { Activation } from '../nn/activations.js';
import { Dropout } from '../nn/dropout.js';
import { LayerNorm } from '../nn/layernorm.js';
import type { Layer } from '../nn/layer.js';
import { lstmToOnnx, type OnnxLstmAttributes } from './onnx-lstm.js';
import { GraphBuilder, irVersionFor, type AttrValue, type Dim } from './onnx-graph.js';
import { DataType } from './onnx-schema.js';

/** Options of exportOnnx(); bad values throw ConfigError. */
export interface ExportOnnxOptions {
  /** ONNX opset, 14…21 (default 17; LayerNorm needs 17 or later). */
  opset?: number;
  /** Add an int32 graph input `sequence_lens` (B): valid steps per right-padded row, fed to every LSTM node. */
  sequenceLengths?: boolean;
  /** Add graph inputs `initial_h` (L·Dn, B, H) and `initial_c` (L·Dn, B, H) for the model's LSTM (only one LSTM layer object allowed). */
  initialStates?: boolean;
  /** Also output the final states `h_n`, `c_n` (L·Dn, B, H) of the (single) LSTM. Default: true for a bare LSTM, false for a Sequential. */
  finalStates?: boolean;
  /**
   * Arrangement of the graph's sequence input and output: (B, T, ·) when true, (T, B, ·) when false.
   * Default: the first LSTM's own batchFirst. The weights do not depend on it.
   */
  batchFirst?: boolean;
  /** Graph name (default 'longshort'). */
  graphName?: string;
}

/** Where the current value sits: per-step features in (B, T, F) or (T, B, F), or one row per sequence (B, F). */
interface Cur {
  name: string;
  layout: 'BT' | 'TB' | 'vec';
  F: number;
}

const ACT_OP: Record<string, string> = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid', softmax: 'Softmax' };

/**
 * The ONNX ModelProto bytes of a longshort model. Graph inputs: `input` ((B, T, I) when the
 * first LSTM is batchFirst, else (T, B, I)), optionally `sequence_lens`, `initial_h`, `initial_c`.
 * Graph outputs: `output` (and `h_n`, `c_n` for a bare LSTM).
 */
export function exportOnnx(model: Sequential | LSTM, options: ExportOnnxOptions = {}): Uint8Array {
  const where = 'exportOnnx';
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 14 || opset > 21) {
    throw new ConfigError(`[${where}] opset must be an integer in [14, 21] (LSTM's layout attribute needs 14); received ${opset}.`);
  }
  const layers: { name: string; layer: Layer }[] =
    model instanceof LSTM ? [{ name: 'lstm', layer: model }] : model instanceof Sequential ? [...model.layers] : [];
  if (layers.length === 0) {
    throw new ConfigError(`[${where}] model must be a Sequential or an LSTM; received ${describe(model)}.`);
  }
  const lstms = layers.filter((l) => l.layer instanceof LSTM);
  if (lstms.length === 0) {
    throw new UnsupportedError(`[${where}] the model has no LSTM layer; received layers ${layers.map((l) => `${l.name} (${l.layer.kind})`).join(', ')}.`);
  }
  const finalStates = options.finalStates ?? model instanceof LSTM;
  if ((options.initialStates || finalStates) && lstms.length !== 1) {
    throw new ConfigError(
      `[${where}] initialStates/finalStates need exactly one LSTM layer object; received ${lstms.length} (${lstms.map((l) => l.name).join(', ')}). Hint: stack layers inside one LSTM with numLayers instead.`,
    );
  }
  const first = lstms[0].layer as LSTM;
  const g = new GraphBuilder();
  const B: Dim = 'batch';
  const T: Dim = 'time';
  const firstLayout = (options.batchFirst ?? first.batchFirst) ? 'BT' : 'TB';
  const inputDims = (F: number): Dim[] => (firstLayout === 'BT' ? [B, T, F] : [T, B, F]);
  // The first layer's input size: an LSTM's inputSize, or a per-step layer's.
  const inSize = inputSizeOf(layers[0].layer, first);
  let cur: Cur = { name: g.input('input', DataType.FLOAT, inputDims(inSize)), layout: firstLayout, F: inSize };
  const seqLens = options.sequenceLengths ? g.input('sequence_lens', DataType.INT32, [B]) : '';
  let initH = '';
  let initC = '';
  if (options.initialStates) {
    const S = first.numLayers * first.numDirections;
    initH = g.input('initial_h', DataType.FLOAT, [S, B, first.outSize]);
    initC = g.input('initial_c', DataType.FLOAT, [S, B, first.hiddenSize]);
  }
  let states: { h: string; c: string; S: number; H: number } | null = null;

  for (const { name, layer } of layers) {
    if (layer instanceof LSTM) {
      const r = exportLstm(g, layer, name, cur, seqLens, initH, initC, options.batchFirst ?? layer.batchFirst);
      cur = r.cur;
      states = { h: r.hN, c: r.cN, S: layer.numLayers * layer.numDirections, H: layer.hiddenSize };
    } else if (layer instanceof Dense) {
      cur = exportDense(g, layer, name, cur);
    } else if (layer instanceof Activation) {
      cur = { ...cur, name: activationNode(g, layer.fn, cur.name, name) };
    } else if (layer instanceof Dropout) {
      // inference graph: dropout is the identity
    } else if (layer instanceof LayerNorm) {
      if (opset < 17) throw new UnsupportedError(`[${where}] layer '${name}' (LayerNorm) needs ONNX LayerNormalization, opset 17 or later; received opset ${opset}.`);
      const C = layer.normalizedShape;
      const scale = g.float(`${name}.weight`, [C], layer.weight?.value ?? new Float32Array(C).fill(1));
      const bias = g.float(`${name}.bias`, [C], layer.bias?.value ?? new Float32Array(C));
      cur = { ...cur, name: g.node('LayerNormalization', [cur.name, scale, bias], [`${name}_out`], { axis: { i: -1 }, epsilon: { f: layer.eps } }, name)[0] };
    } else {
      throw new UnsupportedError(
        `[${where}] layer '${name}' (${layer.kind}) has no ONNX export; supported: LSTM, Dense, Activation, Dropout, LayerNorm.`,
      );
    }
  }
  const outDims: Dim[] = cur.layout === 'vec' ? [B, cur.F] : cur.layout === 'BT' ? [B, T, cur.F] : [T, B, cur.F];
  const out = g.node('Identity', [cur.name], ['output'], {}, 'output')[0];
  g.output(out, DataType.FLOAT, outDims);
  if (finalStates && states !== null) {
    const P = first.outSize;
    g.output(g.node('Identity', [states.h], ['h_n'], {}, 'h_n')[0], DataType.FLOAT, [states.S, B, P]);
    g.output(g.node('Identity', [states.c], ['c_n'], {}, 'c_n')[0], DataType.FLOAT, [states.S, B, states.H]);
  }
  const config = model instanceof LSTM ? { layers: [{ name: 'lstm', kind: 'LSTM', config: model.config() }] } : model.config();
  return g.build({
    opset,
    irVersion: irVersionFor(opset),
    graphName: options.graphName ?? 'longshort',
    producer: 'longshort',
    metadata: { 'longshort.config': JSON.stringify(config) },
  });
}

function inputSizeOf(layer: Layer, first: LSTM): number {
  if (layer instanceof LSTM) return layer.inputSize;
  if (layer instanceof Dense) return layer.inputSize;
  if (layer instanceof LayerNorm) return layer.normalizedShape;
  // Activation / Dropout before the LSTM keep the size
  return first.inputSize;
}

function exportLstm(
  g: GraphBuilder, lstm: LSTM, name: string, cur: Cur, seqLens: string, initH: string, initC: string, batchFirst: boolean,
): { cur: Cur; hN: string; cN: string } {
  const where = `exportOnnx: layer '${name}'`;
  if (cur.layout === 'vec') {
    throw new UnsupportedError(`[${where}] an LSTM needs a sequence (B, T, F) input; received one row per sequence (B, ${cur.F}) from the layer before it.`);
  }
  if (cur.F !== lstm.inputSize) {
    throw new ConfigError(`[${where}] inputSize=${lstm.inputSize} does not match the ${cur.F} features coming from the layer before it.`);
  }
  if (lstm.projSize > 0) {
    throw new UnsupportedError(
      `[${where}] ONNX's LSTM operator has no projection; received projSize=${lstm.projSize}. Hint: use the PyTorch safetensors bridge for projected LSTMs.`,
    );
  }
  const Dn = lstm.numDirections;
  const H = lstm.hiddenSize;
  // The LSTM nodes run time-major (layout 0): transpose a batch-major input once.
  let x = cur.layout === 'BT' ? g.node('Transpose', [cur.name], [`${name}_x_tb`], { perm: { ints: [1, 0, 2] } }, `${name}/to_time_major`)[0] : cur.name;
  const hs: string[] = [];
  const cs: string[] = [];
  for (let l = 0; l < lstm.numLayers; l++) {
    const { weights, attributes } = lstmToOnnx(lstm, l);
    const W = g.float(`${name}.W_l${l}`, weights.W.dims, weights.W.data);
    const R = g.float(`${name}.R_l${l}`, weights.R.dims, weights.R.data);
    const Bn = weights.B ? g.float(`${name}.B_l${l}`, weights.B.dims, weights.B.data) : ''; // bias: false → no B input
    const P = weights.P ? g.float(`${name}.P_l${l}`, weights.P.dims, weights.P.data) : '';
    let h0 = initH;
    let c0 = initC;
    if (initH !== '' && lstm.numLayers > 1) {
      // initial_h holds every layer's state (L·Dn, B, H): this layer's are rows [l·Dn, (l+1)·Dn).
      const starts = g.int64([l * Dn]);
      const ends = g.int64([(l + 1) * Dn]);
      const axes = g.int64([0]);
      h0 = g.node('Slice', [initH, starts, ends, axes], [`${name}_h0_l${l}`], {}, `${name}/initial_h_l${l}`)[0];
      c0 = g.node('Slice', [initC, starts, ends, axes], [`${name}_c0_l${l}`], {}, `${name}/initial_c_l${l}`)[0];
    }
    const [Y, Yh, Yc] = g.node(
      'LSTM',
      [x, W, R, Bn, seqLens, h0, c0, P],
      [`${name}_Y_l${l}`, `${name}_Yh_l${l}`, `${name}_Yc_l${l}`],
      lstmAttributes(attributes),
      `${name}/LSTM_l${l}`,
    );
    hs.push(Yh);
    cs.push(Yc);
    // Y (T, Dn, B, H) → (T, B, Dn·H)
    if (Dn === 1) {
      x = g.node('Squeeze', [Y, g.int64([1])], [`${name}_y_l${l}`], {}, `${name}/squeeze_l${l}`)[0];
    } else {
      const t = g.node('Transpose', [Y], [`${name}_yt_l${l}`], { perm: { ints: [0, 2, 1, 3] } }, `${name}/transpose_l${l}`)[0];
      x = g.node('Reshape', [t, g.int64([0, 0, -1])], [`${name}_y_l${l}`], {}, `${name}/reshape_l${l}`)[0];
    }
  }
  const hN = hs.length === 1 ? hs[0] : g.node('Concat', hs, [`${name}_h_n`], { axis: { i: 0 } }, `${name}/h_n`)[0];
  const cN = cs.length === 1 ? cs[0] : g.node('Concat', cs, [`${name}_c_n`], { axis: { i: 0 } }, `${name}/c_n`)[0];
  const F = Dn * H;
  if (!lstm.returnSequences) {
    // Each row's last valid step = the top layer's final h of each direction: Y_h (Dn, B, H) → (B, Dn·H).
    const top = hs[hs.length - 1];
    const v =
      Dn === 1
        ? g.node('Squeeze', [top, g.int64([0])], [`${name}_last`], {}, `${name}/last_step`)[0]
        : g.node('Reshape', [g.node('Transpose', [top], [`${name}_last_t`], { perm: { ints: [1, 0, 2] } }, `${name}/last_step_t`)[0], g.int64([0, -1])], [`${name}_last`], {}, `${name}/last_step`)[0];
    return { cur: { name: v, layout: 'vec', F }, hN, cN };
  }
  if (batchFirst) {
    x = g.node('Transpose', [x], [`${name}_out`], { perm: { ints: [1, 0, 2] } }, `${name}/to_batch_major`)[0];
    return { cur: { name: x, layout: 'BT', F }, hN, cN };
  }
  return { cur: { name: x, layout: 'TB', F }, hN, cN };
}

function lstmAttributes(a: OnnxLstmAttributes): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = { hidden_size: { i: a.hidden_size }, direction: { s: a.direction ?? 'forward' } };
  if (a.input_forget) out.input_forget = { i: 1 };
  if (a.clip !== null && a.clip !== undefined) out.clip = { f: a.clip };
  if (a.activations) out.activations = { strings: a.activations };
  return out;
}

function exportDense(g: GraphBuilder, d: Dense, name: string, cur: Cur): Cur {
  if (cur.F !== d.inputSize) {
    throw new ConfigError(`[exportOnnx: layer '${name}'] inputSize=${d.inputSize} does not match the ${cur.F} features coming from the layer before it.`);
  }
  const I = d.inputSize;
  const O = d.outputSize;
  let y: string;
  if (cur.layout === 'vec') {
    // (B, I) · Wᵀ + b as one Gemm with transB, the form torch.onnx.export gives nn.Linear on 2-D input.
    const W = g.float(`${name}.weight`, [O, I], d.weight.value);
    const ins = [cur.name, W];
    if (d.bias !== null) ins.push(g.float(`${name}.bias`, [O], d.bias.value));
    y = g.node('Gemm', ins, [`${name}_gemm`], { transB: { i: 1 } }, `${name}/Gemm`)[0];
  } else {
    // (…, I) · (I, O) broadcasts over the leading (B, T) dims; the weight is stored transposed.
    const wt = new Float32Array(I * O);
    for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) wt[i * O + o] = d.weight.value[o * I + i];
    const W = g.float(`${name}.weight_t`, [I, O], wt);
    y = g.node('MatMul', [cur.name, W], [`${name}_matmul`], {}, `${name}/MatMul`)[0];
    if (d.bias !== null) y = g.node('Add', [y, g.float(`${name}.bias`, [O], d.bias.value)], [`${name}_add`], {}, `${name}/Add`)[0];
  }
  if (d.activation !== 'linear') y = activationNode(g, d.activation, y, name);
  return { name: y, layout: cur.layout, F: O };
}

function activationNode(g: GraphBuilder, fn: string, x: string, name: string): string {
  const op = ACT_OP[fn];
  if (op === undefined) throw new UnsupportedError(`[exportOnnx: layer '${name}'] activation '${fn}' has no ONNX export.`);
  const attrs: Record<string, AttrValue> = op === 'Softmax' ? { axis: { i: -1 } } : {};
  return g.node(op, [x], [`${name}_${fn}`], attrs, `${name}/${op}`)[0];
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  return typeof v;
}
