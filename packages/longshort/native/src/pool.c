// Thread pool (pool.h). Waiting is a bounded spin followed by a futex sleep: the spin keeps a
// call's hand-off and the per-step barrier near a microsecond when both threads are running, the
// sleep keeps idle workers off the cores between calls. Sleepers are counted so that the waking
// side skips the futex system call when nobody sleeps.
//
// Two kinds of job. ls_pool_run: all nth threads take part (the column-split LSTM, whose threads
// meet at a barrier every step). ls_pool_help: the caller starts at once and workers join only if
// they arrive before it has finished; the job hands out its work in units (ls_units), so whoever
// is running takes the next unit, and the caller waits only for workers that actually joined. On
// an oversubscribed host a worker may not be scheduled for milliseconds; with help jobs the call
// then simply runs on one thread instead of waiting for it.
//
// The job word `state` packs the job's generation (high 32 bits), a closed flag (bit 31) and the
// number of workers inside the job (low bits): a worker enters with a compare-and-swap that fails
// once the job is closed or replaced, so a late worker never touches a finished job's arguments.

#define _GNU_SOURCE
#include "pool.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/**
 * How long a waiting thread spins before it sleeps. Long enough to span the gap between two kernel
 * calls of a layer (the JavaScript in between), so that workers are still running when the next call
 * starts: on a busy host a sleeping worker may wait milliseconds to be scheduled again, and the
 * call runs on one thread meanwhile. ONNX Runtime's pool spins likewise.
 */
#define SPIN_NS 1000000.0

_Thread_local double ls_wait_ns = 0;

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

