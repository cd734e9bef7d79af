// gemm against a naive triple loop written independently here, for every transpose combination,
// overwrite and accumulate, float32 and float64, and awkward sizes (1, odd, K = 0).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gemm } from '../../src/kernels/ref/gemm.js';
import { Rng } from '../../src/util/rng.js';

function rand(n: number, rng: Rng, f64: boolean): Float32Array | Float64Array {
  const a = f64 ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

/** C[i,j] = Σ_k opA(i,k)·opB(k,j) using explicit index formulas for the stored layouts. */
function naive(A: ArrayLike<number>, B: ArrayLike<number>, M: number, N: number, K: number, tA: boolean, tB: boolean): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const a = tA ? A[k * M + i] : A[i * K + k];
        const b = tB ? B[j * K + k] : B[k * N + j];
        s += a * b;
      }
      C[i * N + j] = s;
    }
  return C;
}

const sizes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 1, 6],
  [1, 9, 2],
  [6, 4, 1],
  [5, 3, 0],
];

describe('gemm', () => {
  for (const f64 of [true, false]) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        test(`${f64 ? 'float64' : 'float32'} transA=${tA} transB=${tB}`, () => {
          const rng = new Rng(11);
          const tol = f64 ? 1e-13 : 2e-6;
          for (const [M, N, K] of sizes) {
            const A = rand(M * K, rng, f64);
            const B = rand(K * N, rng, f64);
            const ref = naive(A, B, M, N, K, tA, tB);
            // overwrite: C starts as garbage that must not survive
            const C = rand(M * N, rng, f64);
            gemm(C, A, B, M, N, K, tA, tB, false);
            for (let i = 0; i < M * N; i++) assert.ok(Math.abs(C[i] - ref[i]) <= tol, `(${M},${N},${K}) C[${i}] ${C[i]} vs ${ref[i]}`);
            // accumulate: C0 + product
            const C0 = rand(M * N, rng, f64);
            const C2 = C0.slice();
            gemm(C2, A, B, M, N, K, tA, tB, true);
            for (let i = 0; i < M * N; i++) {
              assert.ok(Math.abs(C2[i] - (C0[i] + ref[i])) <= tol, `accumulate (${M},${N},${K}) C[${i}]`);
            }
          }
        });
      }
    }
  }

  test('hand-computed 2×3 · 3×2', () => {
    const A = new Float64Array([1, 2, 3, 4, 5, 6]); // (2,3)
    const B = new Float64Array([7, 8, 9, 10, 11, 12]); // (3,2)
    const C = new Float64Array(4);
    gemm(C, A, B, 2, 2, 3, false, false, false);
    assert.deepEqual(Array.from(C), [58, 64, 139, 154]);
  });

  test('writes only the first M·N entries of C', () => {
    const C = new Float64Array(6).fill(7);
    gemm(C, new Float64Array([1, 2]), new Float64Array([3, 4]), 2, 2, 1, false, false, false);
    assert.deepEqual(Array.from(C), [3, 4, 6, 8, 7, 7]);
  });

  test('a zero in A times Infinity in B still gives NaN (no zero skipping)', () => {
    const C = new Float64Array(1);
    gemm(C, new Float64Array([0]), new Float64Array([Infinity]), 1, 1, 1, false, false, false);
    assert.ok(Number.isNaN(C[0]));
    gemm(C, new Float64Array([0]), new Float64Array([Infinity]), 1, 1, 1, true, false, false);
    assert.ok(Number.isNaN(C[0]));
  });
});
