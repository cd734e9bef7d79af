// CTC prefix beam search with shallow fusion and a prefix constraint: the search of
// src/ctc/decode.ts (Hannun et al. 2014) where each prefix also carries
//   - a label scorer's state (an n-gram LM, src/ctc/lm.ts): when a label is appended, the prefix's
//     fusion score gains α·log P_LM(label | prefix) + β (a bonus per label, which balances the
//     LM's preference for short outputs), and at the end α·log P_LM(end | prefix);
//   - a node of a prefix trie (a lexicon of known label strings): only labels the trie allows
//     can be appended, and with `complete` only prefixes that end a lexicon entry are returned.
// Beams are ranked by log P_CTC(prefix) + fusion score. With no scorer and no trie this is the
// plain prefix beam search, and returns the same labellings and scores.
//
// dim key: T frames (≤ the row's length), C classes incl. blank. logProbs rows are log-softmaxed.
// Left out: word-level LMs over a character CTC, lattice output, GPU-style batched beams.

import { ConfigError } from '../errors.js';
import { logAddExp } from '../kernels/ref/ctc.js';

/** What shallow fusion needs of a language model (NgramLM fits). */
export interface LabelScorer<S> {
  /** The state before any label. */
  start(): S;
  /** log P(label | state) for every label id (index = label; index `end` = end of sequence). */
  distribution(state: S): ArrayLike<number>;
  /** The state after `label`, as a new value: `state` is shared by other prefixes and must not change. */
  advance(state: S, label: number): S;
  /** Index of the end-of-sequence entry in distribution(). */
  readonly end: number;
}

/** A trie of allowed label strings. */
export class LabelTrie {
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly final: boolean[] = [false];
  /** Number of distinct strings added. */
  size = 0;

  /** Node of the empty prefix. */
  readonly root = 0;

  /** Add one label string (adding it again changes nothing). */
  add(labels: ArrayLike<number>): void {
    let n = 0;
    for (let i = 0; i < labels.length; i++) {
      const c = labels[i];
      let m = this.next[n].get(c);
      if (m === undefined) {
        m = this.next.length;
        this.next.push(new Map());
        this.final.push(false);
        this.next[n].set(c, m);
      }
      n = m;
    }
    if (!this.final[n]) {
      this.final[n] = true;
      this.size++;
    }
  }

  /** Child of node n by label c, or −1. */
  child(n: number, c: number): number {
    return this.next[n].get(c) ?? -1;
  }

  /** Whether the path to node n is a whole string that was added. */
  isFinal(n: number): boolean {
    return this.final[n];
  }

  /** Whether `labels` is one of the strings added. */
  has(labels: ArrayLike<number>): boolean {
    let n = 0;
    for (let i = 0; i < labels.length && n >= 0; i++) n = this.child(n, labels[i]);
    return n >= 0 && this.final[n];
  }
}

/** Options of fusedBeamSearch: beam, blank, LM fusion (scorer, α, β) and a trie constraint. Bad values throw ConfigError. */
export interface FusedBeamOptions<S> {
  /** Prefixes kept after each frame. Default 16. */
  beamWidth?: number;
  /** Class index of the blank. Default 0. */
  blank?: number;
  /** How many best labellings to return (fewer if fewer survive). Default 1. */
  topPaths?: number;
  /** Language model for shallow fusion (e.g. an NgramLM); null = none. Default null. */
  scorer?: LabelScorer<S> | null;
  /** LM weight α. Default 0.5 with a scorer. */
  lmWeight?: number;
  /** Bonus β added per emitted label. Default 0. */
  lengthBonus?: number;
  /** Allowed label strings: a prefix grows only along the trie; null = any labels. Default null. */
  trie?: LabelTrie | null;
  /** With a trie: return only prefixes that are whole entries. Default true. */
  complete?: boolean;
  /** Skip a class at a frame when its log-probability is below this (speed; −Infinity = never skip). Default −Infinity. */
  minLogProb?: number;
}

/** One labelling found by fusedBeamSearch, with its CTC and fusion scores. */
export interface FusedHypothesis {
  /** Label ids, blanks removed and repeats collapsed. */
  labels: number[];
  /** log P_CTC of the labelling (summed over its alignments). */
  ctc: number;
  /** α·log P_LM (end included) + β·length; 0 without a scorer and bonus. */
  fusion: number;
  /** ctc + fusion: what the hypotheses are ranked by. */
  score: number;
}

/**
 * One row: logProbs (T, C) log-softmaxed, row-major from `offset` with row stride C. Returns the
 * topPaths best hypotheses, best first (empty when a trie admits nothing that fits).
 */
