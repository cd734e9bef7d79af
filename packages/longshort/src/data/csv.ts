// CSV text → a table of strings, and typed columns taken from it: numbers (with a missing-value
// policy) and dates. Browser-safe: nothing here touches the file system — reading the file is the
// caller's job (src/cli, or fetch() in a page).
//
// The parser is our own (RFC 4180: quoted fields with doubled quotes and line breaks inside, CRLF
// or LF line ends, blank lines skipped, a UTF-8 byte-order mark ignored). It keeps the text as it
// is and records where each field ends (4 bytes per field), so a table costs about 2 bytes per
// byte of text instead of one JavaScript string and array slot per field (csv-parse's string[][]
// measured about 60 bytes per byte of a numeric file). Cells are cut from the text on demand
// (table.cell(i, j)); `rows` builds the string[][] view only when someone asks for it.
//
// Row numbers in messages count as a spreadsheet user does: the header is row 1, so the first
// data row is row 2 (row 1 when the file has no header). Blank lines are skipped and not counted.
// Malformed CSV (unterminated quote, ragged row, stray quote) is reported by file line instead,
// since there are no rows yet to count.
// Left out: type inference for whole tables, delimiters other than , ; and tab (auto-detected),
// time zones (dates without one are read as UTC so results do not depend on the machine).

import { ConfigError, FormatError } from '../errors.js';
import { applyMissing, MISSING_POLICIES, type MissingPolicy } from './missing.js';

export type { MissingPolicy } from './missing.js';

/** A parsed CSV file: column names and the text of every cell (see parseCsv). */
export interface CsvTable {
  /** Column names (from the header, or col1, col2, … when there is none). */
  columns: string[];
  /** Number of data rows. */
  readonly rowCount: number;
  /** The text of data row i (0-based), column j, unquoted. */
  cell(i: number, j: number): string;
  /** Data rows as strings, every one as long as `columns` (built on first access; prefer cell() for large files). */
  readonly rows: string[][];
  /** True when the first line was taken as a header. */
  hasHeader: boolean;
}

/** Options of parseCsv(); bad values throw ConfigError. */
export interface ParseCsvOptions {
  /** 'auto' (default): the first line is a header unless it looks like data (see looksLikeData). */
  header?: boolean | 'auto';
  /** Field delimiter; default: whichever of , ; tab splits the first line into the most fields. */
  delimiter?: string;
}

/** Values read as missing by numericColumn (after trimming). */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '?'];

/** Longest text parseCsv reads: offsets are 32-bit. */
const MAX_TEXT = 2 ** 31 - 1;

/**
 * Parses CSV text into a table (RFC 4180: quoted fields, doubled quotes, line breaks in quotes,
 * CRLF or LF; blank lines skipped; a byte-order mark ignored). Throws FormatError naming the line
 * of malformed input, ConfigError for bad options. Reading the file is the caller's job.
 * @example
 * ```ts
 * const table = parseCsv(await readFile('co2.csv', 'utf8'));
 * const { values: [co2], rows } = numericColumns(table, ['CO2'], { missing: 'interpolate' });
 * const dates = dateColumn(table, 'Date', { rows });   // ms since the epoch, UTC
 * ```
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): CsvTable {
  if (typeof text !== 'string') throw new ConfigError(`[csv] parseCsv takes the file's text as a string; received ${text === null ? 'null' : typeof text}.`);
  if (options === null || typeof options !== 'object') throw new ConfigError(`[csv] options must be an object; received ${options === null ? 'null' : typeof options}.`);
  const { header = 'auto' } = options;
  if (header !== 'auto' && header !== true && header !== false) throw new ConfigError(`[csv] header must be true, false or 'auto'; received ${JSON.stringify(header)}.`);
  if (options.delimiter !== undefined && (typeof options.delimiter !== 'string' || options.delimiter.length !== 1 || /["\r\n]/.test(options.delimiter))) {
    throw new ConfigError(`[csv] delimiter must be one character other than a quote or a line break; received ${JSON.stringify(options.delimiter)}.`);
  }
  if (text.length > MAX_TEXT) throw new FormatError(`[csv] the text must be at most ${MAX_TEXT} characters; received ${text.length}.`);
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0; // UTF-8 byte-order mark from spreadsheet exports
  const delimiter = options.delimiter ?? guessDelimiter(text, start);
  const grid = scan(text, start, delimiter.charCodeAt(0));
  if (grid.records === 0) {
    throw new FormatError('[csv] the file has no rows; expected a header line and at least one data row. Hint: check the path and that the file is not empty.');
  }
  const first = Array.from({ length: grid.width }, (_, j) => grid.field(0, j));
  const hasHeader = header === 'auto' ? !looksLikeData([first]) : header;
  if (hasHeader) {
    const columns = first.map((c) => c.trim());
    const seen = new Set<string>();
    for (const c of columns) {
      if (seen.has(c)) throw new FormatError(`[csv] the header names column '${c}' twice; column names must be unique. Hint: rename one of them.`);
      seen.add(c);
    }
    return new GridTable(grid, 1, columns, true);
  }
  return new GridTable(grid, 0, first.map((_, j) => `col${j + 1}`), false);
}

/** Where every field of every record is: the text, each record's first character, each field's end. */
interface Grid {
  records: number;
  width: number;
  field(r: number, j: number): string;
}

