// Data-parallel training on Node worker threads: every batch is split by rows; each thread runs
// its rows through all time steps (forward and backward) on its own replica of the model, with
// its own WebAssembly kernels; the gradients are reduced once per batch. Weights, gradients and
// the training set live in SharedArrayBuffers, so a batch costs one small message per thread and
// one copy of the weights in and of the gradients out — no data is serialised.
//
// The main thread computes its own share while the workers compute theirs. The full batch's mean
// gradient is Σ_k (d_k / D)·g_k, where g_k is part k's mean gradient over its d_k counted elements
// (rows, steps or weights — the loss's divisor) and D = Σ d_k, so the result equals a one-thread
// batch up to float rounding (and dropout masks, which come from per-part generators).
//
// Node-only (worker_threads). Browsers: the demo trains in one Web Worker.

import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Tensor } from '../tensor.js';
import { ConfigError } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { Sequential } from '../nn/sequential.js';
import { localBatch, type BatchExecutor, type BatchJob, type BatchResult } from './fit.js';
import { gatherInts, gatherRows } from './batch.js';
import { resolveLoss } from './losses.js';

export interface ThreadPoolOptions {
  /** Threads including the main one; default: the cores available. 1 = no workers. */
  threads?: number;
  /** Kernels the workers use ('auto' = WebAssembly when it loads). */
  kernels?: 'auto' | 'ref' | 'wasm';
}

interface PendingReply {
  resolve(r: BatchResult): void;
  reject(e: Error): void;
}

/** Messages main → worker. */
export type PoolRequest =
  | { type: 'init'; modelBytes: Uint8Array; weights: SharedArrayBuffer; grads: SharedArrayBuffer; slot: number; kernels: string }
  | { type: 'data'; id: number; x: SharedArrayBuffer; xShape: number[]; y: SharedArrayBuffer; yShape: number[]; lengths: SharedArrayBuffer | null }
  | { type: 'batch'; data: number; rows: Int32Array; lossName: string; lossOptions?: unknown; seed: number }
  | { type: 'close' };

/** Messages worker → main. */
export type PoolReply = { type: 'ready' } | { type: 'result'; result: BatchResult } | { type: 'error'; message: string };

export class ThreadPool implements BatchExecutor {
  readonly threads: number;
  private readonly model: Sequential;
  private readonly workers: Worker[];
  private readonly pending: (PendingReply | null)[];
  private readonly weights: Float32Array; // all parameters, concatenated
  private readonly grads: Float32Array[]; // one region per worker
  private readonly offsets: number[];
  private readonly rng: Rng;
  private datasets = new WeakMap<Tensor, { id: number; y: Tensor }>();
  private nextData = 0;

  private constructor(model: Sequential, threads: number, workers: Worker[], weights: Float32Array, grads: Float32Array[], offsets: number[]) {
    this.model = model;
    this.threads = threads;
    this.workers = workers;
    this.pending = workers.map(() => null);
    this.weights = weights;
    this.grads = grads;
    this.offsets = offsets;
    this.rng = new Rng(0x5eed);
    workers.forEach((w, k) => {
      w.on('message', (m: PoolReply) => {
        const p = this.pending[k];
        if (p === null) return;
        this.pending[k] = null;
        if (m.type === 'result') p.resolve(m.result);
        else if (m.type === 'error') p.reject(new Error(`[ThreadPool] worker ${k + 1}: ${m.message}`));
      });
      w.on('error', (e) => {
        const p = this.pending[k];
        this.pending[k] = null;
        p?.reject(new Error(`[ThreadPool] worker ${k + 1} crashed: ${e.message}`));
      });
    });
  }

