// Many time series in one structure (a "panel") read from a CSV table, with the three kinds of
// covariates neuralforecast names:
//   past-only      observed up to the forecast origin only (e.g. a measured temperature);
//   future-known   known ahead for the whole horizon (e.g. a planned promotion): the history's
//                  values come from the table, the values after each series' end from a second
//                  table of future rows (`future`), checked for every series and step;
//   static         one number per series (a store's size), constant over time.
// Calendar features (month of year, day of week, holidays from a list of dates) are future-known
// covariates derived from the dates; they are computed where needed (src/forecast/windows.ts),
// not stored.
//
// Layouts:
//   single   no id column: the target column is one series;
//   long     an id column, a date column, the target (one row per series and date), like
//            neuralforecast's (unique_id, ds, y) frames; rows of a series need not be adjacent;
//   wide     one column per series sharing the date column (`wide: [columns]`); leading and
//            trailing empty cells are trimmed per series (series may start and end at different dates).
// Per series, dates are put on a regular monthly or daily grid and missing values are handled by
// the `missing` policy (as for one series: error, drop, ffill, interpolate).
// Left out: categorical covariates (use one numeric column per category, or the learned series
// embedding), hourly or weekly grids, several target columns per series.

import { ConfigError, FormatError, ShapeError } from '../errors.js';
import { columnIndex, DEFAULT_MISSING_TOKENS, parseDateText, spreadsheetRow, type CsvTable } from '../data/csv.js';
import { applyMissing, MISSING_POLICIES, regularizeTimeSeries, type MissingPolicy, type TimeStep } from '../data/missing.js';

const DAY_MS = 86_400_000;

/** A covariate derived from the dates: 'month' (month of year) or 'dayofweek'. */
export type CalendarFeature = 'month' | 'dayofweek';

/** One series of a panel: its target, dates and covariates, after the missing-value policy. */
export interface PanelSeries {
  /** The series' id (the id column's value, the wide column's name, or the target's name). */
  id: string;
  /** (T) the target. */
  y: Float64Array;
  /** ms since the epoch per point, or null without dates. */
  times: Float64Array | null;
  /** Past-only covariates, each (T). */
  past: Float64Array[];
  /** Future-known covariates, each (T + known future steps). */
  future: Float64Array[];
  /** Static covariates. */
  statics: Float64Array;
  /** Missing values and missing dates filled (or rows dropped) for this series. */
  filled: number;
}

/**
 * Many time series read from one table (panelFromTable, panelFromArrays), with their past-only,
 * future-known and static covariates; what the forecasting model, backtest and baselines take.
 */
export interface Panel {
  /** Name of the target column. */
  target: string;
  /** How the table held the series: one series, long (an id column) or wide (one column per series). */
  layout: 'single' | 'long' | 'wide';
  /** The id column (long layout), else null. */
  idColumn: string | null;
  /** The date column, or null without dates. */
  dateColumn: string | null;
  /** The grid of every series' dates, or null (no dates, or irregular dates of a single series). */
  step: TimeStep | null;
  /** Past-only covariate columns, in PanelSeries.past order. */
  pastNames: string[];
  /** Future-known covariate columns, in PanelSeries.future order. */
  futureNames: string[];
  /** Static covariate columns, in PanelSeries.statics order. */
  staticNames: string[];
  /** Calendar features derived from the dates (empty without dates). */
  calendar: CalendarFeature[];
  /** Holiday dates (ms, start of day) for the holiday feature, or null for none. */
  holidays: Float64Array | null;
  /** How many future rows every series has for its future-known columns (the minimum over series). */
  futureSteps: number;
  /** The series, in order of first appearance. */
  series: PanelSeries[];
}

/** Which columns of the table play which part (panelFromTable); bad or clashing names throw ConfigError. */
export interface PanelOptions {
  /** The target column. */
  target: string;
  /** Date column (YYYY-MM-DD, YYYY-MM, ISO date-time or decimal year). */
  date?: string;
  /** Long layout: the column naming each row's series. */
  id?: string;
  /** Wide layout: one column per series (the target name then labels reports only). */
  wide?: readonly string[];
  /** Past-only covariate columns (known up to the forecast origin). */
  past?: readonly string[];
  /** Future-known covariate columns (known for the whole horizon; future rows via addFutureRows). */
  future?: readonly string[];
  /** Static covariate columns (one value per series). */
  static?: readonly string[];
  /** Missing-value policy per series. Default 'error'. */
  missing?: MissingPolicy;
  /** Calendar features: 'auto' (default: month for monthly data; month and day of week for daily), 'none', or a list. */
  calendar?: 'auto' | 'none' | readonly CalendarFeature[];
  /** Holiday dates as text (any form parseDateText reads); adds a 0/1 feature (count per month for monthly data). */
  holidays?: readonly string[];
}

