// The adding problem of Hochreiter & Schmidhuber (1997), experiment 4. Each sequence has length
// uniform in [T, T + T/10]; each step is a pair (value, marker). Values are uniform in [−1, 1].
// Exactly two steps are marked with 1: the first one among the first ten steps, the second one
// among the first T/2 − 1 steps (and not the first). The first and last steps have marker −1
// (as in the paper). The target, at the end, is 0.5 + (X1 + X2)/4 with X1, X2 the marked values;
// a sequence counts as correct when |prediction − target| < 0.04.

import { Tensor } from '../tensor.js';
import { Rng } from '../util/rng.js';

/** Sequences of the adding problem with their targets. */
export interface AddingBatch {
  /** (N, Tmax, 2) right-padded */
  x: Tensor;
  /** (N, 1) */
  y: Tensor;
  /** (N) valid steps per sequence, each in [T, T + T/10]. */
  lengths: Int32Array;
}

/**
 * n sequences of the adding problem (Hochreiter & Schmidhuber 1997, experiment 4) of length about
 * T: steps (value, marker), two marked values X1, X2, target 0.5 + (X1 + X2)/4.
 */
export function addingProblem(n: number, T: number, rng: Rng): AddingBatch {
  const Tmax = T + Math.floor(T / 10);
  const x = new Float32Array(n * Tmax * 2);
  const y = new Float32Array(n);
  const lengths = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const len = T + rng.int(Math.floor(T / 10) + 1);
    lengths[s] = len;
    const base = s * Tmax * 2;
    for (let t = 0; t < len; t++) x[base + 2 * t] = rng.uniform(-1, 1);
    x[base + 1] = -1;
    x[base + 2 * (len - 1) + 1] = -1;
    // first marked step in the first ten (not step 0), second in the first T/2 − 1, distinct
    const a = 1 + rng.int(Math.min(10, len) - 1);
    let b = a;
    const limit = Math.max(2, Math.floor(T / 2) - 1);
    while (b === a) b = 1 + rng.int(limit - 1);
    for (const m of [a, b]) {
      x[base + 2 * m + 1] = 1;
    }
    // the paper sets X1 to 0 when it lands on the first step; step 0 is never marked here
    y[s] = 0.5 + (x[base + 2 * a] + x[base + 2 * b]) / 4;
  }
  return { x: new Tensor(x, [n, Tmax, 2]), y: new Tensor(y, [n, 1]), lengths };
}

/** Count of sequences whose absolute error is ≥ 0.04 (the paper's criterion). */
export function addingErrors(pred: Tensor, y: Tensor, threshold = 0.04): number {
  let wrong = 0;
  for (let k = 0; k < y.size; k++) if (!(Math.abs(pred.data[k] - y.data[k]) < threshold)) wrong++;
  return wrong;
}
