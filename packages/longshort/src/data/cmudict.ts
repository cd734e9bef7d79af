// Grapheme-to-phoneme (G2P) data from the CMU Pronouncing Dictionary, shaped for a CTC model:
// letters in, ARPAbet phonemes (stress removed) out. Pure functions over the word → pronunciation
// table, so this file runs in browsers too; reading the dictionary from node_modules is in
// src/data/cmudict-node.ts.
//
//   - Alternate pronunciations ("TOMATO", "TOMATO(1)") are grouped under one word: a model's
//     output counts as correct when it equals ANY of them.
//   - Inputs are each letter repeated `repeat` times (default 2), followed by `pad` frames of id 0
//     (default 0). CTC needs at least one frame per phoneme (plus one between equal neighbours);
//     some words have more phonemes than letters ("X" = EH K S): doubling the frames, or a few
//     extra frames at the end that a bidirectional network can emit into, makes them reachable.
//   - The train/validation/test split is a fixed function of the word, so it never changes with
//     the dictionary order, the seed or the subset used, and all pronunciations of a word land in
//     the same split. Default: FNV-1a hash mod 100 (< 90 train, 90–94 validation, 95–99 test).
//     With `testWords` (the paper's test list, data/cmudict-g014b2b-test-words.txt): those words
//     are the test split, and of the rest hash mod 100 < validationPercent is validation.
// Left out: batching/padding (the trainer's job), lexical stress prediction, words with digits
// or punctuation other than the apostrophe (dropped by the default wordPattern).

import { ConfigError } from '../errors.js';
import { editDistance } from '../ctc/metrics.js';

/** One word of the CMU Pronouncing Dictionary with all its pronunciations (ARPAbet, stress removed). */
export interface CmuEntry {
  /** Upper-case spelling, without the "(1)" variant suffix. */
  word: string;
  /** Distinct pronunciations after stress removal, in dictionary order (first = primary). */
  prons: string[][];
}

/** Options of parseCmudict(). */
export interface ParseOptions {
  /** Keep only words (variant suffix removed) matching this. Default /^[A-Z']+$/. */
  wordPattern?: RegExp;
}

/** 'AH0' → 'AH', 'EY1' → 'EY'; consonants are unchanged. */
export function stripStress(phoneme: string): string {
  return phoneme.replace(/[012]$/, '');
}

/**
 * Groups a CMUdict table ({ "READ": "R EH1 D", "READ(1)": "R IY1 D", … }) by word, strips stress
 * and drops pronunciations that become duplicates without it. Sorted by word.
 */
