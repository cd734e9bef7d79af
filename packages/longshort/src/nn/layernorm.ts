// Layer normalisation over the last dimension, PyTorch nn.LayerNorm(normalized_shape=C) with its
// parameter names (weight starts at 1, bias at 0) and biased variance. Works on any leading shape,
// (N, C) or (B, T, C), each row on its own. The arithmetic is the kernel family's (reference:
// src/kernels/ref/layernorm.ts), on a weight and bias that live in its memory.
// Left out: normalising over more than one trailing dimension.
//
// dim key: M rows (all leading dims), C = normalizedShape.

import { checkBooleans, checkOptionsObject, checkSize, checkTensorSizes, show } from '../util/check.js';
import { Tensor, formatShape, zeros, type Arr, type DType } from '../tensor.js';
import { ConfigError, ShapeError, UnsupportedError } from '../errors.js';
import { LayerMemory, selectKernels, type Workspace } from '../kernels/index.js';
import type { KernelName, Kernels } from '../kernels/types.js';
import { LayerParam, type CallContext, type Layer, type Param } from './layer.js';

/** Options of a LayerNorm layer; bad values throw ConfigError naming the option. */
export interface LayerNormOptions {
  /** Size of the last dimension (a one-entry array is accepted, as PyTorch's normalized_shape). */
  normalizedShape: number | readonly number[];
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Learn a per-feature scale `weight` and shift `bias`. Default true. */
  elementwiseAffine?: boolean;
  /** Element type of parameters, inputs and outputs. Default 'float32'. */
  dtype?: DType;
  /** The kernel family to compute with (chosen once, here). Default 'auto'. */
  kernels?: 'auto' | KernelName | Kernels;
}

/**
 * Layer normalisation over the last dimension (PyTorch nn.LayerNorm with one normalised size C):
 * each row of (N, C) or (B, T, C) is shifted to mean 0 and scaled to variance 1 (biased), then
 * multiplied by `weight` (starts at 1) and shifted by `bias` (starts at 0). A last dimension other
 * than C throws ShapeError.
 */
export class LayerNorm implements Layer {
  readonly kind = 'LayerNorm';
  /** Size of the normalised last dimension (C). */
  readonly normalizedShape: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Whether the layer has `weight` and `bias`. */
  readonly elementwiseAffine: boolean;
  readonly dtype: DType;
  /** Per-feature scale 'weight', shape (C), or null without elementwiseAffine. */
  readonly weight: LayerParam | null; // (C)
  /** Per-feature shift 'bias', shape (C), or null without elementwiseAffine. */
  readonly bias: LayerParam | null; // (C)
  private readonly paramList: LayerParam[];
  private readonly mem: LayerMemory;
  private readonly stats: Workspace; // mean (M) and rstd (M) of the last call
  private last: { x: Tensor; mean: Arr; rstd: Arr } | null = null;

