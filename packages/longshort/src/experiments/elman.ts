// A plain (Elman) recurrent layer, h[t] = tanh(W_ih·x[t] + b_ih + W_hh·h[t−1] + b_hh), with
// backpropagation through time: the baseline the LSTM experiments compare against, to show the gap
// the gates close. Why not an LSTM with its gates switched off? With i = f = o = 1 the LSTM still
// keeps an additive cell c[t] = c[t−1] + g[t] whose gradient does not vanish — it is exactly the
// constant error carousel, not a plain RNN. So the baseline gets its own layer.
// Left out: stacking, bidirectional runs, dropout, kernels other than these scalar loops (the
// layer is small and exists for experiments), ReLU non-linearity.
//
// dim key: B batch, T time, I input size, H hidden size. Input (B, T, I) batch-first.

import { Tensor, allocArr, formatShape, type Arr, type DType } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { CallContext, Layer, Param } from '../nn/layer.js';

/** Options of an ElmanRNN; sizes that are not positive integers throw ConfigError. */
export interface ElmanRNNOptions {
  /** Features per input step (I). */
  inputSize: number;
  /** Size of h (H). */
  hiddenSize: number;
  /** Output every step (B, T, H), or only each row's last valid step (B, H). Default true. */
  returnSequences?: boolean;
  /** Element type. Default 'float32'. */
  dtype?: DType;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

interface Workspace {
  T: number;
  B: number;
  /** (T, B, I) time-major copy of the input */
  x: Arr;
  /** (T + 1, B, H): h[0] is the zero initial state, h[t + 1] the state after step t */
  h: Arr;
  /** (B, H) gradient flowing into h[t] during backward */
  dh: Arr;
  /** (B, H) gradient w.r.t. the pre-activation at step t */
  da: Arr;
  lengths: Int32Array | null;
}

/**
 * A plain (Elman) recurrent layer, h[t] = tanh(W_ih·x[t] + b_ih + W_hh·h[t−1] + b_hh), with
 * backpropagation through time: the baseline the LSTM experiments compare against. Input (B, T, I)
 * batch-first, with per-row lengths from the call context; output (B, T, H), or (B, H) with
 * `returnSequences: false`.
 */
export class ElmanRNN implements Layer {
  readonly kind = 'ElmanRNN';
  /** Features per input step (I). */
  readonly inputSize: number;
  /** Size of h (H). */
  readonly hiddenSize: number;
  /** Output every step, or only each row's last valid step. */
  readonly returnSequences: boolean;
  readonly dtype: DType;
  private readonly w: { wih: Arr; whh: Arr; bih: Arr; bhh: Arr }; // (H, I) (H, H) (H) (H)
  private readonly g: { wih: Arr; whh: Arr; bih: Arr; bhh: Arr };
  private readonly seed: number;
  private ws: Workspace | null = null;

  constructor(options: ElmanRNNOptions) {
    const o = options;
    for (const key of ['inputSize', 'hiddenSize'] as const) {
      const v = o[key];
      if (!Number.isInteger(v) || v < 1) throw new ConfigError(`[ElmanRNN] ${key} must be a positive integer; received ${v}.`);
    }
    this.inputSize = o.inputSize;
    this.hiddenSize = o.hiddenSize;
    this.returnSequences = o.returnSequences ?? true;
    this.dtype = o.dtype ?? 'float32';
    this.seed = o.seed ?? 0;
    const I = this.inputSize;
    const H = this.hiddenSize;
    const make = () => ({ wih: allocArr(H * I, this.dtype), whh: allocArr(H * H, this.dtype), bih: allocArr(H, this.dtype), bhh: allocArr(H, this.dtype) });
    this.w = make();
    this.g = make();
    // PyTorch nn.RNN: every tensor U(±1/√H)
    const rng = new Rng(this.seed);
    const k = 1 / Math.sqrt(H);
    for (const a of [this.w.wih, this.w.whh, this.w.bih, this.w.bhh]) for (let n = 0; n < a.length; n++) a[n] = rng.uniform(-k, k);
  }

  params(): Param[] {
    const H = this.hiddenSize;
    return [
      { name: 'weight_ih_l0', shape: [H, this.inputSize], value: this.w.wih, grad: this.g.wih },
      { name: 'weight_hh_l0', shape: [H, H], value: this.w.whh, grad: this.g.whh },
      { name: 'bias_ih_l0', shape: [H], value: this.w.bih, grad: this.g.bih },
      { name: 'bias_hh_l0', shape: [H], value: this.w.bhh, grad: this.g.bhh },
    ];
  }

  zeroGrad(): void {
    for (const a of [this.g.wih, this.g.whh, this.g.bih, this.g.bhh]) a.fill(0);
  }

  config(): Record<string, unknown> {
    return { inputSize: this.inputSize, hiddenSize: this.hiddenSize, returnSequences: this.returnSequences, dtype: this.dtype };
  }

  outputShape(inputShape: readonly (number | null)[]): (number | null)[] {
    return this.returnSequences ? [inputShape[0], inputShape[1], this.hiddenSize] : [inputShape[0], this.hiddenSize];
  }

