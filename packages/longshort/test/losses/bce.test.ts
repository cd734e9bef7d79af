// bceWithLogits: values from the textbook form −[q·y·log σ(x) + (1−y)·log(1−σ(x))] (computed here
// naively at moderate logits), stability at ±1e4, float64 gradient checks for every option, masks,
// and the error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor.js';
import { ConfigError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { bceWithLogits } from '../../src/losses/index.js';
import { checkLossGrad, close, closeAll, rand } from './helpers.js';

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const naive = (x: number, y: number, q = 1): number => -(q * y * Math.log(sig(x)) + (1 - y) * Math.log(1 - sig(x)));

describe('hand-computed values', () => {
  const xs = [0, 2, -3, 0.7];
  const ys = [1, 0, 0.5, 1];
  test('mean of the naive per-element losses; grad (σ(x) − y)/n', () => {
    const r = bceWithLogits(tensor(xs, [2, 2], 'float64'), tensor(ys, [2, 2], 'float64'));
    close(naive(0, 1), Math.LN2);
    close(r.loss, xs.reduce((s, x, i) => s + naive(x, ys[i]), 0) / 4, 1e-14);
    closeAll(r.grad!.data, xs.map((x, i) => (sig(x) - ys[i]) / 4), 1e-14);
    const n = bceWithLogits(tensor(xs, [4], 'float64'), tensor(ys, [4], 'float64'), { reduction: 'none' });
    closeAll(n.losses!.data, xs.map((x, i) => naive(x, ys[i])), 1e-14);
  });
  test('posWeight per last-dim entry: −[q·y·log σ + (1−y)·log(1−σ)]; grad (1−y) − (1+(q−1)y)σ(−x)', () => {
    const q = [3, 0.5];
    const r = bceWithLogits(tensor(xs, [2, 2], 'float64'), tensor(ys, [2, 2], 'float64'), { posWeight: q, reduction: 'sum' });
    close(r.loss, xs.reduce((s, x, i) => s + naive(x, ys[i], q[i % 2]), 0), 1e-14);
    closeAll(r.grad!.data, xs.map((x, i) => (1 - ys[i]) - (1 + (q[i % 2] - 1) * ys[i]) * sig(-x)), 1e-14);
    const s = bceWithLogits(tensor(xs, [2, 2], 'float64'), tensor(ys, [2, 2], 'float64'), { posWeight: 2, reduction: 'sum' });
    close(s.loss, xs.reduce((acc, x, i) => acc + naive(x, ys[i], 2), 0), 1e-14);
  });
});

test('stability: logits ±1e4 give finite losses and exact gradients (the naive form gives Infinity/NaN)', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const x = tensor([1e4, -1e4, 1e4, -1e4], [4], dtype);
    const y = tensor([0, 1, 1, 0], [4], dtype);
    const r = bceWithLogits(x, y, { reduction: 'none' });
    assert.deepEqual(r.losses!.toArray(), [1e4, 1e4, 0, 0]);
    assert.deepEqual(r.grad!.toArray(), [1, -1, 0, 0]);
  }
  assert.ok(!Number.isFinite(naive(1e4, 0)));
});

test('masks: padded steps count for nothing', () => {
  const x = rand([2, 3, 2], 1, -3, 3);
  const y = rand([2, 3, 2], 2, 0, 1);
  const r = bceWithLogits(x, y, { lengths: [1, 2] });
  const valid = [0, 1, 6, 7, 8, 9];
  const ref = bceWithLogits(tensor(valid.map((i) => x.data[i]), [6], 'float64'), tensor(valid.map((i) => y.data[i]), [6], 'float64'));
  close(r.loss, ref.loss, 1e-15);
  assert.equal(r.divisor, 6);
  for (let i = 0; i < x.size; i++) if (!valid.includes(i)) assert.equal(r.grad!.data[i], 0);
});

describe('float64 gradient checks (central differences)', () => {
  const cases: Record<string, object> = {
    plain: {},
    sum: { reduction: 'sum' },
    none: { reduction: 'none' },
    'posWeight scalar': { posWeight: 2.5 },
    'posWeight per class': { posWeight: [0.2, 1, 4] },
    'lengths + posWeight': { lengths: [4, 1], posWeight: [0.2, 1, 4] },
    'row mask sum': { mask: [0, 1], reduction: 'sum' },
  };
  for (const [name, opts] of Object.entries(cases)) {
    test(name, () => {
      const x = rand([2, 4, 3], 3, -4, 4);
      const y = rand([2, 4, 3], 4, 0, 1);
      y.data[0] = 0;
      y.data[1] = 1;
      const err = checkLossGrad(name, x, (computeGrad) => bceWithLogits(x, y, { ...opts, computeGrad }));
      assert.ok(err < 1e-8);
    });
  }
});

describe('bad input', () => {
  test('shape mismatch', () => {
    assert.throws(() => bceWithLogits(rand([4], 1), rand([4, 1], 2, 0, 1)), (e: Error) => e instanceof ShapeError && /targets must have the shape of logits \(4\); received \(4, 1\)/.test(e.message));
  });
  test('targets outside [0, 1] (or NaN), with the position', () => {
    assert.throws(() => bceWithLogits(rand([2, 2], 1), tensor([0, 1, 2, 0], [2, 2])), (e: Error) => e instanceof ConfigError && /targets must be in \[0, 1\]; received 2 at \[1, 0\]/.test(e.message));
    assert.throws(() => bceWithLogits(rand([2], 1), tensor([NaN, 0], [2])), /received NaN at \[0\]/);
  });
  test('NaN logit', () => {
    const x = rand([3], 1);
    x.data[2] = NaN;
    assert.throws(() => bceWithLogits(x, rand([3], 2, 0, 1)), (e: Error) => e instanceof NonFiniteError && /logits must be finite; received NaN at \[2\]/.test(e.message));
  });
  test('posWeight of the wrong length or negative', () => {
    assert.throws(() => bceWithLogits(rand([2, 3], 1), rand([2, 3], 2, 0, 1), { posWeight: [1, 2] }), /posWeight must be a number or have 3 entries.*received 2 entries/);
    assert.throws(() => bceWithLogits(rand([2, 3], 1), rand([2, 3], 2, 0, 1), { posWeight: -1 }), /posWeight must be finite and ≥ 0; received -1/);
  });
});
