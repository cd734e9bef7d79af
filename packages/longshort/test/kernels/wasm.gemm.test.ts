// The WebAssembly gemm against an exact (float64) product and against the reference gemm, for
// every transpose combination, overwrite and accumulate, on awkward shapes: 1×1×1, sizes that
// are not multiples of the 4×8 register tile, a single row (the batch-1 kernel), and sizes that
// cross the cache blocks (M > 64, N > 256, K > 256). The tolerance is the textbook bound for a
// float32 dot product in any summation order, |err| ≤ γ_K·Σ|a·b| with γ_K = K·u/(1 − K·u),
// u = 2^-24, so the test proves the kernel is as accurate as float32 allows (the measured worst
// ratio error/bound is printed). Also: NaN/Inf propagate as in the reference (no zero skipping),
// K = 0, and arrays that live in wasm memory are used in place, even after the memory grows.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gemm as refGemm } from '../../src/kernels/ref/gemm.js';
import { Rng } from '../../src/util/rng.js';
import { ShapeError } from '../../src/errors.js';
import { label, wasmVariants } from './wasm-variants.js';

const U = 2 ** -24;

function rand(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

function opA(A: Float32Array, i: number, k: number, M: number, K: number, t: boolean): number {
  return t ? A[k * M + i] : A[i * K + k];
}
function opB(B: Float32Array, k: number, j: number, K: number, N: number, t: boolean): number {
  return t ? B[j * K + k] : B[k * N + j];
}

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [5, 7, 3],
  [67, 130, 33],
  [1, 37, 19], //    single row: the 1×8 kernel, column tail
  [3, 9, 300], //    row tail of 3, K crosses the 256 block
  [70, 300, 260], // every dimension crosses its cache block
];

