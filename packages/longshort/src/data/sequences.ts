// Variable-length sequences kept ragged (one array per example) and padded per batch, never to
// the longest sequence of the whole set: one 40 000-step outlier among 10 000 short sequences
// costs one padded batch, not a 10 000 × 40 000 tensor. Batches are length-bucketed (examples of
// similar length travel together) so little time goes into padded steps. Browser-safe.
//
// fit() gets these batches through its executor hook: fit runs batches in order (shuffle: false)
// and asks the executor for batch b of epoch e; the executor looks up which examples that is in a
// seeded plan made from (seed, e), pads them, and runs forward and backward. The plan depends only
// on the seed and the epoch, so a resumed run draws the same batches as an uninterrupted one.
//
// dim key: N examples, B rows in a batch, T_b the longest length in batch b, F features per step.
// Left out: bucketing by exact length boundaries (PyTorch's BucketIterator), and worker threads: a
// thread pool (src/train/threads.ts) shares one fixed x tensor with its workers, so `longshort
// train --threads N` pads once to the longest sequence, and refuses when that would cost more than
// 4× the data.

import { Tensor } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { localBatch, evaluate, type BatchExecutor, type BatchJob, type BatchResult } from '../train/fit.js';
import { resolveLoss, type LossName } from '../train/losses.js';
import type { Sequential } from '../nn/sequential.js';

/** Examples of (T_i, F) steps, each stored row-major in its own array. */
export interface RaggedSequences {
  /** One (T_i · F) array per example. */
  seqs: readonly Float32Array[];
  /** T_i per example, each ≥ 1. */
  lengths: Int32Array;
  /** Features per step. */
  F: number;
}

/**
 * Right-pad examples `idx` into x (B, T_b, F), T_b = their longest length, zeros past each
 * length, with the lengths alongside.
 */
export function padBatch(data: RaggedSequences, idx: ArrayLike<number>): { x: Tensor; lengths: Int32Array } {
  const B = idx.length;
  if (B === 0) throw new ShapeError('[padBatch] idx must name at least one example; received none.');
  const F = data.F;
  const lengths = new Int32Array(B);
  let T = 0;
  for (let b = 0; b < B; b++) {
    const i = idx[b];
    if (!Number.isInteger(i) || i < 0 || i >= data.seqs.length) throw new ShapeError(`[padBatch] idx[${b}] must be an example index in [0, ${data.seqs.length}); received ${i}.`);
    lengths[b] = data.lengths[i];
    if (lengths[b] > T) T = lengths[b];
  }
  const x = new Float32Array(B * T * F); // (B, T, F)
  for (let b = 0; b < B; b++) x.set(data.seqs[idx[b]].subarray(0, lengths[b] * F), b * T * F);
  return { x: new Tensor(x, [B, T, F]), lengths };
}

/**
 * An epoch's order of all N examples in which every run of `batchSize` consecutive entries is a
 * length bucket: shuffle, cut into pools of batchSize·poolBatches, sort each pool by length
 * (stable), cut into batches, shuffle the batches. The one short batch (N mod batchSize) stays last
 * so that fit's chunks [b·batchSize, (b+1)·batchSize) line up with the buckets.
 */
export function bucketedOrder(lengths: ArrayLike<number>, batchSize: number, rng: Rng, poolBatches = 32): Int32Array {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`[bucketedOrder] batchSize must be a positive integer; received ${batchSize}.`);
  const N = lengths.length;
  const order = rng.permutation(N);
  const pool = batchSize * Math.max(1, poolBatches);
  const full: Int32Array[] = [];
  let tail: Int32Array | null = null;
  for (let s = 0; s < N; s += pool) {
    const chunk = Array.from(order.subarray(s, Math.min(N, s + pool)));
    chunk.sort((a, b) => lengths[a] - lengths[b]);
    for (let k = 0; k < chunk.length; k += batchSize) {
      const batch = Int32Array.from(chunk.slice(k, k + batchSize));
      if (batch.length === batchSize) full.push(batch);
      else tail = batch; // only the last pool can end short
    }
  }
  rng.shuffle(full);
  const out = new Int32Array(N);
  let p = 0;
  for (const b of full) {
    out.set(b, p);
    p += b.length;
  }
  if (tail !== null) out.set(tail, p);
  return out;
}

/** Options of a PaddedBatchExecutor. */
export interface PaddedBatchOptions {
  /** Examples per batch; must equal fit()'s batchSize. */
  batchSize: number;
  /** Seed of the batch plans (the plan of epoch e is a function of seed and e only). */
  seed: number;
  /** Epochs already done (when resuming), so the first epoch run uses plan `startEpoch`. */
  startEpoch?: number;
}

/**
 * fit()'s executor for ragged data: pass `x` = placeholderRows(N) and the real y, shuffle: false,
 * and the same batchSize. Each call pads the bucket the plan assigns to those positions.
 */
