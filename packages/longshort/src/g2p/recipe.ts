// The G2P training recipe (Rao et al. 2015 and later G2P work), each piece an option of one
// plain object: network size and dropout between layers, the input encoding that lets CTC emit
// more phonemes than letters (letter repetition, end padding), the optimizer and its
// learning-rate schedule (constant, linear warm-up then cosine or exponential decay, or halving on
// a validation plateau), early stopping on the validation word error rate, and averaging the
// weights of the best (or last) K epochs. runG2PRecipe drives trainG2P (src/g2p/train.ts) with
// these and returns everything a resumed run needs (G2PRunState), so the command line can
// checkpoint after every epoch and continue an interrupted run with the same result.
// Browser-safe. Files (checkpoints, per-epoch models) are the caller's business.
// Left out: asynchronous SGD across machines (the paper's setup), sequence-level training,
// ensembles of independently trained networks.

import { ConfigError, FormatError } from '../errors.js';
import type { Sequential } from '../nn/sequential.js';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';
import { CosineWithWarmup, ReduceLROnPlateau, type LrSchedule, type ScheduleState } from '../optim/schedules.js';
import { Rng, type RngState } from '../util/rng.js';
import type { G2PData, G2PExample } from '../data/cmudict.js';
import { buildG2PModel } from './model.js';
import { trainG2P, type G2PBatchLog, type G2PEpochLog } from './train.js';
import { evaluateG2P } from './infer.js';

/** How the learning rate moves. Steps are optimizer steps (batches). */
export type G2PSchedule =
  | { kind: 'constant' }
  /** Linear warm-up over warmupSteps, then a half cosine down to lr·minLrRatio at the last planned step. */
  | { kind: 'warmup-cosine'; warmupSteps: number; minLrRatio?: number }
  /** Linear warm-up over warmupSteps, then lr·gamma^(epochs since the warm-up ended), continuously per step. */
  | { kind: 'warmup-exp'; warmupSteps: number; gamma: number }
  /** Multiply the lr by factor after `patience` epochs without a better validation WER (ReduceLROnPlateau). */
  | { kind: 'plateau'; factor: number; patience: number };

/** A G2P training recipe: network, input encoding, optimizer, schedule, early stopping and weight averaging. resolveRecipe fills in RECIPE_DEFAULTS. */
export interface G2PRecipe {
  /** Stacked bidirectional layers. */
  numLayers: number;
  /** LSTM cells per direction. */
  hiddenSize: number;
  /** Letter embedding size. */
  embeddingDim: number;
  /** Dropout on the outputs of every LSTM layer but the last (training only). */
  dropout: number;
  /** Frames per letter. */
  repeat: number;
  /** Frames of id 0 after the last letter. */
  pad: number;
  /** 'adam' or 'sgd' (with momentum). */
  optimizer: 'adam' | 'sgd';
  /** Peak learning rate. */
  lr: number;
  /** SGD only. */
  momentum: number;
  /** How the learning rate moves. */
  schedule: G2PSchedule;
  /** Words per batch. */
  batchSize: number;
  /** Last epoch (an upper bound with early stopping). */
  epochs: number;
  /** Global gradient-norm clip (0 = off). */
  clipNorm: number;
  /** Stop after this many epochs without a lower validation WER (0 = off). */
  patience: number;
  /** Average the weights of this many epochs (≤ 1 = off). */
  average: number;
  /** Which epochs to average: the K with the lowest validation WER, or the K most recent. */
  averageOf: 'best' | 'last';
  /** Initialisation, batch order and dropout masks. */
  seed: number;
}

/**
 * The recipe's defaults (frozen): 2 layers of 64 cells per direction, embedding 32, no dropout,
 * repeat 2, pad 0, Adam lr 2e-3 (SGD momentum 0.9), constant lr, batch 32, 3 epochs, clipNorm 5,
 * no early stopping, no averaging (averageOf 'best'), seed 0.
 */
