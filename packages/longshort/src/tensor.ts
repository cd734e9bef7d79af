// Tensors: a row-major typed array with an explicit shape. Nothing more — no autodiff, no
// broadcasting. Layers own their buffers and call kernels on them; this type only carries
// data and shape across the public API. float64 exists for gradient checks.

import { ConfigError, ShapeError } from './errors.js';

/** Element type of a tensor: 'float32' (the default everywhere) or 'float64' (gradient checks). */
export type DType = 'float32' | 'float64';
/** The typed array behind a tensor: Float32Array for 'float32', Float64Array for 'float64'. */
export type Arr = Float32Array | Float64Array;

/**
 * An n-dimensional array: a row-major Float32Array (or Float64Array) plus an explicit shape. This is
 * what layers, losses and models take and return. It has no autodiff and no broadcasting; the last
 * dimension varies fastest, so element (b, t, i) of a (B, T, I) tensor is `data[(b * T + t) * I + i]`.
 * Bad data or shapes throw ShapeError.
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);  // shape inferred: (2, 3)
 * x.shape;                                   // [2, 3]
 * x.data[1 * 3 + 2];                         // 6
 * const y = new Tensor(new Float32Array(24), [2, 3, 4]);  // (B, T, I) = (2, 3, 4), all zeros
 * y.reshape([6, 4]).shape;                   // [6, 4], same data
 * ```
 */
export class Tensor {
  /** The values, row-major; shared, not copied, by the constructor and reshape(). */
  readonly data: Arr;
  /** The dimensions (frozen); their product is `data.length`. */
  readonly shape: readonly number[];

  /** Wraps `data` (not copied). Every dimension must be an integer ≥ 0 and the shape must cover the data exactly. */
  constructor(data: Arr, shape: readonly number[]) {
    if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
      throw new ShapeError(`[Tensor] data must be a Float32Array or Float64Array; received ${describeValue(data)}. Hint: use tensor(values, shape) for plain arrays.`);
    }
    checkShape(shape);
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new ShapeError(
        `[Tensor] data length must equal the product of shape (${shape.join(', ')}) = ${n}; received ${data.length} values.`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  /** 'float64' when data is a Float64Array, else 'float32'. */
  get dtype(): DType {
    return this.data instanceof Float64Array ? 'float64' : 'float32';
  }

  /** Number of elements (product of the shape). */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** A copy with its own data. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /** Same data (no copy), new shape of equal size. */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.data, shape);
  }

  /** The values as a flat plain array, row-major (the shape is not applied). */
  toArray(): number[] {
    return Array.from(this.data);
  }
}

/** A shape is an array of integers ≥ 0 (at most 2^53 elements in all). */
function checkShape(shape: unknown): asserts shape is readonly number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`[Tensor] shape must be an array of integers ≥ 0; received ${describeValue(shape)}.`);
  for (let k = 0; k < shape.length; k++) {
    const d: unknown = shape[k];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`[Tensor] shape[${k}] must be an integer ≥ 0; received ${describeValue(d)} in shape [${shape.map(describeValue).join(', ')}].`);
    }
  }
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return 'an array';
  return Object.prototype.toString.call(v).slice(8, -1);
}

/** Number of elements of a shape: the product of its dimensions (1 for the empty shape). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocArr(n: number, dtype: DType = 'float32'): Arr {
  try {
    return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  } catch (e) {
    // a length beyond what a typed array holds, or more memory than the engine will give
    if (e instanceof RangeError) throw new ConfigError(`[allocArr] cannot allocate ${n} ${dtype} values (${n * (dtype === 'float64' ? 8 : 4)} bytes): ${e.message}. Hint: use smaller sizes.`);
    throw e;
  }
}

/**
 * A tensor of zeros with the given shape. Throws ShapeError for a shape that is not an array of
 * integers ≥ 0 or an unknown dtype; ConfigError when the size cannot be allocated.
 */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  checkShape(shape);
  if (dtype !== 'float32' && dtype !== 'float64') throw new ShapeError(`[zeros] dtype must be 'float32' or 'float64'; received ${describeValue(dtype)}.`);
  return new Tensor(allocArr(sizeOf(shape), dtype), shape);
}

/**
 * A tensor from numbers (nested arrays are flattened row-major; shape is inferred when omitted).
 * Values are copied. Throws ShapeError for non-numbers, ragged nesting or a shape that does not
 * match the number of values.
 * @example
 * ```ts
 * tensor([1, 2, 3, 4], [2, 2]);          // (2, 2) from a flat array
 * tensor([[[0.1], [0.2], [0.3]]]);       // (1, 3, 1): one sequence of three steps
 * ```
 */
export function tensor(values: ArrayLike<number> | NestedNumbers, shape?: readonly number[], dtype: DType = 'float32'): Tensor {
  if (dtype !== 'float32' && dtype !== 'float64') throw new ShapeError(`[tensor] dtype must be 'float32' or 'float64'; received ${describeValue(dtype)}.`);
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw new ShapeError(`[tensor] values must be an array of numbers (nested for rank > 1) or a typed array; received ${describeValue(values)}.`);
  }
  if (isArrayLikeNumbers(values)) {
    if (Array.isArray(values)) {
      const bad = values.findIndex((x) => typeof x !== 'number');
      if (bad >= 0) throw new ShapeError(`[tensor] values must all be numbers; received ${describeValue(values[bad])} at index ${bad}.`);
    }
    const data = allocArr(values.length, dtype);
    data.set(values as ArrayLike<number>);
    return new Tensor(data, shape ?? [values.length]);
  }
  const inferred: number[] = [];
  let v: unknown = values;
  while (Array.isArray(v)) {
    inferred.push(v.length);
    v = v[0];
  }
  const flat = (values as unknown[]).flat(Infinity) as unknown[];
  const bad = flat.findIndex((x) => typeof x !== 'number');
  if (bad >= 0) throw new ShapeError(`[tensor] values must all be numbers; received ${describeValue(flat[bad])} at flat index ${bad}.`);
  const data = allocArr(flat.length, dtype);
  data.set(flat as number[]);
  return new Tensor(data, shape ?? inferred);
}

/** Numbers nested to any depth, e.g. number[][][] for a (B, T, I) tensor. */
export type NestedNumbers = number[] | NestedNumbers[];

function isArrayLikeNumbers(v: unknown): v is ArrayLike<number> {
  if (ArrayBuffer.isView(v)) return true;
  return Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number');
}

/** A shape as text, e.g. `(32, 16, 8)`, for messages. */
export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}
