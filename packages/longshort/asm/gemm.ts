// Register-blocked, cache-tiled single-precision matrix product for the WebAssembly kernels:
// C (+)= op(A)·op(B) with the reference's semantics (src/kernels/ref/gemm.ts), all operands in
// this module's memory, addressed by byte offsets, with leading dimensions (row strides, in
// floats) so that a thread can compute a block of rows or columns of a larger product in place.
// It leaves out alpha/beta and threads (src/kernels/wasm/ splits a product between threads).
//
// dim key: M rows of C, N columns of C, K the summed dimension; op(A) (M,K), op(B) (K,N), C (M,N).
// Leading dimensions: lda = row stride of A as stored ((M,K): ≥ K; transA, stored (K,M): ≥ M),
// ldb likewise for B ((K,N): ≥ N; transB, stored (N,K): ≥ K), ldc ≥ N.
// Every element of C is computed by the same instructions in the same order whichever block of
// rows (starting at a multiple of 4) or columns (a multiple of 8) a call covers, so a product
// split between threads along those boundaries equals the one-thread product bit for bit.
//
// Structure (the usual packed-panel scheme): for each NC-wide block of columns and KC-deep slice
// of K, op(B) is copied into NR=8-wide panels (zero-padded), and for each MC-row block op(A) into
// MR=4-row panels, k-major, so the micro-kernel reads both as straight streams whatever the
// transposes were. The 4×8 micro-kernel keeps 8 v128 accumulators — about what V8 holds in
// registers without spilling — and does 8 multiply-adds per 2 B loads + 4 A splat loads.
// Single rows (batch 1: a matrix–vector product) take a 1×8 kernel with two interleaved k
// chains instead of wasting 3/4 of a 4-row tile. Padded lanes are computed but never stored,
// so NaN/Inf in real entries propagate exactly as in the reference (no zero-skipping).

import { ldN, madd, stN } from './simd';
import { itemDone, queueAt, take } from './split';

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256; // KC·NR·4 = 8 KB B micro-panel stays in L1 while A streams
const NC: i32 = 256; // KC·NC·4 = 256 KB packed B block fits in Zen 3's 512 KB L2
const MC: i32 = 64; //  MC·KC·4 = 64 KB packed A block
const PACK_A_BYTES: usize = <usize>(MC * KC * 4);
const WS_FLOATS: i32 = MC * KC + KC * NC;
/** The 4×8 edge tile sits after the packing scratch, so every thread (each with its own `ws`) has its own. */
const TILE_OFFSET: usize = <usize>(WS_FLOATS * 4);

/** Bytes of scratch that gemm and gemmPackedB need at `ws` (one block per thread). */
export function gemmWorkspaceBytes(): i32 {
  return WS_FLOATS * 4 + MR * NR * 4;
}

/** Bytes of a whole op(B) (K,N) packed into 8-wide panels (see packBFull). */
export function packedBBytes(K: i32, N: i32): i32 {
  return K * ((N + NR - 1) & ~(NR - 1)) * 4;
}

/** Copy op(B)[k0:k0+kc, j0:j0+nc] into panels of NR columns: panel q at dst + q·kc·4 holds kc rows of 8. */
function packB(dst: usize, B: usize, ldb: i32, transB: bool, k0: i32, kc: i32, j0: i32, nc: i32): void {
  for (let q = 0; q < nc; q += NR) {
    const nr = min(NR, nc - q);
    const pd = dst + (<usize>(q * kc) << 2);
    if (!transB) {
      // B stored (K,N): the panel's row k is a contiguous run of B's row k0+k
      let src = B + (<usize>(k0 * ldb + j0 + q) << 2);
      const step = <usize>ldb << 2;
      if (nr == NR) {
        for (let k = 0; k < kc; k++) {
          v128.store(pd + (<usize>k << 5), v128.load(src));
          v128.store(pd + (<usize>k << 5), v128.load(src, 16), 16);
          src += step;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const d = pd + (<usize>k << 5);
          v128.store(d, v128.splat<i32>(0));
          v128.store(d, v128.splat<i32>(0), 16);
          for (let c = 0; c < nr; c++) store<f32>(d + (<usize>c << 2), load<f32>(src + (<usize>c << 2)));
          src += step;
        }
      }
    } else {
      // B stored (N,K): op(B)[k, j] = B[j, k]; column c of the panel is a contiguous run of B's row j
      for (let c = 0; c < NR; c++) {
        const d = pd + (<usize>c << 2);
        if (c < nr) {
          const src = B + (<usize>((j0 + q + c) * ldb + k0) << 2);
          for (let k = 0; k < kc; k++) store<f32>(d + (<usize>k << 5), load<f32>(src + (<usize>k << 2)));
        } else {
          for (let k = 0; k < kc; k++) store<f32>(d + (<usize>k << 5), 0);
        }
      }
    }
  }
}

