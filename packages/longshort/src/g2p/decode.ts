// Decoding G2P networks beyond best path: CTC prefix beam search fused with an n-gram phoneme
// language model (src/ctc/lm.ts, trained on the training pronunciations), and word-level
// candidates from a lexicon of known phoneme strings (every training pronunciation, a trie): the
// best in-lexicon labelling replaces the free one when its score plus `lexiconBonus` is at least
// the free one's. The weights (α, β, bonus) are chosen on validation words by tuneG2PDecoder, which
// runs the network once and searches the grid over the cached log-probabilities.
//
// dim key: per word T frames (letters × repeat + pad), C = phonemes + blank.
// Left out: the joint-sequence (graphone) model Rao et al. combine with the network, n-best
// rescoring with other networks.

import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Sequential } from '../nn/sequential.js';
import { logSoftmaxRows } from '../kernels/ref/ctc.js';
import { fusedBeamSearch, LabelTrie, type FusedHypothesis } from '../ctc/fusion.js';
import { NgramLM } from '../ctc/lm.js';
import { ctcForcedAlign } from '../ctc/align.js';
import { g2pErrorRates, type G2PExample, type TokenVocab } from '../data/cmudict.js';
import { makeBatch } from './batch.js';
import { wordToExample } from './infer.js';

/** How decodeG2P searches: beam width, n-gram LM fusion (α, β) and lexicon candidates. Bad values throw ConfigError. */
export interface G2PDecoderOptions {
  /** Prefixes kept per frame. Default 16. */
  beamWidth?: number;
  /** Phoneme n-gram model for shallow fusion (null: none). */
  lm?: NgramLM | null;
  /** α. Default 0.3 with an LM. */
  lmWeight?: number;
  /** β per phoneme. Default 0. */
  lengthBonus?: number;
  /** Known pronunciations (null: none). */
  lexicon?: LabelTrie | null;
  /** Take the best lexicon entry when its score + this ≥ the free best's (−Infinity: never; +Infinity: whenever one fits). Default 0. */
  lexiconBonus?: number;
  /** Classes below this log-probability at a frame are not expanded (speed). Default log(1e-5). */
  minLogProb?: number;
}

/** Per word: the chosen labelling and where it came from. */
export interface G2PDecoded {
  labels: number[];
  from: 'free' | 'lexicon';
}

/** Every pronunciation of the examples, as a trie. */
export function buildLexicon(examples: readonly G2PExample[]): LabelTrie {
  const trie = new LabelTrie();
  for (const e of examples) for (const t of e.targets) trie.add(t);
  return trie;
}

/** An n-gram model over the examples' pronunciations (every pronunciation once). */
export function trainPhonemeLM(examples: readonly G2PExample[], phonemeCount: number, order: number): NgramLM {
  const seqs: Int32Array[] = [];
  for (const e of examples) for (const t of e.targets) seqs.push(t);
  return NgramLM.train(seqs, phonemeCount, order);
}

/** Per word, its frames' log-probabilities (T·C, log-softmaxed) and T; the network runs in eval mode, in batches of similar length. */
export function wordLogProbs(model: Sequential, examples: readonly G2PExample[], batchSize = 256): { lp: Float64Array; T: number; C: number }[] {
  const order = Array.from(examples.keys()).sort((a, b) => examples[a].input.length - examples[b].input.length);
  const out: { lp: Float64Array; T: number; C: number }[] = new Array(examples.length);
  for (let s = 0; s < order.length; s += batchSize) {
    const idx = order.slice(s, s + batchSize);
    const batch = makeBatch(idx.map((i) => examples[i]));
    const logits: Tensor = model.call(batch.x, { training: false, lengths: batch.lengths }); // (B,T,C)
    const [, Tmax, C] = logits.shape;
    idx.forEach((i, k) => {
      const T = batch.lengths[k];
      const lp = new Float64Array(T * C);
      logSoftmaxRows(lp, logits.data, k * Tmax * C, C, T, C);
      out[i] = { lp, T, C };
    });
  }
  return out;
}

