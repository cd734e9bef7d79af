// One vector type for every instruction set the native kernel is built for, written with GCC/Clang
// vector extensions so that the kernels' source is the same for all of them: kernels.c is compiled
// once per target (build.mjs), and LS_ISA picks the width here.
//
//   LS_ISA_AVX512  16 floats (zmm)   x86-64 with AVX-512 F/DQ/BW/VL and FMA, chosen at run time
//   LS_ISA_AVX2     8 floats (ymm)   x86-64 with AVX2 and FMA, chosen at run time
//   LS_ISA_SSE2     4 floats (xmm)   any x86-64 (the baseline)
//   LS_ISA_NEON     4 floats (q)     arm64 (NEON and FMA are part of the base instruction set)
//
// Also here: the vectorised activations of the recurrent cell (sigmoid, tanh, relu, identity,
// hard sigmoid) and their derivatives through the output, with the algorithm and coefficients of
// the WebAssembly kernel (asm/activations.ts: Cody–Waite reduction, degree-4 polynomial for
// expm1 on |r| ≤ ln2/2, scaling by 2^(n+64)·2^−64 so subnormal results round once), and the
// NaN behaviour of the reference (src/kernels/activations.ts): NaN in, NaN out; relu(NaN) = 0.
// Comparisons are written so that NaN falls through to the value, never to a constant.
// Left out: exp of large positive arguments (no caller needs it), -ffast-math (it would fold the
// rounding trick below away).

#ifndef LS_VEC_H
#define LS_VEC_H

#include <stdint.h>
#include <string.h>

#if defined(LS_ISA_AVX512)
#define VL 16
#elif defined(LS_ISA_AVX2)
#define VL 8
#elif defined(LS_ISA_SSE2) || defined(LS_ISA_NEON)
#define VL 4
#else
#error "define one of LS_ISA_AVX512, LS_ISA_AVX2, LS_ISA_SSE2, LS_ISA_NEON"
#endif

typedef float vf __attribute__((vector_size(VL * 4)));
typedef int32_t vi __attribute__((vector_size(VL * 4)));
// the same types with 4-byte alignment: loads and stores at any float address
typedef float vf_u __attribute__((vector_size(VL * 4), aligned(4)));

#define LS_INLINE static inline __attribute__((always_inline))

LS_INLINE vf vload(const float *p) { return *(const vf_u *)p; }
LS_INLINE void vstore(float *p, vf v) { *(vf_u *)p = v; }
/** a in every lane. (Not (vf){0} + a: adding +0 is not an identity for −0, so that would cost an add.) */
LS_INLINE vf vsplat(float a) {
  int32_t i;
  memcpy(&i, &a, 4);
  return (vf)((vi){0} + i);
}

/** The first n ∈ [1, VL] floats at p; the other lanes 0. */
LS_INLINE vf vloadn(const float *p, int n) {
  if (n >= VL) return vload(p);
  float t[VL] = {0};
  memcpy(t, p, (size_t)n * 4);
  return vload(t);
}

/** Store the first n ∈ [1, VL] lanes of v. */
LS_INLINE void vstoren(float *p, vf v, int n) {
  if (n >= VL) {
    vstore(p, v);
    return;
  }
  float t[VL];
  vstore(t, v);
  memcpy(p, t, (size_t)n * 4);
}

/** m ? a : b lane-wise, m a comparison result (all ones or all zeros per lane). */
LS_INLINE vf vsel(vi m, vf a, vf b) { return (vf)(((vi)a & m) | ((vi)b & ~m)); }

LS_INLINE float vsum(vf v) {
  float s = 0;
  for (int i = 0; i < VL; i++) s += v[i];
  return s;
}

// ---------------------------------------------------------------------------------------------
// exp and expm1 pieces (see the header). Constants as in asm/activations.ts.

#define LS_LOG2E 1.44269504f
#define LS_LN2_HI 0.693359375f   // 355/512: n·LN2_HI is exact for |n| < 2^15
#define LS_LN2_LO -2.12194440e-4f // ln2 − LN2_HI
#define LS_TWO_M64 5.421010862427522e-20f
#define LS_ROUND 12582912.0f // 1.5·2^23: v + ROUND − ROUND rounds v to the nearest integer (|v| < 2^22)

