// The handwriting recogniser's network and what its model file carries to be used again:
// frames (B, T, S·F) → bidirectional LSTM stack → Dense per frame → scores over the alphabet plus
// the CTC blank (id 0). The alphabet and the feature settings travel in the model file's `extra`
// under 'handwriting', so `longshort handwriting read` and the page need nothing else.
// Left out: convolutional front ends beyond the frame stacking of ./features.ts.
//
// dim key: B inks, T frames, W = S·F frame width, H hidden size per direction, C = alphabet + 1.
//   x (B, T, W) → LSTM (B, T, 2H) → Dense (B, T, C) logits

import type { DType } from '../tensor.js';
import { ConfigError, FormatError } from '../errors.js';
import { Sequential } from '../nn/sequential.js';
import { LSTM } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Rng } from '../util/rng.js';
import { POINT_FEATURES } from './features.js';
import { HANDWRITING_ALPHABET } from './text.js';

/** What a handwriting model file keeps in its extra ('handwriting') to read ink again. */
export interface HandwritingConfig {
  /** Format version. */
  version: 1;
  /** Characters in id order from id 1 (0 = blank). */
  alphabet: string;
  /** inkFeatures options the model was trained with. */
  spacing: number;
  /** Points per frame the model was trained with. */
  stack: number;
}

/** Options of buildHandwritingModel(); sizes that are not positive integers, or an alphabet with repeats, throw ConfigError. */
export interface HandwritingModelOptions {
  /** Characters the model reads, in id order from 1. Default HANDWRITING_ALPHABET. */
  alphabet?: string;
  /** inkFeatures resampling step. Default 0.2. */
  spacing?: number;
  /** inkFeatures points per frame. Default 3. */
  stack?: number;
  /** LSTM hidden size per direction. Default 64. */
  hiddenSize?: number;
  /** Stacked bidirectional layers. Default 2. */
  numLayers?: number;
  /** Dropout between LSTM layers (training only). Default 0. */
  dropout?: number;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
  /** Element type. Default 'float32'. */
  dtype?: DType;
}

/** LSTM (bidirectional) → Dense, layers named 'lstm' and 'head'; the config for the model file. */
export function buildHandwritingModel(options: HandwritingModelOptions = {}): { model: Sequential; config: HandwritingConfig } {
  const { alphabet = HANDWRITING_ALPHABET, spacing = 0.2, stack = 3, hiddenSize = 64, numLayers = 2, dropout = 0, seed = 0, dtype = 'float32' } = options;
  for (const [name, v] of [['hiddenSize', hiddenSize], ['numLayers', numLayers], ['stack', stack]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`[buildHandwritingModel] ${name} must be a positive integer; received ${v}.`);
  }
  if (new Set(alphabet).size !== alphabet.length || alphabet.length === 0) {
    throw new ConfigError(`[buildHandwritingModel] alphabet must be non-empty with no repeated characters; received ${JSON.stringify(alphabet)}.`);
  }
  const rng = new Rng(seed);
  const lstm = new LSTM({
    inputSize: stack * POINT_FEATURES, hiddenSize, numLayers, bidirectional: true, dropout, batchFirst: true, dtype, seed: rng.nextU32(),
  });
  const head = new Dense({ inputSize: 2 * hiddenSize, outputSize: alphabet.length + 1, dtype, seed: rng.nextU32() });
  const model = new Sequential([['lstm', lstm], ['head', head]], { seed: rng.nextU32() });
  return { model, config: { version: 1, alphabet, spacing, stack } };
}

/** The model file's extra for this config. */
export function handwritingExtra(config: HandwritingConfig): { handwriting: HandwritingConfig } {
  return { handwriting: { ...config } };
}

/** The config back from a model file's extra, with a clear error when the file is another kind of model. */
export function handwritingConfigFromExtra(extra: Record<string, unknown>): HandwritingConfig {
  const h = extra.handwriting as Partial<HandwritingConfig> | undefined;
  if (h === undefined || h === null || typeof h !== 'object') {
    throw new FormatError(
      `[handwriting] the model file must carry extra.handwriting (alphabet, spacing, stack); received extra keys [${Object.keys(extra).join(', ')}]. ` +
        'Hint: use a model written by `longshort handwriting train` (models/handwriting.safetensors ships with the repository).',
    );
  }
  if (h.version !== 1 || typeof h.alphabet !== 'string' || h.alphabet.length === 0 || !(Number(h.spacing) > 0) || !Number.isInteger(h.stack) || (h.stack as number) < 1) {
    throw new FormatError(`[handwriting] extra.handwriting must be { version: 1, alphabet: string, spacing > 0, stack: integer >= 1 }; received ${JSON.stringify(h).slice(0, 200)}.`);
  }
  return { version: 1, alphabet: h.alphabet, spacing: Number(h.spacing), stack: h.stack as number };
}

/** Checks that a loaded network fits its config (input width, output classes). */
export function checkHandwritingModel(model: Sequential, config: HandwritingConfig): void {
  const out = model.outputShape([1, 10, config.stack * POINT_FEATURES]);
  if (out[2] !== config.alphabet.length + 1) {
    throw new FormatError(
      `[handwriting] the network outputs ${out[2]} classes but the alphabet needs ${config.alphabet.length + 1} (${config.alphabet.length} characters + blank).`,
    );
  }
}
