// The LSTM layer's options and layouts: what a configuration may say (PyTorch nn.LSTM's options,
// Greff et al.'s variants, Keras's and ONNX's extras), how it is validated into a cell spec, which
// parameter tensors it has (PyTorch state-dict names and shapes), and the copies between the
// user's batch-first tensors and the kernels' time-major buffers. No state lives here.
//
// dim key: B batch, T time, I input size, H hidden (cell) size, P output size per direction
//          (projSize or H), Dn directions (1 or 2), L layers, G = 4H gates (i, f, g, o).

import { ConfigError } from '../errors.js';
import { checkBooleans, checkDType, checkFiniteNumber, checkOptionsObject, checkSize, checkTensorSizes, show } from '../util/check.js';
import type { Arr, DType } from '../tensor.js';
import { ACTIVATIONS, type ActivationName } from '../kernels/activations.js';
import { copyRow } from '../kernels/ref/layout.js';
import { DEFAULT_CELL, type KernelName, type Kernels, type LstmCellSpec } from '../kernels/types.js';

/** Deepest stack the constructor builds (PyTorch has no cap; real stacks have a handful of layers). */
const MAX_LAYERS = 1024;
const BOOLEAN_OPTIONS = ['bidirectional', 'reverse', 'batchFirst', 'returnSequences', 'noInputGate', 'noForgetGate', 'noOutputGate', 'noInputActivation', 'noOutputActivation', 'peepholes', 'coupledInputForget', 'checkFinite', 'bias'] as const;

/** Named variants from Greff et al. (2017), "LSTM: A Search Space Odyssey". */
export type LstmVariant = 'vanilla' | 'NIG' | 'NFG' | 'NOG' | 'NIAF' | 'NOAF' | 'PH' | 'CIFG';

/**
 * Options of an LSTM layer: PyTorch nn.LSTM's, Greff et al.'s variants, and Keras's and ONNX's
 * extras. The constructor checks every one and throws ConfigError naming the option, the expected
 * range and the value received.
 */
export interface LSTMOptions {
  /** Features per time step of the input (I), an integer ≥ 1. */
  inputSize: number;
  /** Size of the cell state c and of h before projection (H), an integer ≥ 1. */
  hiddenSize: number;
  /** Stacked layers (L); each takes the previous one's output. Default 1. */
  numLayers?: number;
  /** Run a second, backward direction per layer and concatenate both outputs (Dn = 2). Default false. */
  bidirectional?: boolean;
  /** Unidirectional only: read each row from its last valid step to its first; outputs stay at their time index (ONNX direction 'reverse'). */
  reverse?: boolean;
  /** Input and output as (B, T, ·) when true (default), (T, B, ·) when false. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode only. */
  dropout?: number;
  /** Project h to this size with weight_hr (PyTorch proj_size); 0 = off. */
  projSize?: number;
  /**
   * Learn the biases bias_ih, bias_hh (default true). false = PyTorch's nn.LSTM(bias=False): no bias
   * parameters (params, state dict, model files, ONNX B input), the kernels see zero biases.
   */
  bias?: boolean;
  /** As a Sequential layer: output every step (B, T, Dn·P), or only each row's last valid step (B, Dn·P). */
  returnSequences?: boolean;
  /** A named variant; the explicit switches below override it. */
  variant?: LstmVariant;
  /** i = 1 (no input gate). */
  noInputGate?: boolean;
  /** f = 1 (no forget gate). */
  noForgetGate?: boolean;
  /** o = 1 (no output gate). */
  noOutputGate?: boolean;
  /** g = pre-activation instead of tanh. */
  noInputActivation?: boolean;
  /** h = o ⊙ c instead of o ⊙ tanh(c). */
  noOutputActivation?: boolean;
  /** Gates also see the cell state through diagonal weights weight_ph (3H, order i, f, o). */
  peepholes?: boolean;
  /** f = 1 − i (ONNX input_forget). */
  coupledInputForget?: boolean;
  /** Clamp gate pre-activations to [−clip, clip] (ONNX clip). */
  clip?: number;
  /** Gate, candidate and output activations (Keras recurrentActivation / activation; ONNX activations). */
  activations?: { gate?: ActivationName; cell?: ActivationName; hidden?: ActivationName };
  /** 'pytorch': U(±1/√H) for every tensor (default). 'keras': glorot-uniform input weights, orthogonal recurrent weights, zero biases. */
  init?: 'pytorch' | 'keras';
  /** Value of the forget-gate bias (in bias_ih) after initialisation; null keeps the plain init. Default 1. */
  forgetBias?: number | null;
  /** Seed for the initial weights and the layer's own dropout generator. Default 0. */
  seed?: number;
  /** Element type of weights, inputs and outputs. Default 'float32'. */
  dtype?: DType;
  /** Reject NaN/Infinity in inputs with a clear error. */
  checkFinite?: boolean;
  /** The kernel family to compute with (chosen once, here): a name, or a family such as createWasmKernelsThreaded()'s. Default 'auto'. */
  kernels?: 'auto' | KernelName | Kernels;
}

