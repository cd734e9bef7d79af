// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), following torch.optim.Adam and
// torch.optim.AdamW: Adam's weightDecay is an L2 term added to the gradient, AdamW's is decoupled
// (p ← p·(1 − lr·λ) before the Adam step); both support AMSGrad. The bias corrections and the
// order of operations match PyTorch's single-tensor path:
//   denom = sqrt(v) / sqrt(1 − β2^t) + eps,   p ← p − (lr / (1 − β1^t))·m / denom.
// Left out: `maximize`, `capturable`/`fused`/`foreach` variants (they compute the same update),
// parameter groups.

import type { Param } from '../nn/layer.js';
import { type Hyper, Optimizer, checkBool, checkLr, checkNonNeg, checkUnitOpen } from './optimizer.js';

export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay of the first-moment average, in [0, 1). Default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average, in [0, 1). Default 0.999. */
  beta2?: number;
  /** Added to the denominator. Default 1e-8. */
  eps?: number;
  /** λ ≥ 0. Adam: L2 (added to the gradient); AdamW: decoupled. Default 0 for Adam, 0.01 for AdamW (PyTorch). */
  weightDecay?: number;
  /** AMSGrad: divide by the running maximum of the second moment. Default false. */
  amsgrad?: boolean;
}

/**
 * At step t with gradient g (AdamW: first p ← p − lr·λ·p and no L2 term):
 *   g ← g + λ·p                        (Adam only)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   v̂ ← max(v̂, v) if amsgrad, else v
 *   p ← p − (lr / (1 − β1^t)) · m / (sqrt(v̂) / sqrt(1 − β2^t) + eps)
 */
export class Adam extends Optimizer {
  /** Per-class constants, read through new.target so AdamW needs no constructor of its own. */
  static readonly label: string = 'Adam';
  static readonly decoupledDecay: boolean = false;
  static readonly defaultWeightDecay: number = 0;

  readonly kind: string;
  private readonly decoupled: boolean;
  private readonly where: string;
  private _lr = 1e-3;
  private beta1 = 0.9;
  private beta2 = 0.999;
  private eps = 1e-8;
  private weightDecay = 0;
  private amsgrad = false;

  constructor(params: readonly Param[], options: AdamOptions = {}) {
    const cls = new.target as typeof Adam;
    super(params, `[${cls.label}]`);
    this.kind = cls.label;
    this.decoupled = cls.decoupledDecay;
    this.where = `[${cls.label}]`;
    this.applyHyper({
      lr: options.lr ?? 1e-3,
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? cls.defaultWeightDecay,
      amsgrad: options.amsgrad ?? false,
    });
    this.allocSlots();
  }

  get lr(): number {
    return this._lr;
  }
  set lr(v: number) {
    this._lr = checkLr(this.where, v);
  }

  hyper(): Hyper {
    const { _lr: lr, beta1, beta2, eps, weightDecay, amsgrad } = this;
    return { lr, beta1, beta2, eps, weightDecay, amsgrad };
  }

  protected applyHyper(h: Hyper): void {
    const w = this.where;
    const lr = checkLr(w, h.lr);
    const beta1 = checkUnitOpen(w, 'beta1', h.beta1);
    const beta2 = checkUnitOpen(w, 'beta2', h.beta2);
    const eps = checkNonNeg(w, 'eps', h.eps);
    const weightDecay = checkNonNeg(w, 'weightDecay', h.weightDecay);
    const amsgrad = checkBool(w, 'amsgrad', h.amsgrad);
    Object.assign(this, { _lr: lr, beta1, beta2, eps, weightDecay, amsgrad });
  }

  protected slotNames(): string[] {
    return this.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
  }

  protected updateParam(i: number, p: Param, t: number): void {
    const { _lr: lr, beta1: b1, beta2: b2, eps, weightDecay: wd } = this;
    const v = p.value;
    const g = p.grad;
    const m = this.slotData.exp_avg[i];
    const s = this.slotData.exp_avg_sq[i];
    const vmax = this.amsgrad ? this.slotData.max_exp_avg_sq[i] : null;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    const decay = 1 - lr * wd; // AdamW's decoupled shrink factor
    const l2 = this.decoupled ? 0 : wd;
    for (let k = 0; k < v.length; k++) {
      if (this.decoupled && wd !== 0) v[k] *= decay;
      let gk = g[k];
      if (l2 !== 0) gk += l2 * v[k];
      m[k] = b1 * m[k] + (1 - b1) * gk;
      s[k] = b2 * s[k] + (1 - b2) * (gk * gk);
      let sk = s[k];
      if (vmax !== null) {
        if (sk > vmax[k]) vmax[k] = sk;
        sk = vmax[k];
      }
      v[k] -= (stepSize * m[k]) / (Math.sqrt(sk) / bc2Sqrt + eps);
    }
  }
}

/** AdamW: Adam with decoupled weight decay, p ← p − lr·λ·p before the Adam step (λ default 0.01, as PyTorch). */
export class AdamW extends Adam {
  static override readonly label: string = 'AdamW';
  static override readonly decoupledDecay: boolean = true;
  static override readonly defaultWeightDecay: number = 0.01;
}
