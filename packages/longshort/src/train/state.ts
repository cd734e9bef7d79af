// What a training run reports and what a checkpoint must hold to resume it exactly: plain data
// types, with no behaviour, so that model files (src/io) and the trainers (src/train) share them
// without depending on each other.

import type { RngState } from '../util/rng.js';

/** One epoch of a training run (History.epochs, onEpochEnd). */
export interface EpochLog {
  /** Epoch, 1-based. */
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Loss on the validation data, when there is some. */
  valLoss?: number;
  /** Training accuracy (crossEntropy only). */
  accuracy?: number;
  /** Validation accuracy (crossEntropy with validation data only). */
  valAccuracy?: number;
  /** The learning rate at the end of the epoch (before the schedule's epoch step). */
  lr: number;
  /** Wall time of the epoch, in seconds. */
  seconds: number;
  /** Batches skipped by the divergence guard (onNonFinite: 'skip'). */
  skipped: number;
}

/** What a checkpoint must hold besides the weights to resume exactly. */
export interface TrainingState {
  /** Epochs completed. */
  epoch: number;
  /** The optimizer's state() (moments, step count, hyperparameters). */
  optimizer: unknown;
  /** The schedule's state(), or null without one. */
  scheduler: unknown;
  /** The generator that shuffles the rows. */
  shuffleRng: RngState;
  /** The model's dropout generator. */
  modelRng: RngState;
  /** The epochs so far. */
  history: EpochLog[];
  /** Best monitored metric so far (early stopping), or null. */
  bestMetric: number | null;
  /** Epoch (1-based) of bestMetric, or null. */
  bestEpoch: number | null;
  /** Epochs since the last improvement (early stopping). */
  badEpochs: number;
}
