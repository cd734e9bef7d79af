// Runs the example at the top of docs/data.md and checks the numbers the page quotes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCsv, numericColumns, dateColumn, regularizeTimeSeries, applyMissing, chronologicalSplit, splitWindows, StandardScaler } from '../../src/data/index.js';
import { detectSeasonPeriod, seasonalNaiveForecast, naiveForecast, forecastMetrics, maseScale } from '../../src/metrics/index.js';

test('docs/data.md example and quoted CO₂ numbers', () => {
  const table = parseCsv(readFileSync(new URL('../../../../data/co2-concentration.csv', import.meta.url), 'utf8'));
  const { values: [co2] } = numericColumns(table, ['CO2']);
  const dates = dateColumn(table, 'Date');
  const grid = regularizeTimeSeries(dates, [co2], 'month');
  const [y] = applyMissing(['CO2'], grid.values, 'interpolate').values;
  assert.equal(detectSeasonPeriod(y), 12);
  const ranges = chronologicalSplit(y.length, { testLast: 24, valLast: 24 });
  const scaler = new StandardScaler().fit([y], ranges.train);
  const [z] = scaler.transform([y]);
  const { train, val, test: held } = splitWindows([z], z, ranges, { lookback: 36, horizon: 12 });
  assert.deepEqual(train.inputs.shape, [651, 36, 1]);
  assert.deepEqual(train.targets.shape, [651, 12]);
  assert.equal(val!.inputs.shape[0], 13);
  assert.equal(held!.inputs.shape[0], 13);

  // "With the last 12 months held out, Q (m = 12) is 1.57 ppm, the seasonal-naive forecast is off
  // by a near-constant 2.7 ppm (MASE 1.74), the naive forecast has MAE 2.18, MASE 1.39."
  const hTrain = y.slice(0, y.length - 12);
  const hTest = y.slice(y.length - 12);
  assert.equal(maseScale(hTrain, 12).toFixed(2), '1.57');
  const sn = forecastMetrics(hTest, seasonalNaiveForecast(hTrain, 12, 12), hTrain, 12);
  const nv = forecastMetrics(hTest, naiveForecast(hTrain, 12), hTrain, 12);
  assert.equal(sn.mae.toFixed(1), '2.7');
  assert.equal(sn.mase.toFixed(2), '1.74');
  assert.equal(nv.mae.toFixed(2), '2.18');
  assert.equal(nv.mase.toFixed(2), '1.39');
  const std = (e: number[]): number => {
    const m = e.reduce((a, b) => a + b, 0) / e.length;
    return Math.sqrt(e.reduce((a, b) => a + (b - m) ** 2, 0) / e.length);
  };
  const snF = seasonalNaiveForecast(hTrain, 12, 12);
  const nvF = naiveForecast(hTrain, 12);
  assert.equal(std(Array.from(hTest, (a, k) => a - snF[k])).toFixed(2), '0.36');
  assert.equal(std(Array.from(hTest, (a, k) => a - nvF[k])).toFixed(2), '2.45');
});
