// The LSTM layer: stacked, bidirectional, projected, variable-length, with Greff et al.'s gate
// variants — PyTorch's nn.LSTM interface and state-dict names, plus a streaming step() API.
// Input checking happens here, once; the kernels (src/kernels) do the arithmetic.
//
// dim key: B batch, T time, I input size, H hidden (cell) size, P output size per direction
//          (projSize or H), Dn directions (1 or 2), L layers, G = 4H gates (i, f, g, o).

import { Tensor, allocArr, formatShape, type Arr, type DType } from '../tensor.js';
import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { getKernels, type KernelName, type Kernels } from '../kernels/index.js';
import { ACTIVATIONS, type ActivationName } from '../kernels/activations.js';
import { DEFAULT_CELL, type LstmBackWork, type LstmCache, type LstmCellSpec, type LstmDims, type LstmRun, type LstmWeights } from '../kernels/types.js';
import { loadParams, type CallContext, type Layer, type Param, type StateDictLike } from './layer.js';
import { checkBooleans, checkDType, checkFiniteNumber, checkOptionsObject, checkSize, checkTensorSizes, show } from '../util/check.js';

/** Deepest stack the constructor builds (PyTorch has no cap; real stacks have a handful of layers). */
const MAX_LAYERS = 1024;
const BOOLEAN_OPTIONS = ['bidirectional', 'reverse', 'batchFirst', 'returnSequences', 'noInputGate', 'noForgetGate', 'noOutputGate', 'noInputActivation', 'noOutputActivation', 'peepholes', 'coupledInputForget', 'checkFinite'] as const;

/** Named variants from Greff et al. (2017), "LSTM: A Search Space Odyssey". */
export type LstmVariant = 'vanilla' | 'NIG' | 'NFG' | 'NOG' | 'NIAF' | 'NOAF' | 'PH' | 'CIFG';

export interface LSTMOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bidirectional?: boolean;
  /** Unidirectional only: read each row from its last valid step to its first; outputs stay at their time index (ONNX direction 'reverse'). */
  reverse?: boolean;
  /** Input and output as (B, T, ·) when true (default), (T, B, ·) when false. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode only. */
  dropout?: number;
  /** Project h to this size with weight_hr (PyTorch proj_size); 0 = off. */
  projSize?: number;
  /** As a Sequential layer: output every step (B, T, Dn·P), or only each row's last valid step (B, Dn·P). */
  returnSequences?: boolean;
  /** A named variant; the explicit switches below override it. */
  variant?: LstmVariant;
  noInputGate?: boolean;
  noForgetGate?: boolean;
  noOutputGate?: boolean;
  /** g = pre-activation instead of tanh. */
  noInputActivation?: boolean;
  /** h = o ⊙ c instead of o ⊙ tanh(c). */
  noOutputActivation?: boolean;
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
  seed?: number;
  dtype?: DType;
  /** Reject NaN/Infinity in inputs with a clear error. */
  checkFinite?: boolean;
  kernels?: 'auto' | KernelName;
}

export interface LstmForwardOptions {
  /** (L·Dn, B, P) */
  h0?: Tensor;
  /** (L·Dn, B, H) */
  c0?: Tensor;
  /** Valid steps per row, each in [1, T]; omitted or null: every row has T steps. */
  lengths?: ArrayLike<number> | null;
  training?: boolean;
  /** Also return i, f, g, o and c at every step. */
  returnGates?: boolean;
  /** Generator for dropout masks (required with dropout > 0 in training; defaults to the layer's own). */
  rng?: Rng;
}

export interface LstmGates {
  layer: number;
  direction: 'forward' | 'reverse';
  /** Each (B, T, H) with batchFirst, else (T, B, H); zero past a row's length. */
  i: Tensor;
  f: Tensor;
  g: Tensor;
  o: Tensor;
  c: Tensor;
}

export interface LstmForwardResult {
  /** (B, T, Dn·P) with batchFirst, else (T, B, Dn·P). */
  output: Tensor;
  /** (L·Dn, B, P) */
  h: Tensor;
  /** (L·Dn, B, H) */
  c: Tensor;
  gates?: LstmGates[];
}

export interface LstmState {
  /** (L, B, P) */
  h: Tensor;
  /** (L, B, H) */
  c: Tensor;
}

interface Cell {
  w: LstmWeights;
  g: LstmWeights;
  inSize: number;
  suffix: string; // '_l0', '_l0_reverse'
}

interface DirRun {
  cache: LstmCache;
  work: LstmBackWork | null;
  y: Arr | null; // (T, B, P); null with one direction, which writes the layer's output (io.output) directly
  hN: Arr; // (B, P)
  cN: Arr; // (B, H)
}

/**
 * Buffers from kernels.allocBuffers (WebAssembly memory when the wasm kernels run, so kernel calls
 * use them in place). A kernel call may grow that memory, which replaces the views: read a field
 * again after every kernel call instead of keeping the array.
 */
