// Kernel threads, the part every platform shares: what the WebAssembly family (./index.ts) needs
// of another thread that runs the same module over the same shared memory. The family starts an
// export on each helper with that thread's arguments, computes its own share, then waits for the
// helpers (the call's buffers must not be freed before they are done). The edges make the
// threads: ./threads-node.ts in Node (worker_threads, Atomics.wait hand-off). A browser page's
// main thread may not block in Atomics.wait, so there kernel threads need a worker as the
// calling thread; no browser edge exists yet.

import type { ExportName } from './exports.js';

/** Another thread running the same module over the same shared memory. */
export interface KernelHelper {
  /** Start export `name` with these positional arguments on the helper thread; returns at once. */
  start(name: ExportName, args: readonly number[]): void;
  /**
   * After this thread's share: take the job back if the helper has not begun it (the call's work
   * items are all done), else block until it has finished (throws if it failed inside WebAssembly).
   */
  finish(): void;
  /** Stop the helper thread. */
  close(): void;
}
