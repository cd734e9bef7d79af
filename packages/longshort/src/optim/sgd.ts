// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
// following torch.optim.SGD's update exactly (weight decay is added to the gradient; the momentum
// buffer starts as the first gradient, undamped). The arithmetic is the kernels' sgdUpdate.
// Left out: `maximize`, parameter groups.

import type { Param } from '../nn/layer.js';
import { ConfigError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { type Hyper, type HyperSpec, Optimizer } from './optimizer.js';

/** Options of SGD (torch.optim.SGD's); bad values throw ConfigError. */
export interface SGDOptions {
  /** Learning rate. Default 1e-3 (PyTorch 2.x). */
  lr?: number;
  /** μ ≥ 0. Default 0 (plain SGD). */
  momentum?: number;
  /** τ: the momentum buffer takes (1 − τ) of each new gradient. Default 0. */
  dampening?: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0. Default false. */
  nesterov?: boolean;
  /** λ: L2 penalty, added to the gradient as λ·p. Default 0. */
  weightDecay?: number;
}

const SPEC: HyperSpec = {
  lr: { kind: 'lr', default: 1e-3 },
  momentum: { kind: 'nonNeg', default: 0 },
  dampening: { kind: 'nonNeg', default: 0 },
  nesterov: { kind: 'bool', default: false },
  weightDecay: { kind: 'nonNeg', default: 0 },
};

/**
 * At step t with gradient g:
 *   g ← g + λ·p
 *   if μ ≠ 0:  b ← g (t = 1),  b ← μ·b + (1 − τ)·g (t > 1);   g ← g + μ·b (nesterov) or g ← b
 *   p ← p − lr·g
 */
export class SGD extends Optimizer {
  readonly kind = 'SGD';

  constructor(params: readonly Param[], options: SGDOptions = {}) {
    super(params, 'SGD', SPEC, options);
  }

  protected override checkTogether(h: Hyper): void {
    if (h.nesterov && ((h.momentum as number) <= 0 || h.dampening !== 0)) {
      throw new ConfigError(`[SGD] nesterov needs momentum > 0 and dampening 0; received momentum ${h.momentum}, dampening ${h.dampening}.`);
    }
  }

  protected slotNames(): string[] {
    return this.h.momentum !== 0 ? ['momentum_buffer'] : [];
  }

  protected updateParam(i: number, p: Param, t: number, k: Kernels): void {
    const h = this.h;
    k.sgdUpdate(p.value, p.grad, this.slot('momentum_buffer', i), p.value.length, {
      lr: h.lr as number,
      weightDecay: h.weightDecay as number,
      momentum: h.momentum as number,
      damp1: 1 - (h.dampening as number),
      nesterov: h.nesterov as boolean,
      first: t === 1,
    });
  }
}
