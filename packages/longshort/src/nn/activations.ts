// Standalone activation layers for Sequential: relu, tanh, sigmoid element-wise, softmax over the
// last dimension. No parameters. The arithmetic is the kernel family's activation operation, the
// one a Dense layer ends in, so `Dense({activation})` and `Dense` + `Activation` compute the same thing.
// Left out: log-softmax (the cross-entropy loss takes logits) and parametrised activations.
//
// dim key: any shape; R rows (all leading dims) × L last-dim entries for softmax.

import { show } from '../util/check.js';
import { Tensor, formatShape, zeros, type DType } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { selectKernels } from '../kernels/index.js';
import type { DenseActivation, KernelName, Kernels } from '../kernels/types.js';
import type { CallContext, Layer, Param } from './layer.js';

/** The functions an Activation layer computes: relu, tanh and sigmoid element-wise, softmax over the last dimension. */
export type ActivationFn = Exclude<DenseActivation, 'linear'>;

/** Every ActivationFn, for checks and menus. */
export const ACTIVATION_FNS: readonly ActivationFn[] = ['relu', 'tanh', 'sigmoid', 'softmax'];

/** Options of an Activation layer. */
export interface ActivationOptions {
  /** The function to apply. */
  fn: ActivationFn;
  /** Element type. Default 'float32'; the output takes the input's dtype. */
  dtype?: DType;
  /** The kernel family to compute with (chosen once, here). Default 'auto'. */
  kernels?: 'auto' | KernelName | Kernels;
}

/**
 * A parameter-free activation layer for Sequential: relu, tanh or sigmoid element-wise, or softmax
 * over the last dimension, on a tensor of any shape. `Dense({ activation })` computes the same
 * thing in one layer. An unknown fn throws ConfigError.
 */
export class Activation implements Layer {
  readonly kind = 'Activation';
  /** The function applied. */
  readonly fn: ActivationFn;
  readonly dtype: DType;
  private kernelSet: Kernels;
  private lastY: Tensor | null = null;

  /** Throws ConfigError for an unknown fn or dtype. */
  constructor(options: ActivationOptions) {
    const fn = options?.fn;
    if (!ACTIVATION_FNS.includes(fn)) {
      throw new ConfigError(`[Activation] fn must be one of ${ACTIVATION_FNS.join(', ')}; received ${show(fn)}.`);
    }
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ConfigError(`[Activation] dtype must be 'float32' or 'float64'; received ${show(dtype)}.`);
    }
    this.fn = fn;
    this.dtype = dtype;
    this.kernelSet = selectKernels(options.kernels, dtype);
  }

  /** The kernel family this layer computes with. */
  get kernels(): Kernels {
    return this.kernelSet;
  }

  /** Compute with another kernel family from now on. */
  useKernels(prefer: 'auto' | KernelName | Kernels): void {
    this.kernelSet = selectKernels(prefer, this.dtype);
  }

  params(): Param[] {
    return [];
  }

  zeroGrad(): void {}

  config(): Record<string, unknown> {
    return { fn: this.fn, dtype: this.dtype };
  }

  outputShape(inputShape: readonly (number | null)[]): (number | null)[] {
    return [...inputShape];
  }

  call(x: Tensor, _ctx?: CallContext): Tensor {
    if (x.rank < 1) {
      throw new ShapeError(`[Activation.call] x must have at least one dimension; received ${formatShape(x.shape)}.`);
    }
    const L = x.shape[x.rank - 1];
    const R = L === 0 ? 0 : x.size / L;
    // Output in x's dtype: the layer has no parameters, so nothing forces a conversion.
    const y = zeros(x.shape, x.dtype);
    this.kernelSet.activationForward(y.data, x.data, R, L, this.fn);
    this.lastY = y;
    return y;
  }

  callBackward(dy: Tensor): Tensor {
    const where = 'Activation.callBackward';
    const y = this.lastY;
    if (y === null) {
      throw new ConfigError(`[${where}] no forward pass to differentiate; call(x, ctx) must run first.`);
    }
    if (dy.rank !== y.rank || dy.shape.some((d, k) => d !== y.shape[k])) {
      throw new ShapeError(
        `[${where}] dy must have the output's shape ${formatShape(y.shape)}; received ${formatShape(dy.shape)}.`,
      );
    }
    const L = y.shape[y.rank - 1];
    const R = L === 0 ? 0 : y.size / L;
    const dx = zeros(y.shape, y.dtype);
    this.kernelSet.activationBackward(dx.data, dy.data, y.data, R, L, this.fn);
    return dx;
  }
}
