// Missing values in numeric time series, and missing time steps (a monthly record that skips a
// month). Missing values are NaN here; the CSV reader turns its missing tokens into NaN and then
// applies one policy:
//   error        (default) refuse, naming the column, how many values and the first row;
//   drop         remove every row in which ANY selected column is missing, so columns stay aligned;
//   ffill        carry the last seen value forward (a leading gap has nothing to carry: error);
//   interpolate  straight line by position between the nearest values on each side; a trailing gap
//                is carried forward as in ffill, a leading gap is an error.
// Interpolation is by row position, not by time stamp: call regularizeTimeSeries first when rows
// are unevenly spaced, so that position and time agree.
// Left out: seasonal or spline interpolation, back-filling (it would leak the future into the past).

import { ConfigError, FormatError } from '../errors.js';

/**
 * What to do with missing values (NaN) in numeric columns: 'error' refuses (FormatError naming the
 * column and first row), 'drop' removes every row where any column is missing, 'ffill' carries the
 * last value forward, 'interpolate' draws a straight line by row position (a trailing gap is
 * carried forward). A leading gap cannot be filled and is an error with 'ffill' and 'interpolate'.
 */
export type MissingPolicy = 'drop' | 'ffill' | 'interpolate' | 'error';
/** Every MissingPolicy, for checks and menus. */
export const MISSING_POLICIES: readonly MissingPolicy[] = ['drop', 'ffill', 'interpolate', 'error'];

/** Columns after a missing-value policy: still of equal length, with the input row of each kept row. */
export interface AlignedColumns {
  /** The column names. */
  names: string[];
  /** One array per column, without NaN. */
  values: Float64Array[];
  /** Index into the input rows of each kept row. */
  rows: number[];
}

const defaultRowNumber = (i: number): number => i + 1;

/**
 * Applies a missing-value policy to columns of equal length holding NaN where a value is missing.
 * `rowNumber` turns a 0-based index into the number shown in messages (the CSV reader passes the
 * spreadsheet row); `where` prefixes messages.
 */
export function applyMissing(
  names: readonly string[],
  columns: readonly Float64Array[],
  policy: MissingPolicy,
  rowNumber: (i: number) => number = defaultRowNumber,
  where = '[missing]',
): AlignedColumns {
  if (!MISSING_POLICIES.includes(policy)) {
    throw new ConfigError(`${where} missing-value policy must be one of ${MISSING_POLICIES.join(', ')}; received ${JSON.stringify(policy)}.`);
  }
  const n = columns.length > 0 ? columns[0].length : 0;
  for (let c = 0; c < columns.length; c++) {
    if (columns[c].length !== n) {
      throw new ConfigError(`${where} all columns must have the same length; '${names[0]}' has ${n} values but '${names[c]}' has ${columns[c].length}.`);
    }
  }
  const all = Array.from({ length: n }, (_, i) => i);
  if (policy === 'error') {
    for (let c = 0; c < columns.length; c++) {
      const { count, first } = countMissing(columns[c]);
      if (count > 0) {
        throw new FormatError(
          `${where} column '${names[c]}' has ${count} missing value${count === 1 ? '' : 's'}, first at row ${rowNumber(first)}. ` +
            "Hint: pass --missing ffill|interpolate|drop (in code: { missing: 'ffill' | 'interpolate' | 'drop' }).",
        );
      }
    }
    return { names: [...names], values: columns.map((v) => v.slice()), rows: all };
  }
  if (policy === 'drop') {
    const keep = all.filter((i) => columns.every((col) => !Number.isNaN(col[i])));
    if (keep.length === 0 && n > 0) {
      throw new FormatError(`${where} every one of the ${n} rows has a missing value in ${names.join(', ')}; nothing is left after dropping them. Hint: check the missing-value tokens and the column names.`);
    }
    return { names: [...names], values: columns.map((col) => Float64Array.from(keep, (i) => col[i])), rows: keep };
  }
  return {
    names: [...names],
    values: columns.map((col, c) => fillMissing(col, policy, names[c], rowNumber, where)),
    rows: all,
  };
}