// --------------------------------------------------------------------------------- date helpers

/** 'month' when every date is the same day of a month at midnight and steps are whole months; 'day' when steps are whole days, mostly 1. */
export function detectStep(times: ArrayLike<number>): TimeStep | null {
  if (times.length < 2) return null;
  const d0 = new Date(times[0]);
  let monthly = d0.getUTCDate() <= 28;
  for (let i = 0; i < times.length && monthly; i++) {
    const d = new Date(times[i]);
    monthly = d.getUTCDate() === d0.getUTCDate() && times[i] % DAY_MS === 0;
  }
  if (monthly) {
    const d1 = new Date(times[1]);
    const gap = (d1.getUTCFullYear() - d0.getUTCFullYear()) * 12 + d1.getUTCMonth() - d0.getUTCMonth();
    if (gap >= 1 && gap <= 2 && (times[1] - times[0]) / DAY_MS > 27) return 'month';
  }
  let ones = 0;
  for (let i = 1; i < times.length; i++) {
    const d = (times[i] - times[i - 1]) / DAY_MS;
    if (!Number.isInteger(d)) return null;
    if (d === 1) ones++;
  }
  return ones >= (times.length - 1) / 2 ? 'day' : null;
}

/** The time `k` steps after t (k may be negative). */
export function addSteps(t: number, step: TimeStep, k: number): number {
  if (step === 'day') return t + k * DAY_MS;
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, d.getUTCDate());
}

/** Time of index i of a series (i may lie before 0 or after the end: stepped, or by the mean spacing for irregular dates). */
export function timeAt(s: PanelSeries, step: TimeStep | null, i: number): number {
  const T = s.y.length;
  if (s.times === null) return i;
  if (i >= 0 && i < T) return s.times[i];
  if (step !== null) return i < 0 ? addSteps(s.times[0], step, i) : addSteps(s.times[T - 1], step, i - T + 1);
  const dt = T > 1 ? (s.times[T - 1] - s.times[0]) / (T - 1) : DAY_MS;
  return i < 0 ? s.times[0] + i * dt : s.times[T - 1] + (i - T + 1) * dt;
}

/** A date as the table shows it: YYYY-MM for monthly data, YYYY-MM-DD for daily, ISO otherwise; the index without dates. */
export function formatTime(t: number, step: TimeStep | null, hasDates: boolean): string {
  if (!hasDates) return String(t);
  const iso = new Date(t).toISOString();
  return step === 'month' ? iso.slice(0, 7) : step === 'day' ? iso.slice(0, 10) : iso;
}

// ----------------------------------------------------------------------------------- reading

interface Cells {
  /** Data-row indices of this series' rows, in file order. */
  rows: number[];
}

/** A numeric cell: NaN for a missing token; a FormatError naming row and column otherwise. */
function numberCell(table: CsvTable, i: number, j: number, tokens: ReadonlySet<string>): number {
  const raw = table.rows[i][j];
  const s = raw.trim();
  if (tokens.has(s)) return NaN;
  const v = Number(s);
  if (s === '' || !Number.isFinite(v)) {
    throw new FormatError(
      `[csv] row ${spreadsheetRow(table, i)}, column '${table.columns[j]}': expected a number; received ${JSON.stringify(raw)}. ` +
        `Hint: fix the value, or if it marks a missing value, it is read as missing only when it is one of ${[...tokens].map((t) => JSON.stringify(t)).join(', ')}.`,
    );
  }
  return v;
}

function dateCell(table: CsvTable, i: number, j: number): number {
  const t = parseDateText(table.rows[i][j].trim());
  if (t === null) {
    throw new FormatError(
      `[csv] row ${spreadsheetRow(table, i)}, column '${table.columns[j]}': expected a date; received ${JSON.stringify(table.rows[i][j])}. ` +
        'Hint: dates must be YYYY-MM-DD, YYYY-MM, an ISO date-time such as 2012-01-01T06:00:00Z, or a decimal year such as 1958.2027.',
    );
  }
  return t;
}

