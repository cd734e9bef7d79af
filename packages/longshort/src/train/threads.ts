// Data-parallel training on threads, the part that is the same in Node (worker_threads) and in
// browsers (Web Workers on a cross-origin isolated page): every batch is split by rows; each
// thread runs its rows through all time steps (forward and backward) on its own replica of the
// model with its own WebAssembly kernels; the gradients are reduced once per batch. Weights,
// gradients and the training set live in SharedArrayBuffers, so a batch costs one small message
// per thread, one copy of the weights in and one of the gradients out.
//
// The main thread computes its own share while the workers compute theirs. The full batch's mean
// gradient is Σ_k (d_k / D)·g_k, where g_k is part k's mean gradient over its d_k counted elements
// (rows, steps or weights — the loss's divisor) and D = Σ d_k, so the result equals a one-thread
// batch up to float rounding (and dropout masks, which come from per-part generators).
//
// A batch too small to pay for the hand-off (MIN_POOL_WORK, measured in bench/threads.ts) runs
// on this thread alone, so the pool is never slower than one thread by more than noise.
//
// The edges only create the workers: src/train/threads-node.ts (worker_threads) and
// web/src/pool-worker.ts (the demo's Web Workers). Both run createPoolWorker below.

import { Tensor } from '../tensor.js';
import { ConfigError, DivergenceError, FormatError, KernelError, NonFiniteError, ShapeError, UnsupportedError } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { Model } from '../nn/layer.js';
import { modelFromBytes, modelToBytes } from '../io/model.js';
import { registerKernels } from '../kernels/index.js';
import { createWasmKernels, type WasmBinaries } from '../kernels/wasm/index.js';
import { localBatch, type BatchExecutor, type BatchJob, type BatchResult } from './fit.js';
import { concatRows, gatherInts, gatherRows, sliceRows } from './batch.js';
import { resolveLoss, type LossName, type LossOptions } from './losses.js';

/** Messages main → worker. */
export type PoolRequest =
  | { type: 'init'; modelBytes: Uint8Array; weights: SharedArrayBuffer; grads: SharedArrayBuffer; wasm: WasmBinaries | null }
  | { type: 'data'; id: number; x: SharedArrayBuffer; xShape: number[]; y: SharedArrayBuffer; yShape: number[]; lengths: SharedArrayBuffer | null }
  | { type: 'batch'; data: number; rows: Int32Array; lossName: string; lossOptions?: unknown; seed: number }
  | { type: 'predict'; x: Float32Array; shape: number[]; lengths: Int32Array | null }
  | { type: 'close' };

/** Messages worker → main. */
export type PoolReply =
  | { type: 'ready'; kernel: string }
  | { type: 'result'; result: BatchResult }
  | { type: 'output'; data: Float32Array; shape: number[] }
  | { type: 'error'; message: string; name: string };

/** What the pool needs of a worker, whichever kind of thread it is. */
export interface PoolPort {
  /** Send a message to the worker. */
  post(m: PoolRequest): void;
  /** Register the handler for the worker's replies (called once). */
  listen(onReply: (m: PoolReply) => void, onError: (e: Error) => void): void;
  /** Stop the worker. */
  terminate(): Promise<unknown> | void;
}

/**
 * Smallest batch the pool splits, in multiply-adds of its forward pass (rows × time steps ×
 * parameters): below it, posting the batch, publishing the weights and reducing the gradients
 * costs more than the other threads save, so the batch runs on this thread alone. Measured with
 * bench/threads.ts on the project's 2-core VM.
 */
export const MIN_POOL_WORK = 30_000_000;

interface PendingReply {
  resolve(r: BatchResult | Tensor): void;
  reject(e: Error): void;
}

/**
 * Data-parallel training on threads: each batch's rows are split between this thread and workers,
 * each running a replica of the model (float32 only) on its own WebAssembly kernels, and the
 * gradients are reduced into the model, equal to one thread's up to float rounding. Weights,
 * gradients and the training set live in SharedArrayBuffers (browsers: the page must be
 * cross-origin isolated). Batches too small to gain run on this thread alone. Use it as fit()'s
 * `executor`; in Node, createThreadPool() builds one. close() it when done.
 */
