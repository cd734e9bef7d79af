// The training loop: mini-batches, validation, early stopping, learning-rate schedules,
// callbacks, a divergence guard, and a training state that checkpoints save so that a resumed run
// reproduces the uninterrupted one bit for bit. Each batch is one training step (./step.ts:
// gradients, checks, clipping, the optimizer's update), on this thread or through an executor
// (the thread pool, ./threads.ts). Browser-safe: files and signals are the Node edges' business
// (src/io/model-node.ts, src/cli/training.ts). Works on any Model (src/nn/layer.ts), so it does not
// depend on the Sequential class that offers it as model.fit().

import { Tensor, formatShape } from '../tensor.js';
import { ConfigError, DivergenceError, ShapeError } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { Model, Param } from '../nn/layer.js';
import type { Scheduler } from '../optim/schedules.js';
import { createOptimizer, type Optimizer, type OptimizerSpec } from './optimizer.js';
import { gatherInts, gatherRows, sliceRows, concatRows } from './batch.js';
import { resolveLoss, type LossFn, type LossName, type LossOptions } from './losses.js';
import { computeGradients, trainStep, WeightGuard, type BatchResult } from './step.js';
import type { EpochLog, TrainingState } from './state.js';
import { checkTrainingState } from '../io/training-state.js';
import { checkLengthsArg, show } from '../util/check.js';

export type { EpochLog, TrainingState } from './state.js';
export type { BatchResult } from './step.js';

/** What fit() passes to onBatchEnd after each training batch. */
export interface BatchLog {
  /** Epoch, 1-based. */
  epoch: number;
  /** Batch within the epoch, 1-based. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** The batch's mean training loss. */
  loss: number;
  /** Global L2 norm of the gradient, before clipping. */
  gradNorm: number;
}

export type { Scheduler } from '../optim/schedules.js';

/** Handed to fit()'s callbacks: stop the run, or take its state for a checkpoint. */
export interface FitControl {
  /** Ask the loop to stop after the current batch (Ctrl-C handlers call this). */
  stop(): void;
  /** The current training state (checkpoint it together with the model's weights). */
  state(): TrainingState;
}

/** Progress callbacks of fit(); fit awaits a returned promise before it goes on. */
export interface FitCallbacks {
  /** After every training batch. */
  onBatchEnd?(log: BatchLog, ctl: FitControl): void | Promise<void>;
  /** After every epoch, validation included. */
  onEpochEnd?(log: EpochLog, ctl: FitControl): void | Promise<void>;
}

/** Inputs and targets with the same number of rows, e.g. for validation. */
export interface Dataset {
  /** Inputs, rows along axis 0, e.g. (N, T, I). */
  x: Tensor;
  /** Targets, rows along axis 0. */
  y: Tensor;
  /** Valid steps per row of x (right-padded sequences). */
  lengths?: ArrayLike<number>;
}

/**
 * Options of fit() and model.fit(). Only `loss` is required. Bad values throw ConfigError naming
 * the option before training starts.
 */
