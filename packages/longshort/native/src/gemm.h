// Single-precision matrix products for the native kernel, compiled once per instruction set
// (included by kernels.c only). One register-blocked micro-kernel serves every product:
//
//   ukern: C rows (MR of them, each by pointer) (+)= bias + Σ_k a1[r][k]·Bp[k,:] + Σ_k a2[r][k]·Bp[k1+k,:]
//
// with Bp one packed panel of NR = NRV·VL columns (k-major, zero-padded past N) and the rows of A
// given by pointers. Row pointers let the LSTM time loop multiply rows that live at different time
// steps (per-row lengths, reverse direction) and the concatenation [x_t, h_{t−1}] without copying;
// the two K segments are that concatenation. The general product (sgemm_*) packs op(B) into panels
// per KC×NC block, and op(A) into MR-row panels only when it is transposed.
// Also here: matrix–vector products on unpacked row-major weights for batch 1 (mv_rows: rows·x with
// a shuffle-tree reduction; mv_axpy: Wᵀ·x as scaled row sums), which need no packing at all.
//
// dim key: M rows of C, N columns of C, K the summed dimension; op(A) (M,K), op(B) (K,N), C (M,N).
// Padded lanes are computed but never stored, and nothing skips zeros, so NaN/Inf in real entries
// propagate as in the reference (src/kernels/ref/gemm.ts).

#ifndef LS_GEMM_H
#define LS_GEMM_H

#include "kern.h"
#include "vec.h"

#if defined(LS_ISA_AVX512)
#define MR 8
#define NRV 2
#elif defined(LS_ISA_AVX2)
#define MR 6
#define NRV 2
#elif defined(LS_ISA_NEON)
#define MR 8
#define NRV 2
#else
#define MR 6
#define NRV 2
#endif
#define NR (NRV * VL)

#define KC 256 // A micro-panel rows (MR × KC) stay in L1 while B streams from L2
#define NC 512 // KC·NC·4 = 512 KB packed B block: fits a 1 MB L2
#define MC 128 // rows of op(A) packed at once (transposed A only)

#define LS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define LS_MAX(a, b) ((a) > (b) ? (a) : (b))

static inline int64_t npanels(int N) { return (N + NR - 1) / NR; }

/** Floats of a whole op(B) (K,N) packed into panels. */
static inline size_t packed_floats(int K, int N) { return (size_t)npanels(N) * NR * (size_t)K; }

/**
 * op(B)[k0+k, n0+n] for k < kc, n < nc → panels at dst: panel q holds columns [q·NR, q·NR+NR) of
 * this block at dst + q·pstride, its row k at + (kr + k)·NR. Columns past nc are zeros.
 */
static void pack_b(float *dst, size_t pstride, int kr, const float *B, int ldb, int transB, int k0, int kc, int n0, int nc) {
  for (int q = 0; q * NR < nc; q++) {
    float *pd = dst + (size_t)q * pstride + (size_t)kr * NR;
    const int nr = LS_MIN(NR, nc - q * NR);
    const int j0 = n0 + q * NR;
    if (!transB) {
      // B stored (K,N): row k of the panel is a contiguous run of B's row k0+k
      for (int k = 0; k < kc; k++) {
        const float *src = B + (size_t)(k0 + k) * ldb + j0;
        float *d = pd + (size_t)k * NR;
        if (nr == NR) {
          for (int v = 0; v < NRV; v++) vstore(d + v * VL, vload(src + v * VL));
        } else {
          for (int c = 0; c < nr; c++) d[c] = src[c];
          for (int c = nr; c < NR; c++) d[c] = 0;
        }
      }
    } else {
      // B stored (N,K): op(B)[k, j] = B[j, k]; column c of the panel is a contiguous run of B's row j0+c.
      // Four columns at a time so each k writes 16 consecutive bytes of the panel row.
      int c = 0;
      for (; c + 4 <= nr; c += 4) {
        const float *s0 = B + (size_t)(j0 + c) * ldb + k0;
        const float *s1 = s0 + ldb, *s2 = s1 + ldb, *s3 = s2 + ldb;
        float *d = pd + c;
        for (int k = 0; k < kc; k++) {
          d[0] = s0[k];
          d[1] = s1[k];
          d[2] = s2[k];
          d[3] = s3[k];
          d += NR;
        }
      }
      for (; c < nr; c++) {
        const float *s = B + (size_t)(j0 + c) * ldb + k0;
        for (int k = 0; k < kc; k++) pd[(size_t)k * NR + c] = s[k];
      }
      for (int cc = nr; cc < NR; cc++)
        for (int k = 0; k < kc; k++) pd[(size_t)k * NR + cc] = 0;
    }
  }
}

