// WebAssembly kernels of the fully connected layer and the standalone activations, beside the
// matrix product (asm/gemm.ts): bias + activation in one pass after y = x·Wᵀ, the activations'
// backward, and the bias gradient. Same semantics as src/kernels/ref/dense.ts (read its header);
// float32 SIMD, so results differ from the reference in the last bits (softmax sums in float32).
//
// dim key: M rows, O features (the last dimension). Activation codes in DENSE_ACTIVATIONS order:
// 0 linear, 1 relu, 2 tanh, 3 sigmoid, 4 softmax (over each row of O).

import { expNeg, sigmoid4, tanh4 } from './activations';
import { ldN, stN } from './simd';

const LINEAR = 0;
const RELU = 1;
const TANH = 2;
const SIGMOID = 3;
const SOFTMAX = 4;

// @ts-ignore: decorator
@inline function f4(i: i32): usize {
  return <usize>i << 2;
}

/** Horizontal sum / maximum of 4 lanes. */
// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Element-wise activation of one vector (not softmax). */
// @ts-ignore: decorator
@inline function actEl(act: i32, v: v128): v128 {
  if (act == RELU) return v128.and(v, f32x4.gt(v, f32x4.splat(0))); // NaN → 0, like the reference's comparison
  if (act == TANH) return tanh4(v);
  if (act == SIGMOID) return sigmoid4(v);
  return v;
}

/** Softmax of one row of O floats in place (the row maximum is subtracted first: exp never overflows). */
function softmaxRow(p: usize, O: i32): void {
  let mv = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= O; j += 4) mv = f32x4.max(mv, v128.load(p + f4(j)));
  let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; j < O; j++) m = max(m, load<f32>(p + f4(j)));
  const ms = f32x4.splat(m);
  let sv = f32x4.splat(0);
  for (j = 0; j < O; j += 4) {
    const n = min(4, O - j);
    let e = expNeg(f32x4.sub(ldN(p + f4(j), n), ms));
    stN(p + f4(j), e, n);
    if (n < 4) e = v128.and(e, i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(n))); // lanes past the row add nothing
    sv = f32x4.add(sv, e);
  }
  const inv = f32x4.splat(1 / hsum(sv));
  for (j = 0; j < O; j += 4) {
    const n = min(4, O - j);
    stN(p + f4(j), f32x4.mul(ldN(p + f4(j), n), inv), n);
  }
}

/** y (M, O) ← act(x + b) row by row; b (O) or 0; y may be x (in place). */
export function biasAct(y: usize, x: usize, b: usize, M: i32, O: i32, act: i32): void {
  for (let m = 0; m < M; m++) {
    const xr = x + f4(m * O);
    const yr = y + f4(m * O);
    for (let j = 0; j < O; j += 4) {
      const n = min(4, O - j);
      let v = ldN(xr + f4(j), n);
      if (b != 0) v = f32x4.add(v, ldN(b + f4(j), n));
      stN(yr + f4(j), act == SOFTMAX ? v : actEl(act, v), n);
    }
    if (act == SOFTMAX) softmaxRow(yr, O);
  }
}

/** dx (M, O) += dy ⊙ act'(x) written through the forward output y (softmax: y ⊙ (dy − Σ dy ⊙ y) per row). */
export function actBackward(dx: usize, dy: usize, y: usize, M: i32, O: i32, act: i32): void {
  const one = f32x4.splat(1);
  for (let m = 0; m < M; m++) {
    const o = f4(m * O);
    let dot = f32x4.splat(0);
    if (act == SOFTMAX) {
      let s: f32 = 0;
      let j = 0;
      for (; j + 4 <= O; j += 4) dot = f32x4.add(dot, f32x4.mul(v128.load(dy + o + f4(j)), v128.load(y + o + f4(j))));
      s = hsum(dot);
      for (; j < O; j++) s += load<f32>(dy + o + f4(j)) * load<f32>(y + o + f4(j));
      dot = f32x4.splat(s);
    }
    for (let j = 0; j < O; j += 4) {
      const n = min(4, O - j);
      const g = ldN(dy + o + f4(j), n);
      const yv = ldN(y + o + f4(j), n);
      let d: v128;
      if (act == LINEAR) d = g;
      else if (act == RELU) d = v128.and(g, f32x4.gt(yv, f32x4.splat(0))); // y > 0: the subgradient at 0 is 0
      else if (act == TANH) d = f32x4.mul(g, f32x4.sub(one, f32x4.mul(yv, yv))); // 1 − y²
      else if (act == SIGMOID) d = f32x4.mul(g, f32x4.mul(yv, f32x4.sub(one, yv))); // y(1 − y)
      else d = f32x4.mul(yv, f32x4.sub(g, dot));
      stN(dx + o + f4(j), f32x4.add(ldN(dx + o + f4(j), n), d), n);
    }
  }
}

/** db (O) += Σ_m dz[m, :]. */
export function colSumAdd(db: usize, dz: usize, M: i32, O: i32): void {
  for (let j = 0; j < O; j += 4) {
    const n = min(4, O - j);
    let s = f32x4.splat(0);
    for (let m = 0; m < M; m++) s = f32x4.add(s, ldN(dz + f4(m * O + j), n));
    stN(db + f4(j), f32x4.add(ldN(db + f4(j), n), s), n);
  }
}
