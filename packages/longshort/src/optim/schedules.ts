// Learning-rate schedules. Each wraps anything with a settable `lr` (every optimizer here) and
// sets it on step(). StepLR, ExponentialLR and ReduceLROnPlateau follow torch.optim.lr_scheduler
// (StepLR and ExponentialLR in PyTorch's "chainable" form: they multiply the optimizer's current lr,
// so they compose with other changes to it). CosineWithWarmup is the usual linear warm-up from 0
// followed by a half cosine down to minLr (Hugging Face's get_cosine_schedule_with_warmup, plus a
// floor), computed in closed form from the lr the optimizer had when the schedule was created.
//
// Counting: a schedule's step() is called once per optimizer step (or once per epoch — the unit is
// the caller's); `lastStep` counts those calls, 0 right after construction.
// Checkpoints: state()/loadState() hold the schedule's own counters only. The lr itself is part of
// the optimizer's state, so restore both (as with PyTorch's scheduler and optimizer state_dicts).
// Left out: per-parameter-group lrs, OneCycle, cyclic and warm-restart schedules.

import { ConfigError } from '../errors.js';
import type { HasLr } from './optimizer.js';

/** A schedule's state() for checkpoints: plain JSON values. */
export interface ScheduleState {
  /** The schedule's class, e.g. 'StepLR'; loadState() refuses another. */
  kind: string;
  /** step() calls so far. */
  lastStep: number;
  [key: string]: string | number | boolean | null;
}

/**
 * What a trainer needs of a learning-rate schedule (fit's `schedule` option): step() once per epoch
 * with the monitored metric (validation loss when there is one, else training loss) or once per
 * optimizer step, and its state for checkpoints. Every schedule here is one; so is any object of
 * this shape.
 */
export interface Scheduler {
  /** Advance one step (with the monitored metric when stepped per epoch). */
  step(metric?: number): unknown;
  /** A snapshot for checkpoints (plain JSON). */
  state(): unknown;
  /** Restore a state() snapshot; a malformed one throws ConfigError. */
  loadState(s: unknown): void;
}

/** A learning-rate schedule of this library: StepLR, ExponentialLR, CosineWithWarmup, ReduceLROnPlateau. */
export interface LrSchedule extends Scheduler {
  /** The class name, e.g. 'StepLR'. */
  readonly kind: string;
  /** Advance one step and set the optimizer's lr; returns the new lr. */
  step(metric?: number): number;
  /** step() calls so far. */
  readonly lastStep: number;
  /** The step count and whatever else the schedule needs to resume, as JSON. */
  state(): ScheduleState;
  /** Restore a state() of the same kind of schedule; anything else throws ConfigError. */
  loadState(s: ScheduleState): void;
}

function checkOptimizer(where: string, opt: HasLr): void {
  if (opt === null || typeof opt !== 'object' || typeof opt.lr !== 'number') {
    throw new ConfigError(`${where} optimizer must be an object with a numeric lr (SGD, Adam, …); received ${String(opt)}.`);
  }
}

function checkInt(where: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ConfigError(`${where} ${name} must be an integer ≥ ${min}; received ${String(v)}.`);
  }
  return v;
}

function checkFactor(where: string, name: string, v: unknown, allowOne: boolean): number {
  if (typeof v !== 'number' || !(v > 0 && (allowOne ? v <= 1 : v < 1))) {
    throw new ConfigError(`${where} ${name} must be in (0, 1${allowOne ? ']' : ')'}; received ${String(v)}.`);
  }
  return v;
}

function checkStateKind(where: string, s: ScheduleState, kind: string): void {
  if (s === null || typeof s !== 'object' || s.kind !== kind) {
    throw new ConfigError(`${where} state must come from ${kind}.state(); received kind ${s === null || typeof s !== 'object' ? String(s) : String(s.kind)}.`);
  }
  checkInt(where, 'lastStep', s.lastStep, 0);
}

/** Multiply the lr by gamma every stepSize steps: lr_t = lr_0 · gamma^⌊t / stepSize⌋. */
export class StepLR implements LrSchedule {
  readonly kind = 'StepLR';
  lastStep = 0;
  readonly stepSize: number;
  readonly gamma: number;

  constructor(readonly optimizer: HasLr, options: { stepSize: number; gamma?: number }) {
    const where = '[StepLR]';
    checkOptimizer(where, optimizer);
    this.stepSize = checkInt(where, 'stepSize', options?.stepSize, 1);
    this.gamma = checkFactor(where, 'gamma', options.gamma ?? 0.1, true);
  }

  step(): number {
    this.lastStep++;
    if (this.lastStep % this.stepSize === 0) this.optimizer.lr = this.optimizer.lr * this.gamma;
    return this.optimizer.lr;
  }

  state(): ScheduleState {
    return { kind: this.kind, lastStep: this.lastStep };
  }

