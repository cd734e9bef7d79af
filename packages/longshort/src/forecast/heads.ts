// From the network's raw outputs to forecasts in the data's units: quantiles at every level a
// report needs, a point forecast (the median), and sample paths for the distribution heads.
//   quantile head   the Q outputs per step, sorted (so quantiles never cross), then a + s·v
//   Gaussian        y = a + s·(μ + σ z_τ), z_τ = Φ⁻¹(τ); samples a + s·(μ + σ ε), ε ~ N(0, 1)
//   neg. binomial   μ = ν softplus(a), α = softplus(b)/√ν; samples λ ~ Gamma(r, μ/r), y ~ Poisson(λ)
//                   (r = 1/α); quantiles are the samples' empirical quantiles
// Levels: the deciles 0.1 … 0.9 (for wQL and CRPS), 0.5 and both ends of every interval; the
// quantile head is trained on exactly these.
// Samples are drawn independently per step (see src/forecast/model.ts), from a seeded Rng.

import { ConfigError } from '../errors.js';
import { gaussianSigma, negBinParams } from '../losses/distribution.js';
import { gammaVariate, normalQuantile, poissonVariate } from '../math/special.js';
import { Rng } from '../util/rng.js';
import { inverse, type HeadKind, type Transform } from './windows.js';

/** The quantile levels 0.1 … 0.9 that every forecast report includes. */
export const DECILES: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Rounds a level to 6 decimals, so 0.1 + 0.8 style arithmetic matches the decile 0.9. */
function tidy(q: number): number {
  return Math.round(q * 1e6) / 1e6;
}

/** Interval coverages (e.g. [0.8, 0.95]) → the sorted quantile levels a report needs. */
export function reportLevels(intervals: readonly number[]): number[] {
  const set = new Set<number>(DECILES);
  for (const c of intervals) {
    if (!(c > 0 && c < 1)) throw new ConfigError(`[forecast] interval coverages must lie in (0, 1), e.g. 0.8 for an 80% interval; received ${c}.`);
    set.add(tidy((1 - c) / 2));
    set.add(tidy((1 + c) / 2));
  }
  return [...set].sort((a, b) => a - b);
}

/** Index of a level in a sorted list (within 1e-9), or −1. */
export function levelIndex(levels: readonly number[], q: number): number {
  return levels.findIndex((l) => Math.abs(l - q) < 1e-9);
}

/** One forecast of H steps. */
export interface Forecast {
  /** (H) the median. */
  point: Float64Array;
  /** Levels, ascending. */
  levels: number[];
  /** One (H) array per level. */
  quantiles: Float64Array[];
  /** (numSamples, H) sample paths, for the distribution heads when asked for. */
  samples: Float64Array | null;
}

/** Lower and upper bound of the central interval with coverage c. */
export function interval(f: Forecast, c: number): [Float64Array, Float64Array] {
  const lo = levelIndex(f.levels, tidy((1 - c) / 2));
  const hi = levelIndex(f.levels, tidy((1 + c) / 2));
  if (lo < 0 || hi < 0) throw new ConfigError(`[forecast] the forecast has no ${Math.round(c * 100)}% interval; its levels are ${f.levels.join(', ')}.`);
  return [f.quantiles[lo], f.quantiles[hi]];
}

/** Empirical quantile (linear interpolation between order statistics, numpy's default) of sorted values. */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** How decodeForecasts() turns the network's outputs into forecasts. */
export interface HeadDecodeOptions {
  /** The head that produced the outputs. */
  head: HeadKind;
  /** The quantile head's trained levels (ascending). */
  headLevels: readonly number[];
  /** Levels wanted in the forecasts (ascending). */
  levels: readonly number[];
  /** H: steps per forecast. */
  horizon: number;
  /** Sample paths per forecast for the distribution heads (0 = none; the negative binomial needs some for its quantiles, default 500). */
  numSamples?: number;
  /** Keep the sample paths in Forecast.samples. Default false. */
  keepSamples?: boolean;
  /** Seed of the sample paths. Default 0. */
  seed?: number;
  /** The model's transform: its outputs are mapped back through the inverse (quantiles and samples stay in order). */
  transform?: Transform;
}