export class PaddedBatchExecutor implements BatchExecutor {
  private epoch: number;
  private plan: Int32Array | null = null;
  private readonly batchSize: number;
  private readonly seed: number;

  /** An executor over `data`; a batchSize that is not a positive integer throws ConfigError. */
  constructor(
    private readonly data: RaggedSequences,
    options: PaddedBatchOptions,
  ) {
    const { batchSize, seed } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`[PaddedBatchExecutor] batchSize must be a positive integer; received ${batchSize}.`);
    this.batchSize = batchSize;
    this.seed = seed;
    this.epoch = (options.startEpoch ?? 0) - 1;
  }

  /** The order of epoch e (0-based). */
  planFor(epoch: number): Int32Array {
    const rng = new Rng((this.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
    return bucketedOrder(this.data.lengths, this.batchSize, rng);
  }

  /**
   * Pad and run the examples that this epoch's plan puts at the job's positions (forward, loss,
   * backward on this thread). Rows out of order (fit without `shuffle: false`) throw ConfigError.
   */
  async run(job: BatchJob): Promise<BatchResult> {
    const rows = job.rows;
    const start = rows[0];
    for (let k = 1; k < rows.length; k++) {
      if (rows[k] !== start + k) throw new ConfigError('[PaddedBatchExecutor] fit must run batches in order: pass shuffle: false (the executor shuffles, by length bucket).');
    }
    if (start === 0 || this.plan === null) {
      this.epoch++;
      this.plan = this.planFor(this.epoch);
    }
    const idx = this.plan.subarray(start, start + rows.length);
    const { x, lengths } = padBatch(this.data, idx);
    const loss = resolveLoss(job.lossName, job.lossOptions);
    return localBatch(job.model, loss.fn, loss.classification, x, gather(job.y, idx), lengths);
  }
}

/** x for fit() when an executor supplies the batches: N rows of nothing, (N, 0). */
export function placeholderRows(N: number): Tensor {
  return new Tensor(new Float32Array(0), [N, 0]);
}

/** Rows idx of t (along axis 0). */
export function gather(t: Tensor, idx: ArrayLike<number>): Tensor {
  const row = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(idx.length * row);
  for (let k = 0; k < idx.length; k++) out.set(t.data.subarray(idx[k] * row, (idx[k] + 1) * row), k * row);
  return new Tensor(out, [idx.length, ...t.shape.slice(1)]);
}

/**
 * Cuts examples (sorted by length, shortest first) into inference chunks of at most `batchSize`
 * examples and about `maxSteps` padded steps each, so that one very long sequence is padded with
 * few others (or none) instead of with a whole batch.
 */
export function lengthChunks(sorted: readonly number[], lengths: ArrayLike<number>, batchSize = 256, maxSteps = 1 << 16): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  for (const i of sorted) {
    // sorted ascending: this example is the longest so far, so the chunk's padded size is (count + 1) · lengths[i]
    if (cur.length > 0 && (cur.length >= batchSize || (cur.length + 1) * lengths[i] > maxSteps)) {
      out.push(cur);
      cur = [];
    }
    cur.push(i);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * Loss (and accuracy for classification) over examples `idx` in inference mode, on padded chunks
 * of similar length (lengthChunks). y holds one row per example of `data`.
 */
export function evaluateRagged(model: Sequential, data: RaggedSequences, y: Tensor, idx: readonly number[], loss: LossName, batchSize = 256): { loss: number; accuracy?: number } {
  const sorted = [...idx].sort((a, b) => data.lengths[a] - data.lengths[b]);
  let sum = 0;
  let acc = 0;
  let classification = false;
  for (const part of lengthChunks(sorted, data.lengths, batchSize)) {
    const { x, lengths } = padBatch(data, part);
    const r = evaluate(model, x, gather(y, part), { loss, lengths, batchSize });
    sum += r.loss * part.length;
    if (r.accuracy !== undefined) {
      classification = true;
      acc += r.accuracy * part.length;
    }
  }
  const out: { loss: number; accuracy?: number } = { loss: sum / sorted.length };
  if (classification) out.accuracy = acc / sorted.length;
  return out;
}

/** model output for examples `idx`, row k = example idx[k]; computed on padded chunks of similar length (lengthChunks). */
export function predictRagged(model: Sequential, data: RaggedSequences, idx: readonly number[], batchSize = 256): Float32Array[] {
  const order = idx.map((_, k) => k).sort((a, b) => data.lengths[idx[a]] - data.lengths[idx[b]]);
  const lengthOf = Int32Array.from(idx, (i) => data.lengths[i]);
  const out = new Array<Float32Array>(idx.length);
  for (const part of lengthChunks(order, lengthOf, batchSize)) {
    const { x, lengths } = padBatch(data, part.map((k) => idx[k]));
    const y = model.predict(x, { lengths });
    const row = y.size / part.length;
    part.forEach((k, n) => (out[k] = Float32Array.from(y.data.subarray(n * row, (n + 1) * row))));
  }
  return out;
}