  loadState(s: ScheduleState): void {
    checkStateKind('[StepLR.loadState]', s, this.kind);
    this.lastStep = s.lastStep;
  }
}

/** Multiply the lr by gamma every step: lr_t = lr_0 · gamma^t. */
export class ExponentialLR implements LrSchedule {
  readonly kind = 'ExponentialLR';
  lastStep = 0;
  readonly gamma: number;

  constructor(readonly optimizer: HasLr, options: { gamma: number }) {
    const where = '[ExponentialLR]';
    checkOptimizer(where, optimizer);
    this.gamma = checkFactor(where, 'gamma', options?.gamma, true);
  }

  step(): number {
    this.lastStep++;
    this.optimizer.lr = this.optimizer.lr * this.gamma;
    return this.optimizer.lr;
  }

  state(): ScheduleState {
    return { kind: this.kind, lastStep: this.lastStep };
  }

  loadState(s: ScheduleState): void {
    checkStateKind('[ExponentialLR.loadState]', s, this.kind);
    this.lastStep = s.lastStep;
  }
}

/** Options of CosineWithWarmup; bad values throw ConfigError. */
export interface CosineWithWarmupOptions {
  /** Steps of linear warm-up from 0 to the base lr (0: start at the base lr). */
  warmupSteps: number;
  /** Step at which the cosine reaches minLr; after it the lr stays at minLr. Must exceed warmupSteps. */
  totalSteps: number;
  /** Floor of the cosine, in [0, base lr]. Default 0. */
  minLr?: number;
}

/**
 * With base the optimizer's lr at construction, W = warmupSteps, N = totalSteps, t = lastStep:
 *   t < W:       lr = base · t / W                   (so the very first step uses lr 0 when W > 0)
 *   W ≤ t ≤ N:   lr = minLr + (base − minLr) · ½(1 + cos(π·(t − W)/(N − W)))
 *   t > N:       lr = minLr
 * The constructor sets the optimizer's lr to lr(0).
 */
export class CosineWithWarmup implements LrSchedule {
  readonly kind = 'CosineWithWarmup';
  lastStep = 0;
  readonly baseLr: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  readonly minLr: number;

  constructor(readonly optimizer: HasLr, options: CosineWithWarmupOptions) {
    const where = '[CosineWithWarmup]';
    checkOptimizer(where, optimizer);
    this.baseLr = optimizer.lr;
    this.warmupSteps = checkInt(where, 'warmupSteps', options?.warmupSteps, 0);
    this.totalSteps = checkInt(where, 'totalSteps', options.totalSteps, 1);
    if (this.totalSteps <= this.warmupSteps) {
      throw new ConfigError(
        `${where} totalSteps must be greater than warmupSteps (${this.warmupSteps}); received ${this.totalSteps}.`,
      );
    }
    const minLr = options.minLr ?? 0;
    if (typeof minLr !== 'number' || !(minLr >= 0 && minLr <= this.baseLr)) {
      throw new ConfigError(
        `${where} minLr must be in [0, ${this.baseLr}] (the optimizer's lr is the peak); received ${String(minLr)}.`,
      );
    }
    this.minLr = minLr;
    optimizer.lr = this.lrAt(0);
  }

  /** The lr this schedule gives at step t. */
  lrAt(t: number): number {
    const { baseLr: base, warmupSteps: W, totalSteps: N, minLr } = this;
    if (t < W) return (base * t) / W;
    if (t >= N) return minLr;
    const progress = (t - W) / (N - W);
    return minLr + (base - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }

  step(): number {
    this.lastStep++;
    this.optimizer.lr = this.lrAt(this.lastStep);
    return this.optimizer.lr;
  }

  state(): ScheduleState {
    return { kind: this.kind, lastStep: this.lastStep, baseLr: this.baseLr };
  }

  /** Restores the step and base lr, and sets the optimizer's lr to lrAt(lastStep) (closed form: the same value the optimizer's own state holds). */
  loadState(s: ScheduleState): void {
    const where = '[CosineWithWarmup.loadState]';
    checkStateKind(where, s, this.kind);
    if (typeof s.baseLr !== 'number' || !(s.baseLr >= this.minLr)) {
      throw new ConfigError(`${where} baseLr must be a number ≥ minLr (${this.minLr}); received ${String(s.baseLr)}.`);
    }
    (this as { baseLr: number }).baseLr = s.baseLr;
    this.lastStep = s.lastStep;
    this.optimizer.lr = this.lrAt(this.lastStep);
  }
}

/** Options of ReduceLROnPlateau (torch.optim.lr_scheduler's); bad values throw ConfigError. */
export interface ReduceLROnPlateauOptions {
  /** 'min' (default): the metric should fall (a loss); 'max': it should rise (an accuracy). */
  mode?: 'min' | 'max';
  /** lr ← max(lr·factor, minLr) on a plateau; in (0, 1). Default 0.1. */
  factor?: number;
  /** Steps without improvement tolerated before reducing; the reduction comes on step patience + 1. Default 10. */
  patience?: number;
  /** Smallest change that counts as an improvement. Default 1e-4. */
  threshold?: number;
  /** 'rel' (default): better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps after a reduction during which bad steps are not counted. Default 0. */
  cooldown?: number;
  /** Lower bound of the lr. Default 0. */
  minLr?: number;
  /** Reductions smaller than this are skipped (PyTorch eps). Default 1e-8. */
  eps?: number;
}

/**
 * PyTorch's ReduceLROnPlateau. Each step(metric):
 *   if metric is better than best (by threshold): best ← metric, bad ← 0; else bad ← bad + 1
 *   if in cooldown: cooldownCounter ← cooldownCounter − 1, bad ← 0
 *   if bad > patience: lr ← max(lr·factor, minLr) (only if that lowers it by more than eps),
 *                      cooldownCounter ← cooldown, bad ← 0
 * A NaN metric is never better (it counts as a bad step), as in PyTorch.
 */
export class ReduceLROnPlateau implements LrSchedule {
  readonly kind = 'ReduceLROnPlateau';
  lastStep = 0;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  /** Best metric so far (±Infinity before the first). */
  best: number;
  numBadSteps = 0;
  cooldownCounter = 0;

