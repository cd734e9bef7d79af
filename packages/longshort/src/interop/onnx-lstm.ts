// The ONNX LSTM operator's tensors and attributes ⇄ a longshort LSTM layer. This is the import
// boundary where ONNX's gate order (i, o, f, c), its packed biases B = [Wb; Rb] and its peephole
// order (i, o, f) become PyTorch's i, f, g, o and longshort's peephole order i, f, o. It knows
// nothing of protobuf: the .onnx reader and writer (src/interop/onnx*.ts) hand it plain arrays.
//
// dim key: Dn directions, H hidden size, I input size.
//   W (Dn, 4H, I)  R (Dn, 4H, H)  B (Dn, 8H)  P (Dn, 3H)

import { ConfigError, ShapeError, UnsupportedError } from '../errors.js';
import { LSTM } from '../nn/lstm.js';
import type { ActivationName } from '../kernels/activations.js';
import { formatShape } from '../tensor.js';

/** A tensor as plain data: its dims and its values, row-major. */
export interface OnnxTensorLike {
  /** Shape. */
  dims: readonly number[];
  /** Values, row-major. */
  data: ArrayLike<number>;
}

/** The attributes of an ONNX LSTM node, named as in the ONNX operator spec. */
export interface OnnxLstmAttributes {
  /** H. */
  hidden_size: number;
  /** Default 'forward'. */
  direction?: 'forward' | 'reverse' | 'bidirectional';
  /** 0: x (T, B, I); 1: x (B, T, I) (batch first). Default 0. */
  layout?: 0 | 1;
  /** 1 couples the input and forget gates. Default 0. */
  input_forget?: 0 | 1;
  /** Cell clip; null or absent = none. */
  clip?: number | null;
  /** f, g, h per direction (Sigmoid, Tanh, Relu or HardSigmoid); default Sigmoid, Tanh, Tanh. */
  activations?: string[] | null;
  /** HardSigmoid's alpha; only 0.2 is supported. */
  activation_alpha?: number[] | null;
  /** HardSigmoid's beta; only 0.5 is supported. */
  activation_beta?: number[] | null;
}

/** The weight inputs of an ONNX LSTM node (Dn = 2 when bidirectional, else 1; gates in ONNX order i, o, f, c). */
export interface OnnxLstmWeights {
  /** (Dn, 4H, I) input weights. */
  W: OnnxTensorLike;
  /** (Dn, 4H, H) recurrent weights. */
  R: OnnxTensorLike;
  /** (Dn, 8H) input then recurrent biases; absent = no bias. */
  B?: OnnxTensorLike;
  /** (Dn, 3H) peephole weights (i, o, f); absent = no peepholes. */
  P?: OnnxTensorLike;
}

/** ONNX block k (i, o, f, c) holds our gate ONNX_TO_OURS[k] (i=0, f=1, g=2, o=3). */
const ONNX_TO_OURS = [0, 3, 1, 2];
/** ONNX peephole block k (i, o, f) holds our peephole slot (i=0, f=1, o=2). */
const ONNX_PEEP_TO_OURS = [0, 2, 1];

const ACT_FROM_ONNX: Record<string, ActivationName> = {
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  hardsigmoid: 'hardSigmoid',
};
const ACT_TO_ONNX: Record<ActivationName, string> = {
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  relu: 'Relu',
  identity: '',
  hardSigmoid: 'HardSigmoid',
};

