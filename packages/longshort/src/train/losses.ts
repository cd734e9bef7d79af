// Loss selection for the trainer: a name or a function, applied to a batch's predictions with
// the padding mask that variable-length batches need.

import type { Tensor } from '../tensor.js';
import { ConfigError } from '../errors.js';
import { mseLoss, maeLoss, huberLoss } from '../losses/regression.js';
import { softmaxCrossEntropy } from '../losses/crossEntropy.js';
import { bceWithLogits } from '../losses/bce.js';
import { ctcLossPadded } from '../losses/ctcPadded.js';
import type { LossResult } from '../losses/common.js';

/**
 * The losses fit() knows by name: 'mse', 'mae', 'huber' (regression, targets shaped like the
 * output), 'crossEntropy' (logits (…, C) against class ids), 'binaryCrossEntropy' (logits against
 * 0/1 targets), 'ctc' (per-step logits (B, T, C) against label ids (B, L) padded with the blank 0).
 */
export type LossName = 'mse' | 'mae' | 'huber' | 'crossEntropy' | 'binaryCrossEntropy' | 'ctc';

/** (predictions, targets, lengths of the rows when predictions are per step) → loss and gradient. */
export type LossFn = (pred: Tensor, target: Tensor, opts: { lengths?: Int32Array; computeGrad: boolean }) => LossResult;

/** Options of a named loss in fit() and evaluate(). */
export interface LossOptions {
  /** Huber's delta. */
  delta?: number;
  /** Cross-entropy class weights. */
  classWeights?: ArrayLike<number>;
}

/** The loss function behind a name (or the given function), and whether it is a classification loss (accuracy is reported). Throws ConfigError for an unknown name. */
export function resolveLoss(loss: LossName | LossFn, options: LossOptions = {}): { name: string; fn: LossFn; classification: boolean } {
  if (typeof loss === 'function') return { name: loss.name || 'custom', fn: loss, classification: false };
  // Per-step outputs (B, T, ·) with lengths get their padded steps masked; per-row outputs need no mask.
  const lengthsFor = (pred: Tensor, lengths?: Int32Array) => (pred.rank >= 3 ? lengths : undefined);
  switch (loss) {
    case 'mse':
      return { name: loss, classification: false, fn: (p, t, o) => mseLoss(p, t, { lengths: lengthsFor(p, o.lengths), computeGrad: o.computeGrad }) };
    case 'mae':
      return { name: loss, classification: false, fn: (p, t, o) => maeLoss(p, t, { lengths: lengthsFor(p, o.lengths), computeGrad: o.computeGrad }) };
    case 'huber':
      return {
        name: loss,
        classification: false,
        fn: (p, t, o) => huberLoss(p, t, { lengths: lengthsFor(p, o.lengths), computeGrad: o.computeGrad, delta: options.delta }),
      };
    case 'crossEntropy':
      return {
        name: loss,
        classification: true,
        fn: (p, t, o) =>
          softmaxCrossEntropy(p, t, { lengths: lengthsFor(p, o.lengths), computeGrad: o.computeGrad, classWeights: options.classWeights }),
      };
    case 'binaryCrossEntropy':
      return { name: loss, classification: false, fn: (p, t, o) => bceWithLogits(p, t, { lengths: lengthsFor(p, o.lengths), computeGrad: o.computeGrad }) };
    case 'ctc':
      // y: (B, L) label ids padded with the blank 0 (src/losses/ctcPadded.ts); predictions (B, T, C)
      return { name: loss, classification: false, fn: (p, t, o) => ctcLossPadded(p, t, { lengths: o.lengths, computeGrad: o.computeGrad }) };
    default:
      throw new ConfigError(
        `[fit] loss must be one of mse, mae, huber, crossEntropy, binaryCrossEntropy, ctc or a function; received '${String(loss)}'.`,
      );
  }
}
