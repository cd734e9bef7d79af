// CTC with its targets in a tensor, so the trainer (fit, the thread pool) can pass CTC targets as
// it passes any y: a (B, L) tensor of label ids, right-padded with the blank id (0), which is never
// a label. Reduction 'mean' as PyTorch's (per row: loss / target length; then the mean over rows),
// zero_infinity on (a row whose labels cannot fit in its frames adds 0 and no gradient).

import type { Tensor } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { formatShape } from '../tensor.js';
import { ctcLoss } from './ctc.js';
import type { LossResult } from './common.js';

/**
 * @param logits  (B, T, C) unnormalised scores, blank = class 0
 * @param targets (B, L) label ids in [1, C), 0 after each row's labels
 * @param lengths B valid frame counts (default: all T)
 */
export function ctcLossPadded(logits: Tensor, targets: Tensor, options: { lengths?: ArrayLike<number>; computeGrad?: boolean } = {}): LossResult {
  if (logits.rank !== 3 || targets.rank !== 2 || targets.shape[0] !== logits.shape[0]) {
    throw new ShapeError(
      `[ctcLossPadded] logits must be (B, T, C) and targets (B, L) with the same B; received logits ${formatShape(logits.shape)} and targets ${formatShape(targets.shape)}.`,
    );
  }
  const [B, T] = logits.shape;
  const L = targets.shape[1];
  const labels: Int32Array[] = [];
  for (let b = 0; b < B; b++) {
    let n = 0;
    while (n < L && targets.data[b * L + n] !== 0) n++;
    for (let k = n; k < L; k++) {
      if (targets.data[b * L + k] !== 0) {
        throw new ConfigError(`[ctcLossPadded] targets row ${b} has a label after padding (0) at position ${k}; received ${targets.data[b * L + k]}. Hint: labels first, then zeros.`);
      }
    }
    labels.push(Int32Array.from(targets.data.subarray(b * L, b * L + n)));
  }
  const lengths = options.lengths ?? new Int32Array(B).fill(T);
  const r = ctcLoss(logits, labels, lengths, undefined, { blank: 0, reduction: 'mean', zeroInfinity: true, computeGrad: options.computeGrad ?? true });
  return { loss: r.loss, grad: r.grad, losses: null, divisor: B };
}
