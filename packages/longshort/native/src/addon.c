// The Node-API face of the native kernel: each JavaScript call hands its Float32Arrays over by
// pointer (no copies — a typed array's memory is native memory already), after checking every
// array's type and length and every size against the others, so that a wrong argument is a thrown
// RangeError/TypeError naming it, never a read or write out of bounds. src/kernels/native/index.ts
// adapts these functions to the Kernels interface.
//
// Exports (abi: LS_ADDON_ABI, bumped when any signature below changes; sourceHash: sha-256 of native/src
// at build time; ctx is what createContext returns; arrays are Float32Array unless noted; null where a
// buffer is optional):
//   info() → { isa, lanes, supported: string[] }
//   createContext(threads, isa?) → ctx           a thread pool (threads − 1 workers) and scratch
//   destroyContext(ctx)                           stop its threads now (the finalizer does it otherwise)
//   setTuning(ctx, minSplitH, minParFlops, adaptive)
//   contextInfo(ctx) → { isa, threads, minSplitH, minParFlops, adaptive, threadedCalls }
//   swapAxes(dst, src, A, B, F)                  dst (B, A, F) ← src (A, B, F) (no context: a copy of rows)
//   gemm(ctx, C, A, B, M, N, K, transA, transB, accumulate)
//   lstmForward(ctx, y, hN, cN, gates, pre, cacheC0, c, hPrev, r, x, h0, c0, wih, whh, bih, bhh, whr, peep,
//               dims: Int32Array [T, B, D, H, P], lengths: Int32Array | null, reverse,
//               cell: Int32Array [gateAct, cellAct, hiddenAct, inputGate, forgetGate, outputGate, coupled], clip)
//   lstmBackward(ctx, gwih, gwhh, gbih, gbhh, gwhr, gpeep, dx, dh0, dc0, dy, dhN, dcN,
//                gates, pre, cacheC0, c, hPrev, r, x, wih, whh, whr, peep, dims, lengths, reverse, cell, clip)
//   denseForward(ctx, y, x, W, b, M, I, O, act)   denseBackward(ctx, dx, dW, db, dz, dy, x, W, y, M, I, O, act)
//   activationForward(ctx, y, x, rows, cols, act) activationBackward(ctx, dx, dy, y, rows, cols, act)
//   cellActivation(ctx, code, y, x)
//   allocF32(n) → Float32Array of n zeros in 64-byte-aligned native memory (freed when collected)
//   freeF32(a)                                   free an allocF32 array's memory now (detaches it)
//   allocatedBytes() → bytes of allocF32 memory currently held
// Left out: asynchronous calls (kernels run on the calling thread and the context's pool).

#define NAPI_VERSION 8
#include <node_api.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern.h"

#define LS_ADDON_ABI 2 // src/kernels/native/index.ts ADDON_ABI must match
#ifndef LS_SOURCE_HASH
#define LS_SOURCE_HASH "unknown" // build.mjs passes the sha-256 of native/src
#endif

// Type tag of context externals, so that no other external can be passed off as one.
static const napi_type_tag CTX_TAG = {0x6c6f6e6773686f72ULL, 0x742d6e6174697665ULL};

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "[native kernel] Node-API call failed"); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

