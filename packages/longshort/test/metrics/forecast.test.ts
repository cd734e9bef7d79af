// Forecast metrics worked out by hand, the two baselines, and season detection on the real
// Mauna Loa CO₂ record (period 12), Seattle daily temperatures (period ≈ 365) and white noise (none).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCsv, numericColumn, dateColumn } from '../../src/data/csv.js';
import { regularizeTimeSeries, fillMissing } from '../../src/data/missing.js';
import {
  mae,
  rmse,
  smape,
  mase,
  maseScale,
  forecastMetrics,
  naiveForecast,
  seasonalNaiveForecast,
  acf,
  detectSeasonPeriod,
  detectSeasonPeriodDetailed,
} from '../../src/metrics/forecast.js';
import { Rng } from '../../src/util/rng.js';

const readData = (name: string): string => readFileSync(new URL(`../../../../data/${name}`, import.meta.url), 'utf8');
const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

/** Monthly CO₂ with the five missing months interpolated (746 points, 1958-03 … 2020-04). */
function co2Monthly(): Float64Array {
  const t = parseCsv(readData('co2-concentration.csv'));
  const reg = regularizeTimeSeries(dateColumn(t, 'Date'), [numericColumn(t, 'CO2')], 'month');
  return fillMissing(reg.values[0], 'interpolate');
}

describe('metrics by hand', () => {
  // A = [1, 2, 3, 4], F = [2, 2, 5, 0]: errors 1, 0, 2, 4.
  const A = [1, 2, 3, 4];
  const F = [2, 2, 5, 0];

  test('MAE, RMSE, sMAPE', () => {
    close(mae(A, F), 7 / 4);
    close(rmse(A, F), Math.sqrt(21 / 4)); // (1 + 0 + 4 + 16) / 4
    // 200/4 · (1/3 + 0/4 + 2/8 + 4/4)
    close(smape(A, F), 50 * (1 / 3 + 0 + 0.25 + 1));
  });

  test('sMAPE: 0/0 counts as 0, a zero against non-zero as 200', () => {
    assert.equal(smape([0, 1], [0, 1]), 0);
    assert.equal(smape([0], [5]), 200);
    assert.equal(smape([0, 0], [0, 3]), 100);
  });

  test('MASE scale is the in-sample seasonal-naive MAE on the training series', () => {
    const train = [1, 3, 2, 5, 4];
    close(maseScale(train, 1), (2 + 1 + 3 + 1) / 4); // |3−1|, |2−3|, |5−2|, |4−5|
    close(maseScale(train, 2), (1 + 2 + 2) / 3); // |2−1|, |5−3|, |4−2|
    close(mase(A, F, train, 1), 1.75 / 1.75);
    close(mase(A, F, train, 2), 1.75 / (5 / 3));
    const all = forecastMetrics(A, F, train, 2);
    close(all.mase, 1.05);
    close(all.rmse, Math.sqrt(5.25));
  });

  test('naive and seasonal-naive forecasts', () => {
    const h = [1, 2, 3, 4, 5, 6, 7, 8];
    assert.deepEqual(Array.from(naiveForecast(h, 3)), [8, 8, 8]);
    assert.deepEqual(Array.from(seasonalNaiveForecast(h, 5, 3)), [6, 7, 8, 6, 7]);
    assert.deepEqual(Array.from(seasonalNaiveForecast(h, 2, 1)), [8, 8]); // m = 1 is naive
  });

  test('ACF of 1, 2, 3, 4', () => {
    // deviations −1.5, −0.5, 0.5, 1.5; Σd² = 5
    const r = acf([1, 2, 3, 4], 3);
    close(r[0], 1);
    close(r[1], (0.75 - 0.25 + 0.75) / 5);
    close(r[2], (-0.75 - 0.75) / 5);
    close(r[3], -2.25 / 5);
    assert.deepEqual(Array.from(acf([2, 2, 2], 2)), [1, 0, 0]);
  });

  test('bad input', () => {
    assert.throws(() => mae([1, 2], [1]), /\[mae\] actual and forecast must have the same length; received 2 and 1/);
    assert.throws(() => rmse([], []), /\[rmse\] needs at least one point; received empty arrays/);
    assert.throws(() => smape([1, NaN], [1, 2]), /\[smape\] actual\[1\] must be finite; received NaN/);
    assert.throws(() => mase([1], [1], [1, 2, 3], 3), /\[mase\] the training series must be longer than m = 3 to compute the scale; received 3 points/);
    assert.throws(() => mase([1], [1], [5, 5, 5], 1), /the training series does not change over any lag of m = 1, so the scale is 0 and MASE is undefined/);
    assert.throws(() => mase([1], [1], [1, 2], 0), /seasonal period m must be an integer >= 1; received 0/);
    assert.throws(() => naiveForecast([], 2), /history must hold at least one value/);
    assert.throws(() => naiveForecast([1], 0), /horizon h must be an integer >= 1; received 0/);
    assert.throws(() => seasonalNaiveForecast([1, 2], 3, 12), /history must hold at least one season \(m = 12\); received 2 values/);
    assert.throws(() => acf([1, 2, 3], 3), /maxLag must be an integer in \[0, 2\] for a series of 3 points; received 3/);
    assert.throws(() => detectSeasonPeriod([1, 2, 3]), /needs at least 9 points to look for a season; received 3/);
    assert.throws(() => detectSeasonPeriod(new Float64Array(50), { detrend: 'log' as never }), /detrend must be 'difference' or 'none'; received "log"/);
  });
});

