// The phone recogniser's network and what a model file needs to use it again: stacked log-mel
// features → deep bidirectional LSTM → Dense per frame → scores over the 38 phones plus the CTC
// blank (id 0), as Graves, Mohamed and Hinton (ICASSP 2013) with CTC (their RNN transducer is left
// out). The feature settings and the phone set travel in the model file's `extra.speech`, so a
// model file alone turns a WAV into phones (CLI, browser worker).
//
// dim key: B utterances, T frames after stacking (20 ms each by default), D = stack·3·nMels input
//          size, H hidden size per direction, C = 39 classes.
//   x (B, T, D) → LSTM (B, T, 2H) → Dense (B, T, C) logits

import type { DType } from '../tensor.js';
import { ConfigError, FormatError } from '../errors.js';
import { Sequential } from '../nn/sequential.js';
import { LSTM } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Rng } from '../util/rng.js';
import { DEFAULT_LOGMEL, type ResolvedLogMelOptions } from './features.js';
import { NUM_CLASSES, PHONES } from './phones.js';

/** Options of buildSpeechModel(); sizes that are not positive integers throw ConfigError. */
export interface SpeechModelOptions {
  /** Mel bands of the features. Default 40. */
  nMels?: number;
  /** Frames stacked per network step. Default 2 (20 ms steps). */
  stack?: number;
  /** LSTM hidden size per direction. Default 128. */
  hiddenSize?: number;
  /** Stacked bidirectional layers. Default 3. */
  numLayers?: number;
  /** Dropout between LSTM layers (training only). Default 0. */
  dropout?: number;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
  /** Element type. Default 'float32'. */
  dtype?: DType;
}

/** What goes into the model file's extra.speech. */
export interface SpeechExtra {
  /** Format version. */
  version: 1;
  /** Phone tokens in id order from id 1 (0 = blank). */
  phones: string[];
  /** The log-mel front end (src/speech/features.ts). */
  logmel: ResolvedLogMelOptions;
  /** Frames stacked per network step. */
  stack: number;
}

/**
 * The phone recogniser: 'lstm', a bidirectional LSTM stack over stacked log-mel frames
 * (B, T, stack·3·nMels), and 'head', a Dense layer to logits over the 38 phones plus the CTC blank
 * (B, T, 39). Train it with trainSpeech(); save it with speechExtra() as the model file's extra.
 */
export function buildSpeechModel(options: SpeechModelOptions = {}): Sequential {
  const { nMels = 40, stack = 2, hiddenSize = 128, numLayers = 3, dropout = 0, seed = 0, dtype = 'float32' } = options;
  for (const [name, v] of [['nMels', nMels], ['stack', stack], ['hiddenSize', hiddenSize], ['numLayers', numLayers]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`[buildSpeechModel] ${name} must be a positive integer; received ${v}.`);
  }
  const rng = new Rng(seed);
  const lstm = new LSTM({ inputSize: stack * 3 * nMels, hiddenSize, numLayers, bidirectional: true, dropout, batchFirst: true, dtype, seed: rng.nextU32() });
  const head = new Dense({ inputSize: 2 * hiddenSize, outputSize: NUM_CLASSES, dtype, seed: rng.nextU32() });
  return new Sequential([['lstm', lstm], ['head', head]], { seed: rng.nextU32() });
}

/** The extra a speech model file needs ({ speech: SpeechExtra }) for the given feature settings. */
export function speechExtra(options: { nMels?: number; stack?: number } = {}): { speech: SpeechExtra } {
  return { speech: { version: 1, phones: [...PHONES], logmel: { ...DEFAULT_LOGMEL, nMels: options.nMels ?? 40 }, stack: options.stack ?? 2 } };
}

/** The speech settings back from a model file's extra; a clear error when the file is not a speech model. */
export function speechConfigFromExtra(extra: Record<string, unknown>): SpeechExtra {
  const s = extra.speech as Partial<SpeechExtra> | undefined;
  if (s === undefined || s === null || typeof s !== 'object') {
    throw new FormatError(
      `[speech] the model file must carry extra.speech (phones, logmel, stack); received extra keys [${Object.keys(extra).join(', ')}]. Hint: use a model written by \`longshort speech train\`.`,
    );
  }
  const lm = s.logmel as Partial<ResolvedLogMelOptions> | undefined;
  const numeric = lm !== undefined && lm !== null && Object.keys(DEFAULT_LOGMEL).every((k) => typeof (lm as Record<string, unknown>)[k] === 'number');
  if (s.version !== 1 || JSON.stringify(s.phones) !== JSON.stringify(PHONES) || !numeric || !Number.isInteger(s.stack) || (s.stack as number) < 1) {
    throw new FormatError(
      `[speech] extra.speech must be { version: 1, phones: the ${PHONES.length}-phone set, logmel: {${Object.keys(DEFAULT_LOGMEL).join(', ')}}, stack: integer >= 1 }; received ${JSON.stringify(s).slice(0, 240)}.`,
    );
  }
  return s as SpeechExtra;
}
