// Windows of the global model: the input layout step by step on a hand-made series, padding of a
// short series, scaling fitted on the training part only (no leakage), the seasonal profile, and
// the window index that numbers windows without listing them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { panelFromArrays } from '../../src/forecast/panel.js';
import { WindowBuilder, WindowIndex, fitScaling, inputNames, seasonalProfile, type WindowSpec } from '../../src/forecast/windows.js';

const months = (n: number, y0 = 2020): number[] => Array.from({ length: n }, (_, t) => Date.UTC(y0, t, 1));

describe('windows', () => {
  const y = [1, 3, 2, 5, 4, 6, 8, 7, 9, 12];
  const panel = panelFromArrays([{ id: 'a', y, times: months(10) }]);
  const spec: WindowSpec = { lookback: 3, horizon: 2, season: 2, head: 'quantile', transform: 'none', deseasonalize: false, embeddingDim: 0 };

  test('input columns, step by step', () => {
    assert.deepEqual(inputNames(panel, spec), ['y', 'observed', 'horizon', 'y lag 2', 'lag 2 known', 'month sin', 'month cos', 'log scale']);
    const scaling = fitScaling(panel, spec, [0], [8]);
    // s = mean |Δy| over y[0, 8) = (2 + 1 + 3 + 1 + 2 + 2 + 1)/7 = 12/7
    assert.ok(Math.abs(scaling.scale[0] - 12 / 7) < 1e-12);
    const b = new WindowBuilder(panel, spec, scaling);
    const batch = b.allocate(1);
    b.fill(batch, 0, 0, 6); // history t = 3, 4, 5 (y = 5, 4, 6), forecast t = 6, 7 (y = 8, 7); anchor a = y_5 = 6
    const F = b.F;
    const row = (l: number): number[] => Array.from(batch.x.subarray(l * F, (l + 1) * F), (v) => Math.round(v * 1e5) / 1e5);
    const s = 12 / 7;
    const r = (v: number): number => Math.round(v * 1e5) / 1e5;
    const cal = (m: number): number[] => [r(Math.sin((2 * Math.PI * m) / 12)), r(Math.cos((2 * Math.PI * m) / 12))];
    // t = 3 (April): y = (5 − 6)/s, observed, lag y_1 = 3 known
    assert.deepEqual(row(0), [r(-1 / s), 1, 0, r((3 - 6) / s), 1, ...cal(3), 0]);
    // t = 6 (July, first future step): no y, horizon 1/2, lag y_4 = 4 known (the seasonal-naive value)
    assert.deepEqual(row(3), [0, 0, 0.5, r((4 - 6) / s), 1, ...cal(6), 0]);
    // t = 7: lag y_5 = 6
    assert.deepEqual(row(4), [0, 0, 1, 0, 1, ...cal(7), 0]);
    assert.deepEqual(Array.from(batch.target.subarray(0, 2), r), [r((8 - 6) / s), r((7 - 6) / s)]);
    assert.deepEqual(Array.from(batch.mask.subarray(0, 2)), [1, 1]);
    assert.equal(batch.anchor[0], 6);
  });

  test('a window reaching before the series start is padded (observed 0), targets past the end are masked', () => {
    const scaling = fitScaling(panel, spec, [0], [10]);
    const b = new WindowBuilder(panel, spec, scaling);
    const batch = b.allocate(1);
    b.fill(batch, 0, 0, 1, 10); // history t = −2, −1, 0
    const F = b.F;
    assert.equal(batch.x[0 * F + 1], 0);
    assert.equal(batch.x[1 * F + 1], 0);
    assert.equal(batch.x[2 * F + 1], 1);
    b.fill(batch, 0, 0, 9, 10); // t = 9 has a target, t = 10 does not
    assert.deepEqual(Array.from(batch.mask.subarray(0, 2)), [1, 0]);
    assert.throws(() => b.fill(batch, 0, 0, 0), /an origin must lie in \[1, 10\]/);
  });

  test('scaling and training windows depend only on the training part', () => {
    const changed = panelFromArrays([{ id: 'a', y: [...y.slice(0, 8), 1000, -1000], times: months(10) }]);
    const s1 = fitScaling(panel, { ...spec, deseasonalize: true }, [0], [8]);
    const s2 = fitScaling(changed, { ...spec, deseasonalize: true }, [0], [8]);
    assert.deepEqual(s1, s2);
    const b1 = new WindowBuilder(panel, spec, s1);
    const b2 = new WindowBuilder(changed, spec, s2);
    const i1 = new WindowIndex(b1);
    assert.equal(i1.count, 4); // origins 3 … 6 (o + H ≤ 8, L = 3 observed points)
    const x1 = b1.allocate(1);
    const x2 = b2.allocate(1);
    for (let g = 0; g < i1.count; g++) {
      const [i, o] = i1.locate(g);
      b1.fill(x1, 0, i, o, 8);
      b2.fill(x2, 0, i, o, 8);
      assert.deepEqual(x1, x2, `window ${g}`);
    }
  });

  test('window numbers map to (series, origin) across series, skipping series without windows', () => {
    const p = panelFromArrays([
      { id: 'a', y: Array.from({ length: 12 }, (_, t) => t) },
      { id: 'short', y: [1, 2] },
      { id: 'b', y: Array.from({ length: 8 }, (_, t) => t) },
    ]);
    const sp: WindowSpec = { ...spec, season: 1 };
    const b = new WindowBuilder(p, sp, fitScaling(p, sp, [0, 0, 0], [12, 2, 8]));
    const idx = new WindowIndex(b);
    // a: origins 3 … 10 (8), short: none (2 points < H + 1), b: origins 3 … 6 (4)
    assert.equal(idx.count, 12);
    assert.deepEqual(idx.locate(0), [0, 3]);
    assert.deepEqual(idx.locate(7), [0, 10]);
    assert.deepEqual(idx.locate(8), [2, 3]);
    assert.deepEqual(idx.locate(11), [2, 6]);
  });

  test('a short series gives one padded window so it still trains', () => {
    const p = panelFromArrays([{ id: 's', y: [1, 2, 3, 4] }]);
    const sp: WindowSpec = { ...spec, season: 1, lookback: 6 };
    const idx = new WindowIndex(new WindowBuilder(p, sp, fitScaling(p, sp, [0], [4])));
    assert.equal(idx.count, 1);
    assert.deepEqual(idx.locate(0), [0, 2]); // 2 observed points, the horizon t = 2, 3
  });

  test('seasonalProfile recovers an additive season under a trend', () => {
    const pattern = [2, -1, 0.5, -1.5];
    const z = Array.from({ length: 24 }, (_, t) => 3 + 0.2 * t + pattern[t % 4]);
    const prof = seasonalProfile(z, 0, 24, 4);
    prof.forEach((v, j) => assert.ok(Math.abs(v - pattern[j]) < 1e-12, `j=${j}: ${v}`));
    assert.deepEqual(Array.from(seasonalProfile(z, 0, 7, 4)), [0, 0, 0, 0]); // fewer than 2m points
  });
});