describe('wasm gemm', () => {
  for (const k of wasmVariants()) {
    test(`${label(k)}: matches the exact product within the float32 bound, all transposes, overwrite and accumulate`, () => {
      const rng = new Rng(7);
      let worst = 0;
      for (const [M, N, K] of shapes) {
        for (const tA of [false, true]) {
          for (const tB of [false, true]) {
            for (const acc of [false, true]) {
              const A = rand(M * K, rng);
              const B = rand(K * N, rng);
              const C0 = rand(M * N, rng);
              const C = C0.slice();
              const R = C0.slice();
              k.gemm(C, A, B, M, N, K, tA, tB, acc);
              refGemm(R, A, B, M, N, K, tA, tB, acc);
              const gamma = ((K + 1) * U) / (1 - (K + 1) * U); // +1: the final add into C
              for (let i = 0; i < M; i++) {
                for (let j = 0; j < N; j++) {
                  let exact = acc ? C0[i * N + j] : 0;
                  let mag = Math.abs(exact);
                  for (let p = 0; p < K; p++) {
                    const v = opA(A, i, p, M, K, tA) * opB(B, p, j, K, N, tB);
                    exact += v;
                    mag += Math.abs(v);
                  }
                  const bound = gamma * mag + 2 ** -140;
                  const err = Math.abs(C[i * N + j] - exact);
                  worst = Math.max(worst, err / bound);
                  if (err > bound) {
                    assert.fail(`C[i=${i},j=${j}] of ${M}×${N}×${K} tA=${tA} tB=${tB} acc=${acc}: wasm ${C[i * N + j]} exact ${exact} (bound ${bound})`);
                  }
                  // and against the reference kernel with the same bound doubled (both round)
                  assert.ok(Math.abs(C[i * N + j] - R[i * N + j]) <= 2 * bound, `ref ${R[i * N + j]} vs wasm ${C[i * N + j]} at [${i},${j}]`);
                }
              }
            }
          }
        }
      }
      console.log(`  ${label(k)}: worst error / float32 bound = ${worst.toFixed(4)}`);
      assert.ok(worst < 1);
    });

    test(`${label(k)}: K = 0 zeroes C (or leaves it when accumulating); M or N = 0 touches nothing`, () => {
      const C = new Float32Array([1, 2, 3, 4, 5, 6]);
      k.gemm(C, new Float32Array(0), new Float32Array(0), 2, 3, 0, false, false, true);
      assert.deepEqual([...C], [1, 2, 3, 4, 5, 6]);
      k.gemm(C, new Float32Array(0), new Float32Array(0), 2, 3, 0, false, false, false);
      assert.deepEqual([...C], [0, 0, 0, 0, 0, 0]);
      const D = new Float32Array([7]);
      k.gemm(D, new Float32Array(0), new Float32Array(5), 0, 1, 5, false, false, false);
      assert.deepEqual([...D], [7]);
    });

    test(`${label(k)}: NaN and Infinity propagate like the reference (0·Inf = NaN is not skipped)`, () => {
      const M = 5, N = 9, K = 6;
      const A = new Float32Array(M * K).fill(0);
      const B = new Float32Array(K * N).fill(1);
      A[1 * K + 2] = NaN; // row 1 of C → NaN
      B[3 * N + 4] = Infinity; // column 4: 0·Inf = NaN in every row
      const C = new Float32Array(M * N);
      const R = new Float32Array(M * N);
      k.gemm(C, A, B, M, N, K, false, false, false);
      refGemm(R, A, B, M, N, K, false, false, false);
      for (let i = 0; i < M * N; i++) assert.ok(Object.is(C[i], R[i]) || (Number.isNaN(C[i]) && Number.isNaN(R[i])), `index ${i}: ${C[i]} vs ${R[i]}`);
      assert.ok(Number.isNaN(C[1 * N + 0]) && Number.isNaN(C[0 * N + 4]) && C[0] === 0);
    });

    test(`${label(k)}: operands allocated in wasm memory are used in place and stay valid when the memory grows`, { skip: !k.shared && 'private memory: alloc() hands out ordinary arrays' }, () => {
      const M = 33, N = 17, K = 12;
      const rng = new Rng(3);
      const A = k.alloc(M * K, 'float32') as Float32Array;
      const B = k.alloc(K * N, 'float32') as Float32Array;
      const C = k.alloc(M * N, 'float32') as Float32Array;
      assert.ok(k.owns(A) && k.owns(B) && k.owns(C), 'alloc() hands out arrays in the shared memory');
      A.set(rand(M * K, rng));
      B.set(rand(K * N, rng));
      const before = k.arena.memory.buffer;
      // force a growth: a big temporary block, then release it
      const big = k.arena.alloc(k.arena.memory.buffer.byteLength);
      k.arena.release(big, k.arena.memory.buffer.byteLength);
      assert.notEqual(k.arena.memory.buffer, before, 'memory should have grown');
      assert.equal(A.length, M * K, 'a view of a shared memory is never detached');
      assert.ok(k.owns(A), 'and it is still recognised as in place');
      k.gemm(C, A, B, M, N, K, false, false, false);
      const R = new Float32Array(M * N);
      refGemm(R, A.slice(), B.slice(), M, N, K, false, false, false);
      for (let i = 0; i < M * N; i++) assert.ok(Math.abs(C[i] - R[i]) <= 1e-5, `C[${i}]`);
      for (const a of [A, B, C]) k.free(a);
    });

    test(`${label(k)}: a too-short array is refused with a message naming both lengths`, () => {
      assert.throws(
        () => k.gemm(new Float32Array(2), new Float32Array(6), new Float32Array(3), 2, 3, 1, false, false, false),
        (e: Error) => e instanceof ShapeError && /must hold at least 6 elements; received 2\./.test(e.message),
      );
    });

    test(`${label(k)}: float64 operands go to the reference kernel unchanged`, () => {
      const A = Float64Array.from([1 / 3, 2 / 3]);
      const B = Float64Array.from([3, 5]);
      const C = new Float64Array(1);
      k.gemm(C, A, B, 1, 1, 2, false, false, false);
      assert.equal(C[0], 1 / 3 * 3 + 2 / 3 * 5);
    });
  }
});
