import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectStep, futureTimes, loadSeries, prepareForecast, resolveConfig, type ForecastSeries } from '../../src/apps/forecast.js';
import { scalerFromJSON } from '../../src/data/scale.js';
import { Rng } from '../../src/util/rng.js';

const CO2 = readFileSync(new URL('../../../../data/co2-concentration.csv', import.meta.url), 'utf8');

function synthetic(T: number, seed = 1): ForecastSeries {
  const rng = new Rng(seed);
  const y = Float64Array.from({ length: T }, (_, t) => 10 + 0.05 * t + Math.sin((2 * Math.PI * t) / 12) + 0.1 * rng.normal());
  return { target: 'v', features: [], y, x: [], times: null, step: null, filled: 0 };
}

describe('forecast data', () => {
  test('CO2: the five missing months are refused by default, naming the first gap', () => {
    assert.throws(
      () => loadSeries(CO2, { target: 'CO2', date: 'Date' }),
      /column 'Date' skip 5 months, first after row 4 \(1958-05, next 1958-07\).*--missing interpolate/,
    );
  });

  test('CO2 with --missing interpolate: 746 monthly points, gaps filled on the line between neighbours', () => {
    const s = loadSeries(CO2, { target: 'CO2', date: 'Date', missing: 'interpolate' });
    assert.equal(s.y.length, 746);
    assert.equal(s.step, 'month');
    assert.equal(s.filled, 5);
    // 1958-05 = 317.51, 1958-07 = 315.86 → 1958-06 is their mean
    assert.equal(new Date(s.times![3]).toISOString().slice(0, 7), '1958-06');
    assert.ok(Math.abs(s.y[3] - (317.51 + 315.86) / 2) < 1e-9);
  });

  test('detectStep: months, days, irregular', () => {
    const months = Float64Array.from([0, 1, 2, 4], (m) => Date.UTC(2020, m, 1));
    assert.equal(detectStep(months), 'month');
    const days = Float64Array.from([0, 1, 2, 3, 5], (d) => Date.UTC(2020, 0, 1 + d));
    assert.equal(detectStep(days), 'day');
    const odd = Float64Array.from([0, 1.5, 4, 9], (d) => Date.UTC(2020, 0, 1) + d * 86_400_000);
    assert.equal(detectStep(odd), null);
  });

  test('futureTimes continues calendar months (Dec → Jan) and step numbers', () => {
    const s: ForecastSeries = { ...synthetic(3), times: Float64Array.from([9, 10, 11], (m) => Date.UTC(2019, m, 1)), step: 'month' };
    assert.deepEqual(Array.from(futureTimes(s, 2), (t) => new Date(t).toISOString().slice(0, 7)), ['2020-01', '2020-02']);
    assert.deepEqual(Array.from(futureTimes(synthetic(3), 2)), [3, 4]);
  });
});

describe('forecast windows', () => {
  test('targets are the residuals of the seasonal-naive forecast from each origin', () => {
    const s = synthetic(120);
    const c = resolveConfig(s, { horizon: 6, lookback: 12, season: 12 });
    const p = prepareForecast(s, c, { date: null, missing: 'error' });
    const ts = scalerFromJSON(p.extra.targetScaler);
    const H = 6;
    const m = 12;
    const o = m + 12; // first origin
    const row = Array.from({ length: H }, (_, k) => [p.y.data[k]]);
    const raw = ts.inverseTransform(row.map((r) => Float64Array.from(r)));
    for (let k = 0; k < H; k++) assert.ok(Math.abs(raw[k][0] - (s.y[o + k] - s.y[o - m + (k % m)])) < 1e-4, `k=${k}`);
    // inputs: the scaled seasonal difference at the first input step, t = o − L = 12
    const is = scalerFromJSON(p.extra.inputScaler);
    const back = is.inverseColumn([p.x.data[0]], 0)[0];
    assert.ok(Math.abs(back - (s.y[12] - s.y[0])) < 1e-4);
    assert.deepEqual(p.x.shape, [p.x.shape[0], 12, 2]);
  });

  test('scalers see only the training part: changing the held-out tail changes nothing', () => {
    const a = synthetic(150);
    const b = { ...a, y: a.y.slice() };
    for (let t = 130; t < 150; t++) b.y[t] += 1000;
    const c = resolveConfig(a, { horizon: 8, lookback: 12, season: 12, holdout: 16 });
    const pa = prepareForecast(a, c, { date: null, missing: 'error' });
    const pb = prepareForecast(b, c, { date: null, missing: 'error' });
    assert.deepEqual(pa.extra.inputScaler, pb.extra.inputScaler);
    assert.deepEqual(pa.extra.targetScaler, pb.extra.targetScaler);
    assert.deepEqual(Array.from(pa.y.data), Array.from(pb.y.data));
    assert.ok(pa.extra.splits.train[1] <= pa.extra.splits.test[0] - 8);
  });

  test('a series too short for season + lookback + horizon says how many rows are needed', () => {
    assert.throws(
      () => resolveConfig(synthetic(40), { horizon: 12, lookback: 24, season: 12 }),
      /12 \+ 24 \+ 12 \+ 1 \+ 12 = 61 rows are needed; received 40 rows/,
    );
  });
});
