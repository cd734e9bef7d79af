// CTC decoding constrained to a lexicon: the output must be a sequence of dictionary words joined
// by a separator label (a space), as in Graves et al. 2009 (§IV-C, "token passing" with a
// dictionary; here without their bigram language model). The search is the CTC prefix beam
// search of ./decode.ts with one more rule: a prefix may grow only along a path of the lexicon's
// trie (a separator only after a complete word, which restarts at the trie's root), and at the
// end only prefixes that finish a word count.
// Left out: language-model weights, out-of-vocabulary fallbacks (an empty result says nothing fit).
// T = time, C = classes incl. blank

import { Tensor, formatShape } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { logAddExp, logSoftmaxRows } from '../kernels/ref/ctc.js';

/** A trie over label sequences: node 0 is the root; edges in one map keyed node·C + label. */
export class Lexicon {
  readonly classes: number;
  readonly size: number;
  private readonly edges = new Map<number, number>();
  private readonly terminal: boolean[] = [false];

  /** `words` as label-id sequences (no blanks, no separators), C = number of classes incl. blank. */
  constructor(words: Iterable<ArrayLike<number>>, classes: number) {
    if (!Number.isInteger(classes) || classes < 2) throw new ConfigError(`[Lexicon] classes must be an integer >= 2; received ${classes}.`);
    this.classes = classes;
    let n = 0;
    for (const w of words) {
      if (w.length === 0) continue;
      let node = 0;
      for (let i = 0; i < w.length; i++) {
        const c = w[i];
        if (!Number.isInteger(c) || c < 0 || c >= classes) throw new ConfigError(`[Lexicon] label ids must be integers in [0, ${classes}); received ${c}.`);
        const key = node * classes + c;
        let next = this.edges.get(key);
        if (next === undefined) {
          next = this.terminal.length;
          this.terminal.push(false);
          this.edges.set(key, next);
        }
        node = next;
      }
      if (!this.terminal[node]) n++;
      this.terminal[node] = true;
    }
    if (n === 0) throw new ConfigError('[Lexicon] needs at least one non-empty word; received none.');
    this.size = n;
  }

  /** Child of `node` along `label`, or -1. */
  next(node: number, label: number): number {
    return this.edges.get(node * this.classes + label) ?? -1;
  }

  /** Whether the path to `node` spells a whole word. */
  isWord(node: number): boolean {
    return this.terminal[node];
  }

  /** Whether a whole label sequence is one word of the lexicon. */
  has(word: ArrayLike<number>): boolean {
    let node = 0;
    for (let i = 0; i < word.length && node >= 0; i++) node = this.next(node, word[i]);
    return node >= 0 && this.terminal[node];
  }
}

/** Options of lexiconBeamSearchDecode. Bad values throw ConfigError. */
export interface LexiconDecodeOptions {
  /** The allowed words; its classes must equal the logits' C. */
  lexicon: Lexicon;
  /** Prefixes kept after each frame. Default 16. */
  beamWidth?: number;
  /** Class index of the blank. Default 0. */
  blank?: number;
  /** Label between words (e.g. the space's id); omit for single words. */
  separator?: number;
  /** Best labellings returned per row in nbest. Default 1. */
  topPaths?: number;
}

/** What lexiconBeamSearchDecode returns: per row, the best in-lexicon labelling and the n best. */
export interface LexiconDecodeResult {
  /** Best in-lexicon labelling per row ([] when no word fit). */
  labels: number[][];
  /** Its log-probability (sum over alignments); -Infinity when no word fit. */
  scores: number[];
  /** Per row, the topPaths best in-lexicon labellings, best first. */
  nbest: { labels: number[]; score: number }[][];
}

