// WebAssembly layer normalisation over the last dimension, forward and backward, with the
// semantics of src/kernels/ref/layernorm.ts (read its header): biased variance, two passes, and
// backward ADDING into dx, dw, db. The row sums are accumulated in float64 (two lanes at a time),
// as the reference's JavaScript numbers are, so the two differ only by the float32 rounding of
// the element-wise steps.
//
// dim key: M rows, C normalised features.

import { ldN, stN } from './simd';

// @ts-ignore: decorator
@inline function f4(i: i32): usize {
  return <usize>i << 2;
}

/** Σ of C floats at p, in float64. */
function sum64(p: usize, C: i32): f64 {
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const v = v128.load(p + f4(c));
    a = f64x2.add(a, f64x2.promote_low_f32x4(v));
    b = f64x2.add(b, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
  }
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1) + f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1);
  for (; c < C; c++) s += <f64>load<f32>(p + f4(c));
  return s;
}

/** y (M, C), mean (M), rstd (M) from x (M, C); w, b (C) or 0 (no affine). */
export function layerNormForward(y: usize, mean: usize, rstd: usize, x: usize, w: usize, b: usize, M: i32, C: i32, eps: f64): void {
  for (let m = 0; m < M; m++) {
    const xm = x + f4(m * C);
    const ym = y + f4(m * C);
    const mu = sum64(xm, C) / <f64>C;
    // two passes (mean first, then squared deviations): no cancellation of E[x²] − E[x]²
    let v: f64 = 0;
    for (let c = 0; c < C; c++) {
      const d = <f64>load<f32>(xm + f4(c)) - mu;
      v += d * d;
    }
    const r = 1 / Math.sqrt(v / <f64>C + eps);
    store<f32>(mean + f4(m), <f32>mu);
    store<f32>(rstd + f4(m), <f32>r);
    const muv = f32x4.splat(<f32>mu);
    const rv = f32x4.splat(<f32>r);
    for (let c = 0; c < C; c += 4) {
      const n = min(4, C - c);
      let xhat = f32x4.mul(f32x4.sub(ldN(xm + f4(c), n), muv), rv);
      if (w != 0) xhat = f32x4.mul(xhat, ldN(w + f4(c), n));
      if (b != 0) xhat = f32x4.add(xhat, ldN(b + f4(c), n));
      stN(ym + f4(c), xhat, n);
    }
  }
}

/** dx (M, C), dw, db (C) or 0 — all ADDED to — from dy, x, the forward's mean and rstd, w (C) or 0. */
export function layerNormBackward(dx: usize, dw: usize, db: usize, dy: usize, x: usize, mean: usize, rstd: usize, w: usize, M: i32, C: i32): void {
  for (let m = 0; m < M; m++) {
    const o = f4(m * C);
    const mu = load<f32>(mean + f4(m));
    const r = load<f32>(rstd + f4(m));
    // forward: y = x̂ ⊙ w + b  →  dL/dx̂ = dy ⊙ w; the two row means backward needs, in float64
    let meanG: f64 = 0;
    let meanGX: f64 = 0;
    for (let c = 0; c < C; c++) {
      const xhat = (load<f32>(x + o + f4(c)) - mu) * r;
      const g0 = load<f32>(dy + o + f4(c));
      const g = w != 0 ? g0 * load<f32>(w + f4(c)) : g0;
      meanG += <f64>g;
      meanGX += <f64>g * <f64>xhat;
      if (dw != 0) store<f32>(dw + f4(c), load<f32>(dw + f4(c)) + g0 * xhat);
      if (db != 0) store<f32>(db + f4(c), load<f32>(db + f4(c)) + g0);
    }
    const mg = <f32>(meanG / <f64>C);
    const mgx = <f32>(meanGX / <f64>C);
    // forward: x̂ = (x − mean(x)) · rstd(x)  →  dL/dx = rstd · (dL/dx̂ − mean(dL/dx̂) − x̂ · mean(dL/dx̂ · x̂))
    const muv = f32x4.splat(mu);
    const rv = f32x4.splat(r);
    const mgv = f32x4.splat(mg);
    const mgxv = f32x4.splat(mgx);
    for (let c = 0; c < C; c += 4) {
      const n = min(4, C - c);
      const xhat = f32x4.mul(f32x4.sub(ldN(x + o + f4(c), n), muv), rv);
      let g = ldN(dy + o + f4(c), n);
      if (w != 0) g = f32x4.mul(g, ldN(w + f4(c), n));
      const d = f32x4.mul(rv, f32x4.sub(f32x4.sub(g, mgv), f32x4.mul(xhat, mgxv)));
      stN(dx + o + f4(c), f32x4.add(ldN(dx + o + f4(c), n), d), n);
    }
  }
}

