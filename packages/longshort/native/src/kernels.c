// The native kernel's entry points for one instruction set: matrix product, LSTM sequence forward
// and backward (the whole time loop in one call), dense forward/backward and activations. build.mjs
// compiles this file once per target with -DLS_ISA_<name> and the matching -m flags; each build
// exports its table as ls_ops_<name> and dispatch.c picks one at run time.
//
// dim key: T time, B batch, D input features, H cell size, P cell output size (projSize or H),
//          G = 4H gates (i, f, g, o). LSTM buffers are time-major and indexed by TIME t; for the
//          reverse direction and for right-padded rows, step s of row b is time t = timeAt(b, s).
//
// LSTM forward, per time step, for the rows still running:
//   batch ≥ LS_GEMM_MIN_B: one product [x_t, h_{t−1}]·[Wih; Whh]ᵀ + b (weights packed once per call
//     into panels; x_t and h_{t−1} read in place through row pointers: h_{t−1} is y at the row's
//     previous time step, or h0), then the cell's pointwise pass;
//   smaller batches: x·Wihᵀ + b for all steps in one product before the loop, then per step
//     Whh·h_{t−1} as matrix–vector products straight off the unpacked weights.
// Backward mirrors it: per step dh = (dL/dh from the later step) + dy, dr = dh·Whr with projection,
// the pointwise pass (dz overwrites the cached gates), then dh_{t−1} = dz·Whh; the weight gradients
// for all steps are three matrix products after the loop.
// Threads (ctx->threads, a persistent pool; pool.h): a call is one pool job. Batches of ≥
// LS_SPLIT_ROWS_MIN_B rows are cut into row chunks (up to LS_CHUNK_ROWS rows each, at most two per
// thread) that run through every step on their own — no synchronisation inside the time loop — and
// are handed out as units, like the weight-packing and the weight-gradient blocks: whichever
// threads are running take the next, so a thread that starts late costs nothing. Smaller batches without projection whose H ≥
// ctx->min_split_h are split by hidden units, the threads meeting at a barrier once per step.
// run_job() notices when the caller keeps waiting for helpers and runs the next calls on one thread
// for a while. Every element is computed by the same code in the same order whichever thread runs
// it, so results do not depend on the number of threads.
// Left out: float64 (the TypeScript adapter sends it to the reference kernel), checking sizes
// (addon.c does it), and keeping packed weights across calls (packing is < 1% of a call at the
// batch sizes that pack — S: 25 k floats, M: 0.4 M — and batch < 4 reads the weights unpacked).

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cell.h"
#include "gemm.h"
#include "kern.h"
#include "pool.h"
#include "vec.h"

#if defined(LS_ISA_AVX512)
#define OPS_NAME ls_ops_avx512
#define ISA_NAME "avx512"
#elif defined(LS_ISA_AVX2)
#define OPS_NAME ls_ops_avx2
#define ISA_NAME "avx2"
#elif defined(LS_ISA_NEON)
#define OPS_NAME ls_ops_neon
#define ISA_NAME "neon"
#else
#define OPS_NAME ls_ops_sse2
#define ISA_NAME "sse2"
#endif

/** Smallest batch (per call) whose LSTM steps run as packed products; below, matrix–vector products. */
#define LS_GEMM_MIN_B 4
/** Smallest batch split by rows across threads (each thread then has ≥ LS_GEMM_MIN_B rows). */
#define LS_SPLIT_ROWS_MIN_B 8
/**
 * Rows per chunk of a split batch, at most: a step's product reads each packed weight panel once per
 * MR rows, so rows up to two MR blocks share its trip into L1. Measured on S inference (B 32, H 64,
 * 2 threads): chunks of 16 rows 0.76 ms, of 8 rows 0.80 ms; M (B 64, H 256): 16-row chunks as fast
 * as 32-row ones.
 */
#define LS_CHUNK_ROWS 16

// ---------------------------------------------------------------------------------------------
// Splitting work. A dimension of `dim` is cut into `count` ranges on multiples of `step`; help jobs
// (pool.h) hand the ranges out as units, so whichever threads are running share them.

typedef struct {
  int dim, step, count;
} cuts;

static cuts make_cuts(int dim, int step, int want) {
  const int blocks = dim > 0 ? (dim + step - 1) / step : 0;
  cuts c = {dim, step, LS_MAX(1, LS_MIN(blocks, want))};
  return c;
}

static void cut_range(const cuts *c, int i, int *a, int *b) {
  const int blocks = (c->dim + c->step - 1) / c->step;
  *a = LS_MIN(c->dim, (int)((int64_t)blocks * i / c->count) * c->step);
  *b = LS_MIN(c->dim, (int)((int64_t)blocks * (i + 1) / c->count) * c->step);
}

/** Units per thread of a split product: a few, so a late thread still finds work and a busy one is not waited for long. */
#define UNITS_PER_THREAD 4

/**
 * Whether a call that could use the pool's threads should: no while `backoff` lasts. A threaded
 * call in which the calling thread waited for its helpers longer than it worked (a helper
 * preempted halfway: an oversubscribed host) is a strike — such a call was no faster than one
 * thread; strikes in a row make the following 2, 4, … 256 threaded calls run on one thread, after
 * which one call tries threads again. A quarter of the call was the limit first: on a virtual
 * machine a worker woken from sleep starts up to 4 ms late now and then (measured: median 8 µs,
 * 90th percentile 3.6 ms), so the call that tries threads again after a backoff often struck
 * although it was faster than one thread, and S inference through the layer at 2 threads stayed
 * on one thread most of the time (1.08 ms; 0.65 ms with this limit).
 */
