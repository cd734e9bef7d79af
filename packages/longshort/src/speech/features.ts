// Log-mel filterbank features for speech, browser-safe (the same code runs in the CLI, the trainer
// and the web page's worker). The pipeline, per utterance of 16 kHz mono samples:
//
//   pre-emphasis   y[n] = x[n] − 0.97·x[n−1]   (y[0] = x[0])
//   framing        25 ms windows (400 samples) every 10 ms (160), no padding:
//                  frames = 1 + floor((N − 400) / 160) (0 when N < 400)
//   window         Hamming, symmetric: 0.54 − 0.46·cos(2πn/(400−1))
//   spectrum       |rfft(frame zero-padded to 512)|²  → 257 bins (fft.js, radix-4)
//   mel filterbank 40 triangular filters, HTK mel scale 2595·log10(1 + f/700), edges equally spaced
//                  on the mel scale from fMin = 20 Hz to fMax = 8000 Hz, weights evaluated at each
//                  bin's frequency k·sr/512 (as torchaudio.functional.melscale_fbanks, norm None)
//   log            ln(max(energy, 1e-10))
//
// then, for the network (speechInput):
//   deltas         d_t = Σ_{n=1..2} n·(c_{t+n} − c_{t−n}) / (2·Σ n²), edge frames repeated
//                  (torchaudio.functional.compute_deltas, win_length 5); ΔΔ = deltas of the deltas
//   normalisation  each of the 120 dims to zero mean and unit variance over the utterance
//   stacking       `stack` consecutive frames side by side (default 2: 240 dims every 20 ms)
//
// Checked against the same pipeline in PyTorch float64 (scripts/speech/reference_features.py →
// test/fixtures/speech/, test/speech/features.test.ts).
//
// dim key: N samples, T frames (10 ms), M mel bands (40), D = 3M (log-mel, Δ, ΔΔ), S stack.
// Layout: features are row-major Float32Array (T, D).

import FFT from 'fft.js';
import { ConfigError, NonFiniteError } from '../errors.js';

/** Settings of the log-mel front end (see the file header); every one has a default. */
export interface LogMelOptions {
  /** Sample rate the filterbank is designed for. Default 16000. */
  sampleRate?: number;
  /** Window length in samples. Default 400 (25 ms at 16 kHz). */
  winLength?: number;
  /** Hop in samples. Default 160 (10 ms). */
  hopLength?: number;
  /** FFT size (a power of two ≥ winLength). Default 512. */
  nFft?: number;
  /** Mel bands M. Default 40. */
  nMels?: number;
  /** Lowest and highest filter edge in Hz. Defaults 20 and sampleRate / 2. */
  fMin?: number;
  /** Highest filter edge in Hz. Default sampleRate / 2. */
  fMax?: number;
  /** Pre-emphasis coefficient (0 = off). Default 0.97. */
  preemphasis?: number;
  /** Floor under the mel energies before the log. Default 1e-10. */
  floor?: number;
}

/** LogMelOptions with every value filled in (what a model file stores). */
export type ResolvedLogMelOptions = Required<LogMelOptions>;

/** The defaults: 16 kHz, 25 ms windows every 10 ms, 512-point FFT, 40 mel bands from 20 Hz to 8 kHz, pre-emphasis 0.97. */
export const DEFAULT_LOGMEL: ResolvedLogMelOptions = {
  sampleRate: 16000, winLength: 400, hopLength: 160, nFft: 512, nMels: 40, fMin: 20, fMax: 8000, preemphasis: 0.97, floor: 1e-10,
};

const hzToMel = (f: number): number => 2595 * Math.log10(1 + f / 700);
const melToHz = (m: number): number => 700 * (10 ** (m / 2595) - 1);

/** (nFft/2+1, M) triangular filter weights, column m = band m (HTK mel scale, no area normalisation). */
export function melFilterbank(o: ResolvedLogMelOptions): Float64Array {
  const bins = o.nFft / 2 + 1;
  const M = o.nMels;
  const lo = hzToMel(o.fMin);
  const hi = hzToMel(o.fMax);
  const edges = Float64Array.from({ length: M + 2 }, (_, k) => melToHz(lo + ((hi - lo) * k) / (M + 1)));
  const w = new Float64Array(bins * M); // (bins, M)
  for (let k = 0; k < bins; k++) {
    const f = (k * o.sampleRate) / o.nFft;
    for (let m = 0; m < M; m++) {
      const up = (f - edges[m]) / (edges[m + 1] - edges[m]);
      const down = (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]);
      w[k * M + m] = Math.max(0, Math.min(up, down));
    }
  }
  return w;
}