export const RECIPE_DEFAULTS: Readonly<G2PRecipe> = Object.freeze({
  numLayers: 2, hiddenSize: 64, embeddingDim: 32, dropout: 0, repeat: 2, pad: 0,
  optimizer: 'adam', lr: 2e-3, momentum: 0.9, schedule: { kind: 'constant' }, batchSize: 32, epochs: 3, clipNorm: 5,
  patience: 0, average: 0, averageOf: 'best', seed: 0,
} as const);

const posInt = (where: string, name: string, v: unknown, min = 1): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ConfigError(`${where} ${name} must be an integer >= ${min}; received ${String(v)}.`);
  return v;
};

/** Fill in the defaults and check every field, with the field and the value in the message. */
export function resolveRecipe(partial: Partial<G2PRecipe> = {}): G2PRecipe {
  const w = '[g2p recipe]';
  const r: G2PRecipe = { ...RECIPE_DEFAULTS, ...partial, schedule: { ...(partial.schedule ?? RECIPE_DEFAULTS.schedule) } as G2PSchedule };
  posInt(w, 'numLayers', r.numLayers);
  posInt(w, 'hiddenSize', r.hiddenSize);
  posInt(w, 'embeddingDim', r.embeddingDim);
  posInt(w, 'repeat', r.repeat);
  posInt(w, 'pad', r.pad, 0);
  posInt(w, 'batchSize', r.batchSize);
  posInt(w, 'epochs', r.epochs);
  posInt(w, 'patience', r.patience, 0);
  posInt(w, 'average', r.average, 0);
  posInt(w, 'seed', r.seed, 0);
  if (!(r.dropout >= 0 && r.dropout < 1)) throw new ConfigError(`${w} dropout must be in [0, 1); received ${r.dropout}.`);
  if (!(r.lr > 0 && Number.isFinite(r.lr))) throw new ConfigError(`${w} lr must be a finite number > 0; received ${r.lr}.`);
  if (!(r.clipNorm >= 0)) throw new ConfigError(`${w} clipNorm must be >= 0 (0 = off); received ${r.clipNorm}.`);
  if (r.optimizer !== 'adam' && r.optimizer !== 'sgd') throw new ConfigError(`${w} optimizer must be 'adam' or 'sgd'; received ${JSON.stringify(r.optimizer)}.`);
  if (!(r.momentum >= 0 && r.momentum < 1)) throw new ConfigError(`${w} momentum must be in [0, 1); received ${r.momentum}.`);
  if (r.averageOf !== 'best' && r.averageOf !== 'last') throw new ConfigError(`${w} averageOf must be 'best' or 'last'; received ${JSON.stringify(r.averageOf)}.`);
  const s = r.schedule;
  switch (s.kind) {
    case 'constant':
      break;
    case 'warmup-cosine':
      posInt(w, 'schedule.warmupSteps', s.warmupSteps, 0);
      if (s.minLrRatio !== undefined && !(s.minLrRatio >= 0 && s.minLrRatio <= 1)) throw new ConfigError(`${w} schedule.minLrRatio must be in [0, 1]; received ${s.minLrRatio}.`);
      break;
    case 'warmup-exp':
      posInt(w, 'schedule.warmupSteps', s.warmupSteps, 0);
      if (!(s.gamma > 0 && s.gamma <= 1)) throw new ConfigError(`${w} schedule.gamma must be in (0, 1]; received ${s.gamma}.`);
      break;
    case 'plateau':
      posInt(w, 'schedule.patience', s.patience, 0);
      if (!(s.factor > 0 && s.factor < 1)) throw new ConfigError(`${w} schedule.factor must be in (0, 1); received ${s.factor}.`);
      break;
    default:
      throw new ConfigError(`${w} schedule.kind must be 'constant', 'warmup-cosine', 'warmup-exp' or 'plateau'; received ${JSON.stringify((s as { kind: unknown }).kind)}.`);
  }
  return r;
}