/** A longshort LSTM equal to one ONNX LSTM node (direction 'reverse' maps to the layer's `reverse` option). */
export function lstmFromOnnx(weights: OnnxLstmWeights, attrs: OnnxLstmAttributes, where = 'onnx LSTM'): LSTM {
  const H = attrs.hidden_size;
  const direction = attrs.direction ?? 'forward';
  const Dn = direction === 'bidirectional' ? 2 : 1;
  const { W, R } = weights;
  if (W.dims.length !== 3 || W.dims[0] !== Dn || W.dims[1] !== 4 * H) {
    throw new ShapeError(`[${where}] W must have shape (${Dn}, ${4 * H}, I) for hidden_size=${H}, direction=${direction}; received ${formatShape(W.dims)}.`);
  }
  const I = W.dims[2];
  expectDims(R, [Dn, 4 * H, H], 'R', where);
  if (weights.B) expectDims(weights.B, [Dn, 8 * H], 'B', where);
  if (weights.P) expectDims(weights.P, [Dn, 3 * H], 'P', where);

  // The default is f=Sigmoid, g=Tanh, h=Tanh for every direction (3·Dn entries).
  const defaults = Dn === 2 ? ['Sigmoid', 'Tanh', 'Tanh', 'Sigmoid', 'Tanh', 'Tanh'] : ['Sigmoid', 'Tanh', 'Tanh'];
  const acts = (attrs.activations ?? defaults).map((a) => a.toLowerCase());
  if (acts.length !== 3 * Dn) {
    throw new ConfigError(`[${where}] activations must list ${3 * Dn} functions for direction=${direction}; received ${acts.length}.`);
  }
  if (Dn === 2 && acts.slice(0, 3).join() !== acts.slice(3).join()) {
    throw new UnsupportedError(`[${where}] different activations per direction are not supported; received ${attrs.activations!.join(', ')}.`);
  }
  const mapped = acts.slice(0, 3).map((a) => {
    const m = ACT_FROM_ONNX[a];
    if (m === undefined) {
      throw new UnsupportedError(`[${where}] activation '${a}' is not supported; supported: Sigmoid, Tanh, Relu, HardSigmoid.`);
    }
    return m;
  });
  const alpha = attrs.activation_alpha ?? null;
  const beta = attrs.activation_beta ?? null;
  if (mapped.includes('hardSigmoid') && (alpha !== null || beta !== null)) {
    const okAlpha = alpha === null || alpha.every((v) => Math.abs(v - 0.2) < 1e-7);
    const okBeta = beta === null || beta.every((v) => Math.abs(v - 0.5) < 1e-7);
    if (!okAlpha || !okBeta) {
      throw new UnsupportedError(`[${where}] HardSigmoid is supported with alpha=0.2, beta=0.5 only; received alpha=${alpha}, beta=${beta}.`);
    }
  }

  const lstm = new LSTM({
    inputSize: I,
    hiddenSize: H,
    bidirectional: Dn === 2,
    reverse: direction === 'reverse',
    batchFirst: (attrs.layout ?? 0) === 1,
    coupledInputForget: (attrs.input_forget ?? 0) === 1,
    peepholes: weights.P !== undefined,
    clip: attrs.clip ?? undefined,
    bias: weights.B !== undefined, // no B input: PyTorch's bias=False export
    activations: { gate: mapped[0], cell: mapped[1], hidden: mapped[2] },
    forgetBias: null,
  });
  const dict: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (let d = 0; d < Dn; d++) {
    const s = d === 1 ? '_l0_reverse' : '_l0';
    dict[`weight_ih${s}`] = { shape: [4 * H, I], data: regate(W.data, d, H, I) };
    dict[`weight_hh${s}`] = { shape: [4 * H, H], data: regate(R.data, d, H, H) };
    if (weights.B) {
      const bih = new Float32Array(4 * H);
      const bhh = new Float32Array(4 * H);
      const b = weights.B.data;
      for (let k = 0; k < 4; k++) {
        for (let j = 0; j < H; j++) {
          bih[ONNX_TO_OURS[k] * H + j] = b[d * 8 * H + k * H + j];
          bhh[ONNX_TO_OURS[k] * H + j] = b[d * 8 * H + 4 * H + k * H + j];
        }
      }
      dict[`bias_ih${s}`] = { shape: [4 * H], data: bih };
      dict[`bias_hh${s}`] = { shape: [4 * H], data: bhh };
    }
    if (weights.P) {
      const p = weights.P.data;
      const peep = new Float32Array(3 * H);
      for (let k = 0; k < 3; k++) for (let j = 0; j < H; j++) peep[ONNX_PEEP_TO_OURS[k] * H + j] = p[d * 3 * H + k * H + j];
      dict[`weight_ph${s}`] = { shape: [3 * H], data: peep };
    }
  }
  lstm.loadStateDict(dict);
  return lstm;
}

/**
 * The ONNX LSTM node (weights and attributes) for layer `layer` of a longshort LSTM. Projection
 * has no ONNX equivalent; 'identity' activations have none in the LSTM node either.
 */