function uniqueNames(where: string, groups: [string, readonly string[]][]): void {
  const seen = new Map<string, string>();
  for (const [kind, names] of groups) {
    for (const n of names) {
      const before = seen.get(n);
      if (before !== undefined) throw new ConfigError(`[${where}] column '${n}' is named twice (as ${before} and as ${kind}); each column may play one part.`);
      seen.set(n, kind);
    }
  }
}

/** Reads a panel from a parsed CSV table; see the file header. */
export function panelFromTable(table: CsvTable, o: PanelOptions): Panel {
  const where = 'forecast';
  const missing = o.missing ?? 'error';
  if (!MISSING_POLICIES.includes(missing)) {
    throw new ConfigError(`[${where}] --missing must be one of ${MISSING_POLICIES.join(', ')}; received '${String(missing)}'.`);
  }
  const past = [...(o.past ?? [])];
  const future = [...(o.future ?? [])];
  const statics = [...(o.static ?? [])];
  if (o.id !== undefined && o.wide !== undefined) throw new ConfigError(`[${where}] pass either an id column (long layout) or wide columns, not both.`);
  const layout: Panel['layout'] = o.id !== undefined ? 'long' : o.wide !== undefined ? 'wide' : 'single';
  const targetCols = layout === 'wide' ? [...o.wide!] : [o.target];
  if (layout === 'wide' && targetCols.length === 0) throw new ConfigError(`[${where}] wide layout needs at least one series column; received none.`);
  uniqueNames(where, [
    [layout === 'wide' ? 'a series' : 'the target', targetCols],
    ['a past covariate', past],
    ['a future-known covariate', future],
    ['a static covariate', statics],
    ...(o.id !== undefined ? [['the id', [o.id]] as [string, string[]]] : []),
    ...(o.date !== undefined ? [['the date', [o.date]] as [string, string[]]] : []),
  ]);
  if (layout === 'wide' && (past.length > 0 || statics.length > 0)) {
    throw new ConfigError(`[${where}] the wide layout has one column per series, so past and static covariates cannot be told apart per series; received ${[...past, ...statics].join(', ')}. Hint: use the long layout (an id column) for covariates per series.`);
  }
  for (const n of [...targetCols, ...past, ...future, ...statics]) columnIndex(table, n);
  if (future.length > 0 && o.date === undefined) throw new ConfigError(`[${where}] future-known covariates need a date column to line their future rows up; received future columns ${future.join(', ')} without one.`);
  const tokens = new Set(DEFAULT_MISSING_TOKENS);
  const dateJ = o.date === undefined ? -1 : columnIndex(table, o.date);
  if (table.rows.length === 0) throw new ShapeError(`[${where}] the table has no data rows; a forecast needs a history.`);

  const holidays = o.holidays === undefined ? null : parseHolidays(o.holidays);
  const raw: { id: string; cells: Cells; targetJ: number }[] = [];
  if (layout === 'long') {
    const idJ = columnIndex(table, o.id!);
    const byId = new Map<string, Cells>();
    for (let i = 0; i < table.rows.length; i++) {
      const id = table.rows[i][idJ].trim();
      if (id === '') throw new FormatError(`[csv] row ${spreadsheetRow(table, i)}, column '${o.id}': the series id is empty. Hint: every row needs the id of its series.`);
      let c = byId.get(id);
      if (c === undefined) byId.set(id, (c = { rows: [] }));
      c.rows.push(i);
    }
    for (const [id, cells] of byId) raw.push({ id, cells, targetJ: columnIndex(table, o.target) });
  } else {
    const all = table.rows.map((_, i) => i);
    for (const col of targetCols) raw.push({ id: layout === 'wide' ? col : o.target, cells: { rows: all }, targetJ: columnIndex(table, col) });
  }

  let step: TimeStep | null = null;
  let stepFrom = '';
  const series: PanelSeries[] = [];
  for (const r of raw) {
    let rows = r.cells.rows;
    let y = Float64Array.from(rows, (i) => numberCell(table, i, r.targetJ, tokens));
    if (layout === 'wide') {
      // Trim the empty cells before the first and after the last value of this column.
      let a = 0;
      let b = y.length;
      while (a < b && Number.isNaN(y[a])) a++;
      while (b > a && Number.isNaN(y[b - 1])) b--;
      if (a === b) throw new FormatError(`[${where}] series column '${r.id}' has no values at all. Hint: check the column name and the missing-value tokens.`);
      rows = rows.slice(a, b);
      y = y.slice(a, b);
    }
    const pastV = past.map((n) => Float64Array.from(rows, (i) => numberCell(table, i, columnIndex(table, n), tokens)));
    const futV = future.map((n) => Float64Array.from(rows, (i) => numberCell(table, i, columnIndex(table, n), tokens)));
    const stat = new Float64Array(statics.length);
    statics.forEach((n, k) => {
      const j = columnIndex(table, n);
      const v0 = numberCell(table, rows[0], j, tokens);
      for (const i of rows) {
        const v = numberCell(table, i, j, tokens);
        if (!(v === v0 || (Number.isNaN(v) && Number.isNaN(v0)))) {
          throw new FormatError(
            `[${where}] static column '${n}' must hold one value per series; series '${r.id}' has ${v0} in row ${spreadsheetRow(table, rows[0])} and ${v} in row ${spreadsheetRow(table, i)}. ` +
              'Hint: a value that changes over time is a past or future-known covariate.',
          );
        }
      }
      if (!Number.isFinite(v0)) throw new FormatError(`[${where}] static column '${n}' is missing for series '${r.id}' (row ${spreadsheetRow(table, rows[0])}); static values cannot be filled.`);
      stat[k] = v0;
    });
    const names = [layout === 'wide' ? r.id : o.target, ...past, ...future];
    const cols = [y, ...pastV, ...futV];
    const rowNumber = (k: number): number => spreadsheetRow(table, rows[k]);
    const label = layout === 'long' ? ` of series '${r.id}'` : '';
    const prefix = layout === 'long' ? `[csv] series '${r.id}':` : '[csv]';
    // Missing values under the default policy are refused before dates are looked at.
    if (missing === 'error') applyMissing(names, cols, 'error', rowNumber, prefix);
    let times: Float64Array | null = null;
    let filled = 0;
    let values: Float64Array[] = cols;
    let rowOf = rowNumber; // index into `values` → spreadsheet row for messages
    if (dateJ >= 0) {
      times = Float64Array.from(rows, (i) => dateCell(table, i, dateJ));
      if (layout === 'long') sortByTime(times, values, rows, table, o.date!, r.id);
      checkIncreasing(table, o.date!, times, rows, label);
      const s = detectStep(times);
      if (times.length >= 2) {
        if (step === null && stepFrom === '') {
          step = s;
          stepFrom = r.id;
        } else if (s !== step) {
          throw new FormatError(`[${where}] series '${r.id}' has ${s ?? 'irregular'} dates but series '${stepFrom}' has ${step ?? 'irregular'} dates; every series must share one grid.`);
        }
      }
      if (s !== null && missing !== 'drop') {
        const reg = regularizeTimeSeries(times, values, s, { label: (i) => `row ${rowNumber(i)}` });
        if (reg.inserted > 0 && missing === 'error') {
          let k = 0;
          while (k + 1 < times.length && addSteps(times[k], s, 1) >= times[k + 1]) k++;
          throw new FormatError(
            `[${where}] the ${s === 'month' ? 'monthly' : 'daily'} dates in column '${o.date}'${label} skip ${reg.inserted} ${s}${reg.inserted === 1 ? '' : 's'}, ` +
              `first after row ${spreadsheetRow(table, rows[k])} (${formatTime(times[k], s, true)}, next ${formatTime(times[k + 1], s, true)}); a forecast needs evenly spaced points. ` +
              'Hint: pass --missing interpolate (or ffill) to fill the gaps, or --missing drop to ignore them.',
          );
        }
        // An inserted date is named by the next row that exists.
        const regRows: number[] = [];
        let next = 0;
        for (let k = 0; k < reg.times.length; k++) {
          while (next < times.length - 1 && times[next] < reg.times[k]) next++;
          regRows.push(rowNumber(next));
        }
        rowOf = (k) => regRows[k];
        times = reg.times;
        values = reg.values;
      }
    }
    const missingBefore = countNaN(values);
    if (missing !== 'error') {
      const kept = applyMissing(names, values, missing, rowOf, prefix);
      if (missing === 'drop' && times !== null) times = Float64Array.from(kept.rows, (k) => times![k]);
      filled += missing === 'drop' ? values[0].length - kept.values[0].length : missingBefore;
      values = kept.values;
    }
    series.push({
      id: r.id,
      y: values[0],
      times,
      past: values.slice(1, 1 + past.length),
      future: values.slice(1 + past.length),
      statics: stat,
      filled,
    });
  }
  const calendar = resolveCalendar(o.calendar ?? 'auto', o.date !== undefined, step);
  if (holidays !== null && o.date === undefined) throw new ConfigError(`[${where}] holidays need a date column; received a holiday list without one.`);
  return {
    target: o.target,
    layout,
    idColumn: o.id ?? null,
    dateColumn: o.date ?? null,
    step,
    pastNames: past,
    futureNames: future,
    staticNames: statics,
    calendar,
    holidays,
    futureSteps: 0,
    series,
  };
}

