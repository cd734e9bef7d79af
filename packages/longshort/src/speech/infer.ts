// Phones out of a trained speech model: features → network in eval mode → greedy (best path) or
// CTC prefix beam search decoding, phone times from the best path, and the phone error rate
// (edit distance over phones / reference phones, summed over utterances) of a feature set.
// Browser-safe; the CLI and the page's worker use it.
// Left out: a phone language model or lexicon in the beam, the RNN transducer.
//
// dim key: T frames after stacking, C = 39 classes (0 = blank).

import { Tensor } from '../tensor.js';
import { ConfigError } from '../errors.js';
import type { Sequential } from '../nn/sequential.js';
import { beamSearchDecode, greedyDecode } from '../ctc/decode.js';
import { editDistance } from '../ctc/metrics.js';
import { LogMel, speechInput } from './features.js';
import type { SpeechExtra } from './model.js';
import type { SpeechUtterance } from './data.js';
import { idsToPhones } from './phones.js';

/** How speech is decoded (recognition and evaluation). */
export interface SpeechDecodeOptions {
  /** 0 or 1: greedy best path; > 1: CTC prefix beam search of this width. Default 0. */
  beamWidth?: number;
  /** Utterances per forward pass (evaluation). Default 32. */
  batchSize?: number;
}

/** A recognised phone with its time span. */
export interface TimedPhone {
  /** The phone (ARPAbet, e.g. 'AH'). */
  phone: string;
  /** Seconds from the start of the audio: the first and one past the last frame of the phone's run on the best path. */
  start: number;
  /** Seconds from the start of the audio to one past the last frame of the run. */
  end: number;
}

/** The phones recognised in one utterance, with timing and the network's scores. */
export interface SpeechRecognition {
  /** The decoded phones, in order. */
  phones: string[];
  /** Times from the best path (greedy decoding); absent when beam search picked a different labelling. */
  timed: TimedPhone[] | null;
  /** Frames the network saw (after stacking) and the seconds per frame. */
  frames: number;
  /** Seconds per network frame (10 ms × stack). */
  frameSeconds: number;
  /** (T, C) log-softmax of the network's scores, for display. */
  logProbs: Float32Array;
}

/** Network input (1, T, D) for one utterance's log-mel. */
function inputTensor(logmel: Float32Array, frames: number, nMels: number, stack: number): { x: Tensor; T: number } {
  const inp = speechInput(logmel, frames, nMels, stack);
  return { x: new Tensor(inp.data, [1, inp.frames, inp.dim]), T: inp.frames };
}

function logSoftmax(logits: Float32Array, T: number, C: number): Float32Array {
  const out = new Float32Array(T * C);
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, logits[t * C + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(logits[t * C + c] - m);
    const l = m + Math.log(s);
    for (let c = 0; c < C; c++) out[t * C + c] = logits[t * C + c] - l;
  }
  return out;
}

/** Runs of the best path: each non-blank label with the frames [first, last+1) of its run. */
export function bestPathRuns(logits: Float32Array, T: number, C: number, blank = 0): { id: number; first: number; end: number }[] {
  const out: { id: number; first: number; end: number }[] = [];
  let prev = blank;
  for (let t = 0; t < T; t++) {
    let arg = 0;
    for (let c = 1; c < C; c++) if (logits[t * C + c] > logits[t * C + arg]) arg = c;
    if (arg !== blank && arg === prev) out[out.length - 1].end = t + 1;
    else if (arg !== blank) out.push({ id: arg, first: t, end: t + 1 });
    prev = arg;
  }
  return out;
}

/** Recognise phones in one utterance's log-mel (T, nMels) with a model and its extra.speech settings. */
export function recognizeLogMel(model: Sequential, config: SpeechExtra, logmel: Float32Array, frames: number, options: SpeechDecodeOptions = {}): SpeechRecognition {
  const { beamWidth = 0 } = options;
  if (!Number.isInteger(beamWidth) || beamWidth < 0) throw new ConfigError(`[recognize] beamWidth must be an integer >= 0; received ${beamWidth}.`);
  const { nMels, hopLength, sampleRate } = config.logmel;
  const frameSeconds = (hopLength * config.stack) / sampleRate;
  if (frames === 0) return { phones: [], timed: [], frames: 0, frameSeconds, logProbs: new Float32Array(0) };
  const { x, T } = inputTensor(logmel, frames, nMels, config.stack);
  const logits = model.call(x, { training: false }); // (1, T, C)
  const C = logits.shape[2];
  const data = logits.data as Float32Array;
  const runs = bestPathRuns(data, T, C);
  const greedy = idsToPhones(runs.map((r) => r.id));
  const timed = runs.map((r) => ({ phone: config.phones[r.id - 1], start: r.first * frameSeconds, end: r.end * frameSeconds }));
  let phones = greedy;
  let sameAsGreedy = true;
  if (beamWidth > 1) {
    const b = beamSearchDecode(logits, [T], { beamWidth, blank: 0 });
    phones = idsToPhones(b.labels[0]);
    sameAsGreedy = phones.join(' ') === greedy.join(' ');
  }
  return { phones, timed: sameAsGreedy ? timed : null, frames: T, frameSeconds, logProbs: logSoftmax(data, T, C) };
}

/** Recognise phones in mono samples at config.logmel.sampleRate. */
export function recognize(model: Sequential, config: SpeechExtra, samples: Float32Array, options: SpeechDecodeOptions = {}): SpeechRecognition {
  const lm = new LogMel(config.logmel);
  return recognizeLogMel(model, config, lm.compute(samples), lm.frameCount(samples.length), options);
}

