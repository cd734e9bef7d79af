// What a training run reports and what a checkpoint must hold to resume it exactly: plain data
// types, with no behaviour, so that model files (src/io) and the trainers (src/train) share them
// without depending on each other.

import type { RngState } from '../util/rng.js';

export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss?: number;
  accuracy?: number;
  valAccuracy?: number;
  lr: number;
  seconds: number;
  /** Batches skipped by the divergence guard (onNonFinite: 'skip'). */
  skipped: number;
}

/** What a checkpoint must hold besides the weights to resume exactly. */
export interface TrainingState {
  /** Epochs completed. */
  epoch: number;
  optimizer: unknown;
  scheduler: unknown;
  shuffleRng: RngState;
  modelRng: RngState;
  history: EpochLog[];
  bestMetric: number | null;
  bestEpoch: number | null;
  badEpochs: number;
}