export function parseCmudict(dict: Readonly<Record<string, string>>, options: ParseOptions = {}): CmuEntry[] {
  const { wordPattern = /^[A-Z']+$/ } = options;
  const byWord = new Map<string, { prons: string[][]; seen: Set<string> }>();
  for (const key of Object.keys(dict)) {
    const word = key.replace(/\(\d+\)$/, '');
    if (!wordPattern.test(word)) continue;
    const pron = dict[key].trim().split(/\s+/).filter((p) => p !== '').map(stripStress);
    if (pron.length === 0) continue;
    let e = byWord.get(word);
    if (!e) byWord.set(word, (e = { prons: [], seen: new Set() }));
    const k = pron.join(' ');
    if (!e.seen.has(k)) {
      e.seen.add(k);
      e.prons.push(pron);
    }
  }
  // Object.keys keeps the file order, where "READ" precedes "READ(1)", so prons[0] is the primary
  return [...byWord.keys()].sort().map((word) => ({ word, prons: byWord.get(word)!.prons }));
}

/** 32-bit FNV-1a over the UTF-8 bytes of s (offset basis 2166136261, prime 16777619). */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(s)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A G2P data split (splitOf). */
export type Split = 'train' | 'validation' | 'test';

/** Fixed split of a word: FNV-1a(word) mod 100 → [0, 90) train, [90, 95) validation, [95, 100) test. */
export function splitOf(word: string): Split {
  const bucket = fnv1a32(word) % 100;
  return bucket < 90 ? 'train' : bucket < 95 ? 'validation' : 'test';
}

/** A token ↔ id table. `offset` ids at the bottom are reserved (0 = CTC blank or padding). */
export class TokenVocab {
  /** The tokens; token k has id k + offset. */
  readonly tokens: readonly string[];
  private readonly ids: Map<string, number>;

  /** Ids start at `offset`; `reservedName` names the ids below it in messages ('CTC blank'). Duplicate tokens throw ConfigError. */
  constructor(tokens: readonly string[], readonly offset: number, readonly reservedName: string) {
    this.tokens = Object.freeze([...tokens]);
    this.ids = new Map(tokens.map((t, i) => [t, i + offset]));
    if (this.ids.size !== tokens.length) throw new ConfigError(`[TokenVocab] tokens must be distinct; received ${tokens.length} with duplicates.`);
  }

  /** Number of ids including the reserved ones (the C of a classifier over this vocabulary). */
  get size(): number {
    return this.tokens.length + this.offset;
  }

  /** The id of a token; an unknown token throws ConfigError. */
  id(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) {
      throw new ConfigError(`[TokenVocab] unknown token ${JSON.stringify(token)}; known: ${this.tokens.join(' ')}.`);
    }
    return id;
  }

  /** The token of an id; a reserved or out-of-range id throws ConfigError. */
  token(id: number): string {
    const t = this.tokens[id - this.offset];
    if (t === undefined) {
      throw new ConfigError(`[TokenVocab] id must be in [${this.offset}, ${this.size}) (ids below ${this.offset} are the ${this.reservedName}); received ${id}.`);
    }
    return t;
  }

  /** Ids of a token sequence. */
  encode(tokens: Iterable<string>): Int32Array {
    return Int32Array.from(tokens, (t) => this.id(t));
  }

  /** Tokens of an id sequence. */
  decode(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (i) => this.token(i));
  }
}

/** Letters: ids from 1 (0 = padding). Phonemes: ids from 1 (0 = CTC blank). Both sorted. */
export function buildVocabs(entries: readonly CmuEntry[]): { letters: TokenVocab; phonemes: TokenVocab } {
  const letters = new Set<string>();
  const phonemes = new Set<string>();
  for (const e of entries) {
    for (const ch of e.word) letters.add(ch);
    for (const p of e.prons) for (const ph of p) phonemes.add(ph);
  }
  return {
    letters: new TokenVocab([...letters].sort(), 1, 'padding id'),
    phonemes: new TokenVocab([...phonemes].sort(), 1, 'CTC blank'),
  };
}

/**
 * Letter ids of a word, each repeated `repeat` times, then `pad` frames of id 0 (the embedding's
 * padding row: zeros the network still reads, inside the word's length): "AB", repeat 2, pad 1 →
 * [A, A, B, B, 0].
 */
export function encodeWord(word: string, letters: TokenVocab, repeat = 2, pad = 0): Int32Array {
  if (!Number.isInteger(repeat) || repeat < 1) throw new ConfigError(`[encodeWord] repeat must be an integer >= 1; received ${repeat}.`);
  if (!Number.isInteger(pad) || pad < 0) throw new ConfigError(`[encodeWord] pad must be an integer >= 0; received ${pad}.`);
  const chars = [...word];
  const out = new Int32Array(chars.length * repeat + pad); // the pad frames stay 0
  for (let i = 0; i < chars.length; i++) out.fill(letters.id(chars[i]), i * repeat, (i + 1) * repeat);
  return out;
}

/** Frames CTC needs for a label sequence: one per label plus one between equal neighbours. */
export function ctcMinFrames(labels: ArrayLike<number>): number {
  let n = labels.length;
  for (let i = 1; i < labels.length; i++) if (labels[i] === labels[i - 1]) n++;
  return n;
}

/** One word encoded for a CTC G2P model. */
export interface G2PExample {
  /** Upper-case spelling. */
  word: string;
  /** Letter ids, each letter repeated (length = letters × repeat). */
  input: Int32Array;
  /** Phoneme ids of every accepted pronunciation (train: only those CTC can reach in input.length frames). */
  targets: Int32Array[];
}

