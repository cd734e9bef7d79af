// Batching G2P examples for the network: right-padded letter ids (B, T) with per-word lengths,
// and a seeded order of batches in which words of similar length travel together, so little
// time goes into padded frames. Browser-safe.
// Left out: anything model-specific (the loop is in ./train.ts).
//
// dim key: B words in the batch, T = the longest input in the batch (letters × repeat).

import { Tensor } from '../tensor.js';
import { ConfigError } from '../errors.js';
import type { Rng } from '../util/rng.js';
import type { G2PExample } from '../data/cmudict.js';

/** One padded batch of G2P examples (makeBatch). */
export interface G2PBatch {
  /** (B, T) letter ids as floats (the library has one tensor type), 0 past each word's length. */
  x: Tensor;
  /** (B) frames per word, each >= 1. */
  lengths: Int32Array;
  /** The batch's examples, in row order. */
  examples: G2PExample[];
}

/** Pad a list of examples into one batch. */
export function makeBatch(examples: readonly G2PExample[]): G2PBatch {
  const B = examples.length;
  if (B === 0) throw new ConfigError('[makeBatch] examples must hold at least one word; received 0.');
  let T = 0;
  for (const e of examples) {
    if (e.input.length === 0) throw new ConfigError(`[makeBatch] every word needs at least one letter; received an empty input for '${e.word}'.`);
    if (e.input.length > T) T = e.input.length;
  }
  const x = new Float32Array(B * T); // (B,T)
  const lengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const ids = examples[b].input;
    lengths[b] = ids.length;
    for (let t = 0; t < ids.length; t++) x[b * T + t] = ids[t];
  }
  return { x: new Tensor(x, [B, T]), lengths, examples: [...examples] };
}

/**
 * A seeded epoch order: shuffle all N indices, cut them into pools of `batchSize·poolBatches`, sort
 * each pool by length (ties keep the shuffled order), cut pools into batches, then shuffle the
 * batches. Every index appears exactly once. Same rng state → same batches.
 */
export function bucketedBatches(lengthsOf: ArrayLike<number>, batchSize: number, rng: Rng, poolBatches = 32): Int32Array[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`[bucketedBatches] batchSize must be a positive integer; received ${batchSize}.`);
  const N = lengthsOf.length;
  const order = rng.permutation(N);
  const pool = batchSize * Math.max(1, poolBatches);
  const batches: Int32Array[] = [];
  for (let s = 0; s < N; s += pool) {
    const chunk = Array.from(order.subarray(s, Math.min(N, s + pool)));
    chunk.sort((a, b) => lengthsOf[a] - lengthsOf[b]); // Array.prototype.sort is stable
    for (let k = 0; k < chunk.length; k += batchSize) batches.push(Int32Array.from(chunk.slice(k, k + batchSize)));
  }
  rng.shuffle(batches);
  return batches;
}

/**
 * n items spread evenly over a list (train[floor(i·N/n)]): on the word-sorted CMUdict split this
 * keeps every initial letter represented, and the subset depends on n only (not on a seed).
 */
export function evenSubset<T>(xs: readonly T[], n?: number): T[] {
  if (n === undefined || n >= xs.length) return [...xs];
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`[evenSubset] n must be a non-negative integer; received ${n}.`);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(xs[Math.floor((i * xs.length) / n)]);
  return out;
}
