// Reading ink with a trained network: batched inference in eval mode, then greedy (best path),
// prefix beam search (with the top alternatives; optionally fused with a character language
// model, ./lm.ts) or lexicon-constrained beam search; the CTC
// alignment (which frame emitted which character) for display; character and word error rates.
// Browser-safe: the page's worker and the CLI both call recogniseInk / evaluateHandwriting.
//
// dim key: B inks in a batch, T frames, C classes (alphabet + blank 0).

import { Tensor } from '../tensor.js';
import { ConfigError } from '../errors.js';
import type { Sequential } from '../nn/sequential.js';
import { beamSearchDecode, greedyDecode } from '../ctc/decode.js';
import { Lexicon, lexiconBeamSearchDecode } from '../ctc/lexicon.js';
import { fusedBeamSearch } from '../ctc/fusion.js';
import type { NgramLM } from '../ctc/lm.js';
import { logSoftmaxRows } from '../kernels/ref/ctc.js';
import { HANDWRITING_LM } from './lm.js';
import { labelErrorRate, wordErrorRate } from '../ctc/metrics.js';
import type { Ink } from './ink.js';
import { inkFeatures } from './features.js';
import { makeShard, type EncodedExample } from './dataset.js';
import type { HandwritingConfig } from './model.js';
import { decodeLabels, encodeText } from './text.js';

/**
 * A lexicon for the decoder: every word as written, plus (caseVariants) its Capitalised and UPPER
 * forms, since a word list is usually lower-case. Words with characters outside the alphabet are
 * skipped.
 */
export function handwritingLexicon(words: Iterable<string>, alphabet: string, options: { caseVariants?: boolean } = {}): Lexicon {
  const { caseVariants = true } = options;
  const forms = new Set<string>();
  for (const w of words) {
    if (w.length === 0) continue;
    forms.add(w);
    if (caseVariants) {
      forms.add(w[0].toUpperCase() + w.slice(1));
      forms.add(w.toUpperCase());
    }
  }
  const seqs: Int32Array[] = [];
  for (const f of forms) {
    if ([...f].every((ch) => ch !== ' ' && alphabet.includes(ch))) seqs.push(encodeText(f, alphabet));
  }
  return new Lexicon(seqs, alphabet.length + 1);
}

/**
 * Default beam of the lexicon-constrained search. The trie prunes hard, so a narrow beam loses
 * words early: on 300 held-out inks (docs/handwriting.md) widths 16, 48 and 128 gave 21.1%, 18.7%
 * and 18.2% WER at 17, 46 and 126 s.
 */
export const LEXICON_BEAM_WIDTH = 64;

/** How recogniseInk() and evaluateHandwriting() decode the network's output. */
export interface DecodeSettings {
  /** 0 or 1: greedy; > 1: prefix beam search of this width. Default 0. */
  beamWidth?: number;
  /** Constrain the output to words of this lexicon (beam search of width lexiconBeamWidth; lm is then not used). */
  lexicon?: Lexicon;
  /** Beam width of the lexicon-constrained search. Default LEXICON_BEAM_WIDTH (64). */
  lexiconBeamWidth?: number;
  /**
   * A character model (handwritingCharLM) fused into the free beam search (which then needs
   * beamWidth ≥ 2): each appended character scores lmWeight·log P(char | context) + lengthBonus.
   */
  lm?: NgramLM;
  /** α of the fusion. Default HANDWRITING_LM.weight. */
  lmWeight?: number;
  /** β, per character. Default HANDWRITING_LM.bonus. */
  lengthBonus?: number;
  /** Alternatives returned per ink (beam search only). Default 1. */
  topPaths?: number;
  /** Inks per forward pass. Default 64. */
  batchSize?: number;
}

/** What recogniseInk() returns for one ink. */
export interface InkRecognition {
  /** The free reading (greedy or beam search, whichever the settings ask for). */
  text: string;
  /** The lexicon-constrained reading, when settings.lexicon was given ('' when no word fits). */
  lexiconText?: string;
  /** Best labellings, best first, with their log-probabilities (greedy: just the best path). */
  alternatives: { text: string; score: number }[];
  /** Per frame: the most probable class (0 = blank) — the best path, i.e. the CTC alignment. */
  bestPath: Int32Array;
  /** (T, 2) frame positions in the ink's coordinates (see inkFeatures). */
  framePositions: Float32Array;
}

function decodeBatch(logits: Tensor, lengths: Int32Array, alphabet: string, s: DecodeSettings): { text: string; alternatives: { text: string; score: number }[] }[] {
  const { beamWidth = 0, lexicon, topPaths = 1, lexiconBeamWidth = LEXICON_BEAM_WIDTH } = s;
  const sep = alphabet.indexOf(' ') + 1 || undefined;
  if (lexicon !== undefined) {
    const width = Math.max(lexiconBeamWidth, topPaths);
    const r = lexiconBeamSearchDecode(logits, lengths, { lexicon, beamWidth: width, topPaths, separator: sep });
    return r.nbest.map((nb) => ({
      text: nb.length > 0 ? decodeLabels(nb[0].labels, alphabet) : '',
      alternatives: nb.map((p) => ({ text: decodeLabels(p.labels, alphabet), score: p.score })),
    }));
  }
  if (s.lm !== undefined) {
    const [B, Tmax, C] = logits.shape;
    const out: { text: string; alternatives: { text: string; score: number }[] }[] = [];
    const lp = new Float64Array(Tmax * C); // (T, C) of one ink at a time, as the other decoders do
    for (let b = 0; b < B; b++) {
      logSoftmaxRows(lp, logits.data, b * Tmax * C, C, lengths[b], C);
      const nb = fusedBeamSearch(lp, lengths[b], C, {
        beamWidth, topPaths: Math.min(topPaths, beamWidth), scorer: s.lm, lmWeight: s.lmWeight ?? HANDWRITING_LM.weight, lengthBonus: s.lengthBonus ?? HANDWRITING_LM.bonus,
        minLogProb: Math.log(HANDWRITING_LM.prune),
      });
      out.push({ text: decodeLabels(nb[0].labels, alphabet), alternatives: nb.map((p) => ({ text: decodeLabels(p.labels, alphabet), score: p.score })) });
    }
    return out;
  }
  if (beamWidth > 1) {
    const r = beamSearchDecode(logits, lengths, { beamWidth, topPaths: Math.min(topPaths, beamWidth) });
    return r.nbest.map((nb) => ({ text: decodeLabels(nb[0].labels, alphabet), alternatives: nb.map((p) => ({ text: decodeLabels(p.labels, alphabet), score: p.score })) }));
  }
  const r = greedyDecode(logits, lengths);
  return r.labels.map((l, b) => {
    const text = decodeLabels(l, alphabet);
    return { text, alternatives: [{ text, score: r.scores[b] }] };
  });
}

