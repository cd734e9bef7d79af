// Feature scaling fitted on the training range only, so nothing about the validation or test
// period leaks into training. Each column j is scaled on its own:
//   StandardScaler  z = (x − mean_j) / std_j   (population std; a constant column gets std 1)
//   MinMaxScaler    z = (x − min_j) / (max_j − min_j) · (hi − lo) + lo   (constant column: range 1)
// Constant columns map to 0 (standard) or lo (min-max) instead of dividing by zero, as
// scikit-learn does. toJSON()/scalerFromJSON() store the fitted numbers in model files so that
// predictions can be turned back into the data's units later.
// Left out: robust (median/IQR) scaling, per-window normalisation.

import { ConfigError, FormatError, NonFiniteError } from '../errors.js';

/** A fitted scaler as plain JSON (toJSON()), for model files; scalerFromJSON() rebuilds it. */
export type ScalerJSON =
  | { kind: 'standard'; mean: number[]; std: number[] }
  | { kind: 'minmax'; min: number[]; max: number[]; range: [number, number] };

/**
 * Per-column feature scaling, fitted on the training range only: StandardScaler or MinMaxScaler.
 * Columns are arrays of equal length (one per feature); calls before fit() or with another number
 * of columns throw ConfigError.
 */
export interface Scaler {
  /** 'standard' (StandardScaler) or 'minmax' (MinMaxScaler). */
  readonly kind: 'standard' | 'minmax';
  /** Number of columns fitted (0 before fit). */
  readonly columns: number;
  /** Fits on rows [start, end) of every column (default: all rows). Returns this. */
  fit(columns: readonly ArrayLike<number>[], range?: [number, number]): this;
  /** Scale every column (as many as fitted), returning new arrays. */
  transform(columns: readonly ArrayLike<number>[]): Float64Array[];
  /** Undo transform(): back to the data's units, returning new arrays. */
  inverseTransform(columns: readonly ArrayLike<number>[]): Float64Array[];
  /** Scale / unscale one column j (e.g. the target), returning a new array. */
  transformColumn(x: ArrayLike<number>, j: number): Float64Array;
  /** Undo transformColumn() for column j (e.g. turn predictions back into the target's units), returning a new array. */
  inverseColumn(x: ArrayLike<number>, j: number): Float64Array;
  /** The fitted numbers as plain JSON. */
  toJSON(): ScalerJSON;
}

abstract class ColumnScaler implements Scaler {
  abstract readonly kind: 'standard' | 'minmax';
  // Per column j: z = (x − center_j) / spread_j · gain + offset. Written this way, not as one
  // multiply-add, so that exact inputs give exact outputs (min → lo, max → hi, mean → 0).
  protected center: number[] = [];
  protected spread: number[] = [];
  protected gain = 1;
  protected offset = 0;

  // The class name for messages (constructor.name would not survive minification).
  protected get label(): string {
    return this.kind === 'standard' ? 'StandardScaler' : 'MinMaxScaler';
  }

  /** Number of columns fitted (0 before fit). */
  get columns(): number {
    return this.center.length;
  }

  /** Fit column j on its rows [start, end). */
  protected abstract fitColumn(x: ArrayLike<number>, start: number, end: number, j: number): void;

