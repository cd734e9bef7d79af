// Handwriting examples for training and evaluation: example i of a set is text, font and writer
// drawn from a generator seeded by (seed, i), so any example can be made again on its own and a
// set is the same on every machine. Encoded examples carry the network's frames and the label ids;
// shards pad examples of similar length into (N, T, W) tensors for the trainer and the thread pool.
//
// dim key: N examples in a shard, T = the shard's longest frame count, W frame width,
//          L = the shard's longest label sequence.

import { Tensor } from '../tensor.js';
import { ConfigError } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { StrokeFont } from './fonts.js';
import type { Ink } from './ink.js';
import { renderInk, sampleWriterStyle, type InkVariation } from './synth.js';
import { inkFeatures, type FeatureOptions } from './features.js';
import { encodeText, sampleText, type TextSamplerOptions } from './text.js';

/** One synthetic handwriting sample: a text, the font that wrote it, and the pen trajectory. */
export interface HandwritingExample {
  /** What is written. */
  text: string;
  /** Id of the font that wrote it. */
  font: string;
  /** The strokes. */
  ink: Ink;
}

/** How synthetic handwriting is made: fonts, word list, seed, and how texts are sampled. */
export interface SynthesisOptions extends TextSamplerOptions {
  /** Fonts to write with (one chosen uniformly per example). */
  fonts: readonly StrokeFont[];
  /** Words to sample texts from. */
  words: readonly string[];
  /** Seed of the set: example i is a function of (seed, i) only. */
  seed: number;
  /**
   * Training data: more writers than fonts (AUGMENT). A writer may borrow letters from the other
   * fonts of the same style, keep the pen down where the font lifts it, draw each letter with its
   * own stretch and shear, and write narrower or wider, with taller or shorter loops. Off (the default) for the validation and test sets.
   */
  augment?: boolean;
}

/**
 * The training-time variation of synthesizeExample({ augment: true }), per writer: the chance of
 * borrowing letters from the other fonts of the style (mixWriters) and then per letter (mixProb);
 * of drawing printed letters without lifting the pen
 * (penDownWriters, then 30–100% of the letters); of running cursive stems back down without
 * lifting the pen (loopWriters: a looped or retraced d, t, b); the largest std of the per-letter
 * warp (letterWarp); the std of an extra log-stretch of the ink's width (aspect) and of the
 * log-stretch of ascenders and descenders (loops: tall or short loops and capitals).
 */
export const AUGMENT = Object.freeze({ mixWriters: 0.5, mixProb: 0.35, penDownWriters: 0.5, loopWriters: 0.6, letterWarp: 0.12, aspect: 0.2, loops: 0.3 });

/** Mixes (seed, index) into one 32-bit seed (SplitMix-style finaliser). */
function exampleSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Example `index` of the set named by options.seed: a text, a font (uniform) and a fresh writer (varied further with `augment`). */
export function synthesizeExample(options: SynthesisOptions, index: number): HandwritingExample {
  const { fonts, words } = options;
  if (fonts.length === 0) throw new ConfigError('[synthesizeExample] fonts must not be empty.');
  const rng = new Rng(exampleSeed(options.seed, index));
  const font = fonts[rng.int(fonts.length)];
  const text = sampleText(rng, words, options);
  const style = sampleWriterStyle(rng);
  let variation: InkVariation | undefined;
  if (options.augment === true) {
    // its own generator: the example's text, font and writer stay those of the plain set
    const vr = new Rng(exampleSeed(options.seed ^ 0x5bd1e995, index));
    variation = {
      mixFonts: fonts.filter((f) => f.style === font.style),
      mixProb: vr.next() < AUGMENT.mixWriters ? AUGMENT.mixProb : 0,
      penDown: vr.next() < AUGMENT.penDownWriters ? vr.uniform(0.3, 1) : 0,
      joinGap: vr.next() < AUGMENT.loopWriters ? vr.uniform(0.5, 1.8) : undefined,
      letterWarp: vr.uniform(0, AUGMENT.letterWarp),
      ascender: Math.exp(vr.normal(0, AUGMENT.loops)),
      descender: Math.exp(vr.normal(0, AUGMENT.loops)),
      rng: vr,
    };
    style.aspect *= Math.exp(vr.normal(0, AUGMENT.aspect));
  }
  return { text, font: font.id, ink: renderInk(font, text, style, rng, variation) };
}