type KBuf<K extends string> = Record<K, Arr>;

interface Workspace {
  T: number;
  B: number;
  /** Per layer: input (T, B, Din) time-major (layer 0: x copied) and output (T, B, Dn·P) before dropout. */
  io: KBuf<'input' | 'output'>[];
  /** Per layer, per direction. */
  runs: DirRun[][];
  /** Per layer but the last: dropout mask (T, B, Dn·P) scaled by 1/(1−p), or null. */
  masks: (Arr | null)[];
  lengths: Int32Array | null;
  training: boolean;
  /** backward() has used the saved forward pass (it overwrites the gates with their gradients). */
  consumed: boolean;
  /** (B, P), (B, H) zero initial states. */
  zeroH: Arr;
  zeroC: Arr;
  /** Backward scratch, made on the first backward: dY (T, B, Dn·P) of the top layer, dIn per layer (T, B, Din), one direction's dy (T, B, P) (bidirectional only). */
  back: { dY: KBuf<'d'>; dIn: KBuf<'d'>[]; dyDir: KBuf<'d'> | null } | null;
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

export class LSTM implements Layer {
  readonly kind = 'LSTM';
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly reverse: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly projSize: number;
  readonly returnSequences: boolean;
  readonly spec: Readonly<LstmCellSpec>;
  readonly dtype: DType;
  readonly checkFinite: boolean;
  private readonly options: LSTMOptions;
  private readonly cells: Cell[][]; // [layer][direction]
  private readonly rng: Rng;
  private kernels: Kernels;
  private ws: Workspace | null = null;
  private stepWs: { B: number; caches: LstmCache[]; y: Arr[]; hN: Arr[]; cN: Arr[]; x: Arr } | null = null;
  private lastCall: { returnSequences: boolean; shape: readonly number[] } | null = null;