export interface FitOptions {
  /** A loss name ('mse', 'mae', 'huber', 'crossEntropy', 'binaryCrossEntropy', 'ctc') or a loss function. */
  loss: LossName | LossFn;
  /** Options of a named loss (Huber's delta, class weights). */
  lossOptions?: LossOptions;
  /** An optimizer instance, or a spec: { name: 'adam' | 'adamw' | 'sgd' | 'rmsprop', lr, … }. Default Adam, lr 1e-3. */
  optimizer?: Optimizer | OptimizerSpec;
  /** Passes over the training rows. Default 10. */
  epochs?: number;
  /** Rows per batch (the last batch may be smaller). Default 32. */
  batchSize?: number;
  /** Shuffle the training rows every epoch (seeded by `seed`). Default true. */
  shuffle?: boolean;
  /** Valid steps per row of x (N entries, each in [1, T]) for right-padded sequences. */
  lengths?: ArrayLike<number>;
  /** Hold out this fraction of rows (the last ones, as Keras does) for validation. */
  validationSplit?: number;
  /** A separate validation set, scored after every epoch (not together with validationSplit). */
  validationData?: Dataset;
  /** Called after every batch and epoch. */
  callbacks?: FitCallbacks;
  /**
   * Stop after `patience` epochs without an improvement of more than minDelta in the monitored
   * metric (valLoss when there is validation data, else loss); restoreBest puts the best epoch's weights back.
   */
  earlyStopping?: { patience: number; restoreBest?: boolean; minDelta?: number; monitor?: 'valLoss' | 'loss' };
  /** Clip the global gradient norm to this value before each step. */
  clipNorm?: number;
  /** Clip every gradient entry to [−clipValue, clipValue]. */
  clipValue?: number;
  /** A learning-rate schedule (src/optim/schedules.ts), stepped once per epoch (default) or per batch; or a function of the optimizer that makes one. */
  schedule?: Scheduler | ((opt: Optimizer) => Scheduler);
  /** When the schedule steps: after every 'epoch' (with the monitored metric) or every optimizer step ('batch'). */
  scheduleEvery?: 'epoch' | 'batch';
  /** A NaN or infinite loss or gradient: 'stop' (default, throws DivergenceError) or 'skip' the batch. */
  onNonFinite?: 'stop' | 'skip';
  /** Seed of the shuffling (the model's own generator drives dropout). Default 0. */
  seed?: number;
  /** Resume from a checkpoint's training state (the model must already hold the checkpoint's weights). Checked field by field: a malformed state is a ConfigError. */
  resume?: TrainingState | null;
  /**
   * Runs each batch's forward and backward somewhere else — e.g. split across worker threads
   * (createThreadPool in src/train/threads-node.ts). It must leave the full batch's mean gradient
   * in the model's parameter gradients. Needs a named loss.
   */
  executor?: BatchExecutor;
}

/** One training batch as fit() hands it to a BatchExecutor. */
export interface BatchJob {
  /** The model being trained. */
  model: Model;
  /** The loss, by name. */
  lossName: LossName;
  /** Options of the loss. */
  lossOptions?: LossOptions;
  /** The whole training set; the batch is rows[] of it. */
  x: Tensor;
  /** The whole training set's targets. */
  y: Tensor;
  /** Valid steps per row of the whole training set, or null. */
  lengths: Int32Array | null;
  /** Indices of this batch's rows, in order. */
  rows: Int32Array;
}

/** Runs fit()'s batches elsewhere (e.g. a thread pool): it must leave the batch's mean gradient in the model's parameter gradients. */
export interface BatchExecutor {
  /** Forward and backward of one batch; resolves to its loss and counts. */
  run(job: BatchJob): Promise<BatchResult>;
}

/**
 * Forward and backward of one batch on this thread; parameter gradients are zeroed first and hold
 * the batch's gradient afterwards. Exported for executors that split a batch (each part's
 * gradient is that part's mean; the caller weights parts by their divisors).
 */
export function localBatch(model: Model, fn: LossFn, classification: boolean, xb: Tensor, yb: Tensor, lb: Int32Array | undefined, rng?: Rng): BatchResult {
  return computeGradients(
    model,
    () => model.call(xb, { training: true, lengths: lb, rng }),
    (pred) => fn(pred, yb, { lengths: lb, computeGrad: true }),
    classification ? { score: (pred) => accuracyCounts(pred, yb, lb) } : {},
  );
}

function lossNameOf(loss: LossName | LossFn): LossName {
  if (typeof loss === 'function') throw new ConfigError('[fit] an executor (threads) needs a named loss (mse, mae, huber, crossEntropy, binaryCrossEntropy); received a function.');
  return loss;
}

/** What fit() resolves to. */
export interface History {
  /** One log per epoch run (with `resume`, the earlier epochs too). */
  epochs: EpochLog[];
  /** Early stopping ended the run. */
  stoppedEarly: boolean;
  /** Epoch (1-based) whose weights the model holds at the end when restoreBest was used. */
  bestEpoch: number | null;
  /** The final training state (save it with the weights to resume later). */
  state: TrainingState;
}

