// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), following torch.optim.Adam and
// torch.optim.AdamW: Adam's weightDecay is an L2 term added to the gradient, AdamW's is decoupled
// (p ← p·(1 − lr·λ) before the Adam step); both support AMSGrad. The bias corrections and the
// order of operations match PyTorch's single-tensor path:
//   denom = sqrt(v) / sqrt(1 − β2^t) + eps,   p ← p − (lr / (1 − β1^t))·m / denom.
// Left out: `maximize`, `capturable`/`fused`/`foreach` variants (they compute the same update),
// parameter groups.

import type { Param } from '../nn/layer.js';
import type { Kernels } from '../kernels/types.js';
import { type HyperSpec, Optimizer } from './optimizer.js';

/** Options of Adam and AdamW (torch.optim's); bad values throw ConfigError. */
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

  constructor(params: readonly Param[], options: AdamOptions = {}) {
    const cls = new.target as typeof Adam;
    super(params, cls.label, adamSpec(cls.defaultWeightDecay), options);
    this.kind = cls.label;
    this.decoupled = cls.decoupledDecay;
  }

  protected slotNames(): string[] {
    return this.h.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
  }

  protected updateParam(i: number, p: Param, t: number, k: Kernels): void {
    const h = this.h;
    const lr = h.lr as number;
    const wd = h.weightDecay as number;
    const beta1 = h.beta1 as number;
    const beta2 = h.beta2 as number;
    k.adamUpdate(p.value, p.grad, this.slot('exp_avg', i)!, this.slot('exp_avg_sq', i)!, this.slot('max_exp_avg_sq', i), p.value.length, {
      stepSize: lr / (1 - beta1 ** t),
      bc2Sqrt: Math.sqrt(1 - beta2 ** t),
      beta1,
      beta2,
      eps: h.eps as number,
      decay: this.decoupled && wd !== 0 ? 1 - lr * wd : 1, // AdamW's decoupled shrink factor
      l2: this.decoupled ? 0 : wd,
    });
  }
}

function adamSpec(defaultWeightDecay: number): HyperSpec {
  return {
    lr: { kind: 'lr', default: 1e-3 },
    beta1: { kind: 'unitOpen', default: 0.9 },
    beta2: { kind: 'unitOpen', default: 0.999 },
    eps: { kind: 'nonNeg', default: 1e-8 },
    weightDecay: { kind: 'nonNeg', default: defaultWeightDecay },
    amsgrad: { kind: 'bool', default: false },
  };
}

/** AdamW: Adam with decoupled weight decay, p ← p − lr·λ·p before the Adam step (λ default 0.01, as PyTorch). */
export class AdamW extends Adam {
  static override readonly label: string = 'AdamW';
  static override readonly decoupledDecay: boolean = true;
  static override readonly defaultWeightDecay: number = 0.01;
}
