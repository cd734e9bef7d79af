// Test oracle for CTC: enumerate every one of the C^T frame-level paths of one sequence, collapse
// each (merge repeats, drop blanks) and add up probabilities in plain (not log) float64. No
// dynamic programming, no shared code with src/: if the forward–backward kernel is wrong, this
// disagrees. Only usable for tiny T and C (C^T paths).

/** Softmax of row-major (T, C) scores, in float64. */
export function softmaxRows(x: ArrayLike<number>, T: number, C: number): Float64Array {
  const p = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x[t * C + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[t * C + c] - m);
    for (let c = 0; c < C; c++) p[t * C + c] = Math.exp(x[t * C + c] - m) / s;
  }
  return p;
}

export function collapse(path: readonly number[], blank: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < path.length; t++) {
    if (path[t] !== blank && (t === 0 || path[t] !== path[t - 1])) out.push(path[t]);
  }
  return out;
}

/** Calls fn(path, prob) for each of the C^T paths. */
export function forEachPath(p: Float64Array, T: number, C: number, fn: (path: number[], prob: number) => void): void {
  const path = new Array<number>(T).fill(0);
  const total = C ** T;
  for (let n = 0; n < total; n++) {
    let r = n;
    let prob = 1;
    for (let t = 0; t < T; t++) {
      path[t] = r % C;
      r = Math.floor(r / C);
      prob *= p[t * C + path[t]];
    }
    fn(path, prob);
  }
}

/**
 * Brute-force CTC for one row: P(target) summed over all alignments, the loss -log P, and
 * dLoss/dlogits = softmax - (expected count of class k at frame t over alignments of the target).
 */
export function bruteCtc(x: ArrayLike<number>, T: number, C: number, target: readonly number[], blank: number) {
  const p = softmaxRows(x, T, C);
  const key = target.join(',');
  let P = 0;
  const occ = new Float64Array(T * C); // sum over matching paths of prob * [path[t] = k]
  forEachPath(p, T, C, (path, prob) => {
    if (collapse(path, blank).join(',') !== key) return;
    P += prob;
    for (let t = 0; t < T; t++) occ[t * C + path[t]] += prob;
  });
  const grad = new Float64Array(T * C);
  for (let i = 0; i < T * C; i++) grad[i] = p[i] - occ[i] / P;
  return { P, loss: -Math.log(P), grad };
}

/** Every labelling reachable in T frames with its total probability, most probable first. */
export function bruteLabellings(x: ArrayLike<number>, T: number, C: number, blank: number): { labels: number[]; prob: number }[] {
  const p = softmaxRows(x, T, C);
  const byKey = new Map<string, { labels: number[]; prob: number }>();
  forEachPath(p, T, C, (path, prob) => {
    const labels = collapse(path, blank);
    const key = labels.join(',');
    const e = byKey.get(key);
    if (e) e.prob += prob;
    else byKey.set(key, { labels, prob });
  });
  return [...byKey.values()].sort((a, b) => b.prob - a.prob);
}

/** The single most probable path and its probability. */
export function bestPath(x: ArrayLike<number>, T: number, C: number): { path: number[]; prob: number } {
  const p = softmaxRows(x, T, C);
  let best = { path: [] as number[], prob: -1 };
  forEachPath(p, T, C, (path, prob) => {
    if (prob > best.prob) best = { path: [...path], prob };
  });
  return best;
}
