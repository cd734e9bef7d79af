// The five baselines: point forecasts and error standard deviations worked out by hand, the
// Holt-Winters recursions against a hand computation, exactness on a noiseless trend + season,
// the least-squares fit against a brute-force grid over the admissible parameters, and the
// interval variance formula against a Monte Carlo simulation of the ETS(A,A,A) model itself.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  baselineForecast,
  naive,
  seasonalNaive,
  drift,
  seasonalNaiveDrift,
  fitHoltWinters,
  holtWintersFilter,
  holtWintersForecast,
  holtWintersInit,
} from '../../src/forecast/baselines.js';
import { Rng } from '../../src/util/rng.js';

const close = (a: number, b: number, tol = 1e-9, what = ''): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what} ${a} vs ${b}`);

describe('simple baselines', () => {
  // y = 1, 3, 2, 5, 4, 6 (T = 6), m = 2
  const y = [1, 3, 2, 5, 4, 6];
  test('naive: last value; sd = σ√h with σ² = mean of squared first differences', () => {
    const f = naive(y, 3);
    assert.deepEqual(Array.from(f.point), [6, 6, 6]);
    const s = Math.sqrt((4 + 1 + 9 + 1 + 4) / 5); // differences 2, −1, 3, −1, 2
    [1, 2, 3].forEach((h, i) => close(f.sd[i], s * Math.sqrt(h)));
  });
  test('seasonal naive: last season repeated; sd = σ√(k+1)', () => {
    const f = seasonalNaive(y, 5, 2);
    assert.deepEqual(Array.from(f.point), [4, 6, 4, 6, 4]);
    const s = Math.sqrt((1 + 4 + 4 + 1) / 4); // y_t − y_{t−2}: 1, 2, 2, 1
    [1, 1, 2, 2, 3].forEach((k1, i) => close(f.sd[i], s * Math.sqrt(k1)));
  });
  test('drift: slope (y_T − y_1)/(T − 1) = 1; sd = σ√(h(1 + h/T))', () => {
    const f = drift(y, 2);
    assert.deepEqual(Array.from(f.point), [7, 8]);
    const s = Math.sqrt((1 + 4 + 4 + 4 + 1) / 5); // differences − 1: 1, −2, 2, −2, 1
    close(f.sd[0], s * Math.sqrt(1 * (1 + 1 / 6)));
    close(f.sd[1], s * Math.sqrt(2 * (1 + 2 / 6)));
  });
  test('seasonal naive + drift: mean seasonal difference c = 1.5 added per season ahead', () => {
    const f = seasonalNaiveDrift(y, 4, 2);
    assert.deepEqual(Array.from(f.point), [4 + 1.5, 6 + 1.5, 4 + 3, 6 + 3]);
    const s = Math.sqrt((0.25 + 0.25 + 0.25 + 0.25) / 4); // 1, 2, 2, 1 minus 1.5
    close(f.sd[0], s * Math.sqrt(1 * (1 + 1 / 4)));
    close(f.sd[2], s * Math.sqrt(2 * (1 + 2 / 4)));
  });
  test('too short a history falls back to a simpler method instead of failing', () => {
    assert.deepEqual(Array.from(baselineForecast('seasonalNaive', [5, 7], 2, 12).point), [7, 7]);
    assert.deepEqual(Array.from(baselineForecast('holtWinters', [5, 7], 2, 12).point), [7, 7]);
    assert.throws(() => naive([1, NaN], 2), /history\[1\] must be finite; received NaN/);
  });
});

describe('Holt-Winters', () => {
  test('recursions match a hand computation (m = 2, α = 0.5, β = 0.2, γ = 0.25)', () => {
    // y = 10, 14, 12, 16, 15, 18. Initial states from the first two seasons:
    //   mean(season 1) = 12, mean(season 2) = 14 → b = (14 − 12)/2 = 1; ℓ = 12 + 1·(2 − 1)/2 = 12.5
    //   s_0 = 10 − (12 + 1·(0 − 0.5)) = −1.5, s_1 = 14 − (12 + 0.5) = 1.5
    const y = [10, 14, 12, 16, 15, 18];
    const init = holtWintersInit(y, 2);
    close(init.level, 12.5);
    close(init.trend, 1);
    assert.deepEqual(Array.from(init.season), [-1.5, 1.5]);
    const p = { alpha: 0.5, beta: 0.2, gamma: 0.25 };
    // t = 2: e = 12 − (12.5 + 1 − 1.5) = 0 → ℓ = 13.5, b = 1, s_2 = −1.5
    // t = 3: e = 16 − (13.5 + 1 + 1.5) = 0 → ℓ = 14.5, b = 1, s_3 = 1.5
    // t = 4: e = 15 − (14.5 + 1 − 1.5) = 1 → ℓ = 16, b = 1.2, s_4 = −1.25
    // t = 5: e = 18 − (16 + 1.2 + 1.5) = −0.7 → ℓ = 16.85, b = 1.06, s_5 = 1.325
    const r = holtWintersFilter(y, 2, p, init);
    close(r.sse, 1 + 0.49);
    close(r.state.level, 16.85);
    close(r.state.trend, 1.06);
    assert.deepEqual(Array.from(r.state.season, (v) => Math.round(v * 1e9) / 1e9), [-1.25, 1.325]);
    const f = holtWintersForecast({ ...p, m: 2, level: r.state.level, trend: r.state.trend, season: r.state.season, sse: r.sse, n: r.n }, 3);
    close(f.point[0], 16.85 + 1.06 - 1.25);
    close(f.point[1], 16.85 + 2 * 1.06 + 1.325);
    close(f.point[2], 16.85 + 3 * 1.06 - 1.25);
    // sd: σ² = 1.49/4; h = 1: σ; h = 2: σ√(1 + c₁²), c₁ = α + β = 0.7; h = 3: c₂ = α + 2β + γ = 1.15
    const s = Math.sqrt(1.49 / 4);
    close(f.sd[0], s);
    close(f.sd[1], s * Math.sqrt(1 + 0.49));
    close(f.sd[2], s * Math.sqrt(1 + 0.49 + 1.15 ** 2));
  });

  test('a noiseless line plus a season is fitted and forecast exactly', () => {
    const pattern = [3, -1, 0, -2];
    const y = Array.from({ length: 40 }, (_, t) => 5 + 0.5 * t + pattern[t % 4]);
    const fit = fitHoltWinters(y, 4);
    assert.ok(fit.sse < 1e-12, `sse ${fit.sse}`);
    const f = holtWintersForecast(fit, 8);
    for (let h = 0; h < 8; h++) close(f.point[h], 5 + 0.5 * (40 + h) + pattern[(40 + h) % 4], 1e-6, `h=${h + 1}`);
  });

  test('the least-squares fit is at least as good as every point of a brute-force grid', () => {
    const rng = new Rng(3);
    let level = 20;
    const y = Array.from({ length: 72 }, (_, t) => ((level += rng.normal(0, 0.4)), level + 3 * Math.sin((2 * Math.PI * t) / 12) + rng.normal(0, 0.5)));
    const fit = fitHoltWinters(y, 12);
    const init = holtWintersInit(y, 12);
    let bestGrid = Infinity;
    for (let a = 1; a <= 9; a++) {
      for (let b = 1; b <= 9; b++) {
        for (let g = 1; g <= 9; g++) {
          const alpha = a / 10;
          const p = { alpha, beta: (alpha * b) / 10, gamma: ((1 - alpha) * g) / 10 };
          bestGrid = Math.min(bestGrid, holtWintersFilter(y, 12, p, init).sse);
        }
      }
    }
    assert.ok(fit.sse <= bestGrid + 1e-9, `fit SSE ${fit.sse} vs best grid SSE ${bestGrid}`);
    assert.ok(fit.alpha > 0 && fit.alpha < 1 && fit.beta >= 0 && fit.beta <= fit.alpha && fit.gamma >= 0 && fit.gamma <= 1 - fit.alpha);
  });

  test('the h-step sd formula matches a simulation of ETS(A,A,A) (20 000 paths, within 3%)', () => {
    const m = 4;
    const p = { alpha: 0.4, beta: 0.1, gamma: 0.3 };
    const sigma = 0.7;
    const fit = { ...p, m, level: 10, trend: 0.2, season: Float64Array.from([1, -1, 0.5, -0.5]), sse: sigma * sigma * 100, n: 100 };
    const H = 9;
    const f = holtWintersForecast(fit, H);
    const rng = new Rng(11);
    const N = 20000;
    const sum = new Float64Array(H);
    const sq = new Float64Array(H);
    for (let n = 0; n < N; n++) {
      let l = fit.level;
      let b = fit.trend;
      const s = Array.from(fit.season);
      for (let h = 0; h < H; h++) {
        const e = rng.normal(0, sigma);
        const yv = l + b + s[h % m] + e;
        sum[h] += yv;
        sq[h] += yv * yv;
        l = l + b + p.alpha * e;
        b = b + p.beta * e;
        s[h % m] += p.gamma * e;
      }
    }
    for (let h = 0; h < H; h++) {
      const mean = sum[h] / N;
      const sd = Math.sqrt(sq[h] / N - mean * mean);
      assert.ok(Math.abs(mean - f.point[h]) < 0.05 * f.sd[h], `h=${h + 1}: mean ${mean} vs ${f.point[h]}`);
      assert.ok(Math.abs(sd / f.sd[h] - 1) < 0.03, `h=${h + 1}: simulated sd ${sd} vs formula ${f.sd[h]}`);
    }
  });
});
