// Shared SIMD helpers for the WebAssembly kernels: the multiply-add that the two build variants
// differ in, and loads/stores of a partial vector for row tails (H, N not multiples of 4).
// The relaxed build (--enable relaxed-simd) turns madd into one fused multiply-add instruction;
// the plain build keeps separate mul + add, so the two variants differ in the last bits.

/** a·b + c, lane-wise (fused in the relaxed-SIMD build). */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Load n ∈ [1, 4] consecutive floats; unused lanes are 0. */
// @ts-ignore: decorator
@inline export function ldN(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Store the first n ∈ [1, 4] lanes of v. */
// @ts-ignore: decorator
@inline export function stN(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