/** Copy op(A)[i0:i0+mc, k0:k0+kc] into MR-row panels, k-major: element (k, r) of panel p at dst + (p·kc·MR + 4k + r)·4. */
function packA(dst: usize, A: usize, lda: i32, transA: bool, i0: i32, mc: i32, k0: i32, kc: i32): void {
  for (let p = 0; p < mc; p += MR) {
    const mr = min(MR, mc - p);
    const pd = dst + (<usize>(p * kc) << 2);
    if (transA) {
      // A stored (K,M): op(A)[i, k] = A[k, i]; the 4 rows of one k are contiguous in A
      let src = A + (<usize>(k0 * lda + i0 + p) << 2);
      const step = <usize>lda << 2;
      if (mr == MR) {
        for (let k = 0; k < kc; k++) {
          v128.store(pd + (<usize>k << 4), v128.load(src));
          src += step;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const d = pd + (<usize>k << 4);
          v128.store(d, v128.splat<i32>(0));
          for (let r = 0; r < mr; r++) store<f32>(d + (<usize>r << 2), load<f32>(src + (<usize>r << 2)));
          src += step;
        }
      }
    } else if (mr == MR) {
      // A stored (M,K), 4 full rows: 4×4 blocks transposed in registers (4 loads, 8 shuffles,
      // 4 stores per 16 floats instead of 32 scalar moves)
      const s0 = A + (<usize>((i0 + p) * lda + k0) << 2);
      const rs = <usize>lda << 2;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const q = <usize>k << 2;
        const r0 = v128.load(s0 + q);
        const r1 = v128.load(s0 + rs + q);
        const r2 = v128.load(s0 + 2 * rs + q);
        const r3 = v128.load(s0 + 3 * rs + q);
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); // a00 a10 a01 a11
        const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7); // a02 a12 a03 a13
        const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5); // a20 a30 a21 a31
        const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7); // a22 a32 a23 a33
        const d = pd + (<usize>k << 4);
        v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5)); //     k:   a00 a10 a20 a30
        v128.store(d, i32x4.shuffle(t0, t2, 2, 3, 6, 7), 16); // k+1
        v128.store(d, i32x4.shuffle(t1, t3, 0, 1, 4, 5), 32); // k+2
        v128.store(d, i32x4.shuffle(t1, t3, 2, 3, 6, 7), 48); // k+3
      }
      for (; k < kc; k++) {
        const q = <usize>k << 2;
        const d = pd + (<usize>k << 4);
        store<f32>(d, load<f32>(s0 + q));
        store<f32>(d, load<f32>(s0 + rs + q), 4);
        store<f32>(d, load<f32>(s0 + 2 * rs + q), 8);
        store<f32>(d, load<f32>(s0 + 3 * rs + q), 12);
      }
    } else {
      // A stored (M,K), a tail of fewer than 4 rows: row r of the panel is a contiguous run of A's row i0+p+r
      for (let r = 0; r < MR; r++) {
        const d = pd + (<usize>r << 2);
        if (r < mr) {
          const src = A + (<usize>((i0 + p + r) * lda + k0) << 2);
          for (let k = 0; k < kc; k++) store<f32>(d + (<usize>k << 4), load<f32>(src + (<usize>k << 2)));
        } else {
          for (let k = 0; k < kc; k++) store<f32>(d + (<usize>k << 4), 0);
        }
      }
    }
  }
}

