// The grapheme-to-phoneme network and what a model file needs to use it again: letter ids →
// Embedding → bidirectional LSTM (1 or more layers) → Dense per frame → scores over the phonemes
// plus the CTC blank (id 0). The vocabularies and the input encoding (letter repeat, end padding)
// travel in the model file's `extra` under the key 'g2p', so `longshort g2p predict MODEL WORD`
// needs nothing else.
// Left out: attention / encoder-decoder models, stress prediction, an external language model.
//
// dim key: B words, T = letters × repeat frames, V letter ids (0 = padding), E embedding size,
//          H hidden size per direction, C phoneme ids (0 = blank).
//   x (B, T) ids → Embedding (B, T, E) → LSTM (B, T, 2H) → Dense (B, T, C) logits

import type { DType } from '../tensor.js';
import { ConfigError, FormatError } from '../errors.js';
import { Sequential } from '../nn/sequential.js';
import { Embedding } from '../nn/embedding.js';
import { LSTM } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Rng } from '../util/rng.js';
import { TokenVocab } from '../data/cmudict.js';

/** Options of buildG2PModel: the two vocabularies and the network's sizes. */
export interface G2PModelOptions {
  /** Letter vocabulary (ids from 1; 0 = padding). */
  letters: TokenVocab;
  /** Phoneme vocabulary (ids from 1; 0 = CTC blank). */
  phonemes: TokenVocab;
  /** Embedding size E. Default 32. */
  embeddingDim?: number;
  /** LSTM hidden size per direction H. Default 128. */
  hiddenSize?: number;
  /** Stacked bidirectional layers. Default 2. */
  numLayers?: number;
  /** Dropout between LSTM layers (training only). Default 0. */
  dropout?: number;
  /** Initialisation seed. Default 0. */
  seed?: number;
  /** 'float64' for gradient checks. Default 'float32'. */
  dtype?: DType;
}

/** Embedding(letters) → bidirectional LSTM → Dense(2H → phonemes + blank), names 'embed', 'lstm', 'head'. */
export function buildG2PModel(options: G2PModelOptions): Sequential {
  const { letters, phonemes, embeddingDim = 32, hiddenSize = 128, numLayers = 2, dropout = 0, seed = 0, dtype = 'float32' } = options;
  for (const [name, v] of [['embeddingDim', embeddingDim], ['hiddenSize', hiddenSize], ['numLayers', numLayers]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`[buildG2PModel] ${name} must be a positive integer; received ${v}.`);
  }
  // one generator hands each layer its own seed, so layers never share initial weights
  const rng = new Rng(seed);
  const embed = new Embedding({ numEmbeddings: letters.size, embeddingDim, paddingIdx: 0, dtype, seed: rng.nextU32() });
  const lstm = new LSTM({
    inputSize: embeddingDim, hiddenSize, numLayers, bidirectional: true, dropout, batchFirst: true, dtype, seed: rng.nextU32(),
  });
  const head = new Dense({ inputSize: 2 * hiddenSize, outputSize: phonemes.size, dtype, seed: rng.nextU32() });
  return new Sequential([['embed', embed], ['lstm', lstm], ['head', head]], { seed: rng.nextU32() });
}

/** What goes into the model file's extra.g2p. */
export interface G2PExtra {
  /** 2 since end padding (`pad`); version 1 files (no `pad`) still load, with pad 0. */
  version: 1 | 2;
  /** Letter tokens in id order, starting at id 1. */
  letters: string[];
  /** Phoneme tokens in id order, starting at id 1 (0 = blank). */
  phonemes: string[];
  /** Frames per letter (src/data/cmudict.ts encodeWord). */
  repeat: number;
  /** Frames of id 0 after the last letter (encodeWord). */
  pad?: number;
}

/** The model file's extra for a G2P model: `{ g2p: G2PExtra }` (version 2), to pass as save()'s options.extra. */
export function g2pExtra(letters: TokenVocab, phonemes: TokenVocab, repeat: number, pad = 0): { g2p: G2PExtra } {
  return { g2p: { version: 2, letters: [...letters.tokens], phonemes: [...phonemes.tokens], repeat, pad } };
}

/** Vocabularies and input encoding back from a model file's extra; a clear error when the file is not a G2P model. */
export function vocabsFromExtra(extra: Record<string, unknown>): { letters: TokenVocab; phonemes: TokenVocab; repeat: number; pad: number } {
  const g = extra.g2p as Partial<G2PExtra> | undefined;
  const isStrings = (a: unknown): a is string[] => Array.isArray(a) && a.every((s) => typeof s === 'string');
  if (g === undefined || g === null || typeof g !== 'object') {
    throw new FormatError(
      `[g2p] the model file must carry extra.g2p (letters, phonemes, repeat); received extra keys [${Object.keys(extra).join(', ')}]. ` +
        'Hint: use a model written by `longshort g2p train`.',
    );
  }
  const pad = g.pad ?? 0;
  if ((g.version !== 1 && g.version !== 2) || !isStrings(g.letters) || !isStrings(g.phonemes) || !Number.isInteger(g.repeat) || (g.repeat as number) < 1 ||
    !Number.isInteger(pad) || pad < 0) {
    throw new FormatError(
      `[g2p] extra.g2p must be { version: 1 | 2, letters: string[], phonemes: string[], repeat: integer >= 1, pad?: integer >= 0 }; received ${JSON.stringify(g).slice(0, 200)}.`,
    );
  }
  return {
    letters: new TokenVocab(g.letters, 1, 'padding id'),
    phonemes: new TokenVocab(g.phonemes, 1, 'CTC blank'),
    repeat: g.repeat as number,
    pad,
  };
}
