// CSV text → a table of strings, and typed columns taken from it: numbers (with a missing-value
// policy) and dates. Browser-safe: the parser is csv-parse's self-contained browser build (its
// Node build uses the global Buffer), and nothing here touches the file system — reading the file
// is the caller's job (src/cli, or fetch() in a page).
//
// Row numbers in messages count as a spreadsheet user does: the header is row 1, so the first
// data row is row 2 (row 1 when the file has no header). Blank lines are skipped and not counted.
// Malformed CSV (unterminated quote, ragged row) is reported by file line instead, since there
// are no rows yet to count.
// Left out: type inference for whole tables, delimiters other than , ; and tab (auto-detected),
// time zones (dates without one are read as UTC so results do not depend on the machine).

import { parse } from 'csv-parse/browser/esm/sync';
import { ConfigError, FormatError } from '../errors.js';
import { applyMissing, MISSING_POLICIES, type MissingPolicy } from './missing.js';

export type { MissingPolicy } from './missing.js';

export interface CsvTable {
  /** Column names (from the header, or col1, col2, … when there is none). */
  columns: string[];
  /** Data rows, every one as long as `columns`. */
  rows: string[][];
  /** True when the first line was taken as a header. */
  hasHeader: boolean;
}

export interface ParseCsvOptions {
  /** 'auto' (default): the first line is a header unless it looks like data (see looksLikeData). */
  header?: boolean | 'auto';
  /** Field delimiter; default: whichever of , ; tab splits the first line into the most fields. */
  delimiter?: string;
}

/** Values read as missing by numericColumn (after trimming). */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '?'];

