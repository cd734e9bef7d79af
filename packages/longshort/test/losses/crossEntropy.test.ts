// softmaxCrossEntropy: values written out by hand (PyTorch CrossEntropyLoss semantics for class
// weights, weighted mean, label smoothing, ignore_index), float64 gradient checks for every option,
// stability at ±1e4, padded steps, and the error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor.js';
import { ConfigError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { softmaxCrossEntropy } from '../../src/losses/index.js';
import { checkLossGrad, close, closeAll, rand } from './helpers.js';

// two rows, three classes; −log softmax written out directly
const X = [
  [1, 2, 3],
  [0.5, -1, 0],
];
const Y = [2, 0];
const nlp = (row: number[], c: number): number => -Math.log(Math.exp(row[c]) / row.reduce((s, v) => s + Math.exp(v), 0));
const softmax = (row: number[]): number[] => {
  const z = row.reduce((s, v) => s + Math.exp(v), 0);
  return row.map((v) => Math.exp(v) / z);
};
const logits = () => tensor(X, undefined, 'float64');

describe('hand-computed values', () => {
  test('plain mean: (nll0 + nll1)/2, grad (softmax − onehot)/2', () => {
    const r = softmaxCrossEntropy(logits(), Y);
    const l0 = nlp(X[0], 2);
    const l1 = nlp(X[1], 0);
    close(l0, 0.40760596444438, 1e-12); // 3 − lse(1, 2, 3) = −0.4076…
    close(r.loss, (l0 + l1) / 2);
    const p0 = softmax(X[0]);
    const p1 = softmax(X[1]);
    closeAll(r.grad!.data, [p0[0] / 2, p0[1] / 2, (p0[2] - 1) / 2, (p1[0] - 1) / 2, p1[1] / 2, p1[2] / 2]);
    assert.equal(r.divisor, 2);
  });

  test('class weights: weighted mean divides by the weights of the targets (PyTorch)', () => {
    const w = [1, 2, 0.5];
    const r = softmaxCrossEntropy(logits(), Y, { classWeights: w });
    close(r.loss, (0.5 * nlp(X[0], 2) + 1 * nlp(X[1], 0)) / (0.5 + 1));
    assert.equal(r.divisor, 1.5);
    const s = softmaxCrossEntropy(logits(), Y, { classWeights: w, reduction: 'sum' });
    close(s.loss, 0.5 * nlp(X[0], 2) + 1 * nlp(X[1], 0));
    const n = softmaxCrossEntropy(logits(), Y, { classWeights: w, reduction: 'none' });
    closeAll(n.losses!.data, [0.5 * nlp(X[0], 2), nlp(X[1], 0)]);
  });

  test('label smoothing 0.1: (1−ε)·nll + ε/C·Σ_c −log p_c', () => {
    const e = 0.1;
    const l = (row: number[], y: number) => (1 - e) * nlp(row, y) + (e / 3) * [0, 1, 2].reduce((s, c) => s + nlp(row, c), 0);
    const r = softmaxCrossEntropy(logits(), Y, { labelSmoothing: e });
    close(r.loss, (l(X[0], 2) + l(X[1], 0)) / 2);
    // gradient = softmax − smoothed target
    const p0 = softmax(X[0]);
    closeAll(r.grad!.data.subarray(0, 3), [(p0[0] - e / 3) / 2, (p0[1] - e / 3) / 2, (p0[2] - (1 - e + e / 3)) / 2]);
  });

  test('label smoothing with class weights: smoothing term weighted per class, same divisor (PyTorch)', () => {
    const e = 0.2;
    const w = [1, 2, 0.5];
    const l = (row: number[], y: number) =>
      (1 - e) * w[y] * nlp(row, y) + (e / 3) * [0, 1, 2].reduce((s, c) => s + w[c] * nlp(row, c), 0);
    const r = softmaxCrossEntropy(logits(), Y, { labelSmoothing: e, classWeights: w });
    close(r.loss, (l(X[0], 2) + l(X[1], 0)) / 1.5);
  });

  test('ignoreIndex: the row counts for nothing, its gradient is 0', () => {
    const r = softmaxCrossEntropy(logits(), [2, -100]);
    close(r.loss, nlp(X[0], 2));
    assert.equal(r.divisor, 1);
    assert.deepEqual(Array.from(r.grad!.data.subarray(3)), [0, 0, 0]);
    const r2 = softmaxCrossEntropy(logits(), [7, 0], { ignoreIndex: 7 });
    close(r2.loss, nlp(X[1], 0));
  });

  test('targets as Int32Array and as a Tensor of ids', () => {
    const a = softmaxCrossEntropy(logits(), Int32Array.from(Y));
    const b = softmaxCrossEntropy(logits(), tensor(Y, [2], 'float64'));
    assert.equal(a.loss, b.loss);
  });
});

describe('stability', () => {
  test('logits ±1e4: finite loss 2e4 and exact gradient', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const x = tensor([1e4, -1e4, 0, 1e4, -1e4, 0], [2, 3], dtype);
      const r = softmaxCrossEntropy(x, [1, 0], { reduction: 'none' });
      assert.deepEqual(r.losses!.toArray(), [2e4, 0]);
      assert.deepEqual(r.grad!.toArray(), [1, -1, 0, 0, 0, 0]);
    }
  });
  test('equal huge logits: log C', () => {
    const r = softmaxCrossEntropy(tensor([[5e4, 5e4, 5e4, 5e4]], undefined, 'float64'), [3]);
    close(r.loss, Math.log(4));
    closeAll(r.grad!.data, [0.25, 0.25, 0.25, -0.75]);
  });
});

