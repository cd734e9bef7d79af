// Sliding windows, chronological splits and scalers, checked value by value on small series and
// for leakage on the real CO₂ record.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeWindows, chronologicalSplit, splitWindows, StandardScaler, MinMaxScaler, scalerFromJSON } from '../../src/data/windows.js';

const range = (n: number, f = (i: number) => i): Float64Array => Float64Array.from({ length: n }, (_, i) => f(i));

describe('makeWindows', () => {
  test('L=3, H=2, S=2 over 10 steps with 2 features: exact contents', () => {
    const a = range(10); // 0..9
    const b = range(10, (i) => 100 + i);
    const w = makeWindows([a, b], a, { lookback: 3, horizon: 2, stride: 2 });
    // N = floor((10 − 3 − 2) / 2) + 1 = 3 windows starting at 0, 2, 4.
    assert.deepEqual(w.inputs.shape, [3, 3, 2]);
    assert.deepEqual(w.targets.shape, [3, 2]);
    assert.deepEqual(Array.from(w.inputs.data.slice(0, 6)), [0, 100, 1, 101, 2, 102]);
    assert.deepEqual(Array.from(w.inputs.data.slice(12, 18)), [4, 104, 5, 105, 6, 106]);
    assert.deepEqual(Array.from(w.targets.data), [3, 4, 5, 6, 7, 8]);
    assert.deepEqual(Array.from(w.targetIndex), [3, 5, 7]);
  });

  test('the last window ends exactly at the series end', () => {
    const w = makeWindows([range(6)], range(6), { lookback: 2, horizon: 4 });
    assert.deepEqual(w.inputs.shape, [1, 2, 1]);
    assert.deepEqual(Array.from(w.targets.data), [2, 3, 4, 5]);
  });

  test('bad input', () => {
    assert.throws(() => makeWindows([range(4)], range(4), { lookback: 3, horizon: 2 }), /no window fits: each needs lookback \+ horizon = 3 \+ 2 = 5 steps .* and the series has 4 steps\. Hint: use a shorter lookback/);
    assert.throws(() => makeWindows([range(5)], range(6), { lookback: 2, horizon: 1 }), /features\[0\] must have length 6 like the target; received 5/);
    assert.throws(() => makeWindows([range(5)], range(5), { lookback: 0, horizon: 1 }), /lookback must be an integer >= 1; received 0/);
    assert.throws(() => makeWindows([range(5)], range(5), { lookback: 2, horizon: 1.5 }), /horizon must be an integer >= 1; received 1\.5/);
    assert.throws(() => makeWindows([], range(5), { lookback: 2, horizon: 1 }), /features must hold at least one column/);
  });
});

describe('chronological splits', () => {
  test('fractions round down for train and val; test gets the rest', () => {
    assert.deepEqual(chronologicalSplit(101, { train: 0.7, val: 0.15 }), { train: [0, 70], val: [70, 85], test: [85, 101] });
    assert.deepEqual(chronologicalSplit(10, { train: 1 }), { train: [0, 10], val: [10, 10], test: [10, 10] });
  });

  test('last-K points', () => {
    assert.deepEqual(chronologicalSplit(746, { testLast: 24, valLast: 24 }), { train: [0, 698], val: [698, 722], test: [722, 746] });
    assert.throws(() => chronologicalSplit(30, { testLast: 20, valLast: 10 }), /testLast \+ valLast = 30 leaves no training data in a series of 30 points/);
    assert.throws(() => chronologicalSplit(30, { train: 0.8, val: 0.3 }), /train \+ val <= 1; received train=0\.8, val=0\.3/);
    assert.throws(() => chronologicalSplit(30, { train: 0.01 }), /train=0\.01 of 30 points is less than one point/);
  });

  test('splitWindows: targets never cross splits and always move forward in time', () => {
    const T = 746;
    const y = range(T, (i) => Math.sin(i / 5));
    const ranges = chronologicalSplit(T, { testLast: 24, valLast: 24 });
    const sw = splitWindows([y], y, ranges, { lookback: 36, horizon: 12 });
    const spans = (idx: Int32Array, H: number): [number, number] => [idx[0], idx[idx.length - 1] + H];
    const tr = spans(sw.train.targetIndex, 12);
    const va = spans(sw.val!.targetIndex, 12);
    const te = spans(sw.test!.targetIndex, 12);
    assert.ok(tr[0] >= 36 && tr[1] <= 698, `train targets ${tr}`);
    assert.ok(va[0] >= 698 && va[1] <= 722, `val targets ${va}`);
    assert.ok(te[0] >= 722 && te[1] <= 746, `test targets ${te}`);
    assert.equal(sw.train.inputs.shape[0], 698 - 36 - 12 + 1);
    assert.equal(sw.val!.inputs.shape[0], 24 - 12 + 1);
    // The first validation window looks back into the training range (the past), value for value.
    assert.equal(sw.val!.inputs.data[0], Math.fround(y[698 - 36]));
    // A split too short for one window is null.
    assert.equal(splitWindows([y], y, chronologicalSplit(T, { testLast: 5 }), { lookback: 3, horizon: 6 }).test, null);
  });
});