/** Rows with a missing value in any column (missing dates put back on the grid count too). */
function countNaN(cols: Float64Array[]): number {
  let n = 0;
  const len = cols.length > 0 ? cols[0].length : 0;
  for (let i = 0; i < len; i++) if (cols.some((c) => Number.isNaN(c[i]))) n++;
  return n;
}

function sortByTime(times: Float64Array, values: Float64Array[], rows: number[], _table: CsvTable, _date: string, _id: string): void {
  let sorted = true;
  for (let i = 1; i < times.length && sorted; i++) sorted = times[i] > times[i - 1];
  if (sorted) return;
  const order = Array.from(times, (_, i) => i).sort((a, b) => times[a] - times[b]);
  const t = Float64Array.from(order, (i) => times[i]);
  times.set(t);
  for (const v of values) v.set(Float64Array.from(order, (i) => v[i]));
  const r = order.map((i) => rows[i]);
  rows.splice(0, rows.length, ...r);
}

function checkIncreasing(table: CsvTable, name: string, times: Float64Array, rows: readonly number[], label: string): void {
  for (let i = 1; i < times.length; i++) {
    if (!(times[i] > times[i - 1])) {
      throw new FormatError(
        `[forecast] dates in column '${name}'${label} must increase; row ${spreadsheetRow(table, rows[i])} (${new Date(times[i]).toISOString().slice(0, 10)}) ` +
          `is not after row ${spreadsheetRow(table, rows[i - 1])} (${new Date(times[i - 1]).toISOString().slice(0, 10)}). Hint: sort the file by date and remove duplicate dates.`,
      );
    }
  }
}

