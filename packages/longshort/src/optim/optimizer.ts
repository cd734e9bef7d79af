// The base every optimizer in src/optim/ shares: the parameter list, the hyperparameters (declared
// by each subclass as a spec of kinds and defaults; checked, stored, listed, restored and made
// available to learning-rate schedules here, once), the step counter, per-parameter state buffers
// ("slots", named as in PyTorch's optimizer state) in the memory of the kernel family that holds
// the parameter, zeroGrad, and state()/loadState() for checkpoints that resume bit-exactly.
// Subclasses supply the update of one parameter, as a call to their kernel operation.
// Left out: parameter groups (one set of hyperparameters for all parameters), closures that
// re-evaluate the loss, `maximize`, sparse gradients.
//
// Arithmetic (src/kernels/ref/optim.ts, and the same bits from every kernel family): each element
// is updated in float64 from the stored values and written back once into the parameter's own
// array type; slots share the parameter's dtype (as PyTorch keeps state in the parameter's dtype).

import type { Arr } from '../tensor.js';
import type { Param } from '../nn/layer.js';
import { ConfigError, ShapeError } from '../errors.js';
import { kernelsOf } from '../kernels/index.js';
import type { Kernels } from '../kernels/types.js';

/** An optimizer's hyperparameters by name, e.g. { lr: 0.001, beta1: 0.9, amsgrad: false }. */
export type Hyper = Record<string, number | boolean>;

/** How a hyperparameter is checked: a learning rate (finite, ≥ 0), a finite number ≥ 0, a number in [0, 1), or a boolean. */
export type HyperKind = 'lr' | 'nonNeg' | 'unitOpen' | 'bool';

/** An optimizer's hyperparameters: name → kind and default, in the order hyper() lists them. */
export type HyperSpec = Readonly<Record<string, { kind: HyperKind; default: number | boolean }>>;

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
  /** The current hyperparameters (validated), keys in the spec's order. */
  protected h: Hyper = {};
  private readonly spec: HyperSpec;
  private readonly where: string;

  /**
   * Subclasses pass their label ('Adam'), their hyperparameters' spec and the user's options
   * (undefined entries take the spec's default); every value is checked here, once.
   */
  constructor(params: readonly Param[], label: string, spec: HyperSpec, options: object) {
    const where = `[${label}]`;
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
    this.spec = spec;
    this.where = where;
    const given = options as Record<string, number | boolean | undefined>;
    const h: Hyper = {};
    for (const [name, { default: d }] of Object.entries(spec)) h[name] = given[name] ?? d;
    this.applyHyper(h);
    this.allocSlots();
  }

  /** Learning rate used by the next step(). Schedules set it. */
  get lr(): number {
    return this.h.lr as number;
  }
  set lr(v: number) {
    this.h.lr = checkLr(this.where, v);
  }

  /** step() calls so far. */
  get stepCount(): number {
    return this.t;
  }

  /** Every hyperparameter, lr included (a copy). */
  hyper(): Hyper {
    return { ...this.h };
  }

  /** Validate and apply hyperparameters (all of them, as hyper() returns them); nothing changes when one is invalid. */
  protected applyHyper(h: Hyper): void {
    const out: Hyper = {};
    for (const [name, { kind }] of Object.entries(this.spec)) {
      const v: unknown = h[name];
      out[name] =
        kind === 'lr' ? checkLr(this.where, v) : kind === 'nonNeg' ? checkNonNeg(this.where, name, v) : kind === 'unitOpen' ? checkUnitOpen(this.where, name, v) : checkBool(this.where, name, v);
    }
    this.checkTogether(out);
    this.h = out;
  }

  /** Checks across hyperparameters (SGD: Nesterov needs momentum); throw ConfigError to refuse. */
  protected checkTogether(_h: Hyper): void {}

  /** Slot names the current hyperparameters need. */
  protected abstract slotNames(): string[];
  /** Update params[i] in place from its grad with the kernel family k that holds it; `t` is the 1-based step number. */
  protected abstract updateParam(i: number, p: Param, t: number, k: Kernels): void;

  /** One optimisation step over every parameter, reading Param.grad; each runs on the kernel family whose memory holds it. */
  step(): void {
    this.t++;
    const ps = this.params;
    for (let i = 0; i < ps.length; i++) this.updateParam(i, ps[i], this.t, kernelsOf(ps[i].value));
  }

  /** Set every parameter gradient to 0. */
  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  /** Slot `name` of params[i], or null when the current hyperparameters have no such slot. */
  protected slot(name: string, i: number): Arr | null {
    return this.slotData[name]?.[i] ?? null;
  }

  /** (Re)allocate zeroed slots for the current hyperparameters, each beside its parameter (the same kernel family's memory and dtype). */
  protected allocSlots(): void {
    this.freeSlots();
    const out: Record<string, Arr[]> = {};
    for (const s of this.slotNames()) {
      out[s] = this.params.map((p) => kernelsOf(p.value).alloc(p.value.length, p.value instanceof Float64Array ? 'float64' : 'float32'));
    }
    this.slotData = out;
  }

  private freeSlots(): void {
    for (const arrs of Object.values(this.slotData)) for (const a of arrs) kernelsOf(a).free(a);
    this.slotData = {};
  }

  /** Give the slots' memory back to the kernels now; the optimizer must not step afterwards. */
  dispose(): void {
    this.freeSlots();
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