function resolve(options: LogMelOptions, where: string): ResolvedLogMelOptions {
  const o = { ...DEFAULT_LOGMEL, ...options };
  if (options.fMax === undefined) o.fMax = o.sampleRate / 2;
  for (const k of ['sampleRate', 'winLength', 'hopLength', 'nFft', 'nMels'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new ConfigError(`${where} ${k} must be a positive integer; received ${o[k]}.`);
  }
  if ((o.nFft & (o.nFft - 1)) !== 0 || o.nFft < o.winLength || o.nFft < 4) {
    throw new ConfigError(`${where} nFft must be a power of two >= winLength (${o.winLength}) and >= 4; received ${o.nFft}.`);
  }
  if (!(o.fMin >= 0 && o.fMin < o.fMax && o.fMax <= o.sampleRate / 2)) {
    throw new ConfigError(`${where} need 0 <= fMin < fMax <= sampleRate/2 = ${o.sampleRate / 2}; received fMin ${o.fMin}, fMax ${o.fMax}.`);
  }
  if (!(o.preemphasis >= 0 && o.preemphasis < 1)) throw new ConfigError(`${where} preemphasis must be in [0, 1); received ${o.preemphasis}.`);
  if (!(o.floor > 0)) throw new ConfigError(`${where} floor must be > 0; received ${o.floor}.`);
  return o;
}

/**
 * A reusable log-mel extractor: the window, the filterbank and the FFT tables are built once, and
 * compute() allocates only its output. Not safe to share between threads (it has scratch buffers).
 */
export class LogMel {
  readonly options: ResolvedLogMelOptions;
  private readonly fft: FFT;
  private readonly window: Float64Array;
  private readonly fbank: Float64Array; // (bins, M)
  private readonly bandLo: Int32Array; // (M) first and one-past-last bin where band m's weight is non-zero
  private readonly bandHi: Int32Array;
  private readonly frame: Float64Array; // (nFft) one windowed frame, zero-padded
  private readonly spec: number[]; // fft.js complex output, interleaved re/im (2·nFft)
  private readonly power: Float64Array; // (bins)

  constructor(options: LogMelOptions = {}) {
    this.options = resolve(options, '[LogMel]');
    const { winLength, nFft } = this.options;
    this.fft = new FFT(nFft);
    this.window = Float64Array.from({ length: winLength }, (_, n) => 0.54 - 0.46 * Math.cos((2 * Math.PI * n) / (winLength - 1)));
    this.fbank = melFilterbank(this.options);
    const M = this.options.nMels;
    const bins = nFft / 2 + 1;
    this.bandLo = new Int32Array(M).fill(bins);
    this.bandHi = new Int32Array(M);
    for (let k = 0; k < bins; k++) {
      for (let m = 0; m < M; m++) {
        if (this.fbank[k * M + m] !== 0) {
          this.bandLo[m] = Math.min(this.bandLo[m], k);
          this.bandHi[m] = k + 1;
        }
      }
    }
    this.frame = new Float64Array(nFft);
    this.spec = this.fft.createComplexArray() as number[];
    this.power = new Float64Array(nFft / 2 + 1);
  }

  /** Frames that `samples` of length n give: 1 + floor((n − win) / hop), 0 for short input. */
  frameCount(n: number): number {
    const { winLength, hopLength } = this.options;
    return n < winLength ? 0 : 1 + Math.floor((n - winLength) / hopLength);
  }

  /**
   * (T − fromFrame, M) log-mel energies of mono samples at options.sampleRate: frames fromFrame..T−1
   * of the whole signal (a stream computes only its new frames; pre-emphasis still sees the sample
   * before each frame).
   */
  compute(samples: ArrayLike<number>, fromFrame = 0): Float32Array {
    const { winLength, hopLength, nFft, nMels: M, preemphasis: a, floor } = this.options;
    const N = samples.length;
    const T = this.frameCount(N);
    if (!Number.isInteger(fromFrame) || fromFrame < 0) throw new ConfigError(`[LogMel.compute] fromFrame must be an integer >= 0; received ${fromFrame}.`);
    const t0 = Math.min(fromFrame, T);
    const out = new Float32Array((T - t0) * M);
    const bins = nFft / 2 + 1;
    const { frame, spec, power, fbank, window, bandLo, bandHi } = this;
    for (let t = t0; t < T; t++) {
      const s0 = t * hopLength;
      for (let n = 0; n < winLength; n++) {
        const i = s0 + n;
        const x = samples[i];
        const y = i === 0 ? x : x - a * samples[i - 1]; // pre-emphasis over the whole signal
        if (!Number.isFinite(y)) throw new NonFiniteError(`[LogMel.compute] samples must be finite; sample ${Number.isFinite(x) ? i - 1 : i} is ${Number.isFinite(x) ? samples[i - 1] : x}.`);
        frame[n] = y * window[n];
      }
      // frame[winLength..nFft) stays 0 (zero padding)
      this.fft.realTransform(spec, frame);
      for (let k = 0; k < bins; k++) power[k] = spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1];
      for (let m = 0; m < M; m++) {
        let e = 0;
        for (let k = bandLo[m]; k < bandHi[m]; k++) e += power[k] * fbank[k * M + m]; // zero outside the triangle
        out[(t - t0) * M + m] = Math.log(Math.max(e, floor));
      }
    }
    return out;
  }
}