function resolveCalendar(c: PanelOptions['calendar'], hasDates: boolean, step: TimeStep | null): CalendarFeature[] {
  if (c === 'none' || !hasDates) {
    if (Array.isArray(c) && c.length > 0 && !hasDates) throw new ConfigError(`[forecast] calendar features need a date column; received ${c.join(', ')} without one.`);
    return [];
  }
  if (c === 'auto' || c === undefined) return step === 'month' ? ['month'] : step === 'day' ? ['month', 'dayofweek'] : [];
  const list = c as readonly string[];
  for (const f of list) if (f !== 'month' && f !== 'dayofweek') throw new ConfigError(`[forecast] calendar features must be month or dayofweek; received '${f}'.`);
  return [...new Set(list)] as CalendarFeature[];
}

function parseHolidays(list: readonly string[]): Float64Array {
  const out = new Float64Array(list.length);
  list.forEach((s, k) => {
    const t = parseDateText(s.trim());
    if (t === null) throw new FormatError(`[forecast] holiday ${k + 1} (${JSON.stringify(s)}) is not a date. Hint: one date per line, YYYY-MM-DD.`);
    out[k] = Math.floor(t / DAY_MS) * DAY_MS;
  });
  return out.sort();
}

/**
 * Adds the future-known covariates' values after each series' end from a table of future rows
 * (id column in the long layout, the date column, every future-known column). Every series needs
 * the `steps` dates right after its last date; the error names the series, the column and the
 * first date without a value.
 */
