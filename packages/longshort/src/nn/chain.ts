// Does a list of layers chain? Each layer's input feature size must be the previous layer's output
// size, and a sequence layer (LSTM) needs a sequence: Sequential checks this when it is built, so a
// model that could never run fails at construction with the two sizes named, not at predict().
//
// Walks the feature size and rank through the known layer kinds; a layer of another kind (a user's
// own Layer) ends the check from there on, since its sizes are not known here.

import { ConfigError } from '../errors.js';
import type { Layer } from './layer.js';

interface Flow {
  /** Feature size of the activations between layers; null = not known yet (first layer, ids). */
  features: number | null;
  /** 3: (B, T, F) sequences; 2: (B, F); null: either (before the first layer). */
  rank: 2 | 3 | null;
  /** The layer that set `features`, for messages. */
  from: string;
}

type Sized = Layer & Record<string, unknown>;

/** Throws ConfigError naming both layers when `layers` (in call order) do not chain. */
export function checkChain(layers: readonly { name: string; layer: Layer }[]): void {
  const flow: Flow = { features: null, rank: null, from: '' };
  for (const { name, layer } of layers) {
    const l = layer as Sized;
    const here = `layer '${name}' (${layer.kind})`;
    const needs = (n: unknown, option: string): void => {
      if (typeof n !== 'number' || flow.features === null || n === flow.features) return;
      throw new ConfigError(
        `[Sequential] ${here} takes ${option}=${n} features, but ${flow.from} before it outputs ${flow.features}. ` +
          `Hint: set ${option}: ${flow.features} on '${name}', or change the layer before it.`,
      );
    };
    switch (layer.kind) {
      case 'LSTM': {
        if (flow.rank === 2) {
          throw new ConfigError(
            `[Sequential] ${here} reads sequences (B, T, F), but ${flow.from} before it outputs one vector per row (B, ${flow.features}). ` +
              `Hint: give the layer before it returnSequences: true.`,
          );
        }
        needs(l.inputSize, 'inputSize');
        const dirs = l.bidirectional === true ? 2 : 1;
        const size = typeof l.outSize === 'number' ? l.outSize : null;
        flow.features = size === null ? null : dirs * size;
        flow.rank = l.returnSequences === false ? 2 : 3;
        break;
      }
      case 'Dense':
        needs(l.inputSize, 'inputSize');
        flow.features = typeof l.outputSize === 'number' ? l.outputSize : null;
        break;
      case 'Embedding':
        if (flow.features !== null) {
          throw new ConfigError(`[Sequential] ${here} takes integer ids, so it must come first; ${flow.from} before it outputs ${flow.features} features.`);
        }
        flow.features = typeof l.embeddingDim === 'number' ? l.embeddingDim : null;
        flow.rank = 3;
        break;
      case 'LayerNorm':
        needs(l.normalizedShape, 'normalizedShape');
        if (typeof l.normalizedShape === 'number') flow.features = l.normalizedShape;
        break;
      case 'Dropout':
      case 'Activation':
        continue; // shape-preserving: `from` stays the layer that set the size
      default:
        flow.features = null;
        flow.rank = null;
    }
    flow.from = here;
  }
}