/** C[0:mr, 0:nr] (+)= Apanel·Bpanel over kc; C row stride ldc floats; edge tiles go through TILE (this thread's). */
function kern4x8(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, mr: i32, nr: i32, acc: bool, TILE: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 16;
    bp += 32;
  }
  const ld = <usize>ldc << 2;
  if (mr == MR && nr == NR) {
    let p = c;
    if (acc) {
      c00 = f32x4.add(c00, v128.load(p)); c01 = f32x4.add(c01, v128.load(p, 16));
      c10 = f32x4.add(c10, v128.load(p + ld)); c11 = f32x4.add(c11, v128.load(p + ld, 16));
      c20 = f32x4.add(c20, v128.load(p + 2 * ld)); c21 = f32x4.add(c21, v128.load(p + 2 * ld, 16));
      c30 = f32x4.add(c30, v128.load(p + 3 * ld)); c31 = f32x4.add(c31, v128.load(p + 3 * ld, 16));
    }
    v128.store(p, c00); v128.store(p, c01, 16); p += ld;
    v128.store(p, c10); v128.store(p, c11, 16); p += ld;
    v128.store(p, c20); v128.store(p, c21, 16); p += ld;
    v128.store(p, c30); v128.store(p, c31, 16);
    return;
  }
  v128.store(TILE, c00); v128.store(TILE, c01, 16);
  v128.store(TILE, c10, 32); v128.store(TILE, c11, 48);
  v128.store(TILE, c20, 64); v128.store(TILE, c21, 80);
  v128.store(TILE, c30, 96); v128.store(TILE, c31, 112);
  for (let r = 0; r < mr; r++) {
    const row = c + <usize>r * ld;
    const t = TILE + (<usize>r << 5);
    for (let j = 0; j < nr; j++) {
      const v = load<f32>(t + (<usize>j << 2));
      const q = row + (<usize>j << 2);
      store<f32>(q, acc ? load<f32>(q) + v : v);
    }
  }
}

/** One row: C[0, 0:nr] (+)= a·Bpanel, a read with stride 16 bytes (a column of a packed A panel). */
function kern1x8(kc: i32, ap: usize, bp: usize, c: usize, nr: i32, acc: bool, TILE: usize): void {
  // two k chains so consecutive multiply-adds do not wait on each other's latency
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), t0 = f32x4.splat(0), t1 = f32x4.splat(0);
  let k = 0;
  for (; k + 2 <= kc; k += 2) {
    let a = v128.load32_splat(ap);
    s0 = madd(a, v128.load(bp), s0);
    s1 = madd(a, v128.load(bp, 16), s1);
    a = v128.load32_splat(ap, 16);
    t0 = madd(a, v128.load(bp, 32), t0);
    t1 = madd(a, v128.load(bp, 48), t1);
    ap += 32;
    bp += 64;
  }
  if (k < kc) {
    const a = v128.load32_splat(ap);
    s0 = madd(a, v128.load(bp), s0);
    s1 = madd(a, v128.load(bp, 16), s1);
  }
  s0 = f32x4.add(s0, t0);
  s1 = f32x4.add(s1, t1);
  if (nr == NR) {
    if (acc) {
      s0 = f32x4.add(s0, v128.load(c));
      s1 = f32x4.add(s1, v128.load(c, 16));
    }
    v128.store(c, s0);
    v128.store(c, s1, 16);
    return;
  }
  v128.store(TILE, s0);
  v128.store(TILE, s1, 16);
  for (let j = 0; j < nr; j++) {
    const v = load<f32>(TILE + (<usize>j << 2));
    const q = c + (<usize>j << 2);
    store<f32>(q, acc ? load<f32>(q) + v : v);
  }
}

/** C block (mc, nc) (+)= packed A block · packed B block over kc; tile: this thread's edge tile. */
function macroKernel(pa: usize, pb: usize, c: usize, ldc: i32, mc: i32, nc: i32, kc: i32, acc: bool, tile: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const bp = pb + (<usize>(jr * kc) << 2);
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      const ap = pa + (<usize>(ir * kc) << 2);
      const cp = c + (<usize>(ir * ldc + jr) << 2);
      if (mr == 1) kern1x8(kc, ap, bp, cp, nr, acc, tile);
      else kern4x8(kc, ap, bp, cp, ldc, mr, nr, acc, tile);
    }
  }
}

