// The LSTM layer: stacked, bidirectional, projected, variable-length, with Greff et al.'s gate
// variants — PyTorch's nn.LSTM interface and state-dict names, plus a streaming step() API.
// Input checking happens here, once; the kernel family chosen at construction does the
// arithmetic (src/kernels), on parameters and buffers that live in its memory. Options and
// layouts: ./lstm-options.ts; initial weights: ./lstm-init.ts.
//
// dim key: B batch, T time, I input size, H hidden (cell) size, P output size per direction
//          (projSize or H), Dn directions (1 or 2), L layers, G = 4H gates (i, f, g, o).

import { Tensor, allocArr, formatShape, type Arr, type DType } from '../tensor.js';
import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { LayerMemory, selectKernels, type Workspace } from '../kernels/index.js';
import { allocLstmBackWork, allocLstmCache } from '../kernels/lstm-buffers.js';
import type { KernelName, Kernels, LstmBackWork, LstmCache, LstmCellSpec, LstmDims, LstmRun, LstmWeights } from '../kernels/types.js';
import { LayerParam, loadParams, type CallContext, type Layer, type Param, type StateDictLike } from './layer.js';
import {
  deinterleave, fromTimeMajor, interleave, lstmParamLayout, resolveLstmOptions, toTimeMajor,
  type LSTMOptions, type LstmField, type LstmParamSlot,
} from './lstm-options.js';
import { initLstmWeights } from './lstm-init.js';

export type { LSTMOptions, LstmVariant } from './lstm-options.js';

/** Options of LSTM.forward(). Bad shapes or lengths throw ShapeError. */
export interface LstmForwardOptions {
  /** (L·Dn, B, P) */
  h0?: Tensor;
  /** (L·Dn, B, H) */
  c0?: Tensor;
  /** Valid steps per row, each in [1, T]; omitted or null: every row has T steps. */
  lengths?: ArrayLike<number> | null;
  /** Training mode: inter-layer dropout is active. Default false. */
  training?: boolean;
  /** Also return i, f, g, o and c at every step. */
  returnGates?: boolean;
  /** Generator for dropout masks (required with dropout > 0 in training; defaults to the layer's own). */
  rng?: Rng;
}

/** The gate activations of one layer and direction over a forward pass (with `returnGates`), e.g. for gate heatmaps. */
export interface LstmGates {
  /** Layer index, 0 = bottom. */
  layer: number;
  /** Which direction of that layer. */
  direction: 'forward' | 'reverse';
  /** Input gate. Each of i, f, g, o, c is (B, T, H) with batchFirst, else (T, B, H); zero past a row's length. */
  i: Tensor;
  /** Forget gate. */
  f: Tensor;
  /** Candidate cell input. */
  g: Tensor;
  /** Output gate. */
  o: Tensor;
  /** Cell state after each step. */
  c: Tensor;
}

/** What LSTM.forward() returns: every step's output and the final states of every layer and direction. */
export interface LstmForwardResult {
  /** (B, T, Dn·P) with batchFirst, else (T, B, Dn·P). */
  output: Tensor;
  /** (L·Dn, B, P) */
  h: Tensor;
  /** (L·Dn, B, H) */
  c: Tensor;
  /** With `returnGates`: one entry per layer and direction, in order. */
  gates?: LstmGates[];
}

/** The recurrent state of a unidirectional LSTM between step() calls (from initialState() or the previous step). */
export interface LstmState {
  /** (L, B, P) */
  h: Tensor;
  /** (L, B, H) */
  c: Tensor;
}

/** One direction of one layer: weights, their gradients, and the input size. */
interface Cell {
  w: LstmWeights;
  g: LstmWeights;
  inSize: number;
}

/** What one direction's forward pass leaves for backward. */
interface DirRun {
  cache: LstmCache;
  y: Arr | null; // (T, B, P); null with one direction, which writes the layer's output (io.output) directly
  hN: Arr; // (B, P)
  cN: Arr; // (B, H)
}

/** The forward pass's buffers for one (T, B), in kernel memory. */
interface Forward {
  T: number;
  B: number;
  /** Per layer: input (T, B, Din) time-major (layer 0: x copied) and output (T, B, Dn·P) before dropout. */
  io: { input: Arr; output: Arr }[];
  /** Per layer, per direction. */
  runs: DirRun[][];
  /** Per layer but the last: dropout mask (T, B, Dn·P) scaled by 1/(1−p), or null. */
  masks: (Arr | null)[];
  /** (B, P), (B, H) zero initial states. */
  zeroH: Arr;
  zeroC: Arr;
}

