// Training the phone recogniser with CTC. CTC takes label sequences rather than a y tensor, so,
// like src/g2p/train.ts, this is a small loop of its own over the library's parts: a seeded order
// of length-bucketed batches, features computed per batch (log-mel → Δ, ΔΔ → per-utterance
// normalisation → stacking; cheap next to the LSTM), the model's call/callBackward, the CTC loss
// (PyTorch's 'mean'), gradient-norm clipping and Adam with a per-epoch learning-rate decay.
// A wall-clock budget (maxSeconds) stops after the batch that crosses it.
// Left out: exact resume (the model is saved after each epoch by the caller), data-parallel
// threads (the thread pool takes fit's named losses; CTC is not one of them yet).

import { ConfigError, DivergenceError } from '../errors.js';
import type { Sequential } from '../nn/sequential.js';
import { Adam } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip.js';
import { Rng } from '../util/rng.js';
import { ctcLoss } from '../losses/ctc.js';
import { bucketedBatches } from '../g2p/batch.js';
import type { SpeechUtterance } from './data.js';
import { evaluateSpeech, makeSpeechBatch } from './infer.js';
import type { SpeechExtra } from './model.js';

/** What trainSpeech() passes to onBatchEnd. */
export interface SpeechBatchLog {
  /** Epoch, 1-based. */
  epoch: number;
  /** Batch within the epoch, 1-based. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** The batch's CTC loss (PyTorch's 'mean': per phone, averaged over utterances). */
  loss: number;
  /** Seconds since training started. */
  elapsed: number;
}

/** One epoch of trainSpeech(). */
export interface SpeechEpochLog {
  /** Epoch, 1-based. */
  epoch: number;
  /** Mean training CTC loss over the epoch's batches (per phone). */
  loss: number;
  /** Batches run (fewer than planned when a budget stopped the epoch). */
  batches: number;
  /** The learning rate of the epoch's last batch. */
  lr: number;
  /** Seconds since training started, validation included. */
  elapsed: number;
  /** Greedy phone error rate on `validation`, when given. */
  valPhoneErrorRate?: number;
}

/** Options of trainSpeech(); bad values throw ConfigError. */
export interface SpeechTrainOptions {
  /** Passes over the training set. Default 10. */
  epochs?: number;
  /** Utterances per batch. Default 16. */
  batchSize?: number;
  /** Adam learning rate of the first epoch. Default 1e-3. */
  lr?: number;
  /**
   * The learning rate falls by this factor per epoch, smoothly: batch k of an epoch of K batches
   * uses lr·lrDecay^(epoch − 1 + k/K). Default 1 (constant).
   */
  lrDecay?: number;
  /** Clip the global gradient norm to this (0 = off). Default 5. */
  clipNorm?: number;
  /** Seed of the batch order. Default 0. */
  seed?: number;
  /** Stop after the batch that crosses this many seconds. Default Infinity. */
  maxSeconds?: number;
  /** Stop after this many batches in all (a time-limited run, repeated exactly). Default Infinity. */
  maxBatches?: number;
  /** Utterances scored (greedy phone error rate) after every epoch. */
  validation?: readonly SpeechUtterance[];
  /** After every batch; awaited. */
  onBatchEnd?: (log: SpeechBatchLog) => void | Promise<void>;
  /** After every epoch (e.g. to save the model); awaited. */
  onEpochEnd?: (log: SpeechEpochLog) => void | Promise<void>;
}

/** What trainSpeech() resolves to. */
export interface SpeechTrainResult {
  /** One log per epoch. */
  history: SpeechEpochLog[];
  /** Wall time, in seconds. */
  seconds: number;
  /** Whether all epochs ran, or maxSeconds or maxBatches stopped training. */
  stoppedBy: 'epochs' | 'time' | 'batches';
  /** Batches run in all. */
  batches: number;
}

const clock = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const YIELD_EVERY = 4;

/**
 * Trains a phone recogniser (buildSpeechModel) with CTC: length-bucketed batches in a seeded order,
 * features computed per batch, Adam with gradient-norm clipping and a smooth learning-rate decay.
 * Throws ConfigError for bad options or utterances without frames or phones, DivergenceError when
 * the loss becomes non-finite.
 * @example
 * ```ts
 * const set = speechSetFromBytes(await readFile('data/speech/train-sample.safetensors'));
 * const model = buildSpeechModel({ hiddenSize: 64, numLayers: 2 });
 * const { speech } = speechExtra();
 * const result = await trainSpeech(model, speech, set.utterances, { epochs: 5, validation: set.utterances.slice(0, 20) });
 * await saveModel('phones.safetensors', model, { extra: { speech } });  // Node
 * ```
 */