/** The network of a recipe (src/g2p/model.ts). */
export function buildRecipeModel(recipe: G2PRecipe, data: Pick<G2PData, 'letters' | 'phonemes'>, dtype: 'float32' | 'float64' = 'float32'): Sequential {
  return buildG2PModel({
    letters: data.letters, phonemes: data.phonemes, embeddingDim: recipe.embeddingDim, hiddenSize: recipe.hiddenSize,
    numLayers: recipe.numLayers, dropout: recipe.dropout, seed: recipe.seed, dtype,
  });
}

/**
 * Linear warm-up then exponential decay, in closed form of the step t (so a checkpoint needs only t):
 *   lr(t) = base · min(1, t / W) · gamma^(max(0, t − W) / stepsPerEpoch)
 */
export class WarmupExponential implements LrSchedule {
  readonly kind = 'WarmupExponential';
  lastStep = 0;
  readonly baseLr: number;

  constructor(readonly optimizer: { lr: number }, readonly warmupSteps: number, readonly gamma: number, readonly stepsPerEpoch: number) {
    posInt('[WarmupExponential]', 'warmupSteps', warmupSteps, 0);
    posInt('[WarmupExponential]', 'stepsPerEpoch', stepsPerEpoch);
    if (!(gamma > 0 && gamma <= 1)) throw new ConfigError(`[WarmupExponential] gamma must be in (0, 1]; received ${gamma}.`);
    this.baseLr = optimizer.lr;
    optimizer.lr = this.lrAt(0);
  }

  lrAt(t: number): number {
    const W = this.warmupSteps;
    const warm = W === 0 ? 1 : Math.min(1, t / W);
    return this.baseLr * warm * this.gamma ** (Math.max(0, t - W) / this.stepsPerEpoch);
  }

  step(): number {
    this.lastStep++;
    this.optimizer.lr = this.lrAt(this.lastStep);
    return this.optimizer.lr;
  }

  state(): ScheduleState {
    return { kind: this.kind, lastStep: this.lastStep };
  }

  loadState(s: ScheduleState): void {
    if (s === null || typeof s !== 'object' || s.kind !== this.kind) throw new ConfigError(`[WarmupExponential.loadState] state must come from WarmupExponential.state(); received ${JSON.stringify(s).slice(0, 80)}.`);
    this.lastStep = posInt('[WarmupExponential.loadState]', 'lastStep', s.lastStep, 0);
    this.optimizer.lr = this.lrAt(this.lastStep);
  }
}

/** The optimizer of a recipe over the model's parameters. */
export function makeOptimizer(recipe: G2PRecipe, model: Sequential): Optimizer {
  const params = model.params();
  return recipe.optimizer === 'adam' ? new Adam(params, { lr: recipe.lr }) : new SGD(params, { lr: recipe.lr, momentum: recipe.momentum });
}

/** A recipe's schedule over `optimizer`: stepped per batch ('warmup-*') or per epoch with the validation WER ('plateau'); null when constant. */
export function makeSchedule(recipe: G2PRecipe, optimizer: Optimizer, stepsPerEpoch: number): { schedule: LrSchedule; per: 'step' | 'epoch' } | null {
  const s = recipe.schedule;
  if (s.kind === 'constant') return null;
  if (s.kind === 'plateau') return { schedule: new ReduceLROnPlateau(optimizer, { factor: s.factor, patience: s.patience, threshold: 0 }), per: 'epoch' };
  if (s.kind === 'warmup-exp') return { schedule: new WarmupExponential(optimizer, s.warmupSteps, s.gamma, stepsPerEpoch), per: 'step' };
  const total = Math.max(s.warmupSteps + 1, recipe.epochs * stepsPerEpoch);
  return { schedule: new CosineWithWarmup(optimizer, { warmupSteps: s.warmupSteps, totalSteps: total, minLr: recipe.lr * (s.minLrRatio ?? 0) }), per: 'step' };
}