/**
 * C (M,N) (+)= op(A)·op(B). A is (M,K), or (K,M) when transA; B is (K,N), or (N,K) when transB;
 * lda, ldb, ldc are the row strides as stored (see the header). `ws` points at
 * gemmWorkspaceBytes() of scratch.
 */
export function gemm(
  C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, lda: i32, ldb: i32, ldc: i32,
  transA: bool, transB: bool, accumulate: bool, ws: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) for (let i = 0; i < M; i++) memory.fill(C + (<usize>(i * ldc) << 2), 0, <usize>N << 2);
    return;
  }
  const pa = ws;
  const pb = ws + PACK_A_BYTES;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB(pb, B, ldb, transB, pc, kc, jc, nc);
      const acc = accumulate || pc > 0;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(pa, A, lda, transA, ic, mc, pc, kc);
        macroKernel(pa, pb, C + (<usize>(ic * ldc + jc) << 2), ldc, mc, nc, kc, acc, ws + TILE_OFFSET);
      }
    }
  }
}

/**
 * Pack columns [j0, j1) of op(B) (K,N) into their 8-wide panels of K rows at dst (the layout of
 * packedBBytes(K, N) bytes for the whole matrix; j0 a multiple of 8), so threads can pack a
 * shared operand panel by panel. ldb as in gemm.
 */
export function packBCols(dst: usize, B: usize, ldb: i32, K: i32, transB: bool, j0: i32, j1: i32): void {
  if (j1 > j0) packB(dst + (<usize>(j0 * K) << 2), B, ldb, transB, 0, K, j0, j1 - j0);
}

/**
 * C (M,N) (+)= A (M,K, row-major) · B, with B already packed whole by packBFull — the per-step
 * products of the LSTM, where B is a weight matrix reused by every step. K is not blocked
 * (K is a hidden size here); A is packed in row blocks that fit the scratch, so K ≤ 20480
 * (WS_FLOATS / MR) — the TypeScript wrapper sends bigger problems to the reference kernel.
 */
export function gemmPackedB(C: usize, A: usize, M: i32, N: i32, K: i32, bp: usize, accumulate: bool, ws: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) memory.fill(C, 0, <usize>(M * N) << 2);
    return;
  }
  const mcMax = max(MR, (WS_FLOATS / K) & ~(MR - 1));
  for (let ic = 0; ic < M; ic += mcMax) {
    const mc = min(mcMax, M - ic);
    packA(ws, A, K, false, ic, mc, 0, K);
    macroKernel(ws, bp, C + (<usize>(ic * N) << 2), N, mc, N, K, accumulate, ws + TILE_OFFSET);
  }
}

/** Sum of each of four vectors' lanes: [Σa, Σb, Σc, Σd]. */
// @ts-ignore: decorator
@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7)); // a0+a2 b0+b2 a1+a3 b1+b3
  const cd = f32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

/**
 * y (M) = A (M,K, row-major) · x (K): batch 1's per-step products, straight off the weight matrix
 * with no packing — four rows at a time, each row dotted with x in 4-lane chunks, so every weight
 * is read once per step. A tail of M repeats a real row (computed, never stored); a tail of K is
 * read with partial loads (zero lanes).
 */