function checkSettings(s: DecodeSettings): void {
  const { beamWidth = 0, topPaths = 1, batchSize = 64, lexiconBeamWidth = LEXICON_BEAM_WIDTH } = s;
  if (!Number.isInteger(beamWidth) || beamWidth < 0) throw new ConfigError(`[handwriting] beamWidth must be an integer >= 0; received ${beamWidth}.`);
  if (!Number.isInteger(lexiconBeamWidth) || lexiconBeamWidth < 1) throw new ConfigError(`[handwriting] lexiconBeamWidth must be a positive integer; received ${lexiconBeamWidth}.`);
  if (!Number.isInteger(topPaths) || topPaths < 1) throw new ConfigError(`[handwriting] topPaths must be an integer >= 1; received ${topPaths}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`[handwriting] batchSize must be a positive integer; received ${batchSize}.`);
  if (s.lmWeight !== undefined && !(Number.isFinite(s.lmWeight) && s.lmWeight >= 0)) throw new ConfigError(`[handwriting] lmWeight must be a finite number >= 0; received ${s.lmWeight}.`);
  if (s.lengthBonus !== undefined && !Number.isFinite(s.lengthBonus)) throw new ConfigError(`[handwriting] lengthBonus must be a finite number; received ${s.lengthBonus}.`);
  if (s.lm !== undefined && beamWidth < 2) throw new ConfigError(`[handwriting] a language model (lm) is fused into beam search: beamWidth must be >= 2; received ${beamWidth}.`);
}

/** Texts of encoded examples, in input order (inference batched by length). */
export function recogniseEncoded(model: Sequential, config: HandwritingConfig, examples: readonly EncodedExample[], settings: DecodeSettings = {}): string[] {
  checkSettings(settings);
  const bs = settings.batchSize ?? 64;
  const order = Array.from(examples.keys()).sort((a, b) => examples[a].length - examples[b].length);
  const out: string[] = new Array(examples.length);
  for (let s = 0; s < order.length; s += bs) {
    const shard = makeShard(examples, order.slice(s, s + bs));
    const logits = model.call(shard.x, { training: false, lengths: shard.lengths }); // (B,T,C)
    decodeBatch(logits, shard.lengths, config.alphabet, settings).forEach((r, k) => (out[shard.index[k]] = r.text));
  }
  return out;
}

/** Reads one ink: the free text with its alternatives, the lexicon reading (with settings.lexicon), and the alignment. */
export function recogniseInk(model: Sequential, config: HandwritingConfig, ink: Ink, settings: DecodeSettings = {}): InkRecognition {
  checkSettings(settings);
  const f = inkFeatures(ink, { spacing: config.spacing, stack: config.stack });
  const x = new Tensor(f.frames, [1, f.length, f.width]);
  const lengths = Int32Array.of(f.length);
  const logits = model.call(x, { training: false, lengths }); // (1,T,C)
  const C = logits.shape[2];
  const bestPath = new Int32Array(f.length);
  for (let t = 0; t < f.length; t++) {
    let arg = 0;
    for (let c = 1; c < C; c++) if (logits.data[t * C + c] > logits.data[t * C + arg]) arg = c;
    bestPath[t] = arg;
  }
  const [r] = decodeBatch(logits, lengths, config.alphabet, { ...settings, lexicon: undefined });
  const out: InkRecognition = { text: r.text, alternatives: r.alternatives, bestPath, framePositions: f.framePositions };
  if (settings.lexicon !== undefined) out.lexiconText = decodeBatch(logits, lengths, config.alphabet, { ...settings, topPaths: 1 })[0].text;
  return out;
}

/** Error rates of handwriting recognition. */
export interface HandwritingScores {
  /** Character error rate: edits / reference characters (spaces count). */
  cer: number;
  /** Word error rate: word edits / reference words. */
  wer: number;
  /** Examples scored. */
  examples: number;
}

/** CER and WER of decoded texts against references. */
export function handwritingErrorRates(hyps: readonly string[], refs: readonly string[]): HandwritingScores {
  return { cer: labelErrorRate(hyps, refs), wer: wordErrorRate(hyps, refs), examples: refs.length };
}

/** Decodes `examples` and scores them against their texts. */
export function evaluateHandwriting(
  model: Sequential, config: HandwritingConfig, examples: readonly EncodedExample[], settings: DecodeSettings = {},
): HandwritingScores & { hyps: string[] } {
  const hyps = recogniseEncoded(model, config, examples, settings);
  return { ...handwritingErrorRates(hyps, examples.map((e) => e.text)), hyps };
}
