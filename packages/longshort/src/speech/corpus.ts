// The deterministic pieces of the synthetic speech corpus (docs/speech.md), kept apart from the
// generator script (scripts/speech/generate.ts, which needs espeak-ng and sox) so that they are
// browser-safe and tested without those tools: the accents and held-out voices, how the Lincoln
// text is cut into utterances, the text split, and mixing noise at a signal-to-noise ratio.

import { ConfigError } from '../errors.js';
import type { Rng } from '../util/rng.js';

/** espeak-ng's English accents used (every one in both splits). */
export const ACCENTS: readonly string[] = [
  'en-us', 'en-gb', 'en-gb-scotland', 'en-gb-x-gbclan', 'en-gb-x-rp', 'en-gb-x-gbcwmd', 'en-029', 'en-us-nyc',
];

/**
 * Voice variants (espeak-ng `+variant`) that speak only test utterances, never training ones:
 * six female (f3, Andrea, linda, steph, steph2, steph3) and six male (m4, klatt4, Gene, Gene2,
 * travis, Mario). Families of near-identical variants (steph*, Gene*) are held out whole.
 */
export const HELDOUT_VARIANTS: readonly string[] = ['f3', 'Andrea', 'linda', 'steph', 'steph2', 'steph3', 'm4', 'klatt4', 'Gene', 'Gene2', 'travis', 'Mario'];

/** 32-bit FNV-1a of a string's UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) {
    h ^= s.charCodeAt(k);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** 'test' for a text whose FNV-1a hash is 0 mod 10 (about 10%), else 'train'. Depends on the text only. */
export function textSplit(text: string): 'train' | 'test' {
  return fnv1a(text) % 10 === 0 ? 'test' : 'train';
}

/**
 * Cuts running text into utterance-sized chunks: sentences (ending in . ! ? ; or :) are split into
 * runs of 4–14 words (lengths drawn from `rng`), a chunk never crosses a sentence end, and a
 * trailing run shorter than 4 words joins the chunk before it. Whitespace is collapsed; chunks
 * without a letter are dropped.
 */
export function lincolnChunks(text: string, rng: Rng, minWords = 4, maxWords = 14): string[] {
  if (!(Number.isInteger(minWords) && minWords >= 1 && maxWords >= minWords)) {
    throw new ConfigError(`[lincolnChunks] need integers 1 <= minWords <= maxWords; received ${minWords}, ${maxWords}.`);
  }
  const sentences = text.replace(/\s+/g, ' ').split(/(?<=[.!?;:])\s+/);
  const out: string[] = [];
  for (const s of sentences) {
    const words = s.trim().split(' ').filter((w) => w !== '');
    let k = 0;
    const chunks: string[][] = [];
    while (k < words.length) {
      const n = minWords + Math.floor(rng.next() * (maxWords - minWords + 1));
      chunks.push(words.slice(k, k + n));
      k += n;
    }
    if (chunks.length > 1 && chunks[chunks.length - 1].length < minWords) chunks[chunks.length - 2].push(...chunks.pop()!);
    for (const c of chunks) {
      const t = c.join(' ');
      if (/[A-Za-z]/.test(t)) out.push(t);
    }
  }
  return out;
}

/**
 * Active speech power: the mean square over the 10 ms frames (160 samples) whose energy is within
 * 40 dB of the loudest frame (a simple stand-in for ITU-T P.56's active speech level), so leading
 * and trailing silence do not lower the signal power an SNR refers to.
 */
export function activePower(x: Float32Array, frame = 160): number {
  const frames = Math.floor(x.length / frame);
  if (frames === 0) return 0;
  const e = new Float64Array(frames);
  let max = 0;
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let n = f * frame; n < (f + 1) * frame; n++) s += x[n] * x[n];
    e[f] = s / frame;
    if (e[f] > max) max = e[f];
  }
  let sum = 0;
  let count = 0;
  for (let f = 0; f < frames; f++) {
    if (e[f] >= max * 1e-4) {
      sum += e[f];
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}

/**
 * clean + g·noise with g chosen so that 10·log10(activePower(clean) / mean(noise²)) = snrDb, then
 * the whole scaled to a peak of 0.9. noise = null returns the clean signal scaled the same way.
 * noise must be at least as long as clean.
 */
export function mixAtSnr(clean: Float32Array, noise: Float32Array | null, snrDb: number): Float32Array {
  const out = Float32Array.from(clean);
  if (noise !== null) {
    if (noise.length < clean.length) throw new ConfigError(`[mixAtSnr] noise must have at least clean.length = ${clean.length} samples; received ${noise.length}.`);
    if (!Number.isFinite(snrDb)) throw new ConfigError(`[mixAtSnr] snrDb must be finite (pass noise = null for clean); received ${snrDb}.`);
    let pn = 0;
    for (let k = 0; k < clean.length; k++) pn += noise[k] * noise[k];
    pn /= Math.max(1, clean.length);
    const ps = activePower(clean);
    const g = pn > 0 ? Math.sqrt(ps / (pn * 10 ** (snrDb / 10))) : 0;
    for (let k = 0; k < clean.length; k++) out[k] += g * noise[k];
  }
  let peak = 0;
  for (let k = 0; k < out.length; k++) peak = Math.max(peak, Math.abs(out[k]));
  if (peak > 0) {
    const s = 0.9 / peak;
    for (let k = 0; k < out.length; k++) out[k] *= s;
  }
  return out;
}
