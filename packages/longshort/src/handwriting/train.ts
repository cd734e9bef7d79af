// The handwriting training loop: CTC on length-sorted shards (./dataset.ts), Adam with gradient-norm
// clipping and a per-epoch learning-rate decay, batches in a seeded order (shortest first in the
// first epoch). A batch runs either on
// this thread or through an executor — the library's thread pool (createThreadPool), which splits
// the batch's rows across worker threads with the loss named 'ctc' (targets as a padded (B, L)
// tensor, src/losses/ctcPadded.ts). A wall-clock budget (maxSeconds) stops after the batch that
// crosses it.
// Left out: exact resume from a checkpoint (the CLI saves the model after every epoch instead).

import { Tensor } from '../tensor.js';
import { ConfigError, DivergenceError } from '../errors.js';
import type { Sequential } from '../nn/sequential.js';
import { Adam } from '../optim/adam.js';
import { clipGradNorm, globalNorm } from '../optim/clip.js';
import { Rng } from '../util/rng.js';
import { ctcLossPadded } from '../losses/ctcPadded.js';
import type { Shard } from './dataset.js';

/** What the trainer needs of an executor (ThreadPool implements it). */
export interface CtcBatchExecutor {
  /** Forward, CTC loss and backward of rows `rows` of the shard; leaves the mean gradient in the model. */
  run(job: { model: Sequential; lossName: 'ctc'; x: Tensor; y: Tensor; lengths: Int32Array | null; rows: Int32Array }): Promise<{ loss: number; divisor: number; finite: boolean }>;
}

/** What trainHandwriting() passes to onBatchEnd. */
export interface HandwritingBatchLog {
  /** Epoch, 1-based. */
  epoch: number;
  /** Batch within the epoch, 1-based. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** The batch's mean CTC loss per label. */
  loss: number;
}

/** One epoch of trainHandwriting(). */
export interface HandwritingEpochLog {
  /** Epoch, 1-based. */
  epoch: number;
  /** Mean CTC loss per label over the epoch's batches. */
  loss: number;
  /** Batches run (fewer than planned when maxSeconds stopped the epoch). */
  batches: number;
  /** The epoch's learning rate. */
  lr: number;
  /** Seconds since training started. */
  elapsed: number;
  /** Set by onEpochEnd callers that score a validation set (kept in the history). */
  validation?: Record<string, number>;
}

/** Options of trainHandwriting(); bad values throw ConfigError. */
export interface HandwritingTrainOptions {
  /** Passes over the shards. Default 10. */
  epochs?: number;
  /** Inks per batch. Default 32. */
  batchSize?: number;
  /** Adam learning rate. Default 1e-3. */
  lr?: number;
  /** Learning rate × this after every epoch. Default 1 (constant). */
  lrDecay?: number;
  /** Clip the global gradient norm (0 = off). Default 5. */
  clipNorm?: number;
  /** Seed of the batch order. Default 0. */
  seed?: number;
  /** Wall-clock budget in seconds: training stops after the batch that crosses it. Default no limit. */
  maxSeconds?: number;
  /** First epoch in order of length, shortest first (shards are length-sorted). Default true. */
  sortaGrad?: boolean;
  /** Run batches elsewhere, e.g. a thread pool (createThreadPool); default this thread. */
  executor?: CtcBatchExecutor;
  /** After every batch; awaited. */
  onBatchEnd?: (log: HandwritingBatchLog) => void | Promise<void>;
  /** After every epoch (e.g. to score validation data into log.validation, or save the model); awaited. */
  onEpochEnd?: (log: HandwritingEpochLog) => void | Promise<void>;
}

/** What trainHandwriting() resolves to. */
export interface HandwritingTrainResult {
  /** One log per epoch. */
  history: HandwritingEpochLog[];
  /** Wall time, in seconds. */
  seconds: number;
  /** Whether all epochs ran or maxSeconds stopped training. */
  stoppedBy: 'epochs' | 'time';
}

const clock = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Rows `rows` of a shard as their own tensors, trimmed to the longest row's frames. */
function gather(shard: Shard, rows: Int32Array): { x: Tensor; y: Tensor; lengths: Int32Array } {
  const [, T, W] = shard.x.shape;
  const L = shard.y.shape[1];
  const B = rows.length;
  let Tb = 1;
  for (const r of rows) Tb = Math.max(Tb, shard.lengths[r]);
  const x = new Float32Array(B * Tb * W); // (B,Tb,W)
  const y = new Float32Array(B * L); // (B,L)
  const lengths = new Int32Array(B);
  rows.forEach((r, b) => {
    x.set(shard.x.data.subarray(r * T * W, r * T * W + Tb * W), b * Tb * W);
    y.set(shard.y.data.subarray(r * L, (r + 1) * L), b * L);
    lengths[b] = shard.lengths[r];
  });
  return { x: new Tensor(x, [B, Tb, W]), y: new Tensor(y, [B, L]), lengths };
}

