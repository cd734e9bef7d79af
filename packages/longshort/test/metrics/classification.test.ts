// Accuracy, confusion matrix and per-class precision/recall/F1 on a hand-worked example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, confusionMatrix, classificationReport } from '../../src/metrics/classification.js';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

// true:      0 0 1 1 2 2 2
// predicted: 0 1 1 1 2 0 2
const yTrue = [0, 0, 1, 1, 2, 2, 2];
const yPred = [0, 1, 1, 1, 2, 0, 2];

test('accuracy and confusion matrix (rows = true, columns = predicted)', () => {
  close(accuracy(yTrue, yPred), 5 / 7);
  assert.deepEqual(confusionMatrix(yTrue, yPred), [
    [1, 1, 0],
    [0, 2, 0],
    [1, 0, 2],
  ]);
  assert.deepEqual(confusionMatrix([0], [0], 3), [[1, 0, 0], [0, 0, 0], [0, 0, 0]]);
});

test('per-class precision, recall, F1 and macro averages', () => {
  const r = classificationReport(yTrue, yPred);
  // class 0: TP 1, predicted 2, actual 2 → P 1/2, R 1/2, F1 1/2
  // class 1: TP 2, predicted 3, actual 2 → P 2/3, R 1, F1 0.8
  // class 2: TP 2, predicted 2, actual 3 → P 1, R 2/3, F1 0.8
  const expect = [
    [1 / 2, 1 / 2, 1 / 2, 2],
    [2 / 3, 1, 0.8, 2],
    [1, 2 / 3, 0.8, 3],
  ];
  r.perClass.forEach((c, k) => {
    close(c.precision, expect[k][0]);
    close(c.recall, expect[k][1]);
    close(c.f1, expect[k][2]);
    assert.equal(c.support, expect[k][3]);
  });
  close(r.macro.f1, 0.7);
  close(r.macro.precision, (1 / 2 + 2 / 3 + 1) / 3);
  close(r.accuracy, 5 / 7);
});

test('a class never predicted or never present scores 0, not NaN', () => {
  const r = classificationReport([0, 0, 1], [0, 0, 0], 3);
  assert.deepEqual(r.perClass[1], { precision: 0, recall: 0, f1: 0, support: 1 });
  assert.deepEqual(r.perClass[2], { precision: 0, recall: 0, f1: 0, support: 0 });
  close(r.perClass[0].precision, 2 / 3);
});

test('bad input', () => {
  assert.throws(() => accuracy([0, 1], [0]), /\[accuracy\] yTrue and yPred must have the same length; received 2 and 1/);
  assert.throws(() => accuracy([], []), /needs at least one label/);
  assert.throws(() => confusionMatrix([0, 1.5], [0, 1]), /\[confusionMatrix\] yTrue\[1\] must be an integer class label in \[0, ∞\); received 1\.5/);
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /yTrue\[1\] must be an integer class label in \[0, 3\); received 3\. Hint: numClasses is 3/);
  assert.throws(() => classificationReport([0], [-1]), /yPred\[0\] must be an integer class label/);
});
