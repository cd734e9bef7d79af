// Reading pronunciations out of a trained G2P network: batched inference in eval mode, greedy
// (best path) or prefix-beam CTC decoding, spelling ↔ ids, and the word / phoneme error rates of
// src/data/cmudict.ts (a word is right when it equals ANY of its dictionary pronunciations).
// Left out: lexicon or n-gram rescoring of the beam (Rao et al. 2015 combine the LSTM with a
// 5-gram joint-sequence model; we report the LSTM alone).

import { Tensor } from '../tensor.js';
import { ConfigError } from '../errors.js';
import type { Sequential } from '../nn/sequential.js';
import { beamSearchDecode, greedyDecode } from '../ctc/decode.js';
import { encodeWord, g2pErrorRates, type G2PExample, type TokenVocab } from '../data/cmudict.js';
import { makeBatch } from './batch.js';

/** How predictIds, evaluateG2P and pronounce decode (exported as G2PDecodeOptions). */
export interface DecodeOptions {
  /** 0 or 1: greedy best path; > 1: CTC prefix beam search of this width. Default 0. */
  beamWidth?: number;
  /** Words per forward pass. Default 256. */
  batchSize?: number;
}

/** Phoneme ids (blank removed) for each example's input, in order. */
export function predictIds(model: Sequential, examples: readonly G2PExample[], options: DecodeOptions = {}): number[][] {
  const { beamWidth = 0, batchSize = 256 } = options;
  if (!Number.isInteger(beamWidth) || beamWidth < 0) throw new ConfigError(`[predictIds] beamWidth must be an integer >= 0; received ${beamWidth}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`[predictIds] batchSize must be a positive integer; received ${batchSize}.`);
  // run words in order of length so a batch holds little padding; answers go back in input order
  const order = Array.from(examples.keys()).sort((a, b) => examples[a].input.length - examples[b].input.length);
  const out: number[][] = new Array(examples.length);
  for (let s = 0; s < order.length; s += batchSize) {
    const idx = order.slice(s, s + batchSize);
    const batch = makeBatch(idx.map((i) => examples[i]));
    const logits: Tensor = model.call(batch.x, { training: false, lengths: batch.lengths }); // (B,T,C)
    const r = beamWidth > 1
      ? beamSearchDecode(logits, batch.lengths, { beamWidth, blank: 0 })
      : greedyDecode(logits, batch.lengths, { blank: 0 });
    idx.forEach((i, k) => (out[i] = r.labels[k]));
  }
  return out;
}

/** Phoneme error rate and word error rate over examples (see g2pErrorRates). */
export function evaluateG2P(
  model: Sequential,
  examples: readonly G2PExample[],
  options: DecodeOptions = {},
): { phonemeErrorRate: number; wordErrorRate: number; words: number } {
  const hyps = predictIds(model, examples, options);
  return { ...g2pErrorRates(hyps, examples), words: examples.length };
}

/** Upper-cases a word and checks every letter is in the model's alphabet. */
export function wordToExample(word: string, letters: TokenVocab, repeat: number, pad = 0): G2PExample {
  const w = word.trim().toUpperCase();
  if (w.length === 0) throw new ConfigError('[g2p] a word must have at least one letter; received an empty string.');
  for (const ch of w) {
    if (!letters.tokens.includes(ch)) {
      throw new ConfigError(
        `[g2p] '${word}' contains '${ch}', which is not in the model's alphabet (${letters.tokens.join('')}); received ${JSON.stringify(word)}. ` +
          'Hint: spell the word with those letters only (digits and punctuation other than the apostrophe were not in training).',
      );
    }
  }
  return { word: w, input: encodeWord(w, letters, repeat, pad), targets: [] };
}

/** Pronunciations of plain words, as ARPAbet phonemes (no stress). */
export function pronounce(
  model: Sequential,
  words: readonly string[],
  vocabs: { letters: TokenVocab; phonemes: TokenVocab; repeat: number; pad?: number },
  options: DecodeOptions = {},
): { word: string; phonemes: string[] }[] {
  const examples = words.map((w) => wordToExample(w, vocabs.letters, vocabs.repeat, vocabs.pad ?? 0));
  const ids = predictIds(model, examples, options);
  return examples.map((e, i) => ({ word: e.word, phonemes: vocabs.phonemes.decode(ids[i]) }));
}