/**
 * Train a model on (x, y) with mini-batches: shuffling, validation, early stopping, learning-rate
 * schedules, gradient clipping, callbacks, a divergence guard and exact resumption from a
 * checkpoint. Rows are along axis 0 of x and y; sequence layers must be batch-first. Targets
 * depend on the loss: for 'mse' the output's shape; for 'crossEntropy' class ids, one per output
 * row (N) or step (N, T). Resolves to the history; the model is trained in place.
 *
 * Throws ConfigError for bad options, ShapeError when x, y and lengths disagree, and
 * DivergenceError when a loss or gradient is not finite (with `onNonFinite: 'stop'`, the default;
 * the model keeps the weights from before that batch).
 * @example
 * ```ts
 * const model = new Sequential([
 *   new LSTM({ inputSize: 1, hiddenSize: 32, returnSequences: false }),
 *   new Dense({ inputSize: 32, outputSize: 1 }),
 * ]);
 * const x = zeros([100, 20, 1]);  // (N, T, I)
 * const y = zeros([100, 1]);      // (N, 1)
 * const history = await fit(model, x, y, {
 *   loss: 'mse',
 *   optimizer: { name: 'adam', lr: 1e-2 },
 *   epochs: 20,
 *   validationSplit: 0.2,
 *   earlyStopping: { patience: 3, restoreBest: true },
 * });
 * history.epochs.at(-1)?.valLoss;
 * ```
 */
