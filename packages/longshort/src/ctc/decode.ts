// Turning CTC network outputs (B, T, C) into label sequences.
//   greedyDecode:     best path (argmax per frame), collapse repeats, drop blanks. Fast, but it
//                     returns the labelling of the single most likely PATH, not the most likely
//                     LABELLING (which sums over all its alignments).
//   beamSearchDecode: CTC prefix beam search (Hannun et al. 2014, "First-pass LVCSR with
//                     bidirectional RNNs", arXiv:1408.2873 §2), in log space. Each prefix keeps two
//                     probabilities — of the frames so far collapsing to it while ending in blank
//                     (pb) or in its last label (pnb) — so that "a a" (merge) and "a - a" (two a's)
//                     are told apart. With a beam at least as wide as the number of reachable
//                     prefixes it is exact.
// Left out: language models and per-frame class pruning (a lexicon constraint is ./lexicon.ts).
// T = time, B = batch, C = classes incl. blank

import { Tensor, formatShape } from '../tensor.js';
import { ConfigError, NonFiniteError, ShapeError } from '../errors.js';
import { logAddExp, logSoftmaxRows } from '../kernels/ref/ctc.js';

/** Options of greedyDecode. */
export interface GreedyDecodeOptions {
  /** Class index of the blank. Default 0. */
  blank?: number;
}

/** What greedyDecode returns: per row of the batch, a label sequence and its score. */
export interface DecodeResult {
  /** Best label sequence per row (blanks removed, repeats collapsed). */
  labels: number[][];
  /** Per row: greedy = log-prob of the best path; beam = log-prob of the labelling (sum over its alignments). */
  scores: number[];
}

/** Options of beamSearchDecode. */
export interface BeamSearchOptions {
  /** Prefixes kept after each frame. Default 16. */
  beamWidth?: number;
  /** Class index of the blank. Default 0. */
  blank?: number;
  /** How many best labellings to return per row in `nbest`. Default 1; at most beamWidth. */
  topPaths?: number;
}

/** What beamSearchDecode returns: the best labelling per row, plus the n best. */
export interface BeamSearchResult extends DecodeResult {
  /** Per row, the topPaths best labellings, best first (fewer if fewer prefixes survived). */
  nbest: { labels: number[]; score: number }[][];
}

/**
 * Best-path decoding. `logits` are unnormalised (B, T, C) scores (log-softmax is applied inside, so
 * log-probabilities work too); frames t >= inputLengths[b] are ignored (default: all T frames).
 */
export function greedyDecode(logits: Tensor, inputLengths?: ArrayLike<number>, options: GreedyDecodeOptions = {}): DecodeResult {
  const { blank = 0 } = options;
  const [B, T, C] = checkLogits('greedyDecode', logits, inputLengths, blank);
  const lens = inputLengths ?? new Array<number>(B).fill(T);
  const logProbs = new Float64Array(T * C); // (T,C)
  const labels: number[][] = [];
  const scores: number[] = [];
  for (let b = 0; b < B; b++) {
    const Tb = lens[b];
    logSoftmaxRows(logProbs, logits.data, b * T * C, C, Tb, C);
    const out: number[] = [];
    let score = 0;
    let prev = -1;
    for (let t = 0; t < Tb; t++) {
      const lt = t * C; // logProbs[t,:]
      let best = 0;
      for (let c = 1; c < C; c++) if (logProbs[lt + c] > logProbs[lt + best]) best = c;
      score += logProbs[lt + best];
      // collapse: a label repeated on consecutive frames is one label; a blank separates two
      if (best !== blank && best !== prev) out.push(best);
      prev = best;
    }
    labels.push(out);
    scores.push(score);
  }
  return { labels, scores };
}

/**
 * CTC prefix beam search. Returns per row the most probable labelling found and its log-probability
 * (summed over all alignments), plus the `topPaths` best in `nbest`.
 */
export function beamSearchDecode(logits: Tensor, inputLengths?: ArrayLike<number>, options: BeamSearchOptions = {}): BeamSearchResult {
  const { blank = 0, beamWidth = 16, topPaths = 1 } = options;
  const [B, T, C] = checkLogits('beamSearchDecode', logits, inputLengths, blank);
  if (!Number.isInteger(beamWidth) || beamWidth < 1) {
    throw new ConfigError(`[beamSearchDecode] beamWidth must be an integer >= 1; received ${beamWidth}.`);
  }
  if (!Number.isInteger(topPaths) || topPaths < 1 || topPaths > beamWidth) {
    throw new ConfigError(
      `[beamSearchDecode] topPaths must be an integer in [1, beamWidth=${beamWidth}]; received ${topPaths}. ` +
        'Hint: the search keeps only beamWidth prefixes, so it cannot return more.',
    );
  }
  const lens = inputLengths ?? new Array<number>(B).fill(T);
  const logProbs = new Float64Array(T * C); // (T,C)
  const result: BeamSearchResult = { labels: [], scores: [], nbest: [] };
  for (let b = 0; b < B; b++) {
    logSoftmaxRows(logProbs, logits.data, b * T * C, C, lens[b], C);
    const best = prefixBeamSearch(logProbs, lens[b], C, blank, beamWidth, topPaths);
    result.nbest.push(best);
    result.labels.push(best[0].labels);
    result.scores.push(best[0].score);
  }
  return result;
}