  constructor(readonly optimizer: HasLr, options: ReduceLROnPlateauOptions = {}) {
    const where = '[ReduceLROnPlateau]';
    checkOptimizer(where, optimizer);
    const mode = options.mode ?? 'min';
    if (mode !== 'min' && mode !== 'max') throw new ConfigError(`${where} mode must be 'min' or 'max'; received ${JSON.stringify(mode)}.`);
    const thresholdMode = options.thresholdMode ?? 'rel';
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') {
      throw new ConfigError(`${where} thresholdMode must be 'rel' or 'abs'; received ${JSON.stringify(thresholdMode)}.`);
    }
    this.mode = mode;
    this.thresholdMode = thresholdMode;
    this.factor = checkFactor(where, 'factor', options.factor ?? 0.1, false);
    this.patience = checkInt(where, 'patience', options.patience ?? 10, 0);
    this.cooldown = checkInt(where, 'cooldown', options.cooldown ?? 0, 0);
    this.threshold = checkNum(where, 'threshold', options.threshold ?? 1e-4);
    this.minLr = checkNum(where, 'minLr', options.minLr ?? 0);
    this.eps = checkNum(where, 'eps', options.eps ?? 1e-8);
    this.best = mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` improves on `best` (PyTorch's is_better). */
  isBetter(a: number, best: number): boolean {
    const th = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - th) : a < best - th;
    return this.thresholdMode === 'rel' ? a > best * (th + 1) : a > best + th;
  }

  step(metric?: number): number {
    if (typeof metric !== 'number') {
      throw new ConfigError(
        `[ReduceLROnPlateau.step] metric must be a number; received ${String(metric)}. Hint: pass the validation loss, step(valLoss).`,
      );
    }
    this.lastStep++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadSteps = 0;
    } else {
      this.numBadSteps++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadSteps = 0; // bad steps during cooldown are ignored
    }
    if (this.numBadSteps > this.patience) {
      const old = this.optimizer.lr;
      const next = Math.max(old * this.factor, this.minLr);
      if (old - next > this.eps) this.optimizer.lr = next;
      this.cooldownCounter = this.cooldown;
      this.numBadSteps = 0;
    }
    return this.optimizer.lr;
  }

  /** JSON-safe: a non-finite `best` (±Infinity before the first improvement) is saved as the string 'Infinity' / '-Infinity'. */
  state(): ScheduleState {
    return {
      kind: this.kind,
      lastStep: this.lastStep,
      best: Number.isFinite(this.best) ? this.best : String(this.best),
      numBadSteps: this.numBadSteps,
      cooldownCounter: this.cooldownCounter,
    };
  }

  loadState(s: ScheduleState): void {
    const where = '[ReduceLROnPlateau.loadState]';
    checkStateKind(where, s, this.kind);
    const best = typeof s.best === 'string' ? Number(s.best) : s.best;
    if (typeof best !== 'number' || Number.isNaN(best)) {
      throw new ConfigError(`${where} best must be a number, 'Infinity' or '-Infinity'; received ${String(s.best)}.`);
    }
    const bad = checkInt(where, 'numBadSteps', s.numBadSteps, 0);
    const cd = checkInt(where, 'cooldownCounter', s.cooldownCounter, 0);
    this.lastStep = s.lastStep;
    this.best = best;
    this.numBadSteps = bad;
    this.cooldownCounter = cd;
  }
}

function checkNum(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ConfigError(`${where} ${name} must be a finite number ≥ 0; received ${String(v)}.`);
  }
  return v;
}