  /**
   * Fit on rows [start, end) of every column (default: all rows); returns this. Throws ConfigError
   * for no columns, columns of unequal length or a bad range; NonFiniteError for NaN or Infinity in the range.
   */
  fit(columns: readonly ArrayLike<number>[], range?: [number, number]): this {
    const name = this.label;
    if (columns.length === 0) throw new ConfigError(`[${name}.fit] needs at least one column; received none.`);
    const len = columns[0].length;
    const [start, end] = range ?? [0, len];
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= len)) {
      throw new ConfigError(`[${name}.fit] range must satisfy 0 <= start < end <= ${len}; received [${start}, ${end}).`);
    }
    this.center = [];
    this.spread = [];
    columns.forEach((x, j) => {
      if (x.length !== len) throw new ConfigError(`[${name}.fit] every column must have ${len} rows like column 0; column ${j} has ${x.length}.`);
      for (let i = start; i < end; i++) {
        if (!Number.isFinite(x[i])) {
          throw new NonFiniteError(`[${name}.fit] column ${j} row ${i} is ${x[i]}; scaling needs finite numbers. Hint: handle missing values first (missing: 'ffill' | 'interpolate' | 'drop').`);
        }
      }
      this.fitColumn(x, start, end, j);
    });
    return this;
  }

  private check(where: string, n: number): void {
    if (this.center.length === 0) throw new ConfigError(`[${this.label}.${where}] the scaler is not fitted. Hint: call fit() on the training range first.`);
    if (n !== this.center.length) {
      throw new ConfigError(`[${this.label}.${where}] expected ${this.center.length} columns as fitted; received ${n}.`);
    }
  }

  private checkJ(where: string, j: number): void {
    if (this.center.length === 0) throw new ConfigError(`[${this.label}.${where}] the scaler is not fitted. Hint: call fit() on the training range first.`);
    if (!Number.isInteger(j) || j < 0 || j >= this.center.length) {
      throw new ConfigError(`[${this.label}.${where}] column must be an integer in [0, ${this.center.length}); received ${j}.`);
    }
  }

  /** Scale column j (e.g. the target), returning a new array. */
  transformColumn(x: ArrayLike<number>, j: number): Float64Array {
    this.checkJ('transformColumn', j);
    const c = this.center[j];
    const w = this.spread[j];
    const { gain, offset } = this;
    return Float64Array.from(x, (v) => ((v - c) / w) * gain + offset);
  }

  /** Undo transformColumn() for column j, returning a new array. */
  inverseColumn(x: ArrayLike<number>, j: number): Float64Array {
    this.checkJ('inverseColumn', j);
    const c = this.center[j];
    const w = this.spread[j];
    const { gain, offset } = this;
    return Float64Array.from(x, (v) => ((v - offset) / gain) * w + c);
  }

  /** Scale every column (as many as fitted), returning new arrays. */
  transform(columns: readonly ArrayLike<number>[]): Float64Array[] {
    this.check('transform', columns.length);
    return columns.map((x, j) => this.transformColumn(x, j));
  }

  /** Undo transform(), returning new arrays in the data's units. */
  inverseTransform(columns: readonly ArrayLike<number>[]): Float64Array[] {
    this.check('inverseTransform', columns.length);
    return columns.map((x, j) => this.inverseColumn(x, j));
  }

  /** The fitted numbers as plain JSON, for scalerFromJSON(). */
  abstract toJSON(): ScalerJSON;
}

/**
 * Standardises each column: z = (x − mean) / std, with the population std of the fitted rows (a
 * constant column gets std 1, so it maps to 0).
 * @example
 * ```ts
 * const scaler = new StandardScaler().fit([temp, load], [0, nTrain]);  // training rows only
 * const [tempZ, loadZ] = scaler.transform([temp, load]);
 * const loadPred = scaler.inverseColumn(predZ, 1);                    // back to load's units
 * ```
 */
export class StandardScaler extends ColumnScaler {
  readonly kind = 'standard' as const;
  /** Mean of each fitted column. */
  mean: number[] = [];
  /** Population standard deviation of each fitted column (1 for a constant column). */
  std: number[] = [];

  /** Fit column j's mean and std on rows [start, end). */
  protected fitColumn(x: ArrayLike<number>, start: number, end: number, j: number): void {
    const n = end - start;
    let sum = 0;
    for (let i = start; i < end; i++) sum += x[i];
    const mean = sum / n;
    let ss = 0;
    for (let i = start; i < end; i++) ss += (x[i] - mean) * (x[i] - mean);
    const std = Math.sqrt(ss / n) || 1; // constant column → 1, so it maps to 0
    this.mean[j] = mean;
    this.std[j] = std;
    this.center[j] = mean;
    this.spread[j] = std;
  }

  /** Fit each column's mean and std on rows [start, end) (default: all rows); returns this. */
  override fit(columns: readonly ArrayLike<number>[], range?: [number, number]): this {
    this.mean = [];
    this.std = [];
    return super.fit(columns, range);
  }

  /** `{ kind: 'standard', mean, std }`. */
  toJSON(): ScalerJSON {
    return { kind: 'standard', mean: [...this.mean], std: [...this.std] };
  }

  /** A fitted StandardScaler from toJSON() output; a malformed one throws FormatError. */
  static fromJSON(json: unknown): StandardScaler {
    const s = scalerFromJSON(json);
    if (!(s instanceof StandardScaler)) throw new FormatError(`[StandardScaler.fromJSON] expected kind 'standard'; received '${s.kind}'.`);
    return s;
  }