/** Phone ids (blank removed) for each utterance, batched by length. */
export function predictSpeechIds(model: Sequential, config: SpeechExtra, utterances: readonly SpeechUtterance[], options: SpeechDecodeOptions = {}): number[][] {
  const { beamWidth = 0, batchSize = 32 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`[predictSpeechIds] batchSize must be a positive integer; received ${batchSize}.`);
  const order = Array.from(utterances.keys()).sort((a, b) => utterances[a].frames - utterances[b].frames);
  const out: number[][] = new Array(utterances.length);
  for (let s = 0; s < order.length; s += batchSize) {
    const idx = order.slice(s, s + batchSize);
    const batch = makeSpeechBatch(idx.map((i) => utterances[i]), config.logmel.nMels, config.stack);
    const logits = model.call(batch.x, { training: false, lengths: batch.lengths });
    const r = beamWidth > 1 ? beamSearchDecode(logits, batch.lengths, { beamWidth, blank: 0 }) : greedyDecode(logits, batch.lengths, { blank: 0 });
    idx.forEach((i, k) => (out[i] = r.labels[k]));
  }
  return out;
}

/** The phone error rate of a model on a feature set (evaluateSpeech), with its parts. */
export interface SpeechEvaluation {
  /** Σ edit distance / Σ reference phones. */
  phoneErrorRate: number;
  /** Phones recognised as another phone, summed over utterances. */
  substitutions: number;
  /** Reference phones missing from the output. */
  deletions: number;
  /** Output phones with no reference phone. */
  insertions: number;
  /** Reference phones in all. */
  referencePhones: number;
  /** Utterances scored. */
  utterances: number;
}

/** Substitutions, deletions and insertions of one minimal edit script (Levenshtein, ties: substitution first). */
export function editCounts(hyp: ArrayLike<number>, ref: ArrayLike<number>): { sub: number; del: number; ins: number } {
  const n = ref.length;
  const m = hyp.length;
  const d = new Int32Array((n + 1) * (m + 1));
  for (let i = 0; i <= n; i++) d[i * (m + 1)] = i;
  for (let j = 0; j <= m; j++) d[j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const c = d[(i - 1) * (m + 1) + j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      d[i * (m + 1) + j] = Math.min(c, d[(i - 1) * (m + 1) + j] + 1, d[i * (m + 1) + j - 1] + 1);
    }
  }
  let i = n;
  let j = m;
  const r = { sub: 0, del: 0, ins: 0 };
  while (i > 0 || j > 0) {
    const here = d[i * (m + 1) + j];
    if (i > 0 && j > 0 && here === d[(i - 1) * (m + 1) + j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1)) {
      if (ref[i - 1] !== hyp[j - 1]) r.sub++;
      i--;
      j--;
    } else if (i > 0 && here === d[(i - 1) * (m + 1) + j] + 1) {
      r.del++;
      i--;
    } else {
      r.ins++;
      j--;
    }
  }
  return r;
}

/** Phone error rate of a model on a feature set. */
export function evaluateSpeech(model: Sequential, config: SpeechExtra, utterances: readonly SpeechUtterance[], options: SpeechDecodeOptions = {}): SpeechEvaluation {
  if (utterances.length === 0) throw new ConfigError('[evaluateSpeech] need at least one utterance; received 0.');
  const hyps = predictSpeechIds(model, config, utterances, options);
  const r: SpeechEvaluation = { phoneErrorRate: 0, substitutions: 0, deletions: 0, insertions: 0, referencePhones: 0, utterances: utterances.length };
  utterances.forEach((u, k) => {
    const c = editCounts(hyps[k], u.phones);
    r.substitutions += c.sub;
    r.deletions += c.del;
    r.insertions += c.ins;
    r.referencePhones += u.phones.length;
  });
  if (r.referencePhones === 0) throw new ConfigError('[evaluateSpeech] the reference phone sequences are all empty; the error rate is undefined.');
  r.phoneErrorRate = (r.substitutions + r.deletions + r.insertions) / r.referencePhones;
  return r;
}

/** Utterances padded into one network input (makeSpeechBatch). */
export interface SpeechBatch {
  /** (B, T, D) inputs, zero past each row's length. */
  x: Tensor;
  /** (B) frames per utterance. */
  lengths: Int32Array;
}

/** Pads a list of utterances' network inputs into one batch (T rounded up to a multiple of `roundTo`). */
export function makeSpeechBatch(utterances: readonly SpeechUtterance[], nMels: number, stack: number, roundTo = 1): SpeechBatch {
  if (utterances.length === 0) throw new ConfigError('[makeSpeechBatch] need at least one utterance; received 0.');
  const inputs = utterances.map((u) => {
    if (u.frames === 0) throw new ConfigError(`[makeSpeechBatch] utterance '${u.id}' has no frames (shorter than one 25 ms window).`);
    return speechInput(u.logmel, u.frames, nMels, stack);
  });
  const D = inputs[0].dim;
  let T = 0;
  for (const i of inputs) T = Math.max(T, i.frames);
  T = Math.ceil(T / roundTo) * roundTo;
  const B = inputs.length;
  const x = new Float32Array(B * T * D);
  inputs.forEach((i, b) => x.set(i.data.subarray(0, i.frames * D), b * T * D));
  return { x: new Tensor(x, [B, T, D]), lengths: Int32Array.from(inputs, (i) => i.frames) };
}

// re-exported for callers that score their own hypotheses
export { editDistance };