/**
 * The micro-kernel: for r < MR, c[r][0:nc] (+= when acc) bias[0:nc] + a1[r]·Bp[0:k1] + a2[r]·Bp[k1:k1+k2].
 * Bp is one panel (k1+k2 rows of NR); bias (NR floats, padded) or NULL. nc ∈ [1, NR].
 * With pa ≠ NULL, A is instead one packed MR-row panel, k-major (element (r, k) at pa[k·MR + r]),
 * over k1 (a1, a2, k2 unused): the form transposed A packs into with contiguous copies. Call sites
 * pass pa as a constant NULL or not, so each keeps one of the two loops.
 */
static inline __attribute__((always_inline)) void ukern(int k1, const float *const *a1, int k2, const float *const *a2,
                                                        const float *pa, const float *bp, const float *bias, float *const *c, int nc,
                                                        int acc) {
  vf s[MR][NRV];
  for (int v = 0; v < NRV; v++) {
    const vf b0 = bias != NULL ? vload(bias + v * VL) : vsplat(0);
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) s[r][v] = b0;
  }
  if (pa != NULL) {
    for (int k = 0; k < k1; k++) {
      vf b[NRV];
#pragma GCC unroll 4
      for (int v = 0; v < NRV; v++) b[v] = vload(bp + v * VL);
#pragma GCC unroll 16
      for (int r = 0; r < MR; r++) {
        const vf x = vsplat(pa[r]);
#pragma GCC unroll 4
        for (int v = 0; v < NRV; v++) s[r][v] += x * b[v];
      }
      bp += NR;
      pa += MR;
    }
    k1 = k2 = 0;
  }
  for (int seg = 0; seg < 2; seg++) {
    const int kk = seg == 0 ? k1 : k2;
    const float *const *a = seg == 0 ? a1 : a2;
    if (kk == 0) continue;
    const float *ar[MR];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) ar[r] = a[r];
    for (int k = 0; k < kk; k++) {
      vf b[NRV];
#pragma GCC unroll 4
      for (int v = 0; v < NRV; v++) b[v] = vload(bp + v * VL);
#pragma GCC unroll 16
      for (int r = 0; r < MR; r++) {
        const vf x = vsplat(ar[r][k]);
#pragma GCC unroll 4
        for (int v = 0; v < NRV; v++) s[r][v] += x * b[v];
      }
      bp += NR;
    }
  }
  if (nc == NR) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
      float *cr = c[r];
#pragma GCC unroll 4
      for (int v = 0; v < NRV; v++) {
        vf o = s[r][v];
        if (acc) o += vload(cr + v * VL);
        vstore(cr + v * VL, o);
      }
    }
  } else {
    for (int r = 0; r < MR; r++) {
      float *cr = c[r];
      for (int v = 0; v < NRV && v * VL < nc; v++) {
        const int n = LS_MIN(VL, nc - v * VL);
        vf o = s[r][v];
        if (acc) o += vloadn(cr + v * VL, n);
        vstoren(cr + v * VL, o, n);
      }
    }
  }
}

/**
 * rows × N product against a whole packed op(B) (k1+k2, N) (panels of stride (k1+k2)·NR):
 * c[i][0:N] (+=) bias + a1[i]·Bp[0:k1] + a2[i]·Bp[k1:]. bias (npanels·NR, padded) or NULL.
 * Panel-outer order: one panel (in L2) serves every row block.
 */