  constructor(options: LSTMOptions) {
    const o = options;
    checkOptionsObject('[LSTM]', o);
    checkBooleans('[LSTM]', o, BOOLEAN_OPTIONS);
    checkDType('[LSTM]', o.dtype);
    if (o.seed !== undefined) checkFiniteNumber('[LSTM]', 'seed', o.seed);
    if (o.kernels !== undefined && typeof o.kernels !== 'string') throw new ConfigError(`[LSTM] kernels must be 'auto' or a kernel name such as 'ref' or 'wasm'; received ${show(o.kernels)}.`);
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
    if (!Number.isInteger(projSize) || projSize < 0 || projSize >= o.hiddenSize) {
      if (projSize !== 0) {
        throw new ConfigError(
          `[LSTM] projSize must be an integer in [0, hiddenSize) = [0, ${o.hiddenSize}); received ${show(projSize)}. Hint: 0 turns projection off.`,
        );
      }
    }
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

    this.inputSize = o.inputSize;
    this.hiddenSize = o.hiddenSize;
    this.numLayers = numLayers;
    this.bidirectional = o.bidirectional ?? false;
    this.reverse = o.reverse ?? false;
    if (this.reverse && this.bidirectional) {
      throw new ConfigError('[LSTM] reverse applies to a unidirectional layer; received reverse: true with bidirectional: true.');
    }
    this.batchFirst = o.batchFirst ?? true;
    this.dropout = dropout;
    this.projSize = projSize;
    this.returnSequences = o.returnSequences ?? true;
    this.spec = Object.freeze(spec);
    this.dtype = o.dtype ?? 'float32';
    this.checkFinite = o.checkFinite ?? false;
    this.options = { ...o };
    this.rng = new Rng(o.seed ?? 0);
    this.kernels = getKernels(this.dtype === 'float64' ? 'ref' : (o.kernels ?? 'auto'));

    const H = this.hiddenSize;
    const P = this.outSize;
    const G = 4 * H;
    const Dn = this.numDirections;
    checkTensorSizes('[LSTM]', [['weight_ih_l0', [G, this.inputSize]], ['weight_ih_l1', [G, numLayers > 1 ? Dn * P : 0]], ['weight_hh_l0', [G, P]], ['weight_hr_l0', [P, projSize > 0 ? H : 0]]], `hiddenSize=${H}, inputSize=${this.inputSize}`);
    this.cells = [];
    for (let l = 0; l < numLayers; l++) {
      const inSize = l === 0 ? this.inputSize : Dn * P;
      const row: Cell[] = [];
      for (let d = 0; d < Dn; d++) {
        const make = (): LstmWeights => ({
          wih: allocArr(G * inSize, this.dtype),
          whh: allocArr(G * P, this.dtype),
          bih: allocArr(G, this.dtype),
          bhh: allocArr(G, this.dtype),
          whr: projSize > 0 ? allocArr(P * H, this.dtype) : null,
          peep: spec.peephole ? allocArr(3 * H, this.dtype) : null,
        });
        row.push({ w: make(), g: make(), inSize, suffix: `_l${l}${d === 1 ? '_reverse' : ''}` });
      }
      this.cells.push(row);
    }
    this.initialize(o.init ?? 'pytorch', o.forgetBias === undefined ? 1 : o.forgetBias);
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Size of h per direction: projSize when projecting, else hiddenSize. */
  get outSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  get kernelName(): KernelName {
    return this.kernels.name;
  }

  /** Switch kernels ('ref' | 'wasm' | 'auto', or a kernel set such as createWasmKernelsThreaded()'s); float64 layers always use 'ref'. */
  useKernels(prefer: 'auto' | KernelName | Kernels): void {
    this.releaseWorkspace();
    if (this.stepWs !== null) for (const c of this.stepWs.caches) this.kernels.release(c);
    this.kernels = this.dtype === 'float64' ? getKernels('ref') : typeof prefer === 'object' ? prefer : getKernels(prefer);
    this.stepWs = null;
  }

  private initialize(init: 'pytorch' | 'keras', forgetBias: number | null): void {
    const H = this.hiddenSize;
    const k = 1 / Math.sqrt(H);
    for (const row of this.cells) {
      for (const cell of row) {
        const w = cell.w;
        if (init === 'pytorch') {
          for (const a of [w.wih, w.whh, w.bih, w.bhh, w.whr, w.peep]) {
            if (a !== null) for (let n = 0; n < a.length; n++) a[n] = this.rng.uniform(-k, k);
          }
        } else if (init === 'keras') {
          // Keras: kernel (I, 4H) glorot-uniform, recurrent (P, 4H) orthogonal, biases zero.
          const lim = Math.sqrt(6 / (cell.inSize + 4 * H));
          for (let n = 0; n < w.wih.length; n++) w.wih[n] = this.rng.uniform(-lim, lim);
          orthogonalInit(w.whh, 4 * H, this.outSize, this.rng);
          w.bih.fill(0);
          w.bhh.fill(0);
          if (w.whr !== null) {
            const lr = Math.sqrt(6 / (H + this.outSize));
            for (let n = 0; n < w.whr.length; n++) w.whr[n] = this.rng.uniform(-lr, lr);
          }
          if (w.peep !== null) w.peep.fill(0);
        } else {
          throw new ConfigError(`[LSTM] init must be 'pytorch' or 'keras'; received ${show(init)}.`);
        }
        if (forgetBias !== null) {
          // The whole forget bias sits in bias_ih so the sum b_ih + b_hh equals forgetBias.
          for (let j = 0; j < H; j++) {
            w.bih[H + j] = forgetBias;
            w.bhh[H + j] = 0;
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- parameters

  params(): Param[] {
    const out: Param[] = [];
    const H = this.hiddenSize;
    const P = this.outSize;
    for (const row of this.cells) {
      for (const cell of row) {
        const s = cell.suffix;
        out.push({ name: `weight_ih${s}`, shape: [4 * H, cell.inSize], value: cell.w.wih, grad: cell.g.wih });
        out.push({ name: `weight_hh${s}`, shape: [4 * H, P], value: cell.w.whh, grad: cell.g.whh });
        out.push({ name: `bias_ih${s}`, shape: [4 * H], value: cell.w.bih, grad: cell.g.bih });
        out.push({ name: `bias_hh${s}`, shape: [4 * H], value: cell.w.bhh, grad: cell.g.bhh });
        if (cell.w.whr !== null) out.push({ name: `weight_hr${s}`, shape: [P, H], value: cell.w.whr, grad: cell.g.whr! });
        if (cell.w.peep !== null) out.push({ name: `weight_ph${s}`, shape: [3 * H], value: cell.w.peep, grad: cell.g.peep! });
      }
    }
    return out;
  }

  /** Parameter gradients by state-dict name (live arrays, not copies). */
  grads(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const p of this.params()) out[p.name] = new Tensor(p.grad, p.shape);
    return out;
  }

  zeroGrad(): void {
    for (const p of this.params()) p.grad.fill(0);
  }

  /**
   * PyTorch state-dict: weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, weight_hr_l{k}
   * (projection), `_reverse` for the backward direction, gate order i, f, g, o. Peephole weights,
   * which PyTorch lacks, are weight_ph_l{k} (3H, order i, f, o). Returns copies.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const p of this.params()) out[p.name] = new Tensor(p.value.slice(), p.shape);
    return out;
  }

  /** Load a state dict; every expected tensor must be present with its exact shape (strict: no extra ones either). */
  loadStateDict(dict: StateDictLike, { strict = true } = {}): void {
    loadParams(this.params(), dict, 'LSTM.loadStateDict', {
      strict,
      missingHint: " Hint: strip prefixes such as 'lstm.' or 'rnn.' from PyTorch names before loading.",
      extraHint: ' Hint: check numLayers, bidirectional, projSize and peepholes, or pass { strict: false }.',
    });
  }

  config(): Record<string, unknown> {
    const { seed: _seed, kernels: _kernels, ...rest } = this.options;
    return { ...rest, dtype: this.dtype };
  }

  outputShape(inputShape: readonly (number | null)[]): (number | null)[] {
    const F = this.numDirections * this.outSize;
    if (!this.returnSequences) return [inputShape[this.batchFirst ? 0 : 1], F];
    return [inputShape[0], inputShape[1], F];
  }

  // ---------------------------------------------------------------- forward / backward

  forward(x: Tensor, opts: LstmForwardOptions = {}): LstmForwardResult {
    const where = 'LSTM.forward';
    const { T, B } = this.checkInput(x, where);
    const lengths = this.checkLengths(opts.lengths, B, T, where);
    const L = this.numLayers;
    const Dn = this.numDirections;
    const H = this.hiddenSize;
    const P = this.outSize;
    const F = Dn * P;
    const h0 = this.checkState(opts.h0, [L * Dn, B, P], 'h0', where);
    const c0 = this.checkState(opts.c0, [L * Dn, B, H], 'c0', where);
    const training = opts.training ?? false;
    const rng = opts.rng ?? this.rng;

    const ws = this.workspace(T, B);
    ws.lengths = lengths;
    ws.training = training;
    ws.consumed = false;
    toTimeMajor(ws.io[0].input, x.data, T, B, this.inputSize, this.batchFirst);

    const hOut = allocArr(L * Dn * B * P, this.dtype);
    const cOut = allocArr(L * Dn * B * H, this.dtype);
    const { zeroH, zeroC } = ws;
    for (let l = 0; l < L; l++) {
      const io = ws.io[l]; // fields re-read after each kernel call (see KBuf)
      for (let d = 0; d < Dn; d++) {
        const cell = this.cells[l][d];
        const run = ws.runs[l][d];
        const sIdx = l * Dn + d;
        const hInit = h0 === null ? zeroH : h0.subarray(sIdx * B * P, (sIdx + 1) * B * P);
        const cInit = c0 === null ? zeroC : c0.subarray(sIdx * B * H, (sIdx + 1) * B * H);
        this.kernels.lstmForward(run.y ?? io.output, run.hN, run.cN, run.cache, io.input, hInit, cInit, cell.w, this.runSpec(T, B, cell.inSize, lengths, d === 1 || this.reverse));
        if (run.y !== null) interleave(io.output, run.y, T * B, P, d, Dn);
        hOut.set(run.hN, sIdx * B * P);
        cOut.set(run.cN, sIdx * B * H);
      }
      if (l < L - 1) {
        const out = io.output;
        const next = ws.io[l + 1].input;
        const mask = ws.masks[l];
        if (training && this.dropout > 0 && mask !== null) {
          const keep = 1 - this.dropout;
          for (let n = 0; n < out.length; n++) {
            mask[n] = rng.next() < keep ? 1 / keep : 0;
            next[n] = out[n] * mask[n];
          }
        } else {
          next.set(out);
        }
      }
    }
    const output = allocArr(B * T * F, this.dtype);
    fromTimeMajor(output, ws.io[L - 1].output, T, B, F, this.batchFirst);
    const shape = this.batchFirst ? [B, T, F] : [T, B, F];
    const result: LstmForwardResult = {
      output: new Tensor(output, shape),
      h: new Tensor(hOut, [L * Dn, B, P]),
      c: new Tensor(cOut, [L * Dn, B, H]),
    };
    if (opts.returnGates) result.gates = this.collectGates(ws);
    return result;
  }

  /**
   * Backpropagation through time for the last forward. dOutput has the output's shape; dh, dc
   * (optional) are gradients with respect to the final states. Parameter gradients are ADDED
   * into grads(); returns gradients with respect to x, h0 and c0. It consumes the forward pass
   * (its saved gates become their gradients, as PyTorch frees a graph after backward): a second
   * backward needs a new forward.
   */
  backward(dOutput: Tensor | null, opts: { dh?: Tensor; dc?: Tensor } = {}): { dx: Tensor; dh0: Tensor; dc0: Tensor } {
    const where = 'LSTM.backward';
    const ws = this.ws;
    if (ws === null) throw new ConfigError(`[${where}] call forward() before backward(); received no cached forward pass.`);
    if (ws.consumed) {
      throw new ConfigError(`[${where}] the last forward pass was already used by a backward() (which overwrites its saved gates with their gradients, saving a (T, B, 4H) buffer); call forward() again before another backward().`);
    }
    const { T, B } = ws;
    const L = this.numLayers;
    const Dn = this.numDirections;
    const H = this.hiddenSize;
    const P = this.outSize;
    const F = Dn * P;
    const outShape = this.batchFirst ? [B, T, F] : [T, B, F];
    if (dOutput !== null) checkShape(dOutput, outShape, 'dOutput', where);
    const dh = this.checkState(opts.dh, [L * Dn, B, P], 'dh', where);
    const dc = this.checkState(opts.dc, [L * Dn, B, H], 'dc', where);

    if (ws.back === null) {
      ws.back = {
        dY: this.kernels.allocBuffers({ d: T * B * F }, this.dtype),
        dIn: this.cells.map((row) => this.kernels.allocBuffers({ d: T * B * row[0].inSize }, this.dtype)),
        dyDir: Dn > 1 ? this.kernels.allocBuffers({ d: T * B * P }, this.dtype) : null,
      };
    }
    const { dyDir } = ws.back;
    ws.consumed = true;
    let dY = ws.back.dY; // .d (T, B, F): gradient w.r.t. the current layer's output (fields re-read after kernel calls)
    if (dOutput !== null) toTimeMajor(dY.d, dOutput.data, T, B, F, this.batchFirst);
    else dY.d.fill(0);
    const dh0 = allocArr(L * Dn * B * P, this.dtype);
    const dc0 = allocArr(L * Dn * B * H, this.dtype);
    let dIn = dY;
    for (let l = L - 1; l >= 0; l--) {
      const inSize = this.cells[l][0].inSize;
      dIn = ws.back.dIn[l];
      dIn.d.fill(0); // both directions add into it
      for (let d = 0; d < Dn; d++) {
        const cell = this.cells[l][d];
        const run = ws.runs[l][d];
        if (run.work === null) run.work = this.kernels.allocLstmBackWork(this.dims(T, B, inSize), P !== H, this.dtype);
        // one direction: the layer's output gradient is that direction's, used as it is
        let dyD = dY.d;
        if (dyDir !== null) {
          deinterleave(dyDir.d, dY.d, T * B, P, d, Dn);
          dyD = dyDir.d;
        }
        const sIdx = l * Dn + d;
        const dhN = dh === null ? null : dh.subarray(sIdx * B * P, (sIdx + 1) * B * P);
        const dcN = dc === null ? null : dc.subarray(sIdx * B * H, (sIdx + 1) * B * H);
        this.kernels.lstmBackward(
          cell.g, dIn.d, dh0.subarray(sIdx * B * P, (sIdx + 1) * B * P), dc0.subarray(sIdx * B * H, (sIdx + 1) * B * H),
          dyD, dhN, dcN, run.cache, run.work, ws.io[l].input, cell.w, this.runSpec(T, B, inSize, ws.lengths, d === 1 || this.reverse),
        );
      }
      if (l > 0) {
        const mask = ws.masks[l - 1];
        if (ws.training && this.dropout > 0 && mask !== null) {
          const g = dIn.d;
          for (let n = 0; n < g.length; n++) g[n] *= mask[n];
        }
        dY = dIn;
      }
    }
    const dx = allocArr(B * T * this.inputSize, this.dtype);
    fromTimeMajor(dx, dIn.d, T, B, this.inputSize, this.batchFirst);
    return {
      dx: new Tensor(dx, this.batchFirst ? [B, T, this.inputSize] : [T, B, this.inputSize]),
      dh0: new Tensor(dh0, [L * Dn, B, P]),
      dc0: new Tensor(dc0, [L * Dn, B, H]),
    };
  }

  // ---------------------------------------------------------------- Layer interface (Sequential)

  call(x: Tensor, ctx: CallContext): Tensor {
    const r = this.forward(x, { lengths: ctx.lengths, training: ctx.training, rng: ctx.rng });
    this.lastCall = { returnSequences: this.returnSequences, shape: r.output.shape };
    if (this.returnSequences) return r.output;
    // Last valid step of every row: the top layer's final h of each direction (Keras semantics:
    // the reverse direction's final state is its output at t = 0).
    const B = x.shape[this.batchFirst ? 0 : 1];
    const Dn = this.numDirections;
    const P = this.outSize;
    const top = (this.numLayers - 1) * Dn;
    const out = allocArr(B * Dn * P, this.dtype);
    for (let d = 0; d < Dn; d++) {
      for (let b = 0; b < B; b++) {
        const src = ((top + d) * B + b) * P;
        out.set(r.h.data.subarray(src, src + P), (b * Dn + d) * P);
      }
    }
    return new Tensor(out, [B, Dn * P]);
  }

  callBackward(dy: Tensor): Tensor {
    const last = this.lastCall;
    if (last === null || this.ws === null) throw new ConfigError('[LSTM.callBackward] call call() first; received no cached forward pass.');
    if (last.returnSequences) return this.backward(dy).dx;
    const B = this.ws.B;
    const Dn = this.numDirections;
    const P = this.outSize;
    checkShape(dy, [B, Dn * P], 'dy', 'LSTM.callBackward');
    const L = this.numLayers;
    const dh = allocArr(L * Dn * B * P, this.dtype);
    const top = (L - 1) * Dn;
    for (let d = 0; d < Dn; d++) {
      for (let b = 0; b < B; b++) {
        const src = (b * Dn + d) * P;
        dh.set(dy.data.subarray(src, src + P), ((top + d) * B + b) * P);
      }
    }
    return this.backward(null, { dh: new Tensor(dh, [L * Dn, B, P]) }).dx;
  }

  // ---------------------------------------------------------------- streaming

  /** Zero state for a batch of B streams. */
  initialState(B = 1): LstmState {
    return {
      h: new Tensor(allocArr(this.numLayers * B * this.outSize, this.dtype), [this.numLayers, B, this.outSize]),
      c: new Tensor(allocArr(this.numLayers * B * this.hiddenSize, this.dtype), [this.numLayers, B, this.hiddenSize]),
    };
  }

  /**
   * Advance B independent streams by one step without reprocessing history (inference only).
   * x: (B, I). Returns the top layer's output (B, P) and the new state (fresh tensors; the input
   * state is not modified). Memory is constant: buffers are reused from call to call.
   */
  step(x: Tensor, state?: LstmState): { output: Tensor; state: LstmState } {
    const where = 'LSTM.step';
    if (this.bidirectional || this.reverse) {
      throw new ConfigError(`[${where}] a bidirectional or reverse LSTM cannot stream: its reverse direction needs the whole sequence. Use forward() instead.`);
    }
    if (x.rank !== 2 || x.shape[1] !== this.inputSize) {
      throw new ShapeError(
        `[${where}] x must have shape (B, ${this.inputSize}) because inputSize=${this.inputSize}; received ${formatShape(x.shape)}.`,
      );
    }
    const B = x.shape[0];
    const L = this.numLayers;
    const H = this.hiddenSize;
    const P = this.outSize;
    const st = state ?? this.initialState(B);
    checkShape(st.h, [L, B, P], 'state.h', where);
    checkShape(st.c, [L, B, H], 'state.c', where);
    if (this.checkFinite) assertFinite(x.data, 'x', where);
    let sw = this.stepWs;
    if (sw === null || sw.B !== B) {
      if (sw !== null) for (const c of sw.caches) this.kernels.release(c);
      sw = { B, caches: [], y: [], hN: [], cN: [], x: allocArr(B * this.inputSize, this.dtype) };
      for (let l = 0; l < L; l++) {
        sw.caches.push(this.kernels.allocLstmCache(this.dims(1, B, this.cells[l][0].inSize), P !== H, Number.isFinite(this.spec.clip), this.dtype));
        sw.y.push(allocArr(B * P, this.dtype));
        sw.hN.push(allocArr(B * P, this.dtype));
        sw.cN.push(allocArr(B * H, this.dtype));
      }
      this.stepWs = sw;
    }
    const hOut = allocArr(L * B * P, this.dtype);
    const cOut = allocArr(L * B * H, this.dtype);
    sw.x.set(x.data);
    let input: Arr = sw.x;
    for (let l = 0; l < L; l++) {
      const cell = this.cells[l][0];
      this.kernels.lstmForward(
        sw.y[l], sw.hN[l], sw.cN[l], sw.caches[l], input,
        st.h.data.subarray(l * B * P, (l + 1) * B * P), st.c.data.subarray(l * B * H, (l + 1) * B * H),
        cell.w, this.runSpec(1, B, cell.inSize, null, false),
      );
      hOut.set(sw.hN[l], l * B * P);
      cOut.set(sw.cN[l], l * B * H);
      input = sw.y[l];
    }
    return {
      output: new Tensor(input.slice(), [B, P]),
      state: { h: new Tensor(hOut, [L, B, P]), c: new Tensor(cOut, [L, B, H]) },
    };
  }

  // ---------------------------------------------------------------- internals

  private dims(T: number, B: number, D: number): LstmDims {
    return { T, B, D, H: this.hiddenSize, P: this.outSize };
  }

  private runSpec(T: number, B: number, D: number, lengths: Int32Array | null, reverse: boolean): LstmRun {
    return { dims: this.dims(T, B, D), spec: this.spec, lengths, reverse };
  }

  private workspace(T: number, B: number): Workspace {
    if (this.ws !== null && this.ws.T === T && this.ws.B === B) return this.ws;
    this.releaseWorkspace();
    const Dn = this.numDirections;
    const H = this.hiddenSize;
    const P = this.outSize;
    const F = Dn * P;
    const clipped = Number.isFinite(this.spec.clip);
    const ws: Workspace = {
      T, B, io: [], runs: [], masks: [], lengths: null, training: false, consumed: false,
      zeroH: allocArr(B * P, this.dtype), zeroC: allocArr(B * H, this.dtype), back: null,
    };
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = this.cells[l][0].inSize;
      ws.io.push(this.kernels.allocBuffers({ input: T * B * inSize, output: T * B * F }, this.dtype));
      ws.masks.push(l < this.numLayers - 1 && this.dropout > 0 ? allocArr(T * B * F, this.dtype) : null);
      const runs: DirRun[] = [];
      for (let d = 0; d < Dn; d++) {
        runs.push({
          cache: this.kernels.allocLstmCache(this.dims(T, B, inSize), P !== H, clipped, this.dtype),
          work: null,
          y: Dn === 1 ? null : allocArr(T * B * P, this.dtype),
          hN: allocArr(B * P, this.dtype),
          cN: allocArr(B * H, this.dtype),
        });
      }
      ws.runs.push(runs);
    }
    this.ws = ws;
    return ws;
  }

  /** Give the kernels' cache memory back now (WebAssembly memory is not freed by the garbage collector's pressure). */
  private releaseWorkspace(): void {
    if (this.ws === null) return;
    for (const runs of this.ws.runs) {
      for (const run of runs) {
        this.kernels.release(run.cache);
        if (run.work !== null) this.kernels.release(run.work);
      }
    }
    for (const io of this.ws.io) this.kernels.release(io);
    const back = this.ws.back;
    if (back !== null) for (const b of [back.dY, ...back.dIn, back.dyDir]) if (b !== null) this.kernels.release(b);
    this.ws = null;
  }

  private collectGates(ws: Workspace): LstmGates[] {
    const { T, B } = ws;
    const H = this.hiddenSize;
    const out: LstmGates[] = [];
    const shape = this.batchFirst ? [B, T, H] : [T, B, H];
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < this.numDirections; d++) {
        const { gates, c } = ws.runs[l][d].cache;
        const pick = (src: Arr, stride: number, offset: number): Tensor => {
          const dst = allocArr(B * T * H, this.dtype);
          for (let t = 0; t < T; t++) {
            for (let b = 0; b < B; b++) {
              const len = ws.lengths === null ? T : ws.lengths[b];
              if (t >= len) continue;
              const s = (t * B + b) * stride + offset;
              const o = this.batchFirst ? (b * T + t) * H : (t * B + b) * H;
              for (let j = 0; j < H; j++) dst[o + j] = src[s + j];
            }
          }
          return new Tensor(dst, shape);
        };
        out.push({
          layer: l,
          direction: d === 0 ? 'forward' : 'reverse',
          i: pick(gates, 4 * H, 0),
          f: pick(gates, 4 * H, H),
          g: pick(gates, 4 * H, 2 * H),
          o: pick(gates, 4 * H, 3 * H),
          c: pick(c, H, 0),
        });
      }
    }
    return out;
  }

  private checkInput(x: Tensor, where: string): { T: number; B: number } {
    const I = this.inputSize;
    const layout = this.batchFirst ? '(B, T, ' : '(T, B, ';
    if (!(x instanceof Tensor)) throw new ShapeError(`[${where}] x must be a Tensor of shape ${layout}${I}); received ${typeof x}.`);
    if (x.rank !== 3 || x.shape[2] !== I) {
      const hint =
        x.rank === 2
          ? ` Hint: add a batch dimension, e.g. x.reshape([1, ${x.shape.join(', ')}]), or use step() for a single time step.`
          : x.rank === 3 && this.batchFirst && x.shape[1] === I
            ? ' Hint: this looks like (B, I, T); transpose it to (B, T, I).'
            : x.rank === 3 && this.batchFirst
              ? ' Hint: for (T, B, I) input, construct the layer with batchFirst: false.'
              : '';
      throw new ShapeError(`[${where}] x must have shape ${layout}${I}) because inputSize=${I}; received ${formatShape(x.shape)}.${hint}`);
    }
    if (x.dtype !== this.dtype) throw new ShapeError(`[${where}] x must have dtype ${this.dtype} like the layer; received ${x.dtype}.`);
    const B = this.batchFirst ? x.shape[0] : x.shape[1];
    const T = this.batchFirst ? x.shape[1] : x.shape[0];
    if (B < 1 || T < 1) throw new ShapeError(`[${where}] x must have at least one batch row and one time step; received ${formatShape(x.shape)}.`);
    if (this.checkFinite) assertFinite(x.data, 'x', where, x.shape);
    return { T, B };
  }

  private checkLengths(lengths: ArrayLike<number> | undefined | null, B: number, T: number, where: string): Int32Array | null {
    if (lengths === undefined || lengths === null) return null; // null: no lengths, as in PyTorch
    if (typeof lengths !== 'object' || typeof lengths.length !== 'number') {
      throw new ShapeError(`[${where}] lengths must be an array of B=${B} integers (or omitted); received ${typeof lengths}.`);
    }
    if (lengths.length !== B) {
      throw new ShapeError(`[${where}] lengths must have one entry per batch row (B=${B}); received ${lengths.length} entries.`);
    }
    const out = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const v = lengths[b];
      if (!Number.isInteger(v) || v < 1 || v > T) {
        throw new ShapeError(
          `[${where}] lengths[${b}] must be an integer in [1, T] = [1, ${T}]; received ${v}. Hint: sequences are right-padded to T steps; a length counts the valid ones.`,
        );
      }
      out[b] = v;
    }
    return out;
  }

  private checkState(t: Tensor | undefined, shape: number[], name: string, where: string): Arr | null {
    if (t === undefined) return null;
    checkShape(t, shape, name, where);
    if (t.dtype !== this.dtype) throw new ShapeError(`[${where}] ${name} must have dtype ${this.dtype}; received ${t.dtype}.`);
    if (this.checkFinite) assertFinite(t.data, name, where, t.shape);
    return t.data;
  }
}

// ---------------------------------------------------------------- helpers

function checkPositiveInt(name: string, v: number): void {
  checkSize('[LSTM]', name, v);
}

function checkShape(t: Tensor, shape: readonly number[], name: string, where: string): void {
  const same = t.shape.length === shape.length && t.shape.every((d, k) => d === shape[k]);
  if (!same) {
    const key = name.startsWith('dc') || name.startsWith('c') || name === 'state.c' ? '(L·Dn, B, H)' : '(L·Dn, B, P)';
    const hint = name === 'dOutput' || name === 'dy' ? '' : ` Hint: ${name} is ${key} — layers × directions, batch, size.`;
    throw new ShapeError(`[${where}] ${name} must have shape ${formatShape(shape)}; received ${formatShape(t.shape)}.${hint}`);
  }
}

function assertFinite(a: Arr, name: string, where: string, shape?: readonly number[]): void {
  for (let n = 0; n < a.length; n++) {
    if (!Number.isFinite(a[n])) {
      const at = shape === undefined ? `flat index ${n}` : `index [${unravel(n, shape).join(', ')}]`;
      throw new NonFiniteError(`[${where}] ${name} must be finite; received ${a[n]} at ${at}. Hint: clean or impute the data first.`);
    }
  }
}

function unravel(n: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = n % shape[k];
    n = Math.floor(n / shape[k]);
  }
  return idx;
}

/** dst (T, B, F) ← src (B, T, F) when batchFirst, else a plain copy. */
function toTimeMajor(dst: Arr, src: Arr, T: number, B: number, F: number, batchFirst: boolean): void {
  if (!batchFirst) {
    dst.set(src);
    return;
  }
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) copyRow(dst, (t * B + b) * F, src, (b * T + t) * F, F);
  }
}