export async function trainSpeech(
  model: Sequential,
  config: SpeechExtra,
  train: readonly SpeechUtterance[],
  options: SpeechTrainOptions = {},
): Promise<SpeechTrainResult> {
  const { epochs = 10, batchSize = 16, lr = 1e-3, lrDecay = 1, clipNorm = 5, seed = 0, maxSeconds = Infinity, maxBatches = Infinity, validation } = options;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`[trainSpeech] epochs must be a non-negative integer; received ${epochs}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`[trainSpeech] batchSize must be a positive integer; received ${batchSize}.`);
  if (!(lr > 0) || !(lrDecay > 0 && lrDecay <= 1)) throw new ConfigError(`[trainSpeech] need lr > 0 and 0 < lrDecay <= 1; received lr ${lr}, lrDecay ${lrDecay}.`);
  if (!(clipNorm >= 0)) throw new ConfigError(`[trainSpeech] clipNorm must be >= 0 (0 = off); received ${clipNorm}.`);
  if (!(maxSeconds > 0)) throw new ConfigError(`[trainSpeech] maxSeconds must be > 0; received ${maxSeconds}.`);
  if (!(maxBatches >= 1)) throw new ConfigError(`[trainSpeech] maxBatches must be >= 1; received ${maxBatches}.`);
  if (train.length === 0) throw new ConfigError('[trainSpeech] train must hold at least one utterance; received 0.');
  train.forEach((u, i) => {
    if (u.phones.length === 0 || u.frames === 0) {
      throw new ConfigError(`[trainSpeech] train[${i}] ('${u.id}') needs frames and phones; received ${u.frames} frames, ${u.phones.length} phones.`);
    }
  });

  const { nMels } = config.logmel;
  const params = model.params();
  const optimizer = new Adam(params, { lr });
  const rng = new Rng(seed);
  const lengthsOf = Int32Array.from(train, (u) => u.frames);
  const history: SpeechEpochLog[] = [];
  const t0 = clock();
  const elapsed = (): number => (clock() - t0) / 1000;
  let stoppedBy: SpeechTrainResult['stoppedBy'] = 'epochs';
  let total = 0;

  for (let epoch = 1; epoch <= epochs && stoppedBy === 'epochs'; epoch++) {
    const batches = bucketedBatches(lengthsOf, batchSize, rng);
    let lossSum = 0;
    let done = 0;
    for (let k = 0; k < batches.length; k++) {
      optimizer.lr = lr * lrDecay ** (epoch - 1 + k / batches.length);
      const us = Array.from(batches[k], (i) => train[i]);
      // T rounded up to a multiple of 8 frames: fewer distinct shapes for the kernels' caches
      const batch = makeSpeechBatch(us, nMels, config.stack, 8);
      model.zeroGrad();
      const logits = model.call(batch.x, { training: true, lengths: batch.lengths }); // (B,T,C)
      const r = ctcLoss(logits, us.map((u) => u.phones), batch.lengths, undefined, { blank: 0, reduction: 'mean', zeroInfinity: true });
      if (!Number.isFinite(r.loss)) {
        throw new DivergenceError(`[trainSpeech] the CTC loss became ${r.loss} at epoch ${epoch}, batch ${k + 1} of ${batches.length}. Hint: lower lr (received ${lr}) or clipNorm (received ${clipNorm}).`);
      }
      model.callBackward(r.grad!);
      if (clipNorm > 0) clipGradNorm(params, clipNorm);
      optimizer.step();
      lossSum += r.loss;
      done++;
      total++;
      if (options.onBatchEnd) await options.onBatchEnd({ epoch, batch: k + 1, batches: batches.length, loss: r.loss, elapsed: elapsed() });
      // a turn of the event loop now and then: progress, signals, and the finalizers that return
      // the WebAssembly kernels' caches of earlier batch shapes (see docs/g2p.md, Limits)
      if ((k + 1) % YIELD_EVERY === 0) await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (elapsed() >= maxSeconds) {
        stoppedBy = 'time';
        break;
      }
      if (total >= maxBatches) {
        stoppedBy = 'batches';
        break;
      }
    }
    const log: SpeechEpochLog = { epoch, loss: lossSum / Math.max(done, 1), batches: done, lr: optimizer.lr, elapsed: 0 };
    if (validation !== undefined && validation.length > 0) log.valPhoneErrorRate = evaluateSpeech(model, config, validation).phoneErrorRate;
    log.elapsed = elapsed();
    history.push(log);
    if (options.onEpochEnd) await options.onEpochEnd(log);
  }
  return { history, seconds: elapsed(), stoppedBy, batches: total };
}
