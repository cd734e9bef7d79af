// Inverted dropout (PyTorch nn.Dropout): in training mode each element is zeroed with probability
// p and the survivors are scaled by 1/(1−p), so the expected activation matches inference, where
// the layer is the identity. Masks come from ctx.rng, which the model seeds, so a run can be
// replayed exactly. Left out: dropout that shares one mask across time steps (variational /
// spatial dropout) — the LSTM has its own inter-layer dropout.
//
// dim key: any shape; the mask has the input's shape.

import { show } from '../util/check.js';
import { Tensor, allocArr, zeros, formatShape, type Arr, type DType } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import type { CallContext, Layer, Param } from './layer.js';

/** Options of a Dropout layer. */
export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1). Default 0.5 (as PyTorch). */
  p?: number;
  /** Element type of inputs and outputs. Default 'float32'. */
  dtype?: DType;
}

/**
 * Inverted dropout (PyTorch nn.Dropout): in training each element is zeroed with probability p and
 * the rest are scaled by 1/(1−p); in inference the layer passes its input through (as a copy). Any
 * shape. Training calls need `ctx.rng` (ConfigError without it); Sequential passes its own.
 */
export class Dropout implements Layer {
  readonly kind = 'Dropout';
  /** Probability of zeroing an element, in [0, 1). */
  readonly p: number;
  readonly dtype: DType;
  /** mask[i] = 1/(1−p) for kept elements, 0 for dropped; valid for the last training call. */
  private mask: Arr;
  private last: { shape: readonly number[]; training: boolean } | null = null;

  /** Throws ConfigError for p outside [0, 1) or an unknown dtype. */
  constructor(options: DropoutOptions = {}) {
    const p = options.p ?? 0.5;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) {
      throw new ConfigError(
        `[Dropout] p must be in [0, 1); received ${show(p)}. Hint: p is the probability of DROPPING an element; p=1 would drop everything.`,
      );
    }
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ConfigError(`[Dropout] dtype must be 'float32' or 'float64'; received ${show(dtype)}.`);
    }
    this.p = p;
    this.dtype = dtype;
    this.mask = allocArr(0, dtype);
  }

  params(): Param[] {
    return [];
  }

  zeroGrad(): void {}

  config(): Record<string, unknown> {
    return { p: this.p, dtype: this.dtype };
  }

  outputShape(inputShape: readonly (number | null)[]): (number | null)[] {
    return [...inputShape];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const where = 'Dropout.call';
    const training = ctx?.training === true;
    if (!training || this.p === 0) {
      this.last = { shape: x.shape, training: false };
      // A copy, not x itself, so writing into one layer's output never changes another's input.
      return x.clone();
    }
    const rng = ctx.rng;
    if (rng === undefined) {
      throw new ConfigError(
        `[${where}] ctx.rng must be set when ctx.training is true (dropout masks must be seeded); received none. ` +
          `Hint: pass { training: true, rng: new Rng(seed) }, or { training: false } for inference.`,
      );
    }
    if (x.dtype !== this.dtype) {
      throw new ConfigError(
        `[${where}] x must be ${this.dtype} because the layer's dtype is ${this.dtype}; received ${x.dtype}.`,
      );
    }
    const n = x.size;
    if (this.mask.length < n) this.mask = allocArr(n, this.dtype);
    const mask = this.mask;
    const scale = 1 / (1 - this.p);
    const y = zeros(x.shape, this.dtype);
    const xd = x.data;
    const yd = y.data;
    for (let i = 0; i < n; i++) {
      // Uniform [0, 1) < p drops with probability exactly p.
      const m = rng.next() < this.p ? 0 : scale;
      mask[i] = m;
      yd[i] = xd[i] * m;
    }
    this.last = { shape: x.shape, training: true };
    return y;
  }

  /** dL/dx = dL/dy ⊙ mask (training) or dL/dy (inference). */
  callBackward(dy: Tensor): Tensor {
    const where = 'Dropout.callBackward';
    const last = this.last;
    if (last === null) {
      throw new ConfigError(`[${where}] no forward pass to differentiate; call(x, ctx) must run first.`);
    }
    if (dy.rank !== last.shape.length || dy.shape.some((d, k) => d !== last.shape[k])) {
      throw new ShapeError(
        `[${where}] dy must have the output's shape ${formatShape(last.shape)}; received ${formatShape(dy.shape)}.`,
      );
    }
    if (!last.training) return dy.clone();
    // forward: y = x ⊙ mask
    const dx = zeros(dy.shape, dy.dtype);
    const n = dy.size;
    for (let i = 0; i < n; i++) dx.data[i] = dy.data[i] * this.mask[i];
    return dx;
  }
}