static void gemm_rows(int rows, const float *const *a1, int k1, const float *const *a2, int k2, const float *bp, int N,
                      const float *bias, float *const *c, int acc) {
  if (rows <= 0) return;
  const size_t ps = (size_t)(k1 + k2) * NR;
  float sink[MR][NR]; // output rows of a partial row block
  const float *pa1[MR], *pa2[MR];
  float *pc[MR];
  for (int q = 0; q * NR < N; q++) {
    const int nc = LS_MIN(NR, N - q * NR);
    const float *panel = bp + (size_t)q * ps;
    const float *pb = bias != NULL ? bias + (size_t)q * NR : NULL;
    for (int i = 0; i < rows; i += MR) {
      const int mr = LS_MIN(MR, rows - i);
      for (int r = 0; r < MR; r++) {
        const int rr = r < mr ? i + r : i; // missing rows repeat the first and write to the sink
        pa1[r] = k1 > 0 ? a1[rr] + 0 : NULL;
        pa2[r] = k2 > 0 ? a2[rr] + 0 : NULL;
        pc[r] = r < mr ? c[i + r] + (size_t)q * NR : sink[r];
      }
      ukern(k1, pa1, k2, pa2, NULL, panel, pb, pc, nc, acc);
    }
  }
}

/** C[m0:m1, n0:n1] of the general product (one thread's share), with its scratch ws (sgemm_ws_floats). */
static void sgemm_part(const ls_gemm_args *g, int m0, int m1, int n0, int n1, float *ws) {
  if (m1 <= m0 || n1 <= n0) return;
  float *pb = ws; //                             packed B block, KC × NC
  float *pa = ws + (size_t)KC * (NC + NR); //   packed A panels (transposed A only), MC (+MR) × KC
  const float *a1[MR] = {0};
  float *pc[MR];
  float sink[MR][NR];
  const int K = g->K;
  if (K == 0) {
    // an empty sum: C = bias (or unchanged when accumulating without bias)
    for (int i = m0; i < m1; i++)
      for (int j = n0; j < n1; j++) {
        float *cij = g->C + (size_t)i * g->ldc + j;
        const float b = g->bias != NULL ? g->bias[j] : 0;
        *cij = g->accumulate ? *cij + b : b;
      }
    return;
  }
  float biasbuf[NR];
  for (int jc = n0; jc < n1; jc += NC) {
    const int nc = LS_MIN(NC, n1 - jc);
    for (int pc0 = 0; pc0 < K; pc0 += KC) {
      const int kc = LS_MIN(KC, K - pc0);
      pack_b(pb, (size_t)kc * NR, 0, g->B, g->ldb, g->transB, pc0, kc, jc, nc);
      const int acc = g->accumulate || pc0 > 0;
      const int with_bias = pc0 == 0 && g->bias != NULL;
      for (int ic = m0; ic < m1; ic += MC) {
        const int mc = LS_MIN(MC, m1 - ic);
        if (g->transA) {
          // op(A)[i, k] = A[k, i]: the MR rows of a panel at one k are MR consecutive floats of A's row k
          // (k outer: each k reads one contiguous run of A's row, not MR floats from kc rows a page apart)
          for (int k = 0; k < kc; k++) {
            const float *src = g->A + (size_t)(pc0 + k) * g->lda + ic;
            for (int ir = 0; ir < mc; ir += MR) {
              const int mr = LS_MIN(MR, mc - ir);
              float *d = pa + (size_t)ir * kc + (size_t)k * MR;
              if (mr == MR) memcpy(d, src + ir, MR * 4);
              else
                for (int r = 0; r < MR; r++) d[r] = r < mr ? src[ir + r] : 0;
            }
          }
        }
        for (int ir = 0; ir < mc; ir += MR) {
          const int mr = LS_MIN(MR, mc - ir);
          if (!g->transA)
            for (int r = 0; r < MR; r++) a1[r] = g->A + (size_t)(ic + ir + (r < mr ? r : 0)) * g->lda + pc0;
          for (int q = 0; q * NR < nc; q++) {
            const int ncq = LS_MIN(NR, nc - q * NR);
            const float *bias = NULL;
            if (with_bias) {
              for (int j = 0; j < NR; j++) biasbuf[j] = j < ncq ? g->bias[jc + q * NR + j] : 0;
              bias = biasbuf;
            }
            for (int r = 0; r < MR; r++) pc[r] = r < mr ? g->C + (size_t)(ic + ir + r) * g->ldc + jc + q * NR : sink[r];
            if (g->transA) ukern(kc, NULL, 0, NULL, pa + (size_t)ir * kc, pb + (size_t)q * kc * NR, bias, pc, ncq, acc);
            else ukern(kc, a1, 0, NULL, NULL, pb + (size_t)q * kc * NR, bias, pc, ncq, acc);
          }
        }
      }
    }
  }
}

