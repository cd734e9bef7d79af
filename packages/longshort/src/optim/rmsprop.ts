// RMSprop (Hinton, Coursera lecture 6e), following torch.optim.RMSprop: eps is added after the
// square root, the optional momentum buffer accumulates g / avg, and `centered` divides by an
// estimate of the gradient's standard deviation instead of its root mean square.
// Left out: `maximize`, parameter groups.

import type { Param } from '../nn/layer.js';
import type { Kernels } from '../kernels/types.js';
import { type HyperSpec, Optimizer } from './optimizer.js';

/** Options of RMSprop (torch.optim.RMSprop's); bad values throw ConfigError. */
export interface RMSpropOptions {
  /** Learning rate. Default 1e-2 (PyTorch). */
  lr?: number;
  /** Decay of the squared-gradient average, in [0, 1). Default 0.99. */
  alpha?: number;
  /** Added to the denominator after the square root. Default 1e-8. */
  eps?: number;
  /** μ ≥ 0. Default 0. */
  momentum?: number;
  /** Normalise by the centred second moment (variance). Default false. */
  centered?: boolean;
  /** λ: L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

const SPEC: HyperSpec = {
  lr: { kind: 'lr', default: 1e-2 },
  alpha: { kind: 'unitOpen', default: 0.99 },
  eps: { kind: 'nonNeg', default: 1e-8 },
  momentum: { kind: 'nonNeg', default: 0 },
  centered: { kind: 'bool', default: false },
  weightDecay: { kind: 'nonNeg', default: 0 },
};

/**
 * At each step with gradient g:
 *   g ← g + λ·p
 *   v ← α·v + (1 − α)·g²
 *   centered: ḡ ← α·ḡ + (1 − α)·g,  a = sqrt(v − ḡ²) + eps;   otherwise a = sqrt(v) + eps
 *   μ > 0: b ← μ·b + g/a,  p ← p − lr·b;     otherwise p ← p − lr·g/a
 */
export class RMSprop extends Optimizer {
  readonly kind = 'RMSprop';

  constructor(params: readonly Param[], options: RMSpropOptions = {}) {
    super(params, 'RMSprop', SPEC, options);
  }

  protected slotNames(): string[] {
    const s = ['square_avg'];
    if ((this.h.momentum as number) > 0) s.push('momentum_buffer');
    if (this.h.centered) s.push('grad_avg');
    return s;
  }

  protected updateParam(i: number, p: Param, _t: number, k: Kernels): void {
    const h = this.h;
    k.rmspropUpdate(p.value, p.grad, this.slot('square_avg', i)!, this.slot('momentum_buffer', i), this.slot('grad_avg', i), p.value.length, {
      lr: h.lr as number,
      alpha: h.alpha as number,
      eps: h.eps as number,
      momentum: h.momentum as number,
      weightDecay: h.weightDecay as number,
    });
  }
}
