// The fully connected layer, PyTorch nn.Linear's layout and names (weight (O, I), bias (O),
// y = x·Wᵀ + b) with an optional activation on top. Sequence input (B, T, I) is treated as B·T
// independent rows in one matrix product, so a Dense head after an LSTM costs a single gemm.
// Input checking happens here, once; the arithmetic is the kernel family's (src/kernels; the
// reference is src/kernels/ref/dense.ts), on a weight and bias that live in its memory.
// Left out: inputs of rank other than 2 or 3, weight tying, activations with parameters.
//
// dim key: M rows (N, or B·T), I = inputSize, O = outputSize.

import { Tensor, formatShape, zeros, type DType } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { checkBooleans, checkFiniteNumber, checkOptionsObject, checkSize, checkTensorSizes, show } from '../util/check.js';
import { LayerMemory, selectKernels, type Workspace } from '../kernels/index.js';
import { DENSE_ACTIVATIONS, type DenseActivation, type KernelName, type Kernels } from '../kernels/types.js';
import { LayerParam, type CallContext, type Layer, type Param } from './layer.js';

export type { DenseActivation } from '../kernels/types.js';

/** How Dense draws its initial weights: 'pytorch' (nn.Linear's) or 'glorotUniform' (Keras's). */
export type DenseInit = 'pytorch' | 'glorotUniform';

/** Options of a Dense layer; bad values throw ConfigError naming the option. */
export interface DenseOptions {
  /** Features per input row (I), an integer ≥ 1. */
  inputSize: number;
  /** Features per output row (O), an integer ≥ 1. */
  outputSize: number;
  /** Applied after the affine map; 'softmax' normalises over the last dimension. Default 'linear'. */
  activation?: DenseActivation;
  /** Default true. */
  bias?: boolean;
  /**
   * 'pytorch' (default): weight and bias U(±1/√inputSize), which is what nn.Linear's
   * kaiming_uniform_(a=√5) works out to. 'glorotUniform': weight U(±√(6/(I+O))), bias 0 (Keras).
   */
  init?: DenseInit;
  /** Element type of weights, inputs and outputs. Default 'float32'. */
  dtype?: DType;
  /** Seed for initialisation (default 0). Ignored when `rng` is given. */
  seed?: number;
  /** Draw initial weights from this generator instead (a model passes its own so layers differ). */
  rng?: Rng;
  /** The kernel family to compute with (chosen once, here). Default 'auto'. */
  kernels?: 'auto' | KernelName | Kernels;
}

/**
 * A fully connected layer, y = act(x·Wᵀ + b), with PyTorch nn.Linear's layout and names (weight
 * (O, I), bias (O)). Takes (N, I) → (N, O), or a sequence (B, T, I) → (B, T, O) with every step
 * treated as a row. Bad options throw ConfigError; inputs of the wrong rank or size throw ShapeError.
 * @example
 * ```ts
 * const head = new Dense({ inputSize: 32, outputSize: 3, activation: 'softmax' });
 * const y = head.call(zeros([4, 32]), { training: false });  // (4, 3), rows sum to 1
 * ```
 */
export class Dense implements Layer {
  readonly kind = 'Dense';
  /** Features per input row (I). */
  readonly inputSize: number;
  /** Features per output row (O). */
  readonly outputSize: number;
  /** Activation applied after the affine map. */
  readonly activation: DenseActivation;
  /** Whether the layer has a bias. */
  readonly useBias: boolean;
  /** How the initial weights were drawn. */
  readonly init: DenseInit;
  readonly dtype: DType;
  /** The weight 'weight', shape (O, I). */
  readonly weight: LayerParam; // (O, I)
  /** The bias 'bias', shape (O), or null with `bias: false`. */
  readonly bias: LayerParam | null; // (O)
  private readonly paramList: LayerParam[];
  private readonly mem: LayerMemory;
  private readonly scratch: Workspace; // dz (M, O) of backward
  // What backward needs from the last call.
  private lastX: Tensor | null = null;
  private lastY: Tensor | null = null;