#define CLOSED ((uint64_t)1 << 31)
#define ACTIVE_MASK (CLOSED - 1)

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static void futex_wait(_Atomic uint32_t *addr, uint32_t val) {
  syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *addr) {
  syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/** Wait until *word != seen: spin (SPIN_NS), then sleep (counted in *sleepers). `timed`: add the wait to ls_wait_ns. */
static void wait_change_t(_Atomic uint32_t *word, uint32_t seen, _Atomic uint32_t *sleepers, int timed) {
  if (atomic_load_explicit(word, memory_order_acquire) != seen) return;
  const double t0 = now_ns();
  for (int i = 1;; i++) {
    if (atomic_load_explicit(word, memory_order_acquire) != seen) goto done;
    cpu_relax();
    if (i % 256 == 0 && now_ns() - t0 > SPIN_NS) break;
  }
  while (atomic_load_explicit(word, memory_order_acquire) == seen) {
    atomic_fetch_add(sleepers, 1);
    futex_wait(word, seen); // returns at once if *word already changed
    atomic_fetch_sub(sleepers, 1);
  }
done:
  if (timed) ls_wait_ns += now_ns() - t0;
}

static void wait_change(_Atomic uint32_t *word, uint32_t seen, _Atomic uint32_t *sleepers) { wait_change_t(word, seen, sleepers, 0); }

/** Publish a change of *word made by the caller: wake sleepers if there are any. */
static void signal_change(_Atomic uint32_t *word, _Atomic uint32_t *sleepers) {
  if (atomic_load(sleepers) > 0) futex_wake(word);
}

struct ls_pool {
  int threads;
  pthread_t *tids;
  // the current job (written by the caller before it bumps gen)
  ls_task fn;
  void *arg;
  int nth;
  int stop;
  _Atomic uint32_t gen; //        bumped once per job (and at shutdown); workers wait on it
  _Atomic uint32_t gen_sleepers;
  _Atomic uint64_t state; //      job generation << 32 | CLOSED | workers inside
  _Atomic uint32_t entered; //    workers that entered the current job (ls_pool_run waits for nth − 1)
  _Atomic uint32_t left; //       bumped whenever a worker leaves a job; the caller waits on it
  _Atomic uint32_t left_sleepers;
  // flag barriers (ls_flags_barrier): threads asleep waiting for a flag
  _Atomic uint32_t bar_sleepers;
};

typedef struct {
  ls_pool *pool;
  int tid;
} worker_arg;

static void *worker(void *p) {
  worker_arg wa = *(worker_arg *)p;
  free(p);
  ls_pool *pool = wa.pool;
  uint32_t seen = 0; // gen's value at creation (not a load here: a job or shutdown may already have bumped it)
  for (;;) {
    wait_change(&pool->gen, seen, &pool->gen_sleepers);
    seen = atomic_load_explicit(&pool->gen, memory_order_acquire);
    if (pool->stop) return NULL;
    // enter the job of generation `seen` unless it is closed, replaced, or does not want this thread
    uint64_t s = atomic_load(&pool->state);
    int in = 0;
    while ((uint32_t)(s >> 32) == seen && !(s & CLOSED)) {
      if (wa.tid >= pool->nth) break;
      if (atomic_compare_exchange_weak(&pool->state, &s, s + 1)) {
        in = 1;
        break;
      }
    }
    if (!in) continue;
    atomic_fetch_add(&pool->entered, 1);
    pool->fn(pool->arg, wa.tid, pool->nth);
    atomic_fetch_sub(&pool->state, 1);
    atomic_fetch_add_explicit(&pool->left, 1, memory_order_release);
    signal_change(&pool->left, &pool->left_sleepers);
  }
}

ls_pool *ls_pool_create(int threads) {
  if (threads < 1) threads = 1;
  ls_pool *pool = calloc(1, sizeof *pool);
  if (pool == NULL) return NULL;
  pool->threads = 1;
  pool->tids = calloc((size_t)threads, sizeof(pthread_t));
  if (pool->tids == NULL) {
    free(pool);
    return NULL;
  }
  for (int t = 1; t < threads; t++) {
    worker_arg *wa = malloc(sizeof *wa);
    if (wa == NULL) goto fail;
    wa->pool = pool;
    wa->tid = t;
    if (pthread_create(&pool->tids[t], NULL, worker, wa) != 0) {
      free(wa);
      goto fail;
    }
    pool->threads = t + 1; // threads actually running, for destroy on failure
  }
  return pool;
fail:
  ls_pool_destroy(pool);
  return NULL;
}

void ls_pool_destroy(ls_pool *pool) {
  if (pool == NULL) return;
  pool->stop = 1;
  atomic_fetch_add(&pool->gen, 1);
  futex_wake(&pool->gen);
  for (int t = 1; t < pool->threads; t++) pthread_join(pool->tids[t], NULL);
  free(pool->tids);
  free(pool);
}

/** Publish fn/arg/nth as a new job; returns its generation. */
static uint32_t start(ls_pool *pool, ls_task fn, void *arg, int nth) {
  pool->fn = fn;
  pool->arg = arg;
  pool->nth = nth;
  const uint32_t g = atomic_load(&pool->gen) + 1;
  atomic_store(&pool->entered, 0);
  atomic_store(&pool->state, (uint64_t)g << 32);
  atomic_store_explicit(&pool->gen, g, memory_order_seq_cst); // publishes fn, arg, nth, state
  signal_change(&pool->gen, &pool->gen_sleepers);
  return g;
}

/** Wait until no worker is inside the job (and, when `all`, until nth − 1 have entered first). */
static void finish(ls_pool *pool, int all, int nth) {
  for (;;) {
    const uint32_t l = atomic_load_explicit(&pool->left, memory_order_acquire);
    const uint64_t s = atomic_load_explicit(&pool->state, memory_order_acquire);
    const int done = (s & ACTIVE_MASK) == 0 && (!all || atomic_load(&pool->entered) == (uint32_t)(nth - 1));
    if (done) break;
    wait_change_t(&pool->left, l, &pool->left_sleepers, 1);
  }
  atomic_thread_fence(memory_order_acquire);
}

int ls_pool_run(ls_pool *pool, ls_task fn, void *arg, int nth) {
  if (pool == NULL || nth <= 1) {
    fn(arg, 0, 1);
    return 0;
  }
  if (nth > pool->threads) nth = pool->threads;
  start(pool, fn, arg, nth);
  fn(arg, 0, nth);
  finish(pool, 1, nth);
  atomic_fetch_or(&pool->state, CLOSED);
  return nth - 1;
}

int ls_pool_help(ls_pool *pool, ls_task fn, void *arg, int nth) {
  if (pool == NULL || nth <= 1) {
    fn(arg, 0, 1);
    return 0;
  }
  if (nth > pool->threads) nth = pool->threads;
  start(pool, fn, arg, nth);
  fn(arg, 0, nth);
  atomic_fetch_or(&pool->state, CLOSED); // late workers stay out from here on
  finish(pool, 0, nth);
  return (int)atomic_load(&pool->entered);
}

void ls_flags_barrier(ls_pool *pool, ls_flag *flags, int tid, int nth) {
  if (pool == NULL || nth <= 1) return;
  const uint32_t e = atomic_load_explicit(&flags[tid].passed, memory_order_relaxed) + 1;
  atomic_store(&flags[tid].passed, e); // seq_cst: ordered before the load of bar_sleepers (a sleeper counts itself first)
  if (atomic_load(&pool->bar_sleepers) > 0) futex_wake(&flags[tid].passed);
  for (int u = 0; u < nth; u++) {
    if (u == tid) continue;
    for (;;) {
      const uint32_t seen = atomic_load_explicit(&flags[u].passed, memory_order_acquire);
      if ((int32_t)(seen - e) >= 0) break;
      wait_change_t(&flags[u].passed, seen, &pool->bar_sleepers, 1);
    }
  }
}

int ls_units_next(ls_units *u) {
  const int i = atomic_fetch_add_explicit(&u->next, 1, memory_order_relaxed);
  return i < u->total ? i : -1;
}

void ls_units_done(ls_units *u) { atomic_fetch_add_explicit(&u->done, 1, memory_order_release); }

void ls_units_wait(ls_units *u) {
  if (atomic_load_explicit(&u->done, memory_order_acquire) >= u->total) return;
  const double t0 = now_ns();
  // the units still running are another thread's, already under way: spin, yielding now and then
  // so that a thread which shares this core can finish them
  for (int i = 1; atomic_load_explicit(&u->done, memory_order_acquire) < u->total; i++) {
    cpu_relax();
    if (i % 1024 == 0) sched_yield();
  }
  ls_wait_ns += now_ns() - t0;
}
