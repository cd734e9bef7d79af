// Threads for the training commands (--threads): more threads pay only when a batch holds enough
// work to share; on a small problem the cost of handing the batch out and adding the gradients
// back exceeds the saving (measured: sine data, hidden 8, 2 threads took 23 ms per epoch against
// 13 ms on one). So a pool is not trusted blindly: before training, a few batches are timed on the
// pool and on this thread alone (gradients only; the weights do not change), interleaved so that
// other programs' load hits both alike, and the best time of each counts.
//   --threads auto   keeps the faster (1, or every core)
//   --threads N > 1  keeps N, as asked, with a note when one thread measured faster
// The measurement is a decision at run time, not a benchmark: `npm run bench` measures threads.

import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';
import type { FitOptions, Sequential, Tensor, TrainingThreads } from 'longshort';
import { Output } from './util.js';

export type ThreadsChoice = number | 'auto';

/** The --threads parser: a whole number >= 1, or auto. */
export function threadsOption(v: string): ThreadsChoice {
  if (v.trim() === 'auto') return 'auto';
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`--threads must be a whole number >= 1 or auto; received '${v}'.`);
  return n;
}

/** Rows [0, n) of a (N, …) tensor, as a new tensor. */
function firstRows(t: Tensor, n: number, TensorClass: typeof Tensor): Tensor {
  const row = t.size / t.shape[0];
  return new TensorClass(t.data.slice(0, n * row), [n, ...t.shape.slice(1)]);
}

/** The best time (ms) of one batch on each pool, over `reps` interleaved runs after one warm-up each. */
async function timeBatches(pools: TrainingThreads[], model: Sequential, x: Tensor, y: Tensor, options: Pick<FitOptions, 'loss' | 'lossOptions' | 'lengths'>, reps = 5): Promise<number[]> {
  const { Tensor: TensorClass } = await import('longshort');
  const n = Math.min(x.shape[0], 32);
  const xs = firstRows(x, n, TensorClass), ys = firstRows(y, n, TensorClass);
  const lengths = options.lengths === undefined ? null : Int32Array.from(Array.from(options.lengths).slice(0, n));
  const job = { model, lossName: options.loss as Exclude<FitOptions['loss'], (...a: never[]) => unknown>, lossOptions: options.lossOptions, x: xs, y: ys, lengths, rows: Int32Array.from({ length: n }, (_, k) => k) };
  const best = pools.map(() => Infinity);
  for (let rep = 0; rep <= reps; rep++) {
    for (let k = 0; k < pools.length; k++) {
      const t0 = performance.now();
      await pools[k].run(job);
      if (rep > 0) best[k] = Math.min(best[k], performance.now() - t0);
    }
  }
  model.zeroGrad();
  return best;
}

/**
 * The pool to train with (null: this thread alone), after measuring it against one thread when
 * more than one is asked for. Logs what it measured and what it chose on stderr.
 */
export async function threadPoolFor(model: Sequential, x: Tensor, y: Tensor, options: Pick<FitOptions, 'loss' | 'lossOptions' | 'lengths'>, choice: ThreadsChoice, out: Output): Promise<TrainingThreads | null> {
  const cores = availableParallelism();
  const threads = choice === 'auto' ? cores : choice;
  if (threads <= 1) {
    if (choice === 'auto') out.log('threads: auto → 1 (one core)');
    return null;
  }
  if (typeof options.loss !== 'string') return (await import('longshort')).createThreadPool(model, { threads }); // a custom loss: nothing to measure with
  const { createThreadPool } = await import('longshort');
  const pool = await createThreadPool(model, { threads });
  const one = await createThreadPool(model, { threads: 1 }); // no workers: this thread's own batch
  let ms: number[];
  try {
    ms = await timeBatches([one, pool], model, x, y, options);
  } finally {
    await one.close();
  }
  const [t1, tn] = ms;
  const measured = `one batch took ${tn.toFixed(2)} ms on ${threads} threads, ${t1.toFixed(2)} ms on 1`;
  if (choice === 'auto') {
    const keep = tn < t1;
    out.log(`threads: auto → ${keep ? threads : 1} (${measured})`);
    if (keep) return pool;
    await pool.close();
    return null;
  }
  if (t1 <= tn) {
    out.log(`note: --threads ${threads} is slower than 1 thread on this problem (${measured}): a batch holds too little work to share. Training goes on with ${threads} as asked; --threads 1 (or auto) will be faster.`);
  } else {
    out.log(`threads: ${measured}`);
  }
  return pool;
}