/** G2P data ready for training (buildG2PData): vocabularies and the fixed hash split. */
export interface G2PData {
  /** Letter ids from 1 (0 = padding). */
  letters: TokenVocab;
  /** Phoneme ids from 1 (0 = CTC blank). */
  phonemes: TokenVocab;
  /** Words with FNV-1a(word) mod 100 in [0, 90). */
  train: G2PExample[];
  /** Words with FNV-1a(word) mod 100 in [90, 95). */
  validation: G2PExample[];
  /** Words with FNV-1a(word) mod 100 in [95, 100). */
  test: G2PExample[];
  /** Training words dropped because no pronunciation fits in the input frames (validation/test keep theirs: they count as errors). */
  droppedTrainWords: string[];
  /** How words became frames (encodeWord). */
  encoding: { repeat: number; pad: number };
  /** With `testWords`: the listed words the dictionary does not have (they cannot be scored). */
  missingTestWords: string[];
}

/** Options of buildG2PData: the input encoding and how words are split into train / validation / test. */
export interface G2PDataOptions {
  /** Frames per letter. Default 2. */
  repeat?: number;
  /** Frames of id 0 after the last letter. Default 0. */
  pad?: number;
  /** These words (upper case) are the test split; default: the hash split (splitOf). */
  testWords?: Iterable<string>;
  /** With testWords: the share of the other words (FNV-1a mod 100 below it) held out for validation. Default 3. */
  validationPercent?: number;
}

/** Vocabularies, encoding and the fixed split in one step. */
export function buildG2PData(entries: readonly CmuEntry[], options: G2PDataOptions = {}): G2PData {
  const { repeat = 2, pad = 0, validationPercent = 3 } = options;
  if (!(validationPercent >= 0 && validationPercent < 100)) {
    throw new ConfigError(`[buildG2PData] validationPercent must be in [0, 100); received ${validationPercent}.`);
  }
  const testWords = options.testWords === undefined ? null : new Set(options.testWords);
  const { letters, phonemes } = buildVocabs(entries);
  const data: G2PData = {
    letters, phonemes, train: [], validation: [], test: [], droppedTrainWords: [], encoding: { repeat, pad }, missingTestWords: [],
  };
  const seen = new Set<string>();
  for (const e of entries) {
    const input = encodeWord(e.word, letters, repeat, pad);
    let targets = e.prons.map((p) => phonemes.encode(p));
    seen.add(e.word);
    const split: Split = testWords === null
      ? splitOf(e.word)
      : testWords.has(e.word) ? 'test' : fnv1a32(e.word) % 100 < validationPercent ? 'validation' : 'train';
    if (split === 'train') {
      targets = targets.filter((t) => ctcMinFrames(t) <= input.length);
      if (targets.length === 0) {
        data.droppedTrainWords.push(e.word);
        continue;
      }
    }
    data[split].push({ word: e.word, input, targets });
  }
  if (testWords !== null) data.missingTestWords = [...testWords].filter((w) => !seen.has(w)).sort();
  return data;
}

/** True when the hypothesis equals any accepted pronunciation. */
export function isCorrect(hyp: ArrayLike<number>, example: G2PExample): boolean {
  return example.targets.some((t) => t.length === hyp.length && t.every((v, i) => v === hyp[i]));
}

/**
 * G2P scores over a list of examples: `wordErrorRate` = fraction of words whose hypothesis matches
 * no accepted pronunciation; `phonemeErrorRate` = total edits to the CLOSEST accepted pronunciation
 * / total length of those closest pronunciations.
 */
export function g2pErrorRates(hyps: readonly ArrayLike<number>[], examples: readonly G2PExample[]): { phonemeErrorRate: number; wordErrorRate: number } {
  if (hyps.length !== examples.length || examples.length === 0) {
    throw new ConfigError(`[g2pErrorRates] need one hypothesis per example and at least one example; received ${hyps.length} hyps and ${examples.length} examples.`);
  }
  let edits = 0;
  let refLen = 0;
  let wrong = 0;
  for (let i = 0; i < examples.length; i++) {
    let best = Infinity;
    let bestLen = 0;
    for (const t of examples[i].targets) {
      const d = editDistance(hyps[i], t);
      if (d < best || (d === best && t.length > bestLen)) {
        best = d;
        bestLen = t.length;
      }
    }
    edits += best;
    refLen += bestLen;
    if (best !== 0) wrong++;
  }
  return { phonemeErrorRate: edits / refLen, wordErrorRate: wrong / examples.length };
}
