// Work splitting between the threads of one kernel call (src/kernels/wasm/ starts the same export
// on nth threads over one shared memory, thread tid ∈ [0, nth)). Every kernel is written once, for
// any number of threads, with two tools:
// - work queues: a phase of a call is a list of independent items (a block of rows of a product,
//   a group of packed panels, a chunk of batch rows through every time step); each thread takes
//   the next item until none is left, then waits until every item is done. A thread that starts
//   late — on a busy machine it may not be scheduled for milliseconds — simply takes fewer items:
//   the others never wait for a thread that has not begun, only for items in progress. So two
//   threads are not slower than one even when the second one is slow to come.
// - cut() and arrive(): a fixed share per thread and a barrier, for batch 1 split by hidden units
//   (lstmForwardCols), whose threads meet after every time step.
// Items start at row multiples of 4 and column multiples of 8, so every element is computed by the
// same instructions in the same order as in a one-thread call (asm/gemm.ts): results do not depend
// on the number of threads. Layout of a call's sync block (zeroed before the call, 64 bytes per
// line): nth lines of barrier flags, then one line per queue, [next item, items done].

/**
 * Boundary k ∈ [0, nth] of n items cut into nth shares that start at multiples of `align` (the
 * last share takes the rest; a share may be empty). Shares of rows start at multiples of 4 and
 * shares of columns at multiples of 8 so that every element lands in the same register tile as
 * in a one-thread call (asm/gemm.ts) and comes out bit for bit the same.
 */
// @ts-ignore: decorator
@inline export function cut(n: i32, k: i32, nth: i32, align: i32): i32 {
  if (k <= 0) return 0;
  if (k >= nth) return n;
  return min(n, (<i32>((<i64>n * k) / nth) + align - 1) / align * align);
}

/** Queues a call may use (asm/lstm.ts backward uses three); the sync block has nth + QUEUES lines. */
export const QUEUES: i32 = 4;

/** Bytes of a call's sync block for nth threads (zeroed by the caller before every call): flags, queues, and a line of counts. */
export function syncBytes(nth: i32): i32 {
  return (nth + QUEUES + 1) * 64;
}

/** The count of barrier waits that went to sleep in a call (the line after the queues): how long threads waited for each other. */
// @ts-ignore: decorator
@inline function sleepsAt(sync: usize, nth: i32): usize {
  return sync + (<usize>(nth + QUEUES) << 6);
}

/** Queue q of a call with nth threads: its line in the sync block. */
// @ts-ignore: decorator
@inline export function queueAt(sync: usize, nth: i32, q: i32): usize {
  return sync + (<usize>(nth + q) << 6);
}

/** The next item of a queue (items are numbered from 0; a number ≥ the queue's length means none is left). */
// @ts-ignore: decorator
@inline export function take(queue: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(queue, 1);
  const i = load<i32>(queue); // builds without threads: one thread, no atomics
  store<i32>(queue, i + 1);
  return i;
}

/** Record one item of a queue of n items as done (the last one wakes threads waiting for them all). */
export function itemDone(queue: usize, n: i32): void {
  if (ASC_FEATURE_THREADS) {
    if (atomic.add<i32>(queue + 4, 1) + 1 >= n) atomic.notify(queue + 4, -1);
  } else {
    store<i32>(queue + 4, load<i32>(queue + 4) + 1);
  }
}

/** Wait until all n items of a queue are done (spinning first, then sleeping, as arrive()). */
export function waitAll(queue: usize, n: i32): void {
  if (!ASC_FEATURE_THREADS) return; // one thread: every item is done by the time it asks
  const counter = queue + 4;
  let spins = 0;
  let waits = 0;
  for (;;) {
    const v = atomic.load<i32>(counter);
    if (v >= n) return;
    if (++spins < SPINS) continue;
    waitOn(counter, v, WAIT_MS);
    if (++waits == MAX_WAITS) unreachable();
  }
}

/**
 * Spins on a flag before sleeping on it. 10,000 was ~20 µs on a Zen 3 host but ran out within an
 * ordinary step's imbalance on Zen 5 (batch 1, H 1024: 20–100 of 100 barriers slept; with 100,000,
 * 1–3), so a late peer is now one that is tens of microseconds late, not a few.
 */
const SPINS: i32 = 100000;
/** Sleeps at most this long per wait (ms), then looks again; after MAX_WAITS of them the call traps instead of hanging. */
const WAIT_MS: f64 = 1000;
const MAX_WAITS: i32 = 120;

/**
 * Sleep while the i32 at ptr equals expected, at most ms milliseconds (Atomics.wait, provided by
 * the TypeScript side: src/kernels/wasm/index.ts wasmImports). Not the wasm instruction
 * memory.atomic.wait32: under Node 20 (V8 11.3) a thread waiting with it in this loop slept
 * through both the notify and its own timeout (reproduced with this function alone; an
 * equivalent loop with other local variables did not hang), while Atomics.wait behaves.
 */
// @ts-ignore: decorator
@external('env', 'waitOn') declare function waitOn(ptr: usize, expected: i32, ms: f64): void;

/**
 * Barrier k (1, 2, …; increasing within a call) of a call split across nth threads: thread tid
 * publishes k in its own flag (sync + 64·tid, one cache line each, zeroed before the call) and
 * waits until every other thread's flag reaches k — spinning first (a microsecond or so when
 * each thread has a core of its own), then sleeping on the flag (Atomics.wait) so that a
 * thread waiting for one the system has not scheduled gives its core away instead of burning it.
 * One store and one notify per thread, one cache line read per other thread: no contended
 * read-modify-write. A thread that never arrives makes the call trap after ~2 minutes instead of
 * hanging forever. Builds without threads have one thread: nothing to wait for.
 */
export function arrive(sync: usize, tid: i32, nth: i32, k: i32): void {
  if (ASC_FEATURE_THREADS) {
    if (nth <= 1) return;
    const mine = sync + (<usize>tid << 6);
    atomic.store<i32>(mine, k);
    atomic.notify(mine, nth);
    for (let o = 0; o < nth; o++) {
      if (o == tid) continue;
      const flag = sync + (<usize>o << 6);
      let spins = 0;
      let waits = 0;
      for (;;) {
        const v = atomic.load<i32>(flag);
        if (v >= k) break;
        if (++spins < SPINS) continue;
        if (waits == 0) atomic.add<i32>(sleepsAt(sync, nth), 1);
        waitOn(flag, v, WAIT_MS);
        if (++waits == MAX_WAITS) unreachable();
      }
    }
  }
}
