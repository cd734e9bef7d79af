// The base every optimizer in src/optim/ shares: the parameter list, the learning rate, the step
// counter, per-parameter state buffers ("slots", named as in PyTorch's optimizer state), zeroGrad,
// and state()/loadState() for checkpoints that resume bit-exactly. Subclasses supply the update
// of one parameter and their hyperparameters.
// Left out: parameter groups (one set of hyperparameters for all parameters), closures that
// re-evaluate the loss, `maximize`, sparse gradients.
//
// Arithmetic: each element is updated in float64 (JS numbers) from the stored values and written
// back once into the parameter's own array type; slots share the parameter's dtype (as PyTorch
// keeps state in the parameter's dtype). The same inputs always give the same bits.

import type { Arr } from '../tensor.js';
import type { Param } from '../nn/layer.js';
import { ConfigError, ShapeError } from '../errors.js';

export type Hyper = Record<string, number | boolean>;

/**
 * A snapshot of an optimizer: plain JSON values plus typed arrays (one per parameter per slot).
 * Save `slots` as raw arrays next to the JSON part; `loadState` also accepts plain number arrays.
 */
export interface OptimizerState {
  kind: string;
  version: 1;
  /** step() calls so far (PyTorch's per-parameter `step`; the same for every parameter here). */
  step: number;
  /** Every hyperparameter, lr included. */
  hyper: Hyper;
  /** Identifies the parameters the slots belong to, in order. */
  params: { name: string; length: number }[];
  /** Slot name → one array per parameter, e.g. { exp_avg: [...], exp_avg_sq: [...] }. */
  slots: Record<string, ArrayLike<number>[]>;
}

/** Anything whose learning rate a schedule can read and set. */
export interface HasLr {
  lr: number;
}

export abstract class Optimizer implements HasLr {
  abstract readonly kind: string;
  readonly params: readonly Param[];
  /** step() calls so far. */
  protected t = 0;
  protected slotData: Record<string, Arr[]> = {};

  constructor(params: readonly Param[], where: string) {
    if (!Array.isArray(params)) {
      throw new ConfigError(`${where} params must be an array of Param; received ${typeof params}. Hint: pass model.params().`);
    }
    const seen = new Set<Arr>();
    params.forEach((p, i) => {
      if (p === null || typeof p !== 'object' || !ArrayBuffer.isView(p.value) || !ArrayBuffer.isView(p.grad)) {
        throw new ConfigError(`${where} params[${i}] must be a Param with value and grad arrays; received ${String(p)}.`);
      }
      if (p.value.length !== p.grad.length) {
        throw new ShapeError(
          `${where} params[${i}] ('${p.name}'): grad must have as many entries as value (${p.value.length}); received ${p.grad.length}.`,
        );
      }
      if (seen.has(p.value)) {
        throw new ConfigError(
          `${where} params[${i}] ('${p.name}') shares its value array with an earlier parameter; it would be updated twice per step. ` +
            'Hint: pass each parameter once (tied weights: once).',
        );
      }
      seen.add(p.value);
    });
    this.params = params.slice();
  }

  /** Learning rate used by the next step(). Schedules set it. */
  abstract get lr(): number;
  abstract set lr(v: number);

  /** step() calls so far. */
  get stepCount(): number {
    return this.t;
  }

  /** Every hyperparameter, lr included (a copy). */
  abstract hyper(): Hyper;
  /** Validate and apply hyperparameters (all of them, as returned by hyper()). */
  protected abstract applyHyper(h: Hyper): void;
  /** Slot names the current hyperparameters need. */
  protected abstract slotNames(): string[];
  /** Update params[i] in place from its grad; `t` is the 1-based step number. */
  protected abstract updateParam(i: number, p: Param, t: number): void;

  /** One optimisation step over every parameter, reading Param.grad. */
  step(): void {
    this.t++;
    const ps = this.params;
    for (let i = 0; i < ps.length; i++) this.updateParam(i, ps[i], this.t);
  }