// Prefixes live in a trie: node 0 is the empty prefix, every other node is its parent's prefix
// plus one label. Identity of a prefix is its node id, so merging hypotheses needs no string keys.
// Per node: pb/pnb at the current frame (cur*) and the frame being built (nxt*); `stamp` marks
// which nodes the frame being built has touched.
class PrefixTrie {
  parent: number[] = [-1];
  label: number[] = [-1];
  children = new Map<number, number>(); // parent * C + label -> node
  curPb: number[] = [0];
  curPnb: number[] = [-Infinity];
  nxtPb: number[] = [-Infinity];
  nxtPnb: number[] = [-Infinity];
  stamp: number[] = [-1];

  constructor(private readonly C: number) {}

  child(n: number, c: number): number {
    const key = n * this.C + c;
    let id = this.children.get(key);
    if (id === undefined) {
      id = this.parent.length;
      this.parent.push(n);
      this.label.push(c);
      this.curPb.push(-Infinity);
      this.curPnb.push(-Infinity);
      this.nxtPb.push(-Infinity);
      this.nxtPnb.push(-Infinity);
      this.stamp.push(-1);
      this.children.set(key, id);
    }
    return id;
  }

  labelsOf(n: number): number[] {
    const out: number[] = [];
    for (let m = n; m > 0; m = this.parent[m]) out.push(this.label[m]);
    return out.reverse();
  }
}

// in  logProbs (T,C) of one row; returns up to topPaths labellings, best first
function prefixBeamSearch(
  logProbs: Float64Array, T: number, C: number, blank: number, beamWidth: number, topPaths: number,
): { labels: number[]; score: number }[] {
  const trie = new PrefixTrie(C);
  let beam: number[] = [0];
  const touched: number[] = [];
  const total = (n: number): number => logAddExp(trie.curPb[n], trie.curPnb[n]);
  let frame = 0;
  // first visit of a node in this frame: start its next-frame sums from zero probability
  const touch = (n: number): void => {
    if (trie.stamp[n] !== frame) {
      trie.stamp[n] = frame;
      trie.nxtPb[n] = -Infinity;
      trie.nxtPnb[n] = -Infinity;
      touched.push(n);
    }
  };
  for (let t = 0; t < T; t++, frame++) {
    const lt = t * C; // logProbs[t,:]
    touched.length = 0;
    for (const n of beam) {
      const pb = trie.curPb[n];
      const pnb = trie.curPnb[n];
      const p = logAddExp(pb, pnb);
      // blank: the prefix stays, now ending in blank
      touch(n);
      trie.nxtPb[n] = logAddExp(trie.nxtPb[n], p + logProbs[lt + blank]);
      const last = trie.label[n];
      for (let c = 0; c < C; c++) {
        if (c === blank) continue;
        const lc = logProbs[lt + c];
        const m = trie.child(n, c);
        touch(m);
        if (c === last) {
          // repeat of the last label: merges into the same prefix unless a blank came between
          trie.nxtPnb[n] = logAddExp(trie.nxtPnb[n], pnb + lc);
          trie.nxtPnb[m] = logAddExp(trie.nxtPnb[m], pb + lc);
        } else {
          trie.nxtPnb[m] = logAddExp(trie.nxtPnb[m], p + lc);
        }
      }
    }
    for (const n of touched) {
      trie.curPb[n] = trie.nxtPb[n];
      trie.curPnb[n] = trie.nxtPnb[n];
    }
    // keep the beamWidth most probable prefixes; ties go to the older node, for determinism
    touched.sort((a, b) => total(b) - total(a) || a - b);
    beam = touched.slice(0, beamWidth).filter((n) => total(n) > -Infinity);
  }
  beam.sort((a, b) => total(b) - total(a) || a - b);
  return beam.slice(0, topPaths).map((n) => ({ labels: trie.labelsOf(n), score: total(n) }));
}

function checkLogits(where: string, logits: Tensor, inputLengths: ArrayLike<number> | undefined, blank: number): [number, number, number] {
  if (!(logits instanceof Tensor) || logits.rank !== 3) {
    const got = logits instanceof Tensor ? formatShape(logits.shape) : typeof logits;
    throw new ShapeError(`[${where}] logits must be a Tensor of shape (B, T, C); received ${got}. Hint: reshape a single sequence (T, C) to (1, T, C).`);
  }
  const [B, T, C] = logits.shape;
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) {
    throw new ConfigError(`[${where}] blank must be an integer class index in [0, ${C}) because logits have C=${C} classes; received ${blank}.`);
  }
  if (inputLengths !== undefined) {
    if (inputLengths.length !== B) {
      throw new ShapeError(`[${where}] inputLengths must have ${B} entries, one per batch row; received ${inputLengths.length}.`);
    }
    for (let b = 0; b < B; b++) {
      const n = inputLengths[b];
      if (!Number.isInteger(n) || n < 0 || n > T) {
        throw new ConfigError(`[${where}] inputLengths[${b}] must be an integer in [0, ${T}] because logits are ${formatShape(logits.shape)}; received ${n}.`);
      }
    }
  }
  // -Infinity is allowed (a class masked out, or log(0) in log-probabilities), but every frame
  // needs at least one finite score or its softmax is undefined
  const x = logits.data;
  for (let bt = 0; bt < B * T; bt++) {
    let anyFinite = false;
    for (let c = 0; c < C; c++) {
      const v = x[bt * C + c];
      if (Number.isNaN(v) || v === Infinity) {
        throw new NonFiniteError(`[${where}] logits must not be NaN or +Infinity; received ${v} at [b=${Math.floor(bt / T)}, t=${bt % T}, c=${c}].`);
      }
      if (v !== -Infinity) anyFinite = true;
    }
    if (!anyFinite && C > 0) {
      throw new NonFiniteError(`[${where}] every frame needs at least one finite score; received all -Infinity at [b=${Math.floor(bt / T)}, t=${bt % T}].`);
    }
  }
  return [B, T, C];
}