/** dst (B, T, F) ← src (T, B, F) when batchFirst, else a plain copy. */
function fromTimeMajor(dst: Arr, src: Arr, T: number, B: number, F: number, batchFirst: boolean): void {
  if (!batchFirst) {
    dst.set(src);
    return;
  }
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) copyRow(dst, (b * T + t) * F, src, (t * B + b) * F, F);
  }
}

/** out (N, Dn·P)[:, d·P:(d+1)·P] ← y (N, P) (bidirectional layers; one direction writes out directly) */
function interleave(out: Arr, y: Arr, N: number, P: number, d: number, Dn: number): void {
  for (let n = 0; n < N; n++) copyRow(out, (n * Dn + d) * P, y, n * P, P);
}

/** y (N, P) ← src (N, Dn·P)[:, d·P:(d+1)·P] (bidirectional layers) */
function deinterleave(y: Arr, src: Arr, N: number, P: number, d: number, Dn: number): void {
  for (let n = 0; n < N; n++) copyRow(y, n * P, src, (n * Dn + d) * P, P);
}

/** dst[o : o+n] ← src[s : s+n] (measured: set() on a subarray wins from about 16 elements) */
function copyRow(dst: Arr, o: number, src: Arr, s: number, n: number): void {
  if (n >= 16) {
    dst.set(src.subarray(s, s + n), o);
    return;
  }
  for (let j = 0; j < n; j++) dst[o + j] = src[s + j];
}

/** Fill a (rows, cols) matrix with orthonormal columns (rows ≥ cols) or rows (rows < cols): Gram–Schmidt on normals. */
function orthogonalInit(a: Arr, rows: number, cols: number, rng: Rng): void {
  const tall = rows >= cols;
  const n = tall ? rows : cols; // vector length
  const m = tall ? cols : rows; // number of vectors
  const v = new Float64Array(m * n);
  for (let k = 0; k < v.length; k++) v[k] = rng.normal();
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < p; q++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += v[p * n + k] * v[q * n + k];
      for (let k = 0; k < n; k++) v[p * n + k] -= dot * v[q * n + k];
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += v[p * n + k] * v[p * n + k];
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < n; k++) v[p * n + k] /= norm;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) a[r * cols + c] = tall ? v[c * n + r] : v[r * n + c];
  }
}