function countMissing(x: Float64Array): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  return { count, first };
}

/** Fills NaN in one series by 'ffill' or 'interpolate' (see the file header); returns a new array. */
export function fillMissing(
  x: Float64Array,
  policy: 'ffill' | 'interpolate',
  name = 'series',
  rowNumber: (i: number) => number = defaultRowNumber,
  where = '[missing]',
): Float64Array {
  const out = x.slice();
  const n = out.length;
  let firstValid = 0;
  while (firstValid < n && Number.isNaN(out[firstValid])) firstValid++;
  if (firstValid === n) {
    if (n === 0) return out;
    throw new FormatError(`${where} column '${name}' has no values at all (all ${n} are missing). Hint: check the column name and the missing-value tokens.`);
  }
  if (firstValid > 0) {
    const span = firstValid === 1 ? `row ${rowNumber(0)}` : `rows ${rowNumber(0)}–${rowNumber(firstValid - 1)}`;
    throw new FormatError(
      `${where} column '${name}' starts with ${firstValid} missing value${firstValid === 1 ? '' : 's'} (${span}); ${policy} has no earlier value to fill ${firstValid === 1 ? 'it' : 'them'} from. ` +
        'Hint: use --missing drop, or remove the leading rows.',
    );
  }
  let last = 0; // index of the last valid value
  for (let i = 1; i < n; i++) {
    if (!Number.isNaN(out[i])) {
      if (policy === 'interpolate' && i - last > 1) {
        const a = out[last];
        const b = out[i];
        for (let k = last + 1; k < i; k++) out[k] = a + ((b - a) * (k - last)) / (i - last);
      }
      last = i;
    } else if (policy === 'ffill') {
      out[i] = out[last];
    }
  }
  for (let k = last + 1; k < n; k++) out[k] = out[last]; // trailing gap: carried forward
  return out;
}

/** The grid regularizeTimeSeries puts a series on: whole days, or calendar months. */
export type TimeStep = 'day' | 'month';

/** A series on a regular grid (regularizeTimeSeries). */
export interface RegularSeries {
  /** ms since the epoch, one per step with no gaps. */
  times: Float64Array;
  /** Columns with NaN at inserted steps. */
  values: Float64Array[];
  /** How many steps were inserted. */
  inserted: number;
}

const DAY_MS = 86_400_000;
/** regularizeTimeSeries inserts at most max(this, the number of rows) steps unless told otherwise. */
export const DEFAULT_MIN_INSERTED = 1000;

/** Options of regularizeTimeSeries(). */
export interface RegularizeOptions {
  /** Most steps that may be inserted in all; more is a FormatError naming the widest gap. Default max(1000, number of rows). */
  maxInserted?: number;
  /** How messages name index i (the forecast reader passes 'row 14', the spreadsheet row). Default 'times[i]'. */
  label?: (i: number) => string;
}

/**
 * Puts a series on a regular grid of days or calendar months, inserting NaN rows for the steps that
 * are absent (the Mauna Loa CO₂ record skips six months). Times must be strictly increasing and
 * lie on the grid (whole days after the first time; for months, the grid is the calendar month of
 * each time). Follow with applyMissing(…, 'interpolate') or 'ffill'. At most options.maxInserted
 * steps (default max(1000, number of rows)) are inserted: a wider gap is a FormatError that names
 * it, since it is far more often a mistyped date than real data.
 */