export function addFutureRows(panel: Panel, table: CsvTable, steps: number): Panel {
  const where = 'forecast';
  if (panel.futureNames.length === 0) throw new ConfigError(`[${where}] a table of future rows was given, but no future-known columns; name them (--future-known a,b) or leave the future table out.`);
  if (panel.dateColumn === null || panel.step === null) throw new ConfigError(`[${where}] future rows need regular monthly or daily dates to line up with.`);
  const dateJ = columnIndex(table, panel.dateColumn);
  const idJ = panel.layout === 'long' ? columnIndex(table, panel.idColumn!) : -1;
  const cols = panel.futureNames.map((n) => columnIndex(table, n));
  const tokens = new Set(DEFAULT_MISSING_TOKENS);
  // (id, time) → row
  const index = new Map<string, number>();
  for (let i = 0; i < table.rows.length; i++) {
    const id = idJ >= 0 ? table.rows[i][idJ].trim() : '';
    index.set(`${id}\u0000${dateCell(table, i, dateJ)}`, i);
  }
  const series = panel.series.map((s) => {
    const T = s.y.length;
    const fut = s.future.map((col) => {
      const out = new Float64Array(T + steps);
      out.set(col.subarray(0, T));
      return out;
    });
    for (let k = 0; k < steps; k++) {
      const t = addSteps(s.times![T - 1], panel.step!, k + 1);
      const row = index.get(`${idJ >= 0 ? s.id : ''}\u0000${t}`);
      if (row === undefined) {
        throw new ShapeError(
          `[${where}] future-known column${panel.futureNames.length > 1 ? 's' : ''} ${panel.futureNames.map((n) => `'${n}'`).join(', ')} need${panel.futureNames.length > 1 ? '' : 's'} values for the ${steps} ${panel.step}s after the end of ${panel.layout === 'long' ? `series '${s.id}'` : 'the data'} ` +
            `(${formatTime(addSteps(s.times![T - 1], panel.step!, 1), panel.step, true)} … ${formatTime(addSteps(s.times![T - 1], panel.step!, steps), panel.step, true)}); the future table has no row for ${formatTime(t, panel.step, true)}. ` +
            'Hint: add the missing rows to the future file, or forecast fewer steps.',
        );
      }
      cols.forEach((j, c) => {
        const v = numberCell(table, row, j, tokens);
        if (!Number.isFinite(v)) {
          throw new ShapeError(`[${where}] future-known column '${panel.futureNames[c]}' is empty in row ${spreadsheetRow(table, row)} of the future table (${formatTime(t, panel.step, true)}${panel.layout === 'long' ? `, series '${s.id}'` : ''}); future values cannot be filled.`);
        }
        fut[c][T + k] = v;
      });
    }
    return { ...s, future: fut };
  });
  return { ...panel, series, futureSteps: steps };
}

/** Panel from arrays (for code that already has the numbers): one entry per series. */
export function panelFromArrays(
  series: { id: string; y: ArrayLike<number>; times?: ArrayLike<number>; past?: ArrayLike<number>[]; future?: ArrayLike<number>[]; statics?: ArrayLike<number> }[],
  o: { target?: string; pastNames?: string[]; futureNames?: string[]; staticNames?: string[]; calendar?: PanelOptions['calendar']; futureSteps?: number } = {},
): Panel {
  if (series.length === 0) throw new ConfigError('[panelFromArrays] needs at least one series; received none.');
  const ids = new Set<string>();
  let step: TimeStep | null = null;
  const out: PanelSeries[] = series.map((s, k) => {
    if (ids.has(s.id)) throw new ConfigError(`[panelFromArrays] series ids must be unique; '${s.id}' appears twice.`);
    ids.add(s.id);
    const y = Float64Array.from(s.y);
    for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i])) throw new ShapeError(`[panelFromArrays] series '${s.id}' y[${i}] must be finite; received ${y[i]}. Hint: fill missing values first.`);
    const times = s.times === undefined ? null : Float64Array.from(s.times);
    if (times !== null && times.length !== y.length) throw new ShapeError(`[panelFromArrays] series '${s.id}': times must have ${y.length} entries like y; received ${times.length}.`);
    if (times !== null && k === 0) step = detectStep(times);
    return {
      id: s.id,
      y,
      times,
      past: (s.past ?? []).map((c) => Float64Array.from(c)),
      future: (s.future ?? []).map((c) => Float64Array.from(c)),
      statics: Float64Array.from(s.statics ?? []),
      filled: 0,
    };
  });
  const hasDates = out[0].times !== null;
  return {
    target: o.target ?? 'y',
    layout: out.length === 1 ? 'single' : 'long',
    idColumn: null,
    dateColumn: hasDates ? 'date' : null,
    step,
    pastNames: o.pastNames ?? out[0].past.map((_, k) => `past${k + 1}`),
    futureNames: o.futureNames ?? out[0].future.map((_, k) => `future${k + 1}`),
    staticNames: o.staticNames ?? Array.from(out[0].statics, (_, k) => `static${k + 1}`),
    calendar: resolveCalendar(o.calendar ?? 'auto', hasDates, step),
    holidays: null,
    futureSteps: o.futureSteps ?? 0,
    series: out,
  };
}