export class ThreadPool implements BatchExecutor {
  /** How the threads share a batch: replicas in workers. */
  readonly mode = 'workers' as const;
  /** Threads, this one included. */
  readonly threads: number;
  private readonly model: Model;
  private readonly ports: PoolPort[];
  private readonly pending: (PendingReply | null)[];
  private readonly weights: Float32Array; // all parameters, concatenated
  private readonly grads: Float32Array[]; // one region per worker
  private readonly offsets: number[];
  private readonly rng = new Rng(0x5eed);
  private readonly datasets = new WeakMap<Tensor, { id: number; y: Tensor }>();
  private nextData = 0;
  private readonly minWork: number;

  private constructor(model: Model, ports: PoolPort[], weights: Float32Array, grads: Float32Array[], offsets: number[], minWork: number) {
    this.model = model;
    this.minWork = minWork;
    this.threads = ports.length + 1;
    this.ports = ports;
    this.pending = ports.map(() => null);
    this.weights = weights;
    this.grads = grads;
    this.offsets = offsets;
    ports.forEach((port, k) => {
      port.listen(
        (m) => {
          const p = this.pending[k];
          if (p === null) return;
          this.pending[k] = null;
          if (m.type === 'result') p.resolve(m.result);
          else if (m.type === 'output') p.resolve(new Tensor(m.data, m.shape));
          else if (m.type === 'error') p.reject(workerError(m, k));
        },
        (e) => {
          const p = this.pending[k];
          this.pending[k] = null;
          p?.reject(new KernelError(`[ThreadPool] worker ${k + 1} crashed: ${e.message}`));
        },
      );
    });
  }

  /**
   * A pool of `threads` threads: this one plus threads − 1 workers made by `spawn`, each given a
   * replica of `model` (float32 models only) and the WebAssembly binaries to compute with.
   * Throws ConfigError for a bad thread count, a float64 model or no SharedArrayBuffer;
   * KernelError when a worker fails to start.
   */
  static async create(model: Model, threads: number, spawn: () => PoolPort, wasm: WasmBinaries | null, minWork = MIN_POOL_WORK): Promise<ThreadPool> {
    if (!Number.isInteger(threads) || threads < 1) throw new ConfigError(`[ThreadPool] threads must be a positive integer; received ${threads}.`);
    if (model.dtype !== 'float32') throw new ConfigError(`[ThreadPool] threads train float32 models; received a ${model.dtype} model.`);
    if (typeof SharedArrayBuffer === 'undefined') {
      throw new ConfigError('[ThreadPool] threads need SharedArrayBuffer; in a browser the page must be cross-origin isolated (COOP + COEP headers).');
    }
    const params = model.params();
    const offsets: number[] = [];
    let total = 0;
    for (const p of params) {
      offsets.push(total);
      total += p.value.length;
    }
    const weights = new Float32Array(new SharedArrayBuffer(4 * total));
    const grads: Float32Array[] = [];
    const ports: PoolPort[] = [];
    const bytes = modelToBytes(model);
    try {
      for (let k = 0; k < threads - 1; k++) {
        const g = new Float32Array(new SharedArrayBuffer(4 * total));
        grads.push(g);
        const port = spawn();
        ports.push(port);
        await new Promise<void>((resolve, reject) => {
          port.listen(
            (m) => (m.type === 'ready' ? resolve() : reject(new KernelError(`[ThreadPool] worker ${k + 1} failed to start: ${m.type === 'error' ? m.message : m.type}`))),
            reject,
          );
          port.post({ type: 'init', modelBytes: bytes, weights: weights.buffer as SharedArrayBuffer, grads: g.buffer as SharedArrayBuffer, wasm });
        });
      }
    } catch (e) {
      await Promise.all(ports.map((p) => p.terminate()));
      throw e;
    }
    return new ThreadPool(model, ports, weights, grads, offsets, minWork);
  }