function check(o: G2PDecoderOptions): Required<Omit<G2PDecoderOptions, 'lm' | 'lexicon'>> & { lm: NgramLM | null; lexicon: LabelTrie | null } {
  const r = {
    beamWidth: o.beamWidth ?? 16, lm: o.lm ?? null, lmWeight: o.lmWeight ?? (o.lm ? 0.3 : 0), lengthBonus: o.lengthBonus ?? 0,
    lexicon: o.lexicon ?? null, lexiconBonus: o.lexiconBonus ?? 0, minLogProb: o.minLogProb ?? Math.log(1e-5),
  };
  if (!Number.isInteger(r.beamWidth) || r.beamWidth < 1) throw new ConfigError(`[decodeG2P] beamWidth must be an integer >= 1; received ${r.beamWidth}.`);
  if (!Number.isFinite(r.lmWeight) || r.lmWeight < 0) throw new ConfigError(`[decodeG2P] lmWeight must be a finite number >= 0; received ${r.lmWeight}.`);
  if (!Number.isFinite(r.lengthBonus)) throw new ConfigError(`[decodeG2P] lengthBonus must be finite; received ${r.lengthBonus}.`);
  if (Number.isNaN(r.lexiconBonus)) throw new ConfigError('[decodeG2P] lexiconBonus must be a number (±Infinity allowed); received NaN.');
  return r;
}

/** The free and the lexicon-constrained best hypotheses of one word. */
function searchWord(w: { lp: Float64Array; T: number; C: number }, o: ReturnType<typeof check>): { free: FusedHypothesis | null; lex: FusedHypothesis | null } {
  // α = 0 needs no LM queries at all
  const common = { beamWidth: o.beamWidth, scorer: o.lmWeight > 0 ? o.lm : null, lmWeight: o.lmWeight, lengthBonus: o.lengthBonus, minLogProb: o.minLogProb };
  const free = fusedBeamSearch(w.lp, w.T, w.C, common)[0] ?? null;
  const lex = o.lexicon !== null && o.lexiconBonus > -Infinity ? fusedBeamSearch(w.lp, w.T, w.C, { ...common, trie: o.lexicon })[0] ?? null : null;
  return { free, lex };
}

function choose(free: FusedHypothesis | null, lex: FusedHypothesis | null, bonus: number): G2PDecoded {
  if (lex !== null && (free === null || lex.score + bonus >= free.score)) return { labels: lex.labels, from: 'lexicon' };
  return { labels: free?.labels ?? [], from: 'free' };
}

/** Decode words with beam search, LM fusion and lexicon candidates. */
export function decodeG2P(model: Sequential, examples: readonly G2PExample[], options: G2PDecoderOptions = {}): G2PDecoded[] {
  const o = check(options);
  return wordLogProbs(model, examples).map((w) => {
    const { free, lex } = searchWord(w, o);
    return choose(free, lex, o.lexiconBonus);
  });
}

/** Phoneme and word error rates of decodeG2P, plus how often the lexicon candidate was taken. */
export function evaluateG2PDecoder(
  model: Sequential, examples: readonly G2PExample[], options: G2PDecoderOptions = {},
): { phonemeErrorRate: number; wordErrorRate: number; words: number; lexiconShare: number } {
  const d = decodeG2P(model, examples, options);
  const rates = g2pErrorRates(d.map((x) => x.labels), examples);
  return { ...rates, words: examples.length, lexiconShare: d.filter((x) => x.from === 'lexicon').length / Math.max(1, d.length) };
}

/** The values tuneG2PDecoder tries; each list must be non-empty. */
export interface G2PDecoderGrid {
  /** LM weights α to try. */
  lmWeights: number[];
  /** Per-phoneme length bonuses β to try. */
  lengthBonuses: number[];
  /** Tried with every (α, β); −Infinity = no lexicon. */
  lexiconBonuses: number[];
}

/** One point of tuneG2PDecoder's grid and its error rates on the examples. */
export interface G2PTuneRow {
  /** α. */
  lmWeight: number;
  /** β per phoneme. */
  lengthBonus: number;
  /** −Infinity = no lexicon. */
  lexiconBonus: number;
  /** Word error rate, in [0, 1] (see g2pErrorRates). */
  wordErrorRate: number;
  /** Phoneme error rate (see g2pErrorRates). */
  phonemeErrorRate: number;
}

/**
 * Grid search of (α, β, lexicon bonus) on `examples` (validation words): the network runs once;
 * each (α, β) runs the free and the lexicon searches once, and every bonus reuses them.
 * Returns every row and the best (lowest WER, then PER, then the smaller weights).
 */
