// CSV reading on the bundled real files (Mauna Loa CO₂, Seattle weather) and on small hand-made
// texts for every malformed-input message.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parseCsv,
  numericColumn,
  numericColumns,
  dateColumn,
  parseDateText,
  decimalYearToMs,
  msToDecimalYear,
} from '../../src/data/csv.js';
import { ConfigError, FormatError } from '../../src/errors.js';

const readData = (name: string): string => readFileSync(new URL(`../../../../data/${name}`, import.meta.url), 'utf8');
const DAY = 86_400_000;

describe('bundled CO₂ file', () => {
  const table = parseCsv(readData('co2-concentration.csv'));

  test('header, size and first/last values', () => {
    assert.deepEqual(table.columns, ['Date', 'CO2', 'adjusted CO2']);
    assert.equal(table.hasHeader, true);
    assert.equal(table.rows.length, 741);
    const co2 = numericColumn(table, 'CO2');
    assert.equal(co2[0], 315.7);
    assert.equal(co2[740], 416.18);
    const adj = numericColumn(table, 'adjusted CO2'); // a name with a space
    assert.equal(adj[0], 314.44);
  });

  test('dates are the first of each month, from 1958-03 to 2020-04', () => {
    const d = dateColumn(table, 'Date');
    assert.equal(d[0], Date.UTC(1958, 2, 1));
    assert.equal(d[740], Date.UTC(2020, 3, 1));
    for (let i = 1; i < d.length; i++) assert.ok(d[i] > d[i - 1], `dates increase at ${i}`);
  });
});

describe('bundled Seattle weather file', () => {
  const table = parseCsv(readData('seattle-weather.csv'));

  test('1461 consecutive days 2012-01-01 … 2015-12-31 (leap day included)', () => {
    const d = dateColumn(table, 'date');
    assert.equal(d.length, 1461);
    assert.equal(d[0], Date.UTC(2012, 0, 1));
    assert.equal(d[1460], Date.UTC(2015, 11, 31));
    for (let i = 1; i < d.length; i++) assert.equal(d[i] - d[i - 1], DAY);
    assert.equal(new Date(d[59]).toISOString().slice(0, 10), '2012-02-29');
  });

  test('numeric columns and a string column', () => {
    const { values, rows } = numericColumns(table, ['temp_max', 'temp_min']);
    assert.equal(rows.length, 1461);
    assert.equal(values[0][0], 12.8);
    assert.equal(values[1][0], 5.0);
    for (let i = 0; i < 1461; i++) assert.ok(values[0][i] >= values[1][i], `max >= min on day ${i}`);
    assert.equal(table.rows[0][table.columns.indexOf('weather')], 'drizzle');
  });

  test('a missing column lists the columns there are and suggests near names', () => {
    assert.throws(
      () => numericColumn(table, 'temp'),
      (e: Error) =>
        e instanceof ConfigError &&
        e.message.startsWith("[csv] no column 'temp'; columns are: date, precipitation, temp_max, temp_min, wind, weather. Hint: did you mean 'temp_max' or 'temp_min'?"),
    );
    assert.throws(() => dateColumn(table, 'Date'), /no column 'Date'; columns are: date, precipitation.*did you mean 'date'\? Names are case-sensitive/);
  });

  test('a string column read as numbers names row, column and value', () => {
    assert.throws(() => numericColumn(table, 'weather'), /\[csv\] row 2, column 'weather': expected a number; received "drizzle"/);
  });
});

