// Reference optimizer updates: one parameter tensor updated in place from its gradient and its
// state ("slots"), element by element in JavaScript numbers (float64), each result rounded once
// when stored into the parameter's own array type — which is what makes a resumed run bit-exact,
// and what the WebAssembly updates (asm/optim.ts) reproduce bit for bit. The per-step scalars
// come from the optimizer classes (src/optim/), which own the hyperparameters and the step count.
// Formulas: docs/training-math.md.
//
// dim key: n elements of the parameter; every slot has n elements too.

import type { Arr } from '../../tensor.js';
import type { AdamStep, RmspropStep, SgdStep } from '../types.js';

/**
 *   d ← g + λ·p
 *   μ ≠ 0:  b ← d (first step),  b ← μ·b + (1 − τ)·d (later);   d ← d + μ·b (Nesterov) or b
 *   p ← p − lr·d
 */
export function sgdUpdate(p: Arr, g: Arr, buf: Arr | null, n: number, s: SgdStep): void {
  const { lr, weightDecay: wd, momentum: mu, damp1, nesterov, first } = s;
  for (let k = 0; k < n; k++) {
    let d = g[k];
    if (wd !== 0) d += wd * p[k];
    if (buf !== null) {
      // the buffer is stored in the parameter's dtype, so later reads see the rounded value (as PyTorch)
      buf[k] = first ? d : mu * buf[k] + damp1 * d;
      d = nesterov ? d + mu * buf[k] : buf[k];
    }
    p[k] -= lr * d;
  }
}

/**
 *   p ← p·(1 − lr·λ)                      (AdamW: decay)
 *   g ← g + λ·p                           (Adam: l2)
 *   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²,   v̂ ← max(v̂, v) with AMSGrad, else v
 *   p ← p − stepSize·m / (√v̂ / bc2Sqrt + eps)
 */
export function adamUpdate(p: Arr, g: Arr, m: Arr, v: Arr, vmax: Arr | null, n: number, s: AdamStep): void {
  const { stepSize, bc2Sqrt, beta1: b1, beta2: b2, eps, decay, l2 } = s;
  const om1 = 1 - b1;
  const om2 = 1 - b2;
  for (let k = 0; k < n; k++) {
    if (decay !== 1) p[k] *= decay;
    let gk = g[k];
    if (l2 !== 0) gk += l2 * p[k];
    m[k] = b1 * m[k] + om1 * gk;
    v[k] = b2 * v[k] + om2 * (gk * gk);
    let sk = v[k];
    if (vmax !== null) {
      if (sk > vmax[k]) vmax[k] = sk;
      sk = vmax[k];
    }
    p[k] -= (stepSize * m[k]) / (Math.sqrt(sk) / bc2Sqrt + eps);
  }
}

/**
 *   g ← g + λ·p;   s ← α·s + (1 − α)·g²
 *   centered: ḡ ← α·ḡ + (1 − α)·g,  a = √max(s − ḡ², 0) + eps;   otherwise a = √s + eps
 *   μ > 0: b ← μ·b + g/a,  p ← p − lr·b;     otherwise p ← p − lr·g/a
 */
export function rmspropUpdate(p: Arr, g: Arr, sq: Arr, buf: Arr | null, gavg: Arr | null, n: number, s: RmspropStep): void {
  const { lr, alpha, eps, momentum: mu, weightDecay: wd } = s;
  const oma = 1 - alpha;
  for (let k = 0; k < n; k++) {
    let gk = g[k];
    if (wd !== 0) gk += wd * p[k];
    sq[k] = alpha * sq[k] + oma * (gk * gk);
    let avg: number;
    if (gavg !== null) {
      gavg[k] = alpha * gavg[k] + oma * gk;
      // s ≥ ḡ² holds exactly (an average of squares is at least the square of the average);
      // the max only guards against rounding, where PyTorch would produce NaN
      avg = Math.sqrt(Math.max(sq[k] - gavg[k] * gavg[k], 0)) + eps;
    } else {
      avg = Math.sqrt(sq[k]) + eps;
    }
    if (buf !== null) {
      buf[k] = mu * buf[k] + gk / avg;
      p[k] -= lr * buf[k];
    } else {
      p[k] -= lr * (gk / avg);
    }
  }
}
