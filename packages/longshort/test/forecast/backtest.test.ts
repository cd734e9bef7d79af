// Rolling-origin backtests: fold boundaries, no information from after a cutoff reaching that
// fold's model or baselines, interval coverage on synthetic series with known noise, the
// conformal factors by hand, the aggregates, and the error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { panelFromArrays } from '../../src/forecast/panel.js';
import { applyCalibration, backtest, calibrationFactors, foldCutoff, type ModelOptions } from '../../src/forecast/backtest.js';
import { resolveModelOptions } from '../../src/forecast/options.js';
import type { Forecast } from '../../src/forecast/heads.js';
import { Rng } from '../../src/util/rng.js';
import { ConfigError } from '../../src/errors.js';

function seasonalPanel(S: number, T: number, seed: number, sigma: number) {
  const rng = new Rng(seed);
  return panelFromArrays(
    Array.from({ length: S }, (_, i) => ({
      id: `s${i}`,
      y: Array.from({ length: T }, (_, t) => 10 + 3 * i + 2 * Math.sin((2 * Math.PI * (t + i)) / 12) + rng.normal(0, sigma)),
      times: Array.from({ length: T }, (_, t) => Date.UTC(2000, t, 1)),
    })),
  );
}

const tiny = (panel: ReturnType<typeof seasonalPanel>, o: Partial<ModelOptions> = {}): ModelOptions =>
  resolveModelOptions(panel, { horizon: 6, season: 12, lookback: 12, hidden: 4, epochs: 1, batchSize: 32, samples: 50, ...o }, 18);

describe('fold boundaries', () => {
  test('cutoffs T − H − (K − k)·S', () => {
    assert.deepEqual([1, 2, 3].map((k) => foldCutoff(100, k, 3, 12, 12)), [64, 76, 88]);
    assert.deepEqual([1, 2, 3].map((k) => foldCutoff(100, k, 3, 12, 6)), [76, 82, 88]);
  });

  test('each fold scores H points from its cutoff; series of different lengths keep their own cutoffs; sliding windows start trainSize back', async () => {
    const rng = new Rng(1);
    const panel = panelFromArrays([
      { id: 'long', y: Array.from({ length: 60 }, () => rng.normal()) },
      { id: 'short', y: Array.from({ length: 48 }, () => rng.normal()) },
    ]);
    const o = tiny(panel as never, { season: 1 });
    const r = await backtest(panel, o, { folds: 3, stride: 4, window: 'sliding', trainSize: 20 });
    const cut = r.details.map((d) => [d.series, d.fold, d.cutoff, d.actual.length]);
    assert.deepEqual(cut, [[0, 1, 46, 6], [1, 1, 34, 6], [0, 2, 50, 6], [1, 2, 38, 6], [0, 3, 54, 6], [1, 3, 42, 6]]);
    assert.deepEqual(Array.from(r.scaling.start), [54 - 20, 42 - 20]);
    assert.deepEqual(Array.from(r.scaling.end), [54, 42]);
    assert.deepEqual(r.methods, ['model', 'naive', 'seasonalNaive', 'drift', 'seasonalNaiveDrift', 'holtWinters']);
  });

  test('nothing after a fold\'s cutoff reaches its model or its baselines', async () => {
    const a = seasonalPanel(2, 60, 4, 0.3);
    const b = panelFromArrays(a.series.map((s) => ({ id: s.id, y: Array.from(s.y, (v, t) => (t >= 48 ? v + 100 * (t % 3) : v)), times: Array.from(s.times!) })));
    const o = tiny(a);
    const ra = await backtest(a, o, { folds: 2 }); // cutoffs 48 and 54
    const rb = await backtest(b, o, { folds: 2 });
    const fold1 = (r: typeof ra) => r.details.filter((d) => d.fold === 1);
    // Fold 1 trains on y[0, 48): identical forecasts although everything after changed.
    fold1(ra).forEach((d, n) => {
      const e = fold1(rb)[n];
      for (const m of ra.methods) assert.deepEqual(e.forecasts[m].point, d.forecasts[m].point, m);
    });
    assert.notDeepEqual(ra.details.filter((d) => d.fold === 2)[0].forecasts.naive.point, rb.details.filter((d) => d.fold === 2)[0].forecasts.naive.point);
  });
});

describe('probabilistic quality on synthetic data with known noise', () => {
  test('Gaussian head with conformal calibration: 80% and 95% intervals cover about 80% and 95%, MASE beats seasonal naive', async () => {
    // 6 series of 72 months: a known yearly cycle plus N(0, 0.5²) noise. The best possible 80% interval is the
    // cycle ± 1.28·0.5; the seasonal-naive forecast has error sd 0.5·√2. (Without calibration this small
    // model's intervals are too narrow, ~66%: its training residuals are in-sample.)
    const panel = seasonalPanel(6, 72, 7, 0.5);
    const o = resolveModelOptions(panel, { horizon: 12, season: 12, lookback: 12, hidden: 8, epochs: 8, batchSize: 32, lr: 0.01, head: 'gaussian', deseasonalize: true, conformal: true, samples: 0 }, 36);
    const r = await backtest(panel, o, { folds: 3 });
    const m = r.overall.model;
    assert.ok(m.coverage['80'] >= 0.7 && m.coverage['80'] <= 0.9, `80% coverage ${m.coverage['80']}`);
    assert.ok(m.coverage['95'] >= 0.88 && m.coverage['95'] <= 1, `95% coverage ${m.coverage['95']}`);
    assert.ok(m.mase < r.overall.seasonalNaive.mase, `model MASE ${m.mase} vs seasonal naive ${r.overall.seasonalNaive.mase}`);
    assert.ok(m.wql < r.overall.seasonalNaive.wql, `model wQL ${m.wql} vs ${r.overall.seasonalNaive.wql}`);
    // per fold and per series tables exist and hold means of the same numbers
    assert.equal(r.folds.length, 3);
    assert.equal(r.perSeries.length, 6);
  });
});

