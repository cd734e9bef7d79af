// Tensors: a row-major typed array with an explicit shape. Nothing more — no autodiff, no
// broadcasting. Layers own their buffers and call kernels on them; this type only carries
// data and shape across the public API. float64 exists for gradient checks.

import { ConfigError, ShapeError } from './errors.js';

export type DType = 'float32' | 'float64';
export type Arr = Float32Array | Float64Array;

export class Tensor {
  readonly data: Arr;
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

  get dtype(): DType {
    return this.data instanceof Float64Array ? 'float64' : 'float32';
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /** Same data (no copy), new shape of equal size. */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.data, shape);
  }

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

export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  checkShape(shape);
  if (dtype !== 'float32' && dtype !== 'float64') throw new ShapeError(`[zeros] dtype must be 'float32' or 'float64'; received ${describeValue(dtype)}.`);
  return new Tensor(allocArr(sizeOf(shape), dtype), shape);
}

/** A tensor from numbers (nested arrays are flattened row-major; shape is inferred when omitted). */
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

export type NestedNumbers = number[] | NestedNumbers[];

function isArrayLikeNumbers(v: unknown): v is ArrayLike<number> {
  if (ArrayBuffer.isView(v)) return true;
  return Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number');
}

export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}