/** Parses CSV text into a table of strings. Throws FormatError naming the line of malformed input. */
export function parseCsv(text: string, options: ParseCsvOptions = {}): CsvTable {
  if (typeof text !== 'string') throw new ConfigError(`[csv] parseCsv takes the file's text as a string; received ${text === null ? 'null' : typeof text}.`);
  if (options === null || typeof options !== 'object') throw new ConfigError(`[csv] options must be an object; received ${options === null ? 'null' : typeof options}.`);
  const { header = 'auto' } = options;
  if (header !== 'auto' && header !== true && header !== false) throw new ConfigError(`[csv] header must be true, false or 'auto'; received ${JSON.stringify(header)}.`);
  if (options.delimiter !== undefined && (typeof options.delimiter !== 'string' || options.delimiter.length !== 1 || /["\r\n]/.test(options.delimiter))) {
    throw new ConfigError(`[csv] delimiter must be one character other than a quote or a line break; received ${JSON.stringify(options.delimiter)}.`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // UTF-8 byte-order mark from spreadsheet exports
  const delimiter = options.delimiter ?? guessDelimiter(text);
  let records: string[][];
  try {
    records = parse(text, { delimiter, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (e) {
    throw csvError(e, text);
  }
  if (records.length === 0) {
    throw new FormatError('[csv] the file has no rows; expected a header line and at least one data row. Hint: check the path and that the file is not empty.');
  }
  // Ragged rows are checked here rather than by csv-parse so the message can say which line and
  // how many fields were expected, counting from the header.
  const width = records[0].length;
  for (let r = 1; r < records.length; r++) {
    if (records[r].length !== width) {
      const line = lineOfRecord(text, r);
      throw new FormatError(
        `[csv] line ${line} has ${records[r].length} field${records[r].length === 1 ? '' : 's'}; expected ${width} like the first line. ` +
          `Hint: quote fields that contain the delimiter ${JSON.stringify(delimiter)}, and check for a missing or extra delimiter on that line.`,
      );
    }
  }
  const hasHeader = header === 'auto' ? !looksLikeData(records) : header;
  if (hasHeader) {
    const columns = records[0].map((c) => c.trim());
    const seen = new Set<string>();
    for (const c of columns) {
      if (seen.has(c)) {
        throw new FormatError(`[csv] the header names column '${c}' twice; column names must be unique. Hint: rename one of them.`);
      }
      seen.add(c);
    }
    return { columns, rows: records.slice(1), hasHeader: true };
  }
  return { columns: records[0].map((_, j) => `col${j + 1}`), rows: records, hasHeader: false };
}

/**
 * Header detection: the first record is data (not a header) when one of its fields is a number or
 * a date. Header names like "2019" are rare; real headers are words. Single-row files are read the
 * same way.
 */
export function looksLikeData(records: readonly string[][]): boolean {
  return records[0].some((f) => isNumberText(f.trim()) || parseDateText(f.trim()) !== null);
}

function isNumberText(s: string): boolean {
  return s !== '' && Number.isFinite(Number(s));
}

function guessDelimiter(text: string): string {
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    const count = first.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** 1-based file line on which record r (0-based, blank lines skipped) starts, quotes respected. */
function lineOfRecord(text: string, r: number): number {
  let line = 1;
  let record = 0;
  let inQuote = false;
  let atRecordStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (atRecordStart && ch !== '\n' && ch !== '\r') {
      if (record === r) return line;
      atRecordStart = false;
    }
    if (inQuote) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else inQuote = false;
      } else if (ch === '\n') line++;
      continue;
    }
    if (ch === '"') inQuote = true;
    else if (ch === '\n') {
      line++;
      if (!atRecordStart) record++;
      atRecordStart = true;
    }
  }
  return line;
}

/** Line on which the last quote that was never closed opened. */
function unclosedQuoteLine(text: string): number {
  let line = 1;
  let openedAt = 1;
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (ch !== '"') continue;
    if (inQuote) {
      if (text[i + 1] === '"') i++;
      else inQuote = false;
    } else {
      inQuote = true;
      openedAt = line;
    }
  }
  return openedAt;
}

function csvError(e: unknown, text: string): Error {
  const err = e as { code?: string; lines?: number; message?: string };
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    const line = unclosedQuoteLine(text);
    return new FormatError(
      `[csv] unterminated quoted field starting on line ${line}; the file ended inside the quotes. ` +
        'Hint: close the quote, and write a quote inside a quoted field as two quotes ("").',
    );
  }
  if (err.code === 'INVALID_OPENING_QUOTE' || err.code === 'CSV_INVALID_CLOSING_QUOTE') {
    return new FormatError(
      `[csv] stray quote on line ${err.lines ?? '?'} (${err.message}). ` +
        'Hint: quote the whole field ("a ""b"" c") or remove the quote character.',
    );
  }
  return new FormatError(`[csv] could not parse line ${err.lines ?? '?'}: ${err.message ?? String(e)}`);
}

/** Index of a column by name; a missing name lists the columns there are. */
export function columnIndex(table: CsvTable, name: string): number {
  const j = table.columns.indexOf(name);
  if (j >= 0) return j;
  const lower = name.toLowerCase();
  const near = table.columns.filter((c) => c.toLowerCase() === lower || c.toLowerCase().includes(lower) || lower.includes(c.toLowerCase()));
  const hint = near.length > 0
    ? `did you mean ${near.map((c) => `'${c}'`).join(' or ')}? Names are case-sensitive.`
    : table.hasHeader
      ? 'column names come from the first line of the file and are case-sensitive.'
      : `this file has no header line, so its columns are named col1 … col${table.columns.length}.`;
  throw new ConfigError(`[csv] no column '${name}'; columns are: ${table.columns.join(', ')}. Hint: ${hint}`);
}

/** Spreadsheet row of data row i: the header is row 1. */
export function spreadsheetRow(table: CsvTable, i: number): number {
  return table.hasHeader ? i + 2 : i + 1;
}

export interface NumericOptions {
  /** What to do with missing values; default 'error'. */
  missing?: MissingPolicy;
  /** Strings read as missing (compared after trimming); default DEFAULT_MISSING_TOKENS. */
  missingTokens?: readonly string[];
}

export interface NumericColumns {
  names: string[];
  /** One array per requested column, all the same length. */
  values: Float64Array[];
  /** Data-row index (0-based, into table.rows) of every kept row; with `drop` some rows are gone. */
  rows: number[];
}

/**
 * Several columns as numbers. `drop` removes a row from ALL of them when any is missing, so the
 * columns stay aligned with each other and with `rows` (use it to pick dates: dateColumn(…, { rows })).
 * A value that is neither a number nor a missing token is an error whatever the policy.
 */
export function numericColumns(table: CsvTable, names: readonly string[], options: NumericOptions = {}): NumericColumns {
  const { missing = 'error', missingTokens = DEFAULT_MISSING_TOKENS } = options;
  if (names.length === 0) throw new ConfigError('[csv] numericColumns needs at least one column name; received none.');
  if (!MISSING_POLICIES.includes(missing)) {
    throw new ConfigError(`[csv] missing-value policy must be one of ${MISSING_POLICIES.join(', ')}; received ${JSON.stringify(missing)}.`);
  }
  const tokens = new Set(missingTokens);
  const idx = names.map((n) => columnIndex(table, n));
  const n = table.rows.length;
  const raw = idx.map((j, c) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = table.rows[i][j].trim();
      if (tokens.has(s)) {
        out[i] = NaN;
        continue;
      }
      const v = Number(s);
      if (s === '' || !Number.isFinite(v)) {
        throw new FormatError(
          `[csv] row ${spreadsheetRow(table, i)}, column '${names[c]}': expected a number; received ${JSON.stringify(table.rows[i][j])}. ` +
            `Hint: fix the value, or if it marks a missing value, it is read as missing only when it is one of ${[...tokens].map((t) => JSON.stringify(t)).join(', ')}.`,
        );
      }
      out[i] = v;
    }
    return out;
  });
  const rowNumber = (i: number): number => spreadsheetRow(table, i);
  return applyMissing(names, raw, missing, rowNumber, '[csv]');
}

/** One column as numbers (see numericColumns). */
export function numericColumn(table: CsvTable, name: string, options: NumericOptions = {}): Float64Array {
  return numericColumns(table, [name], options).values[0];
}

// ---------------------------------------------------------------------------------------------
// Dates. All results are milliseconds since 1970-01-01T00:00:00Z (what Date and Vega-Lite use).

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_MONTH = /^(\d{4})-(\d{2})$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DECIMAL_YEAR = /^\d{4}(\.\d+)?$/;

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate(); // day 0 of the next month = last day of month m
}