describe('parsing', () => {
  test('header detection: numbers in the first line mean there is no header', () => {
    const t = parseCsv('1,2\n3,4\n');
    assert.equal(t.hasHeader, false);
    assert.deepEqual(t.columns, ['col1', 'col2']);
    assert.deepEqual(t.rows, [['1', '2'], ['3', '4']]);
    assert.deepEqual(Array.from(numericColumn(t, 'col2')), [2, 4]);
    // Rows count from 1 without a header.
    assert.throws(() => numericColumn(parseCsv('1,2\n3,x\n'), 'col2'), /row 2, column 'col2'/);
    // A first line of dates is data too.
    assert.equal(parseCsv('2012-01-01,5\n2012-01-02,6\n').hasHeader, false);
    // Forced either way.
    assert.equal(parseCsv('a,b\n1,2\n', { header: false }).rows.length, 2);
    assert.equal(parseCsv('1,2\n3,4\n', { header: true }).columns[0], '1');
    assert.throws(() => numericColumn(parseCsv('1,2\n'), 'x'), /columns are: col1, col2\. Hint: this file has no header line, so its columns are named col1 … col2/);
  });

  test('quoted fields: delimiter, doubled quotes and a newline inside quotes', () => {
    const t = parseCsv('name,note\n"Smith, J","said ""hi""\nthere"\nplain,x\n');
    assert.deepEqual(t.rows, [['Smith, J', 'said "hi"\nthere'], ['plain', 'x']]);
  });

  test('semicolon and tab delimiters are detected; a UTF-8 BOM is ignored', () => {
    assert.deepEqual(parseCsv('\ufeffa;b\n1,5;2\n').rows, [['1,5', '2']]);
    assert.deepEqual(parseCsv('\ufeffa;b\n1;2\n').columns, ['a', 'b']);
    assert.deepEqual(parseCsv('a\tb\n1\t2\n').rows, [['1', '2']]);
  });

  test('unterminated quote names the line where the quote opened', () => {
    assert.throws(
      () => parseCsv('a,b\n1,2\n3,"oops\n4,5\n'),
      (e: Error) => e instanceof FormatError && /\[csv\] unterminated quoted field starting on line 3; the file ended inside the quotes\. Hint: close the quote/.test(e.message),
    );
  });

  test('ragged row names its line, counting lines inside quotes and blank lines', () => {
    assert.throws(() => parseCsv('a,b\n1,2\n3\n4,5\n'), /\[csv\] line 3 has 1 field; expected 2 like the first line\. Hint: quote fields that contain the delimiter ","/);
    assert.throws(() => parseCsv('a,b\n"x\ny",2\n3,4,5\n'), /line 4 has 3 fields; expected 2/);
    assert.throws(() => parseCsv('a,b\n\n1,2\n\n3\n'), /line 5 has 1 field/);
    assert.throws(() => parseCsv('a,b\r\n1,2\r\n3\r\n'), /line 3 has 1 field/); // Windows line ends
    assert.deepEqual(parseCsv('a,b\r\n1,2\r\n').rows, [['1', '2']]);
  });

  test('stray quote, empty file and duplicate header names', () => {
    assert.throws(() => parseCsv('a,b\n1,2"x"\n'), /\[csv\] stray quote on line 2/);
    assert.throws(() => parseCsv(''), /\[csv\] the file has no rows/);
    assert.throws(() => parseCsv('a,b,a\n1,2,3\n'), /the header names column 'a' twice/);
  });
});

describe('numbers and missing values', () => {
  // 20 data rows (spreadsheet rows 2..21); x is missing at rows 17, 18 and 21.
  const lines = ['t,x,y'];
  for (let i = 0; i < 20; i++) {
    const row = i + 2;
    const x = row === 17 || row === 18 ? '' : row === 21 ? 'NA' : String(i);
    const y = row === 5 ? 'NaN' : String(100 + i);
    lines.push(`2020-01-${String(i + 1).padStart(2, '0')},${x},${y}`);
  }
  const table = parseCsv(lines.join('\n'));

  test("default policy 'error' counts the missing values and names the first row", () => {
    assert.throws(
      () => numericColumn(table, 'x'),
      (e: Error) =>
        e instanceof FormatError && e.message === "[csv] column 'x' has 3 missing values, first at row 17. Hint: pass --missing ffill|interpolate|drop (in code: { missing: 'ffill' | 'interpolate' | 'drop' }).",
    );
    assert.throws(() => numericColumn(table, 'y'), /column 'y' has 1 missing value, first at row 5\./);
  });

  test('drop removes a row from every selected column, and dates follow via rows', () => {
    const { values, rows } = numericColumns(table, ['x', 'y'], { missing: 'drop' });
    // Data rows 3 (y), 15, 16, 19 (x) are gone: 16 left.
    assert.equal(rows.length, 16);
    assert.deepEqual(rows.filter((r) => [3, 15, 16, 19].includes(r)), []);
    assert.equal(values[0].length, 16);
    assert.equal(values[1].length, 16);
    for (let k = 0; k < rows.length; k++) {
      assert.equal(values[0][k], rows[k]); // x = data index
      assert.equal(values[1][k], 100 + rows[k]);
    }
    const d = dateColumn(table, 't', { rows });
    assert.equal(d.length, 16);
    assert.equal(d[3], Date.UTC(2020, 0, 5)); // data row 4 = 2020-01-05 (row 3 dropped)
  });

  test('ffill carries the last value; interpolate draws a line and carries the tail', () => {
    const f = numericColumn(table, 'x', { missing: 'ffill' });
    assert.deepEqual(Array.from(f.slice(14)), [14, 14, 14, 17, 18, 18]);
    const it = numericColumn(table, 'x', { missing: 'interpolate' });
    assert.deepEqual(Array.from(it.slice(14)), [14, 15, 16, 17, 18, 18]);
    const y = numericColumn(table, 'y', { missing: 'interpolate' });
    assert.equal(y[3], 103); // between 102 and 104
  });

  test('a leading gap cannot be filled forward', () => {
    const t = parseCsv('x\n\nNA\n3\n4\n', { header: true });
    // The blank line is skipped; "NA" (row 2) leads.
    assert.throws(() => numericColumn(t, 'x', { missing: 'ffill' }), /\[csv\] column 'x' starts with 1 missing value \(row 2\); ffill has no earlier value to fill it from\. Hint: use --missing drop/);
    const t2 = parseCsv('x\nNA\n?\n3\n');
    assert.throws(() => numericColumn(t2, 'x', { missing: 'interpolate' }), /starts with 2 missing values \(rows 2–3\); interpolate has no earlier value/);
    assert.deepEqual(Array.from(numericColumn(t2, 'x', { missing: 'drop' })), [3]);
  });

  test('bad values name row and column and quote the value, whatever the policy', () => {
    const t = parseCsv('a,b\n1,2\n3, 4x\n');
    for (const missing of ['error', 'drop', 'ffill', 'interpolate'] as const) {
      assert.throws(() => numericColumn(t, 'b', { missing }), /\[csv\] row 3, column 'b': expected a number; received " 4x"\. Hint: fix the value/);
    }
    assert.throws(() => numericColumn(t, 'b', { missing: 'zero' as never }), /missing-value policy must be one of drop, ffill, interpolate, error; received "zero"/);
    assert.throws(() => numericColumns(t, []), /needs at least one column name/);
    // Custom missing tokens.
    assert.deepEqual(Array.from(numericColumn(parseCsv('a\n1\n-999\n3\n'), 'a', { missing: 'interpolate', missingTokens: ['-999'] })), [1, 2, 3]);
  });

  test('all rows missing under drop is an error', () => {
    assert.throws(() => numericColumn(parseCsv('a,b\nNA,1\nNA,2\n'), 'a', { missing: 'drop' }), /every one of the 2 rows has a missing value in a/);
  });
});