  /** Set every parameter gradient to 0. */
  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  /** (Re)allocate zeroed slots for the current hyperparameters; subclass constructors call this last. */
  protected allocSlots(): void {
    const out: Record<string, Arr[]> = {};
    for (const s of this.slotNames()) {
      out[s] = this.params.map((p) => (p.value instanceof Float64Array ? new Float64Array(p.value.length) : new Float32Array(p.value.length)));
    }
    this.slotData = out;
  }

  /** A deep copy of everything step() depends on besides the parameters themselves. */
  state(): OptimizerState {
    const slots: Record<string, Arr[]> = {};
    for (const [k, arrs] of Object.entries(this.slotData)) slots[k] = arrs.map((a) => a.slice());
    return {
      kind: this.kind,
      version: 1,
      step: this.t,
      hyper: this.hyper(),
      params: this.params.map((p) => ({ name: p.name, length: p.value.length })),
      slots,
    };
  }

  /** Restore a state() snapshot (copies it). The optimizer must hold the same parameters, in the same order. */
  loadState(s: OptimizerState): void {
    const where = `[${this.kind}.loadState]`;
    if (s === null || typeof s !== 'object') throw new ConfigError(`${where} state must be an object from state(); received ${String(s)}.`);
    if (s.kind !== this.kind) {
      throw new ConfigError(`${where} state was saved by ${String(s.kind)}; received it in ${this.kind}. Hint: construct a ${String(s.kind)} to load it.`);
    }
    if (s.version !== 1) throw new ConfigError(`${where} state version must be 1; received ${String(s.version)}.`);
    if (!Number.isInteger(s.step) || s.step < 0) throw new ConfigError(`${where} step must be an integer ≥ 0; received ${s.step}.`);
    if (!Array.isArray(s.params) || s.params.length !== this.params.length) {
      throw new ConfigError(
        `${where} state holds ${Array.isArray(s.params) ? s.params.length : 'no'} parameters; this optimizer has ${this.params.length}.`,
      );
    }
    this.params.forEach((p, i) => {
      const q = s.params[i] ?? { name: undefined, length: undefined };
      if (q.name !== p.name || q.length !== p.value.length) {
        throw new ConfigError(
          `${where} parameter ${i} must be '${p.name}' with ${p.value.length} entries; received '${q.name}' with ${q.length}. ` +
            'Hint: build the model exactly as when the state was saved.',
        );
      }
    });
    const before = this.hyper();
    try {
      this.applyHyper(s.hyper);
    } catch (e) {
      this.applyHyper(before);
      throw e;
    }
    const names = this.slotNames();
    const got = Object.keys(s.slots ?? {}).sort();
    if (got.join(',') !== [...names].sort().join(',')) {
      this.applyHyper(before);
      throw new ConfigError(`${where} state must have slots [${names.join(', ')}] for its hyperparameters; received [${got.join(', ')}].`);
    }
    for (const n of names) {
      const arrs = s.slots[n];
      this.params.forEach((p, i) => {
        if (!arrs[i] || arrs[i].length !== p.value.length) {
          this.applyHyper(before);
          throw new ShapeError(`${where} slot ${n}[${i}] must have ${p.value.length} entries; received ${arrs[i]?.length}.`);
        }
      });
    }
    this.allocSlots();
    for (const n of names) this.slotData[n].forEach((a, i) => a.set(s.slots[n][i]));
    this.t = s.step;
  }
}

// ---- hyperparameter checks shared by the optimizers (messages: `[Adam] beta1 must be in [0, 1); received 1.2.`)

export function checkLr(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ConfigError(`${where} lr must be a finite number ≥ 0; received ${String(v)}.`);
  }
  return v;
}

export function checkNonNeg(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ConfigError(`${where} ${name} must be a finite number ≥ 0; received ${String(v)}.`);
  }
  return v;
}

/** v in [0, 1). */
export function checkUnitOpen(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) {
    throw new ConfigError(`${where} ${name} must be in [0, 1); received ${String(v)}.`);
  }
  return v;
}

export function checkBool(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(`${where} ${name} must be true or false; received ${String(v)}.`);
  return v;
}