  /** Throws ConfigError for bad options, UnsupportedError for a normalizedShape of more than one size. */
  constructor(options: LayerNormOptions) {
    checkOptionsObject('[LayerNorm]', options);
    let C: unknown = options.normalizedShape;
    if (Array.isArray(C)) {
      if (C.length !== 1) {
        throw new UnsupportedError(
          `[LayerNorm] normalizedShape must be one size (the last dimension); received ${show(C)}. ` +
            `Hint: reshape so the normalised features form the last dimension.`,
        );
      }
      C = C[0];
    }
    const size = checkSize('[LayerNorm]', 'normalizedShape', C);
    checkBooleans('[LayerNorm]', options, ['elementwiseAffine']);
    checkTensorSizes('[LayerNorm]', [['weight', [size]]], `normalizedShape=${size}`);
    const eps = options.eps ?? 1e-5;
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) {
      throw new ConfigError(`[LayerNorm] eps must be a positive finite number; received ${show(eps)}.`);
    }
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ConfigError(`[LayerNorm] dtype must be 'float32' or 'float64'; received ${show(dtype)}.`);
    }
    this.normalizedShape = size;
    this.eps = eps;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    this.dtype = dtype;
    this.mem = new LayerMemory(selectKernels(options.kernels, dtype), dtype);
    this.stats = this.mem.workspace();
    const m = this.mem;
    if (this.elementwiseAffine) {
      this.weight = new LayerParam('weight', [size], m.alloc(size).fill(1), m.alloc(size));
      this.bias = new LayerParam('bias', [size], m.alloc(size), m.alloc(size));
      this.paramList = [this.weight, this.bias];
    } else {
      this.weight = null;
      this.bias = null;
      this.paramList = [];
    }
  }

  params(): Param[] {
    return this.paramList;
  }

  /** The kernel family this layer computes with. */
  get kernels(): Kernels {
    return this.mem.kernels;
  }

  /** Compute with another kernel family from now on; the weight and bias move into its memory (their Param objects follow). */
  useKernels(prefer: 'auto' | KernelName | Kernels): void {
    this.alive('LayerNorm.useKernels');
    const k = selectKernels(prefer, this.dtype);
    if (k === this.mem.kernels) return;
    const copy = this.mem.moveTo(k);
    for (const p of this.paramList) {
      p.value = copy(p.value);
      p.grad = copy(p.grad);
    }
    this.last = null;
  }

  /** Give the weight, bias and statistics back to the kernel family now; the layer must not be used afterwards. */
  dispose(): void {
    this.mem.dispose();
    this.last = null;
  }

  private alive(where: string): void {
    if (this.mem.disposed) throw new ConfigError(`[${where}] this layer was disposed; its memory went back to the kernels. Hint: build a new layer (or load the model again).`);
  }

  zeroGrad(): void {
    for (const p of this.paramList) p.grad.fill(0);
  }

  config(): Record<string, unknown> {
    return {
      normalizedShape: this.normalizedShape,
      eps: this.eps,
      elementwiseAffine: this.elementwiseAffine,
      dtype: this.dtype,
    };
  }

  outputShape(inputShape: readonly (number | null)[]): (number | null)[] {
    const last = inputShape[inputShape.length - 1];
    if (inputShape.length === 0 || (last !== null && last !== this.normalizedShape)) {
      throw new ShapeError(
        `[LayerNorm.outputShape] input must have last dimension ${this.normalizedShape} because normalizedShape=${this.normalizedShape}; ` +
          `received (${inputShape.map((d) => (d === null ? 'null' : String(d))).join(', ')}).`,
      );
    }
    return [...inputShape];
  }

  call(x: Tensor, _ctx?: CallContext): Tensor {
    const where = 'LayerNorm.call';
    this.alive(where);
    const C = this.normalizedShape;
    if (x.rank < 1 || x.shape[x.rank - 1] !== C) {
      throw new ShapeError(
        `[${where}] x must have last dimension ${C} because normalizedShape=${C}; received ${formatShape(x.shape)}. ` +
          `Hint: construct LayerNorm with normalizedShape: ${x.rank > 0 ? x.shape[x.rank - 1] : 'the feature size'}.`,
      );
    }
    checkDtype(where, x, this.dtype);
    const M = x.size / C;
    const { mean, rstd } = this.stats.get(`${M}`, (alloc) => ({ mean: alloc(M), rstd: alloc(M) }));
    const y = zeros(x.shape, this.dtype);
    this.mem.kernels.layerNormForward(y.data, mean, rstd, x.data, this.weight?.value ?? null, this.bias?.value ?? null, M, C, this.eps);
    this.last = { x, mean, rstd };
    return y;
  }

  callBackward(dy: Tensor): Tensor {
    const where = 'LayerNorm.callBackward';
    this.alive(where);
    const last = this.last;
    if (last === null) {
      throw new ConfigError(`[${where}] no forward pass to differentiate; call(x, ctx) must run first.`);
    }
    const x = last.x;
    if (dy.rank !== x.rank || dy.shape.some((d, k) => d !== x.shape[k])) {
      throw new ShapeError(
        `[${where}] dy must have the output's shape ${formatShape(x.shape)}; received ${formatShape(dy.shape)}.`,
      );
    }
    checkDtype(where, dy, this.dtype);
    const C = this.normalizedShape;
    const M = x.size / C;
    const dx = zeros(x.shape, this.dtype);
    this.mem.kernels.layerNormBackward(dx.data, this.weight?.grad ?? null, this.bias?.grad ?? null, dy.data, x.data, last.mean, last.rstd, this.weight?.value ?? null, M, C);
    return dx;
  }
}

function checkDtype(where: string, t: Tensor, dtype: DType): void {
  if (t.dtype !== dtype) {
    throw new ConfigError(
      `[${where}] tensor must be ${dtype} because the layer's dtype is ${dtype}; received ${t.dtype}. ` +
        `Hint: build the input with dtype '${dtype}', or construct the layer with dtype: '${t.dtype}'.`,
    );
  }
}
