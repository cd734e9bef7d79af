// CTC forced alignment: the single most probable frame-level path that collapses to a given
// labelling (Viterbi over the same extended label sequence the CTC loss sums over: blank, l1,
// blank, l2, …, blank). Used to show which frames emitted which label (the G2P page and
// `longshort g2p say --align`).
//
// dim key: T frames, C classes incl. blank, L labels, S = 2L + 1 extended states.
// Left out: alignment with a beam (this is exact, O(T·S)), segment boundaries for repeated blanks.

import { ConfigError } from '../errors.js';

/** What ctcForcedAlign returns: the best frame-level path for the labelling. */
export interface CtcAlignment {
  /** Per frame: the class emitted (blank or a label). */
  path: number[];
  /** Per frame: index into the labelling of the label being emitted, or −1 for a blank frame. */
  labelIndex: number[];
  /** log-probability of that path. */
  logProb: number;
}

/**
 * Best path through logProbs (T, C), log-softmaxed, row-major from `offset`, that collapses to
 * `labels`. Throws when the labelling cannot fit in T frames (it needs L frames plus one between
 * equal neighbours).
 */
export function ctcForcedAlign(logProbs: ArrayLike<number>, T: number, C: number, labels: ArrayLike<number>, blank = 0, offset = 0): CtcAlignment {
  const L = labels.length;
  let need = L;
  for (let i = 0; i < L; i++) {
    if (!Number.isInteger(labels[i]) || labels[i] < 0 || labels[i] >= C || labels[i] === blank) {
      throw new ConfigError(`[ctcForcedAlign] labels must be class ids in [0, ${C}) other than the blank ${blank}; received ${labels[i]} at ${i}.`);
    }
    if (i > 0 && labels[i] === labels[i - 1]) need++;
  }
  if (need > T) throw new ConfigError(`[ctcForcedAlign] ${L} labels need at least ${need} frames; received T = ${T}.`);
  const S = 2 * L + 1;
  const cls = (s: number): number => (s % 2 === 0 ? blank : labels[(s - 1) >> 1]);
  let prev = new Float64Array(S).fill(-Infinity);
  let cur = new Float64Array(S);
  const back = new Int8Array(T * S); // how state s at frame t was reached: 0 stay, 1 from s−1, 2 from s−2
  prev[0] = logProbs[offset + blank];
  if (S > 1) prev[1] = logProbs[offset + cls(1)];
  for (let t = 1; t < T; t++) {
    const row = offset + t * C;
    for (let s = 0; s < S; s++) {
      let best = prev[s];
      let how = 0;
      if (s >= 1 && prev[s - 1] > best) {
        best = prev[s - 1];
        how = 1;
      }
      // skipping the blank between two labels is allowed only when they differ
      if (s >= 2 && s % 2 === 1 && cls(s) !== cls(s - 2) && prev[s - 2] > best) {
        best = prev[s - 2];
        how = 2;
      }
      cur[s] = best + logProbs[row + cls(s)];
      back[t * S + s] = how;
    }
    [prev, cur] = [cur, prev];
  }
  let s = S === 1 || prev[S - 1] >= prev[S - 2] ? S - 1 : S - 2;
  const logProb = prev[s];
  const path = new Array<number>(T);
  const labelIndex = new Array<number>(T);
  for (let t = T - 1; t >= 0; t--) {
    path[t] = cls(s);
    labelIndex[t] = s % 2 === 1 ? (s - 1) >> 1 : -1;
    if (t > 0) s -= back[t * S + s];
  }
  return { path, labelIndex, logProb };
}
