// Initial weights of an LSTM layer, from a seeded generator so that a seed gives the same layer
// everywhere. 'pytorch': every tensor U(±1/√H), as nn.LSTM. 'keras': input weights glorot-uniform
// over (I, 4H), recurrent weights orthogonal over (P, 4H), biases zero, projection glorot-uniform
// (Keras's LSTM defaults). Then the forget gate's bias is set (1 by default, Jozefowicz et al.
// 2015; all of it in bias_ih, so that b_ih + b_hh equals it).
//
// dim key: I input size of the layer, H hidden size, P output size (projSize or H), G = 4H.

import type { Arr } from '../tensor.js';
import type { Rng } from '../util/rng.js';
import type { LstmWeights } from '../kernels/types.js';

/**
 * Fill one direction's weights w (input size I) in place. bias false (nn.LSTM(bias=False)): the
 * biases are zeros the kernels read; no parameter exposes them, so they stay zero.
 */
export function initLstmWeights(w: LstmWeights, I: number, H: number, P: number, init: 'pytorch' | 'keras', forgetBias: number | null, rng: Rng, bias = true): void {
  if (init === 'pytorch') {
    const k = 1 / Math.sqrt(H);
    for (const a of [w.wih, w.whh, w.bih, w.bhh, w.whr, w.peep]) {
      if (a !== null) for (let n = 0; n < a.length; n++) a[n] = rng.uniform(-k, k);
    }
  } else {
    // Keras: kernel (I, 4H) glorot-uniform, recurrent (P, 4H) orthogonal, biases zero.
    const lim = Math.sqrt(6 / (I + 4 * H));
    for (let n = 0; n < w.wih.length; n++) w.wih[n] = rng.uniform(-lim, lim);
    orthogonalInit(w.whh, 4 * H, P, rng);
    w.bih.fill(0);
    w.bhh.fill(0);
    if (w.whr !== null) {
      const lr = Math.sqrt(6 / (H + P));
      for (let n = 0; n < w.whr.length; n++) w.whr[n] = rng.uniform(-lr, lr);
    }
    if (w.peep !== null) w.peep.fill(0);
  }
  if (!bias) {
    w.bih.fill(0);
    w.bhh.fill(0);
  } else if (forgetBias !== null) {
    for (let j = 0; j < H; j++) {
      w.bih[H + j] = forgetBias;
      w.bhh[H + j] = 0;
    }
  }
}

/** Fill a (rows, cols) matrix with orthonormal columns (rows ≥ cols) or rows (rows < cols): Gram–Schmidt on normals. */
export function orthogonalInit(a: Arr, rows: number, cols: number, rng: Rng): void {
  const tall = rows >= cols;
  const n = tall ? rows : cols; // vector length
  const m = tall ? cols : rows; // number of vectors
  const v = new Float64Array(m * n);
  for (let k = 0; k < v.length; k++) v[k] = rng.normal();
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < p; q++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += v[p * n + k] * v[q * n + k];
      for (let k = 0; k < n; k++) v[p * n + k] -= dot * v[q * n + k];
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += v[p * n + k] * v[p * n + k];
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < n; k++) v[p * n + k] /= norm;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) a[r * cols + c] = tall ? v[c * n + r] : v[r * n + c];
  }
}
