// A character language model for reading handwriting: an n-gram model over the alphabet's
// characters, space included (src/ctc/lm.ts, interpolated Kneser-Ney), trained on texts drawn the
// way training texts are drawn (sampleText: single words and short phrases, lower-case,
// Capitalised, UPPER) from the training words only — so the words of the held-out test set are
// never in it, and it knows spelling, not answers. The decoder fuses it into the CTC prefix beam
// search (src/ctc/fusion.ts): a prefix that appends a character gains α·log P(char | last n−1
// characters) + β. It reads unseen words too: it is not a lexicon.
// Browser-safe: the page's worker builds it from the lexicon it already loads (~1 s).
//
// Left out: a word-level model (Graves et al. 2009 used a word bigram with their lexicon).

import { ConfigError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { NgramLM } from '../ctc/lm.js';
import { encodeText, sampleText, trainingWords } from './text.js';

/**
 * The recipe of the character model and its fusion weights. order, texts: measured on the shipped
 * model's validation set (training fonts writing test words): order 5 on 50,000 texts of the
 * lexicon's training words builds in ~1.2 s and read the held-out fonts as well as order 6 on
 * 300,000 texts with the CMU dictionary's words too (15 s to build). weight (α) and bonus (β):
 * the best of a grid on the validation set (scripts/handwriting/tune-lm.ts; docs/handwriting.md).
 * beamWidth: the search's width in `handwriting eval`; prune: characters below this probability
 * at a frame are not appended (a search ~10× faster, the same readings on 300 validation inks).
 */
export const HANDWRITING_LM = Object.freeze({ order: 5, texts: 50_000, seed: 7, weight: 0.6, bonus: 2, beamWidth: 16, prune: 1e-4 });

/** Options of handwritingCharLM(). */
export interface HandwritingLmOptions {
  /** n of the n-gram model. Default HANDWRITING_LM.order (5). */
  order?: number;
  /** Texts drawn to count. Default HANDWRITING_LM.texts (50,000). */
  texts?: number;
  /** Seed of the texts drawn. Default HANDWRITING_LM.seed. */
  seed?: number;
}

/**
 * A character n-gram model of handwriting texts, counted on `texts` texts drawn with sampleText()
 * from `words` minus the test words (trainingWords). Characters outside `alphabet` are not
 * allowed (ConfigError names the word); so is a word list without training words.
 */
export function handwritingCharLM(words: readonly string[], alphabet: string, options: HandwritingLmOptions = {}): NgramLM {
  const { order = HANDWRITING_LM.order, texts = HANDWRITING_LM.texts, seed = HANDWRITING_LM.seed } = options;
  if (!Number.isInteger(texts) || texts < 1) throw new ConfigError(`[handwritingCharLM] texts must be a positive integer; received ${texts}.`);
  const train = trainingWords(words.filter((w) => w.length > 0));
  if (train.length === 0) throw new ConfigError(`[handwritingCharLM] no training words among the ${words.length} given (every one is a test word or empty).`);
  for (const w of train) {
    for (const ch of w) {
      if (ch === ' ' || !alphabet.includes(ch) || !alphabet.includes(ch.toUpperCase())) {
        throw new ConfigError(`[handwritingCharLM] word '${w}' has '${ch}', which the alphabet cannot write. Hint: filter the word list to the alphabet's letters.`);
      }
    }
  }
  const rng = new Rng(seed);
  const seqs: Int32Array[] = new Array(texts);
  for (let i = 0; i < texts; i++) seqs[i] = encodeText(sampleText(rng, train), alphabet);
  return NgramLM.train(seqs, alphabet.length, order);
}
