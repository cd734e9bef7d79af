// One training step, the same for fit (./fit.ts), truncated backpropagation through time
// (./stateful.ts) and the G2P trainer (src/g2p/train.ts): the batch's gradients (forward in
// training mode, loss, backward — on this thread, or by an executor such as the thread pool),
// a check that the loss and the gradient norm are finite (measured before any clipping can hide
// an Infinity), clipping by value and by global norm, and the optimizer's update. With a
// WeightGuard, an update that leaves a non-finite weight is rolled back. The trainers decide what
// a failed step means (stop with a DivergenceError, or skip the batch).

import type { Tensor } from '../tensor.js';
import type { Model, Param } from '../nn/layer.js';
import type { Optimizer } from '../optim/optimizer.js';
import { clipGradNorm, clipGradValue, globalNorm } from '../optim/clip.js';

/** One batch's forward + backward, as the trainers need it. */
export interface BatchResult {
  /** Mean loss of the batch (over `divisor` counted elements). */
  loss: number;
  /** Counted elements (or summed class weights) the mean is over; weights batches into an exact epoch mean. */
  divisor: number;
  /** False when a prediction or the loss was NaN or infinite (gradients are then meaningless). */
  finite: boolean;
  /** Classification: rows (or steps) whose argmax equals the target, out of total. */
  correct: number;
  /** Rows (or steps) scored for accuracy; 0 when not classification. */
  total: number;
}

/** A loss value with its gradient with respect to the predictions. */
export interface LossValue {
  /** The loss (a mean over divisor elements). */
  loss: number;
  /** Elements the loss is a mean over (rows, steps, or 1). */
  divisor: number;
  /** dLoss/dPredictions, shaped like the predictions. */
  grad: Tensor | null;
}

/**
 * Forward, loss and backward of one batch on this thread. Gradients are zeroed first and hold the
 * batch's gradient afterwards. `forward` runs the model in training mode; `backward` (default
 * model.callBackward) takes dLoss/dPredictions; `score` counts correct predictions (classification).
 */
export function computeGradients(
  model: Model,
  forward: () => Tensor,
  loss: (pred: Tensor) => LossValue,
  options: { backward?: (grad: Tensor) => void; score?: (pred: Tensor) => { correct: number; total: number } } = {},
): BatchResult {
  model.zeroGrad();
  const pred = forward();
  // a non-finite prediction means a non-finite loss; the losses refuse such input, so check first
  if (!allFinite(pred.data)) return { loss: NaN, divisor: 0, finite: false, correct: 0, total: 0 };
  const r = loss(pred);
  if (!Number.isFinite(r.loss)) return { loss: r.loss, divisor: r.divisor, finite: false, correct: 0, total: 0 };
  if (options.backward) options.backward(r.grad!);
  else model.callBackward(r.grad!);
  const acc = options.score ? options.score(pred) : { correct: 0, total: 0 };
  return { loss: r.loss, divisor: r.divisor, finite: true, correct: acc.correct, total: acc.total };
}

/** Options of trainStep(). */
export interface StepOptions {
  /** Clip the global gradient norm to this value before the update. */
  clipNorm?: number;
  /** Clip every gradient entry to [−clipValue, clipValue] before the update. */
  clipValue?: number;
  /** Called right after the optimizer's update (a learning-rate schedule stepped per batch). */
  afterUpdate?: () => void;
  /** Roll the update back when it leaves a non-finite weight (and remember the weights after a good one). */
  guard?: WeightGuard | null;
}

/**
 * What trainStep() did: `ok: true` when the update ran with finite loss, gradients and weights;
 * otherwise `problem` says what was not finite and `rolledBack` whether an update ran and was undone.
 */
export type StepOutcome =
  | { ok: true; result: BatchResult; gradNorm: number }
  /** problem: what was not finite; rolledBack: the update ran and was undone (else it never ran). */
  | { ok: false; result: BatchResult; gradNorm: number; problem: string; rolledBack: boolean };

/** Gradients, checks, clipping and the optimizer's update for one batch (see the header). */
export async function trainStep(
  params: readonly Param[],
  optimizer: Optimizer,
  gradients: () => BatchResult | Promise<BatchResult>,
  options: StepOptions = {},
): Promise<StepOutcome> {
  const result = await gradients();
  const gradNorm = result.finite ? globalNorm(params, 2) : NaN; // before any clipping can hide an Infinity
  if (!result.finite || !Number.isFinite(gradNorm)) {
    return { ok: false, result, gradNorm, problem: Number.isFinite(result.loss) ? `gradient norm ${gradNorm}` : `loss ${result.loss}`, rolledBack: false };
  }
  if (options.clipValue !== undefined) clipGradValue(params, options.clipValue);
  if (options.clipNorm !== undefined) clipGradNorm(params, options.clipNorm);
  optimizer.step();
  options.afterUpdate?.();
  const guard = options.guard ?? null;
  if (guard !== null) {
    if (!params.every((p) => allFinite(p.value))) {
      guard.restore();
      return { ok: false, result, gradNorm, problem: 'non-finite weights after the update', rolledBack: true };
    }
    guard.save();
  }
  return { ok: true, result, gradNorm };
}

/** A copy of the weights after the last good step, to roll back to. */
export class WeightGuard {
  private readonly copies: (Float32Array | Float64Array)[];

  /** Copies the parameters' current values. */
  constructor(private readonly params: readonly Param[]) {
    this.copies = params.map((p) => p.value.slice());
  }

  /** Copy the current values (after a good step). */
  save(): void {
    for (let k = 0; k < this.params.length; k++) this.copies[k].set(this.params[k].value);
  }

  /** Put the saved values back into the parameters. */
  restore(): void {
    for (let k = 0; k < this.params.length; k++) this.params[k].value.set(this.copies[k]);
  }
}

function allFinite(a: ArrayLike<number>): boolean {
  for (let n = 0; n < a.length; n++) if (!Number.isFinite(a[n])) return false;
  return true;
}
