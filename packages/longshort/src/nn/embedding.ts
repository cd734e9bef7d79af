// Lookup table from integer ids to learned vectors, PyTorch nn.Embedding's layout and name
// (weight (num, dim), initialised N(0, 1)), including padding_idx: that row starts at zero and
// never receives gradient, so padding tokens stay neutral. Ids arrive as whole numbers stored in
// the tensor's float array (the library has one tensor type); every id is checked.
// Left out: max_norm renormalisation, sparse gradients, scale_grad_by_freq.
//
// dim key: V = numEmbeddings, E = embeddingDim; the input has any leading shape S (usually (B, T)).
//   x S (ids)  →  y (S, E),  y[s,:] = weight[x[s],:]

import { checkOptionsObject, checkSize, checkTensorSizes, show } from '../util/check.js';
import { Tensor, formatShape, zeros, type DType } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { LayerMemory, selectKernels } from '../kernels/index.js';
import type { KernelName, Kernels } from '../kernels/types.js';
import { LayerParam, type CallContext, type Layer, type Param } from './layer.js';

/** Options of an Embedding layer; bad values throw ConfigError naming the option. */
export interface EmbeddingOptions {
  /** Number of ids (V): the table has rows 0 … V−1. */
  numEmbeddings: number;
  /** Length of each vector (E). */
  embeddingDim: number;
  /** Row that maps padding: zero at init, no gradient. Negative counts from the end, as in PyTorch. */
  paddingIdx?: number;
  /** Element type of the table and outputs. Default 'float32'. */
  dtype?: DType;
  /** Seed for initialisation (default 0). Ignored when `rng` is given. */
  seed?: number;
  /** Draw the initial table from this generator instead. */
  rng?: Rng;
  /** The kernel family whose memory holds the table (its optimizer updates run there). Default 'auto'. */
  kernels?: 'auto' | KernelName | Kernels;
}

/**
 * A lookup table from integer ids to learned vectors (PyTorch nn.Embedding: weight (V, E), drawn
 * from N(0, 1)). Input: ids stored as whole numbers in a tensor of any shape S, usually (B, T);
 * output (S, E). An id that is not an integer in [0, V) throws ShapeError.
 * @example
 * ```ts
 * const emb = new Embedding({ numEmbeddings: 100, embeddingDim: 16, paddingIdx: 0 });
 * emb.call(tensor([[5, 7, 0]]), { training: false }).shape;  // [1, 3, 16]
 * ```
 */
export class Embedding implements Layer {
  readonly kind = 'Embedding';
  /** Number of ids (V). */
  readonly numEmbeddings: number;
  /** Length of each vector (E). */
  readonly embeddingDim: number;
  /** Normalised to [0, numEmbeddings), or null. */
  readonly paddingIdx: number | null;
  readonly dtype: DType;
  /** The table 'weight', shape (V, E). */
  readonly weight: LayerParam; // (V, E)
  private readonly paramList: LayerParam[];
  private readonly mem: LayerMemory;
  private readonly paddingIdxOption: number | undefined;
  private lastX: Tensor | null = null;

  /** Builds the table; throws ConfigError for bad options. */
  constructor(options: EmbeddingOptions) {
    const o = options;
    checkOptionsObject('[Embedding]', o);
    for (const key of ['numEmbeddings', 'embeddingDim'] as const) {
      const v = o[key];
      checkSize('[Embedding]', key, v);
    }
    const V = o.numEmbeddings;
    const E = o.embeddingDim;
    checkTensorSizes('[Embedding]', [['weight', [V, E]]], `numEmbeddings=${V}, embeddingDim=${E}`);
    let pad: number | null = null;
    if (o.paddingIdx !== undefined && o.paddingIdx !== null) {
      const p = o.paddingIdx;
      if (typeof p !== 'number' || !Number.isInteger(p) || p < -V || p >= V) {
        throw new ConfigError(
          `[Embedding] paddingIdx must be an integer in [-${V}, ${V}) because numEmbeddings=${V}; received ${show(p)}.`,
        );
      }
      pad = p < 0 ? p + V : p;
    }
    const dtype = o.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ConfigError(`[Embedding] dtype must be 'float32' or 'float64'; received ${show(dtype)}.`);
    }
    this.numEmbeddings = V;
    this.embeddingDim = E;
    this.paddingIdx = pad;
    this.paddingIdxOption = o.paddingIdx ?? undefined;
    this.dtype = dtype;
    this.mem = new LayerMemory(selectKernels(o.kernels, dtype), dtype);
    this.weight = new LayerParam('weight', [V, E], this.mem.alloc(V * E), this.mem.alloc(V * E));
    this.paramList = [this.weight];