describe('conformal calibration', () => {
  const f = (lo: number, mid: number, hi: number): Forecast => ({ point: Float64Array.of(mid), levels: [0.1, 0.5, 0.9], quantiles: [Float64Array.of(lo), Float64Array.of(mid), Float64Array.of(hi)], samples: null });
  test('per step: each step pools its neighbours until there are enough scores', () => {
    // 2 series × 3 steps; minScores 2 → step k uses its own two scores.
    const g = (m: number): Forecast => ({ point: Float64Array.of(m, m, m), levels: [0.1, 0.5, 0.9], quantiles: [Float64Array.of(m - 1, m - 1, m - 2), Float64Array.of(m, m, m), Float64Array.of(m + 1, m + 1, m + 2)], samples: null });
    // scores: step 0: 0 (y = m + 1 → 0), −1; step 1: 2, −0.5; step 2: (y − hi)/2 = 1, 0
    const lam = calibrationFactors([g(0), g(10)], [[1, 3, 4], [10, 9.5, 12]], 2);
    // rank ⌈3·0.8⌉ = 3 > n = 2 → the largest score
    assert.deepEqual(lam, [[1, 3, 2]]);
    // with minScores 6 every step pools the whole horizon: scores −1, −0.5, 0, 0, 1, 2 → rank ⌈7·0.8⌉ = 6 → 2
    assert.deepEqual(calibrationFactors([g(0), g(10)], [[1, 3, 4], [10, 9.5, 12]], 6), [[3, 3, 3]]);
  });

  test('λ = 1 + the ⌈(n+1)·0.8⌉-th smallest normalised score', () => {
    // intervals [−1, 1] around 0; actual values → scores r = max(−1 − y, y − 1):
    const ys = [0, 0.5, 3, -2, 1.5, -0.2, 0.9, 5, -4, 0.1];
    // r = −1, −0.5, 2, 1, 0.5, −0.8, −0.1, 4, 3, −0.9 → sorted −1, −0.9, −0.8, −0.5, −0.1, 0.5, 1, 2, 3, 4; rank ⌈11·0.8⌉ = 9 → 3
    const lam = calibrationFactors(ys.map(() => f(-1, 0, 1)), ys.map((y) => [y]));
    assert.deepEqual(lam, [[4]]);
    const g = f(-1, 0, 2);
    applyCalibration(g, lam);
    assert.deepEqual(g.quantiles.map((q) => q[0]), [-4, 0, 8]);
  });
});

describe('errors', () => {
  test('series too short for the folds, sliding window without a size', async () => {
    const panel = seasonalPanel(1, 40, 1, 0.1);
    await assert.rejects(backtest(panel, tiny(panel), { folds: 6 }), /too short for 6 folds of horizon 6 with stride 6: the first fold would train on 4 points of the longest series \(40 points\); at least horizon \+ 2 = 8 are needed/);
    await assert.rejects(backtest(panel, tiny(panel), { folds: 2, window: 'sliding' }), /a sliding window needs --train-size/);
    const neg = panelFromArrays([{ id: 'n', y: [1, -2, 3, 4, 5, 6, 7, 8, 9, 10] }]);
    assert.throws(() => resolveModelOptions(neg, { horizon: 2, head: 'negbin', season: 1 }, 2), /the negative-binomial head models counts ≥ 0, but series 'n' has -2 at point 2/);
    assert.throws(() => resolveModelOptions(neg, { horizon: 2, transform: 'log', season: 1 }, 2), /--transform log models log\(1 \+ y\) and needs y ≥ 0/);
  });
});

test('a season or lookback longer than every series is a ConfigError before any window is sized (fuzz: --lookback 2147483648)', () => {
  const panel = panelFromArrays([{ id: 'a', y: Float64Array.from({ length: 40 }, (_, t) => Math.sin(t)) }]);
  assert.throws(() => resolveModelOptions(panel, { horizon: 2, lookback: 2 ** 31 }, 2), (e: unknown) => e instanceof ConfigError && /--lookback must be at most the longest series' length, 40 points; received 2147483648/.test((e as Error).message));
  assert.throws(() => resolveModelOptions(panel, { horizon: 2, season: 2 ** 31 }, 2), (e: unknown) => e instanceof ConfigError && /--season must be at most the longest series' length, 40 points/.test((e as Error).message));
  assert.equal(resolveModelOptions(panel, { horizon: 2, lookback: 40, season: 4 }, 2).lookback, 40);
});