describe('season detection', () => {
  test('Mauna Loa CO₂: 12 months, both as read (741 rows with gaps) and regularised', () => {
    const raw = numericColumn(parseCsv(readData('co2-concentration.csv')), 'CO2');
    const a = detectSeasonPeriodDetailed(raw);
    assert.equal(a.period, 12);
    assert.ok(a.strength > 0.85, `strength ${a.strength}`);
    const b = detectSeasonPeriodDetailed(co2Monthly());
    assert.equal(b.period, 12);
    assert.ok(b.strength > 0.9, `strength ${b.strength}`);
    // Without differencing the trend swamps the ACF: it only decays, never dips below zero.
    assert.equal(detectSeasonPeriod(co2Monthly(), { detrend: 'none' }), 1);
  });

  test('white noise: no season (1), for several seeds', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rng = new Rng(seed);
      const x = Float64Array.from({ length: 700 }, () => rng.normal());
      assert.equal(detectSeasonPeriod(x), 1, `seed ${seed}`);
    }
  });

  test('a weekly sine in noise gives 7', () => {
    const rng = new Rng(9);
    const x = Float64Array.from({ length: 400 }, (_, t) => 0.05 * t + Math.sin((2 * Math.PI * t) / 7) + 0.3 * rng.normal());
    assert.equal(detectSeasonPeriod(x), 7);
  });

  test('Seattle daily maximum temperature: a yearly cycle (about 365 days) without differencing', () => {
    const tmax = numericColumn(parseCsv(readData('seattle-weather.csv')), 'temp_max');
    const p = detectSeasonPeriod(tmax, { detrend: 'none' });
    assert.ok(p >= 340 && p <= 390, `period ${p}`);
  });
});

describe('baselines on the last year of CO₂', () => {
  const y = co2Monthly();
  const h = 12;
  const train = y.slice(0, y.length - h);
  const heldOut = y.slice(y.length - h);

  test('the m = 12 MASE scale is the mean yearly rise, about 1.6 ppm', () => {
    const q = maseScale(train, 12);
    // Nearly every y_t − y_{t−12} is positive, so their mean ≈ (last − first) / years.
    const perYear = (train[train.length - 1] - train[0]) / ((train.length - 1) / 12);
    assert.ok(Math.abs(q / perYear - 1) < 0.05, `Q=${q} per-year rise=${perYear}`);
    assert.ok(q > 1.3 && q < 1.9, `Q=${q}`);
  });

  test('seasonal-naive gets the shape (near-constant error = one year of rise); naive does not', () => {
    const sn = seasonalNaiveForecast(train, h, 12);
    const nv = naiveForecast(train, h);
    const errSn = Array.from(heldOut, (a, k) => a - sn[k]);
    const errNv = Array.from(heldOut, (a, k) => a - nv[k]);
    const std = (e: number[]): number => {
      const m = e.reduce((s, v) => s + v, 0) / e.length;
      return Math.sqrt(e.reduce((s, v) => s + (v - m) ** 2, 0) / e.length);
    };
    assert.ok(errSn.every((e) => e > 0), 'CO₂ rose over the year at every month');
    assert.ok(std(errSn) < 0.6, `seasonal-naive error spread ${std(errSn)}`);
    assert.ok(std(errNv) > 1.5, `naive error spread ${std(errNv)}`);
    const mSn = forecastMetrics(heldOut, sn, train, 12);
    const mNv = forecastMetrics(heldOut, nv, train, 12);
    // Seasonal-naive MAE = the 2019→2020 rise, 2–3.5 ppm; MASE > 1 because that rise is faster than
    // the 1958–2019 average used as the scale.
    assert.ok(mSn.mae > 2 && mSn.mae < 3.5, `snaive MAE ${mSn.mae}`);
    assert.ok(mSn.mase > 1 && mSn.mase < 2.5, `snaive MASE ${mSn.mase}`);
    assert.ok(mNv.mase > 0.8 && mNv.mase < 3, `naive MASE ${mNv.mase}`);
    assert.ok(mSn.smape < 1 && mNv.smape < 1, 'both within 1% of ~410 ppm');
    close(mSn.mase, mSn.mae / maseScale(train, 12));
  });
});

describe('probabilistic scores', () => {
  test('pinball, coverage, weighted quantile loss and CRPS by hand', async () => {
    const { pinball, coverage, weightedQuantileLoss, crpsFromQuantiles } = await import('../../src/metrics/forecast.js');
    const A = [10, 20];
    // q0.1 = [8, 25]: u = 2 → 0.2; u = −5 → 0.9·5 = 4.5 → mean 2.35
    assert.ok(Math.abs(pinball(A, [8, 25], 0.1) - 2.35) < 1e-12);
    assert.equal(coverage(A, [9, 21], [11, 30]), 0.5);
    // wQL over levels {0.1, 0.9}: q0.9 = [12, 18]: u = −2 → 0.2; u = 2 → 1.8 → mean 1
    // 2·Σρ/Σ|A|: level 0.1: 2·4.7/30; level 0.9: 2·2/30 → mean (9.4 + 4)/60
    assert.ok(Math.abs(weightedQuantileLoss(A, [[8, 25], [12, 18]], [0.1, 0.9]) - 13.4 / 60) < 1e-12);
    // CRPS ≈ (2/K) Σ_k mean pinball = (2/2)(2.35 + 1)
    assert.ok(Math.abs(crpsFromQuantiles(A, [[8, 25], [12, 18]], [0.1, 0.9]) - 3.35) < 1e-12);
    assert.throws(() => pinball(A, [1, 2], 1.5), /levels\[0\] must lie in \(0, 1\); received 1\.5/);
    assert.throws(() => coverage(A, [1], [2, 3]), /same length/);
  });
});
