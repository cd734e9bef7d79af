// Optimizer selection for the trainer: an instance, or a spec naming one of src/optim's classes.

import type { Param } from '../nn/layer.js';
import { ConfigError } from '../errors.js';
import { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { Adam, AdamW } from '../optim/adam.js';
import { RMSprop } from '../optim/rmsprop.js';

export type { Optimizer };

export type OptimizerSpec =
  | ({ name: 'sgd' } & ConstructorParameters<typeof SGD>[1])
  | ({ name: 'adam' } & ConstructorParameters<typeof Adam>[1])
  | ({ name: 'adamw' } & ConstructorParameters<typeof AdamW>[1])
  | ({ name: 'rmsprop' } & ConstructorParameters<typeof RMSprop>[1]);

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
