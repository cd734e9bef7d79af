// A small persistent thread pool for the native kernel: threads are created once per context and
// wait between calls (a short spin, then a futex sleep), so a kernel call never creates a thread.
// The calling thread takes part as thread 0.
//   ls_pool_run   every one of nth threads runs the task (for tasks whose threads meet at
//                 ls_pool_barrier, e.g. the LSTM split by hidden units: a barrier per step);
//   ls_pool_help  the caller runs the task at once and workers join if they come in time; the task
//                 takes its work from ls_units, so any subset of threads finishes it (on a busy
//                 host a call never waits for a thread that has not been scheduled).
// Left out: nested jobs, pinning threads to cores (the host is shared).

#ifndef LS_POOL_H
#define LS_POOL_H

#include <stdatomic.h>

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

/** Inside a task run by ls_pool_run with nth threads: return when all nth have arrived. */
void ls_pool_barrier(ls_pool *pool, int nth);

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
