// The temporal-order problem of Hochreiter & Schmidhuber (1997), experiment 6a: classify a sequence
// of symbols by the order of two widely separated relevant symbols. Alphabet (one-hot, 8 inputs):
// a, b, c, d (distractors), B (start), E (end, the "trigger"), X, Y. A sequence starts with B,
// ends with E, and is otherwise random distractors except at two positions t1, t2 that hold X or Y.
// For T = 100 (the paper's setting): length uniform in [100, 110], t1 in [10, 20], t2 in [50, 60].
// Other T scale these ranges: length [T, T + T/10], t1 [T/10, T/5], t2 [T/2, T/2 + T/10].
// Classes (the paper's Q, R, S, U): XX → 0, XY → 1, YX → 2, YY → 3.
// Left out: task 6b (three relevant symbols, 8 classes).

import { Tensor } from '../tensor.js';
import { ConfigError } from '../errors.js';
import { Rng } from '../util/rng.js';

/** The 8 symbols, in one-hot order: distractors a b c d, start B, end E, relevant X and Y. */
export const TEMPORAL_ORDER_SYMBOLS = ['a', 'b', 'c', 'd', 'B', 'E', 'X', 'Y'] as const;
const SYM_B = 4;
const SYM_E = 5;
const SYM_X = 6;

/** Sequences of the temporal-order problem with their classes. */
export interface TemporalOrderBatch {
  /** (N, Tmax, 8) one-hot, right-padded with zeros */
  x: Tensor;
  /** (N) class ids in [0, 4) */
  y: Int32Array;
  /** (N) valid steps per sequence, each in [T, T + T/10]. */
  lengths: Int32Array;
}

/**
 * n sequences of the temporal-order problem (Hochreiter & Schmidhuber 1997, experiment 6a): the
 * class is the order of the two relevant symbols, XX → 0, XY → 1, YX → 2, YY → 3. T < 10 throws ConfigError.
 */
export function temporalOrderProblem(n: number, T: number, rng: Rng): TemporalOrderBatch {
  if (!Number.isInteger(T) || T < 10) {
    throw new ConfigError(`[temporalOrderProblem] T must be an integer ≥ 10 (room for t1 < t2 < length); received ${T}.`);
  }
  const Tmax = T + Math.floor(T / 10);
  const x = new Float32Array(n * Tmax * 8);
  const y = new Int32Array(n);
  const lengths = new Int32Array(n);
  const t1lo = Math.max(1, Math.floor(T / 10));
  const t1hi = Math.max(t1lo, Math.floor(T / 5));
  const t2lo = Math.floor(T / 2);
  const t2hi = t2lo + Math.floor(T / 10);
  for (let s = 0; s < n; s++) {
    const len = T + rng.int(Math.floor(T / 10) + 1);
    lengths[s] = len;
    const base = s * Tmax * 8;
    const set = (t: number, sym: number): void => {
      x[base + 8 * t + sym] = 1;
    };
    set(0, SYM_B);
    set(len - 1, SYM_E);
    const t1 = t1lo + rng.int(t1hi - t1lo + 1);
    const t2 = t2lo + rng.int(t2hi - t2lo + 1);
    const s1 = rng.int(2);
    const s2 = rng.int(2);
    for (let t = 1; t < len - 1; t++) {
      if (t === t1) set(t, SYM_X + s1);
      else if (t === t2) set(t, SYM_X + s2);
      else set(t, rng.int(4));
    }
    y[s] = 2 * s1 + s2;
  }
  return { x: new Tensor(x, [n, Tmax, 8]), y, lengths };
}