/** Mean of several weight sets (each one array per parameter, in params() order), written into the model's parameters. */
export function averageWeightsInto(model: Sequential, sets: readonly (readonly ArrayLike<number>[])[]): void {
  const params = model.params();
  if (sets.length === 0) throw new ConfigError('[averageWeightsInto] need at least one weight set; received 0.');
  sets.forEach((set, k) => {
    if (set.length !== params.length) {
      throw new ConfigError(`[averageWeightsInto] weight set ${k} has ${set.length} arrays; the model has ${params.length} parameters.`);
    }
    set.forEach((a, i) => {
      if (a.length !== params[i].value.length) {
        throw new ConfigError(`[averageWeightsInto] weight set ${k}, parameter '${params[i].name}': expected ${params[i].value.length} values, received ${a.length}.`);
      }
    });
  });
  // sum in float64, then divide: the order of the sets does not change the result's rounding much
  params.forEach((p, i) => {
    const n = p.value.length;
    const acc = new Float64Array(n);
    for (const set of sets) {
      const a = set[i];
      for (let j = 0; j < n; j++) acc[j] += a[j];
    }
    for (let j = 0; j < n; j++) p.value[j] = acc[j] / sets.length;
  });
}

/** A copy of the model's weights (one Float32Array per parameter, params() order). */
export function snapshotWeights(model: Sequential): Float32Array[] {
  return model.params().map((p) => Float32Array.from(p.value));
}

/** Copy weights back into the model. */
export function loadWeights(model: Sequential, weights: readonly ArrayLike<number>[]): void {
  averageWeightsInto(model, [weights]);
}

/** One epoch of runG2PRecipe: trainG2P's epoch log plus the learning rate and whether it is the best epoch so far. */
export interface G2PRecipeEpochLog extends G2PEpochLog {
  /** Learning rate at the end of the epoch. */
  lr: number;
  /** Validation WER is the lowest so far. */
  best: boolean;
}

/** An epoch kept for averaging. */
export interface G2PSnapshotInfo {
  epoch: number;
  /** Validation WER (greedy) after that epoch. */
  valWordErrorRate: number;
}

/** Everything besides the weights that a run needs to continue exactly where it stopped. */
export interface G2PRunState {
  kind: 'g2p-run';
  version: 1;
  recipe: G2PRecipe;
  /** Epochs finished. */
  epoch: number;
  optimizer: OptimizerState;
  schedule: ScheduleState | null;
  batchRng: RngState;
  modelRng: RngState;
  history: G2PRecipeEpochLog[];
  bestEpoch: number;
  bestValWordErrorRate: number;
  /** Epochs since the best one. */
  badEpochs: number;
  /** Epochs whose weights are kept for averaging (the caller stores the weights: G2PRunHooks.snapshots). */
  kept: G2PSnapshotInfo[];
  /** Seconds of training so far (all sessions). */
  seconds: number;
}

/** Data overrides, callbacks, resuming and a time budget for runG2PRecipe. */
export interface G2PRunHooks {
  /** Validation words scored after every epoch (default data.validation). Early stopping and averaging need them. */
  validation?: readonly G2PExample[];
  /** Training words (default data.train). */
  train?: readonly G2PExample[];
  /** Called after every batch (awaited). */
  onBatchEnd?: (log: G2PBatchLog) => void | Promise<void>;
  /**
   * After every epoch, with the state to checkpoint. The model holds that epoch's weights (save them
   * for averaging and resuming). Answer 'stop' to end the run here.
   */
  onEpochEnd?: (log: G2PRecipeEpochLog, state: G2PRunState, model: Sequential) => void | 'stop' | Promise<void | 'stop'>;
  /** Continue from this state (the model must hold the weights saved with it). */
  resume?: G2PRunState;
  /** Weights of kept epochs, by epoch: needed on resume when averaging (default: none kept across sessions). */
  snapshots?: Map<number, Float32Array[]>;
  /** Stop after the batch that crosses this many seconds of this session. */
  maxSeconds?: number;
}

