// Node edge of kernel threads: the threads build of the WebAssembly kernels over a shared
// WebAssembly.Memory, with one helper worker thread that runs the same module over the same
// memory. A batch-1 LSTM forward pass is then split by columns (hidden units) between this thread
// and the helper, which meet at a barrier after every time step (asm/lstm.ts lstmForwardPart).
// That is the case the thread pool (src/train/threads.ts, which splits a batch's rows) cannot
// help: one sequence. Everything else runs on this thread as with loadWasmKernels().
//
// Hand-off: a job counter and the call's arguments in a small SharedArrayBuffer; the helper
// sleeps in Atomics.wait between calls, this thread blocks in Atomics.wait until the helper's part
// is done (Node allows that on the main thread; browsers' main threads do not, so this edge is
// Node's). The helper is unref'd: it never keeps a process alive.

import { Worker } from 'node:worker_threads';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseWasmBinary, createWasmKernelsShared, type KernelHelper, type WasmKernels } from './index.js';
import { wasmBuildDir } from './node.js';

const MAX_ARGS = 64;
const MAX_PAGES = 32768; // 2 GiB, the maximum the threads builds declare (scripts/build-wasm.mjs)
const FINISH_TIMEOUT_MS = 120_000;

// The helper thread (plain JavaScript, run with eval: no loader needed): instantiate the module
// over the shared memory, then run each job's lstmForwardPart and report.
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl } = workerData;
const asm = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort() called inside WebAssembly'); } } }).exports;
const state = new Int32Array(ctl, 0, 4); // [job, done, failed, nargs]
const args = new Float64Array(ctl, 16, ${MAX_ARGS});
let seen = 0;
for (;;) {
  Atomics.wait(state, 0, seen);
  const job = Atomics.load(state, 0);
  if (job === seen) continue;
  if (job < 0) break;
  seen = job;
  try {
    asm.lstmForwardPart(...args.subarray(0, state[3]));
  } catch (e) {
    Atomics.store(state, 2, 1);
  }
  Atomics.store(state, 1, job);
  Atomics.notify(state, 1);
}
`;

/** Bytes of the threads builds (relaxed is null if it was not built). */
function readThreadsBinaries(): { simd: Uint8Array; relaxed: Uint8Array | null } {
  const dir = wasmBuildDir();
  const simd = join(dir, 'longshort-threads-simd.wasm');
  const relaxed = join(dir, 'longshort-threads-relaxed.wasm');
  if (!existsSync(simd)) {
    throw new Error(`[createWasmKernelsThreaded] ${simd} was not found. Hint: run \`npm run build:wasm\` (npm ci and npm test run it for you).`);
  }
  return { simd: readFileSync(simd), relaxed: existsSync(relaxed) ? readFileSync(relaxed) : null };
}

/**
 * WebAssembly kernels that split batch-1 forward passes (hidden size ≥ options.minHidden, default
 * MIN_SPLIT_H = 256; no projection) across this thread and a helper thread; the same results as
 * loadWasmKernels()'s, bit for bit. Null when the engine lacks WebAssembly SIMD, threads or
 * SharedArrayBuffer. Use them with `lstm.useKernels(k)`; `k.close()` stops the helper (it never
 * keeps the process alive anyway).
 */
export function createWasmKernelsThreaded(options: { minHidden?: number } = {}): (WasmKernels & { close(): void }) | null {
  if (typeof SharedArrayBuffer === 'undefined') return null;
  const pick = chooseWasmBinary(readThreadsBinaries());
  if (pick === null) return null;
  const module = new WebAssembly.Module(pick.bytes as Uint8Array<ArrayBuffer>);
  const memory = new WebAssembly.Memory({ initial: 32, maximum: MAX_PAGES, shared: true });
  const ctl = new SharedArrayBuffer(16 + 8 * MAX_ARGS);
  const state = new Int32Array(ctl, 0, 4);
  const args = new Float64Array(ctl, 16, MAX_ARGS);
  const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory, ctl } });
  worker.unref();
  let job = 0;
  let closed = false;
  const helper: KernelHelper = {
    start(a) {
      if (closed) throw new Error('[kernel threads] the helper thread was closed.');
      args.set(a);
      Atomics.store(state, 3, a.length);
      Atomics.store(state, 2, 0);
      job += 1;
      Atomics.store(state, 0, job);
      Atomics.notify(state, 0);
    },
    finish() {
      const t0 = Date.now();
      while (Atomics.load(state, 1) !== job) {
        Atomics.wait(state, 1, job - 1, 1000);
        if (Date.now() - t0 > FINISH_TIMEOUT_MS) throw new Error(`[kernel threads] the helper thread did not finish within ${FINISH_TIMEOUT_MS / 1000} s.`);
      }
      if (Atomics.load(state, 2) !== 0) throw new Error('[kernel threads] the helper thread failed inside WebAssembly.');
    },
    close() {
      if (closed) return;
      closed = true;
      Atomics.store(state, 0, -1);
      Atomics.notify(state, 0);
    },
  };
  const k = createWasmKernelsShared(module, pick.variant, { memory, helper, minHidden: options.minHidden });
  return Object.freeze({ ...k, close: () => helper.close() });
}
