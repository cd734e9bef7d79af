// A small persistent thread pool for the native kernel: threads are created once per context and
// wait between calls (a short spin, then a futex sleep), so a kernel call never creates a thread.
// The calling thread takes part as thread 0.
//   ls_pool_run   every one of nth threads runs the task (for tasks whose threads meet at a
//                 barrier, e.g. the LSTM split by hidden units: ls_flags_barrier once per step);
//   ls_pool_help  the caller runs the task at once and workers join if they come in time; the task
//                 takes its work from ls_units, so any subset of threads finishes it (on a busy
//                 host a call never waits for a thread that has not been scheduled).
// Left out: nested jobs, pinning threads to cores (the host is shared).

#ifndef LS_POOL_H
#define LS_POOL_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct ls_pool ls_pool;

/** fn runs on threads tid = 0 … nth−1 with the same arg. */
typedef void (*ls_task)(void *arg, int tid, int nth);

/** A pool of `threads` threads in total (threads − 1 workers and the caller); NULL on failure. */
ls_pool *ls_pool_create(int threads);
void ls_pool_destroy(ls_pool *pool);

/** Run fn on all nth ≤ pool size threads (the caller is tid 0) and return when all have finished; returns nth − 1. */
int ls_pool_run(ls_pool *pool, ls_task fn, void *arg, int nth);

/** Run fn on the caller and on those of workers 1 … nth−1 that start before the caller has finished it; returns how many did. */
int ls_pool_help(ls_pool *pool, ls_task fn, void *arg, int nth);

/** Most threads a flag barrier serves (a task's split caps its threads at this). */
#define LS_FLAGS_MAX 64

/** One thread's arrival count at a flag barrier, alone on its cache line. */
typedef struct {
  _Atomic uint32_t passed;
  uint32_t pad_[15];
} ls_flag;

/**
 * A barrier for threads that meet once per step of a loop (the LSTM split by hidden units):
 * thread tid counts its arrival in its own flag and waits until every other thread's flag has
 * counted as many. flags[0 … nth−1] are zeroed before the task starts, and every thread passes the
 * same number of barriers. The first barrier here was a shared counter and generation: three
 * cache-line hand-offs in a row per barrier, about 1 µs between the two vCPUs of this machine, which
 * made batch-1 passes of H ≤ 128 no faster on two threads (bench/native.ts --tune); with flags the
 * threads only read each other's line: H 128 forward 0.30 → 0.19 ms (was 0.32) on two threads.
 */
void ls_flags_barrier(ls_pool *pool, ls_flag *flags, int tid, int nth);

/**
 * Nanoseconds this thread has spent waiting for other threads of the pool (finishing a job, at a
 * barrier, in ls_units_wait). The kernels read it on the calling thread to notice when helpers do
 * not pay (an oversubscribed host) and stop using them for a while.
 */
extern _Thread_local double ls_wait_ns;

/** Work units of a help task: each thread takes the next with ls_units_next until it returns −1. */
typedef struct {
  _Atomic int next;
  _Atomic int done;
  int total;
} ls_units;

static inline void ls_units_init(ls_units *u, int total) {
  atomic_init(&u->next, 0);
  atomic_init(&u->done, 0);
  u->total = total;
}

/** The next unit in [0, total), or −1 when all are taken. */
int ls_units_next(ls_units *u);
/** Count one unit as finished (after its results are written). */
void ls_units_done(ls_units *u);
/** Wait until every unit has been finished (by whichever threads took them). */
void ls_units_wait(ls_units *u);

#endif