/** What runG2PRecipe returns. */
export interface G2PRunResult {
  /** The state after the last epoch run (checkpoint it to resume). */
  state: G2PRunState;
  /** Why the run ended: the last epoch, the time budget, onEpochEnd's 'stop', or early stopping (patience). */
  stoppedBy: 'epochs' | 'time' | 'callback' | 'early-stopping';
  /** What the model holds at the end: the averaged weights, the best epoch's, or the last epoch's. */
  final: { from: 'average' | 'best' | 'last'; epochs: number[]; valWordErrorRate: number | null; valPhonemeErrorRate: number | null };
  /** Validation WER of the average of the kept epochs, when averaging. */
  averageValWordErrorRate: number | null;
}

function checkState(s: G2PRunState, recipe: G2PRecipe): void {
  if (s === null || typeof s !== 'object' || s.kind !== 'g2p-run' || s.version !== 1) {
    throw new FormatError(`[runG2PRecipe] resume must be a G2PRunState { kind: 'g2p-run', version: 1, … }; received ${JSON.stringify(s).slice(0, 80)}.`);
  }
  const a = JSON.stringify(s.recipe);
  const b = JSON.stringify({ ...recipe, epochs: s.recipe.epochs, patience: s.recipe.patience });
  if (a !== b) {
    throw new ConfigError(
      `[runG2PRecipe] the checkpoint was made with another recipe; expected ${b}, received ${a}. Hint: resume with the same options (only epochs and patience may change).`,
    );
  }
}

/**
 * Train `model` (built by buildRecipeModel with the same recipe) on data.train with the recipe:
 * validation WER after every epoch, the schedule, early stopping, and at the end the averaged
 * weights when they beat the best single epoch on validation (else the best epoch's weights when
 * early stopping or averaging is on, else the last epoch's).
 */
