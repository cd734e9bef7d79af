// Reference general matrix product on tightly packed row-major arrays: the one matrix kernel
// the LSTM and the Dense layer share. Plain loops, chosen per transpose case so the innermost loop
// walks memory with stride 1 where the layout allows it. It deliberately leaves out blocking,
// SIMD, strides/leading dimensions and scaling factors (alpha, beta ∈ {0, 1} via `accumulate`),
// and it checks nothing: callers at the nn/ boundary validate sizes once. It also never skips
// zero entries of A: 0·Inf and 0·NaN must still come out NaN so divergence is noticed.
//
// dim key: M rows of C, N columns of C, K the summed dimension.
//   op(A) (M, K): A stored (M, K), or (K, M) when transA
//   op(B) (K, N): B stored (K, N), or (N, K) when transB
//   C     (M, N)

import type { Arr } from '../../tensor.js';

/**
 * C (+)= op(A) · op(B).
 * With `accumulate` false, C[0 .. M·N) is overwritten; with true the product is added to it
 * (backward passes add into gradient buffers that the caller zeroed).
 */
export function gemm(
  C: Arr, // (M, N)
  A: Arr, // (M, K), or (K, M) when transA
  B: Arr, // (K, N), or (N, K) when transB
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
): void {
  if (!transB) {
    // Both remaining cases add scaled rows of B into rows of C (axpy form), so the inner loop runs
    // along a row of B and a row of C, both contiguous. C must start at zero unless accumulating.
    if (!accumulate) C.fill(0, 0, M * N);
    if (!transA) {
      // C[i,:] += A[i,k] · B[k,:]
      for (let i = 0; i < M; i++) {
        const ci = i * N; // C[i,:]
        const ai = i * K; // A[i,:]
        for (let k = 0; k < K; k++) {
          const a = A[ai + k];
          const bk = k * N; // B[k,:]
          for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
        }
      }
    } else {
      // C[i,:] += A[k,i] · B[k,:]; k outermost so A[k,:] and B[k,:] are read once each, in order.
      for (let k = 0; k < K; k++) {
        const ak = k * M; // A[k,:]
        const bk = k * N; // B[k,:]
        for (let i = 0; i < M; i++) {
          const a = A[ak + i];
          const ci = i * N; // C[i,:]
          for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
        }
      }
    }
    return;
  }
  // transB: C[i,j] is a dot product of a row of op(A) with row j of B (contiguous), summed in a
  // JS double and stored once, so float32 C rounds only at the end.
  if (!transA) {
    for (let i = 0; i < M; i++) {
      const ai = i * K; // A[i,:]
      const ci = i * N; // C[i,:]
      for (let j = 0; j < N; j++) {
        const bj = j * K; // B[j,:]
        let s = 0;
        for (let k = 0; k < K; k++) s += A[ai + k] * B[bj + k];
        C[ci + j] = accumulate ? C[ci + j] + s : s;
      }
    }
  } else {
    // Rare case (both transposed): A is read with stride M; kept simple.
    for (let i = 0; i < M; i++) {
      const ci = i * N; // C[i,:]
      for (let j = 0; j < N; j++) {
        const bj = j * K; // B[j,:]
        let s = 0;
        for (let k = 0; k < K; k++) s += A[k * M + i] * B[bj + k];
        C[ci + j] = accumulate ? C[ci + j] + s : s;
      }
    }
  }
}