/** Lexicon-constrained CTC prefix beam search over (B, T, C) unnormalised scores. */
export function lexiconBeamSearchDecode(logits: Tensor, inputLengths: ArrayLike<number> | undefined, options: LexiconDecodeOptions): LexiconDecodeResult {
  const { lexicon, beamWidth = 16, blank = 0, separator, topPaths = 1 } = options;
  if (!(logits instanceof Tensor) || logits.rank !== 3) {
    throw new ShapeError(`[lexiconBeamSearchDecode] logits must be a Tensor (B, T, C); received ${logits instanceof Tensor ? formatShape(logits.shape) : typeof logits}.`);
  }
  const [B, T, C] = logits.shape;
  if (!(lexicon instanceof Lexicon) || lexicon.classes !== C) {
    throw new ConfigError(`[lexiconBeamSearchDecode] lexicon must be a Lexicon over C=${C} classes; received ${lexicon instanceof Lexicon ? `one over ${lexicon.classes}` : typeof lexicon}.`);
  }
  if (!Number.isInteger(beamWidth) || beamWidth < 1) throw new ConfigError(`[lexiconBeamSearchDecode] beamWidth must be an integer >= 1; received ${beamWidth}.`);
  if (!Number.isInteger(topPaths) || topPaths < 1 || topPaths > beamWidth) {
    throw new ConfigError(`[lexiconBeamSearchDecode] topPaths must be an integer in [1, beamWidth=${beamWidth}]; received ${topPaths}.`);
  }
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) throw new ConfigError(`[lexiconBeamSearchDecode] blank must be a class id in [0, ${C}); received ${blank}.`);
  if (separator !== undefined && (!Number.isInteger(separator) || separator < 0 || separator >= C || separator === blank)) {
    throw new ConfigError(`[lexiconBeamSearchDecode] separator must be a class id in [0, ${C}) other than the blank; received ${separator}.`);
  }
  const lens = inputLengths ?? new Array<number>(B).fill(T);
  if (lens.length !== B) throw new ShapeError(`[lexiconBeamSearchDecode] inputLengths must have ${B} entries; received ${lens.length}.`);
  const logProbs = new Float64Array(T * C); // (T,C)
  const out: LexiconDecodeResult = { labels: [], scores: [], nbest: [] };
  for (let b = 0; b < B; b++) {
    const Tb = lens[b];
    if (!Number.isInteger(Tb) || Tb < 0 || Tb > T) throw new ConfigError(`[lexiconBeamSearchDecode] inputLengths[${b}] must be an integer in [0, ${T}]; received ${Tb}.`);
    logSoftmaxRows(logProbs, logits.data, b * T * C, C, Tb, C);
    const best = search(logProbs, Tb, C, blank, separator, lexicon, beamWidth, topPaths);
    out.nbest.push(best);
    out.labels.push(best[0]?.labels ?? []);
    out.scores.push(best[0]?.score ?? -Infinity);
  }
  return out;
}

// Output prefixes live in a trie of their own (node 0 = empty prefix); each prefix node also
// records where it stands in the lexicon (lex) — a deterministic function of its labels.
function search(
  logProbs: Float64Array, T: number, C: number, blank: number, separator: number | undefined, lexicon: Lexicon, beamWidth: number, topPaths: number,
): { labels: number[]; score: number }[] {
  const parent: number[] = [-1];
  const label: number[] = [-1];
  const lex: number[] = [0];
  const kids = new Map<number, number>();
  const curPb: number[] = [0];
  const curPnb: number[] = [-Infinity];
  const nxtPb: number[] = [-Infinity];
  const nxtPnb: number[] = [-Infinity];
  const stamp: number[] = [-1];
  const child = (n: number, c: number, lexNode: number): number => {
    const key = n * C + c;
    let id = kids.get(key);
    if (id === undefined) {
      id = parent.length;
      parent.push(n);
      label.push(c);
      lex.push(lexNode);
      curPb.push(-Infinity);
      curPnb.push(-Infinity);
      nxtPb.push(-Infinity);
      nxtPnb.push(-Infinity);
      stamp.push(-1);
      kids.set(key, id);
    }
    return id;
  };
  const total = (n: number): number => logAddExp(curPb[n], curPnb[n]);
  let beam: number[] = [0];
  const touched: number[] = [];
  for (let t = 0; t < T; t++) {
    const lt = t * C; // logProbs[t,:]
    touched.length = 0;
    const touch = (n: number): void => {
      if (stamp[n] !== t) {
        stamp[n] = t;
        nxtPb[n] = -Infinity;
        nxtPnb[n] = -Infinity;
        touched.push(n);
      }
    };
    for (const n of beam) {
      const pb = curPb[n];
      const pnb = curPnb[n];
      const p = logAddExp(pb, pnb);
      touch(n);
      nxtPb[n] = logAddExp(nxtPb[n], p + logProbs[lt + blank]);
      const last = label[n];
      const state = lex[n];
      for (let c = 0; c < C; c++) {
        if (c === blank) continue;
        if (c === last) {
          // the same label again without a blank between: stays the same prefix
          touch(n);
          nxtPnb[n] = logAddExp(nxtPnb[n], pnb + logProbs[lt + c]);
        }
        // may the prefix grow by c?
        let nextLex: number;
        if (c === separator) {
          if (n === 0 || !lexicon.isWord(state)) continue;
          nextLex = 0;
        } else {
          nextLex = lexicon.next(state, c);
          if (nextLex < 0) continue;
        }
        const m = child(n, c, nextLex);
        touch(m);
        nxtPnb[m] = logAddExp(nxtPnb[m], (c === last ? pb : p) + logProbs[lt + c]);
      }
    }
    for (const n of touched) {
      curPb[n] = nxtPb[n];
      curPnb[n] = nxtPnb[n];
    }
    touched.sort((a, b) => total(b) - total(a) || a - b);
    beam = touched.slice(0, beamWidth).filter((n) => total(n) > -Infinity);
  }
  const labelsOf = (n: number): number[] => {
    const o: number[] = [];
    for (let m = n; m > 0; m = parent[m]) o.push(label[m]);
    return o.reverse();
  };
  // every prefix alive after the last frame competes, not only the beam: a finished word may have
  // ranked below unfinished prefixes that can no longer finish
  return (T > 0 ? [...touched] : beam)
    .filter((n) => n > 0 && lexicon.isWord(lex[n]))
    .sort((a, b) => total(b) - total(a) || a - b)
    .slice(0, topPaths)
    .map((n) => ({ labels: labelsOf(n), score: total(n) }));
}