export async function runG2PRecipe(model: Sequential, data: G2PData, recipe: G2PRecipe, hooks: G2PRunHooks = {}): Promise<G2PRunResult> {
  const train = hooks.train ?? data.train;
  const validation = hooks.validation ?? data.validation;
  const selecting = recipe.patience > 0 || recipe.average > 1;
  if (selecting && validation.length === 0) {
    throw new ConfigError('[runG2PRecipe] early stopping and averaging need validation words; received 0. Hint: keep a validation split (validationPercent > 0).');
  }
  const stepsPerEpoch = Math.ceil(train.length / recipe.batchSize);
  const optimizer = makeOptimizer(recipe, model);
  const sched = makeSchedule(recipe, optimizer, stepsPerEpoch);
  const batchRng = new Rng(recipe.seed);
  const snapshots = new Map<number, Float32Array[]>(hooks.snapshots ?? []);
  let state: G2PRunState;
  if (hooks.resume !== undefined) {
    checkState(hooks.resume, recipe);
    const s = hooks.resume;
    optimizer.loadState(s.optimizer);
    if (sched !== null && s.schedule !== null) sched.schedule.loadState(s.schedule);
    batchRng.setState(s.batchRng);
    model.rng.setState(s.modelRng);
    state = { ...s, recipe: { ...recipe }, history: [...s.history], kept: [...s.kept] };
  } else {
    state = {
      kind: 'g2p-run', version: 1, recipe: { ...recipe }, epoch: 0, optimizer: optimizer.state(), schedule: sched?.schedule.state() ?? null,
      batchRng: batchRng.getState(), modelRng: model.rng.getState(), history: [], bestEpoch: 0, bestValWordErrorRate: Infinity, badEpochs: 0, kept: [], seconds: 0,
    };
  }
  const secondsBefore = state.seconds;
  let stoppedBy: G2PRunResult['stoppedBy'] = 'epochs';
  let early = false;

  const r = await trainG2P(model, train, {
    epochs: recipe.epochs,
    startEpoch: state.epoch + 1,
    batchSize: recipe.batchSize,
    clipNorm: recipe.clipNorm,
    optimizer,
    rng: batchRng,
    maxSeconds: hooks.maxSeconds ?? Infinity,
    validation: validation.length > 0 ? validation : undefined,
    afterStep: sched?.per === 'step' ? () => sched.schedule.step() : undefined,
    onBatchEnd: hooks.onBatchEnd,
    onEpochEnd: async (log) => {
      const wer = log.valWordErrorRate ?? NaN;
      if (sched?.per === 'epoch') sched.schedule.step(Number.isNaN(wer) ? log.loss : wer);
      const best = wer < state.bestValWordErrorRate;
      if (best) {
        state.bestValWordErrorRate = wer;
        state.bestEpoch = log.epoch;
        state.badEpochs = 0;
      } else {
        state.badEpochs++;
      }
      // keep this epoch for averaging if it is among the K best (or the K last)
      if (recipe.average > 1 || recipe.patience > 0) {
        const keepN = Math.max(recipe.average, recipe.patience > 0 ? 1 : 0);
        state.kept.push({ epoch: log.epoch, valWordErrorRate: wer });
        snapshots.set(log.epoch, snapshotWeights(model));
        const order = recipe.averageOf === 'last' && recipe.average > 1
          ? [...state.kept].sort((a, b) => b.epoch - a.epoch)
          : [...state.kept].sort((a, b) => a.valWordErrorRate - b.valWordErrorRate || b.epoch - a.epoch);
        const keep = new Set(order.slice(0, keepN).map((k) => k.epoch));
        keep.add(state.bestEpoch); // early stopping restores the best epoch; averaging must beat it
        state.kept = state.kept.filter((k) => keep.has(k.epoch));
        for (const e of [...snapshots.keys()]) if (!keep.has(e)) snapshots.delete(e);
      }
      const full: G2PRecipeEpochLog = { ...log, lr: optimizer.lr, best };
      state.history.push(full);
      state.epoch = log.epoch;
      state.optimizer = optimizer.state();
      state.schedule = sched?.schedule.state() ?? null;
      state.batchRng = batchRng.getState();
      state.modelRng = model.rng.getState();
      state.seconds = secondsBefore + log.elapsed;
      early = recipe.patience > 0 && state.badEpochs >= recipe.patience;
      const answer = hooks.onEpochEnd ? await hooks.onEpochEnd(full, state, model) : undefined;
      return early || answer === 'stop' ? 'stop' : undefined;
    },
  });
  stoppedBy = r.stoppedBy === 'callback' && early ? 'early-stopping' : r.stoppedBy;

  // pick the final weights on validation
  let final: G2PRunResult['final'] = { from: 'last', epochs: [state.epoch], valWordErrorRate: state.history.at(-1)?.valWordErrorRate ?? null, valPhonemeErrorRate: state.history.at(-1)?.valPhonemeErrorRate ?? null };
  let averageValWordErrorRate: number | null = null;
  if (selecting && state.bestEpoch > 0 && snapshots.has(state.bestEpoch)) {
    const bestLog = state.history.find((h) => h.epoch === state.bestEpoch);
    final = { from: 'best', epochs: [state.bestEpoch], valWordErrorRate: state.bestValWordErrorRate, valPhonemeErrorRate: bestLog?.valPhonemeErrorRate ?? null };
    const avgEpochs = state.kept
      .slice()
      .sort((a, b) => (recipe.averageOf === 'last' ? b.epoch - a.epoch : a.valWordErrorRate - b.valWordErrorRate || b.epoch - a.epoch))
      .slice(0, recipe.average)
      .map((k) => k.epoch)
      .filter((e) => snapshots.has(e));
    if (recipe.average > 1 && avgEpochs.length > 1) {
      averageWeightsInto(model, avgEpochs.map((e) => snapshots.get(e)!));
      const v = evaluateG2P(model, validation);
      averageValWordErrorRate = v.wordErrorRate;
      if (v.wordErrorRate <= state.bestValWordErrorRate) {
        final = { from: 'average', epochs: avgEpochs.sort((a, b) => a - b), valWordErrorRate: v.wordErrorRate, valPhonemeErrorRate: v.phonemeErrorRate };
      }
    }
    if (final.from === 'best') loadWeights(model, snapshots.get(state.bestEpoch)!);
  }
  return { state, stoppedBy, final, averageValWordErrorRate };
}