export function matvec(y: usize, A: usize, x: usize, M: i32, K: i32): void {
  const rs = <usize>K << 2;
  const K4 = K & ~3;
  for (let m = 0; m < M; m += 4) {
    const mr = min(4, M - m);
    const r0 = A + <usize>m * rs;
    const r1 = mr > 1 ? r0 + rs : r0;
    const r2 = mr > 2 ? r0 + 2 * rs : r0;
    const r3 = mr > 3 ? r0 + 3 * rs : r0;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let k = 0; k < K4; k += 4) {
      const o = <usize>k << 2;
      const xv = v128.load(x + o);
      a0 = madd(v128.load(r0 + o), xv, a0);
      a1 = madd(v128.load(r1 + o), xv, a1);
      a2 = madd(v128.load(r2 + o), xv, a2);
      a3 = madd(v128.load(r3 + o), xv, a3);
    }
    if (K4 < K) {
      const n = K - K4;
      const o = <usize>K4 << 2;
      const xv = ldN(x + o, n);
      a0 = madd(ldN(r0 + o, n), xv, a0);
      a1 = madd(ldN(r1 + o, n), xv, a1);
      a2 = madd(ldN(r2 + o, n), xv, a2);
      a3 = madd(ldN(r3 + o, n), xv, a3);
    }
    stN(y + (<usize>m << 2), hsum4(a0, a1, a2, a3), mr);
  }
}

/**
 * y (K) = Aᵀ·x = Σ_m x[m]·A[m,:] for A (M,K, row-major): batch 1's backward products (dh = dz·W),
 * again without packing; four rows of A per pass over y.
 */
export function matvecT(y: usize, A: usize, x: usize, M: i32, K: i32): void {
  const rs = <usize>K << 2;
  const K4 = K & ~3;
  memory.fill(y, 0, rs);
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const r0 = A + <usize>m * rs;
    const r1 = r0 + rs;
    const r2 = r1 + rs;
    const r3 = r2 + rs;
    const xp = x + (<usize>m << 2);
    const x0 = v128.load32_splat(xp);
    const x1 = v128.load32_splat(xp, 4);
    const x2 = v128.load32_splat(xp, 8);
    const x3 = v128.load32_splat(xp, 12);
    for (let k = 0; k < K4; k += 4) {
      const o = <usize>k << 2;
      // two independent pairs, then their sum: a shorter dependency chain than four in a row
      const p = madd(x1, v128.load(r1 + o), f32x4.mul(x0, v128.load(r0 + o)));
      const q = madd(x3, v128.load(r3 + o), f32x4.mul(x2, v128.load(r2 + o)));
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.add(p, q)));
    }
    if (K4 < K) {
      const n = K - K4;
      const o = <usize>K4 << 2;
      const p = madd(x1, ldN(r1 + o, n), f32x4.mul(x0, ldN(r0 + o, n)));
      const q = madd(x3, ldN(r3 + o, n), f32x4.mul(x2, ldN(r2 + o, n)));
      stN(y + o, f32x4.add(ldN(y + o, n), f32x4.add(p, q)), n);
    }
  }
  for (; m < M; m++) {
    const r0 = A + <usize>m * rs;
    const x0 = v128.load32_splat(x + (<usize>m << 2));
    for (let k = 0; k < K; k += 4) {
      const n = min(4, K - k);
      const o = <usize>k << 2;
      stN(y + o, madd(x0, ldN(r0 + o, n), ldN(y + o, n)), n);
    }
  }
}

/** Rows of C per work item of gemmRows (a multiple of 4). */
const ITEM_ROWS: i32 = 64;

/**
 * gemm as one of nth threads: blocks of ITEM_ROWS rows of C taken from queue 0 of the call's
 * sync block (asm/split.ts) until none is left; gws: this thread's scratch. Every element comes
 * out as in gemm, whatever nth is.
 */
export function gemmRows(
  nth: i32, sync: usize, gws: usize,
  C: usize, A: usize, B: usize, M: i32, N: i32, K: i32, lda: i32, ldb: i32, ldc: i32,
  transA: bool, transB: bool, accumulate: bool,
): void {
  const queue = queueAt(sync, nth, 0);
  const n = (M + ITEM_ROWS - 1) / ITEM_ROWS;
  for (;;) {
    const i = take(queue);
    if (i >= n) break;
    const m0 = i * ITEM_ROWS;
    // rows m0.. of op(A): rows of A, or columns of A when it is stored transposed
    gemm(C + (<usize>(m0 * ldc) << 2), A + (<usize>(transA ? m0 : m0 * lda) << 2), B, min(ITEM_ROWS, M - m0), N, K, lda, ldb, ldc, transA, transB, accumulate, gws);
    itemDone(queue, n);
  }
}