describe('sequences (B, T, C) with padding', () => {
  test('lengths / (B, T) mask / (B) mask equal the loss over the valid rows alone', () => {
    const B = 2, T = 3, C = 4;
    const x = rand([B, T, C], 1, -3, 3);
    const y = [0, 3, 1, 2, 9, 9]; // row 1 steps 1-2 are padding holding junk ids
    const valid = [0, 1, 2, 3];
    const ref = softmaxCrossEntropy(tensor(valid.flatMap((n) => Array.from(x.data.subarray(n * C, n * C + C))), [4, C], 'float64'), [0, 3, 1, 2]);
    for (const opts of [{ lengths: [3, 1] }, { mask: tensor([1, 1, 1, 1, 0, 0], [B, T]) }]) {
      const r = softmaxCrossEntropy(x, y, opts);
      close(r.loss, ref.loss, 1e-15);
      closeAll(r.grad!.data.subarray(0, 4 * C), ref.grad!.data, 1e-15);
      assert.ok(r.grad!.data.subarray(4 * C).every((v) => v === 0));
    }
    const perRow = softmaxCrossEntropy(x, [0, 3, 1, 0, 0, 0], { mask: [1, 0] });
    const ref0 = softmaxCrossEntropy(tensor(Array.from(x.data.subarray(0, T * C)), [T, C], 'float64'), [0, 3, 1]);
    close(perRow.loss, ref0.loss, 1e-15);
  });
});