/** Throw a RangeError (or TypeError) "[native.<fn>] …" and return 0. */
static int fail(napi_env env, int type_error, const char *fn, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(napi_env env, int type_error, const char *fn, const char *fmt, ...) {
  char msg[400];
  int n = snprintf(msg, sizeof msg, "[native.%s] ", fn);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
  va_end(ap);
  if (type_error) napi_throw_type_error(env, NULL, msg);
  else napi_throw_range_error(env, NULL, msg);
  return 0;
}

typedef struct {
  napi_env env;
  const char *fn;
  napi_value *argv;
  size_t argc;
} args_t;

static int is_null(args_t *a, size_t i) {
  if (i >= a->argc) return 1;
  napi_valuetype t;
  if (napi_typeof(a->env, a->argv[i], &t) != napi_ok) return 1;
  return t == napi_null || t == napi_undefined;
}

/** Float32Array argument i with at least `need` elements (need < 0: any); NULL allowed when optional. */
static int get_f32(args_t *a, size_t i, const char *name, int64_t need, int optional, float **out) {
  *out = NULL;
  if (is_null(a, i)) {
    if (optional) return 1;
    return fail(a->env, 1, a->fn, "%s must be a Float32Array; received null or undefined.", name);
  }
  bool is_ta = false;
  napi_is_typedarray(a->env, a->argv[i], &is_ta);
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (!is_ta || napi_get_typedarray_info(a->env, a->argv[i], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_float32_array)
    return fail(a->env, 1, a->fn, "%s must be a Float32Array (float64 goes to the reference kernel).", name);
  if (need >= 0 && (int64_t)length < need)
    return fail(a->env, 0, a->fn, "%s must hold at least %lld floats for these sizes; received %zu.", name, (long long)need, length);
  *out = data != NULL ? (float *)data : (float *)(uintptr_t)16; // an empty array: never dereferenced
  return 1;
}

static int get_i32arr(args_t *a, size_t i, const char *name, int64_t need, int optional, int32_t **out) {
  *out = NULL;
  if (is_null(a, i)) {
    if (optional) return 1;
    return fail(a->env, 1, a->fn, "%s must be an Int32Array; received null or undefined.", name);
  }
  bool is_ta = false;
  napi_is_typedarray(a->env, a->argv[i], &is_ta);
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (!is_ta || napi_get_typedarray_info(a->env, a->argv[i], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_int32_array)
    return fail(a->env, 1, a->fn, "%s must be an Int32Array.", name);
  if ((int64_t)length < need) return fail(a->env, 0, a->fn, "%s must hold at least %lld values; received %zu.", name, (long long)need, length);
  *out = (int32_t *)data;
  return 1;
}

/** Integer argument i in [lo, hi]. */
static int get_int(args_t *a, size_t i, const char *name, int64_t lo, int64_t hi, int *out) {
  double v = NAN;
  *out = 0;
  if (i >= a->argc || napi_get_value_double(a->env, a->argv[i], &v) != napi_ok || !(v == floor(v)) || v < (double)lo || v > (double)hi)
    return fail(a->env, 0, a->fn, "%s must be an integer in [%lld, %lld]; received %g.", name, (long long)lo, (long long)hi, v);
  *out = (int)v;
  return 1;
}

static int get_bool(args_t *a, size_t i, int *out) {
  bool b = false;
  *out = 0;
  if (i < a->argc && napi_get_value_bool(a->env, a->argv[i], &b) == napi_ok) {
    *out = b;
    return 1;
  }
  double v = 0;
  if (i < a->argc && napi_get_value_double(a->env, a->argv[i], &v) == napi_ok) {
    *out = v != 0;
    return 1;
  }
  return fail(a->env, 1, a->fn, "argument %zu must be a boolean.", i);
}

#define ARGS(name, n)                                    \
  napi_value argv[n];                                    \
  size_t argc = n;                                       \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL)); \
  for (size_t k_ = argc; k_ < n; k_++) napi_get_undefined(env, &argv[k_]); \
  args_t A = {env, name, argv, argc};                    \
  (void)A

#define MAXDIM 0x7fffffff

static const double I32MAX = 2147483647.0;

/** Products of sizes must stay below 2^31 elements per buffer (int indexing of rows in places). */
static int sizes_ok(args_t *a, double n, const char *what) {
  if (n > I32MAX) return fail(a->env, 0, a->fn, "%s has %g elements; at most 2^31 − 1 are supported.", what, n);
  return 1;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// ---------------------------------------------------------------------------------------------

static napi_value js_info(napi_env env, napi_callback_info info) {
  (void)info;
  const ls_ops *best = ls_pick_ops(getenv("LS_ISA"));
  const ls_ops *all[8];
  int n = ls_supported_ops(all, 8);
  napi_value o, v, arr;
  CHECK(napi_create_object(env, &o));
  CHECK(napi_create_string_utf8(env, best->name, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, o, "isa", v));
  CHECK(napi_create_int32(env, best->lanes, &v));
  CHECK(napi_set_named_property(env, o, "lanes", v));
  CHECK(napi_create_array_with_length(env, (size_t)n, &arr));
  for (int i = 0; i < n; i++) {
    CHECK(napi_create_string_utf8(env, all[i]->name, NAPI_AUTO_LENGTH, &v));
    CHECK(napi_set_element(env, arr, (uint32_t)i, v));
  }
  CHECK(napi_set_named_property(env, o, "supported", arr));
  return o;
}

typedef struct {
  ls_ctx *ctx;
} ctx_box;

static void box_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  ctx_box *b = data;
  (void)env;
  ls_ctx_destroy(b->ctx);
  free(b);
}

static napi_value js_create_context(napi_env env, napi_callback_info info) {
  ARGS("createContext", 2);
  int threads;
  if (!get_int(&A, 0, "threads", 1, LS_MAX_THREADS, &threads)) return NULL;
  const ls_ops *ops = ls_pick_ops(getenv("LS_ISA"));
  if (!is_null(&A, 1)) {
    char name[32] = {0};
    size_t len = 0;
    if (napi_get_value_string_utf8(env, argv[1], name, sizeof name, &len) != napi_ok) {
      fail(env, 1, "createContext", "isa must be a string.");
      return NULL;
    }
    const ls_ops *all[8];
    int n = ls_supported_ops(all, 8);
    ops = NULL;
    for (int i = 0; i < n; i++)
      if (strcmp(all[i]->name, name) == 0) ops = all[i];
    if (ops == NULL) {
      fail(env, 0, "createContext", "isa '%s' is not supported on this CPU (see info().supported).", name);
      return NULL;
    }
  }
  ls_ctx *ctx = ls_ctx_create(ops, threads);
  if (ctx == NULL) {
    napi_throw_error(env, NULL, "[native.createContext] could not start the thread pool (out of memory or threads).");
    return NULL;
  }
  ctx_box *box = malloc(sizeof *box);
  if (box == NULL) {
    ls_ctx_destroy(ctx);
    napi_throw_error(env, NULL, "[native.createContext] out of memory.");
    return NULL;
  }
  box->ctx = ctx;
  napi_value ext;
  // the external holds the box; the box's ctx is set to NULL by destroyContext
  CHECK(napi_create_external(env, box, box_finalize, NULL, &ext));
  CHECK(napi_type_tag_object(env, ext, &CTX_TAG));
  return ext;
}

static int get_box(args_t *a, ctx_box **out) {
  bool ok = false;
  napi_valuetype t;
  if (a->argc < 1 || napi_typeof(a->env, a->argv[0], &t) != napi_ok || t != napi_external ||
      napi_check_object_type_tag(a->env, a->argv[0], &CTX_TAG, &ok) != napi_ok || !ok)
    return fail(a->env, 1, a->fn, "the first argument must be a context from createContext().");
  void *p = NULL;
  napi_get_value_external(a->env, a->argv[0], &p);
  *out = p;
  return 1;
}

/** The context of argument 0 (through its box). */
static int ctx_of(args_t *a, ls_ctx **out) {
  ctx_box *b = NULL;
  if (!get_box(a, &b)) return 0;
  if (b->ctx == NULL) return fail(a->env, 1, a->fn, "this context has been destroyed.");
  *out = b->ctx;
  return 1;
}

static napi_value js_destroy_context(napi_env env, napi_callback_info info) {
  ARGS("destroyContext", 1);
  ctx_box *b = NULL;
  if (!get_box(&A, &b)) return NULL;
  ls_ctx_destroy(b->ctx);
  b->ctx = NULL;
  return undefined(env);
}

static napi_value js_set_tuning(napi_env env, napi_callback_info info) {
  ARGS("setTuning", 4);
  ls_ctx *ctx = NULL;
  int h, f, adaptive;
  if (!ctx_of(&A, &ctx) || !get_int(&A, 1, "minSplitH", 1, MAXDIM, &h) || !get_int(&A, 2, "minParFlops", 0, MAXDIM, &f) ||
      !get_bool(&A, 3, &adaptive))
    return NULL;
  ctx->min_split_h = h;
  ctx->min_par_flops = f;
  ctx->adaptive = adaptive;
  ctx->backoff = ctx->strikes = 0;
  return undefined(env);
}

static napi_value js_context_info(napi_env env, napi_callback_info info) {
  ARGS("contextInfo", 1);
  ls_ctx *ctx = NULL;
  if (!ctx_of(&A, &ctx)) return NULL;
  napi_value o, v;
  CHECK(napi_create_object(env, &o));
  CHECK(napi_create_string_utf8(env, ctx->ops->name, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, o, "isa", v));
  CHECK(napi_create_int32(env, ctx->threads, &v));
  CHECK(napi_set_named_property(env, o, "threads", v));
  CHECK(napi_create_int32(env, ctx->min_split_h, &v));
  CHECK(napi_set_named_property(env, o, "minSplitH", v));
  CHECK(napi_create_double(env, (double)ctx->min_par_flops, &v));
  CHECK(napi_set_named_property(env, o, "minParFlops", v));
  CHECK(napi_get_boolean(env, ctx->adaptive != 0, &v));
  CHECK(napi_set_named_property(env, o, "adaptive", v));
  CHECK(napi_create_double(env, (double)ctx->threaded_calls, &v));
  CHECK(napi_set_named_property(env, o, "threadedCalls", v));
  return o;
}

static napi_value js_swap_axes(napi_env env, napi_callback_info info) {
  ARGS("swapAxes", 5);
  int A_, B_, F;
  float *dst, *src;
  if (!get_int(&A, 2, "A", 0, MAXDIM, &A_) || !get_int(&A, 3, "B", 0, MAXDIM, &B_) || !get_int(&A, 4, "F", 0, MAXDIM, &F)) return NULL;
  const double n = (double)A_ * B_ * F;
  if (!sizes_ok(&A, n, "src")) return NULL;
  if (!get_f32(&A, 0, "dst", (int64_t)n, 0, &dst) || !get_f32(&A, 1, "src", (int64_t)n, 0, &src)) return NULL;
  if (n > 0 && dst < src + (size_t)n && src < dst + (size_t)n) {
    fail(env, 0, A.fn, "dst and src must not overlap.");
    return NULL;
  }
  for (int a = 0; a < A_; a++)
    for (int b = 0; b < B_; b++) memcpy(dst + ((size_t)b * A_ + a) * F, src + ((size_t)a * B_ + b) * F, (size_t)F * sizeof(float));
  return undefined(env);
}

static napi_value js_gemm(napi_env env, napi_callback_info info) {
  ARGS("gemm", 10);
  ls_ctx *ctx = NULL;
  int M, N, K, ta, tb, acc;
  float *C, *Am, *Bm;
  if (!ctx_of(&A, &ctx) || !get_int(&A, 4, "M", 0, MAXDIM, &M) || !get_int(&A, 5, "N", 0, MAXDIM, &N) || !get_int(&A, 6, "K", 0, MAXDIM, &K) ||
      !get_bool(&A, 7, &ta) || !get_bool(&A, 8, &tb) || !get_bool(&A, 9, &acc))
    return NULL;
  if (!sizes_ok(&A, (double)M * N, "C") || !sizes_ok(&A, (double)M * K, "A") || !sizes_ok(&A, (double)K * N, "B")) return NULL;
  if (!get_f32(&A, 1, "C", (int64_t)M * N, 0, &C) || !get_f32(&A, 2, "A", (int64_t)M * K, 0, &Am) || !get_f32(&A, 3, "B", (int64_t)K * N, 0, &Bm))
    return NULL;
  ls_gemm_args g = {M, N, K, Am, ta ? M : K, ta, Bm, tb ? K : N, tb, C, N, acc, NULL};
  ctx->ops->sgemm(ctx, &g);
  return undefined(env);
}

/** dims, lengths, reverse, cell, clip at argument positions i … i+4. */
static int get_run(args_t *a, size_t i, ls_lstm_run *run) {
  int32_t *dims, *cell;
  int32_t *lengths;
  if (!get_i32arr(a, i, "dims", 5, 0, &dims)) return 0;
  const char *names[5] = {"T", "B", "D", "H", "P"};
  for (int k = 0; k < 5; k++)
    if (dims[k] < 1) return fail(a->env, 0, a->fn, "dims.%s must be ≥ 1; received %d.", names[k], dims[k]);
  run->T = dims[0];
  run->B = dims[1];
  run->D = dims[2];
  run->H = dims[3];
  run->P = dims[4];
  if (run->P > run->H) return fail(a->env, 0, a->fn, "dims.P must be ≤ H = %d; received %d.", run->H, run->P);
  const double T = run->T, B = run->B, D = run->D, H = run->H, P = run->P;
  if (!sizes_ok(a, T * B * 4 * H, "gates") || !sizes_ok(a, T * B * (D > P ? D : P), "x/y") || !sizes_ok(a, 4 * H * (D + P), "weights"))
    return 0;
  if (!get_i32arr(a, i + 1, "lengths", run->B, 1, &lengths)) return 0;
  if (lengths != NULL)
    for (int b = 0; b < run->B; b++)
      if (lengths[b] < 1 || lengths[b] > run->T)
        return fail(a->env, 0, a->fn, "lengths[%d] must be in [1, T] = [1, %d]; received %d.", b, run->T, lengths[b]);
  run->lengths = lengths;
  if (!get_bool(a, i + 2, &run->reverse)) return 0;
  if (!get_i32arr(a, i + 3, "cell", 7, 0, &cell)) return 0;
  for (int k = 0; k < 3; k++)
    if (cell[k] < 0 || cell[k] > 4) return fail(a->env, 0, a->fn, "cell[%d] (an activation code) must be in [0, 4]; received %d.", k, cell[k]);
  run->cell.gate_act = cell[0];
  run->cell.cell_act = cell[1];
  run->cell.hidden_act = cell[2];
  run->cell.input_gate = cell[3] != 0;
  run->cell.forget_gate = cell[4] != 0;
  run->cell.output_gate = cell[5] != 0;
  run->cell.coupled = cell[6] != 0;
  double clip = INFINITY;
  if (!is_null(a, i + 4) && (napi_get_value_double(a->env, a->argv[i + 4], &clip) != napi_ok || !(clip > 0)))
    return fail(a->env, 0, a->fn, "clip must be a positive number or Infinity; received %g.", clip);
  run->cell.clip = (float)clip;
  return 1;
}

static napi_value js_lstm_forward(napi_env env, napi_callback_info info) {
  ARGS("lstmForward", 24);
  ls_ctx *ctx = NULL;
  ls_lstm_fwd_args f;
  memset(&f, 0, sizeof f);
  if (!ctx_of(&A, &ctx) || !get_run(&A, 19, &f.run)) return NULL;
  const int64_t T = f.run.T, B = f.run.B, D = f.run.D, H = f.run.H, P = f.run.P, G = 4 * H;
  const int projected = P != H;
  float *whr = NULL, *peep = NULL;
  if (!get_f32(&A, 17, "whr", P * H, !projected, &whr) || !get_f32(&A, 18, "peep", 3 * H, 1, &peep)) return NULL;
  if (projected && whr == NULL) {
    fail(env, 1, "lstmForward", "whr must be a Float32Array when P (%lld) < H (%lld).", (long long)P, (long long)H);
    return NULL;
  }
  if (!projected && whr != NULL) {
    fail(env, 0, "lstmForward", "whr must be null without projection (P = H = %lld).", (long long)H);
    return NULL;
  }
  f.run.cell.peephole = peep != NULL;
  float *pre, *r;
  const int clipped = isfinite(f.run.cell.clip);
  if (!get_f32(&A, 1, "y", T * B * P, 0, &f.y) || !get_f32(&A, 2, "hN", B * P, 0, &f.hn) || !get_f32(&A, 3, "cN", B * H, 0, &f.cn) ||
      !get_f32(&A, 4, "cache.gates", T * B * G, 0, &f.cache.gates) || !get_f32(&A, 5, "cache.pre", T * B * G, !clipped, &pre) ||
      !get_f32(&A, 6, "cache.c0", B * H, 0, &f.cache.c0) || !get_f32(&A, 7, "cache.c", T * B * H, 0, &f.cache.c) ||
      !get_f32(&A, 8, "cache.hPrev", T * B * P, 0, &f.cache.hprev) || !get_f32(&A, 9, "cache.r", T * B * H, !projected, &r) ||
      !get_f32(&A, 10, "x", T * B * D, 0, (float **)&f.x) || !get_f32(&A, 11, "h0", B * P, 0, (float **)&f.h0) ||
      !get_f32(&A, 12, "c0", B * H, 0, (float **)&f.c0) || !get_f32(&A, 13, "wih", G * D, 0, (float **)&f.w.wih) ||
      !get_f32(&A, 14, "whh", G * P, 0, (float **)&f.w.whh) || !get_f32(&A, 15, "bih", G, 0, (float **)&f.w.bih) ||
      !get_f32(&A, 16, "bhh", G, 0, (float **)&f.w.bhh))
    return NULL;
  if (clipped && pre == NULL) {
    fail(env, 1, "lstmForward", "cache.pre must be a Float32Array when clip is finite (%g).", f.run.cell.clip);
    return NULL;
  }
  if (projected && r == NULL) {
    fail(env, 1, "lstmForward", "cache.r must be a Float32Array with projection.");
    return NULL;
  }
  f.cache.pre = clipped ? pre : NULL;
  f.cache.r = projected ? r : NULL;
  f.w.whr = whr;
  f.w.peep = peep;
  ctx->ops->lstm_forward(ctx, &f);
  return undefined(env);
}

static napi_value js_lstm_backward(napi_env env, napi_callback_info info) {
  ARGS("lstmBackward", 29);
  ls_ctx *ctx = NULL;
  ls_lstm_bwd_args k;
  memset(&k, 0, sizeof k);
  if (!ctx_of(&A, &ctx) || !get_run(&A, 24, &k.run)) return NULL;
  const int64_t T = k.run.T, B = k.run.B, D = k.run.D, H = k.run.H, P = k.run.P, G = 4 * H;
  const int projected = P != H;
  const int clipped = isfinite(k.run.cell.clip);
  float *whr, *peep, *gwhr, *gpeep, *pre, *r;
  if (!get_f32(&A, 22, "whr", P * H, !projected, &whr) || !get_f32(&A, 23, "peep", 3 * H, 1, &peep)) return NULL;
  if (projected != (whr != NULL)) {
    fail(env, 1, "lstmBackward", "whr must be given exactly when P (%lld) < H (%lld).", (long long)P, (long long)H);
    return NULL;
  }
  k.run.cell.peephole = peep != NULL;
  if (!get_f32(&A, 1, "g.wih", G * D, 0, &k.g.wih) || !get_f32(&A, 2, "g.whh", G * P, 0, &k.g.whh) || !get_f32(&A, 3, "g.bih", G, 0, &k.g.bih) ||
      !get_f32(&A, 4, "g.bhh", G, 0, &k.g.bhh) || !get_f32(&A, 5, "g.whr", P * H, !projected, &gwhr) ||
      !get_f32(&A, 6, "g.peep", 3 * H, peep == NULL, &gpeep) || !get_f32(&A, 7, "dx", T * B * D, 0, &k.dx) ||
      !get_f32(&A, 8, "dh0", B * P, 0, &k.dh0) || !get_f32(&A, 9, "dc0", B * H, 0, &k.dc0) || !get_f32(&A, 10, "dy", T * B * P, 0, (float **)&k.dy) ||
      !get_f32(&A, 11, "dhN", B * P, 1, (float **)&k.dhn) || !get_f32(&A, 12, "dcN", B * H, 1, (float **)&k.dcn) ||
      !get_f32(&A, 13, "cache.gates", T * B * G, 0, &k.cache.gates) || !get_f32(&A, 14, "cache.pre", T * B * G, 1, &pre) ||
      !get_f32(&A, 15, "cache.c0", B * H, 0, &k.cache.c0) || !get_f32(&A, 16, "cache.c", T * B * H, 0, &k.cache.c) ||
      !get_f32(&A, 17, "cache.hPrev", T * B * P, 0, &k.cache.hprev) || !get_f32(&A, 18, "cache.r", T * B * H, !projected, &r) ||
      !get_f32(&A, 19, "x", T * B * D, 0, (float **)&k.x) || !get_f32(&A, 20, "wih", G * D, 0, (float **)&k.w.wih) ||
      !get_f32(&A, 21, "whh", G * P, 0, (float **)&k.w.whh))
    return NULL;
  if ((projected && (gwhr == NULL || r == NULL)) || (peep != NULL && gpeep == NULL)) {
    fail(env, 1, "lstmBackward", "g.whr and cache.r (projection) and g.peep (peepholes) must be Float32Arrays when used.");
    return NULL;
  }
  // the clamp's gradient needs the forward's pre-activations; without them the cell runs unclipped
  // (the reference does the same: its pass() is 1 when cache.pre is null)
  k.cache.pre = clipped ? pre : NULL;
  k.cache.r = projected ? r : NULL;
  k.g.whr = projected ? gwhr : NULL;
  k.g.peep = peep != NULL ? gpeep : NULL;
  k.w.whr = whr;
  k.w.peep = peep;
  ctx->ops->lstm_backward(ctx, &k);
  return undefined(env);
}

static int get_act(args_t *a, size_t i, int *act) { return get_int(a, i, "act", 0, 4, act); }

static napi_value js_dense_forward(napi_env env, napi_callback_info info) {
  ARGS("denseForward", 9);
  ls_ctx *ctx = NULL;
  int M, I, O, act;
  float *y, *x, *W, *b;
  if (!ctx_of(&A, &ctx) || !get_int(&A, 5, "M", 0, MAXDIM, &M) || !get_int(&A, 6, "I", 0, MAXDIM, &I) || !get_int(&A, 7, "O", 1, MAXDIM, &O) ||
      !get_act(&A, 8, &act))
    return NULL;
  if (!sizes_ok(&A, (double)M * O, "y") || !sizes_ok(&A, (double)M * I, "x") || !sizes_ok(&A, (double)O * I, "W")) return NULL;
  if (!get_f32(&A, 1, "y", (int64_t)M * O, 0, &y) || !get_f32(&A, 2, "x", (int64_t)M * I, 0, &x) || !get_f32(&A, 3, "W", (int64_t)O * I, 0, &W) ||
      !get_f32(&A, 4, "b", O, 1, &b))
    return NULL;
  ctx->ops->dense_forward(ctx, y, x, W, b, M, I, O, act);
  return undefined(env);
}

static napi_value js_dense_backward(napi_env env, napi_callback_info info) {
  ARGS("denseBackward", 13);
  ls_ctx *ctx = NULL;
  int M, I, O, act;
  float *dx, *dW, *db, *dz, *dy, *x, *W, *y;
  if (!ctx_of(&A, &ctx) || !get_int(&A, 9, "M", 0, MAXDIM, &M) || !get_int(&A, 10, "I", 0, MAXDIM, &I) || !get_int(&A, 11, "O", 1, MAXDIM, &O) ||
      !get_act(&A, 12, &act))
    return NULL;
  if (!sizes_ok(&A, (double)M * O, "dy") || !sizes_ok(&A, (double)M * I, "x") || !sizes_ok(&A, (double)O * I, "W")) return NULL;
  const int64_t MO = (int64_t)M * O, MI = (int64_t)M * I, OI = (int64_t)O * I;
  if (!get_f32(&A, 1, "dx", MI, 1, &dx) || !get_f32(&A, 2, "dW", OI, 0, &dW) || !get_f32(&A, 3, "db", O, 1, &db) ||
      !get_f32(&A, 4, "dz", act == LS_D_LINEAR ? 0 : MO, 0, &dz) || !get_f32(&A, 5, "dy", MO, 0, &dy) || !get_f32(&A, 6, "x", MI, 0, &x) ||
      !get_f32(&A, 7, "W", OI, 0, &W) || !get_f32(&A, 8, "y", act == LS_D_LINEAR ? 0 : MO, 0, &y))
    return NULL;
  ctx->ops->dense_backward(ctx, dx, dW, db, dz, dy, x, W, y, M, I, O, act);
  return undefined(env);
}

static napi_value js_act_forward(napi_env env, napi_callback_info info) {
  ARGS("activationForward", 6);
  ls_ctx *ctx = NULL;
  int rows, cols, act;
  float *y, *x;
  if (!ctx_of(&A, &ctx) || !get_int(&A, 3, "rows", 0, MAXDIM, &rows) || !get_int(&A, 4, "cols", 0, MAXDIM, &cols) || !get_act(&A, 5, &act))
    return NULL;
  if (!sizes_ok(&A, (double)rows * cols, "x")) return NULL;
  if (!get_f32(&A, 1, "y", (int64_t)rows * cols, 0, &y) || !get_f32(&A, 2, "x", (int64_t)rows * cols, 0, &x)) return NULL;
  ctx->ops->act_forward(y, x, rows, cols, act);
  return undefined(env);
}

static napi_value js_act_backward(napi_env env, napi_callback_info info) {
  ARGS("activationBackward", 7);
  ls_ctx *ctx = NULL;
  int rows, cols, act;
  float *dx, *dy, *y;
  if (!ctx_of(&A, &ctx) || !get_int(&A, 4, "rows", 0, MAXDIM, &rows) || !get_int(&A, 5, "cols", 0, MAXDIM, &cols) || !get_act(&A, 6, &act))
    return NULL;
  if (!sizes_ok(&A, (double)rows * cols, "dy")) return NULL;
  const int64_t n = (int64_t)rows * cols;
  if (!get_f32(&A, 1, "dx", n, 0, &dx) || !get_f32(&A, 2, "dy", n, 0, &dy) || !get_f32(&A, 3, "y", n, 0, &y)) return NULL;
  ctx->ops->act_backward(dx, dy, y, rows, cols, act);
  return undefined(env);
}

static napi_value js_cell_activation(napi_env env, napi_callback_info info) {
  ARGS("cellActivation", 4);
  ls_ctx *ctx = NULL;
  int code;
  float *y, *x;
  if (!ctx_of(&A, &ctx) || !get_int(&A, 1, "code", 0, 4, &code) || !get_f32(&A, 3, "x", -1, 0, &x)) return NULL;
  size_t n = 0;
  napi_get_typedarray_info(env, argv[3], NULL, &n, NULL, NULL, NULL);
  if (!get_f32(&A, 2, "y", (int64_t)n, 0, &y)) return NULL;
  ctx->ops->cell_act(code, y, x, (int64_t)n);
  return undefined(env);
}

// Memory of allocF32. Each array's data sits 64 bytes into its block; the first bytes hold a
// pointer to a small record {block, bytes} that the ArrayBuffer's finalizer also gets, so that
// freeF32 can release the block at once (after detaching the buffer, which makes the memory
// unreachable from JavaScript) and the finalizer, which runs later at collection, only frees the
// record. Counted (allocatedBytes) so tests can see free() give memory back.
static const napi_type_tag ALLOC_TAG = {0x6c6f6e6773686f72ULL, 0x742d616c6c6f6366ULL};
#include <stdatomic.h>
static _Atomic int64_t allocated_bytes = 0;

typedef struct {
  void *block; // NULL once freed by freeF32
  int64_t bytes;
} alloc_rec;

static void release_block(napi_env env, alloc_rec *r) {
  if (r->block == NULL) return;
  int64_t change;
  if (env != NULL) napi_adjust_external_memory(env, -r->bytes, &change);
  atomic_fetch_sub(&allocated_bytes, r->bytes);
  free(r->block);
  r->block = NULL;
}

static void alloc_finalize(napi_env env, void *data, void *hint) {
  (void)data;
  alloc_rec *r = hint;
  release_block(env, r);
  free(r);
}

static napi_value js_alloc_f32(napi_env env, napi_callback_info info) {
  ARGS("allocF32", 1);
  int n;
  if (!get_int(&A, 0, "n", 0, MAXDIM, &n)) return NULL;
  const size_t bytes = (size_t)n * 4;
  void *block = NULL;
  alloc_rec *r = malloc(sizeof *r);
  if (r == NULL || posix_memalign(&block, 64, bytes + 64) != 0) {
    free(r);
    fail(env, 0, "allocF32", "out of memory for %d floats.", n);
    return NULL;
  }
  r->block = block;
  r->bytes = (int64_t)bytes;
  *(alloc_rec **)block = r;
  char *data = (char *)block + 64;
  memset(data, 0, bytes);
  napi_value ab, ta;
  int64_t change;
  if (napi_create_external_arraybuffer(env, data, bytes, alloc_finalize, r, &ab) != napi_ok) {
    // runtimes that forbid external buffers (V8 sandbox): fall back to an ordinary one
    free(block);
    free(r);
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    CHECK(napi_create_arraybuffer(env, bytes, NULL, &ab));
  } else {
    atomic_fetch_add(&allocated_bytes, (int64_t)bytes);
    napi_adjust_external_memory(env, (int64_t)bytes, &change);
    CHECK(napi_type_tag_object(env, ab, &ALLOC_TAG));
  }
  CHECK(napi_create_typedarray(env, napi_float32_array, (size_t)n, ab, 0, &ta));
  return ta;
}

/** freeF32(a): release an allocF32 array's memory now (its buffer is detached: length 0 from then on); other arrays are left alone. */
static napi_value js_free_f32(napi_env env, napi_callback_info info) {
  ARGS("freeF32", 1);
  bool is_ta = false;
  napi_is_typedarray(env, argv[0], &is_ta);
  if (!is_ta) return undefined(env);
  napi_value ab;
  CHECK(napi_get_typedarray_info(env, argv[0], NULL, NULL, NULL, &ab, NULL));
  bool ours = false, detached = false;
  CHECK(napi_check_object_type_tag(env, ab, &ALLOC_TAG, &ours));
  CHECK(napi_is_detached_arraybuffer(env, ab, &detached));
  if (!ours || detached) return undefined(env);
  void *data = NULL;
  size_t len = 0;
  CHECK(napi_get_arraybuffer_info(env, ab, &data, &len));
  alloc_rec *r = *(alloc_rec **)((char *)data - 64);
  CHECK(napi_detach_arraybuffer(env, ab));
  release_block(env, r);
  return undefined(env);
}

static napi_value js_allocated_bytes(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  CHECK(napi_create_double(env, (double)atomic_load(&allocated_bytes), &v));
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
      {"info", js_info},
      {"createContext", js_create_context},
      {"destroyContext", js_destroy_context},
      {"setTuning", js_set_tuning},
      {"contextInfo", js_context_info},
      {"swapAxes", js_swap_axes},
      {"gemm", js_gemm},
      {"lstmForward", js_lstm_forward},
      {"lstmBackward", js_lstm_backward},
      {"denseForward", js_dense_forward},
      {"denseBackward", js_dense_backward},
      {"activationForward", js_act_forward},
      {"activationBackward", js_act_backward},
      {"cellActivation", js_cell_activation},
      {"allocF32", js_alloc_f32},
      {"freeF32", js_free_f32},
      {"allocatedBytes", js_allocated_bytes},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    CHECK(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f));
    CHECK(napi_set_named_property(env, exports, fns[i].name, f));
  }
  napi_value abi, hash;
  CHECK(napi_create_int32(env, LS_ADDON_ABI, &abi));
  CHECK(napi_set_named_property(env, exports, "abi", abi));
  CHECK(napi_create_string_utf8(env, LS_SOURCE_HASH, NAPI_AUTO_LENGTH, &hash));
  CHECK(napi_set_named_property(env, exports, "sourceHash", hash));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