    const rng = o.rng ?? new Rng(o.seed ?? 0);
    const w = this.weight.value;
    for (let n = 0; n < w.length; n++) w[n] = rng.normal(0, 1);
    if (pad !== null) w.fill(0, pad * E, (pad + 1) * E);
  }

  params(): Param[] {
    return this.paramList;
  }

  zeroGrad(): void {
    this.weight.grad.fill(0);
  }

  /** Keep the table in another kernel family's memory from now on (the Param object follows). */
  useKernels(prefer: 'auto' | KernelName | Kernels): void {
    this.alive('Embedding.useKernels');
    const k = selectKernels(prefer, this.dtype);
    if (k === this.mem.kernels) return;
    const copy = this.mem.moveTo(k);
    this.weight.value = copy(this.weight.value);
    this.weight.grad = copy(this.weight.grad);
  }

  /** Give the table back to the kernel family now; the layer must not be used afterwards. */
  dispose(): void {
    this.mem.dispose();
    this.lastX = null;
  }

  private alive(where: string): void {
    if (this.mem.disposed) throw new ConfigError(`[${where}] this layer was disposed; its memory went back to the kernels. Hint: build a new layer (or load the model again).`);
  }

  config(): Record<string, unknown> {
    const c: Record<string, unknown> = {
      numEmbeddings: this.numEmbeddings,
      embeddingDim: this.embeddingDim,
      dtype: this.dtype,
    };
    if (this.paddingIdxOption !== undefined) c.paddingIdx = this.paddingIdxOption;
    return c;
  }

  outputShape(inputShape: readonly (number | null)[]): (number | null)[] {
    return [...inputShape, this.embeddingDim];
  }

  /** x S of integer ids in [0, V) → (S, E). */
  call(x: Tensor, _ctx?: CallContext): Tensor {
    const where = 'Embedding.call';
    this.alive(where);
    const V = this.numEmbeddings;
    const E = this.embeddingDim;
    if (x.rank < 1) {
      throw new ShapeError(
        `[${where}] x must have shape (B, T) (or any shape of ids); received ${formatShape(x.shape)} (a scalar). ` +
          `Hint: wrap a single id as shape (1, 1).`,
      );
    }
    const ids = x.data;
    const n = ids.length;
    for (let s = 0; s < n; s++) {
      const id = ids[s];
      if (!Number.isInteger(id) || id < 0 || id >= V) {
        throw new ShapeError(
          `[${where}] x must hold integer ids in [0, ${V}) because numEmbeddings=${V}; received ${id} at position ` +
            `${formatShape(unravel(s, x.shape))} of x with shape ${formatShape(x.shape)}. ` +
            `Hint: map unknown tokens to a reserved id, or raise numEmbeddings.`,
        );
      }
    }
    const y = zeros([...x.shape, E], this.dtype);
    const w = this.weight.value;
    const yd = y.data;
    for (let s = 0; s < n; s++) {
      const row = ids[s] * E; // weight[x[s],:]
      const ys = s * E; //        y[s,:]
      for (let e = 0; e < E; e++) yd[ys + e] = w[row + e];
    }
    this.lastX = x;
    return y;
  }

  /** Scatters dy into weight.grad (rows repeated in x add up; the padding row gets nothing). Returns zeros shaped like x: ids have no gradient. */
  callBackward(dy: Tensor): Tensor {
    const where = 'Embedding.callBackward';
    const x = this.lastX;
    if (x === null) {
      throw new ConfigError(`[${where}] no forward pass to differentiate; call(x, ctx) must run first.`);
    }
    const E = this.embeddingDim;
    const expected = [...x.shape, E];
    if (dy.rank !== expected.length || dy.shape.some((d, k) => d !== expected[k])) {
      throw new ShapeError(
        `[${where}] dy must have the output's shape ${formatShape(expected)}; received ${formatShape(dy.shape)}.`,
      );
    }
    const ids = x.data;
    const g = this.weight.grad;
    const dyd = dy.data;
    const pad = this.paddingIdx;
    for (let s = 0; s < ids.length; s++) {
      const id = ids[s];
      if (id === pad) continue; // forward: y[s,:] = weight[pad,:], but padding is held fixed
      const row = id * E; // dweight[x[s],:]
      const ds = s * E; //   dy[s,:]
      for (let e = 0; e < E; e++) g[row + e] += dyd[ds + e];
    }
    return zeros(x.shape, x.dtype);
  }
}

/** Flat row-major index → multi-index. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = flat % shape[k];
    flat = Math.floor(flat / shape[k]);
  }
  return idx;
}
