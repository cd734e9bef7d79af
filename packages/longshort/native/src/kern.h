// The native kernel's internal interface: the argument blocks of every op, the table of entry
// points that each instruction-set build of kernels.c fills (ls_ops_avx512, ls_ops_avx2, …), and
// the context a caller owns (thread pool + grow-only scratch). addon.c turns JavaScript calls into
// these blocks; test/harness.c calls them directly.
//
// dim key: T time, B batch, D input features, H cell size, P cell output size (projSize or H),
//          G = 4H gates in PyTorch order i, f, g, o. LSTM buffers are time-major, indexed by time t,
//          exactly as src/kernels/types.ts describes (the reference kernel's contract). All float32.
//
// Nothing here checks sizes: addon.c does that once per call against the typed arrays' lengths.

#ifndef LS_KERN_H
#define LS_KERN_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"

/** C (M,N) (+)= op(A)·op(B); row strides lda, ldb, ldc in floats. */
typedef struct {
  int M, N, K;
  const float *A; int lda; int transA; // op(A) (M,K): A (M,K), or (K,M) when transA
  const float *B; int ldb; int transB; // op(B) (K,N): B (K,N), or (N,K) when transB
  float *C; int ldc;
  int accumulate; // 0: C = product; 1: C += product
  const float *bias; // (N) added to every row, or NULL
} ls_gemm_args;

/** Cell options (src/kernels/types.ts LstmCellSpec), activations by code (vec.h). */
typedef struct {
  int gate_act, cell_act, hidden_act;
  int input_gate, forget_gate, output_gate, coupled;
  int peephole;
  float clip; // +inf: off
} ls_cell;

typedef struct {
  int T, B, D, H, P;
  const int32_t *lengths; // (B) valid steps per row in [1, T], or NULL: every row has T
  int reverse;
  ls_cell cell;
} ls_lstm_run;

/** One direction's weights (PyTorch names and layouts). whr, peep may be NULL. */
typedef struct {
  const float *wih; // (G, D)
  const float *whh; // (G, P)
  const float *bih, *bhh; // (G)
  const float *whr; // (P, H) or NULL
  const float *peep; // (3H) i, f, o, or NULL
} ls_lstm_w;

/** Gradients of the same (ADDED into); whr, peep NULL when absent. */
typedef struct {
  float *wih, *whh, *bih, *bhh, *whr, *peep;
} ls_lstm_g;

/** What forward leaves for backward (src/kernels/types.ts LstmCache; the scratch fields there are not used). */
typedef struct {
  float *gates; // (T, B, G) post-activation i, f, g, o; backward overwrites them with dZ
  float *pre; //   (T, B, G) pre-activations before clipping, or NULL (clip off)
  float *c0; //    (B, H)
  float *c; //     (T, B, H)
  float *hprev; // (T, B, P) h_{t−1} as the step at time t saw it
  float *r; //     (T, B, H) o ⊙ ψ(c) before projection, or NULL (no projection)
} ls_lstm_cache;

typedef struct {
  ls_lstm_run run;
  ls_lstm_w w;
  float *y; // (T, B, P), zero past each row's length
  float *hn; // (B, P)
  float *cn; // (B, H)
  ls_lstm_cache cache;
  const float *x; // (T, B, D)
  const float *h0; // (B, P)
  const float *c0; // (B, H)
} ls_lstm_fwd_args;

typedef struct {
  ls_lstm_run run;
  ls_lstm_w w;
  ls_lstm_g g;
  float *dx; //  (T, B, D) ADDED into
  float *dh0; // (B, P) overwritten
  float *dc0; // (B, H) overwritten
  const float *dy; //  (T, B, P)
  const float *dhn; // (B, P) or NULL
  const float *dcn; // (B, H) or NULL
  ls_lstm_cache cache;
  const float *x; // (T, B, D)
} ls_lstm_bwd_args;

/** Dense activations, in the order of DENSE_ACTIVATIONS (src/kernels/ref/dense.ts). */
enum { LS_D_LINEAR = 0, LS_D_RELU = 1, LS_D_TANH = 2, LS_D_SIGMOID = 3, LS_D_SOFTMAX = 4 };

typedef struct ls_ctx ls_ctx;

typedef struct {
  const char *name; // 'avx512', 'avx2', 'sse2', 'neon'
  int lanes; //        floats per vector
  void (*sgemm)(ls_ctx *, const ls_gemm_args *);
  void (*lstm_forward)(ls_ctx *, const ls_lstm_fwd_args *);
  void (*lstm_backward)(ls_ctx *, const ls_lstm_bwd_args *);
  // y (M,O) = act(x (M,I)·W (O,I)ᵀ + b (O))
  void (*dense_forward)(ls_ctx *, float *y, const float *x, const float *W, const float *b, int M, int I, int O, int act);
  // dx (M,I) or NULL, dW (O,I), db (O) or NULL: ADDED into; dz (M,O) scratch (unused for linear)
  void (*dense_backward)(ls_ctx *, float *dx, float *dW, float *db, float *dz, const float *dy, const float *x, const float *W,
                         const float *y, int M, int I, int O, int act);
  // y (rows, cols) = act(x); y may be x
  void (*act_forward)(float *y, const float *x, int rows, int cols, int act);
  // dx (rows, cols) += act'(·)·dy, through the forward output y
  void (*act_backward)(float *dx, const float *dy, const float *y, int rows, int cols, int act);
  // y[i] = cell activation `code` (vec.h) of x[i]: for accuracy tests
  void (*cell_act)(int code, float *y, const float *x, int64_t n);
} ls_ops;

extern const ls_ops ls_ops_avx512, ls_ops_avx2, ls_ops_sse2, ls_ops_neon;

/** Grow-only 64-byte-aligned scratch. Grows only between calls' hot loops; never shrinks until freed. */
typedef struct {
  float *p;
  size_t floats;
} ls_scratch;

#define LS_MAX_THREADS 64

struct ls_ctx {
  const ls_ops *ops;
  ls_pool *pool; // NULL with one thread
  int threads; //   threads a call may use (≥ 1)
  /** Batch-1 forward/backward passes are split by columns across threads from this hidden size
   * up (a barrier per step); below it one thread runs them (measured: bench/native.ts). */
  int min_split_h;
  /** Matrix products below this many multiply-adds run on one thread. */
  int64_t min_par_flops;
  /** Helpers did not pay on the last threaded calls (the caller waited for them): the next `backoff`
   * calls that would use threads run on one; `strikes` in a row double it (kernels.c threads_ok). */
  int backoff, strikes;
  /** 0: never back off, and every thread takes part in every threaded call (tests of the threaded paths). */
  int adaptive;
  /** Calls in which another thread took part so far (tests check threads were used). */
  int64_t threaded_calls;
  ls_scratch shared; // per call: packed weights, per-step state
  ls_scratch local[LS_MAX_THREADS]; // per thread: gemm packing, per-row scratch
};

/** p with room for n floats (grows, 64-byte aligned); NULL when out of memory. */
float *ls_scratch_get(ls_scratch *s, size_t n);
void ls_scratch_free(ls_scratch *s);

/** The best build for this CPU (cpuid on x86-64; NEON on arm64). LS_ISA=sse2|avx2|avx512 in the
 * environment forces a lower one (tests); an unknown or unsupported name is ignored. */
const ls_ops *ls_pick_ops(const char *force);
/** Every build this CPU can run, best first; returns the count. */
int ls_supported_ops(const ls_ops **out, int max);

ls_ctx *ls_ctx_create(const ls_ops *ops, int threads);
void ls_ctx_destroy(ls_ctx *ctx);

#endif