/** expm1(r) for |r| ≤ ln2/2: r + r²·q(r), q of degree 4 fitted to (e^r − 1 − r)/r². */
LS_INLINE vf expm1_core(vf r) {
  vf p = vsplat(0.00137514074f) * r + 0.00836891588f;
  p = p * r + 0.0416695327f;
  p = p * r + 0.166665182f;
  p = p * r + 0.499999881f;
  return (r * r) * p + r; // the leading term last so it is not rounded away
}

/** 2^n for integer n given as int lanes, n + 127 ∈ [1, 254]. */
LS_INLINE vf pow2i(vi n) { return (vf)((n + 127) << 23); }

/** e^x for x ≤ 0; x < −104 gives 0, NaN gives NaN. */
LS_INLINE vf exp_neg(vf x) {
  x = vsel(x < -104.0f, vsplat(-104.0f), x); // e^-104 < 2^-150 rounds to 0 anyway; NaN stays
  vf t = x * LS_LOG2E + LS_ROUND;
  vf n = t - LS_ROUND; // n ∈ [−150, 0]
  vi ni = (vi)t - (vi)vsplat(LS_ROUND);
  vf r = (x - n * LS_LN2_HI) - n * LS_LN2_LO;
  vf m = expm1_core(r) + 1.0f; // e^r ∈ [0.7, 1.42]
  // 2^n = 2^(n+64)·2^−64: the first factor stays normal down to n = −150, the second rounds once
  return (m * pow2i(ni + 64)) * LS_TWO_M64;
}

/** e^y − 1 for y ∈ [0, 18] (the caller clamps). */
LS_INLINE vf expm1_pos(vf y) {
  vf t = y * LS_LOG2E + LS_ROUND;
  vf n = t - LS_ROUND; // n ∈ [0, 26]
  vi ni = (vi)t - (vi)vsplat(LS_ROUND);
  vf r = (y - n * LS_LN2_HI) - n * LS_LN2_LO;
  vf s = pow2i(ni);
  // e^y − 1 = 2^n·expm1(r) + (2^n − 1); exact near 0 for n = 0
  return s * expm1_core(r) + (s - 1.0f);
}

#define LS_SIGN ((vi){0} + (int32_t)0x80000000)

/** σ(x): 1/(1+e^−|x|), mirrored for x < 0; never exp of a positive number. */
LS_INLINE vf v_sigmoid(vf x) {
  vf e = exp_neg((vf)((vi)x | LS_SIGN)); // e^−|x| ∈ [0, 1]
  vf s = 1.0f / (1.0f + e);
  return vsel(x < 0.0f, e * s, s);
}

/** tanh(x) = sign(x)·em/(em+2), em = expm1(2|x|); |x| clamped to 9, where tanh rounds to 1. */
LS_INLINE vf v_tanh(vf x) {
  vf ax = (vf)((vi)x & ~LS_SIGN);
  ax = vsel(ax > 9.0f, vsplat(9.0f), ax); // NaN stays NaN
  vf em = expm1_pos(ax + ax);
  vf t = em / (em + 2.0f);
  return (vf)((vi)t | ((vi)x & LS_SIGN)); // tanh(−0) = −0
}

// Activation codes, in the order of ACTIVATIONS (src/kernels/activations.ts).
enum { LS_SIGMOID = 0, LS_TANH = 1, LS_RELU = 2, LS_IDENTITY = 3, LS_HARD_SIGMOID = 4 };

LS_INLINE vf v_act(int code, vf x) {
  switch (code) {
    case LS_SIGMOID: return v_sigmoid(x);
    case LS_TANH: return v_tanh(x);
    case LS_RELU: return vsel(x > 0.0f, x, vsplat(0)); // NaN → 0, like the reference
    case LS_IDENTITY: return x;
    default: { // hard sigmoid max(0, min(1, 0.2x + 0.5)); NaN stays NaN
      vf v = x * 0.2f + 0.5f;
      v = vsel(v > 1.0f, vsplat(1), v);
      return vsel(v < 0.0f, vsplat(0), v);
    }
  }
}

/** f'(x) through y = f(x). */
LS_INLINE vf v_dact(int code, vf y) {
  switch (code) {
    case LS_SIGMOID: return y * (1.0f - y);
    case LS_TANH: return 1.0f - y * y;
    case LS_RELU: return vsel(y > 0.0f, vsplat(1), vsplat(0));
    case LS_IDENTITY: return vsplat(1);
    default: return vsel((y > 0.0f) & (y < 1.0f), vsplat(0.2f), vsplat(0));
  }
}

#endif
