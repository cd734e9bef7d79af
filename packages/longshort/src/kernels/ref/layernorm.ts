// Reference layer normalisation over the last dimension (PyTorch nn.LayerNorm with a one-entry
// normalized_shape), forward and backward side by side. The variance is the biased one (divide
// by C), as PyTorch uses. Forward caches each row's mean and 1/σ for backward; backward ADDS into
// dx, dw, db. Left out: input checking (done in nn/) and normalising over several trailing dims.
//
// dim key: M rows (every leading dim flattened), C normalised features.
//   x̂ = (x − mean) · rstd,  rstd = 1/√(var + eps),  y = x̂ ⊙ w + b

import type { Arr } from '../../tensor.js';

// out  y (M, C)  mean (M)  rstd (M)
// in   x (M, C)  w (C) or null  b (C) or null  (null = no elementwise affine)
export function layernormForward(
  y: Arr,
  mean: Arr,
  rstd: Arr,
  x: Arr,
  w: Arr | null,
  b: Arr | null,
  M: number,
  C: number,
  eps: number,
): void {
  for (let m = 0; m < M; m++) {
    const xm = m * C; // x[m,:]
    let s = 0;
    for (let c = 0; c < C; c++) s += x[xm + c];
    const mu = s / C;
    // Two passes (mean first, then squared deviations) avoid the cancellation of E[x²] − E[x]².
    let v = 0;
    for (let c = 0; c < C; c++) {
      const d = x[xm + c] - mu;
      v += d * d;
    }
    const r = 1 / Math.sqrt(v / C + eps);
    mean[m] = mu;
    rstd[m] = r;
    for (let c = 0; c < C; c++) {
      const xhat = (x[xm + c] - mu) * r;
      y[xm + c] = (w !== null ? xhat * w[c] : xhat) + (b !== null ? b[c] : 0);
    }
  }
}

// out  dx (M, C)  dw (C) or null  db (C) or null — all ADDED to
// in   dy (M, C)  x (M, C)  mean (M)  rstd (M)  w (C) or null
export function layernormBackward(
  dx: Arr,
  dw: Arr | null,
  db: Arr | null,
  dy: Arr,
  x: Arr,
  mean: Arr,
  rstd: Arr,
  w: Arr | null,
  M: number,
  C: number,
): void {
  for (let m = 0; m < M; m++) {
    const xm = m * C; // x[m,:]
    const mu = mean[m];
    const r = rstd[m];
    // forward: y = x̂ ⊙ w + b  →  dL/dx̂ = dy ⊙ w. Collect the two row means backward needs.
    let meanG = 0; //   mean_c dL/dx̂
    let meanGX = 0; //  mean_c dL/dx̂ · x̂
    for (let c = 0; c < C; c++) {
      const xhat = (x[xm + c] - mu) * r;
      const g = w !== null ? dy[xm + c] * w[c] : dy[xm + c];
      meanG += g;
      meanGX += g * xhat;
      if (dw !== null) dw[c] += dy[xm + c] * xhat;
      if (db !== null) db[c] += dy[xm + c];
    }
    meanG /= C;
    meanGX /= C;
    // forward: x̂ = (x − mean(x)) · rstd(x)  →  dL/dx = rstd · (dL/dx̂ − mean(dL/dx̂) − x̂ · mean(dL/dx̂ · x̂))
    for (let c = 0; c < C; c++) {
      const xhat = (x[xm + c] - mu) * r;
      const g = w !== null ? dy[xm + c] * w[c] : dy[xm + c];
      dx[xm + c] += r * (g - meanG - xhat * meanGX);
    }
  }
}