export function tuneG2PDecoder(
  model: Sequential,
  examples: readonly G2PExample[],
  base: { beamWidth?: number; lm: NgramLM | null; lexicon: LabelTrie | null; minLogProb?: number },
  grid: G2PDecoderGrid,
): { rows: G2PTuneRow[]; best: G2PTuneRow } {
  if (examples.length === 0) throw new ConfigError('[tuneG2PDecoder] need at least one example; received 0.');
  for (const [k, v] of Object.entries(grid)) {
    if (!Array.isArray(v) || v.length === 0) throw new ConfigError(`[tuneG2PDecoder] grid.${k} must be a non-empty array; received ${JSON.stringify(v)}.`);
  }
  const words = wordLogProbs(model, examples);
  const rows: G2PTuneRow[] = [];
  for (const a of grid.lmWeights) {
    for (const b of grid.lengthBonuses) {
      const useLex = base.lexicon !== null && grid.lexiconBonuses.some((g) => g > -Infinity);
      const o = check({ ...base, lmWeight: a, lengthBonus: b, lexiconBonus: useLex ? 0 : -Infinity });
      const found = words.map((w) => searchWord(w, o));
      for (const g of grid.lexiconBonuses) {
        const hyps = found.map((f) => choose(f.free, g === -Infinity ? null : f.lex, g).labels);
        const r = g2pErrorRates(hyps, examples);
        rows.push({ lmWeight: a, lengthBonus: b, lexiconBonus: g, wordErrorRate: r.wordErrorRate, phonemeErrorRate: r.phonemeErrorRate });
      }
    }
  }
  const cmp = (p: number, q: number): number => (p === q ? 0 : p < q ? -1 : 1); // ±Infinity-safe
  const best = [...rows].sort((x, y) => cmp(x.wordErrorRate, y.wordErrorRate) || cmp(x.phonemeErrorRate, y.phonemeErrorRate) ||
    cmp(x.lmWeight, y.lmWeight) || cmp(Math.abs(x.lengthBonus), Math.abs(y.lengthBonus)) || cmp(x.lexiconBonus, y.lexiconBonus))[0];
  return { rows, best };
}

/** One input frame of a pronounced word. */
export interface G2PFrame {
  /** The letter this frame reads ('' for an end-padding frame). */
  input: string;
  /** What the forced alignment of the output emits here: a phoneme, or '' for the blank. */
  emit: string;
  /** Index of that phoneme in the output, or −1 (blank). */
  phonemeIndex: number;
  /** The network's probability of `emit` at this frame. */
  prob: number;
  /** The most probable class at this frame ('' = blank) and its probability. */
  top: string;
  topProb: number;
}

/**
 * Pronounce one word and show how the network got there: the decoder's output and, per input
 * frame, the class the best alignment of that output emits (ctcForcedAlign) beside the frame's own
 * most probable class.
 */
export function pronounceWithAlignment(
  model: Sequential,
  word: string,
  vocabs: { letters: TokenVocab; phonemes: TokenVocab; repeat: number; pad?: number },
  options: G2PDecoderOptions = {},
): { word: string; phonemes: string[]; from: 'free' | 'lexicon'; frames: G2PFrame[]; logProbs: Float64Array; classes: number } {
  const ex = wordToExample(word, vocabs.letters, vocabs.repeat, vocabs.pad ?? 0);
  const o = check(options);
  const [w] = wordLogProbs(model, [ex]);
  const { free, lex } = searchWord(w, o);
  const d = choose(free, lex, o.lexiconBonus);
  const a = ctcForcedAlign(w.lp, w.T, w.C, d.labels);
  const letters = [...ex.word];
  const name = (c: number): string => (c === 0 ? '' : vocabs.phonemes.token(c));
  const frames: G2PFrame[] = a.path.map((c, t) => {
    let top = 0;
    for (let k = 1; k < w.C; k++) if (w.lp[t * w.C + k] > w.lp[t * w.C + top]) top = k;
    const li = Math.floor(t / vocabs.repeat);
    return {
      input: li < letters.length ? letters[li] : '', emit: name(c), phonemeIndex: a.labelIndex[t],
      prob: Math.exp(w.lp[t * w.C + c]), top: name(top), topProb: Math.exp(w.lp[t * w.C + top]),
    };
  });
  // logProbs: (T, C) log-softmaxed network output, for drawing; classes = C (0 = blank)
  return { word: ex.word, phonemes: vocabs.phonemes.decode(d.labels), from: d.from, frames, logProbs: w.lp, classes: w.C };
}
