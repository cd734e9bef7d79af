// Tensors: a row-major typed array with an explicit shape. Nothing more — no autodiff, no
// broadcasting. Layers own their buffers and call kernels on them; this type only carries
// data and shape across the public API. float64 exists for gradient checks.

import { ShapeError } from './errors.js';

export type DType = 'float32' | 'float64';
export type Arr = Float32Array | Float64Array;

export class Tensor {
  readonly data: Arr;
  readonly shape: readonly number[];

  constructor(data: Arr, shape: readonly number[]) {
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new ShapeError(
        `[Tensor] data length must equal the product of shape (${shape.join(', ')}) = ${n}; received ${data.length}.`,
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

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocArr(n: number, dtype: DType = 'float32'): Arr {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(allocArr(sizeOf(shape), dtype), shape);
}

/** A tensor from numbers (nested arrays are flattened row-major; shape is inferred when omitted). */
export function tensor(values: ArrayLike<number> | NestedNumbers, shape?: readonly number[], dtype: DType = 'float32'): Tensor {
  if (isArrayLikeNumbers(values)) {
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
  const flat = (values as unknown[]).flat(Infinity) as number[];
  const data = allocArr(flat.length, dtype);
  data.set(flat);
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