  /** Forward + backward of one batch across the threads; leaves the batch's mean gradient in the model. */
  async run(job: BatchJob): Promise<BatchResult> {
    if (job.model !== this.model) throw new ConfigError('[ThreadPool] this pool was created for another model.');
    const rows = job.rows;
    const parts = this.partsFor(rows.length, job.x, this.minWork);
    if (parts === 1) {
      const loss = resolveLoss(job.lossName, job.lossOptions);
      return localBatch(this.model, loss.fn, loss.classification, gatherRows(job.x, rows), gatherRows(job.y, rows), job.lengths === null ? undefined : gatherInts(job.lengths, rows), new Rng(this.rng.nextU32()));
    }
    const data = this.shareData(job);
    const params = this.publishWeights();
    const bounds = Array.from({ length: parts + 1 }, (_, k) => Math.round((k * rows.length) / parts));
    const seeds = Array.from({ length: parts }, () => this.rng.nextU32());
    const replies: Promise<BatchResult>[] = [];
    for (let k = 1; k < parts; k++) {
      const w = k - 1;
      replies.push(
        new Promise<BatchResult>((resolve, reject) => {
          this.pending[w] = { resolve: (r) => resolve(r as BatchResult), reject };
          this.ports[w].post({ type: 'batch', data, rows: rows.slice(bounds[k], bounds[k + 1]), lossName: job.lossName, lossOptions: job.lossOptions, seed: seeds[k] });
        }),
      );
    }
    // this thread's share, computed while the workers compute theirs
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

  /**
   * Inference split by rows across the threads (float32 input (N, …); lengths for right-padded
   * sequences): the same numbers as model.predict, up to kernel rounding.
   */
  async predict(x: Tensor, options: { lengths?: ArrayLike<number> } = {}): Promise<Tensor> {
    const N = x.shape[0];
    const lens = options.lengths === undefined ? null : Int32Array.from(options.lengths);
    if (lens !== null && lens.length !== N) throw new ConfigError(`[ThreadPool.predict] lengths must have one entry per row of x (${N}); received ${lens.length}.`);
    const parts = this.partsFor(N, x, 3 * this.minWork); // a forward pass alone gains a third as much per hand-off
    if (parts === 1) return this.model.call(x, { training: false, lengths: lens ?? undefined });
    this.publishWeights();
    const bounds = Array.from({ length: parts + 1 }, (_, k) => Math.round((k * N) / parts));
    const row = x.size / N;
    const outs: Promise<Tensor>[] = [];
    for (let k = 1; k < parts; k++) {
      const w = k - 1;
      outs.push(
        new Promise<Tensor>((resolve, reject) => {
          this.pending[w] = { resolve: (r) => resolve(r as Tensor), reject };
          const xs = Float32Array.from(x.data.subarray(bounds[k] * row, bounds[k + 1] * row));
          this.ports[w].post({ type: 'predict', x: xs, shape: [bounds[k + 1] - bounds[k], ...x.shape.slice(1)], lengths: lens === null ? null : lens.slice(bounds[k], bounds[k + 1]) });
        }),
      );
    }
    const mine = this.model.call(sliceRows(x, bounds[0], bounds[1]), { training: false, lengths: lens === null ? undefined : lens.slice(bounds[0], bounds[1]) });
    return concatRows([mine, ...(await Promise.all(outs))]);
  }

  /** Threads for `rows` rows of x: all of them (at most one per row) when the forward pass's work (rows × steps × parameters) reaches `min`, else 1. */
  private partsFor(rows: number, x: Tensor, min: number): number {
    const T = x.rank >= 3 ? x.shape[1] : 1;
    return rows * T * this.weights.length < min ? 1 : Math.min(this.threads, rows);
  }

  /** Copy the model's current weights where the workers read them; returns the parameters. */
  private publishWeights(): ReturnType<Model['params']> {
    const params = this.model.params();
    params.forEach((p, k) => this.weights.set(p.value, this.offsets[k]));
    return params;
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
    for (const p of this.ports) p.post({ type: 'data', id, x: share(job.x), xShape: [...job.x.shape], y: share(job.y), yShape: [...job.y.shape], lengths });
    this.datasets.set(job.x, { id, y: job.y });
    return id;
  }

  /** Stop the workers. The pool must not be used afterwards. */
  async close(): Promise<void> {
    for (const p of this.ports) p.post({ type: 'close' });
    await Promise.all(this.ports.map((p) => p.terminate()));
  }
}

/** The library's error classes by name: a worker's failure comes back as the class it was thrown as. */
const ERRORS: Record<string, new (message: string) => Error> = { ShapeError, ConfigError, NonFiniteError, FormatError, DivergenceError, UnsupportedError, KernelError };

/** A worker's error, rethrown on this thread with its class (KernelError for anything else). */
function workerError(m: { message: string; name: string }, k: number): Error {
  const Cls = Object.prototype.hasOwnProperty.call(ERRORS, m.name) ? ERRORS[m.name] : KernelError;
  return new Cls(`[ThreadPool] worker ${k + 1}: ${m.message}`);
}

// ---------------------------------------------------------------- the worker side

interface WorkerState {
  model: Model | null;
  weights: Float32Array;
  grads: Float32Array;
  data: Map<number, { x: Tensor; y: Tensor; lengths: Int32Array | null }>;
}

/** Copy the shared weights into a replica's parameters (same order as the main model's params()). */
function pullWeights(model: Model, weights: Float32Array): ReturnType<Model['params']> {
  const params = model.params();
  let off = 0;
  for (const p of params) {
    p.value.set(weights.subarray(off, off + p.value.length));
    off += p.value.length;
  }
  return params;
}

/** A worker's whole behaviour: the edges feed it messages in order and send its replies. */
export function createPoolWorker(reply: (m: PoolReply) => void, onClose: () => void): (m: PoolRequest) => void {
  const st: WorkerState = { model: null, weights: new Float32Array(0), grads: new Float32Array(0), data: new Map() };
  return (m) => {
    try {
      if (m.type === 'init') {
        let kernel = 'ref';
        if (m.wasm !== null) {
          const k = createWasmKernels(m.wasm);
          if (k !== null) {
            registerKernels(k);
            kernel = `wasm (${k.variant})`;
          }
        }
        st.model = modelFromBytes(m.modelBytes).model;
        st.weights = new Float32Array(m.weights);
        st.grads = new Float32Array(m.grads);
        reply({ type: 'ready', kernel });
      } else if (m.type === 'data') {
        st.data.set(m.id, {
          x: new Tensor(new Float32Array(m.x), m.xShape),
          y: new Tensor(new Float32Array(m.y), m.yShape),
          lengths: m.lengths === null ? null : new Int32Array(m.lengths),
        });
      } else if (m.type === 'batch') {
        const d = st.data.get(m.data);
        if (d === undefined || st.model === null) throw new KernelError(`batch before its data (${m.data}) or before init`);
        const params = pullWeights(st.model, st.weights);
        const loss = resolveLoss(m.lossName as LossName, m.lossOptions as LossOptions | undefined);
        const result = localBatch(
          st.model, loss.fn, loss.classification,
          gatherRows(d.x, m.rows), gatherRows(d.y, m.rows), d.lengths === null ? undefined : gatherInts(d.lengths, m.rows),
          new Rng(m.seed),
        );
        let off = 0;
        for (const p of params) {
          st.grads.set(p.grad, off);
          off += p.grad.length;
        }
        reply({ type: 'result', result });
      } else if (m.type === 'predict') {
        if (st.model === null) throw new KernelError('predict before init');
        pullWeights(st.model, st.weights);
        const y = st.model.call(new Tensor(m.x, m.shape), { training: false, lengths: m.lengths ?? undefined });
        const data = y.data instanceof Float32Array ? y.data : Float32Array.from(y.data);
        reply({ type: 'output', data, shape: [...y.shape] });
      } else if (m.type === 'close') {
        onClose();
      }
    } catch (e) {
      reply({ type: 'error', message: (e as Error).message, name: (e as Error).name });
    }
  };
}
