// Optimizer selection for the trainer: an instance, or a spec naming one of src/optim's classes.

import type { Param } from '../nn/layer.js';
import { ConfigError } from '../errors.js';
import { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { Adam, AdamW } from '../optim/adam.js';
import { RMSprop } from '../optim/rmsprop.js';

export type { Optimizer };

/** An optimizer by name with its options, e.g. `{ name: 'adam', lr: 1e-3 }` (see SGDOptions, AdamOptions, RMSpropOptions). */
export type OptimizerSpec =
  | ({ name: 'sgd' } & ConstructorParameters<typeof SGD>[1])
  | ({ name: 'adam' } & ConstructorParameters<typeof Adam>[1])
  | ({ name: 'adamw' } & ConstructorParameters<typeof AdamW>[1])
  | ({ name: 'rmsprop' } & ConstructorParameters<typeof RMSprop>[1]);

/** The optimizer a spec names, over these parameters. Throws ConfigError for an unknown name or bad options. */
export function createOptimizer(params: readonly Param[], spec: OptimizerSpec): Optimizer {
  const { name, ...opts } = spec as { name: string } & Record<string, unknown>;
  switch (name) {
    case 'sgd':
      return new SGD(params, opts as ConstructorParameters<typeof SGD>[1]);
    case 'adam':
      return new Adam(params, opts as ConstructorParameters<typeof Adam>[1]);
    case 'adamw':
      return new AdamW(params, opts as ConstructorParameters<typeof AdamW>[1]);
    case 'rmsprop':
      return new RMSprop(params, opts as ConstructorParameters<typeof RMSprop>[1]);
    default:
      throw new ConfigError(`[fit] optimizer.name must be one of sgd, adam, adamw, rmsprop; received '${String(name)}'.`);
  }
}