/**
 * One pass over the text: records split on line breaks outside quotes, fields on the delimiter.
 * recordStart[r] is the index of record r's first character; fieldEnd[r·width + j] the index just
 * past field j's raw text (closing quote included), so field j starts at fieldEnd[…j-1] + 1.
 * Every record must have as many fields as the first (the message names the line).
 */
function scan(text: string, from: number, delim: number): Grid {
  const n = text.length;
  // Capacity from a count of delimiters and line breaks: fields ≤ that + 1, no growing and copying.
  let seps = 1;
  let lines = 1;
  for (let i = from; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === delim) seps++;
    else if (c === 10) lines++;
  }
  let fieldEnd: Uint32Array = new Uint32Array(seps + lines);
  let recordStart: Uint32Array = new Uint32Array(lines);
  let records = 0;
  let width = -1;
  let nf = 0; // fields stored
  let line = 1; // file line of the character at i
  let i = from;
  const stray = (at: number): never => {
    throw new FormatError(
      `[csv] stray quote on line ${at} (a quote inside an unquoted field, or text after a closing quote). ` +
        'Hint: quote the whole field ("a ""b"" c") or remove the quote character.',
    );
  };
  while (i < n) {
    const c0 = text.charCodeAt(i);
    if (c0 === 10) {
      line++;
      i++;
      continue; // blank line
    }
    if (c0 === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      line++;
      i++;
      continue;
    }
    const recordLine = line;
    recordStart[records] = i;
    let count = 0;
    for (;;) {
      // one field starting at i
      if (text.charCodeAt(i) === 34) {
        const openLine = line;
        i++;
        for (;;) {
          if (i >= n) {
            throw new FormatError(
              `[csv] unterminated quoted field starting on line ${openLine}; the file ended inside the quotes. ` +
                'Hint: close the quote, and write a quote inside a quoted field as two quotes ("").',
            );
          }
          const c = text.charCodeAt(i);
          if (c === 34) {
            if (text.charCodeAt(i + 1) === 34) {
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === 10) line++;
          i++;
        }
        if (i < n) {
          const c = text.charCodeAt(i);
          if (c !== delim && c !== 10 && c !== 13) stray(line);
        }
      } else {
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === delim || c === 10 || c === 13) break;
          if (c === 34) stray(line);
          i++;
        }
      }
      if (nf === fieldEnd.length) fieldEnd = grow(fieldEnd); // only if a line break hid inside quotes
      fieldEnd[nf++] = i;
      count++;
      if (i < n && text.charCodeAt(i) === delim) {
        i++;
        continue;
      }
      break;
    }
    // end of record: its line break (or the end of the text)
    if (i < n) {
      if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i++;
      i++;
      line++;
    }
    if (width < 0) width = count;
    else if (count !== width) {
      throw new FormatError(
        `[csv] line ${recordLine} has ${count} field${count === 1 ? '' : 's'}; expected ${width} like the first line. ` +
          `Hint: quote fields that contain the delimiter ${JSON.stringify(String.fromCharCode(delim))}, and check for a missing or extra delimiter on that line.`,
      );
    }
    records++;
    if (records === recordStart.length) recordStart = grow(recordStart);
  }
  const w = Math.max(width, 0);
  return {
    records,
    width: w,
    field(r: number, j: number): string {
      const begin = j === 0 ? recordStart[r] : fieldEnd[r * w + j - 1] + 1;
      const end = fieldEnd[r * w + j];
      if (text.charCodeAt(begin) !== 34) return text.slice(begin, end);
      const inner = text.slice(begin + 1, end - 1);
      return inner.includes('"') ? inner.replace(/""/g, '"') : inner;
    },
  };
}

