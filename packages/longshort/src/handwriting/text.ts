// What the handwriting recogniser reads and writes: its alphabet (space and the 52 Latin letters;
// id 0 is the CTC blank), word lists, the fixed split of the lexicon into training and test words,
// and the sampler of the texts that are written (single words in lower, Capitalised or UPPER
// case, and short phrases).
// Left out: digits and punctuation (the word lists have none).

import { ConfigError } from '../errors.js';
import type { Rng } from '../util/rng.js';

/** Characters in id order from id 1 (id 0 is the CTC blank). */
export const HANDWRITING_ALPHABET = ' abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Label ids (from 1) of a text; throws on a character outside the alphabet. */
export function encodeText(text: string, alphabet: string = HANDWRITING_ALPHABET): Int32Array {
  const out = new Int32Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const k = alphabet.indexOf(text[i]);
    if (k < 0) {
      throw new ConfigError(
        `[encodeText] ${JSON.stringify(text[i])} (in ${JSON.stringify(text)}) is not in the alphabet ${JSON.stringify(alphabet)}. Hint: write letters and spaces only.`,
      );
    }
    out[i] = k + 1;
  }
  return out;
}

/** Text of label ids (blank-free, from 1). */
export function decodeLabels(ids: ArrayLike<number>, alphabet: string = HANDWRITING_ALPHABET): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) s += alphabet[ids[i] - 1] ?? '?';
  return s;
}

/** Words of a word list: one per line, '#' starts a comment line, blank lines skipped. */
export function parseWordList(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const w = line.trim();
    if (w.length === 0 || w.startsWith('#')) continue;
    out.push(w);
  }
  return out;
}

/** FNV-1a of a word: a split that depends on the word alone (not on list order or a seed). */
function hashWord(w: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) {
    h ^= w.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** True for the fifth of all words (by hash) that only the test set may use. */
export function isTestWord(word: string): boolean {
  return hashWord(word.toLowerCase()) % 5 === 0;
}

/** The lexicon cut into training and test words by isTestWord (about 80 / 20). */
export function splitWords(words: readonly string[]): { train: string[]; test: string[] } {
  const train: string[] = [];
  const test: string[] = [];
  for (const w of words) (isTestWord(w) ? test : train).push(w);
  return { train, test };
}

/** Options of sampleText(). */
export interface TextSamplerOptions {
  /** Chance of a phrase of 2–3 words instead of one word. Default 0.2. */
  phraseProb?: number;
  /** Chance of a Capitalised word (first letter), and of an UPPER-case one. Default 0.15 and 0.05. */
  capitalProb?: number;
  /** Chance of an UPPER-case word. Default 0.05. */
  upperProb?: number;
  /** Longest text in characters. Default 24. */
  maxChars?: number;
}

/** Texts to write: words from `words` (uniformly), cased and grouped as the options say. */
export function sampleText(rng: Rng, words: readonly string[], options: TextSamplerOptions = {}): string {
  const { phraseProb = 0.2, capitalProb = 0.15, upperProb = 0.05, maxChars = 24 } = options;
  if (words.length === 0) throw new ConfigError('[sampleText] words must not be empty.');
  const n = rng.next() < phraseProb ? 2 + rng.int(2) : 1;
  const parts: string[] = [];
  let len = -1;
  for (let i = 0; i < n; i++) {
    let w = words[rng.int(words.length)];
    const r = rng.next();
    if (r < upperProb) w = w.toUpperCase();
    else if (r < upperProb + capitalProb || (i === 0 && n > 1 && r < 0.5)) w = w[0].toUpperCase() + w.slice(1);
    if (parts.length > 0 && len + 1 + w.length > maxChars) break;
    parts.push(w);
    len += 1 + w.length;
  }
  return parts.join(' ');
}

/**
 * The words training draws from: the lexicon's training words (common words) and the dictionary's
 * words (rare ones too), each source drawn half the time, test words (isTestWord) removed from both.
 * Returned as one list in which each common word appears often enough to balance the two halves.
 */
export function trainingWords(lexicon: readonly string[], dictionary: readonly string[] = []): string[] {
  const common = lexicon.filter((w) => !isTestWord(w));
  const rare = dictionary.filter((w) => /^[a-z]+$/.test(w) && !isTestWord(w));
  if (rare.length === 0) return common;
  const repeat = Math.max(1, Math.round(rare.length / Math.max(common.length, 1)));
  const out = [...rare];
  for (let r = 0; r < repeat; r++) out.push(...common);
  return out;
}