/** Decodes predictRaw's (N, H, P) outputs into N forecasts; `offset` (N, H) is added before the inverse transform. */
export function decodeForecasts(raw: Float32Array, anchor: Float64Array, scale: Float64Array, o: HeadDecodeOptions, offset?: Float64Array): Forecast[] {
  const list = decodeTransformed(raw, anchor, scale, o);
  if (offset !== undefined) {
    const H = o.horizon;
    list.forEach((f, n) => {
      for (let k = 0; k < H; k++) {
        const d = offset[n * H + k];
        if (d === 0) continue;
        for (const q of f.quantiles) q[k] += d;
        f.point[k] += d;
        if (f.samples !== null) for (let s = 0; s < f.samples.length / H; s++) f.samples[s * H + k] += d;
      }
    });
  }
  const tf = o.transform ?? 'none';
  if (tf === 'none') return list;
  for (const f of list) {
    for (const q of f.quantiles) for (let k = 0; k < q.length; k++) q[k] = inverse(tf, q[k]);
    for (let k = 0; k < f.point.length; k++) f.point[k] = inverse(tf, f.point[k]);
    if (f.samples !== null) for (let k = 0; k < f.samples.length; k++) f.samples[k] = inverse(tf, f.samples[k]);
  }
  return list;
}

function decodeTransformed(raw: Float32Array, anchor: Float64Array, scale: Float64Array, o: HeadDecodeOptions): Forecast[] {
  const H = o.horizon;
  const N = anchor.length;
  const levels = [...o.levels];
  const rng = new Rng(o.seed ?? 0);
  const out: Forecast[] = [];
  if (o.head === 'quantile') {
    const P = o.headLevels.length;
    const idx = levels.map((q) => levelIndex(o.headLevels, q));
    const missing = levels.filter((_, k) => idx[k] < 0);
    if (missing.length > 0) throw new ConfigError(`[forecast] the quantile head was trained on levels ${o.headLevels.join(', ')}; it cannot give ${missing.join(', ')}.`);
    const v = new Float64Array(P);
    for (let n = 0; n < N; n++) {
      const quantiles = levels.map(() => new Float64Array(H));
      for (let k = 0; k < H; k++) {
        for (let j = 0; j < P; j++) v[j] = raw[(n * H + k) * P + j];
        v.sort();
        levels.forEach((_, li) => (quantiles[li][k] = anchor[n] + scale[n] * v[idx[li]]));
      }
      out.push({ point: medianOf(levels, quantiles, H), levels, quantiles, samples: null });
    }
    return out;
  }
  const S = o.head === 'negbin' ? Math.max(o.numSamples ?? 500, 1) : Math.max(o.numSamples ?? 0, 0);
  const z = levels.map(normalQuantile);
  const col = new Float64Array(S);
  for (let n = 0; n < N; n++) {
    const quantiles = levels.map(() => new Float64Array(H));
    const samples = S > 0 && (o.keepSamples ?? false) ? new Float64Array(S * H) : null;
    for (let k = 0; k < H; k++) {
      const p0 = raw[(n * H + k) * 2];
      const p1 = raw[(n * H + k) * 2 + 1];
      if (o.head === 'gaussian') {
        const sigma = gaussianSigma(p1);
        levels.forEach((_, li) => (quantiles[li][k] = anchor[n] + scale[n] * (p0 + sigma * z[li])));
        if (samples !== null) for (let s = 0; s < S; s++) samples[s * H + k] = anchor[n] + scale[n] * (p0 + sigma * rng.normal());
      } else {
        const { mean, alpha } = negBinParams(p0, p1, scale[n]);
        const r = 1 / alpha;
        for (let s = 0; s < S; s++) col[s] = poissonVariate(gammaVariate(r, rng) * (mean / r), rng);
        if (samples !== null) for (let s = 0; s < S; s++) samples[s * H + k] = col[s];
        const sorted = col.slice().sort();
        levels.forEach((q, li) => (quantiles[li][k] = sortedQuantile(sorted, q)));
      }
    }
    out.push({ point: medianOf(levels, quantiles, H), levels, quantiles, samples });
  }
  return out;
}

function medianOf(levels: readonly number[], quantiles: Float64Array[], H: number): Float64Array {
  const m = levelIndex(levels, 0.5);
  return m >= 0 ? quantiles[m].slice() : new Float64Array(H).fill(NaN);
}

/** A forecast from a point forecast and a Gaussian error sd per step (the baselines). */
export function gaussianForecast(point: Float64Array, sd: Float64Array, levels: readonly number[]): Forecast {
  const z = levels.map(normalQuantile);
  return { point: point.slice(), levels: [...levels], quantiles: z.map((zq) => Float64Array.from(point, (p, k) => p + sd[k] * zq)), samples: null };
}
