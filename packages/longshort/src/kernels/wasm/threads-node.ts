// Node edge of kernel threads: the threads build of the WebAssembly kernels over one shared
// WebAssembly.Memory, with helper worker threads that run the same module over the same memory.
// A big enough call then runs on this thread and the helpers at once (LSTM passes split by batch
// rows, batch 1 by hidden units, matrix products by rows: src/kernels/wasm/index.ts), with the same
// results as on one thread, bit for bit. Models built with these kernels (kernels: k) train and
// infer on every thread without replicas, copies of the weights or messages per batch.
//
// Hand-off: a job counter, the export's index and the call's arguments in a small
// SharedArrayBuffer per helper; the helper looks for the next job for a millisecond, then
// sleeps in Atomics.wait. After its own share this thread takes back a job the helper has not
// begun (a compare-exchange on a claim counter: on a busy machine a helper may not run for
// milliseconds, and the work items it would have taken are done already), else spins briefly and
// then blocks in Atomics.wait until the helper's part is done (Node allows that on the main thread;
// browsers' main threads do not, so this edge is Node's). Helpers are unref'd: they never keep a
// process alive.

import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { ConfigError, KernelError } from '../../errors.js';
import { chooseWasmBinary, createWasmKernelsShared, newMemory, type WasmKernels } from './index.js';
import { EXPORTS, type ExportName } from './exports.js';
import type { KernelHelper } from './threads.js';
import { readWasmBinaries } from './node.js';

const MAX_ARGS = 64;
/** Loads of a flag before this thread sleeps on it, waiting for a helper's part (≈ 20 µs). */
const SPINS = 10000;
/**
 * How long an idle helper looks for the next job before it sleeps in Atomics.wait. A sleeping
 * helper on this project's VM wakes within 8 µs at the median but ~4 ms late one time in ten
 * (measured), and a call it comes late to runs on this thread alone: at 20 µs of looking (10,000
 * loads), the helpers slept between the calls of an S model, whose kernel-thread inference was no
 * faster than one thread. Native threads and ONNX Runtime's look for about as long.
 */
const HELPER_SPIN_MS = 1;
const FINISH_TIMEOUT_MS = 300_000;
const NAMES = Object.keys(EXPORTS) as ExportName[];

// The helper thread (plain JavaScript, run with eval: no loader needed): instantiate the module
// over the shared memory, then run each job's export and report.
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl, names } = workerData;
let view = new Int32Array(0);
const waitOn = (ptr, expected, ms) => {
  if (view.buffer !== memory.buffer) view = new Int32Array(memory.buffer);
  Atomics.wait(view, ptr >> 2, expected, ms);
};
const asm = new WebAssembly.Instance(module, { env: { memory, waitOn, abort() { throw new Error('abort() called inside WebAssembly'); } } }).exports;
const state = new Int32Array(ctl, 0, 6); // [job, done, failed, nargs, export index, claimed]
const args = new Float64Array(ctl, 24, ${MAX_ARGS});
let seen = 0;
for (;;) {
  // a call often follows another soon (the layers of a model, forward then backward, the
  // JavaScript between them): look for the next job for ${HELPER_SPIN_MS} ms before sleeping
  const until = performance.now() + ${HELPER_SPIN_MS};
  while (Atomics.load(state, 0) === seen && performance.now() < until);
  Atomics.wait(state, 0, seen);
  const job = Atomics.load(state, 0);
  if (job === seen) continue;
  if (job < 0) break;
  seen = job;
  // claim the job; the caller claims it first when it finished every work item before this
  // thread woke (then there is nothing left to do here, and it did not wait)
  if (Atomics.compareExchange(state, 5, job - 1, job) !== job - 1) continue;
  try {
    asm[names[state[4]]](...args.subarray(0, state[3]));
  } catch (e) {
    Atomics.store(state, 2, 1);
  }
  Atomics.store(state, 1, job);
  Atomics.notify(state, 1);
}
`;

function spawnHelper(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelHelper {
  const ctl = new SharedArrayBuffer(24 + 8 * MAX_ARGS);
  const state = new Int32Array(ctl, 0, 6);
  const args = new Float64Array(ctl, 24, MAX_ARGS);
  const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory, ctl, names: NAMES } });
  worker.unref();
  let job = 0;
  let closed = false;
  return {
    start(name, a) {
      if (closed) throw new KernelError('[kernel threads] the helper thread was closed. Hint: make new kernels with createWasmKernelsThreaded().');
      args.set(a);
      state[3] = a.length;
      state[4] = NAMES.indexOf(name);
      Atomics.store(state, 2, 0);
      job += 1;
      Atomics.store(state, 0, job);
      Atomics.notify(state, 0);
    },
    finish() {
      // a helper that has not begun the job is told not to: every work item was taken here (a
      // call that needs the helper, with a barrier, cannot have returned before it began)
      if (Atomics.compareExchange(state, 5, job - 1, job) === job - 1) return;
      for (let spin = 0; spin < SPINS && Atomics.load(state, 1) !== job; spin++);
      const t0 = Date.now();
      while (Atomics.load(state, 1) !== job) {
        Atomics.wait(state, 1, job - 1, 1000);
        if (Date.now() - t0 > FINISH_TIMEOUT_MS) throw new KernelError(`[kernel threads] the helper thread did not finish within ${FINISH_TIMEOUT_MS / 1000} s.`);
      }
      if (Atomics.load(state, 2) !== 0) throw new KernelError('[kernel threads] the helper thread failed inside WebAssembly.');
    },
    close() {
      if (closed) return;
      closed = true;
      Atomics.store(state, 0, -1);
      Atomics.notify(state, 0);
    },
  };
}

/** Options of createWasmKernelsThreaded(). */
export interface ThreadedKernelOptions {
  /** Threads including this one (default: the cores available, at least 2). */
  threads?: number;
  /** Smallest hidden size whose batch-1 forward pass is split (default MIN_SPLIT_H). */
  minHidden?: number;
  /** Smallest multiply-adds of a call split by rows (default MIN_SPLIT_FLOPS). */
  minFlops?: number;
}

/**
 * WebAssembly kernels that split big calls across this thread and threads − 1 helper threads;
 * the same results as loadWasmKernels()'s, bit for bit. Null when the engine lacks WebAssembly
 * SIMD, threads or SharedArrayBuffer. Build a model with them (`kernels: k` in the layers'
 * options, or model.useKernels(k)); `k.close()` stops the helpers (they never keep the process
 * alive anyway).
 */
export function createWasmKernelsThreaded(options: ThreadedKernelOptions = {}): WasmKernels | null {
  const threads = options.threads ?? Math.max(2, availableParallelism());
  if (!Number.isInteger(threads) || threads < 1) throw new ConfigError(`[createWasmKernelsThreaded] threads must be a positive integer; received ${threads}.`);
  if (typeof SharedArrayBuffer === 'undefined') return null;
  const bins = readWasmBinaries();
  if (!bins.threadsSimd) {
    throw new KernelError('[createWasmKernelsThreaded] build/wasm/longshort-threads-simd.wasm was not found. Hint: run `npm run build:wasm` (npm ci and npm test run it for you).');
  }
  const pick = chooseWasmBinary(bins, true);
  if (pick === null) return null;
  const module = new WebAssembly.Module(pick.bytes as Uint8Array<ArrayBuffer>);
  const memory = newMemory(true);
  const helpers = Array.from({ length: threads - 1 }, () => spawnHelper(module, memory));
  return createWasmKernelsShared(module, pick.variant, memory, { helpers, minHidden: options.minHidden, minFlops: options.minFlops });
}
