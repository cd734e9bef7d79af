// From raw head outputs to forecasts: report levels, quantile sorting and unscaling, the log
// transform's inverse, Gaussian quantiles, negative-binomial sample moments; grid parsing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeForecasts, reportLevels, sortedQuantile, interval } from '../../src/forecast/heads.js';
import { softplusInverse, normalQuantile } from '../../src/math/special.js';
import { combinations, parseGrid, truncatePanel } from '../../src/forecast/search.js';
import { panelFromArrays } from '../../src/forecast/panel.js';

describe('heads', () => {
  test('levels: the deciles, the median and both ends of each interval', () => {
    assert.deepEqual(reportLevels([0.8, 0.95]), [0.025, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.975]);
    assert.throws(() => reportLevels([1.2]), /interval coverages must lie in \(0, 1\)/);
  });

  test('quantile head: crossing outputs are sorted, then a + s·v (+ the seasonal offset)', () => {
    const levels = [0.1, 0.5, 0.9];
    // one forecast, H = 2, outputs per step (unsorted at step 1)
    const raw = Float32Array.from([-1, 0, 1, 2, -2, 0]);
    const [f] = decodeForecasts(raw, Float64Array.of(10), Float64Array.of(2), { head: 'quantile', headLevels: levels, levels, horizon: 2 }, Float64Array.of(0, 5));
    assert.deepEqual(f.quantiles.map((q) => Array.from(q)), [[8, 11], [10, 15], [12, 19]]);
    assert.deepEqual(Array.from(f.point), [10, 15]);
    assert.deepEqual(interval(f, 0.8).map((q) => Array.from(q)), [[8, 11], [12, 19]]);
  });

  test('log transform: quantiles are mapped back through expm1', () => {
    const levels = [0.1, 0.5, 0.9];
    const [f] = decodeForecasts(Float32Array.from([0, 0, 0]), Float64Array.of(Math.log1p(99)), Float64Array.of(1), { head: 'quantile', headLevels: levels, levels, horizon: 1, transform: 'log' });
    assert.ok(Math.abs(f.point[0] - 99) < 1e-9);
  });

  test('Gaussian head: μ + σ·Φ⁻¹(τ) exactly; samples have that mean and sd', () => {
    const levels = [0.025, 0.5, 0.975];
    const rho = softplusInverse(2 - 1e-3); // σ = 2
    const [f] = decodeForecasts(Float32Array.from([1, rho]), Float64Array.of(0), Float64Array.of(1), { head: 'gaussian', headLevels: levels, levels, horizon: 1, numSamples: 20000, keepSamples: true, seed: 3 });
    assert.ok(Math.abs(f.quantiles[2][0] - (1 + 2 * normalQuantile(0.975))) < 1e-5);
    const s = f.samples!;
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
    assert.ok(Math.abs(mean - 1) < 0.05 && Math.abs(sd - 2) < 0.05, `mean ${mean}, sd ${sd}`);
  });

  test('negative-binomial head: whole-number samples with mean μ and variance μ + αμ²', () => {
    const levels = [0.1, 0.5, 0.9];
    // ν = 4: μ = 4·softplus(a) = 20, α = softplus(b)/2 = 0.1
    const a = softplusInverse(5);
    const b = softplusInverse(0.2);
    const [f] = decodeForecasts(Float32Array.from([a, b]), Float64Array.of(0), Float64Array.of(4), { head: 'negbin', headLevels: levels, levels, horizon: 1, numSamples: 40000, keepSamples: true, seed: 1 });
    const s = f.samples!;
    assert.ok(s.every((v) => Number.isInteger(v) && v >= 0));
    const mean = s.reduce((x, y) => x + y, 0) / s.length;
    const v = s.reduce((x, y) => x + (y - mean) ** 2, 0) / s.length;
    assert.ok(Math.abs(mean - 20) < 0.3, `mean ${mean}`);
    assert.ok(Math.abs(v / (20 + 0.1 * 400) - 1) < 0.05, `variance ${v}`);
    assert.equal(f.point[0], sortedQuantile(s.slice().sort(), 0.5));
  });
});

describe('grid', () => {
  test('parseGrid and combinations', () => {
    const g = parseGrid('lookback=24,36 hidden=16 lr=0.003,0.01');
    assert.deepEqual(g, { lookback: [24, 36], hidden: [16], lr: [0.003, 0.01] });
    const base = { lookback: 12, hidden: 8, layers: 1, lr: 0.005 } as never;
    assert.equal(combinations(base, g).length, 4);
    assert.throws(() => parseGrid('hidden=0'), /--grid hidden values must be integers ≥ 1; received '0'/);
    assert.throws(() => parseGrid('hidden'), /--grid entries look like name=v1,v2; received 'hidden'/);
  });
  test('truncatePanel removes the evaluated stretch from every series', () => {
    const p = truncatePanel(panelFromArrays([{ id: 'a', y: [1, 2, 3, 4, 5] }, { id: 'b', y: [1, 2, 3] }]), 2);
    assert.deepEqual(p.series.map((s) => Array.from(s.y)), [[1, 2, 3], [1]]);
  });
});