/** Backward's buffers for one (T, B): dY (T, B, Dn·P) of the top layer, dIn per layer (T, B, Din), one direction's dy (T, B, P) (bidirectional only), scratch per layer and direction. */
interface Backward {
  dY: Arr;
  dIn: Arr[];
  dyDir: Arr | null;
  work: LstmBackWork[][];
}

/** What the last forward() was, for backward(). */
interface LastForward {
  fwd: Forward;
  lengths: Int32Array | null;
  training: boolean;
  /** backward() has used the saved forward pass (it overwrites the gates with their gradients). */
  consumed: boolean;
}

/**
 * A long short-term memory layer with PyTorch nn.LSTM's interface and state-dict names: stacked,
 * bidirectional, projected (projSize), variable-length (`lengths`), with Greff et al.'s gate
 * variants, Keras's and ONNX's options, and a streaming step() API.
 *
 * Input x is (B, T, I) with batchFirst (the default), else (T, B, I); the output is (B, T, Dn·P)
 * where P is projSize or hiddenSize and Dn is 2 when bidirectional. As a Sequential layer it returns
 * the whole sequence, or with `returnSequences: false` each row's last valid step (B, Dn·P).
 * Bad options throw ConfigError; inputs of the wrong shape or dtype throw ShapeError; NaN or
 * Infinity in the input, with `checkFinite`, throws NonFiniteError.
 * @example
 * ```ts
 * const lstm = new LSTM({ inputSize: 8, hiddenSize: 32, numLayers: 2, seed: 1 });
 * const x = zeros([4, 10, 8]);                         // (B, T, I)
 * const { output, h, c } = lstm.forward(x, { lengths: [10, 7, 10, 3] });
 * output.shape;                                        // [4, 10, 32]
 * h.shape;                                             // [2, 4, 32]: (L·Dn, B, P)
 * // streaming, one step at a time
 * let state = lstm.initialState(4);
 * const r = lstm.step(zeros([4, 8]), state);           // r.output (4, 32)
 * state = r.state;
 * ```
 */
export class LSTM implements Layer {
  readonly kind = 'LSTM';
  /** Features per input step (I). */
  readonly inputSize: number;
  /** Cell size (H). */
  readonly hiddenSize: number;
  /** Stacked layers (L). */
  readonly numLayers: number;
  /** Two directions per layer. */
  readonly bidirectional: boolean;
  /** A unidirectional layer that reads each row backwards. */
  readonly reverse: boolean;
  /** Input and output are (B, T, ·) when true, (T, B, ·) when false. */
  readonly batchFirst: boolean;
  /** Dropout between layers in training. */
  readonly dropout: number;
  /** Projection size, 0 = none. */
  readonly projSize: number;
  /** false: no bias parameters (nn.LSTM(bias=False)). */
  readonly bias: boolean;
  /** As a Sequential layer: output every step (true) or each row's last valid step. */
  readonly returnSequences: boolean;
  /** The resolved cell: gates, activations, peepholes, coupling, clip. */
  readonly spec: Readonly<LstmCellSpec>;
  readonly dtype: DType;
  /** Inputs are checked for NaN and Infinity. */
  readonly checkFinite: boolean;
  private readonly options: LSTMOptions;
  private readonly cells: Cell[][]; // [layer][direction]
  private readonly paramList: LayerParam[];
  /** Where each of paramList sits (layer, direction, field), in the same order. */
  private readonly paramSlots: LstmParamSlot[];
  private readonly rng: Rng;
  private readonly mem: LayerMemory;
  private readonly fwdSpace: Workspace;
  private readonly backSpace: Workspace;
  private readonly stepSpace: Workspace;
  private last: LastForward | null = null;
  private lastCall: { returnSequences: boolean; shape: readonly number[] } | null = null;