export function regularizeTimeSeries(times: Float64Array, columns: readonly Float64Array[], step: TimeStep, options: RegularizeOptions = {}): RegularSeries {
  const n = times.length;
  if (step !== 'day' && step !== 'month') throw new ConfigError(`[regularizeTimeSeries] step must be 'day' or 'month'; received ${JSON.stringify(step)}.`);
  const maxInserted = options.maxInserted ?? Math.max(DEFAULT_MIN_INSERTED, n);
  if (typeof maxInserted !== 'number' || !(maxInserted >= 0)) {
    throw new ConfigError(`[regularizeTimeSeries] maxInserted must be a number ≥ 0; received ${String(maxInserted)}.`);
  }
  const label = options.label ?? ((i: number) => `times[${i}]`);
  for (const col of columns) {
    if (col.length !== n) throw new ConfigError(`[regularizeTimeSeries] every column must have ${n} values like times; received ${col.length}.`);
  }
  if (n === 0) return { times: new Float64Array(0), values: columns.map(() => new Float64Array(0)), inserted: 0 };
  for (let i = 0; i < n; i++) {
    // a Date holds ±8.64e15 ms (±100 million days around 1970)
    if (!(Math.abs(times[i]) <= 8.64e15)) throw new ConfigError(`[regularizeTimeSeries] times[${i}] must be a date in ms since 1970 (|t| ≤ 8.64e15); received ${times[i]}.`);
  }
  const slot = new Array<number>(n);
  const fmt = (t: number): string => new Date(t).toISOString().slice(0, step === 'month' ? 7 : 10);
  const t0 = times[0];
  const month0 = monthIndex(t0);
  for (let i = 0; i < n; i++) {
    if (step === 'day') {
      const d = (times[i] - t0) / DAY_MS;
      if (!Number.isInteger(d)) {
        throw new FormatError(`[regularizeTimeSeries] times[${i}] = ${new Date(times[i]).toISOString()} is not a whole number of days after the first time ${new Date(t0).toISOString()}. Hint: daily data must share one time of day.`);
      }
      slot[i] = d;
    } else {
      slot[i] = monthIndex(times[i]) - month0;
    }
    if (i > 0 && slot[i] <= slot[i - 1]) {
      throw new FormatError(
        `[regularizeTimeSeries] times must increase by at least one ${step}; times[${i}] = ${fmt(times[i])} comes after times[${i - 1}] = ${fmt(times[i - 1])}. ` +
          'Hint: sort the rows by date and remove duplicate dates.',
      );
    }
  }
  // A date typo (2020 → 9020) or a hostile file must not turn a few rows into millions: the steps to
  // insert are bounded before anything is allocated, and the error names the widest gap.
  const inserted = slot[n - 1] + 1 - n;
  if (inserted > maxInserted) {
    let widest = 1;
    for (let i = 2; i < n; i++) if (slot[i] - slot[i - 1] > slot[widest] - slot[widest - 1]) widest = i;
    const gap = slot[widest] - slot[widest - 1] - 1;
    throw new FormatError(
      `[regularizeTimeSeries] filling the missing ${step}s would insert ${inserted} rows into ${n}; at most ${maxInserted} are allowed. ` +
        `The widest gap is ${gap} ${step}s, between ${label(widest - 1)} (${fmt(times[widest - 1])}) and ${label(widest)} (${fmt(times[widest])}). ` +
        'Hint: check those dates for a typo; if the gap is real, split the series there or drop the rows before it.',
    );
  }
  const len = slot[n - 1] + 1;
  const outTimes = new Float64Array(len);
  for (let k = 0; k < len; k++) {
    if (step === 'day') outTimes[k] = t0 + k * DAY_MS;
    else {
      const m = month0 + k;
      outTimes[k] = Date.UTC(Math.floor(m / 12), m % 12, 1);
    }
  }
  // Observed times are kept exactly (a monthly value dated the 15th stays on the 15th).
  const values = columns.map(() => new Float64Array(len).fill(NaN));
  for (let i = 0; i < n; i++) {
    outTimes[slot[i]] = times[i];
    for (let c = 0; c < columns.length; c++) values[c][slot[i]] = columns[c][i];
  }
  return { times: outTimes, values, inserted: len - n };
}

function monthIndex(t: number): number {
  const d = new Date(t);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}
