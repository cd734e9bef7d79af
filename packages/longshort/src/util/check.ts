// Argument checks shared by the public constructors and loaders, and the size limits that keep a
// call (or a file) from asking for more memory than a typed array can hold. Each check throws the
// library's own error with `[where] name must be …; received …`, before anything is allocated.
//
// Limits, and why:
//   MAX_DIM             2^31 − 1  a layer size (hiddenSize, inputSize, …): kernels index with int32.
//   MAX_TENSOR_ELEMENTS 2^30      one parameter tensor: 4 GiB as float32, the most a WebAssembly
//                                 memory can address, and weights, gradients and optimizer moments
//                                 each take one such copy.
// Left out: a global memory budget (a caller who asks for a 1 GB layer gets one).

import { ConfigError, ShapeError } from '../errors.js';
import type { DType } from '../tensor.js';

export const MAX_DIM = 2 ** 31 - 1;
export const MAX_TENSOR_ELEMENTS = 2 ** 30;

/** A value for a message: strings quoted, objects by kind, never a call into user code. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return v.length <= 8 && v.every((e) => typeof e === 'number') ? `[${v.join(', ')}]` : `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${Object.prototype.toString.call(v).slice(8, -1)} of ${(v as unknown as ArrayLike<unknown>).length ?? '?'}`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  return 'an object';
}

/** An integer size in [min, MAX_DIM]. */
export function checkSize(where: string, name: string, v: unknown, min = 1): number {
  if (typeof v === 'number' && Number.isInteger(v) && v > MAX_DIM) {
    throw new ConfigError(`${where} ${name} must be at most ${MAX_DIM} (2^31 − 1); received ${show(v)}.`);
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ConfigError(`${where} ${name} must be ${min === 1 ? 'a positive integer' : `an integer ≥ ${min}`}; received ${show(v)}.`);
  }
  return v;
}

/** Each named option must be a boolean when present. */
export function checkBooleans(where: string, options: object, names: readonly string[]): void {
  for (const name of names) {
    const v = (options as Record<string, unknown>)[name];
    if (v !== undefined && typeof v !== 'boolean') {
      throw new ConfigError(`${where} ${name} must be true or false; received ${show(v)}.`);
    }
  }
}

/** The options argument itself: a plain object. */
export function checkOptionsObject(where: string, options: unknown): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError(`${where} options must be an object; received ${show(options)}.`);
  }
}

/** dtype option: 'float32' (default) or 'float64'. */
export function checkDType(where: string, v: unknown): DType {
  if (v === undefined) return 'float32';
  if (v !== 'float32' && v !== 'float64') {
    throw new ConfigError(`${where} dtype must be 'float32' or 'float64'; received ${show(v)}. Hint: weights are float32 (or float64 for gradient checks); float16 is not supported.`);
  }
  return v;
}

/** A finite number (or undefined when optional). */
export function checkFiniteNumber(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${where} ${name} must be a finite number; received ${show(v)}.`);
  return v;
}

/**
 * Parameter tensors a layer is about to allocate, as [name, shape] pairs: each must hold at most
 * MAX_TENSOR_ELEMENTS values. Call before allocating.
 */
export function checkTensorSizes(where: string, tensors: readonly (readonly [string, readonly number[]])[], because: string): void {
  for (const [name, shape] of tensors) {
    let n = 1;
    for (const d of shape) n *= d;
    if (n > MAX_TENSOR_ELEMENTS) {
      throw new ConfigError(
        `${where} ${name} would have shape (${shape.join(', ')}) = ${n} values because ${because}; a tensor holds at most ${MAX_TENSOR_ELEMENTS} (4 GiB of float32). Hint: use smaller sizes.`,
      );
    }
  }
}

/**
 * `lengths` as a caller passes it (an array or typed array of positive integers, one per row), or
 * nothing (undefined or null). Returns an Int32Array copy, or undefined. The upper bound (T) is the
 * sequence layer's to check.
 */
export function checkLengthsArg(v: unknown, rows: number, where: string): Int32Array | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || typeof (v as ArrayLike<unknown>).length !== 'number') {
    throw new ShapeError(`${where} lengths must be an array of ${rows} integers (one per row), or omitted; received ${show(v)}.`);
  }
  const a = v as ArrayLike<unknown>;
  if (a.length !== rows) throw new ShapeError(`${where} lengths must have one entry per row of x (${rows}); received ${a.length}.`);
  const out = new Int32Array(rows);
  for (let k = 0; k < rows; k++) {
    const n = a[k];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_DIM) {
      throw new ShapeError(`${where} lengths[${k}] must be a positive integer (the valid steps of row ${k}); received ${show(n)}.`);
    }
    out[k] = n;
  }
  return out;
}
