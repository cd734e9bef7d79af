// Node edge of training threads. Two ways to share each batch among threads:
// - kernel threads (createWasmKernelsThreaded): the model moves onto a WebAssembly family whose
//   calls are split over one shared memory — no replicas, no weight copies, no gradient reduction,
//   the same results as one thread bit for bit. The choice for models on the WebAssembly kernels.
// - the worker pool (./threads.ts): worker_threads running ./threads-worker.ts, each with a
//   replica of the model and its own kernels; the batch's rows are split, gradients reduced. Works
//   for any model and kernel family (the reference kernels included).
// createThreadPool picks (mode 'auto'); both are executors for fit (`{ executor: pool }`).

import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Model } from '../nn/layer.js';
import type { Tensor } from '../tensor.js';
import type { Kernels } from '../kernels/types.js';
import { readWasmBinaries } from '../kernels/wasm/node.js';
import type { WasmBinaries } from '../kernels/wasm/index.js';
import { createWasmKernelsThreaded } from '../kernels/wasm/threads-node.js';
import { ThreadPool, type PoolPort, type PoolReply } from './threads.js';
import { localBatch, predict, type BatchExecutor, type BatchJob, type BatchResult } from './fit.js';
import { resolveLoss } from './losses.js';
import { gatherInts, gatherRows } from './batch.js';

export { ThreadPool } from './threads.js';

/** What both kinds of training threads offer: an executor for fit, batched inference, and close(). */
export interface TrainingThreads extends BatchExecutor {
  /** Threads, this one included. */
  readonly threads: number;
  /** How the threads share a batch. */
  readonly mode: 'kernels' | 'workers';
  /** Inference on the threads: the same output as model.predict(x), up to kernel rounding. */
  predict(x: Tensor, options?: { lengths?: ArrayLike<number> }): Promise<Tensor>;
  /** Stop the threads (kernel threads: the model's layers return to their kernel family). */
  close(): Promise<void>;
}

/** Options of createThreadPool(). */
export interface ThreadPoolOptions {
  /** Threads including this one; default: the cores available. 1 = no workers. */
  threads?: number;
  /** Kernels the workers compute with: 'auto' = WebAssembly when it loads, else the reference. */
  kernels?: 'auto' | 'ref' | 'wasm';
  /** Smallest batch the pool splits (multiply-adds of its forward pass; default MIN_POOL_WORK); smaller ones run on this thread. */
  minWork?: number;
  /**
   * 'kernels': kernel threads (the model computes on a threaded WebAssembly family until close());
   * 'workers': the worker pool; 'auto' (default): kernel threads when every layer of the model
   * computes with the WebAssembly family, else workers.
   */
  mode?: 'auto' | 'kernels' | 'workers';
}

type WithKernels = { kernels?: Kernels; useKernels?: (k: Kernels) => void };

/**
 * Kernel threads as an executor: the model's layers move to a threaded WebAssembly family (their
 * parameters move into its memory; Param objects follow) and every batch runs on this thread,
 * its big calls split with the helpers. close() moves the layers back and stops the helpers.
 */
class KernelThreads implements TrainingThreads {
  readonly mode = 'kernels' as const;
  readonly threads: number;

  constructor(
    private readonly model: Model,
    private readonly k: Kernels & { close(): void },
    private readonly before: (Kernels | undefined)[],
  ) {
    this.threads = k.threads;
  }

  async run(job: BatchJob): Promise<BatchResult> {
    const loss = resolveLoss(job.lossName, job.lossOptions);
    const rows = job.rows;
    // the model's own generator draws the dropout masks, as on one thread: the same results bit for bit
    return localBatch(this.model, loss.fn, loss.classification, gatherRows(job.x, rows), gatherRows(job.y, rows), job.lengths === null ? undefined : gatherInts(job.lengths, rows));
  }

  async predict(x: Tensor, options: { lengths?: ArrayLike<number> } = {}): Promise<Tensor> {
    return predict(this.model, x, options);
  }

  async close(): Promise<void> {
    this.model.layers.forEach(({ layer }, i) => {
      const prev = this.before[i];
      if (prev !== undefined) (layer as WithKernels).useKernels?.(prev);
    });
    this.k.close();
  }
}

function kernelThreads(model: Model, threads: number): TrainingThreads | null {
  const k = createWasmKernelsThreaded({ threads });
  if (k === null) return null;
  const before = model.layers.map(({ layer }) => (layer as WithKernels).kernels);
  for (const { layer } of model.layers) (layer as WithKernels).useKernels?.(k);
  return new KernelThreads(model, k, before);
}

/** Every layer with kernels computes with the WebAssembly family over shared memory. */
function onWasm(model: Model): boolean {
  const ks = model.layers.map(({ layer }) => (layer as WithKernels).kernels).filter((k) => k !== undefined);
  return ks.length > 0 && ks.every((k) => k!.name === 'wasm' && (k as { shared?: boolean }).shared === true);
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

/**
 * `threads` threads (default: every core) sharing each batch, for model.fit(…, { executor: pool })
 * and pool.predict(x): kernel threads or the worker pool (see the header and `mode`). Close it
 * when done (kernel threads: the model's layers return to their kernel family).
 */
export async function createThreadPool(model: Model, options: ThreadPoolOptions = {}): Promise<TrainingThreads> {
  const threads = options.threads ?? availableParallelism();
  const mode = options.mode ?? 'auto';
  if (mode === 'kernels' || (mode === 'auto' && options.kernels !== 'ref' && onWasm(model) && threads > 1)) {
    const k = kernelThreads(model, threads);
    if (k !== null) return k;
  }
  return workerPool(model, threads, options);
}

async function workerPool(model: Model, threads: number, options: ThreadPoolOptions): Promise<TrainingThreads> {
  let wasm: WasmBinaries | null = null;
  if (options.kernels !== 'ref') {
    try {
      wasm = readWasmBinaries();
    } catch (e) {
      if (options.kernels === 'wasm') throw e;
    }
  }
  return ThreadPool.create(model, threads, spawnNodeWorker, wasm, options.minWork);
}