const VARIANTS: Record<LstmVariant, Partial<LstmCellSpec>> = {
  vanilla: {},
  NIG: { inputGate: false },
  NFG: { forgetGate: false },
  NOG: { outputGate: false },
  NIAF: { cellAct: 'identity' },
  NOAF: { hiddenAct: 'identity' },
  PH: { peephole: true },
  CIFG: { coupled: true },
};

/** A validated configuration: every option resolved to its value. */
export interface LstmConfig {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  reverse: boolean;
  batchFirst: boolean;
  dropout: number;
  projSize: number;
  bias: boolean;
  returnSequences: boolean;
  spec: Readonly<LstmCellSpec>;
  dtype: DType;
  checkFinite: boolean;
}

/** Check every option (ConfigError naming the option, the expected range and the value received) and resolve the cell spec. */
export function resolveLstmOptions(o: LSTMOptions): LstmConfig {
  checkOptionsObject('[LSTM]', o);
  checkBooleans('[LSTM]', o, BOOLEAN_OPTIONS);
  checkDType('[LSTM]', o.dtype);
  if (o.seed !== undefined) checkFiniteNumber('[LSTM]', 'seed', o.seed);
  if (o.forgetBias !== undefined && o.forgetBias !== null) checkFiniteNumber('[LSTM]', 'forgetBias', o.forgetBias);
  checkPositiveInt('inputSize', o.inputSize);
  checkPositiveInt('hiddenSize', o.hiddenSize);
  const numLayers = o.numLayers ?? 1;
  checkPositiveInt('numLayers', numLayers);
  // every layer and direction is a dozen typed arrays: a stack deeper than this is a typo, not a model
  if (numLayers > MAX_LAYERS) throw new ConfigError(`[LSTM] numLayers must be at most ${MAX_LAYERS}; received ${numLayers}.`);
  const dropout = o.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new ConfigError(`[LSTM] dropout must be in [0, 1); received ${show(dropout)}.`);
  const projSize = o.projSize ?? 0;
  if (projSize !== 0 && (!Number.isInteger(projSize) || projSize < 0 || projSize >= o.hiddenSize)) {
    throw new ConfigError(
      `[LSTM] projSize must be an integer in [0, hiddenSize) = [0, ${o.hiddenSize}); received ${show(projSize)}. Hint: 0 turns projection off.`,
    );
  }
  if (o.bias !== undefined && typeof o.bias !== 'boolean') throw new ConfigError(`[LSTM] bias must be true or false; received ${JSON.stringify(o.bias)}.`);
  const clip = o.clip ?? Infinity;
  if (typeof clip !== 'number' || !(clip > 0)) throw new ConfigError(`[LSTM] clip must be a positive number (or omitted for no clipping); received ${show(clip)}.`);
  const variant = o.variant ?? 'vanilla';
  if (typeof variant !== 'string' || !Object.prototype.hasOwnProperty.call(VARIANTS, variant)) {
    throw new ConfigError(`[LSTM] variant must be one of ${Object.keys(VARIANTS).join(', ')}; received ${show(variant)}.`);
  }
  const spec: LstmCellSpec = { ...DEFAULT_CELL, ...VARIANTS[variant], clip };
  if (o.noInputGate) spec.inputGate = false;
  if (o.noForgetGate) spec.forgetGate = false;
  if (o.noOutputGate) spec.outputGate = false;
  if (o.noInputActivation) spec.cellAct = 'identity';
  if (o.noOutputActivation) spec.hiddenAct = 'identity';
  if (o.peepholes) spec.peephole = true;
  if (o.coupledInputForget) spec.coupled = true;
  for (const [key, field] of [['gate', 'gateAct'], ['cell', 'cellAct'], ['hidden', 'hiddenAct']] as const) {
    const a = o.activations?.[key];
    if (a === undefined) continue;
    if (!ACTIVATIONS.includes(a)) {
      throw new ConfigError(`[LSTM] activations.${key} must be one of ${ACTIVATIONS.join(', ')}; received ${show(a)}.`);
    }
    spec[field] = a;
  }
  if (spec.coupled && !spec.inputGate) {
    throw new ConfigError('[LSTM] coupledInputForget needs the input gate (f = 1 − i); received noInputGate: true as well.');
  }
  const bidirectional = o.bidirectional ?? false;
  const reverse = o.reverse ?? false;
  if (reverse && bidirectional) {
    throw new ConfigError('[LSTM] reverse applies to a unidirectional layer; received reverse: true with bidirectional: true.');
  }
  const dtype = o.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new ConfigError(`[LSTM] dtype must be 'float32' or 'float64'; received '${String(dtype)}'.`);
  const init = o.init ?? 'pytorch';
  if (init !== 'pytorch' && init !== 'keras') throw new ConfigError(`[LSTM] init must be 'pytorch' or 'keras'; received ${show(init)}.`);
  {
    const H = o.hiddenSize;
    const G = 4 * H;
    const P = projSize > 0 ? projSize : H;
    const Dn = bidirectional ? 2 : 1;
    checkTensorSizes('[LSTM]', [['weight_ih_l0', [G, o.inputSize]], ['weight_ih_l1', [G, numLayers > 1 ? Dn * P : 0]], ['weight_hh_l0', [G, P]], ['weight_hr_l0', [P, projSize > 0 ? H : 0]]], `hiddenSize=${H}, inputSize=${o.inputSize}`);
  }
  return {
    inputSize: o.inputSize,
    hiddenSize: o.hiddenSize,
    numLayers,
    bidirectional,
    reverse,
    batchFirst: o.batchFirst ?? true,
    dropout,
    projSize,
    bias: o.bias ?? true,
    returnSequences: o.returnSequences ?? true,
    spec: Object.freeze(spec),
    dtype,
    checkFinite: o.checkFinite ?? false,
  };
}

