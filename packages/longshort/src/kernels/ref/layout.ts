// Layout operations of the reference family: moving rows between the time-major layout the LSTM
// kernels compute in and the batch-first layout users hand in.

import type { Arr } from '../../tensor.js';

/** dst[o : o+n] ← src[s : s+n] (measured: set() on a subarray wins from about 16 elements). */
export function copyRow(dst: Arr, o: number, src: Arr, s: number, n: number): void {
  if (n >= 16) {
    dst.set(src.subarray(s, s + n), o);
    return;
  }
  for (let j = 0; j < n; j++) dst[o + j] = src[s + j];
}

/** dst (B, A, F) ← src (A, B, F): the first two axes swapped (dst and src must not overlap). */
export function swapAxes(dst: Arr, src: Arr, A: number, B: number, F: number): void {
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) copyRow(dst, (b * A + a) * F, src, (a * B + b) * F, F);
  }
}