/** Scratch floats sgemm_part needs per thread. */
static inline size_t sgemm_ws_floats(void) { return (size_t)KC * (NC + NR) + (size_t)(MC + MR) * KC + NR; }

// ---------------------------------------------------------------------------------------------
// Matrix–vector products on unpacked row-major weights (batch 1 and tiny batches).

// mv_rows sums MVL ≤ 8 rows at a time: it is bound by reading the weights from L2, and 8-lane
// shuffle trees for the per-row sums cost less than 16-lane ones (measured on Zen 4).
#if VL >= 8
#define MVL 8
#else
#define MVL 4
#endif
typedef float vm __attribute__((vector_size(MVL * 4)));
typedef float vm_u __attribute__((vector_size(MVL * 4), aligned(4)));
LS_INLINE vm mload(const float *p) { return *(const vm_u *)p; }
LS_INLINE vm mloadn(const float *p, int n) {
  if (n >= MVL) return mload(p);
  float t[MVL] = {0};
  memcpy(t, p, (size_t)n * 4);
  return mload(t);
}
LS_INLINE void mstoren(float *p, vm v, int n) {
  if (n >= MVL) {
    *(vm_u *)p = v;
    return;
  }
  float t[MVL];
  *(vm_u *)t = v;
  memcpy(p, t, (size_t)n * 4);
}

// Sums of MVL vectors in one vector (lane r = the sum of s[r]'s lanes): a tree of folds, each
// adding the pairwise-shuffled halves of two vectors; feeding the rows in bit-reversed order leaves
// the sums in natural order.
#if MVL == 8
#define SH_A8 0, 1, 2, 3, 8, 9, 10, 11
#define SH_B8 4, 5, 6, 7, 12, 13, 14, 15
#define SH_A4 0, 1, 8, 9, 4, 5, 12, 13
#define SH_B4 2, 3, 10, 11, 6, 7, 14, 15
#define SH_A2 0, 8, 2, 10, 4, 12, 6, 14
#define SH_B2 1, 9, 3, 11, 5, 13, 7, 15
#define FOLD(u, v, m) (__builtin_shufflevector(u, v, SH_A##m) + __builtin_shufflevector(u, v, SH_B##m))
LS_INLINE vm reduce_rows(const vm *s) {
  vm a0 = FOLD(s[0], s[4], 8), a1 = FOLD(s[2], s[6], 8), a2 = FOLD(s[1], s[5], 8), a3 = FOLD(s[3], s[7], 8);
  vm b0 = FOLD(a0, a1, 4), b1 = FOLD(a2, a3, 4);
  return FOLD(b0, b1, 2);
}
#else
#define SH_A4 0, 1, 4, 5
#define SH_B4 2, 3, 6, 7
#define SH_A2 0, 4, 2, 6
#define SH_B2 1, 5, 3, 7
#define FOLD(u, v, m) (__builtin_shufflevector(u, v, SH_A##m) + __builtin_shufflevector(u, v, SH_B##m))
LS_INLINE vm reduce_rows(const vm *s) {
  vm a0 = FOLD(s[0], s[2], 4), a1 = FOLD(s[1], s[3], 4);
  return FOLD(a0, a1, 2);
}
#endif