function checkPositiveInt(name: string, v: number): void {
  checkSize('[LSTM]', name, v);
}

/** Which tensor of a direction's weights (the LstmWeights field). */
export type LstmField = 'wih' | 'whh' | 'bih' | 'bhh' | 'whr' | 'peep';

/** One parameter tensor of the layer: its state-dict name, shape, and where it sits. */
export interface LstmParamSlot {
  name: string;
  shape: number[];
  layer: number;
  direction: number;
  field: LstmField;
}

/**
 * The parameters in state-dict order: per layer and direction weight_ih, weight_hh, bias_ih,
 * bias_hh (unless bias is false), then weight_hr (projection) and weight_ph (peepholes, 3H in order i, f, o; PyTorch has
 * none), with suffix _l{k} and _reverse for the backward direction — PyTorch's names and shapes.
 */
export function lstmParamLayout(c: LstmConfig): LstmParamSlot[] {
  const H = c.hiddenSize;
  const P = c.projSize > 0 ? c.projSize : H;
  const Dn = c.bidirectional ? 2 : 1;
  const out: LstmParamSlot[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const inSize = l === 0 ? c.inputSize : Dn * P;
    for (let d = 0; d < Dn; d++) {
      const s = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const at = { layer: l, direction: d };
      out.push({ name: `weight_ih${s}`, shape: [4 * H, inSize], field: 'wih', ...at });
      out.push({ name: `weight_hh${s}`, shape: [4 * H, P], field: 'whh', ...at });
      if (c.bias) {
        out.push({ name: `bias_ih${s}`, shape: [4 * H], field: 'bih', ...at });
        out.push({ name: `bias_hh${s}`, shape: [4 * H], field: 'bhh', ...at });
      }
      if (c.projSize > 0) out.push({ name: `weight_hr${s}`, shape: [P, H], field: 'whr', ...at });
      if (c.spec.peephole) out.push({ name: `weight_ph${s}`, shape: [3 * H], field: 'peep', ...at });
    }
  }
  return out;
}

// ---------------------------------------------------------------- time-major layout

/** dst (T, B, F) ← src (B, T, F) when batchFirst, else a plain copy (k: the layer's kernels). */
export function toTimeMajor(k: Kernels, dst: Arr, src: Arr, T: number, B: number, F: number, batchFirst: boolean): void {
  if (batchFirst) k.swapAxes(dst, src, B, T, F);
  else dst.set(src.subarray(0, T * B * F));
}

/** dst (B, T, F) ← src (T, B, F) when batchFirst, else a plain copy (k: the layer's kernels). */
export function fromTimeMajor(k: Kernels, dst: Arr, src: Arr, T: number, B: number, F: number, batchFirst: boolean): void {
  if (batchFirst) k.swapAxes(dst, src, T, B, F);
  else dst.set(src.subarray(0, T * B * F));
}

/** out (N, Dn·P)[:, d·P:(d+1)·P] ← y (N, P) (bidirectional layers; one direction writes out directly) */
export function interleave(out: Arr, y: Arr, N: number, P: number, d: number, Dn: number): void {
  for (let n = 0; n < N; n++) copyRow(out, (n * Dn + d) * P, y, n * P, P);
}

/** y (N, P) ← src (N, Dn·P)[:, d·P:(d+1)·P] (bidirectional layers) */
export function deinterleave(y: Arr, src: Arr, N: number, P: number, d: number, Dn: number): void {
  for (let n = 0; n < N; n++) copyRow(y, n * P, src, (n * Dn + d) * P, P);
}