function grow(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(Math.max(16, Math.ceil(a.length * 1.5)));
  b.set(a);
  return b;
}

class GridTable implements CsvTable {
  readonly rowCount: number;
  private materialized: string[][] | null = null;

  constructor(
    private readonly grid: Grid,
    private readonly skip: number,
    readonly columns: string[],
    readonly hasHeader: boolean,
  ) {
    this.rowCount = grid.records - skip;
  }

  cell(i: number, j: number): string {
    if (!(i >= 0 && i < this.rowCount && j >= 0 && j < this.grid.width) || !Number.isInteger(i) || !Number.isInteger(j)) {
      throw new ConfigError(`[csv] cell(${i}, ${j}) is outside the table of ${this.rowCount} rows × ${this.grid.width} columns.`);
    }
    return this.grid.field(i + this.skip, j);
  }

  get rows(): string[][] {
    if (this.materialized === null) {
      const out: string[][] = [];
      for (let i = 0; i < this.rowCount; i++) out.push(Array.from({ length: this.grid.width }, (_, j) => this.grid.field(i + this.skip, j)));
      this.materialized = out;
    }
    return this.materialized;
  }
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

function guessDelimiter(text: string, from: number): string {
  const nl = text.indexOf('\n', from);
  const first = nl < 0 ? text.slice(from) : text.slice(from, nl);
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

/** A cell's text for a message: long ones shortened. */
export function clipText(s: string): string {
  return s.length > 80 ? `${s.slice(0, 60)}…(${s.length} characters)` : s;
}

/** Spreadsheet row of data row i: the header is row 1. */
export function spreadsheetRow(table: CsvTable, i: number): number {
  return table.hasHeader ? i + 2 : i + 1;
}

/** Options of numericColumns() and numericColumn(). */
export interface NumericOptions {
  /** What to do with missing values; default 'error'. */
  missing?: MissingPolicy;
  /** Strings read as missing (compared after trimming); default DEFAULT_MISSING_TOKENS. */
  missingTokens?: readonly string[];
}

/** Columns read as numbers, aligned row by row. */
export interface NumericColumns {
  /** The column names, as requested. */
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
  const n = table.rowCount;
  const raw = idx.map((j, c) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = table.cell(i, j).trim();
      if (tokens.has(s)) {
        out[i] = NaN;
        continue;
      }
      const v = Number(s);
      if (s === '' || !Number.isFinite(v)) {
        throw new FormatError(
          `[csv] row ${spreadsheetRow(table, i)}, column '${names[c]}': expected a number; received ${JSON.stringify(clipText(table.cell(i, j)))}. ` +
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

/** Options of dateColumn(). */
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
  const rows = options.rows ?? Array.from({ length: table.rowCount }, (_, i) => i);
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    if (!Number.isInteger(i) || i < 0 || i >= table.rowCount) {
      throw new ConfigError(`[csv] dateColumn: rows[${k}] must be a data-row index in [0, ${table.rowCount}); received ${i}.`);
    }
    const s = table.cell(i, j).trim();
    const t = parseDateText(s);
    if (t === null) {
      throw new FormatError(
        `[csv] row ${spreadsheetRow(table, i)}, column '${name}': expected a date; received ${JSON.stringify(clipText(table.cell(i, j)))}. ` +
          'Hint: dates must be YYYY-MM-DD, YYYY-MM, an ISO date-time such as 2012-01-01T06:00:00Z, or a decimal year such as 1958.2027.',
      );
    }
    out[k] = t;
  }
  return out;
}
