// mseLoss / maeLoss / huberLoss: hand-computed values, float64 gradient checks for every reduction
// and mask form, padded entries contributing nothing, and the error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor } from '../../src/tensor.js';
import { ConfigError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { huberLoss, maeLoss, mseLoss, type LossResult } from '../../src/losses/index.js';
import { checkLossGrad, close, closeAll, rand } from './helpers.js';

// d = pred − target = [-0.5, 0, 2, -4]
const pred = (): Tensor => tensor([1, 2, 3, 4], [4], 'float64');
const targ = (): Tensor => tensor([1.5, 2, 1, 8], [4], 'float64');

describe('hand-computed values', () => {
  test('mse: mean 20.25/4, sum 20.25, none per element; grad 2d/n', () => {
    const r = mseLoss(pred(), targ());
    assert.equal(r.loss, 5.0625);
    assert.deepEqual(r.grad!.toArray(), [-0.25, 0, 1, -2]);
    assert.equal(r.divisor, 4);
    assert.equal(r.losses, null);
    const s = mseLoss(pred(), targ(), { reduction: 'sum' });
    assert.equal(s.loss, 20.25);
    assert.deepEqual(s.grad!.toArray(), [-1, 0, 4, -8]);
    const n = mseLoss(pred(), targ(), { reduction: 'none' });
    assert.deepEqual(n.losses!.toArray(), [0.25, 0, 4, 16]);
    assert.equal(n.loss, 20.25);
    assert.deepEqual(n.grad!.toArray(), [-1, 0, 4, -8]);
  });

  test('mae: mean 6.5/4; subgradient 0 where pred = target', () => {
    const r = maeLoss(pred(), targ());
    assert.equal(r.loss, 1.625);
    assert.deepEqual(r.grad!.toArray(), [-0.25, 0, 0.25, -0.25]);
    assert.deepEqual(maeLoss(pred(), targ(), { reduction: 'none' }).losses!.toArray(), [0.5, 0, 2, 4]);
  });

  test('huber delta=1: [0.125, 0, 1.5, 3.5], grad clamp(d, ±1)/4; delta=2.5 sum 9', () => {
    const r = huberLoss(pred(), targ());
    assert.equal(r.loss, 5.125 / 4);
    assert.deepEqual(r.grad!.toArray(), [-0.125, 0, 0.25, -0.25]);
    assert.deepEqual(huberLoss(pred(), targ(), { reduction: 'none' }).losses!.toArray(), [0.125, 0, 1.5, 3.5]);
    const s = huberLoss(pred(), targ(), { delta: 2.5, reduction: 'sum' });
    // 0.5·0.25, 0, 0.5·4, 2.5·(4 − 1.25)
    assert.equal(s.loss, 0.125 + 0 + 2 + 6.875);
    assert.deepEqual(s.grad!.toArray(), [-0.5, 0, 2, -2.5]);
  });

  test('huber at |d| = delta is continuous: both branches give ½δ² and gradient ±δ', () => {
    const r = huberLoss(tensor([3, -3], [2], 'float64'), tensor([1, -1], [2], 'float64'), { delta: 2, reduction: 'none' });
    assert.deepEqual(r.losses!.toArray(), [2, 2]);
    assert.deepEqual(r.grad!.toArray(), [2, -2]);
  });

  test('float32 predictions give a float32 gradient', () => {
    const r = mseLoss(tensor([1, 2], [2]), tensor([0, 0], [2]));
    assert.ok(r.grad!.data instanceof Float32Array);
    assert.equal(r.loss, 2.5);
  });

  test('computeGrad false returns the same loss and no gradient', () => {
    const r = huberLoss(pred(), targ(), { computeGrad: false });
    assert.equal(r.grad, null);
    assert.equal(r.loss, 5.125 / 4);
  });
});

describe('masks', () => {
  // (B=2, T=3, F=2); row 0 has 3 valid steps, row 1 only 1
  const B = 2, T = 3, F = 2;
  const validSteps = [[0, 0], [0, 1], [0, 2], [1, 0]];

  for (const [name, fn] of [['mse', mseLoss], ['mae', maeLoss], ['huber', huberLoss]] as const) {
    test(`${name}: lengths, (B, T) mask tensor and flat mask array agree with the loss over the valid steps alone`, () => {
      const p = rand([B, T, F], 1, -2, 2);
      const y = rand([B, T, F], 2, -2, 2);
      const valid = validSteps.flatMap(([b, t]) => [0, 1].map((f) => (b * T + t) * F + f));
      const pv = tensor(valid.map((i) => p.data[i]), [valid.length], 'float64');
      const yv = tensor(valid.map((i) => y.data[i]), [valid.length], 'float64');
      const ref = fn(pv, yv);
      const maskArr = [1, 1, 1, 1, 0, 0];
      const variants: LossResult[] = [
        fn(p, y, { lengths: [3, 1] }),
        fn(p, y, { mask: tensor(maskArr, [B, T], 'float64') }),
        fn(p, y, { mask: Int32Array.from(maskArr) }),
      ];
      for (const r of variants) {
        close(r.loss, ref.loss, 1e-15);
        assert.equal(r.divisor, 8);
        for (let i = 0; i < p.size; i++) {
          const k = valid.indexOf(i);
          assert.equal(r.grad!.data[i], k >= 0 ? ref.grad!.data[k] : 0, `grad[${i}]`);
        }
      }
    });
  }

  test('per-row mask (B) covers all of that row; garbage (NaN) in padded entries changes nothing', () => {
    const p = rand([B, T, F], 3);
    const y = rand([B, T, F], 4);
    const a = mseLoss(p, y, { mask: [1, 0] });
    p.data.fill(NaN, T * F); // all of row 1
    y.data.fill(Infinity, T * F);
    const b = mseLoss(p, y, { mask: [1, 0] });
    assert.equal(b.loss, a.loss);
    assert.equal(b.divisor, T * F);
    assert.deepEqual(Array.from(b.grad!.data.subarray(T * F)), new Array(T * F).fill(0));
  });

  test('all entries masked: loss 0, gradient 0 (not NaN)', () => {
    const r = mseLoss(rand([2, 3], 5), rand([2, 3], 6), { mask: [0, 0] });
    assert.equal(r.loss, 0);
    assert.equal(r.divisor, 0);
    assert.ok(r.grad!.data.every((v) => v === 0));
  });
});

describe('float64 gradient checks (central differences)', () => {
  const fns = { mse: mseLoss, mae: maeLoss, huber: (p: Tensor, y: Tensor, o: object) => huberLoss(p, y, { delta: 0.7, ...o }) };
  for (const [name, fn] of Object.entries(fns)) {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      for (const maskKind of ['none', 'lengths', 'rowMask'] as const) {
        test(`${name} reduction=${reduction} mask=${maskKind}`, () => {
          const p = rand([3, 4, 2], 10, -2, 2);
          const y = rand([3, 4, 2], 11, -2, 2);
          const opts = {
            reduction,
            ...(maskKind === 'lengths' ? { lengths: [4, 2, 1] } : {}),
            ...(maskKind === 'rowMask' ? { mask: [1, 0, 1] } : {}),
          };
          const err = checkLossGrad(name, p, (computeGrad) => fn(p, y, { ...opts, computeGrad }));
          assert.ok(err < 1e-8);
        });
      }
    }
  }
});

