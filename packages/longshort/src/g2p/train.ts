// The G2P training loop. CTC takes label sequences rather than a y tensor, so this is a small loop
// of its own instead of src/train/fit.ts, around the same training step (src/train/step.ts):
// pad a batch of words, run the network in training mode, CTC loss against the word's first
// reachable pronunciation (buildG2PData keeps only pronunciations that fit in letters × repeat
// frames), backward, clip, the optimizer's update — over a seeded, length-bucketed batch order. A
// wall-clock budget (maxSeconds) stops after the batch that crosses it.
// Recipe hooks (src/g2p/recipe.ts builds schedules, early stopping, checkpoints and averaging on
// them): an optimizer of the caller's, a callback after every optimizer step, onEpochEnd may answer
// 'stop', and startEpoch + rng continue an interrupted run.
// Left out: training on alternate pronunciations (they are still accepted as correct by the evaluation).

import { ConfigError, DivergenceError } from '../errors.js';
import type { Sequential } from '../nn/sequential.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { Rng } from '../util/rng.js';
import { computeGradients, trainStep } from '../train/step.js';
import { ctcLoss } from '../losses/ctc.js';
import type { G2PExample } from '../data/cmudict.js';
import { bucketedBatches, makeBatch } from './batch.js';
import { evaluateG2P } from './infer.js';

/** What trainG2P's onBatchEnd receives after each batch. */
export interface G2PBatchLog {
  /** Epoch number, from 1 (or startEpoch). */
  epoch: number;
  /** Batch number within the epoch, from 1. */
  batch: number;
  /** Batches planned this epoch. */
  batches: number;
  /** CTC loss of this batch (mean over words of -log p / phonemes). */
  loss: number;
}

/** One epoch of trainG2P: its training loss, and the validation error rates when validation was given. */
export interface G2PEpochLog {
  /** Epoch number, from 1 (or startEpoch). */
  epoch: number;
  /** Mean training CTC loss over the epoch's batches (per phoneme, PyTorch 'mean'). */
  loss: number;
  /** Batches run this epoch (fewer than planned when the time budget ran out). */
  batches: number;
  /** Seconds since training started. */
  elapsed: number;
  /** Greedy phoneme / word error rate on `validation`, when given. */
  valPhonemeErrorRate?: number;
  /** Greedy word error rate on `validation` (a word is right when it equals any of its pronunciations). */
  valWordErrorRate?: number;
}

/** Options of trainG2P: epochs, batches, Adam, clipping, a time budget, validation, callbacks and the hooks a resumed run needs. */
export interface G2PTrainOptions {
  /** Passes over the training words. Default 10. */
  epochs?: number;
  /** Words per batch. Default 32. */
  batchSize?: number;
  /** Adam learning rate. Default 2e-3. */
  lr?: number;
  /** Clip the global gradient norm to this (0 = off). Default 5. */
  clipNorm?: number;
  /** Seed of the batch order (model initialisation has its own seed). Default 0. */
  seed?: number;
  /** Stop after the batch that crosses this many seconds. Default Infinity. */
  maxSeconds?: number;
  /** Scored after every epoch (greedy decoding). */
  validation?: readonly G2PExample[];
  /** Called after every batch (awaited). */
  onBatchEnd?: (log: G2PBatchLog) => void | Promise<void>;
  /** Answer 'stop' to end training after this epoch (early stopping). */
  onEpochEnd?: (log: G2PEpochLog) => void | 'stop' | Promise<void | 'stop'>;
  // ---- recipe hooks (src/g2p/recipe.ts)
  /** Step this optimizer (over model.params(), e.g. a resumed Adam or SGD) instead of a new Adam(lr); `lr` is then ignored. */
  optimizer?: Optimizer;
  /** Called after every optimizer step with the number of steps taken in this call (a per-step learning-rate schedule). */
  afterStep?: (step: number) => void;
  /** Number of the first epoch to run, when resuming after startEpoch − 1 finished ones. Default 1. `epochs` stays the last epoch's number. */
  startEpoch?: number;
  /** Generator of the batch order, when resuming (its saved state); default new Rng(seed). */
  rng?: Rng;
}

/** What trainG2P returns. */
export interface G2PTrainResult {
  /** One entry per epoch run. */
  history: G2PEpochLog[];
  /** Wall-clock seconds of the whole call. */
  seconds: number;
  /** Why training ended. */
  stoppedBy: 'epochs' | 'time' | 'callback';
}

const YIELD_EVERY = 8;

