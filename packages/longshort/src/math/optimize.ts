// Nelder–Mead simplex minimisation of a function of a few unconstrained variables (no gradient
// needed), as used to fit Holt-Winters' smoothing parameters by least squares. Standard
// coefficients: reflection 1, expansion 2, contraction ½, shrink ½ (Lagarias et al. 1998).
// Stops when the simplex's function values span less than `ftol` (relative) and its vertices less
// than `xtol`, or after `maxIter` iterations. Deterministic.
// Left out: bounds (map constrained parameters through a sigmoid first), restarts.

import { ConfigError } from '../errors.js';

export interface NelderMeadOptions {
  /** Initial simplex edge along each axis; default 0.5. */
  step?: number;
  maxIter?: number;
  ftol?: number;
  xtol?: number;
}

export interface NelderMeadResult {
  x: number[];
  f: number;
  iterations: number;
}

export function nelderMead(f: (x: readonly number[]) => number, x0: readonly number[], o: NelderMeadOptions = {}): NelderMeadResult {
  const n = x0.length;
  if (n < 1) throw new ConfigError('[nelderMead] x0 must have at least one variable; received none.');
  const step = o.step ?? 0.5;
  const maxIter = o.maxIter ?? 200 * n;
  const ftol = o.ftol ?? 1e-10;
  const xtol = o.xtol ?? 1e-8;
  // A NaN objective counts as +∞, so the simplex walks away from it.
  const F = (x: readonly number[]): number => {
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  let pts: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] += step;
    pts.push(p);
  }
  let vals = pts.map(F);
  let it = 0;
  for (; it < maxIter; it++) {
    const order = vals.map((_, k) => k).sort((a, b) => vals[a] - vals[b]);
    pts = order.map((k) => pts[k]);
    vals = order.map((k) => vals[k]);
    const spanF = Math.abs(vals[n] - vals[0]);
    let spanX = 0;
    for (let k = 1; k <= n; k++) for (let j = 0; j < n; j++) spanX = Math.max(spanX, Math.abs(pts[k][j] - pts[0][j]));
    if (spanF <= ftol * (Math.abs(vals[0]) + 1e-30) && spanX <= xtol) break;
    const c = new Array<number>(n).fill(0); // centroid of all but the worst
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) c[j] += pts[k][j] / n;
    const at = (t: number): number[] => c.map((cj, j) => cj + t * (pts[n][j] - cj));
    const xr = at(-1);
    const fr = F(xr);
    if (fr < vals[0]) {
      const xe = at(-2);
      const fe = F(xe);
      if (fe < fr) [pts[n], vals[n]] = [xe, fe];
      else [pts[n], vals[n]] = [xr, fr];
      continue;
    }
    if (fr < vals[n - 1]) {
      [pts[n], vals[n]] = [xr, fr];
      continue;
    }
    const outside = fr < vals[n];
    const xc = at(outside ? -0.5 : 0.5);
    const fc = F(xc);
    if (fc < (outside ? fr : vals[n])) {
      [pts[n], vals[n]] = [xc, fc];
      continue;
    }
    for (let k = 1; k <= n; k++) {
      pts[k] = pts[k].map((v, j) => pts[0][j] + 0.5 * (v - pts[0][j]));
      vals[k] = F(pts[k]);
    }
  }
  let best = 0;
  for (let k = 1; k <= n; k++) if (vals[k] < vals[best]) best = k;
  return { x: pts[best], f: vals[best], iterations: it };
}
