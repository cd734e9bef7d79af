// Special functions and random variates that the probabilistic forecasting heads need, in float64:
//   lgamma(x)      log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15)
//   digamma(x)     ψ(x) = d/dx log Γ(x) for x > 0 (recurrence up to x ≥ 10, then the asymptotic series)
//   softplus(x)    log(1 + eˣ) without overflow;  sigmoid(x) = 1 / (1 + e⁻ˣ), its derivative
//   normalQuantile(p)  Φ⁻¹(p) (Acklam's rational approximation, relative error < 1.2e-9)
//   gammaVariate(k, rng)     Gamma(shape k, scale 1) (Marsaglia & Tsang 2000; k < 1 by boosting)
//   poissonVariate(λ, rng)   Poisson(λ): inversion by multiplication for λ < 10, Hörmann's PTRS
//                            transformed rejection (1993) above
// Browser-safe; every variate draws from the caller's seeded Rng, so results repeat.
// Left out: lgamma of negative arguments (reflection), incomplete gamma/beta functions.

import { ConfigError } from '../errors.js';
import type { Rng } from '../util/rng.js';

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log Γ(x) for x > 0. */
export function lgamma(x: number): number {
  if (!(x > 0)) throw new ConfigError(`[lgamma] x must be > 0; received ${x}.`);
  if (x < 0.5) {
    // Γ(x) = Γ(x + 1) / x keeps the series in its accurate range.
    return lgamma(x + 1) - Math.log(x);
  }
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let k = 1; k < LANCZOS.length; k++) a += LANCZOS[k] / (z + k);
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ψ(x) for x > 0. */
export function digamma(x: number): number {
  if (!(x > 0)) throw new ConfigError(`[digamma] x must be > 0; received ${x}.`);
  let r = 0;
  // ψ(x) = ψ(x + 1) − 1/x until the asymptotic series is accurate.
  while (x < 10) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  // ψ(x) ~ ln x − 1/(2x) − 1/(12x²) + 1/(120x⁴) − 1/(252x⁶) + 1/(240x⁸) − 1/(132x¹⁰)
  const tail = f * (-1 / 12 + f * (1 / 120 + f * (-1 / 252 + f * (1 / 240 + f * (-1 / 132)))));
  return r + Math.log(x) - 0.5 / x + tail;
}

/** log(1 + eˣ), exact to double precision for any x. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** 1 / (1 + e⁻ˣ) = d softplus / dx. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** The inverse of softplus: log(eʸ − 1) for y > 0 (used to start a head at a chosen value). */
export function softplusInverse(y: number): number {
  if (!(y > 0)) throw new ConfigError(`[softplusInverse] y must be > 0; received ${y}.`);
  return y > 30 ? y + Math.log1p(-Math.exp(-y)) : Math.log(Math.expm1(y));
}

// Acklam's coefficients: a rational function in the central region, another in q = sqrt(−2 log p) in the tails.
const NQ_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const NQ_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const NQ_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const NQ_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const NQ_LOW = 0.02425;

/** Φ⁻¹(p): the standard normal quantile, 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new ConfigError(`[normalQuantile] p must lie in (0, 1); received ${p}.`);
  if (p < NQ_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return tail(q);
  }
  if (p > 1 - NQ_LOW) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -tail(q);
  }
  const q = p - 0.5;
  const r = q * q;
  const [a0, a1, a2, a3, a4, a5] = NQ_A;
  const [b0, b1, b2, b3, b4] = NQ_B;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

function tail(q: number): number {
  const [c0, c1, c2, c3, c4, c5] = NQ_C;
  const [d0, d1, d2, d3] = NQ_D;
  return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
}

/** Gamma(shape k, scale 1) variate, k > 0. */
export function gammaVariate(k: number, rng: Rng): number {
  if (!(k > 0 && Number.isFinite(k))) throw new ConfigError(`[gammaVariate] shape must be a finite number > 0; received ${k}.`);
  if (k < 1) {
    // Gamma(k) = Gamma(k + 1) · U^(1/k)
    let u = 0;
    while (u === 0) u = rng.next();
    return gammaVariate(k + 1, rng) * Math.pow(u, 1 / k);
  }
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Poisson(λ) variate, λ ≥ 0. */
export function poissonVariate(lambda: number, rng: Rng): number {
  if (!(lambda >= 0 && Number.isFinite(lambda))) throw new ConfigError(`[poissonVariate] λ must be a finite number ≥ 0; received ${lambda}.`);
  if (lambda === 0) return 0;
  if (lambda < 10) {
    // Count uniforms until their product falls below e^−λ.
    const limit = Math.exp(-lambda);
    let k = 0;
    let prod = rng.next();
    while (prod > limit) {
      k++;
      prod *= rng.next();
    }
    return k;
  }
  // PTRS: W. Hörmann, "The transformed rejection method for generating Poisson random variables" (1993).
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = rng.next() - 0.5;
    const V = rng.next();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - lgamma(k + 1)) return k;
  }
}