const clock = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Train a G2P network (buildG2PModel) with CTC loss on `train`, in place: seeded length-bucketed
 * batches, Adam (or options.optimizer), gradient clipping, optional validation after each epoch.
 * Examples need at least one target pronunciation (buildG2PData). Throws ConfigError for bad
 * options or data, DivergenceError when the loss or gradients become non-finite.
 */
export async function trainG2P(model: Sequential, train: readonly G2PExample[], options: G2PTrainOptions = {}): Promise<G2PTrainResult> {
  const { epochs = 10, batchSize = 32, lr = 2e-3, clipNorm = 5, seed = 0, maxSeconds = Infinity, validation } = options;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`[trainG2P] epochs must be a non-negative integer; received ${epochs}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`[trainG2P] batchSize must be a positive integer; received ${batchSize}.`);
  if (!(clipNorm >= 0)) throw new ConfigError(`[trainG2P] clipNorm must be >= 0 (0 = off); received ${clipNorm}.`);
  if (!(maxSeconds > 0)) throw new ConfigError(`[trainG2P] maxSeconds must be > 0; received ${maxSeconds}.`);
  if (train.length === 0) throw new ConfigError('[trainG2P] train must hold at least one word; received 0. Hint: raise --limit.');
  train.forEach((e, i) => {
    if (e.targets.length === 0) {
      throw new ConfigError(`[trainG2P] train[${i}] ('${e.word}') has no pronunciation to learn; received targets = []. Hint: build training data with buildG2PData.`);
    }
  });

  const params = model.params();
  const optimizer = options.optimizer ?? new Adam(params, { lr });
  const rng = options.rng ?? new Rng(seed);
  const startEpoch = options.startEpoch ?? 1;
  if (!Number.isInteger(startEpoch) || startEpoch < 1) throw new ConfigError(`[trainG2P] startEpoch must be a positive integer; received ${startEpoch}.`);
  let steps = 0;
  const lengthsOf = Int32Array.from(train, (e) => e.input.length);
  const history: G2PEpochLog[] = [];
  const t0 = clock();
  const elapsed = (): number => (clock() - t0) / 1000;
  let stoppedBy: G2PTrainResult['stoppedBy'] = 'epochs';

  for (let epoch = startEpoch; epoch <= epochs && stoppedBy === 'epochs'; epoch++) {
    const batches = bucketedBatches(lengthsOf, batchSize, rng);
    let lossSum = 0;
    let done = 0;
    for (let k = 0; k < batches.length; k++) {
      const batch = makeBatch(Array.from(batches[k], (i) => train[i]));
      // only a pronunciation that fits can be a target; zeroInfinity guards hand-made example lists
      const targets = batch.examples.map((e) => e.targets[0]);
      const step = await trainStep(
        params,
        optimizer,
        () =>
          computeGradients(
            model,
            () => model.call(batch.x, { training: true, lengths: batch.lengths }), // (B,T,C) logits
            (logits) => ({ ...ctcLoss(logits, targets, batch.lengths, undefined, { blank: 0, reduction: 'mean', zeroInfinity: true }), divisor: 1 }),
          ),
        { clipNorm: clipNorm > 0 ? clipNorm : undefined, afterUpdate: options.afterStep ? () => options.afterStep!(++steps) : undefined },
      );
      if (!step.ok) {
        throw new DivergenceError(
          `[trainG2P] the CTC ${step.problem} at epoch ${epoch}, batch ${k + 1} of ${batches.length}. Hint: lower lr (received ${lr}) or clipNorm (received ${clipNorm}).`,
        );
      }
      const loss = step.result.loss;
      lossSum += loss;
      done++;
      if (options.onBatchEnd) await options.onBatchEnd({ epoch, batch: k + 1, batches: batches.length, loss });
      // give the event loop a turn now and then (progress output, signals)
      if ((k + 1) % YIELD_EVERY === 0) await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (elapsed() >= maxSeconds) {
        stoppedBy = 'time';
        break;
      }
    }
    const log: G2PEpochLog = { epoch, loss: lossSum / Math.max(done, 1), batches: done, elapsed: 0 };
    if (validation !== undefined && validation.length > 0) {
      const v = evaluateG2P(model, validation);
      log.valPhonemeErrorRate = v.phonemeErrorRate;
      log.valWordErrorRate = v.wordErrorRate;
    }
    log.elapsed = elapsed();
    history.push(log);
    if (options.onEpochEnd && (await options.onEpochEnd(log)) === 'stop' && stoppedBy === 'epochs') stoppedBy = 'callback';
  }
  return { history, seconds: elapsed(), stoppedBy };
}