  /** @internal */
  setFitted(mean: number[], std: number[]): this {
    this.mean = [...mean];
    this.std = [...std];
    this.center = [...mean];
    this.spread = [...std];
    return this;
  }
}

/**
 * Maps each column's fitted [min, max] linearly onto `range` (default [0, 1]); a constant column
 * maps to lo. Values outside the fitted range land outside `range`.
 */
export class MinMaxScaler extends ColumnScaler {
  readonly kind = 'minmax' as const;
  /** Minimum of each fitted column. */
  min: number[] = [];
  /** Maximum of each fitted column. */
  max: number[] = [];
  /** [lo, hi], the interval the fitted data maps onto. */
  readonly range: [number, number];

  /** range = [lo, hi], the interval the training data maps onto; default [0, 1]. */
  constructor(range: [number, number] = [0, 1]) {
    super();
    if (!(Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[0] < range[1])) {
      throw new ConfigError(`[MinMaxScaler] range must be [lo, hi] with finite lo < hi; received [${range.join(', ')}].`);
    }
    this.range = [range[0], range[1]];
    this.gain = range[1] - range[0];
    this.offset = range[0];
  }

  /** Fit column j's min and max on rows [start, end). */
  protected fitColumn(x: ArrayLike<number>, start: number, end: number, j: number): void {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      if (x[i] < lo) lo = x[i];
      if (x[i] > hi) hi = x[i];
    }
    this.min[j] = lo;
    this.max[j] = hi;
    this.setAffine(j);
  }

  private setAffine(j: number): void {
    this.center[j] = this.min[j];
    this.spread[j] = this.max[j] - this.min[j] || 1; // constant column → maps to lo
  }

  /** Fit each column's min and max on rows [start, end) (default: all rows); returns this. */
  override fit(columns: readonly ArrayLike<number>[], range?: [number, number]): this {
    this.min = [];
    this.max = [];
    return super.fit(columns, range);
  }

  /** `{ kind: 'minmax', min, max, range }`. */
  toJSON(): ScalerJSON {
    return { kind: 'minmax', min: [...this.min], max: [...this.max], range: [...this.range] };
  }

  /** A fitted MinMaxScaler from toJSON() output; a malformed one throws FormatError. */
  static fromJSON(json: unknown): MinMaxScaler {
    const s = scalerFromJSON(json);
    if (!(s instanceof MinMaxScaler)) throw new FormatError(`[MinMaxScaler.fromJSON] expected kind 'minmax'; received '${s.kind}'.`);
    return s;
  }

  /** @internal */
  setFitted(min: number[], max: number[]): this {
    this.min = [...min];
    this.max = [...max];
    this.center = [];
    this.spread = [];
    for (let j = 0; j < min.length; j++) this.setAffine(j);
    return this;
  }
}

function finiteArray(where: string, name: string, v: unknown, len?: number): number[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)) || (len !== undefined && v.length !== len)) {
    throw new FormatError(`[${where}] '${name}' must be an array of ${len ?? 'N'} finite numbers; received ${JSON.stringify(v)?.slice(0, 80)}.`);
  }
  return v as number[];
}

/** Rebuilds a fitted scaler from toJSON() output, checking every field. */
export function scalerFromJSON(json: unknown): StandardScaler | MinMaxScaler {
  const where = 'scalerFromJSON';
  if (typeof json !== 'object' || json === null) throw new FormatError(`[${where}] expected an object with a 'kind'; received ${JSON.stringify(json)}.`);
  const o = json as Record<string, unknown>;
  if (o.kind === 'standard') {
    const mean = finiteArray(where, 'mean', o.mean);
    const std = finiteArray(where, 'std', o.std, mean.length);
    if (std.some((s) => s <= 0)) throw new FormatError(`[${where}] every std must be > 0; received [${std.join(', ')}].`);
    return new StandardScaler().setFitted(mean, std);
  }
  if (o.kind === 'minmax') {
    const min = finiteArray(where, 'min', o.min);
    const max = finiteArray(where, 'max', o.max, min.length);
    const range = finiteArray(where, 'range', o.range, 2);
    return new MinMaxScaler([range[0], range[1]]).setFitted(min, max);
  }
  throw new FormatError(`[${where}] kind must be 'standard' or 'minmax'; received ${JSON.stringify(o.kind)}.`);
}
