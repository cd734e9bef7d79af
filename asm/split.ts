// Work splitting between the threads of one kernel call (src/kernels/wasm/ starts the same export
// on nth threads over one shared memory, thread tid ∈ [0, nth)): where each thread's share of a
// range starts, and the barrier where the threads of a call meet. With nth = 1 both are no-ops,
// so every kernel is written once, for any number of threads.

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

/**
 * Barrier k (1, 2, …; increasing within a call) of a call split across nth threads: thread tid
 * publishes k in its own flag (sync + 64·tid, one cache line each, zeroed before the call) and
 * spins until every other thread's flag reaches k. One store per thread and one cache line read
 * per other thread — no contended read-modify-write. Spinning (no wait) costs about a microsecond
 * when each thread has its own core; a thread that never arrives makes the call trap after ~2^31
 * spins instead of hanging forever. Builds without threads have one thread: nothing to wait for.
 */
export function arrive(sync: usize, tid: i32, nth: i32, k: i32): void {
  if (ASC_FEATURE_THREADS) {
    if (nth <= 1) return;
    atomic.store<i32>(sync + (<usize>tid << 6), k);
    for (let o = 0; o < nth; o++) {
      if (o == tid) continue;
      const flag = sync + (<usize>o << 6);
      let spins: u32 = 0;
      while (atomic.load<i32>(flag) < k) {
        if (++spins == 0x80000000) unreachable();
      }
    }
  }
}

/** Bytes of the barrier flags of a call with nth threads (one 64-byte line each). */
export function syncBytes(nth: i32): i32 {
  return nth * 64;
}