describe('float64 gradient checks (central differences)', () => {
  const cases: Record<string, object> = {
    plain: {},
    sum: { reduction: 'sum' },
    none: { reduction: 'none' },
    classWeights: { classWeights: [0.3, 2, 1, 0.7, 1.4] },
    'classWeights sum': { classWeights: [0.3, 2, 1, 0.7, 1.4], reduction: 'sum' },
    labelSmoothing: { labelSmoothing: 0.15 },
    'smoothing + weights': { labelSmoothing: 0.3, classWeights: [0.3, 2, 1, 0.7, 1.4] },
    'smoothing + weights none': { labelSmoothing: 0.3, classWeights: [0.3, 2, 1, 0.7, 1.4], reduction: 'none' },
    lengths: { lengths: [4, 2, 3] },
    'lengths + weights + smoothing': { lengths: [4, 1, 3], classWeights: [0.3, 2, 1, 0.7, 1.4], labelSmoothing: 0.1 },
    'row mask': { mask: [0, 1, 1] },
    ignoreIndex: { ignoreIndex: 4 },
  };
  for (const [name, opts] of Object.entries(cases)) {
    test(name, () => {
      const x = rand([3, 4, 5], 7, -3, 3);
      const y = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 4, 0];
      const err = checkLossGrad(name, x, (computeGrad) => softmaxCrossEntropy(x, y, { ...opts, computeGrad }));
      assert.ok(err < 1e-8);
    });
  }
  test('huge logits (±1e4 mixed with small) keep an exact gradient', () => {
    const x = tensor([1e4, -1e4, 0.3, 1e4 - 0.5, 2, -1e4], [2, 3], 'float64');
    // row 0: classes 0 and 2 separated by 1e4 → gradient (1, 0, −1) up to exp(−1e4)
    const r = softmaxCrossEntropy(x, [2, 0], { reduction: 'sum' });
    closeAll(r.grad!.data.subarray(0, 3), [1, 0, -1], 0);
    const err = checkLossGrad('huge', x, (computeGrad) => softmaxCrossEntropy(x, [1, 0], { reduction: 'sum', computeGrad }));
    assert.ok(err < 1e-6);
  });
});

describe('bad input', () => {
  test('wrong number of targets', () => {
    assert.throws(() => softmaxCrossEntropy(rand([2, 3, 4], 1), [0, 1, 2]), (e: Error) => {
      assert.ok(e instanceof ShapeError);
      assert.match(e.message, /targets must hold 6 class ids, one per row of logits \(2, 3, 4\); received 3/);
      return true;
    });
    assert.throws(() => softmaxCrossEntropy(rand([2, 3, 4], 1), tensor([0, 1, 2], [3])), /targets must have shape \(2, 3\).*received \(3\)/);
  });
  test('class id out of range, with its position', () => {
    assert.throws(() => softmaxCrossEntropy(rand([2, 3, 4], 1), [0, 1, 2, 3, 4, 0]), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /targets\[1, 1\] must be a class id in \[0, 4\) because logits have C=4 classes; received 4/);
      return true;
    });
    assert.throws(() => softmaxCrossEntropy(rand([2, 3], 1), [0, 1.5]), /received 1.5/);
  });
  test('NaN logit: NonFiniteError with its index; NaN in a masked row is fine', () => {
    const x = rand([2, 3], 1);
    x.data[4] = NaN;
    assert.throws(() => softmaxCrossEntropy(x, [0, 1]), (e: Error) => e instanceof NonFiniteError && /logits must be finite; received NaN at \[1, 1\]/.test(e.message));
    assert.ok(Number.isFinite(softmaxCrossEntropy(x, [0, 1], { mask: [1, 0] }).loss));
  });
  test('rank-1 logits, bad weights, bad smoothing', () => {
    assert.throws(() => softmaxCrossEntropy(rand([3], 1), [0]), /logits must have rank ≥ 2; received shape \(3\)/);
    assert.throws(() => softmaxCrossEntropy(rand([2, 3], 1), [0, 1], { classWeights: [1, 1] }), /classWeights must have 3 entries because logits have C=3 classes; received 2/);
    assert.throws(() => softmaxCrossEntropy(rand([2, 3], 1), [0, 1], { classWeights: [1, -1, 1] }), /classWeights\[1\] must be finite and ≥ 0; received -1/);
    assert.throws(() => softmaxCrossEntropy(rand([2, 3], 1), [0, 1], { labelSmoothing: 1.5 }), /labelSmoothing must be in \[0, 1\]; received 1.5/);
  });
});
