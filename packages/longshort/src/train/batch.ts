// Row gathering for mini-batches: copy the rows `idx` of a tensor's first axis into a new tensor.
// Used by the trainer for x, y and lengths; allocation per batch is fine here (it is outside the
// kernels' time loops) and keeps batches independent of the caller's arrays.

import { Tensor, allocArr } from '../tensor.js';

export function gatherRows(t: Tensor, idx: ArrayLike<number>, start = 0, end = idx.length): Tensor {
  const n = end - start;
  const row = t.size / t.shape[0];
  const out = allocArr(n * row, t.dtype);
  for (let k = 0; k < n; k++) {
    const r = idx[start + k];
    out.set(t.data.subarray(r * row, (r + 1) * row), k * row);
  }
  return new Tensor(out, [n, ...t.shape.slice(1)]);
}

export function gatherInts(a: Int32Array, idx: ArrayLike<number>, start = 0, end = idx.length): Int32Array {
  const out = new Int32Array(end - start);
  for (let k = start; k < end; k++) out[k - start] = a[idx[k]];
  return out;
}

/** Rows [start, end) of the first axis, copied. */
export function sliceRows(t: Tensor, start: number, end: number): Tensor {
  const row = t.size / t.shape[0];
  return new Tensor(t.data.slice(start * row, end * row), [end - start, ...t.shape.slice(1)]);
}

/** Concatenate tensors along the first axis. */
export function concatRows(ts: Tensor[]): Tensor {
  const total = ts.reduce((s, t) => s + t.size, 0);
  const out = allocArr(total, ts[0].dtype);
  let o = 0;
  for (const t of ts) {
    out.set(t.data, o);
    o += t.size;
  }
  return new Tensor(out, [ts.reduce((s, t) => s + t.shape[0], 0), ...ts[0].shape.slice(1)]);
}