static int threads_ok(ls_ctx *ctx) {
  if (ctx->adaptive && ctx->backoff > 0) {
    ctx->backoff--;
    return 0;
  }
  return 1;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/** Run a job on nth threads (help job, or every thread when !help) and score how the helpers did. */
static void run_job(ls_ctx *ctx, int help, ls_task fn, void *arg, int nth) {
  if (nth <= 1 || ctx->pool == NULL) {
    fn(arg, 0, 1);
    return;
  }
  ls_wait_ns = 0;
  const double t0 = now_ns();
  // (not adaptive: every thread takes part in every threaded call, so tests exercise the threaded paths for sure)
  const int joined = help && ctx->adaptive ? ls_pool_help(ctx->pool, fn, arg, nth) : ls_pool_run(ctx->pool, fn, arg, nth);
  if (joined > 0) ctx->threaded_calls++;
  const double total = now_ns() - t0;
  if (ls_wait_ns > 0.5 * total) {
    ctx->strikes = LS_MIN(ctx->strikes + 1, 8);
    ctx->backoff = 1 << ctx->strikes;
  } else {
    ctx->strikes = 0;
  }
}

/** Run a COLS job (every thread, meeting at a flag barrier per step) with its flags on this frame, zeroed. */
static void run_cols_job(ls_ctx *ctx, ls_task fn, void *job, ls_flag **flags, int nth) {
  ls_flag f[LS_FLAGS_MAX] __attribute__((aligned(64)));
  memset(f, 0, (size_t)nth * sizeof *f);
  *flags = f;
  run_job(ctx, 0, fn, job, nth);
  *flags = NULL;
}

/** Threads worth using for `fmas` multiply-adds. */
static int threads_for(ls_ctx *ctx, double fmas) {
  if (ctx->threads <= 1 || fmas < (double)ctx->min_par_flops || !threads_ok(ctx)) return 1;
  return ctx->threads;
}

static int reserve_locals(ls_ctx *ctx, int nth, size_t floats) {
  for (int t = 0; t < nth; t++)
    if (ls_scratch_get(&ctx->local[t], floats) == NULL) return -1;
  return 0;
}

/** The cuts of a product: rows of C (multiples of MR) when M ≥ N, else columns (multiples of NR). */
static cuts gemm_cuts(const ls_gemm_args *g, int units) { return g->M >= g->N ? make_cuts(g->M, MR, units) : make_cuts(g->N, NR, units); }

static void gemm_unit(const ls_gemm_args *g, const cuts *c, int i, float *ws) {
  int a, b;
  cut_range(c, i, &a, &b);
  if (g->M >= g->N) sgemm_part(g, a, b, 0, g->N, ws);
  else sgemm_part(g, 0, g->M, a, b, ws);
}

typedef struct {
  const ls_gemm_args *g;
  ls_ctx *ctx;
  cuts c;
  ls_units u;
} gemm_job;

static void gemm_task(void *p, int tid, int nth) {
  (void)nth;
  gemm_job *j = p;
  for (int i; (i = ls_units_next(&j->u)) >= 0;) gemm_unit(j->g, &j->c, i, j->ctx->local[tid].p);
}

static void sgemm_mt(ls_ctx *ctx, const ls_gemm_args *g) {
  if (g->M <= 0 || g->N <= 0) return;
  int nth = threads_for(ctx, (double)g->M * g->N * g->K);
  if (reserve_locals(ctx, nth, sgemm_ws_floats()) != 0) {
    nth = 1; // out of memory for a second thread's scratch: one thread still works if it has scratch
    if (reserve_locals(ctx, 1, sgemm_ws_floats()) != 0) abort();
  }
  gemm_job j = {g, ctx, gemm_cuts(g, nth * UNITS_PER_THREAD), {0}};
  ls_units_init(&j.u, j.c.count);
  run_job(ctx, 1, gemm_task, &j, nth);
}

static void sgemm_entry(ls_ctx *ctx, const ls_gemm_args *g) { sgemm_mt(ctx, g); }

/** out1[k] (and out2[k]) += Σ_r A[r, k] for k in [k0, k1): column sums of A (rows, N). */
static void colsum_part(const float *A, int rows, int N, float *out1, float *out2, int k0, int k1) {
  for (int k = k0; k < k1; k += 8 * VL) {
    const int kb = LS_MIN(8 * VL, k1 - k);
    vf s[8];
    for (int v = 0; v < 8; v++) s[v] = vsplat(0);
    for (int r = 0; r < rows; r++) {
      const float *row = A + (size_t)r * N + k;
      for (int v = 0; v * VL < kb; v++) s[v] += vloadn(row + v * VL, LS_MIN(VL, kb - v * VL));
    }
    for (int v = 0; v * VL < kb; v++) {
      const int n = LS_MIN(VL, kb - v * VL);
      vstoren(out1 + k + v * VL, vloadn(out1 + k + v * VL, n) + s[v], n);
      if (out2 != NULL) vstoren(out2 + k + v * VL, vloadn(out2 + k + v * VL, n) + s[v], n);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// LSTM

static inline int time_at(const ls_lstm_run *run, int b, int s) {
  const int len = run->lengths != NULL ? run->lengths[b] : run->T;
  if (s >= len) return -1;
  return run->reverse ? len - 1 - s : s;
}

static inline int row_len(const ls_lstm_run *run, int b) { return run->lengths != NULL ? run->lengths[b] : run->T; }

static int is_classic(const ls_lstm_run *run, const void *peep, const void *pre) {
  const ls_cell *c = &run->cell;
  return c->gate_act == LS_SIGMOID && c->cell_act == LS_TANH && c->hidden_act == LS_TANH && c->input_gate && c->forget_gate &&
         c->output_gate && !c->coupled && peep == NULL && pre == NULL;
}

/**
 * How a call runs. ROWS: batch rows in chunks (help job; each chunk runs through every step on its
 * own), packed products per step when B ≥ LS_GEMM_MIN_B, else matrix–vector products. COLS: every
 * thread takes all rows but a range of hidden units, and the threads meet once per step.
 */
enum { SPLIT_ROWS = 0, SPLIT_COLS = 1 };

typedef struct {
  int nth;
  int split;
  int gemm; // packed products per step (else matrix–vector products)
  cuts chunks; // ROWS: row chunks
} lstm_plan;

static lstm_plan plan_lstm(ls_ctx *ctx, const ls_lstm_run *run, int projected) {
  const int B = run->B, H = run->H, P = run->P, D = run->D;
  lstm_plan pl = {1, SPLIT_ROWS, B >= LS_GEMM_MIN_B, make_cuts(B, B, 1)};
  const double fmas = (double)run->T * B * 4 * H * (D + P);
  if (ctx->threads <= 1 || fmas < (double)ctx->min_par_flops) return pl;
  if (B < LS_SPLIT_ROWS_MIN_B && (projected || H < ctx->min_split_h)) return pl;
  if (!threads_ok(ctx)) return pl;
  if (B >= LS_SPLIT_ROWS_MIN_B) {
    // chunks of up to LS_CHUNK_ROWS rows (fewer when the batch is small: every thread gets one),
    // at most two per thread, so a thread that starts late finds one left
    const int step = LS_MAX(LS_GEMM_MIN_B, LS_MIN(LS_CHUNK_ROWS, B / ctx->threads / LS_GEMM_MIN_B * LS_GEMM_MIN_B));
    pl.nth = ctx->threads;
    pl.chunks = make_cuts(B, step, 2 * ctx->threads);
  } else if (!projected && H >= ctx->min_split_h) {
    pl.nth = LS_MIN(LS_MIN(ctx->threads, LS_FLAGS_MAX), (H + VL - 1) / VL);
    pl.split = SPLIT_COLS;
    pl.gemm = 0;
  }
  return pl;
}

/** Most rows one thread works on at a time under plan pl (its per-thread scratch is sized by it). */
static int plan_rows(const lstm_plan *pl, int B) {
  if (pl->split == SPLIT_COLS) return B;
  int most = 0;
  for (int c = 0; c < pl->chunks.count; c++) {
    int b0, b1;
    cut_range(&pl->chunks, c, &b0, &b1);
    most = LS_MAX(most, b1 - b0);
  }
  return most;
}

/** Units [j0, j1) of thread tid of nth in a COLS split (boundaries on multiples of VL). */
static void unit_share(int H, int tid, int nth, int *j0, int *j1) {
  const cuts c = make_cuts(H, VL, nth);
  if (tid >= c.count) {
    *j0 = *j1 = H;
    return;
  }
  cut_range(&c, tid, j0, j1);
}

typedef struct {
  const ls_lstm_fwd_args *a;
  ls_ctx *ctx;
  lstm_plan pl;
  int classic;
  float *pw; //   packed [Wih; Whh]ᵀ (K = D + P, N = G), gemm plan
  float *bias; // b_ih + b_hh (gemm plan: padded to whole panels)
  float *pwr; //  packed Whrᵀ (K = H, N = P), gemm plan with projection
  cuts packs; //  pack units: ranges of panels; the last unit packs Whrᵀ and the bias
  ls_units pack_u, chunk_u;
  ls_flag *flags; // COLS: the per-step barrier's flags (zeroed per call)
} fwd_job;

/** Per-thread scratch of the forward pass, in floats: row lists, pointers, rec rows, gemm scratch. */
static size_t fwd_local_floats(int rows, int G) { return (size_t)rows * 8 + 64 + LS_MAX((size_t)rows * G, sgemm_ws_floats()); }

/** Pack unit i of a forward call (see fwd_job.packs). */
static void fwd_pack(const fwd_job *j, int i) {
  const ls_lstm_fwd_args *a = j->a;
  const int D = a->run.D, H = a->run.H, P = a->run.P, G = 4 * H;
  if (i == j->packs.count) {
    const int np = (int)npanels(G);
    for (int k = 0; k < np * NR; k++) j->bias[k] = k < G ? a->w.bih[k] + a->w.bhh[k] : 0;
    if (a->w.whr != NULL) pack_b(j->pwr, (size_t)H * NR, 0, a->w.whr, H, 1, 0, H, 0, P);
    return;
  }
  int q0, q1;
  cut_range(&j->packs, i, &q0, &q1);
  const size_t ps = (size_t)(D + P) * NR;
  if (q1 > q0) {
    const int n0 = q0 * NR, nc = LS_MIN(G, q1 * NR) - n0;
    pack_b(j->pw + (size_t)q0 * ps, ps, 0, a->w.wih, D, 1, 0, D, n0, nc);
    pack_b(j->pw + (size_t)q0 * ps, ps, D, a->w.whh, P, 1, 0, P, n0, nc);
  }
}

/**
 * The time loop for rows [b0, b1) and units [j0, j1) (all units unless split by units; then
 * `barrier_nth` threads meet after every step), with scratch ws.
 */
static void fwd_rows(const fwd_job *j, int b0, int b1, int j0, int j1, int tid, int barrier_nth, float *ws) {
  const ls_lstm_fwd_args *a = j->a;
  const ls_lstm_run *run = &a->run;
  const int T = run->T, B = run->B, D = run->D, H = run->H, P = run->P, G = 4 * H;
  const int projected = a->w.whr != NULL;
  const int nrow = b1 - b0;
  // scratch: rows' b and t, pointers to x_t, h_{t−1} and rec rows, then rec (nrow, G)
  int *rb = (int *)ws;
  int *rt = rb + nrow;
  const float **xa = (const float **)(ws + (((size_t)2 * nrow + 15) & ~(size_t)15));
  const float **ha = xa + nrow;
  float **rc = (float **)(ha + nrow);
  float *rec = (float *)(((uintptr_t)(ws + (size_t)nrow * 8 + 16) + 63) & ~(uintptr_t)63);
  const ls_cell *cl = &run->cell;
  float *gates = a->cache.gates, *pre = a->cache.pre, *cc = a->cache.c, *hprev = a->cache.hprev, *rcache = a->cache.r;
  const int cols = j0 != 0 || j1 != H; // split by units: this thread's columns of h (P = H then)
  const int p0 = cols ? j0 : 0, p1 = cols ? j1 : P;

  for (int s = 0; s < T; s++) {
    int n = 0;
    for (int b = b0; b < b1; b++) {
      const int t = time_at(run, b, s);
      if (t < 0) continue;
      rb[n] = b;
      rt[n] = t;
      const int tp = run->reverse ? t + 1 : t - 1; // the row's previous time step
      xa[n] = a->x + ((size_t)t * B + b) * D;
      ha[n] = s == 0 ? a->h0 + (size_t)b * P : a->y + ((size_t)tp * B + b) * P;
      rc[n] = rec + (size_t)n * G;
      n++;
    }
    if (n == 0) break; // every row has ended (threads split by units all see the same)
    // rec = h_{t−1}·Whhᵀ [+ x_t·Wihᵀ + b]
    if (j->pl.gemm) {
      gemm_rows(n, xa, D, ha, P, j->pw, G, j->bias, rc, 0);
    } else {
      for (int i = 0; i < n; i++)
        for (int q = 0; q < 4; q++) mv_rows(rc[i] + q * H + j0, a->w.whh + ((size_t)q * H + j0) * P, P, ha[i], P, j1 - j0, 0);
    }
    for (int i = 0; i < n; i++) {
      const int b = rb[i], t = rt[i];
      const size_t tb = (size_t)t * B + b;
      const int tp = run->reverse ? t + 1 : t - 1;
      const float *cprev = s == 0 ? a->cache.c0 + (size_t)b * H : cc + ((size_t)tp * B + b) * H;
      memcpy(hprev + tb * P + p0, ha[i] + p0, (size_t)(p1 - p0) * 4); // hPrev[t] = h_{t−1}
      float *hout = projected ? rcache + tb * H : a->y + tb * P;
      const float *gx = j->pl.gemm ? NULL : gates + tb * G;
      float *gz = gates + tb * G;
      float *pz = pre != NULL ? pre + tb * G : NULL;
      if (j->classic) cell_forward(cl, 1, H, j0, j1, rc[i], gx, cprev, NULL, gz, NULL, cc + tb * H, hout);
      else cell_forward(cl, 0, H, j0, j1, rc[i], gx, cprev, a->w.peep, gz, pz, cc + tb * H, hout);
    }
    if (projected) {
      // h = r·Whrᵀ, into y[t] (never split by units)
      for (int i = 0; i < n; i++) {
        const size_t tb = (size_t)rt[i] * B + rb[i];
        xa[i] = rcache + tb * H;
        rc[i] = a->y + tb * P;
      }
      if (j->pl.gemm) gemm_rows(n, xa, H, NULL, 0, j->pwr, P, NULL, rc, 0);
      else
        for (int i = 0; i < n; i++) mv_rows(rc[i], a->w.whr, H, xa[i], H, P, 0);
    }
    if (barrier_nth > 1) ls_flags_barrier(j->ctx->pool, j->flags, tid, barrier_nth); // h_t complete before step s + 1 reads it
  }
  // final states (after the loop: hN/cN may be the same arrays as h0/c0)
  for (int b = b0; b < b1; b++) {
    const int t = run->reverse ? 0 : row_len(run, b) - 1;
    const size_t tb = (size_t)t * B + b;
    memcpy(a->hn + (size_t)b * P + p0, a->y + tb * P + p0, (size_t)(p1 - p0) * 4);
    memcpy(a->cn + (size_t)b * H + j0, cc + tb * H + j0, (size_t)(j1 - j0) * 4);
  }
}

/** gates[t,b,:] = x[t,b,:]·Wihᵀ + b_ih + b_hh for every step at once (gate columns of units [j0, j1)). */
static void fwd_input_projection(const fwd_job *j, int j0, int j1, float *ws) {
  const ls_lstm_fwd_args *a = j->a;
  const int T = a->run.T, B = a->run.B, D = a->run.D, H = a->run.H, G = 4 * H;
  for (int q = 0; q < 4; q++)
    for (int k = q * H + j0; k < q * H + j1; k++) j->bias[k] = a->w.bih[k] + a->w.bhh[k];
  const ls_gemm_args g = {T * B, G, D, a->x, D, 0, a->w.wih, D, 1, a->cache.gates, G, 0, j->bias};
  if (j0 == 0 && j1 == H) sgemm_part(&g, 0, T * B, 0, G, ws);
  else
    for (int q = 0; q < 4; q++) sgemm_part(&g, 0, T * B, q * H + j0, q * H + j1, ws);
}

/** Help job (ROWS, or one thread): pack units, then row chunks, each through every step. */
static void fwd_help_task(void *p, int tid, int nth) {
  (void)nth;
  fwd_job *j = p;
  float *ws = j->ctx->local[tid].p;
  if (j->pl.gemm) {
    for (int i; (i = ls_units_next(&j->pack_u)) >= 0; ls_units_done(&j->pack_u)) fwd_pack(j, i);
  } else if (tid == 0 && ls_units_next(&j->pack_u) == 0) {
    fwd_input_projection(j, 0, j->a->run.H, ws); // matrix–vector plan (one thread): the input projection first
    ls_units_done(&j->pack_u);
  }
  int c = ls_units_next(&j->chunk_u);
  if (c < 0) return;
  ls_units_wait(&j->pack_u); // every panel is read by every chunk
  for (; c >= 0; c = ls_units_next(&j->chunk_u)) {
    int b0, b1;
    cut_range(&j->pl.chunks, c, &b0, &b1);
    fwd_rows(j, b0, b1, 0, j->a->run.H, 0, 1, ws);
  }
}

/** Static job (COLS): this thread's units' gate columns of the input projection, then its units through every step. */
static void fwd_cols_task(void *p, int tid, int nth) {
  fwd_job *j = p;
  float *ws = j->ctx->local[tid].p;
  int j0, j1;
  unit_share(j->a->run.H, tid, nth, &j0, &j1);
  fwd_input_projection(j, j0, j1, ws); // only this thread's columns: no one else's needed
  fwd_rows(j, 0, j->a->run.B, j0, j1, tid, nth, ws);
}

static void lstm_forward(ls_ctx *ctx, const ls_lstm_fwd_args *a) {
  const ls_lstm_run *run = &a->run;
  const int T = run->T, B = run->B, D = run->D, H = run->H, P = run->P, G = 4 * H;
  const int projected = a->w.whr != NULL;
  if (T <= 0 || B <= 0) return;
  fwd_job j;
  memset(&j, 0, sizeof j);
  j.a = a;
  j.ctx = ctx;
  j.pl = plan_lstm(ctx, run, projected);
  j.classic = is_classic(run, a->w.peep, a->cache.pre);
  if (a->cache.c0 != a->c0) memcpy(a->cache.c0, a->c0, (size_t)B * H * 4);
  // y is zero past each row's length
  if (run->lengths != NULL)
    for (int b = 0; b < B; b++)
      for (int t = run->lengths[b]; t < T; t++) memset(a->y + ((size_t)t * B + b) * P, 0, (size_t)P * 4);
  const size_t nw = j.pl.gemm ? packed_floats(D + P, G) : 0, nb = (size_t)npanels(G) * NR, nr = j.pl.gemm && projected ? packed_floats(H, P) : 0;
  float *sh = ls_scratch_get(&ctx->shared, nw + nb + nr + 64);
  if (sh == NULL) abort();
  j.pw = sh;
  j.bias = sh + nw;
  j.pwr = j.bias + nb;
  const int nth = j.pl.nth;
  j.packs = make_cuts((int)npanels(G), 1, 2 * nth);
  ls_units_init(&j.pack_u, j.pl.gemm ? j.packs.count + 1 : 1);
  ls_units_init(&j.chunk_u, j.pl.chunks.count);
  if (reserve_locals(ctx, nth, fwd_local_floats(plan_rows(&j.pl, B), G)) != 0) abort();
  if (j.pl.split == SPLIT_COLS) run_cols_job(ctx, fwd_cols_task, &j, &j.flags, nth);
  else run_job(ctx, 1, fwd_help_task, &j, nth);
}

/** The weight-gradient products of a backward call, as units (see bwd_job). */
enum { WG_WIH, WG_WHH, WG_X, WG_WHR, WG_BIAS, WG_PEEP, WG_KINDS };

typedef struct {
  const ls_lstm_bwd_args *a;
  ls_ctx *ctx;
  lstm_plan pl;
  int classic;
  float *pwh; //      packed Whh (K = G, N = P), gemm plan
  float *pwr; //      packed Whr (K = P, N = H), gemm plan with projection
  float *dhs; //      (B, P) dL/dh_{t−1} carried between steps
  float *dcs; //      (B, H) dL/dc_{t−1} carried between steps
  float *dhall; //    (T, B, P) dL/dh per step, projection only (for dWhr)
  cuts packs; //      pack units: ranges of Whh panels; the last unit packs Whr
  ls_gemm_args wg[4]; // dWih, dWhh, dx, dWhr
  cuts wcuts[WG_KINDS]; // units of each weight-gradient kind (count 0: absent)
  int wfirst[WG_KINDS + 1]; // unit index where each kind starts
  ls_units pack_u, chunk_u, weight_u;
  ls_flag *flags; // COLS: the per-step barrier's flags (zeroed per call)
} bwd_job;

/**
 * dL/dpeep for units [j0, j1), ADDED into g.peep (3H): forward zi += p_i ⊙ c_{t−1}, zf += p_f ⊙ c_{t−1},
 * zo += p_o ⊙ c_t, so the gradients are Σ over every row's steps of dz_i·c_{t−1}, dz_f·c_{t−1}, dz_o·c_t.
 * Formed after the time loop from dZ and the cached c, in a fixed order (rows, then steps), so the
 * result does not depend on how the loop was split between threads.
 */
static void peep_grads(const ls_lstm_bwd_args *a, int j0, int j1) {
  const ls_lstm_run *run = &a->run;
  const int B = run->B, H = run->H, G = 4 * H;
  const float *dz = a->cache.gates, *cc = a->cache.c;
  float *gp = a->g.peep;
  for (int j = j0; j < j1; j += VL) {
    const int n = LS_MIN(VL, j1 - j);
    vf si = vsplat(0), sf = vsplat(0), so = vsplat(0);
    for (int b = 0; b < B; b++) {
      const int len = row_len(run, b);
      for (int s = 0; s < len; s++) {
        const int t = time_at(run, b, s);
        const int tp = run->reverse ? t + 1 : t - 1;
        const float *cprev = s == 0 ? a->cache.c0 + (size_t)b * H : cc + ((size_t)tp * B + b) * H;
        const float *z = dz + ((size_t)t * B + b) * G;
        const vf cp = vloadn(cprev + j, n);
        si += vloadn(z + j, n) * cp;
        sf += vloadn(z + H + j, n) * cp;
        so += vloadn(z + 3 * H + j, n) * vloadn(cc + ((size_t)t * B + b) * H + j, n);
      }
    }
    vstoren(gp + j, vloadn(gp + j, n) + si, n);
    vstoren(gp + H + j, vloadn(gp + H + j, n) + sf, n);
    vstoren(gp + 2 * H + j, vloadn(gp + 2 * H + j, n) + so, n);
  }
}

static size_t bwd_local_floats(int rows, int H, int P) { return (size_t)rows * 8 + 128 + LS_MAX((size_t)rows * (P + H), sgemm_ws_floats()); }

static void bwd_pack(const bwd_job *j, int i) {
  const ls_lstm_bwd_args *a = j->a;
  const int H = a->run.H, P = a->run.P, G = 4 * H;
  if (i == j->packs.count) {
    if (a->w.whr != NULL) pack_b(j->pwr, (size_t)P * NR, 0, a->w.whr, H, 0, 0, P, 0, H);
    return;
  }
  int q0, q1;
  cut_range(&j->packs, i, &q0, &q1);
  if (q1 > q0) pack_b(j->pwh + (size_t)q0 * G * NR, (size_t)G * NR, 0, a->w.whh, P, 0, 0, G, q0 * NR, LS_MIN(P, q1 * NR) - q0 * NR);
}

/** The time loop backward for rows [b0, b1) and units [j0, j1) (see fwd_rows), with scratch ws. */
static void bwd_rows(const bwd_job *j, int b0, int b1, int j0, int j1, int tid, int barrier_nth, float *ws) {
  const ls_lstm_bwd_args *a = j->a;
  const ls_lstm_run *run = &a->run;
  const int T = run->T, B = run->B, H = run->H, P = run->P, G = 4 * H;
  const int projected = a->w.whr != NULL;
  const int nrow = b1 - b0;
  const int cols = j0 != 0 || j1 != H;
  const int p0 = cols ? j0 : 0, p1 = cols ? j1 : P;
  // scratch: rows' b and t; pointers; dh rows (nrow, P) and dr rows (nrow, H)
  int *rb = (int *)ws;
  int *rt = rb + nrow;
  const float **aa = (const float **)(ws + (((size_t)2 * nrow + 15) & ~(size_t)15));
  float **ca = (float **)(aa + nrow);
  float *dh = (float *)(((uintptr_t)(ws + (size_t)nrow * 8 + 16) + 63) & ~(uintptr_t)63);
  float *dr = dh + (size_t)nrow * P;
  const ls_cell *cl = &run->cell;
  float *dz = a->cache.gates; // the gates become dZ (the cache is consumed)
  const float *cc = a->cache.c;

  for (int b = b0; b < b1; b++) {
    float *dhb = j->dhs + (size_t)b * P, *dcb = j->dcs + (size_t)b * H;
    if (a->dhn != NULL) memcpy(dhb + p0, a->dhn + (size_t)b * P + p0, (size_t)(p1 - p0) * 4);
    else memset(dhb + p0, 0, (size_t)(p1 - p0) * 4);
    if (a->dcn != NULL) memcpy(dcb + j0, a->dcn + (size_t)b * H + j0, (size_t)(j1 - j0) * 4);
    else memset(dcb + j0, 0, (size_t)(j1 - j0) * 4);
  }

  for (int s = T - 1; s >= 0; s--) {
    int n = 0;
    for (int b = b0; b < b1; b++) {
      const int t = time_at(run, b, s);
      if (t < 0) continue;
      rb[n] = b;
      rt[n] = t;
      n++;
    }
    if (n == 0) continue; // (threads split by units all see the same)
    // dh of this step = dL/dh from the later step + dL/dy[t]
    for (int i = 0; i < n; i++) {
      const size_t tb = (size_t)rt[i] * B + rb[i];
      const float *from = j->dhs + (size_t)rb[i] * P, *dyt = a->dy + tb * P;
      float *to = dh + (size_t)i * P;
      for (int k = p0; k < p1; k += VL) {
        const int m = LS_MIN(VL, p1 - k);
        vstoren(to + k, vloadn(from + k, m) + vloadn(dyt + k, m), m);
      }
      if (projected) memcpy(j->dhall + tb * P, to, (size_t)P * 4);
    }
    // forward: h = r·Whrᵀ  →  dr = dh·Whr
    const float *drow = dh;
    int ldr = P;
    if (projected) {
      for (int i = 0; i < n; i++) {
        aa[i] = dh + (size_t)i * P;
        ca[i] = dr + (size_t)i * H;
      }
      if (j->pl.gemm) gemm_rows(n, aa, P, NULL, 0, j->pwr, H, NULL, ca, 0);
      else
        for (int i = 0; i < n; i++) mv_axpy(ca[i], a->w.whr, H, aa[i], P, H, 0);
      drow = dr;
      ldr = H;
    }
    for (int i = 0; i < n; i++) {
      const int b = rb[i], t = rt[i];
      const size_t tb = (size_t)t * B + b;
      const int tp = run->reverse ? t + 1 : t - 1;
      const float *cprev = s == 0 ? a->cache.c0 + (size_t)b * H : cc + ((size_t)tp * B + b) * H;
      const float *dri = drow + (size_t)i * ldr;
      float *pz = a->cache.pre != NULL ? a->cache.pre + tb * G : NULL;
      if (j->classic) cell_backward(cl, 1, H, j0, j1, dz + tb * G, NULL, cc + tb * H, cprev, dri, NULL, j->dcs + (size_t)b * H);
      else cell_backward(cl, 0, H, j0, j1, dz + tb * G, pz, cc + tb * H, cprev, dri, a->w.peep, j->dcs + (size_t)b * H);
    }
    if (barrier_nth > 1) ls_flags_barrier(j->ctx->pool, j->flags, tid, barrier_nth); // every unit's dz of this step is in place
    // forward: z += h_{t−1}·Whhᵀ  →  dh_{t−1} = dz·Whh (rows that have not started keep theirs)
    for (int i = 0; i < n; i++) {
      aa[i] = dz + ((size_t)rt[i] * B + rb[i]) * G;
      ca[i] = j->dhs + (size_t)rb[i] * P;
    }
    if (j->pl.gemm) gemm_rows(n, aa, G, NULL, 0, j->pwh, P, NULL, ca, 0);
    else
      for (int i = 0; i < n; i++) mv_axpy(ca[i] + p0, a->w.whh + p0, P, aa[i], G, p1 - p0, 0);
  }
  for (int b = b0; b < b1; b++) {
    memcpy(a->dh0 + (size_t)b * P + p0, j->dhs + (size_t)b * P + p0, (size_t)(p1 - p0) * 4);
    memcpy(a->dc0 + (size_t)b * H + j0, j->dcs + (size_t)b * H + j0, (size_t)(j1 - j0) * 4);
  }
}

/** Weight-gradient unit u: a row block of one product, a column block of the bias sums, or a unit block of the peephole sums. */
static void bwd_weight_unit(const bwd_job *j, int u, float *ws) {
  int kind = 0;
  while (u >= j->wfirst[kind + 1]) kind++;
  const int i = u - j->wfirst[kind];
  const ls_lstm_bwd_args *a = j->a;
  int lo, hi;
  cut_range(&j->wcuts[kind], i, &lo, &hi);
  if (kind <= WG_WHR) {
    sgemm_part(&j->wg[kind], lo, hi, 0, j->wg[kind].N, ws);
  } else if (kind == WG_BIAS) {
    colsum_part(a->cache.gates, a->run.T * a->run.B, 4 * a->run.H, a->g.bih, a->g.bhh, lo, hi); // db += Σ dZ
  } else {
    peep_grads(a, lo, hi);
  }
}

/** Help job (ROWS, or one thread): pack units; row chunks, each through every step; then weight-gradient units. */
static void bwd_help_task(void *p, int tid, int nth) {
  (void)nth;
  bwd_job *j = p;
  float *ws = j->ctx->local[tid].p;
  for (int i; (i = ls_units_next(&j->pack_u)) >= 0; ls_units_done(&j->pack_u)) bwd_pack(j, i);
  int c = ls_units_next(&j->chunk_u);
  if (c >= 0) {
    ls_units_wait(&j->pack_u);
    for (; c >= 0; c = ls_units_next(&j->chunk_u), ls_units_done(&j->chunk_u)) {
      int b0, b1;
      cut_range(&j->pl.chunks, c, &b0, &b1);
      bwd_rows(j, b0, b1, 0, j->a->run.H, 0, 1, ws);
    }
  }
  int u = ls_units_next(&j->weight_u);
  if (u < 0) return;
  ls_units_wait(&j->chunk_u); // every step's dZ is in place
  for (; u >= 0; u = ls_units_next(&j->weight_u)) bwd_weight_unit(j, u, ws);
}

/** Static job (COLS): this thread's units through every step, then every nth weight-gradient unit. */
static void bwd_cols_task(void *p, int tid, int nth) {
  bwd_job *j = p;
  float *ws = j->ctx->local[tid].p;
  int j0, j1;
  unit_share(j->a->run.H, tid, nth, &j0, &j1);
  bwd_rows(j, 0, j->a->run.B, j0, j1, tid, nth, ws);
  ls_flags_barrier(j->ctx->pool, j->flags, tid, nth);
  for (int u = tid; u < j->weight_u.total; u += nth) bwd_weight_unit(j, u, ws);
}

static void lstm_backward(ls_ctx *ctx, const ls_lstm_bwd_args *a) {
  const ls_lstm_run *run = &a->run;
  const int T = run->T, B = run->B, D = run->D, H = run->H, P = run->P, G = 4 * H;
  const int projected = a->w.whr != NULL;
  if (T <= 0 || B <= 0) return;
  bwd_job j;
  memset(&j, 0, sizeof j);
  j.a = a;
  j.ctx = ctx;
  j.pl = plan_lstm(ctx, run, projected);
  j.classic = is_classic(run, a->w.peep, a->cache.pre);
  // padded positions (t ≥ length) hold no gate: zero them so they add nothing to the weight gradients
  if (run->lengths != NULL)
    for (int b = 0; b < B; b++)
      for (int t = run->lengths[b]; t < T; t++) memset(a->cache.gates + ((size_t)t * B + b) * G, 0, (size_t)G * 4);
  const size_t nwh = j.pl.gemm ? packed_floats(G, P) : 0, nwr = j.pl.gemm && projected ? packed_floats(P, H) : 0;
  const size_t nall = projected ? (size_t)T * B * P : 0;
  const int nth = j.pl.nth;
  float *sh = ls_scratch_get(&ctx->shared, nwh + nwr + (size_t)B * (P + H) + nall + 64);
  if (sh == NULL) abort();
  j.pwh = sh;
  j.pwr = sh + nwh;
  j.dhs = sh + nwh + nwr;
  j.dcs = j.dhs + (size_t)B * P;
  j.dhall = projected ? j.dcs + (size_t)B * H : NULL;
  if (projected && run->lengths != NULL) memset(j.dhall, 0, nall * 4); // padded steps add nothing to dWhr
  j.packs = make_cuts((int)npanels(P), 1, 2 * nth);
  ls_units_init(&j.pack_u, j.pl.gemm ? j.packs.count + 1 : 0);
  ls_units_init(&j.chunk_u, j.pl.split == SPLIT_ROWS ? j.pl.chunks.count : 0);
  // Weight gradients for all steps at once (padded positions have dZ = 0)
  const float *dZ = a->cache.gates;
  const int TB = T * B;
  const int wu = nth > 1 ? UNITS_PER_THREAD * nth : 1;
  j.wg[WG_WIH] = (ls_gemm_args){G, D, TB, dZ, G, 1, a->x, D, 0, a->g.wih, D, 1, NULL}; //                dWih += dZᵀ·x
  j.wg[WG_WHH] = (ls_gemm_args){G, P, TB, dZ, G, 1, a->cache.hprev, P, 0, a->g.whh, P, 1, NULL}; //       dWhh += dZᵀ·h_{t−1}
  j.wg[WG_X] = (ls_gemm_args){TB, D, G, dZ, G, 0, a->w.wih, D, 0, a->dx, D, 1, NULL}; //                  dx   += dZ·Wih
  if (projected) j.wg[WG_WHR] = (ls_gemm_args){P, H, TB, j.dhall, P, 1, a->cache.r, H, 0, a->g.whr, H, 1, NULL}; // dWhr += dhᵀ·r
  for (int k = WG_WIH; k <= WG_WHR; k++) j.wcuts[k] = k == WG_WHR && !projected ? (cuts){0, 1, 0} : make_cuts(j.wg[k].M, MR, wu);
  j.wcuts[WG_BIAS] = make_cuts(G, VL, wu);
  j.wcuts[WG_PEEP] = a->w.peep != NULL ? make_cuts(H, VL, wu) : (cuts){0, 1, 0};
  j.wfirst[0] = 0;
  for (int k = 0; k < WG_KINDS; k++) j.wfirst[k + 1] = j.wfirst[k] + j.wcuts[k].count;
  ls_units_init(&j.weight_u, j.wfirst[WG_KINDS]);
  if (reserve_locals(ctx, nth, bwd_local_floats(plan_rows(&j.pl, B), H, P)) != 0) abort();
  if (j.pl.split == SPLIT_COLS) run_cols_job(ctx, bwd_cols_task, &j, &j.flags, nth);
  else run_job(ctx, 1, bwd_help_task, &j, nth);
}

// ---------------------------------------------------------------------------------------------
// Dense layer and activations (src/kernels/ref/dense.ts)

static void act_forward(float *y, const float *x, int rows, int cols, int act) {
  const size_t n = (size_t)rows * cols;
  if (act == LS_D_SOFTMAX) {
    for (int r = 0; r < rows; r++) {
      const float *xr = x + (size_t)r * cols;
      float *yr = y + (size_t)r * cols;
      // subtracting the row maximum keeps exp from overflowing; softmax is shift-invariant
      float mx = -INFINITY;
      for (int k = 0; k < cols; k++)
        if (xr[k] > mx) mx = xr[k];
      vf sum = vsplat(0);
      for (int k = 0; k < cols; k += VL) {
        const int m = LS_MIN(VL, cols - k);
        vf e = exp_neg(vloadn(xr + k, m) - mx);
        if (m < VL) e = vloadn((const float *)&e, m); // padded lanes add nothing
        sum += e;
        vstoren(yr + k, e, m);
      }
      const float inv = 1.0f / vsum(sum);
      for (int k = 0; k < cols; k++) yr[k] *= inv;
    }
    return;
  }
  size_t k = 0;
  for (; k + VL <= n; k += VL) {
    const vf v = vload(x + k);
    vf o = v;
    if (act == LS_D_RELU) o = v_act(LS_RELU, v);
    else if (act == LS_D_TANH) o = v_tanh(v);
    else if (act == LS_D_SIGMOID) o = v_sigmoid(v);
    vstore(y + k, o);
  }
  if (k < n) {
    const int m = (int)(n - k);
    const vf v = vloadn(x + k, m);
    vf o = v;
    if (act == LS_D_RELU) o = v_act(LS_RELU, v);
    else if (act == LS_D_TANH) o = v_tanh(v);
    else if (act == LS_D_SIGMOID) o = v_sigmoid(v);
    vstoren(y + k, o, m);
  }
}

static void act_backward(float *dx, const float *dy, const float *y, int rows, int cols, int act) {
  const size_t n = (size_t)rows * cols;
  if (act == LS_D_SOFTMAX) {
    // forward: y_j = e^{x_j} / Σ_k e^{x_k}  →  dL/dx_j = y_j (dL/dy_j − Σ_k dL/dy_k · y_k)
    for (int r = 0; r < rows; r++) {
      const size_t o = (size_t)r * cols;
      vf dot = vsplat(0);
      for (int k = 0; k < cols; k += VL) {
        const int m = LS_MIN(VL, cols - k);
        dot += vloadn(dy + o + k, m) * vloadn(y + o + k, m);
      }
      const float d = vsum(dot);
      for (int k = 0; k < cols; k += VL) {
        const int m = LS_MIN(VL, cols - k);
        vstoren(dx + o + k, vloadn(dx + o + k, m) + vloadn(y + o + k, m) * (vloadn(dy + o + k, m) - d), m);
      }
    }
    return;
  }
  for (size_t k = 0; k < n; k += VL) {
    const int m = (int)LS_MIN((size_t)VL, n - k);
    const vf g = vloadn(dy + k, m), yv = vloadn(y + k, m);
    vf d = g; // linear
    if (act == LS_D_RELU) d = vsel(yv > 0.0f, g, vsplat(0)); // subgradient 0 at 0, as PyTorch
    else if (act == LS_D_TANH) d = g * (1.0f - yv * yv);
    else if (act == LS_D_SIGMOID) d = g * yv * (1.0f - yv);
    vstoren(dx + k, vloadn(dx + k, m) + d, m);
  }
}

static void dense_forward(ls_ctx *ctx, float *y, const float *x, const float *W, const float *b, int M, int I, int O, int act) {
  ls_gemm_args g = {M, O, I, x, I, 0, W, I, 1, y, O, 0, b}; // y = x·Wᵀ + b
  sgemm_mt(ctx, &g);
  if (act != LS_D_LINEAR) act_forward(y, y, M, O, act);
}

static void dense_backward(ls_ctx *ctx, float *dx, float *dW, float *db, float *dz, const float *dy, const float *x, const float *W,
                           const float *y, int M, int I, int O, int act) {
  // forward: y = act(z), z = x·Wᵀ + b
  const float *gz = dy;
  if (act != LS_D_LINEAR) {
    memset(dz, 0, (size_t)M * O * 4);
    act_backward(dz, dy, y, M, O, act);
    gz = dz;
  }
  ls_gemm_args gw = {O, I, M, gz, O, 1, x, I, 0, dW, I, 1, NULL}; // dW += dzᵀ·x
  sgemm_mt(ctx, &gw);
  if (db != NULL) colsum_part(gz, M, O, db, NULL, 0, O); //      db += Σ_m dz[m,:]
  if (dx != NULL) {
    ls_gemm_args gx = {M, I, O, gz, O, 0, W, I, 0, dx, I, 1, NULL}; // dx += dz·W
    sgemm_mt(ctx, &gx);
  }
}

static void cell_act(int code, float *y, const float *x, int64_t n) {
  for (int64_t k = 0; k < n; k += VL) {
    const int m = (int)(n - k < VL ? n - k : VL);
    vstoren(y + k, v_act(code, vloadn(x + k, m)), m);
  }
}

const ls_ops OPS_NAME = {
    ISA_NAME, VL, sgemm_entry, lstm_forward, lstm_backward, dense_forward, dense_backward, act_forward, act_backward, cell_act,
};