  private workspace(T: number, B: number): Workspace {
    if (this.ws !== null && this.ws.T === T && this.ws.B === B) return this.ws;
    const H = this.hiddenSize;
    this.ws = {
      T,
      B,
      x: allocArr(T * B * this.inputSize, this.dtype),
      h: allocArr((T + 1) * B * H, this.dtype),
      dh: allocArr(B * H, this.dtype),
      da: allocArr(B * H, this.dtype),
      lengths: null,
    };
    return this.ws;
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const where = 'ElmanRNN.call';
    const I = this.inputSize;
    const H = this.hiddenSize;
    if (x.rank !== 3 || x.shape[2] !== I) {
      throw new ShapeError(`[${where}] x must have shape (B, T, ${I}) because inputSize=${I}; received ${formatShape(x.shape)}.`);
    }
    if (x.dtype !== this.dtype) throw new ShapeError(`[${where}] x must have dtype ${this.dtype} like the layer; received ${x.dtype}.`);
    const [B, T] = x.shape;
    const lengths = ctx.lengths ?? null;
    if (lengths !== null) {
      if (lengths.length !== B) throw new ShapeError(`[${where}] lengths must have one entry per batch row (B=${B}); received ${lengths.length} entries.`);
      for (let b = 0; b < B; b++) {
        if (!Number.isInteger(lengths[b]) || lengths[b] < 1 || lengths[b] > T) {
          throw new ShapeError(`[${where}] lengths[${b}] must be an integer in [1, T] = [1, ${T}]; received ${lengths[b]}.`);
        }
      }
    }
    const ws = this.workspace(T, B);
    ws.lengths = lengths;
    const { wih, whh, bih, bhh } = this.w;
    // x (B, T, I) → ws.x (T, B, I)
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) ws.x.set(x.data.subarray((b * T + t) * I, (b * T + t + 1) * I), (t * B + b) * I);
    ws.h.fill(0, 0, B * H);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const hp = (t * B + b) * H; // h[t − 1] of row b
        const hn = ((t + 1) * B + b) * H; // h[t]
        if (lengths !== null && t >= lengths[b]) {
          // past the row's end the state is carried unchanged, so h[T] is the last valid state
          for (let j = 0; j < H; j++) ws.h[hn + j] = ws.h[hp + j];
          continue;
        }
        const xt = (t * B + b) * I; // x[t, b, :]
        for (let j = 0; j < H; j++) {
          let a = bih[j] + bhh[j];
          for (let k = 0; k < I; k++) a += wih[j * I + k] * ws.x[xt + k];
          for (let k = 0; k < H; k++) a += whh[j * H + k] * ws.h[hp + k];
          ws.h[hn + j] = Math.tanh(a);
        }
      }
    }
    if (!this.returnSequences) return new Tensor(ws.h.slice(T * B * H, (T + 1) * B * H), [B, H]);
    const out = allocArr(B * T * H, this.dtype); // (B, T, H), zero past each row's length
    for (let b = 0; b < B; b++) {
      const len = lengths === null ? T : lengths[b];
      for (let t = 0; t < len; t++) {
        const ht = ((t + 1) * B + b) * H; // h[t] of row b
        out.set(ws.h.subarray(ht, ht + H), (b * T + t) * H);
      }
    }
    return new Tensor(out, [B, T, H]);
  }

  callBackward(dy: Tensor): Tensor {
    const where = 'ElmanRNN.callBackward';
    const ws = this.ws;
    if (ws === null) throw new ConfigError(`[${where}] call call() first; received no cached forward pass.`);
    const { T, B, lengths } = ws;
    const I = this.inputSize;
    const H = this.hiddenSize;
    const expected = this.returnSequences ? [B, T, H] : [B, H];
    if (dy.rank !== expected.length || dy.shape.some((d, k) => d !== expected[k])) {
      throw new ShapeError(`[${where}] dy must have shape ${formatShape(expected)}, the output's; received ${formatShape(dy.shape)}.`);
    }
    const { wih, whh } = this.w;
    const g = this.g;
    const dh = ws.dh;
    const da = ws.da;
    if (this.returnSequences) dh.fill(0);
    else dh.set(dy.data); // the output is h[T]
    const dx = allocArr(B * T * I, this.dtype); // (B, T, I)
    for (let t = T - 1; t >= 0; t--) {
      for (let b = 0; b < B; b++) {
        if (lengths !== null && t >= lengths[b]) {
          // forward: h[t] = h[t − 1] (carried), so dh passes through unchanged
          da.fill(0, b * H, (b + 1) * H);
          continue;
        }
        const hn = ((t + 1) * B + b) * H; // h[t]
        for (let j = 0; j < H; j++) {
          const d = dh[b * H + j] + (this.returnSequences ? dy.data[(b * T + t) * H + j] : 0);
          const h = ws.h[hn + j];
          da[b * H + j] = d * (1 - h * h); // forward: h = tanh(a)
        }
      }
      // dh ← W_hhᵀ·da for the active rows; parameter gradients ADD into g
      for (let b = 0; b < B; b++) {
        if (lengths !== null && t >= lengths[b]) continue;
        const hp = (t * B + b) * H; // h[t − 1]
        const xt = (t * B + b) * I;
        const dxo = (b * T + t) * I;
        for (let k = 0; k < H; k++) dh[b * H + k] = 0;
        for (let j = 0; j < H; j++) {
          const a = da[b * H + j];
          if (a === 0) continue;
          g.bih[j] += a;
          g.bhh[j] += a;
          for (let k = 0; k < I; k++) {
            g.wih[j * I + k] += a * ws.x[xt + k];
            dx[dxo + k] += a * wih[j * I + k];
          }
          for (let k = 0; k < H; k++) {
            g.whh[j * H + k] += a * ws.h[hp + k];
            dh[b * H + k] += a * whh[j * H + k];
          }
        }
      }
    }
    return new Tensor(dx, [B, T, I]);
  }
}
