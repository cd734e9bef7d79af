// Missing time steps and the fill policies, on the real Mauna Loa record (which skips five months)
// and on hand-worked arrays.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCsv, numericColumns, dateColumn } from '../../src/data/csv.js';
import { applyMissing, fillMissing, regularizeTimeSeries } from '../../src/data/missing.js';

const DAY = 86_400_000;

describe('regularizeTimeSeries', () => {
  test('the CO₂ record gets its 5 missing months back, then interpolation fills them', () => {
    const table = parseCsv(readFileSync(new URL('../../../../data/co2-concentration.csv', import.meta.url), 'utf8'));
    const { values } = numericColumns(table, ['CO2', 'adjusted CO2']);
    const times = dateColumn(table, 'Date');
    const reg = regularizeTimeSeries(times, values, 'month');
    // 1958-06, 1958-10, 1964-02, 1964-03, 1964-04 are absent from the file.
    assert.equal(reg.inserted, 5);
    assert.equal(reg.times.length, 746);
    const iso = (t: number): string => new Date(t).toISOString().slice(0, 7);
    const gaps = [...reg.values[0].keys()].filter((k) => Number.isNaN(reg.values[0][k])).map((k) => iso(reg.times[k]));
    assert.deepEqual(gaps, ['1958-06', '1958-10', '1964-02', '1964-03', '1964-04']);
    for (let k = 1; k < reg.times.length; k++) {
      const a = new Date(reg.times[k - 1]);
      const b = new Date(reg.times[k]);
      assert.equal((b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth(), 1);
    }
    const filled = applyMissing(['CO2', 'adjusted CO2'], reg.values, 'interpolate');
    const co2 = filled.values[0];
    // 1958-06 lies halfway between May (317.51) and July (315.86).
    assert.ok(Math.abs(co2[3] - (317.51 + 315.86) / 2) < 1e-12);
    assert.ok(co2.every(Number.isFinite));
  });

  test('daily grid inserts missing days; disorder and off-grid times are errors', () => {
    const t = Float64Array.from([0, 1, 4].map((d) => Date.UTC(2020, 0, 1) + d * DAY));
    const reg = regularizeTimeSeries(t, [Float64Array.from([1, 2, 5])], 'day');
    assert.equal(reg.inserted, 2);
    assert.deepEqual(Array.from(fillMissing(reg.values[0], 'interpolate')), [1, 2, 3, 4, 5]);
    assert.deepEqual(Array.from(fillMissing(reg.values[0], 'ffill')), [1, 2, 2, 2, 5]);
    const back = Float64Array.from([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 1)]);
    assert.throws(
      () => regularizeTimeSeries(back, [new Float64Array(2)], 'day'),
      /times must increase by at least one day; times\[1\] = 2020-01-01 comes after times\[0\] = 2020-01-02\. Hint: sort the rows by date and remove duplicate dates/,
    );
    const dup = Float64Array.from([Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 20)]);
    assert.throws(() => regularizeTimeSeries(dup, [new Float64Array(2)], 'month'), /increase by at least one month; times\[1\] = 2020-01 comes after times\[0\] = 2020-01/);
    const half = Float64Array.from([0, DAY / 2]);
    assert.throws(() => regularizeTimeSeries(half, [new Float64Array(2)], 'day'), /is not a whole number of days after the first time/);
    assert.throws(() => regularizeTimeSeries(half, [new Float64Array(3)], 'day'), /every column must have 2 values like times; received 3/);
  });
});

describe('applyMissing on arrays', () => {
  test('drop keeps rows aligned across columns', () => {
    const a = Float64Array.from([1, NaN, 3, 4]);
    const b = Float64Array.from([10, 20, 30, NaN]);
    const r = applyMissing(['a', 'b'], [a, b], 'drop');
    assert.deepEqual(r.rows, [0, 2]);
    assert.deepEqual(r.values.map((v) => Array.from(v)), [[1, 3], [10, 30]]);
  });

  test('messages without a CSV count rows from 1', () => {
    assert.throws(() => applyMissing(['a'], [Float64Array.from([1, NaN, NaN])], 'error'), /^FormatError: \[missing\] column 'a' has 2 missing values, first at row 2\./);
    assert.throws(() => applyMissing(['a', 'b'], [new Float64Array(2), new Float64Array(3)], 'drop'), /all columns must have the same length; 'a' has 2 values but 'b' has 3/);
    assert.throws(() => fillMissing(Float64Array.from([NaN, NaN]), 'ffill', 'z'), /column 'z' has no values at all \(all 2 are missing\)/);
  });
});