/**
 * y[i] (+)= W[i,:]·x for i < n, W rows of length K at stride ldw: MVL rows at a time, one
 * full-width accumulator each (the AVX-512 build folds its 16 lanes to 8 after the loop: whole
 * cache lines per load, ≈ 8% faster than 8-lane loads), then one shuffle tree for all MVL sums.
 * acc: add to y.
 */
static void mv_rows(float *y, const float *W, int ldw, const float *x, int K, int n, int acc) {
  const int Kv = K - K % VL;
  for (int i = 0; i < n; i += MVL) {
    const int nr = LS_MIN(MVL, n - i);
    const float *w[MVL];
    for (int r = 0; r < MVL; r++) w[r] = W + (size_t)(i + (r < nr ? r : 0)) * ldw;
    vf s[MVL];
#pragma GCC unroll 8
    for (int r = 0; r < MVL; r++) s[r] = vsplat(0);
    for (int k = 0; k < Kv; k += VL) {
      const vf xv = vload(x + k);
#pragma GCC unroll 8
      for (int r = 0; r < MVL; r++) s[r] += vload(w[r] + k) * xv;
    }
    vm h[MVL];
#pragma GCC unroll 8
    for (int r = 0; r < MVL; r++) {
#if VL == 16
      h[r] = __builtin_shufflevector(s[r], s[r], 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(s[r], s[r], 8, 9, 10, 11, 12, 13, 14, 15);
#else
      h[r] = s[r];
#endif
    }
    int k = Kv;
    for (; k + MVL <= K; k += MVL) {
      const vm xv = mload(x + k);
#pragma GCC unroll 8
      for (int r = 0; r < MVL; r++) h[r] += mload(w[r] + k) * xv;
    }
    if (k < K) {
      const vm xv = mloadn(x + k, K - k);
#pragma GCC unroll 8
      for (int r = 0; r < MVL; r++) h[r] += mloadn(w[r] + k, K - k) * xv;
    }
    vm out = reduce_rows(h);
    if (acc) out += mloadn(y + i, nr);
    mstoren(y + i, out, nr);
  }
}

/**
 * y[0:N] (+)= Σ_{k<K} x[k]·W[k, 0:N] (W row-major, row stride ldw): Wᵀ·x as scaled row sums, the
 * columns in register blocks of up to 8 vectors. acc: add to y.
 */
static void mv_axpy(float *y, const float *W, int ldw, const float *x, int K, int N, int acc) {
  enum { BV = 8 };
  for (int j0 = 0; j0 < N; j0 += BV * VL) {
    const int nb = LS_MIN(BV * VL, N - j0);
    if (nb == BV * VL) {
      vf s[BV];
#pragma GCC unroll 8
      for (int v = 0; v < BV; v++) s[v] = acc ? vload(y + j0 + v * VL) : vsplat(0);
      for (int k = 0; k < K; k++) {
        const vf xk = vsplat(x[k]);
        const float *wr = W + (size_t)k * ldw + j0;
#pragma GCC unroll 8
        for (int v = 0; v < BV; v++) s[v] += xk * vload(wr + v * VL);
      }
#pragma GCC unroll 8
      for (int v = 0; v < BV; v++) vstore(y + j0 + v * VL, s[v]);
    } else {
      const int nv = (nb + VL - 1) / VL;
      vf s[BV];
      for (int v = 0; v < nv; v++) s[v] = acc ? vloadn(y + j0 + v * VL, LS_MIN(VL, nb - v * VL)) : vsplat(0);
      for (int k = 0; k < K; k++) {
        const vf xk = vsplat(x[k]);
        const float *wr = W + (size_t)k * ldw + j0;
        for (int v = 0; v < nv; v++) s[v] += xk * vloadn(wr + v * VL, LS_MIN(VL, nb - v * VL));
      }
      for (int v = 0; v < nv; v++) vstoren(y + j0 + v * VL, s[v], LS_MIN(VL, nb - v * VL));
    }
  }
}

#endif
