// pinballLoss: hand-computed values, float64 gradient checks against central differences (away
// from the kinks), the minimiser being the empirical quantile, masks, and the error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor } from '../../src/tensor.js';
import { ConfigError, ShapeError } from '../../src/errors.js';
import { pinballLoss } from '../../src/losses/index.js';
import { checkLossGrad, close, rand } from './helpers.js';

describe('pinballLoss', () => {
  test('hand-computed: levels 0.1, 0.5, 0.9 against y = 2', () => {
    // p = [1, 2, 4]: u = y − p = [1, 0, −2] → [0.1·1, 0, (0.9 − 1)·(−2)] = [0.1, 0, 0.2]
    const r = pinballLoss(tensor([1, 2, 4], [1, 3], 'float64'), tensor([2], [1], 'float64'), { quantiles: [0.1, 0.5, 0.9], reduction: 'none' });
    assert.deepEqual(Array.from(r.losses!.data, (v) => Math.round(v * 1e12) / 1e12), [0.1, 0, 0.2]);
    close(r.loss, 0.3);
    // gradients: y > p → −q; y = p → 0; y < p → 1 − q
    assert.deepEqual(Array.from(r.grad!.data, (v) => Math.round(v * 1e12) / 1e12), [-0.1, 0, 0.1]);
    const mean = pinballLoss(tensor([1, 2, 4], [1, 3], 'float64'), tensor([2], [1], 'float64'), { quantiles: [0.1, 0.5, 0.9] });
    close(mean.loss, 0.1);
    assert.equal(mean.divisor, 3);
  });

  test('gradient matches float64 central differences (B, T, Q) with a mask', () => {
    const pred = rand([3, 4, 5], 11, -2, 2);
    const target = rand([3, 4], 12, -2, 2);
    const mask = [1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1];
    for (const reduction of ['mean', 'sum'] as const) {
      checkLossGrad(`pinball ${reduction}`, pred, (computeGrad) => pinballLoss(pred, target, { quantiles: [0.05, 0.25, 0.5, 0.75, 0.95], mask, reduction, computeGrad }));
    }
  });

  test('masked entries count for nothing', () => {
    const pred = rand([2, 3, 2], 3);
    const target = rand([2, 3], 4);
    const a = pinballLoss(pred, target, { quantiles: [0.2, 0.8], mask: [1, 1, 1, 0, 0, 0], reduction: 'sum' });
    const b = pinballLoss(new Tensor(pred.data.slice(0, 6), [1, 3, 2]), new Tensor(target.data.slice(0, 3), [1, 3]), { quantiles: [0.2, 0.8], reduction: 'sum' });
    close(a.loss, b.loss);
    assert.deepEqual(Array.from(a.grad!.data.slice(6)), [0, 0, 0, 0, 0, 0]);
  });

  test('minimising the mean loss over a constant gives the empirical quantile', () => {
    const ys = Array.from({ length: 101 }, (_, i) => ((i * 37) % 101) / 10); // 0.0 … 10.0 shuffled
    const target = tensor(ys, [101], 'float64');
    for (const q of [0.1, 0.5, 0.9]) {
      let best = 0;
      let bestLoss = Infinity;
      for (let c = 0; c <= 1000; c++) {
        const p = new Tensor(new Float64Array(101).fill(c / 100), [101, 1]);
        const l = pinballLoss(p, target, { quantiles: [q], computeGrad: false }).loss;
        if (l < bestLoss - 1e-12) [best, bestLoss] = [c / 100, l];
      }
      close(best, q * 10, 1e-9, `q=${q}`);
    }
  });

  test('errors name the problem', () => {
    assert.throws(() => pinballLoss(rand([2, 3], 1), rand([2], 2), { quantiles: [0.5, 1.2, 0.1] }), (e: unknown) => e instanceof ConfigError && /quantiles\[1\] must lie in \(0, 1\); received 1\.2/.test((e as Error).message));
    assert.throws(() => pinballLoss(rand([2, 3], 1), rand([2], 2), { quantiles: [0.5] }), (e: unknown) => e instanceof ShapeError && /last axis must hold 1 values.*received shape \(2, 3\)/.test((e as Error).message));
    assert.throws(() => pinballLoss(rand([2, 3], 1), rand([3], 2), { quantiles: [0.1, 0.5, 0.9] }), /target must have the shape of pred without its last axis, \(2\); received \(3\)/);
    assert.throws(() => pinballLoss(rand([2, 1], 1), tensor([NaN, 1], [2], 'float64'), { quantiles: [0.5] }), /target must be finite; received NaN at \[0\]/);
  });
});