/** Examples start … start + count − 1 of the set. */
export function synthesizeExamples(options: SynthesisOptions, count: number, start = 0): HandwritingExample[] {
  if (!Number.isInteger(count) || count < 0) throw new ConfigError(`[synthesizeExamples] count must be a non-negative integer; received ${count}.`);
  return Array.from({ length: count }, (_, i) => synthesizeExample(options, start + i));
}

/** One example as the network sees it: feature frames and label ids. */
export interface EncodedExample {
  /** What is written. */
  text: string;
  /** The font that wrote it, when known. */
  font?: string;
  /** (T, W) frames. */
  frames: Float32Array;
  /** T, frames. */
  length: number;
  /** W, features per frame. */
  width: number;
  /** Label ids from 1. */
  targets: Int32Array;
}

/** Frames and label ids of one example. */
export function encodeExample(e: { text: string; ink: Ink; font?: string }, features: FeatureOptions = {}, alphabet?: string): EncodedExample {
  const f = inkFeatures(e.ink, features);
  const out: EncodedExample = { text: e.text, frames: f.frames, length: f.length, width: f.width, targets: encodeText(e.text, alphabet) };
  if (e.font !== undefined && e.font !== '') out.font = e.font;
  return out;
}

/** Examples padded into one batch of tensors, for CTC training. */
export interface Shard {
  /** (N, T, W) frames, zero past each row's length. */
  x: Tensor;
  /** (N, L) label ids, 0 past each row's labels (0 is the blank, never a label). */
  y: Tensor;
  /** (N) frames per row. */
  lengths: Int32Array;
  /** Row → index into the example list the shard was cut from. */
  index: Int32Array;
}

/** Pads the examples `idx` of `examples` into one shard. */
export function makeShard(examples: readonly EncodedExample[], idx: ArrayLike<number>): Shard {
  const N = idx.length;
  if (N === 0) throw new ConfigError('[makeShard] a shard needs at least one example.');
  const W = examples[idx[0]].width;
  let T = 1;
  let L = 1;
  for (let n = 0; n < N; n++) {
    const e = examples[idx[n]];
    if (e.width !== W) throw new ConfigError(`[makeShard] every example must have frame width ${W}; received ${e.width} for ${JSON.stringify(e.text)}.`);
    T = Math.max(T, e.length);
    L = Math.max(L, e.targets.length);
  }
  const x = new Float32Array(N * T * W); // (N,T,W)
  const y = new Float32Array(N * L); // (N,L)
  const lengths = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    const e = examples[idx[n]];
    x.set(e.frames.subarray(0, e.length * W), n * T * W);
    y.set(e.targets, n * L);
    lengths[n] = e.length;
  }
  return { x: new Tensor(x, [N, T, W]), y: new Tensor(y, [N, L]), lengths, index: Int32Array.from(idx) };
}

/**
 * Examples sorted by frame count and cut into shards of `batchSize × batchesPerShard` rows, so a
 * batch (consecutive rows of a shard) holds examples of similar length and little padding.
 */
export function makeShards(examples: readonly EncodedExample[], batchSize: number, batchesPerShard = 8): Shard[] {
  const order = Array.from(examples.keys()).sort((a, b) => examples[a].length - examples[b].length || a - b);
  const per = batchSize * batchesPerShard;
  const shards: Shard[] = [];
  for (let s = 0; s < order.length; s += per) shards.push(makeShard(examples, order.slice(s, s + per)));
  return shards;
}

/**
 * The seeds of the three example sets. Test: the held-out fonts (fontsOfSplit('test')) writing the
 * lexicon's test words; validation: the training fonts writing test words; training: the training
 * fonts writing training words. Example i of a set is the same everywhere.
 */
export const HANDWRITING_SEEDS = Object.freeze({ train: 1, validation: 2, test: 3 });