export function fusedBeamSearch<S>(logProbs: ArrayLike<number>, T: number, C: number, options: FusedBeamOptions<S> = {}, offset = 0): FusedHypothesis[] {
  const { beamWidth = 16, blank = 0, topPaths = 1, scorer = null, trie = null, complete = true, minLogProb = -Infinity } = options;
  const alpha = options.lmWeight ?? (scorer ? 0.5 : 0);
  const beta = options.lengthBonus ?? 0;
  if (!Number.isInteger(beamWidth) || beamWidth < 1) throw new ConfigError(`[fusedBeamSearch] beamWidth must be an integer >= 1; received ${beamWidth}.`);
  if (!Number.isInteger(topPaths) || topPaths < 1) throw new ConfigError(`[fusedBeamSearch] topPaths must be an integer >= 1; received ${topPaths}.`);
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) throw new ConfigError(`[fusedBeamSearch] blank must be in [0, ${C}); received ${blank}.`);
  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) throw new ConfigError(`[fusedBeamSearch] lmWeight and lengthBonus must be finite; received ${alpha}, ${beta}.`);

  // prefixes in a tree: node 0 = empty prefix; per node its parent, label, CTC sums (cur/next
  // frame), fusion score, scorer state and trie node
  const parent: number[] = [-1];
  const label: number[] = [-1];
  const children: Map<number, number>[] = [new Map()];
  const fusion: number[] = [0];
  const state: (S | null)[] = [scorer ? scorer.start() : null];
  const tnode: number[] = [trie ? trie.root : -1];
  const curPb: number[] = [0];
  const curPnb: number[] = [-Infinity];
  const nxtPb: number[] = [-Infinity];
  const nxtPnb: number[] = [-Infinity];
  const stamp: number[] = [-1];

  const child = (n: number, c: number): number => {
    let m = children[n].get(c);
    if (m !== undefined) return m;
    let tn = -1;
    if (trie) {
      tn = trie.child(tnode[n], c);
      if (tn < 0) return -1;
    }
    let f = fusion[n] + beta;
    let st: S | null = null;
    if (scorer) {
      f += alpha * scorer.distribution(state[n] as S)[c];
      st = scorer.advance(state[n] as S, c);
    }
    m = parent.length;
    parent.push(n);
    label.push(c);
    children.push(new Map());
    fusion.push(f);
    state.push(st);
    tnode.push(tn);
    curPb.push(-Infinity);
    curPnb.push(-Infinity);
    nxtPb.push(-Infinity);
    nxtPnb.push(-Infinity);
    stamp.push(-1);
    children[n].set(c, m);
    return m;
  };

  let beam = [0];
  const touched: number[] = [];
  const total = (n: number): number => logAddExp(curPb[n], curPnb[n]) + fusion[n];
  for (let t = 0; t < T; t++) {
    const base = offset + t * C;
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
      nxtPb[n] = logAddExp(nxtPb[n], p + logProbs[base + blank]);
      const last = label[n];
      for (let c = 0; c < C; c++) {
        if (c === blank) continue;
        const lc = logProbs[base + c];
        if (lc < minLogProb || lc === -Infinity) continue;
        if (c === last) {
          // staying on the last label merges into the same prefix (no blank between)
          nxtPnb[n] = logAddExp(nxtPnb[n], pnb + lc);
        }
        const m = child(n, c);
        if (m < 0) continue; // the trie does not allow this label here
        touch(m);
        nxtPnb[m] = logAddExp(nxtPnb[m], (c === last ? pb : p) + lc);
      }
    }
    for (const n of touched) {
      curPb[n] = nxtPb[n];
      curPnb[n] = nxtPnb[n];
    }
    touched.sort((a, b) => total(b) - total(a) || a - b);
    beam = touched.slice(0, beamWidth).filter((n) => logAddExp(curPb[n], curPnb[n]) > -Infinity);
  }
  const out: FusedHypothesis[] = [];
  for (const n of beam) {
    if (trie && complete && !trie.isFinal(tnode[n])) continue;
    const ctc = logAddExp(curPb[n], curPnb[n]);
    const f = fusion[n] + (scorer ? alpha * scorer.distribution(state[n] as S)[scorer.end] : 0);
    const labels: number[] = [];
    for (let m = n; m > 0; m = parent[m]) labels.push(label[m]);
    labels.reverse();
    out.push({ labels, ctc, fusion: f, score: ctc + f });
  }
  out.sort((a, b) => b.score - a.score);
  return out.slice(0, topPaths);
}
