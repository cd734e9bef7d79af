// Special functions and variates: lgamma, digamma and the normal quantile against values from
// Python's math.lgamma / statistics.NormalDist (copied below), digamma against central differences
// of lgamma, and the Gamma / Poisson variates' sample moments with a fixed seed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { digamma, gammaVariate, lgamma, normalQuantile, poissonVariate, softplus, softplusInverse } from '../../src/math/special.js';
import { Rng } from '../../src/util/rng.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe('special functions', () => {
  test('lgamma matches Python math.lgamma', () => {
    const ref: [number, number][] = [
      [0.1, 2.2527126517342055],
      [0.5, 0.5723649429247004],
      [1, 0],
      [2.5, 0.2846828704729196],
      [7, 6.579251212010102],
      [30, 71.257038967168],
      [1234.5, 7550.550901077896],
    ];
    for (const [x, v] of ref) assert.ok(rel(lgamma(x), v) < 1e-14, `lgamma(${x}) = ${lgamma(x)}, expected ${v}`);
  });

  test('digamma is the derivative of lgamma; ψ(1) = −γ', () => {
    assert.ok(Math.abs(digamma(1) + 0.5772156649015329) < 1e-13);
    for (const x of [0.05, 0.7, 3, 11.5, 250]) {
      const h = 1e-5 * Math.max(1, x);
      const fd = (lgamma(x + h) - lgamma(x - h)) / (2 * h);
      assert.ok(Math.abs(fd - digamma(x)) < 1e-7 * Math.max(1, Math.abs(fd)), `x=${x}`);
    }
  });

  test('normalQuantile matches statistics.NormalDist().inv_cdf to 1e-8', () => {
    const ref: [number, number][] = [
      [1e-6, -4.753424308822899],
      [0.025, -1.9599639845400538],
      [0.1, -1.2815515655446008],
      [0.5, 0],
      [0.8, 0.8416212335729144],
      [0.975, 1.9599639845400536],
      [0.999, 3.090232306167813],
    ];
    for (const [p, v] of ref) assert.ok(Math.abs(normalQuantile(p) - v) < 1e-8, `p=${p}: ${normalQuantile(p)} vs ${v}`);
    assert.throws(() => normalQuantile(1), /p must lie in \(0, 1\); received 1/);
  });

  test('softplus and its inverse', () => {
    for (const y of [1e-6, 0.3, 2, 45]) assert.ok(rel(softplus(softplusInverse(y)), y) < 1e-12);
    assert.equal(softplus(1000), 1000);
    assert.ok(softplus(-800) >= 0);
  });
});

describe('variates (fixed seed, 100k draws: mean and variance within 3%)', () => {
  const moments = (draw: () => number, n = 100_000): [number, number] => {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = draw();
      s += v;
      s2 += v * v;
    }
    return [s / n, s2 / n - (s / n) ** 2];
  };
  test('Poisson: mean = variance = λ on both sides of the method switch', () => {
    const rng = new Rng(4);
    for (const lam of [0.5, 6, 10, 75, 2000]) {
      const [m, v] = moments(() => poissonVariate(lam, rng));
      assert.ok(Math.abs(m - lam) < 0.03 * lam, `λ=${lam}: mean ${m}`);
      assert.ok(Math.abs(v - lam) < 0.03 * lam + 0.01, `λ=${lam}: variance ${v}`);
    }
  });
  test('Gamma(k): mean = variance = k, including k < 1', () => {
    const rng = new Rng(5);
    for (const k of [0.25, 1, 3.5, 60]) {
      const [m, v] = moments(() => gammaVariate(k, rng));
      assert.ok(Math.abs(m - k) < 0.03 * k, `k=${k}: mean ${m}`);
      assert.ok(Math.abs(v - k) < 0.05 * k, `k=${k}: variance ${v}`);
    }
  });
});