/** One batch's forward and backward on this thread; the model's gradients hold the batch mean after. */
function localStep(model: Sequential, shard: Shard, rows: Int32Array, rng: Rng): { loss: number; finite: boolean } {
  const b = gather(shard, rows);
  model.zeroGrad();
  const logits = model.call(b.x, { training: true, lengths: b.lengths, rng }); // (B,T,C)
  for (let i = 0; i < logits.data.length; i++) if (!Number.isFinite(logits.data[i])) return { loss: NaN, finite: false };
  const r = ctcLossPadded(logits, b.y, { lengths: b.lengths });
  if (!Number.isFinite(r.loss)) return { loss: r.loss, finite: false };
  model.callBackward(r.grad!);
  return { loss: r.loss, finite: true };
}

/**
 * Trains a handwriting model (buildHandwritingModel) with CTC on padded shards: Adam with
 * gradient-norm clipping and a per-epoch learning-rate decay, seeded batch order (shortest first
 * in the first epoch with sortaGrad). Throws ConfigError for bad options, DivergenceError when the
 * loss or gradient becomes non-finite (the model keeps the weights from before that batch).
 */
export async function trainHandwriting(model: Sequential, shards: readonly Shard[], options: HandwritingTrainOptions = {}): Promise<HandwritingTrainResult> {
  const { epochs = 10, batchSize = 32, lr = 1e-3, lrDecay = 1, clipNorm = 5, seed = 0, maxSeconds = Infinity, executor, sortaGrad = true } = options;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`[trainHandwriting] epochs must be a non-negative integer; received ${epochs}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`[trainHandwriting] batchSize must be a positive integer; received ${batchSize}.`);
  if (!(lr > 0) || !(lrDecay > 0 && lrDecay <= 1)) throw new ConfigError(`[trainHandwriting] lr must be > 0 and lrDecay in (0, 1]; received lr=${lr}, lrDecay=${lrDecay}.`);
  if (!(clipNorm >= 0)) throw new ConfigError(`[trainHandwriting] clipNorm must be >= 0 (0 = off); received ${clipNorm}.`);
  if (!(maxSeconds > 0)) throw new ConfigError(`[trainHandwriting] maxSeconds must be > 0; received ${maxSeconds}.`);
  if (shards.length === 0) throw new ConfigError('[trainHandwriting] shards must hold at least one shard; received 0.');
  const params = model.params();
  const optimizer = new Adam(params, { lr });
  const rng = new Rng(seed);
  const history: HandwritingEpochLog[] = [];
  const t0 = clock();
  const elapsed = (): number => (clock() - t0) / 1000;
  let stoppedBy: HandwritingTrainResult['stoppedBy'] = 'epochs';
  const lastGood = params.map((p) => p.value.slice());

  for (let epoch = 1; epoch <= epochs && stoppedBy === 'epochs'; epoch++) {
    optimizer.lr = lr * lrDecay ** (epoch - 1);
    // batches: each shard's rows shuffled and cut, then all batches shuffled
    const batches: { shard: number; rows: Int32Array }[] = [];
    shards.forEach((s, k) => {
      const perm = rng.permutation(s.lengths.length);
      for (let i = 0; i < perm.length; i += batchSize) batches.push({ shard: k, rows: perm.slice(i, i + batchSize) });
    });
    // SortaGrad (Amodei et al. 2016, Deep Speech 2 §3.1): the first epoch goes from short inks to
    // long ones, which gets CTC past its all-blank plateau sooner; later epochs are shuffled
    if (!(epoch === 1 && sortaGrad)) rng.shuffle(batches);
    let lossSum = 0;
    let done = 0;
    for (let k = 0; k < batches.length; k++) {
      const { shard, rows } = batches[k];
      const s = shards[shard];
      const r = executor
        ? await executor.run({ model, lossName: 'ctc', x: s.x, y: s.y, lengths: s.lengths, rows })
        : localStep(model, s, rows, model.rng);
      const norm = r.finite ? globalNorm(params, 2) : NaN;
      if (!r.finite || !Number.isFinite(norm)) {
        for (let i = 0; i < params.length; i++) params[i].value.set(lastGood[i]);
        throw new DivergenceError(
          `[trainHandwriting] the CTC loss or its gradient became non-finite (loss ${r.loss}) at epoch ${epoch}, batch ${k + 1} of ${batches.length}; the model keeps the weights from before it. ` +
            `Hint: lower lr (received ${lr}) or clipNorm (received ${clipNorm}).`,
        );
      }
      if (clipNorm > 0) clipGradNorm(params, clipNorm);
      optimizer.step();
      for (let i = 0; i < params.length; i++) lastGood[i].set(params[i].value);
      lossSum += r.loss;
      done++;
      if (options.onBatchEnd) await options.onBatchEnd({ epoch, batch: k + 1, batches: batches.length, loss: r.loss });
      // a turn of the event loop now and then: progress output, signals, and the finalizers that
      // return the WebAssembly kernels' caches of earlier batch shapes (see src/g2p/train.ts)
      if ((k + 1) % 8 === 0) await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (elapsed() >= maxSeconds) {
        stoppedBy = 'time';
        break;
      }
    }
    const log: HandwritingEpochLog = { epoch, loss: lossSum / Math.max(done, 1), batches: done, lr: optimizer.lr, elapsed: elapsed() };
    if (options.onEpochEnd) await options.onEpochEnd(log);
    log.elapsed = elapsed();
    history.push(log);
  }
  return { history, seconds: elapsed(), stoppedBy };
}