export function lstmToOnnx(lstm: LSTM, layer = 0): { weights: Required<Pick<OnnxLstmWeights, 'W' | 'R'>> & { B?: OnnxTensorLike; P?: OnnxTensorLike }; attributes: OnnxLstmAttributes } {
  const where = 'lstmToOnnx';
  if (lstm.projSize > 0) throw new UnsupportedError(`[${where}] ONNX's LSTM operator has no projection; received projSize=${lstm.projSize}.`);
  const spec = lstm.spec;
  if (!spec.inputGate || !spec.forgetGate || !spec.outputGate) {
    throw new UnsupportedError(`[${where}] ONNX's LSTM operator cannot switch a gate off; received a layer without its ${!spec.inputGate ? 'input' : !spec.forgetGate ? 'forget' : 'output'} gate.`);
  }
  for (const a of [spec.gateAct, spec.cellAct, spec.hiddenAct]) {
    if (ACT_TO_ONNX[a] === '') throw new UnsupportedError(`[${where}] ONNX's LSTM operator has no '${a}' activation (the NIAF/NOAF variants).`);
  }
  const H = lstm.hiddenSize;
  const Dn = lstm.numDirections;
  const sd = lstm.stateDict();
  const I = sd[`weight_ih_l${layer}`].shape[1];
  const W = new Float32Array(Dn * 4 * H * I);
  const R = new Float32Array(Dn * 4 * H * H);
  const B = lstm.bias ? new Float32Array(Dn * 8 * H) : null; // bias=False: no B input
  const P = spec.peephole ? new Float32Array(Dn * 3 * H) : null;
  for (let d = 0; d < Dn; d++) {
    const s = `_l${layer}${d === 1 ? '_reverse' : ''}`;
    const wih = sd[`weight_ih${s}`].data;
    const whh = sd[`weight_hh${s}`].data;
    for (let k = 0; k < 4; k++) {
      const ours = ONNX_TO_OURS[k];
      W.set(wih.subarray(ours * H * I, (ours + 1) * H * I), (d * 4 + k) * H * I);
      R.set(whh.subarray(ours * H * H, (ours + 1) * H * H), (d * 4 + k) * H * H);
      if (B !== null) {
        B.set(sd[`bias_ih${s}`].data.subarray(ours * H, (ours + 1) * H), d * 8 * H + k * H);
        B.set(sd[`bias_hh${s}`].data.subarray(ours * H, (ours + 1) * H), d * 8 * H + 4 * H + k * H);
      }
    }
    if (P !== null) {
      const peep = sd[`weight_ph${s}`].data;
      for (let k = 0; k < 3; k++) P.set(peep.subarray(ONNX_PEEP_TO_OURS[k] * H, (ONNX_PEEP_TO_OURS[k] + 1) * H), (d * 3 + k) * H);
    }
  }
  const acts = [spec.gateAct, spec.cellAct, spec.hiddenAct].map((a) => ACT_TO_ONNX[a]);
  const attributes: OnnxLstmAttributes = {
    hidden_size: H,
    direction: Dn === 2 ? 'bidirectional' : lstm.reverse ? 'reverse' : 'forward',
    layout: 0,
    input_forget: spec.coupled ? 1 : 0,
    clip: Number.isFinite(spec.clip) ? spec.clip : null,
    activations: Dn === 2 ? [...acts, ...acts] : acts,
  };
  const weights = {
    W: { dims: [Dn, 4 * H, I], data: W },
    R: { dims: [Dn, 4 * H, H], data: R },
    ...(B !== null ? { B: { dims: [Dn, 8 * H], data: B } } : {}),
    ...(P !== null ? { P: { dims: [Dn, 3 * H], data: P } } : {}),
  };
  return { weights, attributes };
}

/** Rows of direction d of an ONNX (Dn, 4H, cols) tensor, reordered from i,o,f,c to i,f,g,o. */
function regate(src: ArrayLike<number>, d: number, H: number, cols: number): Float32Array {
  const out = new Float32Array(4 * H * cols);
  for (let k = 0; k < 4; k++) {
    const from = (d * 4 + k) * H * cols;
    const to = ONNX_TO_OURS[k] * H * cols;
    for (let n = 0; n < H * cols; n++) out[to + n] = src[from + n];
  }
  return out;
}

function expectDims(t: OnnxTensorLike, dims: number[], name: string, where: string): void {
  if (t.dims.length !== dims.length || t.dims.some((d, k) => d !== dims[k])) {
    throw new ShapeError(`[${where}] ${name} must have shape ${formatShape(dims)}; received ${formatShape(t.dims)}.`);
  }
}