describe('bad input', () => {
  test('shape mismatch names both shapes', () => {
    assert.throws(() => mseLoss(rand([2, 3], 1), rand([3, 2], 2)), (e: Error) => {
      assert.ok(e instanceof ShapeError);
      assert.match(e.message, /\[mseLoss\] target must have the shape of pred \(2, 3\); received \(3, 2\)/);
      return true;
    });
  });
  test('a non-tensor argument', () => {
    assert.throws(() => maeLoss([1, 2] as unknown as Tensor, rand([2], 1)), /\[maeLoss\] pred must be a Tensor; received an array/);
  });
  test('NaN prediction: NonFiniteError with its index', () => {
    const p = rand([2, 3], 1);
    p.data[4] = NaN;
    assert.throws(() => mseLoss(p, rand([2, 3], 2)), (e: Error) => e instanceof NonFiniteError && /pred must be finite; received NaN at \[1, 1\]/.test(e.message));
  });
  test('infinite target: NonFiniteError naming target', () => {
    const y = rand([2, 3], 2);
    y.data[2] = -Infinity;
    assert.throws(() => huberLoss(rand([2, 3], 1), y), /\[huberLoss\] target must be finite; received -Infinity at \[0, 2\]/);
  });
  test('mask of the wrong shape or with non-0/1 entries', () => {
    assert.throws(() => mseLoss(rand([2, 3, 4], 1), rand([2, 3, 4], 2), { mask: tensor([1, 1, 1], [3]) }), /mask must have a leading part of the shape \(2, 3, 4\).*received \(3\)/);
    assert.throws(() => mseLoss(rand([2, 3, 4], 1), rand([2, 3, 4], 2), { mask: [1, 1, 1] }), /received 3 entries/);
    assert.throws(() => mseLoss(rand([2, 3], 1), rand([2, 3], 2), { mask: [1, 0.5] }), (e: Error) => e instanceof ConfigError && /received 0.5 at \[1\]/.test(e.message));
    assert.throws(() => mseLoss(rand([2, 3], 1), rand([2, 3], 2), { lengths: [3, 4] }), /lengths\[1\] must be an integer in \[0, 3\] because T=3; received 4/);
    assert.throws(() => mseLoss(rand([2, 3], 1), rand([2, 3], 2), { lengths: [3, 3], mask: [1, 1] }), /either mask or lengths/);
  });
  test('bad delta and reduction', () => {
    assert.throws(() => huberLoss(rand([2], 1), rand([2], 2), { delta: 0 }), /delta must be a finite number > 0; received 0/);
    assert.throws(() => mseLoss(rand([2], 1), rand([2], 2), { reduction: 'avg' as 'mean' }), /reduction must be 'mean', 'sum' or 'none'; received "avg"/);
  });
  test('overflow without bad input returns Infinity instead of throwing', () => {
    const r = mseLoss(tensor([1e200], [1], 'float64'), tensor([-1e200], [1], 'float64'));
    assert.equal(r.loss, Infinity);
  });
});

test('closeAll helper sanity (guards the helper itself)', () => {
  assert.throws(() => closeAll([1, 2], [1, 2.1]));
});