  /** Builds and initialises the layer; throws ConfigError for bad options. */
  constructor(options: LSTMOptions) {
    const c = resolveLstmOptions(options);
    this.inputSize = c.inputSize;
    this.hiddenSize = c.hiddenSize;
    this.numLayers = c.numLayers;
    this.bidirectional = c.bidirectional;
    this.reverse = c.reverse;
    this.batchFirst = c.batchFirst;
    this.dropout = c.dropout;
    this.projSize = c.projSize;
    this.bias = c.bias;
    this.returnSequences = c.returnSequences;
    this.spec = c.spec;
    this.dtype = c.dtype;
    this.checkFinite = c.checkFinite;
    this.options = { ...options };
    this.rng = new Rng(options.seed ?? 0);
    this.mem = new LayerMemory(selectKernels(options.kernels, this.dtype), this.dtype);
    this.fwdSpace = this.mem.workspace();
    this.backSpace = this.mem.workspace();
    this.stepSpace = this.mem.workspace();

    const H = this.hiddenSize;
    const P = this.outSize;
    const G = 4 * H;
    const Dn = this.numDirections;
    const a = (n: number): Arr => this.mem.alloc(n);
    const make = (inSize: number): LstmWeights => ({
      wih: a(G * inSize),
      whh: a(G * P),
      bih: a(G),
      bhh: a(G),
      whr: this.projSize > 0 ? a(P * H) : null,
      peep: this.spec.peephole ? a(3 * H) : null,
    });
    this.cells = [];
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? this.inputSize : Dn * P;
      const row: Cell[] = [];
      for (let d = 0; d < Dn; d++) row.push({ w: make(inSize), g: make(inSize), inSize });
      this.cells.push(row);
    }
    const init = options.init ?? 'pytorch';
    const forgetBias = options.forgetBias === undefined ? 1 : options.forgetBias;
    for (const row of this.cells) for (const cell of row) initLstmWeights(cell.w, cell.inSize, H, P, init, forgetBias, this.rng, this.bias);
    this.paramSlots = lstmParamLayout(c);
    this.paramList = this.paramSlots.map((s) => {
      const cell = this.cells[s.layer][s.direction];
      return new LayerParam(s.name, s.shape, cell.w[s.field]!, cell.g[s.field]!);
    });
  }

  /** Dn: 2 when bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Size of h per direction: projSize when projecting, else hiddenSize. */
  get outSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** The kernel family this layer computes with. */
  get kernels(): Kernels {
    return this.mem.kernels;
  }

  /** Name of the kernel family this layer computes with. */
  get kernelName(): KernelName {
    return this.mem.kernels.name;
  }

  /**
   * Compute with another kernel family from now on ('ref' | 'wasm' | 'auto', or a family such as
   * createWasmKernelsThreaded()'s); float64 layers always use 'ref'. Parameters and gradients move
   * into the new family's memory: Param objects (params(), an optimizer's) follow, arrays taken
   * from them before do not. The saved forward pass is dropped.
   */
  useKernels(prefer: 'auto' | KernelName | Kernels): void {
    this.alive('LSTM.useKernels');
    const k = selectKernels(prefer, this.dtype);
    if (k === this.mem.kernels) return;
    const copy = this.mem.moveTo(k);
    const fields: LstmField[] = ['wih', 'whh', 'bih', 'bhh', 'whr', 'peep'];
    const move = (w: LstmWeights): LstmWeights => {
      const out = { ...w };
      for (const f of fields) if (w[f] !== null) out[f] = copy(w[f]!);
      return out;
    };
    for (const row of this.cells) {
      for (const cell of row) {
        cell.w = move(cell.w);
        cell.g = move(cell.g);
      }
    }
    this.paramSlots.forEach((s, i) => {
      const cell = this.cells[s.layer][s.direction];
      this.paramList[i].value = cell.w[s.field]!;
      this.paramList[i].grad = cell.g[s.field]!;
    });
    this.last = null;
  }

  /** Give the layer's memory (parameters, gradients, buffers) back to its kernel family now. The layer must not be used afterwards. */
  dispose(): void {
    this.mem.dispose();
    this.last = null;
  }

  private alive(where: string): void {
    if (this.mem.disposed) throw new ConfigError(`[${where}] this layer was disposed; its memory went back to the kernels. Hint: build a new layer (or load the model again).`);
  }

  // ---------------------------------------------------------------- parameters

  params(): Param[] {
    return this.paramList;
  }

  /** Parameter gradients by state-dict name (live arrays, not copies). */
  grads(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const p of this.params()) out[p.name] = new Tensor(p.grad, p.shape);
    return out;
  }

  zeroGrad(): void {
    for (const p of this.paramList) p.grad.fill(0);
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

  /**
   * Run the layer over whole sequences: x (B, T, I) with batchFirst, else (T, B, I). Returns every
   * step's output and the final h and c of every layer and direction (fresh tensors), and keeps
   * what backward() needs. With `lengths`, row b is read for its first lengths[b] steps only: its
   * outputs past that are zero and its final state is the one at its last valid step.
   * Throws ShapeError for a wrong shape, dtype, lengths or initial state.
   */
  forward(x: Tensor, opts: LstmForwardOptions = {}): LstmForwardResult {
    const where = 'LSTM.forward';
    this.alive(where);
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
    const k = this.mem.kernels;

    const fwd = this.forwardBuffers(T, B);
    this.last = { fwd, lengths, training, consumed: false };
    toTimeMajor(k, fwd.io[0].input, x.data, T, B, this.inputSize, this.batchFirst);

    const hOut = allocArr(L * Dn * B * P, this.dtype);
    const cOut = allocArr(L * Dn * B * H, this.dtype);
    for (let l = 0; l < L; l++) {
      const io = fwd.io[l];
      for (let d = 0; d < Dn; d++) {
        const cell = this.cells[l][d];
        const run = fwd.runs[l][d];
        const sIdx = l * Dn + d;
        const hInit = h0 === null ? fwd.zeroH : h0.subarray(sIdx * B * P, (sIdx + 1) * B * P);
        const cInit = c0 === null ? fwd.zeroC : c0.subarray(sIdx * B * H, (sIdx + 1) * B * H);
        k.lstmForward(run.y ?? io.output, run.hN, run.cN, run.cache, io.input, hInit, cInit, cell.w, this.runSpec(T, B, cell.inSize, lengths, d === 1 || this.reverse));
        if (run.y !== null) interleave(io.output, run.y, T * B, P, d, Dn);
        hOut.set(run.hN, sIdx * B * P);
        cOut.set(run.cN, sIdx * B * H);
      }
      if (l < L - 1) {
        const out = io.output;
        const next = fwd.io[l + 1].input;
        const mask = fwd.masks[l];
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
    fromTimeMajor(k, output, fwd.io[L - 1].output, T, B, F, this.batchFirst);
    const shape = this.batchFirst ? [B, T, F] : [T, B, F];
    const result: LstmForwardResult = {
      output: new Tensor(output, shape),
      h: new Tensor(hOut, [L * Dn, B, P]),
      c: new Tensor(cOut, [L * Dn, B, H]),
    };
    if (opts.returnGates) result.gates = this.collectGates(fwd, lengths);
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
    this.alive(where);
    const last = this.last;
    if (last === null) throw new ConfigError(`[${where}] call forward() before backward(); received no cached forward pass.`);
    if (last.consumed) {
      throw new ConfigError(`[${where}] the last forward pass was already used by a backward() (which overwrites its saved gates with their gradients, saving a (T, B, 4H) buffer); call forward() again before another backward().`);
    }
    const { fwd } = last;
    const { T, B } = fwd;
    const L = this.numLayers;
    const Dn = this.numDirections;
    const H = this.hiddenSize;
    const P = this.outSize;
    const F = Dn * P;
    const outShape = this.batchFirst ? [B, T, F] : [T, B, F];
    if (dOutput !== null) checkShape(dOutput, outShape, 'dOutput', where);
    const dh = this.checkState(opts.dh, [L * Dn, B, P], 'dh', where);
    const dc = this.checkState(opts.dc, [L * Dn, B, H], 'dc', where);
    const k = this.mem.kernels;

    const back = this.backwardBuffers(T, B);
    last.consumed = true;
    let dY = back.dY; // (T, B, F): gradient w.r.t. the current layer's output
    if (dOutput !== null) toTimeMajor(k, dY, dOutput.data, T, B, F, this.batchFirst);
    else dY.fill(0);
    const dh0 = allocArr(L * Dn * B * P, this.dtype);
    const dc0 = allocArr(L * Dn * B * H, this.dtype);
    let dIn = dY;
    for (let l = L - 1; l >= 0; l--) {
      const inSize = this.cells[l][0].inSize;
      dIn = back.dIn[l];
      dIn.fill(0); // both directions add into it
      for (let d = 0; d < Dn; d++) {
        const cell = this.cells[l][d];
        const run = fwd.runs[l][d];
        // one direction: the layer's output gradient is that direction's, used as it is
        let dyD = dY;
        if (back.dyDir !== null) {
          deinterleave(back.dyDir, dY, T * B, P, d, Dn);
          dyD = back.dyDir;
        }
        const sIdx = l * Dn + d;
        const dhN = dh === null ? null : dh.subarray(sIdx * B * P, (sIdx + 1) * B * P);
        const dcN = dc === null ? null : dc.subarray(sIdx * B * H, (sIdx + 1) * B * H);
        k.lstmBackward(
          cell.g, dIn, dh0.subarray(sIdx * B * P, (sIdx + 1) * B * P), dc0.subarray(sIdx * B * H, (sIdx + 1) * B * H),
          dyD, dhN, dcN, run.cache, back.work[l][d], fwd.io[l].input, cell.w, this.runSpec(T, B, inSize, last.lengths, d === 1 || this.reverse),
        );
      }
      if (l > 0) {
        const mask = fwd.masks[l - 1];
        if (last.training && this.dropout > 0 && mask !== null) {
          for (let n = 0; n < dIn.length; n++) dIn[n] *= mask[n];
        }
        dY = dIn;
      }
    }
    const dx = allocArr(B * T * this.inputSize, this.dtype);
    fromTimeMajor(k, dx, dIn, T, B, this.inputSize, this.batchFirst);
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
    const lastCall = this.lastCall;
    if (lastCall === null || this.last === null) throw new ConfigError('[LSTM.callBackward] call call() first; received no cached forward pass.');
    if (lastCall.returnSequences) return this.backward(dy).dx;
    const B = this.last.fwd.B;
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
    this.alive(where);
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
    const clipped = Number.isFinite(this.spec.clip);
    const sw = this.stepSpace.get(`${B}`, (alloc) => ({
      x: alloc(B * this.inputSize),
      h: alloc(L * B * P),
      c: alloc(L * B * H),
      layers: this.cells.map((row) => ({
        cache: allocLstmCache(alloc, this.dims(1, B, row[0].inSize), P !== H, clipped),
        y: alloc(B * P),
        hN: alloc(B * P),
        cN: alloc(B * H),
      })),
    }));
    sw.x.set(x.data);
    sw.h.set(st.h.data);
    sw.c.set(st.c.data);
    const hOut = allocArr(L * B * P, this.dtype);
    const cOut = allocArr(L * B * H, this.dtype);
    let input: Arr = sw.x;
    for (let l = 0; l < L; l++) {
      const cell = this.cells[l][0];
      const s = sw.layers[l];
      this.mem.kernels.lstmForward(
        s.y, s.hN, s.cN, s.cache, input,
        sw.h.subarray(l * B * P, (l + 1) * B * P), sw.c.subarray(l * B * H, (l + 1) * B * H),
        cell.w, this.runSpec(1, B, cell.inSize, null, false),
      );
      hOut.set(s.hN, l * B * P);
      cOut.set(s.cN, l * B * H);
      input = s.y;
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

  /** The forward pass's buffers for (T, B), in kernel memory (made anew when the shape changes). */
  private forwardBuffers(T: number, B: number): Forward {
    return this.fwdSpace.get(`${T}x${B}`, (alloc) => {
      const Dn = this.numDirections;
      const H = this.hiddenSize;
      const P = this.outSize;
      const F = Dn * P;
      const clipped = Number.isFinite(this.spec.clip);
      const f: Forward = { T, B, io: [], runs: [], masks: [], zeroH: alloc(B * P), zeroC: alloc(B * H) };
      for (let l = 0; l < this.numLayers; l++) {
        const inSize = this.cells[l][0].inSize;
        f.io.push({ input: alloc(T * B * inSize), output: alloc(T * B * F) });
        f.masks.push(l < this.numLayers - 1 && this.dropout > 0 ? allocArr(T * B * F, this.dtype) : null);
        const runs: DirRun[] = [];
        for (let d = 0; d < Dn; d++) {
          runs.push({
            cache: allocLstmCache(alloc, this.dims(T, B, inSize), P !== H, clipped),
            y: Dn === 1 ? null : alloc(T * B * P),
            hN: alloc(B * P),
            cN: alloc(B * H),
          });
        }
        f.runs.push(runs);
      }
      return f;
    });
  }

  /** Backward's buffers for (T, B), made on the first backward of a shape. */
  private backwardBuffers(T: number, B: number): Backward {
    return this.backSpace.get(`${T}x${B}`, (alloc) => {
      const P = this.outSize;
      const F = this.numDirections * P;
      return {
        dY: alloc(T * B * F),
        dIn: this.cells.map((row) => alloc(T * B * row[0].inSize)),
        dyDir: this.numDirections > 1 ? alloc(T * B * P) : null,
        work: this.cells.map((row) => row.map((cell) => allocLstmBackWork(alloc, this.dims(T, B, cell.inSize), P !== this.hiddenSize))),
      };
    });
  }

  private collectGates(fwd: Forward, lengths: Int32Array | null): LstmGates[] {
    const { T, B } = fwd;
    const H = this.hiddenSize;
    const out: LstmGates[] = [];
    const shape = this.batchFirst ? [B, T, H] : [T, B, H];
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < this.numDirections; d++) {
        const { gates, c } = fwd.runs[l][d].cache;
        const pick = (src: Arr, stride: number, offset: number): Tensor => {
          const dst = allocArr(B * T * H, this.dtype);
          for (let t = 0; t < T; t++) {
            for (let b = 0; b < B; b++) {
              const len = lengths === null ? T : lengths[b];
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
