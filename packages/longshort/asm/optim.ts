// WebAssembly optimizer updates: one parameter tensor of n float32 values per call, updated in
// place with its gradient and state ("slots", float32 like the parameter). Each element is
// computed in float64 from the stored values and rounded once when stored — exactly what the
// reference updates in src/kernels/ref/optim.ts do with JavaScript numbers — so the two give the
// same bits, and a training run resumed from a checkpoint on either kernel continues exactly.
// The per-step scalars (bias corrections, 1 − β) come precomputed from TypeScript, in float64.
// Formulas: docs/training-math.md and src/optim/*.ts.

// @ts-ignore: decorator
@inline function ld(p: usize, k: i32): f64 {
  return <f64>load<f32>(p + (<usize>k << 2));
}

// @ts-ignore: decorator
@inline function st(p: usize, k: i32, v: f64): void {
  store<f32>(p + (<usize>k << 2), <f32>v);
}

/**
 * SGD (torch.optim.SGD): d = g + λ·p; with momentum μ the buffer b ← d (first step) or
 * μ·b + (1 − τ)·d, then d = d + μ·b (Nesterov) or b; p ← p − lr·d. buf = 0 without momentum;
 * damp1 = 1 − τ.
 */
export function sgdUpdate(p: usize, g: usize, buf: usize, n: i32, lr: f64, wd: f64, mu: f64, damp1: f64, nesterov: bool, first: bool): void {
  for (let k = 0; k < n; k++) {
    let d = ld(g, k);
    if (wd != 0) d += wd * ld(p, k);
    if (buf != 0) {
      st(buf, k, first ? d : mu * ld(buf, k) + damp1 * d);
      d = nesterov ? d + mu * ld(buf, k) : ld(buf, k); // the buffer as stored (rounded), as PyTorch reads it
    }
    st(p, k, ld(p, k) - lr * d);
  }
}

/**
 * Adam / AdamW (torch.optim.Adam, AdamW): decay = 1 − lr·λ for AdamW's decoupled decay (1: none),
 * l2 = λ for Adam's L2 term (0: none); m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g²,
 * v̂ = max(v̂, v) when vmax ≠ 0; p ← p − stepSize·m / (√v̂ / bc2Sqrt + eps), with
 * stepSize = lr / (1 − β1^t), bc2Sqrt = √(1 − β2^t), om1 = 1 − β1, om2 = 1 − β2.
 */
export function adamUpdate(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  stepSize: f64, bc2Sqrt: f64, b1: f64, om1: f64, b2: f64, om2: f64, eps: f64, decay: f64, l2: f64,
): void {
  for (let k = 0; k < n; k++) {
    if (decay != 1) st(p, k, ld(p, k) * decay);
    let gk = ld(g, k);
    if (l2 != 0) gk += l2 * ld(p, k);
    st(m, k, b1 * ld(m, k) + om1 * gk);
    st(v, k, b2 * ld(v, k) + om2 * (gk * gk));
    let sk = ld(v, k);
    if (vmax != 0) {
      if (sk > ld(vmax, k)) st(vmax, k, sk);
      sk = ld(vmax, k);
    }
    st(p, k, ld(p, k) - (stepSize * ld(m, k)) / (Math.sqrt(sk) / bc2Sqrt + eps));
  }
}

/**
 * RMSprop (torch.optim.RMSprop): g ← g + λ·p; s ← α·s + (1 − α)·g²; centered (gavg ≠ 0):
 * ḡ ← α·ḡ + (1 − α)·g and a = √max(s − ḡ², 0) + eps, else a = √s + eps; with momentum (buf ≠ 0)
 * b ← μ·b + g/a, p ← p − lr·b, else p ← p − lr·g/a. oma = 1 − α.
 */
export function rmspropUpdate(
  p: usize, g: usize, sq: usize, buf: usize, gavg: usize, n: i32,
  lr: f64, alpha: f64, oma: f64, eps: f64, mu: f64, wd: f64,
): void {
  for (let k = 0; k < n; k++) {
    let gk = ld(g, k);
    if (wd != 0) gk += wd * ld(p, k);
    st(sq, k, alpha * ld(sq, k) + oma * (gk * gk));
    let avg: f64;
    if (gavg != 0) {
      st(gavg, k, alpha * ld(gavg, k) + oma * gk);
      const ga = ld(gavg, k);
      avg = Math.sqrt(max(ld(sq, k) - ga * ga, 0)) + eps;
    } else {
      avg = Math.sqrt(ld(sq, k)) + eps;
    }
    if (buf != 0) {
      st(buf, k, mu * ld(buf, k) + gk / avg);
      st(p, k, ld(p, k) - lr * ld(buf, k));
    } else {
      st(p, k, ld(p, k) - lr * (gk / avg));
    }
  }
}