/**
 * Parses one date: YYYY-MM-DD, YYYY-MM (the 1st of the month), an ISO date-time
 * (YYYY-MM-DDTHH:MM[:SS[.sss]][Z|±HH:MM], read as UTC without a zone), or a decimal year such as
 * 1958.2027 (year + fraction of that year's length, leap years included). Returns null when the
 * text is none of these or names an impossible date (2013-02-30).
 */
export function parseDateText(s: string): number | null {
  let m = ISO_DAY.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
    return Date.UTC(y, mo - 1, d);
  }
  m = ISO_MONTH.exec(s);
  if (m) {
    const [y, mo] = [Number(m[1]), Number(m[2])];
    if (mo < 1 || mo > 12) return null;
    return Date.UTC(y, mo - 1, 1);
  }
  if (ISO_TIME.test(s)) {
    const day = ISO_DAY.exec(s.slice(0, 10));
    if (!day || parseDateText(s.slice(0, 10)) === null) return null;
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s);
    const t = Date.parse((hasZone ? s : s + 'Z').replace(' ', 'T'));
    return Number.isFinite(t) ? t : null;
  }
  if (DECIMAL_YEAR.test(s)) return decimalYearToMs(Number(s));
  return null;
}

/** 1958.2027 → ms: the year's start plus the fraction times that year's length. */
export function decimalYearToMs(y: number): number {
  const year = Math.floor(y);
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  return start + (y - year) * (end - start);
}

/** ms → decimal year (the inverse of decimalYearToMs). */
export function msToDecimalYear(ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  return year + (ms - start) / (end - start);
}

export interface DateOptions {
  /** Only these data rows, in this order (e.g. NumericColumns.rows after `drop`). Default: all. */
  rows?: readonly number[];
}

/**
 * A date column as ms since the epoch (UTC). Every value must parse (a missing date cannot be
 * filled in a meaningful way); the error names the row, the column and the value.
 */
export function dateColumn(table: CsvTable, name: string, options: DateOptions = {}): Float64Array {
  const j = columnIndex(table, name);
  const rows = options.rows ?? table.rows.map((_, i) => i);
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    if (i < 0 || i >= table.rows.length || !Number.isInteger(i)) {
      throw new ConfigError(`[csv] dateColumn: rows[${k}] must be a data-row index in [0, ${table.rows.length}); received ${i}.`);
    }
    const s = table.rows[i][j].trim();
    const t = parseDateText(s);
    if (t === null) {
      throw new FormatError(
        `[csv] row ${spreadsheetRow(table, i)}, column '${name}': expected a date; received ${JSON.stringify(table.rows[i][j])}. ` +
          'Hint: dates must be YYYY-MM-DD, YYYY-MM, an ISO date-time such as 2012-01-01T06:00:00Z, or a decimal year such as 1958.2027.',
      );
    }
    out[k] = t;
  }
  return out;
}
