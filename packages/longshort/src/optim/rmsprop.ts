// RMSprop (Hinton, Coursera lecture 6e), following torch.optim.RMSprop: eps is added after the
// square root, the optional momentum buffer accumulates g / avg, and `centered` divides by an
// estimate of the gradient's standard deviation instead of its root mean square.
// Left out: `maximize`, parameter groups.

import type { Param } from '../nn/layer.js';
import { type Hyper, Optimizer, checkBool, checkLr, checkNonNeg, checkUnitOpen } from './optimizer.js';

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

const WHERE = '[RMSprop]';

/**
 * At each step with gradient g:
 *   g ← g + λ·p
 *   v ← α·v + (1 − α)·g²
 *   centered: ḡ ← α·ḡ + (1 − α)·g,  a = sqrt(v − ḡ²) + eps;   otherwise a = sqrt(v) + eps
 *   μ > 0: b ← μ·b + g/a,  p ← p − lr·b;     otherwise p ← p − lr·g/a
 */
export class RMSprop extends Optimizer {
  readonly kind = 'RMSprop';
  private _lr = 1e-2;
  private alpha = 0.99;
  private eps = 1e-8;
  private momentum = 0;
  private centered = false;
  private weightDecay = 0;

  constructor(params: readonly Param[], options: RMSpropOptions = {}) {
    super(params, WHERE);
    this.applyHyper({
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
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
    const { _lr: lr, alpha, eps, momentum, centered, weightDecay } = this;
    return { lr, alpha, eps, momentum, centered, weightDecay };
  }

  protected applyHyper(h: Hyper): void {
    const lr = checkLr(WHERE, h.lr);
    const alpha = checkUnitOpen(WHERE, 'alpha', h.alpha);
    const eps = checkNonNeg(WHERE, 'eps', h.eps);
    const momentum = checkNonNeg(WHERE, 'momentum', h.momentum);
    const centered = checkBool(WHERE, 'centered', h.centered);
    const weightDecay = checkNonNeg(WHERE, 'weightDecay', h.weightDecay);
    Object.assign(this, { _lr: lr, alpha, eps, momentum, centered, weightDecay });
  }

  protected slotNames(): string[] {
    const s = ['square_avg'];
    if (this.momentum > 0) s.push('momentum_buffer');
    if (this.centered) s.push('grad_avg');
    return s;
  }

  protected updateParam(i: number, p: Param, _t: number): void {
    const { _lr: lr, alpha, eps, momentum: mu, weightDecay: wd } = this;
    const v = p.value;
    const g = p.grad;
    const sq = this.slotData.square_avg[i];
    const buf = mu > 0 ? this.slotData.momentum_buffer[i] : null;
    const ga = this.centered ? this.slotData.grad_avg[i] : null;
    for (let k = 0; k < v.length; k++) {
      let gk = g[k];
      if (wd !== 0) gk += wd * v[k];
      sq[k] = alpha * sq[k] + (1 - alpha) * (gk * gk);
      let avg: number;
      if (ga !== null) {
        ga[k] = alpha * ga[k] + (1 - alpha) * gk;
        // v ≥ ḡ² holds exactly (an average of squares is at least the square of the average);
        // the max only guards against rounding, where PyTorch would produce NaN
        avg = Math.sqrt(Math.max(sq[k] - ga[k] * ga[k], 0)) + eps;
      } else {
        avg = Math.sqrt(sq[k]) + eps;
      }
      if (buf !== null) {
        buf[k] = mu * buf[k] + gk / avg;
        v[k] -= lr * buf[k];
      } else {
        v[k] -= lr * (gk / avg);
      }
    }
  }
}