export async function fit(model: Model, x: Tensor, y: Tensor, options: FitOptions): Promise<History> {
  checkBatchFirst(model, 'fit');
  if (options === null || typeof options !== 'object') throw new ConfigError(`[fit] options must be an object with at least { loss }; received ${show(options)}.`);
  checkRows(x, y, undefined, 'fit');
  const o: FitOptions = { ...options, lengths: checkLengthsArg(options.lengths, x.shape[0], '[fit]') };
  if (o.validationData !== undefined && o.validationData !== null) {
    const v = o.validationData;
    if (typeof v !== 'object') throw new ConfigError(`[fit] validationData must be { x, y, lengths? }; received ${show(v)}.`);
    checkRows(v.x, v.y, undefined, 'fit validationData');
    o.validationData = { ...v, lengths: checkLengthsArg(v.lengths, v.x.shape[0], '[fit] validationData:') };
  }
  checkFitOptions(o);
  const epochs = o.epochs ?? 10;
  const batchSize = o.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`[fit] epochs must be a non-negative integer; received ${show(epochs)}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`[fit] batchSize must be a positive integer; received ${show(batchSize)}.`);
  checkRows(x, y, o.lengths, 'fit');
  const loss = resolveLoss(o.loss, o.lossOptions);
  const params = model.params();
  const optimizer = isOptimizer(o.optimizer) ? o.optimizer : createOptimizer(params, o.optimizer ?? { name: 'adam', lr: 1e-3 });
  const scheduler = o.schedule === undefined ? null : typeof o.schedule === 'function' ? o.schedule(optimizer) : o.schedule;
  const onNonFinite = o.onNonFinite ?? 'stop';

  // Training / validation split (validationSplit takes the last rows, without shuffling).
  let train: Dataset = { x, y, lengths: o.lengths };
  let val: Dataset | null = o.validationData ?? null;
  if (val !== null) checkRows(val.x, val.y, val.lengths, 'fit validationData');
  if (o.validationSplit !== undefined) {
    const f = o.validationSplit;
    if (typeof f !== 'number' || !(f > 0 && f < 1)) throw new ConfigError(`[fit] validationSplit must be in (0, 1); received ${show(f)}.`);
    if (val !== null) throw new ConfigError('[fit] pass validationSplit or validationData, not both.');
    const N = x.shape[0];
    const nVal = Math.max(1, Math.round(N * f));
    if (nVal >= N) throw new ConfigError(`[fit] validationSplit=${f} leaves no training rows out of ${N}.`);
    const cut = N - nVal;
    const lens = o.lengths === undefined ? undefined : Int32Array.from(o.lengths);
    train = { x: sliceRows(x, 0, cut), y: sliceRows(y, 0, cut), lengths: lens?.slice(0, cut) };
    val = { x: sliceRows(x, cut, N), y: sliceRows(y, cut, N), lengths: lens?.slice(cut) };
  }

  const shuffleRng = new Rng(o.seed ?? 0);
  const state: TrainingState = {
    epoch: 0,
    optimizer: null,
    scheduler: null,
    shuffleRng: shuffleRng.getState(),
    modelRng: model.rng.getState(),
    history: [],
    bestMetric: null,
    bestEpoch: null,
    badEpochs: 0,
  };
  if (o.resume !== undefined && o.resume !== null) {
    // a checkpoint's state is data from disk: check every field before the optimizer or the generators see it
    const r = checkTrainingState(o.resume, '[fit] resume:', ConfigError);
    Object.assign(state, { ...r, history: [...r.history] });
    shuffleRng.setState(r.shuffleRng);
    model.rng.setState(r.modelRng);
    optimizer.loadState(r.optimizer as ReturnType<Optimizer["state"]>);
    if (scheduler !== null && r.scheduler !== null) scheduler.loadState(r.scheduler);
  }
  let best: Float32Array[] | Float64Array[] | null = null;
  let stopRequested = false;
  let stoppedEarly = false;
  const snapshot = (): TrainingState => ({
    ...state,
    optimizer: optimizer.state(),
    scheduler: scheduler === null ? null : scheduler.state(),
    shuffleRng: shuffleRng.getState(),
    modelRng: model.rng.getState(),
    history: [...state.history],
  });
  const ctl: FitControl = { stop: () => (stopRequested = true), state: snapshot };
  const guard = new WeightGuard(params); // the weights after the last good batch
  const afterUpdate = scheduler !== null && o.scheduleEvery === 'batch' ? () => scheduler.step() : undefined;

  const N = train.x.shape[0];
  const lens = train.lengths === undefined ? null : Int32Array.from(train.lengths);
  const batches = Math.ceil(N / batchSize);
  for (let epoch = state.epoch; epoch < epochs && !stopRequested; epoch++) {
    const t0 = now();
    const order = o.shuffle === false ? identity(N) : shuffleRng.permutation(N);
    let lossSum = 0;
    let countSum = 0;
    let correct = 0;
    let counted = 0;
    let skipped = 0;
    for (let b = 0; b < batches && !stopRequested; b++) {
      const s = b * batchSize;
      const e = Math.min(N, s + batchSize);
      const step = await trainStep(
        params,
        optimizer,
        () =>
          o.executor
            ? o.executor.run({ model, lossName: lossNameOf(o.loss), lossOptions: o.lossOptions, x: train.x, y: train.y, lengths: lens, rows: order.subarray(s, e) })
            : localBatch(model, loss.fn, loss.classification, gatherRows(train.x, order, s, e), gatherRows(train.y, order, s, e), lens === null ? undefined : gatherInts(lens, order, s, e)),
        { clipNorm: o.clipNorm, clipValue: o.clipValue, afterUpdate, guard },
      );
      const { result: res, gradNorm } = step;
      if (!step.ok) {
        if (onNonFinite === 'skip') {
          skipped++;
          continue;
        }
        if (step.rolledBack) {
          throw new DivergenceError(
            `[fit] the optimizer step at epoch ${epoch + 1}, batch ${b + 1} of ${batches} produced non-finite weights; they were rolled back. Hint: lower the learning rate or set clipNorm.`,
          );
        }
        guard.restore();
        throw new DivergenceError(
          `[fit] training diverged at epoch ${epoch + 1}, batch ${b + 1} of ${batches}: ${step.problem}. ` +
            `The model keeps the weights from before this batch. Hint: lower the learning rate, set clipNorm (e.g. 1), or check the data for NaN/huge values.`,
        );
      }
      lossSum += res.loss * res.divisor;
      countSum += res.divisor;
      correct += res.correct;
      counted += res.total;
      if (o.callbacks?.onBatchEnd) await o.callbacks.onBatchEnd({ epoch: epoch + 1, batch: b + 1, batches, loss: res.loss, gradNorm }, ctl);
    }
    if (stopRequested && countSum === 0) break;
    const log: EpochLog = {
      epoch: epoch + 1,
      loss: countSum > 0 ? lossSum / countSum : NaN,
      lr: optimizer.lr,
      seconds: 0,
      skipped,
    };
    if (loss.classification && counted > 0) log.accuracy = correct / counted;
    if (val !== null) {
      const ev = evaluateWith(model, val, loss.fn, loss.classification, batchSize);
      log.valLoss = ev.loss;
      if (ev.accuracy !== undefined) log.valAccuracy = ev.accuracy;
    }
    log.seconds = (now() - t0) / 1000;
    state.history.push(log);
    state.epoch = epoch + 1;
    const monitored = o.earlyStopping?.monitor === 'loss' || log.valLoss === undefined ? log.loss : log.valLoss;
    if (scheduler !== null && o.scheduleEvery !== 'batch') scheduler.step(monitored);
    if (o.earlyStopping !== undefined) {
      const minDelta = o.earlyStopping.minDelta ?? 0;
      if (state.bestMetric === null || monitored < state.bestMetric - minDelta) {
        state.bestMetric = monitored;
        state.bestEpoch = epoch + 1;
        state.badEpochs = 0;
        if (o.earlyStopping.restoreBest) best = params.map((p) => p.value.slice()) as Float32Array[];
      } else {
        state.badEpochs++;
      }
    }
    if (o.callbacks?.onEpochEnd) await o.callbacks.onEpochEnd(log, ctl);
    if (o.earlyStopping !== undefined && state.badEpochs >= o.earlyStopping.patience) {
      stoppedEarly = true;
      break;
    }
  }
  if (best !== null && o.earlyStopping?.restoreBest) params.forEach((p, k) => p.value.set(best![k]));
  return { epochs: state.history, stoppedEarly, bestEpoch: state.bestEpoch, state: snapshot() };
}

/** Options of evaluate() and model.evaluate(). */
export interface EvaluateOptions {
  /** A loss name or function, as in FitOptions. */
  loss: LossName | LossFn;
  /** Options of a named loss. */
  lossOptions?: LossOptions;
  /** Rows per forward pass. Default 256. */
  batchSize?: number;
  /** Valid steps per row of x for right-padded sequences. */
  lengths?: ArrayLike<number>;
}

/**
 * Loss (and accuracy for classification) over a dataset, in inference mode: the exact mean over
 * all rows, however they are batched. Throws ConfigError for bad options, ShapeError when x and y disagree.
 */
export function evaluate(model: Model, x: Tensor, y: Tensor, options: EvaluateOptions): { loss: number; accuracy?: number } {
  checkBatchFirst(model, 'evaluate');
  if (options === null || typeof options !== 'object') throw new ConfigError(`[evaluate] options must be an object with at least { loss }; received ${show(options)}.`);
  checkRows(x, y, undefined, 'evaluate');
  const lengths = checkLengthsArg(options.lengths, x.shape[0], '[evaluate]');
  const bs = options.batchSize ?? 256;
  if (!Number.isInteger(bs) || bs < 1) throw new ConfigError(`[evaluate] batchSize must be a positive integer; received ${show(bs)}.`);
  const loss = resolveLoss(options.loss, options.lossOptions);
  return evaluateWith(model, { x, y, lengths }, loss.fn, loss.classification, bs);
}

/**
 * Batched inference: the model's output for every row of x (inference mode, no dropout), the
 * batches' outputs concatenated along axis 0. Default batchSize 256; `lengths` for right-padded sequences.
 */
export function predict(model: Model, x: Tensor, options: { batchSize?: number; lengths?: ArrayLike<number> | null } = {}): Tensor {
  checkBatchFirst(model, 'predict');
  if (!(x instanceof Tensor)) throw new ShapeError(`[predict] x must be a Tensor; received ${show(x)}.`);
  if (options === null || typeof options !== 'object') throw new ConfigError(`[predict] options must be an object; received ${show(options)}.`);
  const N = x.shape[0];
  const bs = options.batchSize ?? 256;
  if (!Number.isInteger(bs) || bs < 1) throw new ConfigError(`[predict] batchSize must be a positive integer; received ${show(bs)}.`);
  const lens = checkLengthsArg(options.lengths, N, '[predict]') ?? null;
  const outs: Tensor[] = [];
  for (let s = 0; s < N; s += bs) {
    const e = Math.min(N, s + bs);
    outs.push(model.call(sliceRows(x, s, e), { training: false, lengths: lens === null ? undefined : lens.slice(s, e) }));
  }
  return concatRows(outs);
}

function evaluateWith(model: Model, data: Dataset, fn: LossFn, classification: boolean, batchSize: number): { loss: number; accuracy?: number } {
  const N = data.x.shape[0];
  const lens = data.lengths === undefined ? null : Int32Array.from(data.lengths);
  let sum = 0;
  let div = 0;
  let correct = 0;
  let total = 0;
  for (let s = 0; s < N; s += batchSize) {
    const e = Math.min(N, s + batchSize);
    const lb = lens === null ? undefined : lens.slice(s, e);
    const pred = model.call(sliceRows(data.x, s, e), { training: false, lengths: lb });
    const yb = sliceRows(data.y, s, e);
    const r = fn(pred, yb, { lengths: lb, computeGrad: false });
    sum += r.loss * r.divisor;
    div += r.divisor;
    if (classification) {
      const a = accuracyCounts(pred, yb, lb);
      correct += a.correct;
      total += a.total;
    }
  }
  const out: { loss: number; accuracy?: number } = { loss: div > 0 ? sum / div : NaN };
  if (classification) out.accuracy = total > 0 ? correct / total : NaN;
  return out;
}

/** Argmax of the last axis against class ids; per-step predictions respect lengths. */
export function accuracyCounts(pred: Tensor, y: Tensor, lengths?: Int32Array): { correct: number; total: number } {
  const C = pred.shape[pred.rank - 1];
  const rows = pred.size / C;
  const T = pred.rank >= 3 ? pred.shape[1] : 1;
  let correct = 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    if (lengths !== undefined && pred.rank >= 3 && r % T >= lengths[Math.floor(r / T)]) continue;
    let arg = 0;
    for (let c = 1; c < C; c++) if (pred.data[r * C + c] > pred.data[r * C + arg]) arg = c;
    if (arg === y.data[r]) correct++;
    total++;
  }
  return { correct, total };
}

function checkRows(x: Tensor, y: Tensor, lengths: ArrayLike<number> | undefined, where: string): void {
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new ShapeError(`[${where}] x and y must be Tensors; received ${typeof x} and ${typeof y}.`);
  if (x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`[${where}] x and y must have the same number of rows; received x ${formatShape(x.shape)} and y ${formatShape(y.shape)}.`);
  }
  if (x.shape[0] < 1) throw new ShapeError(`[${where}] x must have at least one row; received ${formatShape(x.shape)}.`);
  if (lengths !== undefined && lengths.length !== x.shape[0]) {
    throw new ShapeError(`[${where}] lengths must have one entry per row of x (${x.shape[0]}); received ${lengths.length}.`);
  }
}

/** The kinds of fit's object-valued options, so a wrong one fails here and not in the middle of an epoch. */
function checkFitOptions(o: FitOptions): void {
  const object = (name: string, v: unknown): void => {
    if (v !== undefined && (v === null || typeof v !== 'object')) throw new ConfigError(`[fit] ${name} must be an object (or omitted); received ${show(v)}.`);
  };
  object('lossOptions', o.lossOptions);
  object('callbacks', o.callbacks);
  object('earlyStopping', o.earlyStopping);
  if (o.earlyStopping !== undefined) {
    const p = o.earlyStopping.patience;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0) throw new ConfigError(`[fit] earlyStopping.patience must be an integer ≥ 0; received ${show(p)}.`);
  }
  if (o.schedule !== undefined && typeof o.schedule !== 'function' && (o.schedule === null || typeof o.schedule !== 'object' || typeof o.schedule.step !== 'function')) {
    throw new ConfigError(`[fit] schedule must be a scheduler (with step()) or a function of the optimizer; received ${show(o.schedule)}.`);
  }
  if (o.executor !== undefined && (o.executor === null || typeof o.executor !== 'object' || typeof o.executor.run !== 'function')) {
    throw new ConfigError(`[fit] executor must have a run(job) method; received ${show(o.executor)}.`);
  }
  if (o.optimizer !== undefined && o.optimizer !== null && typeof o.optimizer !== 'object') {
    throw new ConfigError(`[fit] optimizer must be an optimizer or a spec { name, lr, … }; received ${show(o.optimizer)}.`);
  }
}

/** fit/evaluate/predict split data by rows (axis 0), so they need batch-first sequence layers. */
function checkBatchFirst(model: Model, where: string): void {
  for (const { name, layer } of model.layers) {
    if ((layer as { batchFirst?: boolean }).batchFirst === false) {
      throw new ConfigError(
        `[${where}] takes batch-first data (B, T, F), but layer '${name}' reads time-major input (batchFirst: false). ` +
          'Hint: build the layer with batchFirst: true (the weights are the same), or call model.call() yourself.',
      );
    }
  }
}

function isOptimizer(o: unknown): o is Optimizer {
  return typeof o === 'object' && o !== null && typeof (o as Optimizer).step === 'function';
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let k = 0; k < n; k++) a[k] = k;
  return a;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