  /** Start threads − 1 workers, each with a replica of `model` (float32 models only). */
  static async create(model: Sequential, options: ThreadPoolOptions = {}): Promise<ThreadPool> {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new ConfigError(`[ThreadPool] threads must be a positive integer; received ${threads}.`);
    if (model.dtype !== 'float32') throw new ConfigError(`[ThreadPool] threads train float32 models; received a ${model.dtype} model.`);
    const params = model.params();
    const offsets: number[] = [];
    let total = 0;
    for (const p of params) {
      offsets.push(total);
      total += p.value.length;
    }
    const weights = new Float32Array(new SharedArrayBuffer(4 * total));
    const grads: Float32Array[] = [];
    const workers: Worker[] = [];
    const bytes = model.toBytes();
    const here = fileURLToPath(import.meta.url);
    const script = here.replace(/threads-node\.(ts|js)$/, (_m, ext: string) => `threads-worker.${ext}`);
    try {
      for (let k = 0; k < threads - 1; k++) {
        const g = new Float32Array(new SharedArrayBuffer(4 * total));
        grads.push(g);
        // Under tsx (sources, not a build) the worker registers tsx's loader before importing the .ts file.
        const w = script.endsWith('.ts')
          ? new Worker(`import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(pathToFileURL(script).href)}); })`, { eval: true })
          : new Worker(script);
        workers.push(w);
        await new Promise<void>((resolve, reject) => {
          const onMsg = (m: PoolReply) => {
            w.off('error', reject);
            if (m.type === 'ready') resolve();
            else reject(new Error(`[ThreadPool] worker ${k + 1} failed to start: ${m.type === 'error' ? m.message : m.type}`));
          };
          w.once('message', onMsg);
          w.once('error', reject);
          const init: PoolRequest = { type: 'init', modelBytes: bytes, weights: weights.buffer as SharedArrayBuffer, grads: g.buffer as SharedArrayBuffer, slot: k, kernels: options.kernels ?? 'auto' };
          w.postMessage(init);
        });
      }
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new ThreadPool(model, threads, workers, weights, grads, offsets);
  }

  /** Forward + backward of one batch across the threads; leaves the batch's mean gradient in the model. */
  async run(job: BatchJob): Promise<BatchResult> {
    if (job.model !== this.model) throw new ConfigError('[ThreadPool] this pool was created for another model.');
    const rows = job.rows;
    const parts = Math.min(this.threads, rows.length);
    const data = this.shareData(job);
    // publish the current weights
    const params = this.model.params();
    params.forEach((p, k) => this.weights.set(p.value, this.offsets[k]));
    const bounds = Array.from({ length: parts + 1 }, (_, k) => Math.round((k * rows.length) / parts));
    const seeds = Array.from({ length: parts }, () => this.rng.nextU32());
    const replies: Promise<BatchResult>[] = [];
    for (let k = 1; k < parts; k++) {
      const w = k - 1;
      replies.push(
        new Promise<BatchResult>((resolve, reject) => {
          this.pending[w] = { resolve, reject };
          const msg: PoolRequest = { type: 'batch', data, rows: rows.slice(bounds[k], bounds[k + 1]), lossName: job.lossName, lossOptions: job.lossOptions, seed: seeds[k] };
          this.workers[w].postMessage(msg);
        }),
      );
    }
    // the main thread's share
    const loss = resolveLoss(job.lossName, job.lossOptions);
    const mine = rows.subarray(bounds[0], bounds[1]);
    const r0 = localBatch(
      this.model, loss.fn, loss.classification,
      gatherRows(job.x, mine), gatherRows(job.y, mine), job.lengths === null ? undefined : gatherInts(job.lengths, mine),
      new Rng(seeds[0]),
    );
    const results = [r0, ...(await Promise.all(replies))];
    const D = results.reduce((s, r) => s + r.divisor, 0);
    const finite = results.every((r) => r.finite) && D > 0;
    if (finite) {
      // g = Σ_k (d_k / D)·g_k; part 0's gradient is already in the parameters
      const w0 = results[0].divisor / D;
      params.forEach((p, i) => {
        const g = p.grad;
        const off = this.offsets[i];
        for (let n = 0; n < g.length; n++) {
          let v = w0 * g[n];
          for (let k = 1; k < results.length; k++) v += (results[k].divisor / D) * this.grads[k - 1][off + n];
          g[n] = v;
        }
      });
    }
    return {
      loss: finite ? results.reduce((s, r) => s + r.loss * r.divisor, 0) / D : NaN,
      divisor: D,
      finite,
      correct: results.reduce((s, r) => s + r.correct, 0),
      total: results.reduce((s, r) => s + r.total, 0),
    };
  }

  /** Put a training set in shared memory once (keyed by its x tensor). */
  private shareData(job: BatchJob): number {
    const known = this.datasets.get(job.x);
    if (known !== undefined && known.y === job.y) return known.id;
    const share = (t: Tensor): SharedArrayBuffer => {
      const sab = new SharedArrayBuffer(4 * t.size);
      new Float32Array(sab).set(t.data);
      return sab;
    };
    const id = this.nextData++;
    let lengths: SharedArrayBuffer | null = null;
    if (job.lengths !== null) {
      lengths = new SharedArrayBuffer(4 * job.lengths.length);
      new Int32Array(lengths).set(job.lengths);
    }
    const msg: PoolRequest = { type: 'data', id, x: share(job.x), xShape: [...job.x.shape], y: share(job.y), yShape: [...job.y.shape], lengths };
    for (const w of this.workers) w.postMessage(msg);
    this.datasets.set(job.x, { id, y: job.y });
    return id;
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.postMessage({ type: 'close' } satisfies PoolRequest);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** A pool of `threads` threads (default: every core) for model.fit(…, { executor: pool }). Close it when done. */
export function createThreadPool(model: Sequential, options: ThreadPoolOptions = {}): Promise<ThreadPool> {
  return ThreadPool.create(model, options);
}