/**
 * (T, D) regression deltas of (T, D) features over ±`n` frames, edge frames repeated:
 * d_t = Σ_{k=1..n} k·(c_{t+k} − c_{t−k}) / (2·Σ k²).
 */
export function deltas(feats: Float32Array, T: number, D: number, n = 2): Float32Array {
  if (feats.length !== T * D) throw new ConfigError(`[deltas] feats must hold T·D = ${T}·${D} = ${T * D} values; received ${feats.length}.`);
  let denom = 0;
  for (let k = 1; k <= n; k++) denom += 2 * k * k;
  const out = new Float32Array(T * D);
  for (let t = 0; t < T; t++) {
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let k = 1; k <= n; k++) {
        const ahead = Math.min(T - 1, t + k);
        const back = Math.max(0, t - k);
        s += k * (feats[ahead * D + d] - feats[back * D + d]);
      }
      out[t * D + d] = s / denom;
    }
  }
  return out;
}

/** In place: every column of (T, D) to zero mean and unit variance (std floored at 1e-5). Returns feats. */
export function normalizeUtterance(feats: Float32Array, T: number, D: number): Float32Array {
  if (T === 0) return feats;
  for (let d = 0; d < D; d++) {
    let mean = 0;
    for (let t = 0; t < T; t++) mean += feats[t * D + d];
    mean /= T;
    let v = 0;
    for (let t = 0; t < T; t++) v += (feats[t * D + d] - mean) ** 2;
    const inv = 1 / Math.max(Math.sqrt(v / T), 1e-5);
    for (let t = 0; t < T; t++) feats[t * D + d] = (feats[t * D + d] - mean) * inv;
  }
  return feats;
}

/**
 * Stack `s` consecutive frames side by side: (T, D) → (ceil(T/s), s·D); the last group is padded
 * by repeating its last frame. s = 1 returns a copy.
 */
export function stackFrames(feats: Float32Array, T: number, D: number, s: number): Float32Array {
  if (!Number.isInteger(s) || s < 1) throw new ConfigError(`[stackFrames] stack must be a positive integer; received ${s}.`);
  const T2 = Math.ceil(T / s);
  const out = new Float32Array(T2 * s * D);
  for (let u = 0; u < T2; u++) {
    for (let j = 0; j < s; j++) {
      const t = Math.min(T - 1, u * s + j);
      out.set(feats.subarray(t * D, (t + 1) * D), (u * s + j) * D);
    }
  }
  return out;
}

/** Frames after stacking: ceil(T / stack). */
export const stackedLength = (T: number, stack: number): number => Math.ceil(T / stack);

/**
 * The network's input from (T, M) log-mel: [log-mel, Δ, ΔΔ] per frame, normalised per utterance,
 * then stacked. Returns { data: (ceil(T/stack), stack·3M), frames, dim }.
 */
export function speechInput(logmel: Float32Array, T: number, M: number, stack = 2): { data: Float32Array; frames: number; dim: number } {
  if (logmel.length !== T * M) throw new ConfigError(`[speechInput] logmel must hold T·M = ${T}·${M} = ${T * M} values; received ${logmel.length}.`);
  const d1 = deltas(logmel, T, M);
  const d2 = deltas(d1, T, M);
  const D = 3 * M;
  const full = new Float32Array(T * D);
  for (let t = 0; t < T; t++) {
    full.set(logmel.subarray(t * M, (t + 1) * M), t * D);
    full.set(d1.subarray(t * M, (t + 1) * M), t * D + M);
    full.set(d2.subarray(t * M, (t + 1) * M), t * D + 2 * M);
  }
  normalizeUtterance(full, T, D);
  return { data: T === 0 ? full : stackFrames(full, T, D, stack), frames: stackedLength(T, stack), dim: stack * D };
}