describe('scalers', () => {
  const train = Float64Array.from([1, 2, 3, 4, 100]); // the 100 is in the test range

  test('StandardScaler fits on the training range only', () => {
    const s = new StandardScaler().fit([train], [0, 4]);
    assert.equal(s.mean[0], 2.5);
    assert.equal(s.std[0], Math.sqrt(1.25)); // population std of 1..4
    const z = s.transform([train])[0];
    assert.ok(Math.abs(z[0] - -1.5 / Math.sqrt(1.25)) < 1e-12);
    assert.ok(Math.abs(z[4] - 97.5 / Math.sqrt(1.25)) < 1e-12);
    const back = s.inverseTransform([z])[0];
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(back[i] - train[i]) < 1e-12);
  });

  test('MinMaxScaler to [-1, 1]; constant columns do not divide by zero', () => {
    const s = new MinMaxScaler([-1, 1]).fit([train, Float64Array.from([7, 7, 7, 7, 7])], [0, 4]);
    assert.deepEqual(Array.from(s.transformColumn([1, 2.5, 4, 7], 0)), [-1, 0, 1, 3]);
    // Constant column: range taken as 1, so 7 → lo and 8 → lo + (hi − lo).
    assert.deepEqual(Array.from(s.transformColumn([7, 8], 1)), [-1, 1]);
    assert.deepEqual(Array.from(s.inverseColumn([-1, 0, 1], 0)), [1, 2.5, 4]);
    const c = new StandardScaler().fit([Float64Array.from([3, 3, 3])]);
    assert.deepEqual(Array.from(c.transformColumn([3, 4], 0)), [0, 1]);
  });

  test('toJSON / fromJSON round trip through JSON text', () => {
    for (const s of [new StandardScaler().fit([train, range(5, (i) => i * i)]), new MinMaxScaler([0, 2]).fit([train])]) {
      const copy = scalerFromJSON(JSON.parse(JSON.stringify(s.toJSON())));
      assert.equal(copy.kind, s.kind);
      assert.deepEqual(copy.toJSON(), s.toJSON());
      assert.deepEqual(Array.from(copy.transformColumn([0, 5, 50], 0)), Array.from(s.transformColumn([0, 5, 50], 0)));
    }
    assert.ok(StandardScaler.fromJSON({ kind: 'standard', mean: [1], std: [2] }).transformColumn([5], 0)[0] === 2);
  });

  test('bad input', () => {
    assert.throws(() => new StandardScaler().transform([train]), /\[StandardScaler\.transform\] the scaler is not fitted\. Hint: call fit\(\) on the training range first/);
    const s = new StandardScaler().fit([train]);
    assert.throws(() => s.transform([train, train]), /expected 1 columns as fitted; received 2/);
    assert.throws(() => s.inverseColumn([1], 1), /\[StandardScaler\.inverseColumn\] column must be an integer in \[0, 1\); received 1/);
    assert.throws(() => new MinMaxScaler().fit([Float64Array.from([1, NaN])]), /\[MinMaxScaler\.fit\] column 0 row 1 is NaN; scaling needs finite numbers/);
    assert.throws(() => new MinMaxScaler().fit([train], [3, 3]), /range must satisfy 0 <= start < end <= 5; received \[3, 3\)/);
    assert.throws(() => new MinMaxScaler([1, 0]), /range must be \[lo, hi\] with finite lo < hi; received \[1, 0\]/);
    assert.throws(() => scalerFromJSON({ kind: 'robust' }), /kind must be 'standard' or 'minmax'; received "robust"/);
    assert.throws(() => scalerFromJSON({ kind: 'standard', mean: [0, 1], std: [1] }), /'std' must be an array of 2 finite numbers; received \[1\]/);
    assert.throws(() => scalerFromJSON({ kind: 'standard', mean: [0], std: [0] }), /every std must be > 0; received \[0\]/);
    assert.throws(() => MinMaxScaler.fromJSON({ kind: 'standard', mean: [0], std: [1] }), /expected kind 'minmax'; received 'standard'/);
  });
});
