// Run-time choice of the instruction-set build, and the context (thread pool + scratch) that every
// call runs in. Compiled once, for the baseline of the target (x86-64 SSE2 or arm64), so it runs on
// any CPU of the architecture and only then jumps into a wider build.
//
// x86-64: AVX-512 (F, DQ, BW, VL) with FMA > AVX2 with FMA > SSE2, by cpuid — GCC's
// __builtin_cpu_supports also checks that the operating system saves the wider registers (XGETBV).
// arm64: NEON (always present). LS_ISA=avx2 (etc.) in the environment caps the choice, so tests can
// run every build this machine supports.

#include <stdlib.h>
#include <string.h>

#include "kern.h"
#include "pool.h"

#if defined(__x86_64__)
static int have(const char *isa) {
  __builtin_cpu_init();
  if (strcmp(isa, "avx512") == 0)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2");
  if (strcmp(isa, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return strcmp(isa, "sse2") == 0;
}
static const ls_ops *const ALL[] = {&ls_ops_avx512, &ls_ops_avx2, &ls_ops_sse2};
#elif defined(__aarch64__)
static int have(const char *isa) { return strcmp(isa, "neon") == 0; }
static const ls_ops *const ALL[] = {&ls_ops_neon};
#else
#error "the native kernel is built for x86-64 and arm64 only"
#endif

#define NALL ((int)(sizeof ALL / sizeof ALL[0]))

int ls_supported_ops(const ls_ops **out, int max) {
  int n = 0;
  for (int i = 0; i < NALL && n < max; i++)
    if (have(ALL[i]->name)) out[n++] = ALL[i];
  return n;
}

const ls_ops *ls_pick_ops(const char *force) {
  int start = 0;
  if (force != NULL && *force != '\0')
    for (int i = 0; i < NALL; i++)
      if (strcmp(ALL[i]->name, force) == 0) start = i;
  for (int i = start; i < NALL; i++)
    if (have(ALL[i]->name)) return ALL[i];
  return ALL[NALL - 1];
}

float *ls_scratch_get(ls_scratch *s, size_t n) {
  if (n <= s->floats && s->p != NULL) return s->p;
  // grow by at least half again, so a slowly growing shape does not reallocate every call
  size_t want = n > s->floats + s->floats / 2 ? n : s->floats + s->floats / 2;
  void *p = NULL;
  if (posix_memalign(&p, 64, want * sizeof(float) + 64) != 0) return NULL;
  free(s->p);
  s->p = p;
  s->floats = want;
  return s->p;
}

void ls_scratch_free(ls_scratch *s) {
  free(s->p);
  s->p = NULL;
  s->floats = 0;
}

ls_ctx *ls_ctx_create(const ls_ops *ops, int threads) {
  if (threads < 1) threads = 1;
  if (threads > LS_MAX_THREADS) threads = LS_MAX_THREADS;
  ls_ctx *ctx = calloc(1, sizeof *ctx);
  if (ctx == NULL) return NULL;
  ctx->ops = ops;
  ctx->threads = threads;
  ctx->min_split_h = 128;
  ctx->min_par_flops = 4 << 20;
  ctx->adaptive = 1;
  if (threads > 1) {
    ctx->pool = ls_pool_create(threads);
    if (ctx->pool == NULL) {
      free(ctx);
      return NULL;
    }
  }
  return ctx;
}

void ls_ctx_destroy(ls_ctx *ctx) {
  if (ctx == NULL) return;
  ls_pool_destroy(ctx->pool);
  ls_scratch_free(&ctx->shared);
  for (int t = 0; t < LS_MAX_THREADS; t++) ls_scratch_free(&ctx->local[t]);
  free(ctx);
}
