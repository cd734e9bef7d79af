// Node edge of the thread pool (./threads.ts): workers are worker_threads running
// ./threads-worker.ts, with the WebAssembly kernels read from build/wasm/.

import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Model } from '../nn/layer.js';
import { readWasmBinaries } from '../kernels/wasm/node.js';
import type { WasmBinaries } from '../kernels/wasm/index.js';
import { ThreadPool, type PoolPort, type PoolReply } from './threads.js';

export { ThreadPool } from './threads.js';

export interface ThreadPoolOptions {
  /** Threads including this one; default: the cores available. 1 = no workers. */
  threads?: number;
  /** Kernels the workers compute with: 'auto' = WebAssembly when it loads, else the reference. */
  kernels?: 'auto' | 'ref' | 'wasm';
  /** Smallest batch the pool splits (multiply-adds of its forward pass; default MIN_POOL_WORK); smaller ones run on this thread. */
  minWork?: number;
}

function spawnNodeWorker(): PoolPort {
  const here = fileURLToPath(import.meta.url);
  const script = here.replace(/threads-node\.(ts|js)$/, (_m, ext: string) => `threads-worker.${ext}`);
  // Run from sources (tsx), the worker registers tsx's loader before importing the .ts file.
  const w = script.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(pathToFileURL(script).href)}); })`, { eval: true })
    : new Worker(script);
  return {
    post: (m) => w.postMessage(m),
    listen: (onReply, onError) => {
      w.removeAllListeners('message');
      w.removeAllListeners('error');
      w.on('message', (m: PoolReply) => onReply(m));
      w.on('error', onError);
    },
    terminate: () => w.terminate(),
  };
}

/** A pool of `threads` threads (default: every core) for model.fit(…, { executor: pool }). Close it when done. */
export function createThreadPool(model: Model, options: ThreadPoolOptions = {}): Promise<ThreadPool> {
  let wasm: WasmBinaries | null = null;
  if (options.kernels !== 'ref') {
    try {
      wasm = readWasmBinaries();
    } catch (e) {
      if (options.kernels === 'wasm') throw e;
    }
  }
  return ThreadPool.create(model, options.threads ?? availableParallelism(), spawnNodeWorker, wasm, options.minWork);
}