describe('dates', () => {
  test('formats: YYYY-MM-DD, YYYY-MM, ISO date-time, decimal year', () => {
    assert.equal(parseDateText('2012-02-29'), Date.UTC(2012, 1, 29));
    assert.equal(parseDateText('1958-03'), Date.UTC(1958, 2, 1));
    assert.equal(parseDateText('2012-01-01T06:30:00Z'), Date.UTC(2012, 0, 1, 6, 30));
    assert.equal(parseDateText('2012-01-01T06:30'), Date.UTC(2012, 0, 1, 6, 30)); // no zone → UTC
    assert.equal(parseDateText('2012-01-01 06:30:15.5'), Date.UTC(2012, 0, 1, 6, 30, 15, 500));
    assert.equal(parseDateText('2012-01-01T06:30:00+02:00'), Date.UTC(2012, 0, 1, 4, 30));
    // 1958.2027 = 1958-01-01 + 0.2027 × 365 days = +73.9855 days → 1958-03-15T23:39 (Scripps' mid-March).
    const t = parseDateText('1958.2027')!;
    assert.equal(new Date(t).toISOString().slice(0, 16), '1958-03-15T23:39');
    assert.equal(parseDateText('2000'), Date.UTC(2000, 0, 1));
    // Leap year: 2000.5 is 183 days in (366-day year).
    assert.equal(decimalYearToMs(2000.5), Date.UTC(2000, 0, 1) + 183 * DAY);
    assert.ok(Math.abs(msToDecimalYear(t) - 1958.2027) < 1e-12);
    assert.ok(Math.abs(msToDecimalYear(Date.UTC(1958, 2, 16)) - 1958.2027) < 2e-4);
  });

  test('impossible or unknown dates are rejected', () => {
    for (const s of ['2013-02-29', '2012-13-01', '2012-00', '12/01/2012', 'Jan 2012', '2012-1-1', '']) {
      assert.equal(parseDateText(s), null, s);
    }
    const t = parseCsv('date,v\n2012-01-01,1\n2012-02-30,2\n');
    assert.throws(
      () => dateColumn(t, 'date'),
      /\[csv\] row 3, column 'date': expected a date; received "2012-02-30"\. Hint: dates must be YYYY-MM-DD, YYYY-MM, an ISO date-time/,
    );
    assert.throws(() => dateColumn(t, 'date', { rows: [5] }), /rows\[0\] must be a data-row index in \[0, 2\); received 5/);
  });
});
