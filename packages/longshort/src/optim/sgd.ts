// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
// following torch.optim.SGD's update exactly (weight decay is added to the gradient; the momentum
// buffer starts as the first gradient, undamped).
// Left out: `maximize`, parameter groups.

import type { Param } from '../nn/layer.js';
import { ConfigError } from '../errors.js';
import { type Hyper, Optimizer, checkBool, checkLr, checkNonNeg } from './optimizer.js';

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

const WHERE = '[SGD]';

/**
 * At step t with gradient g:
 *   g ← g + λ·p
 *   if μ ≠ 0:  b ← g (t = 1),  b ← μ·b + (1 − τ)·g (t > 1);   g ← g + μ·b (nesterov) or g ← b
 *   p ← p − lr·g
 */
export class SGD extends Optimizer {
  readonly kind = 'SGD';
  private _lr = 1e-3;
  private momentum = 0;
  private dampening = 0;
  private nesterov = false;
  private weightDecay = 0;

  constructor(params: readonly Param[], options: SGDOptions = {}) {
    super(params, WHERE);
    this.applyHyper({
      lr: options.lr ?? 1e-3,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      nesterov: options.nesterov ?? false,
      weightDecay: options.weightDecay ?? 0,
    });
    this.allocSlots();
  }

  get lr(): number {
    return this._lr;
  }
  set lr(v: number) {
    this._lr = checkLr(WHERE, v);
  }

  hyper(): Hyper {
    const { _lr: lr, momentum, dampening, nesterov, weightDecay } = this;
    return { lr, momentum, dampening, nesterov, weightDecay };
  }

  protected applyHyper(h: Hyper): void {
    const lr = checkLr(WHERE, h.lr);
    const momentum = checkNonNeg(WHERE, 'momentum', h.momentum);
    const dampening = checkNonNeg(WHERE, 'dampening', h.dampening);
    const nesterov = checkBool(WHERE, 'nesterov', h.nesterov);
    const weightDecay = checkNonNeg(WHERE, 'weightDecay', h.weightDecay);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new ConfigError(
        `${WHERE} nesterov needs momentum > 0 and dampening 0; received momentum ${momentum}, dampening ${dampening}.`,
      );
    }
    Object.assign(this, { _lr: lr, momentum, dampening, nesterov, weightDecay });
  }

  protected slotNames(): string[] {
    return this.momentum !== 0 ? ['momentum_buffer'] : [];
  }

  protected updateParam(i: number, p: Param, t: number): void {
    const { _lr: lr, momentum: mu, dampening, nesterov, weightDecay: wd } = this;
    const v = p.value;
    const g = p.grad;
    const buf = mu !== 0 ? this.slotData.momentum_buffer[i] : null;
    for (let k = 0; k < v.length; k++) {
      let d = g[k];
      if (wd !== 0) d += wd * v[k];
      if (buf !== null) {
        // the buffer is stored in the param dtype, so later reads see the rounded value (as PyTorch)
        buf[k] = t === 1 ? d : mu * buf[k] + (1 - dampening) * d;
        d = nesterov ? d + mu * buf[k] : buf[k];
      }
      v[k] -= lr * d;
    }
  }
}