  /** Builds and initialises the layer; throws ConfigError for bad options. */
  constructor(options: DenseOptions) {
    const o = options;
    checkOptionsObject('[Dense]', o);
    checkBooleans('[Dense]', o, ['bias']);
    if (o.seed !== undefined) checkFiniteNumber('[Dense]', 'seed', o.seed);
    if (o.rng !== undefined && !(o.rng instanceof Rng)) throw new ConfigError(`[Dense] rng must be an Rng; received ${show(o.rng)}.`);
    checkPositiveInt('inputSize', o.inputSize);
    checkPositiveInt('outputSize', o.outputSize);
    const activation = o.activation ?? 'linear';
    if (!DENSE_ACTIVATIONS.includes(activation)) {
      throw new ConfigError(
        `[Dense] activation must be one of ${DENSE_ACTIVATIONS.join(', ')}; received ${show(activation)}.`,
      );
    }
    const init = o.init ?? 'pytorch';
    if (init !== 'pytorch' && init !== 'glorotUniform') {
      throw new ConfigError(`[Dense] init must be 'pytorch' or 'glorotUniform'; received ${show(init)}.`);
    }
    const dtype = o.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ConfigError(`[Dense] dtype must be 'float32' or 'float64'; received ${show(dtype)}.`);
    }
    this.inputSize = o.inputSize;
    this.outputSize = o.outputSize;
    this.activation = activation;
    this.useBias = o.bias ?? true;
    this.init = init;
    this.dtype = dtype;

    const I = this.inputSize;
    const O = this.outputSize;
    checkTensorSizes('[Dense]', [['weight', [O, I]]], `outputSize=${O}, inputSize=${I}`);
    this.mem = new LayerMemory(selectKernels(o.kernels, dtype), dtype);
    this.scratch = this.mem.workspace();
    const m = this.mem;
    this.weight = new LayerParam('weight', [O, I], m.alloc(O * I), m.alloc(O * I));
    this.bias = this.useBias ? new LayerParam('bias', [O], m.alloc(O), m.alloc(O)) : null;
    this.paramList = this.bias !== null ? [this.weight, this.bias] : [this.weight];

    const rng = o.rng ?? new Rng(o.seed ?? 0);
    if (init === 'pytorch') {
      // nn.Linear: kaiming_uniform_(a=√5) gives bound = gain·√(3/fan_in) with gain = √(2/(1+a²)),
      // i.e. √(2/6)·√(3/I) = 1/√I; the bias uses the same bound 1/√fan_in.
      const k = 1 / Math.sqrt(I);
      const w = this.weight.value;
      for (let n = 0; n < w.length; n++) w[n] = rng.uniform(-k, k);
      if (this.bias !== null) for (let n = 0; n < O; n++) this.bias.value[n] = rng.uniform(-k, k);
    } else {
      const lim = Math.sqrt(6 / (I + O));
      const w = this.weight.value;
      for (let n = 0; n < w.length; n++) w[n] = rng.uniform(-lim, lim);
      // bias stays 0
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
    this.alive('Dense.useKernels');
    const k = selectKernels(prefer, this.dtype);
    if (k === this.mem.kernels) return;
    const copy = this.mem.moveTo(k);
    for (const p of this.paramList) {
      p.value = copy(p.value);
      p.grad = copy(p.grad);
    }
  }

  /** Give the weight, bias and scratch back to the kernel family now; the layer must not be used afterwards. */
  dispose(): void {
    this.mem.dispose();
    this.lastX = this.lastY = null;
  }

  private alive(where: string): void {
    if (this.mem.disposed) throw new ConfigError(`[${where}] this layer was disposed; its memory went back to the kernels. Hint: build a new layer (or load the model again).`);
  }

  zeroGrad(): void {
    for (const p of this.paramList) p.grad.fill(0);
  }

  config(): Record<string, unknown> {
    return {
      inputSize: this.inputSize,
      outputSize: this.outputSize,
      activation: this.activation,
      bias: this.useBias,
      init: this.init,
      dtype: this.dtype,
    };
  }

