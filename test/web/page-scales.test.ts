// The demo page's scale arithmetic, in Node: round axis ticks (web/src/plot.ts) and the cell-state
// colour scale of the gate view (web/src/gates-view.ts), whose clipping the page reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceTicks } from '../../web/src/plot.js';
import { cellScale, roundUp } from '../../web/src/gates-view.js';

test('niceTicks: steps of 1, 2 or 5 × 10^k, exact decimals, whole numbers when asked', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(1, 3, 10), [1, 1.2, 1.4, 1.6, 1.8, 2, 2.2, 2.4, 2.6, 2.8, 3]); // no 1.2000000000000002
  assert.deepEqual(niceTicks(1, 3, 10, true), [1, 2, 3]);
  assert.deepEqual(niceTicks(-0.93, 1.07, 4), [-0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(1, 40, 6, true), [10, 20, 30, 40]);
  assert.deepEqual(niceTicks(2, 2), [2]);
});

test('cell scale: the round number covering 98 % of |c|, at least 1', () => {
  assert.deepEqual([0, 0.4, 1, 1.01, 2.5, 3, 4.2, 7, 12, 0.0].map(roundUp), [1, 1, 1, 2, 3, 3, 5, 10, 20, 1]);
  // 100 values: 98 below 1.7, two outliers at 9 → D = 2, and the outliers lie beyond it
  const abs = [...Array.from({ length: 98 }, (_, k) => (1.7 * k) / 97), 9, 9];
  assert.deepEqual(cellScale(abs), { D: 2 });
  assert.deepEqual(cellScale(Array.from({ length: 50 }, () => 0.3)), { D: 1 });
  assert.deepEqual(cellScale([]), { D: 1 });
});
