// Vectorised activation functions (4 lanes of f32) for the WebAssembly LSTM kernel, and their
// derivatives written through the output y = f(x), as in src/kernels/activations.ts.
// Codes: 0 sigmoid, 1 tanh, 2 relu, 3 identity, 4 hardSigmoid (same order as ACTIVATIONS).
//
// Accuracy (measured by test/kernels/wasm.activations.test.ts against Math.exp/Math.tanh in
// float64 over a dense sweep): sigmoid and tanh within a few float32 ulps wherever the result is
// a normal float; results below 2^-126 (sigmoid(x) for x < −87.3) are subnormal and carry an
// absolute error below 2^-149. ±Infinity give the limits, NaN stays NaN, and no input overflows.
//
// How: exp on x ≤ 0 and expm1 on y ∈ [0, 18] share one polynomial. x = n·ln2 + r with
// |r| ≤ ln2/2 (ln2 split in two parts so n·LN2_HI is exact, Cody–Waite), expm1(r) = r + r²·q(r)
// with q of degree 4 fitted to (e^r − 1 − r)/r² by weighted least squares on Chebyshev nodes
// (relative error of e^r below 3.1e-8, about half a float32 ulp, when evaluated in float32;
// coefficients computed for this project), then scaling by 2^n built from the exponent bits — as
// 2^(n+64) times the constant 2^−64, so subnormal results (n down to −150) come out right.
// Horner steps use madd (fused in the relaxed-SIMD build).
// What it leaves out: exp of large positive numbers — the callers never need it.

import { madd } from './simd';

const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693359375; // 355/512: 9 significant bits, so n·LN2_HI is exact for |n| < 2^15
const LN2_LO: f32 = -2.12194440e-4; // ln2 − LN2_HI
const TWO_M64: f32 = 5.421010862427522e-20; // 2^−64, exact

// q(r) ≈ (e^r − 1 − r)/r² on |r| ≤ ln2/2
const Q0: f32 = 0.499999881;
const Q1: f32 = 0.166665182;
const Q2: f32 = 0.0416695327;
const Q3: f32 = 0.00836891588;
const Q4: f32 = 0.00137514074;

/** expm1(r) for |r| ≤ ln2/2. */
// @ts-ignore: decorator
@inline function expm1Core(r: v128): v128 {
  let p = madd(f32x4.splat(Q4), r, f32x4.splat(Q3));
  p = madd(p, r, f32x4.splat(Q2));
  p = madd(p, r, f32x4.splat(Q1));
  p = madd(p, r, f32x4.splat(Q0));
  // r + r²·p: the leading term is added last so it is not rounded away
  return madd(f32x4.mul(r, r), p, r);
}

/** 2^n for integer-valued n ∈ [−126, 127] (as f32 lanes), built from exponent bits. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  const ni = i32x4.trunc_sat_f32x4_s(n);
  return i32x4.shl(i32x4.add(ni, i32x4.splat(127)), 23);
}

/** e^x for x ≤ 0 (inputs above 0 are not supported); x < −104 gives 0, NaN gives NaN. */
// @ts-ignore: decorator
@inline export function expNeg(x: v128): v128 {
  x = f32x4.max(x, f32x4.splat(-104)); // e^-104 < 2^-150: rounds to 0 anyway
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E))); // n ∈ [−150, 0]
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  const m = f32x4.add(expm1Core(r), f32x4.splat(1)); // e^r ∈ [0.7, 1.42]
  // 2^n = 2^(n+64) · 2^−64: the first factor stays normal down to n = −150 and scales m exactly;
  // the second multiply rounds once, so subnormal results come out correctly rounded
  return f32x4.mul(f32x4.mul(m, pow2(f32x4.add(n, f32x4.splat(64)))), f32x4.splat(TWO_M64));
}

/** e^y − 1 for y ∈ [0, 18] (the caller clamps). */
// @ts-ignore: decorator
@inline function expm1Pos(y: v128): v128 {
  const n = f32x4.nearest(f32x4.mul(y, f32x4.splat(LOG2E))); // n ∈ [0, 26]
  const r = f32x4.sub(f32x4.sub(y, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  const s = pow2(n);
  // e^y − 1 = 2^n·expm1(r) + (2^n − 1); for n = 0 this is expm1(r) itself, exact near 0
  return f32x4.add(f32x4.mul(s, expm1Core(r)), f32x4.sub(s, f32x4.splat(1)));
}

const SIGN: v128 = i32x4(0x80000000, 0x80000000, 0x80000000, 0x80000000);

/** σ(x) = 1/(1+e^−x) for x ≥ 0, e^x/(1+e^x) for x < 0: never exp of a positive number. */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const e = expNeg(v128.or(x, SIGN)); // e^−|x| ∈ [0, 1]
  const s = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  // lanes with x < 0 take e·s; x ≥ 0 (and NaN, where e is NaN anyway) take s
  return v128.bitselect(f32x4.mul(e, s), s, f32x4.lt(x, f32x4.splat(0)));
}

/** tanh(x) = sign(x)·em/(em+2), em = expm1(2|x|); |x| clamped to 9 where tanh rounds to 1. */
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const ax = f32x4.min(f32x4.abs(x), f32x4.splat(9)); // min keeps NaN
  const em = expm1Pos(f32x4.add(ax, ax));
  const t = f32x4.div(em, f32x4.add(em, f32x4.splat(2)));
  return v128.or(t, v128.and(x, SIGN)); // t ≥ 0: copy the sign of x (tanh(−0) = −0)
}

// @ts-ignore: decorator
@inline export function act4(code: i32, x: v128): v128 {
  switch (code) {
    case 0: return sigmoid4(x);
    case 1: return tanh4(x);
    case 2: return v128.and(x, f32x4.gt(x, f32x4.splat(0))); // x > 0 ? x : 0, so NaN → 0 like the reference
    case 3: return x;
    default: // hardSigmoid: max(0, min(1, 0.2x + 0.5))
      return f32x4.max(f32x4.splat(0), f32x4.min(f32x4.splat(1), f32x4.add(f32x4.mul(x, f32x4.splat(0.2)), f32x4.splat(0.5))));
  }
}

/** f'(x) written through y = f(x). */
// @ts-ignore: decorator
@inline export function dact4(code: i32, y: v128): v128 {
  const one = f32x4.splat(1);
  switch (code) {
    case 0: return f32x4.mul(y, f32x4.sub(one, y));
    case 1: return f32x4.sub(one, f32x4.mul(y, y));
    case 2: return v128.and(f32x4.gt(y, f32x4.splat(0)), one);
    case 3: return one;
    default: // hardSigmoid: 0.2 inside (0, 1), else 0
      return v128.and(v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.lt(y, one)), f32x4.splat(0.2));
  }
}

// Entry points for the accuracy tests: y[i] = f(x[i]) over n floats.
export function actArray(code: i32, y: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), act4(code, v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) {
    const v = act4(code, f32x4.splat(load<f32>(x + (<usize>i << 2))));
    store<f32>(y + (<usize>i << 2), f32x4.extract_lane(v, 0));
  }
}
