// The contract every layer keeps, so Sequential, the optimizers, the trainer and the model
// files can treat an LSTM, a Dense head or an Embedding alike.
//
// A layer owns its parameters and their gradients. `call` runs forward and keeps what backward
// needs (one cached forward at a time); `callBackward` takes dL/d(output), ADDS parameter gradients
// into each Param.grad (the caller zeroes them with zeroGrad, so gradients can build up over
// several calls) and returns dL/d(input).

import { formatShape, type Arr, type Tensor, type DType } from '../tensor.js';
import { NonFiniteError, ShapeError } from '../errors.js';
import type { Rng } from '../util/rng.js';

/**
 * One trainable tensor and its gradient, with a PyTorch state-dict style name relative to its
 * layer. The arrays live in the memory of the layer's kernel family (WebAssembly or native memory
 * when that family has its own), where every kernel call uses them in place; reading and writing
 * them is reading and writing the parameter. Read `value`/`grad` from the Param when you need
 * them rather than keeping the arrays: a layer moved to another kernel family (useKernels) gets
 * new arrays, and the Param follows.
 */
export interface Param {
  /** e.g. 'weight_ih_l0', 'weight', 'bias'. */
  readonly name: string;
  /** Dimensions of the tensor, e.g. [4H, I] for weight_ih_l0. */
  readonly shape: readonly number[];
  /** The values (row-major). Optimizers update this array in place. */
  readonly value: Arr;
  /** dLoss/dValue, same length as value. Backward adds into it. */
  readonly grad: Arr;
}

/** A layer's own Param: the layer replaces its arrays when it moves to another kernel family. */
export class LayerParam implements Param {
  constructor(
    readonly name: string,
    readonly shape: readonly number[],
    public value: Arr,
    public grad: Arr,
  ) {}
}

/** A Param under another name (Sequential's 'lstm.weight_ih_l0') that reads the layer's current arrays. */
export function renamedParam(name: string, p: Param): Param {
  return {
    name,
    shape: p.shape,
    get value() {
      return p.value;
    },
    get grad() {
      return p.grad;
    },
  };
}

/** What flows through Sequential alongside the tensor. */
export interface CallContext {
  /** Training mode: dropout active. */
  training: boolean;
  /** Valid lengths per batch row for right-padded sequence batches (B entries, each in [1, T]). */
  lengths?: Int32Array;
  /** Generator for dropout masks (seeded by the model). */
  rng?: Rng;
}

/**
 * The contract every layer keeps (LSTM, Dense, Embedding, Dropout, LayerNorm, Activation), so that
 * Sequential, the optimizers, fit() and the model files treat them alike. A layer owns its
 * parameters and their gradients; `call` runs forward and keeps what `callBackward` needs (one
 * cached forward at a time); `callBackward` adds parameter gradients into each Param.grad (zeroGrad
 * clears them) and returns dL/d(input).
 */
export interface Layer {
  /** Class name: 'LSTM', 'Dense', 'Embedding', 'Dropout', 'LayerNorm', … */
  readonly kind: string;
  /** Element type of the parameters and outputs. */
  readonly dtype: DType;
  /** Parameters with names relative to the layer (Sequential prefixes them). */
  params(): Param[];
  /** Forward pass; caches what callBackward needs. */
  call(x: Tensor, ctx: CallContext): Tensor;
  /** Backward pass of the last call: accumulates parameter gradients, returns dL/dx. */
  callBackward(dy: Tensor): Tensor;
  /** Output shape for an input shape; null stands for a free dimension (batch, time). */
  outputShape(inputShape: readonly (number | null)[]): (number | null)[];
  /** JSON-serialisable constructor options: `new Kind(config())` rebuilds the layer (weights aside). */
  config(): Record<string, unknown>;
  /** Zero every parameter gradient. */
  zeroGrad(): void;
  /** Give the layer's memory (parameters, buffers) back to its kernel family now; the layer must not be used afterwards. */
  dispose?(): void;
}

/** A layer of a model, with its name there ('lstm', 'head'). */
export interface NamedLayer {
  /** Unique within the model; prefixes the layer's parameter names ('lstm.weight_ih_l0'). */
  name: string;
  /** The layer itself. */
  layer: Layer;
}

/**
 * What the trainers (src/train) and model files (src/io) need of a model: a layer made of named
 * layers, with the generator that draws its dropout masks. Sequential is one; they depend on
 * this shape, not on the class, so nn/ does not depend on them.
 */
export interface Model extends Layer {
  /** The layers in order, with their names. */
  readonly layers: readonly NamedLayer[];
  /** Generator for dropout masks during training; its state goes into checkpoints. */
  readonly rng: Rng;
}

/** Zero the gradient of every parameter. */
export function zeroGrads(params: readonly Param[]): void {
  for (const p of params) p.grad.fill(0);
}

/** Total number of values in the parameters. */
export function paramCount(params: readonly Param[]): number {
  let n = 0;
  for (const p of params) n += p.value.length;
  return n;
}

/** A state dict: tensors by name, each a shape and its row-major values (a Tensor fits, and so does plain JSON). */
export type StateDictLike = Record<string, { shape: readonly number[]; data: ArrayLike<number> }>;

/**
 * Check a state dict against parameters (every name present, exact shapes, finite values; with
 * `strict`, no unknown names) and only then copy it in, so a bad dict changes nothing.
 */
export function loadParams(
  params: readonly Param[],
  dict: StateDictLike,
  where: string,
  { strict = true, missingHint = '', extraHint = '' }: { strict?: boolean; missingHint?: string; extraHint?: string } = {},
): void {
  const expected = params.map((p) => `${p.name} ${formatShape(p.shape)}`).join(', ');
  const missing = params.filter((p) => !Object.prototype.hasOwnProperty.call(dict, p.name)).map((p) => p.name);
  if (missing.length > 0) throw new ShapeError(`[${where}] missing tensor(s) ${missing.join(', ')}; expected: ${expected}.${missingHint}`);
  const known = new Set(params.map((p) => p.name));
  const extra = Object.keys(dict).filter((n) => !known.has(n));
  if (strict && extra.length > 0) throw new ShapeError(`[${where}] unexpected tensor(s) ${extra.join(', ')}; expected: ${expected}.${extraHint}`);
  for (const p of params) {
    const t = dict[p.name];
    if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || t.data === null || typeof t.data !== 'object' || typeof t.data.length !== 'number') {
      throw new ShapeError(`[${where}] ${p.name} must be a tensor { shape, data }; received ${t === null ? 'null' : typeof t}.`);
    }
    const same = t.shape.length === p.shape.length && t.shape.every((d, k) => d === p.shape[k]);
    if (!same) throw new ShapeError(`[${where}] ${p.name} must have shape ${formatShape(p.shape)}; received ${formatShape(t.shape)}.`);
    if (t.data.length !== p.value.length) {
      // the shape is right but the data is not: say so, rather than print the same shape twice
      throw new ShapeError(`[${where}] ${p.name} has shape ${formatShape(p.shape)}, which needs ${p.value.length} values; its data holds ${t.data.length}.`);
    }
    for (let n = 0; n < t.data.length; n++) {
      if (!Number.isFinite(t.data[n])) throw new NonFiniteError(`[${where}] ${p.name} must be finite; received ${t.data[n]} at flat index ${n}.`);
    }
  }
  for (const p of params) p.value.set(dict[p.name].data);
}