  outputShape(inputShape: readonly (number | null)[]): (number | null)[] {
    if (inputShape.length !== 2 && inputShape.length !== 3) {
      throw new ShapeError(
        `[Dense.outputShape] input must have shape (N, ${this.inputSize}) or (B, T, ${this.inputSize}); ` +
          `received ${fmtFree(inputShape)}.`,
      );
    }
    const last = inputShape[inputShape.length - 1];
    if (last !== null && last !== this.inputSize) {
      throw new ShapeError(
        `[Dense.outputShape] input must have last dimension ${this.inputSize} because inputSize=${this.inputSize}; ` +
          `received ${fmtFree(inputShape)}. ` +
          `Hint: set inputSize to the previous layer's output size (${last}).`,
      );
    }
    return [...inputShape.slice(0, -1), this.outputSize];
  }

  /** y = act(x·Wᵀ + b) on x (N, I) → (N, O) or (B, T, I) → (B, T, O). Keeps x and y for backward. */
  call(x: Tensor, _ctx?: CallContext): Tensor {
    const where = 'Dense.call';
    this.alive(where);
    const I = this.inputSize;
    const O = this.outputSize;
    if (x.rank !== 2 && x.rank !== 3) {
      throw new ShapeError(
        `[${where}] x must have shape (N, ${I}) or (B, T, ${I}); received ${formatShape(x.shape)} (rank ${x.rank}). ` +
          `Hint: reshape a single vector to (1, ${I}).`,
      );
    }
    if (x.shape[x.rank - 1] !== I) {
      throw new ShapeError(
        `[${where}] x must have last dimension ${I} because inputSize=${I}; received ${formatShape(x.shape)}. ` +
          `Hint: construct Dense with inputSize: ${x.shape[x.rank - 1]}, or check the previous layer's output size.`,
      );
    }
    checkDtype(where, x, this.dtype);
    const M = x.size / I;
    const y = zeros([...x.shape.slice(0, -1), O], this.dtype);
    this.mem.kernels.denseForward(y.data, x.data, this.weight.value, this.bias?.value ?? null, M, I, O, this.activation);
    this.lastX = x;
    this.lastY = y;
    return y;
  }

  /** Adds dL/dW and dL/db into the param grads; returns dL/dx with x's shape. */
  callBackward(dy: Tensor): Tensor {
    const where = 'Dense.callBackward';
    this.alive(where);
    const x = this.lastX;
    const y = this.lastY;
    if (x === null || y === null) {
      throw new ConfigError(`[${where}] no forward pass to differentiate; call(x, ctx) must run first.`);
    }
    if (!sameShape(dy.shape, y.shape)) {
      throw new ShapeError(
        `[${where}] dy must have the output's shape ${formatShape(y.shape)}; received ${formatShape(dy.shape)}.`,
      );
    }
    checkDtype(where, dy, this.dtype);
    const I = this.inputSize;
    const O = this.outputSize;
    const M = x.size / I;
    // dz: backward's scratch for dL/d(pre-activation), kept while the batch shape stays
    const dz = this.activation === 'linear' ? y.data : this.scratch.get(`${M * O}`, (alloc) => alloc(M * O));
    const dx = zeros(x.shape, this.dtype);
    this.mem.kernels.denseBackward(
      dx.data,
      this.weight.grad,
      this.bias?.grad ?? null,
      dz,
      dy.data,
      x.data,
      this.weight.value,
      y.data,
      M,
      I,
      O,
      this.activation,
    );
    return dx;
  }
}

function checkPositiveInt(name: string, v: unknown): void {
  checkSize('[Dense]', name, v);
}

function checkDtype(where: string, t: Tensor, dtype: DType): void {
  if (t.dtype !== dtype) {
    throw new ConfigError(
      `[${where}] tensor must be ${dtype} because the layer's dtype is ${dtype}; received ${t.dtype}. ` +
        `Hint: build the input with dtype '${dtype}', or construct the layer with dtype: '${t.dtype}'.`,
    );
  }
}

/** (null, 8) for shapes with free dimensions. */
function fmtFree(shape: readonly (number | null)[]): string {
  return `(${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')})`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}
