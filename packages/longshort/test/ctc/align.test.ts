// CTC forced alignment against brute force: among all C^T frame paths that collapse to the
// labelling, the most probable one (test/ctc/bruteforce.ts enumerates them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { ctcForcedAlign } from '../../src/ctc/align.js';
import { logSoftmaxRows } from '../../src/kernels/ref/ctc.js';
import { collapse, forEachPath, softmaxRows } from './bruteforce.js';

test('ctcForcedAlign finds the most probable path of the labelling (repeats need a blank between)', () => {
  const T = 6;
  const C = 3;
  for (const seed of [1, 2, 3, 4]) {
    const rng = new Rng(seed);
    const logits = Float32Array.from({ length: T * C }, () => 2 * rng.normal());
    const lp = new Float64Array(T * C);
    logSoftmaxRows(lp, logits, 0, C, T, C);
    const p = softmaxRows(logits, T, C);
    for (const labels of [[1], [1, 2], [2, 2], [1, 1, 2], [2, 1, 2, 1]]) {
      let best = -1;
      let bestPath: number[] = [];
      forEachPath(p, T, C, (path, prob) => {
        if (collapse(path, 0).join(',') === labels.join(',') && prob > best) {
          best = prob;
          bestPath = [...path];
        }
      });
      const a = ctcForcedAlign(lp, T, C, labels);
      assert.ok(Math.abs(a.logProb - Math.log(best)) < 1e-9, `seed ${seed} labels ${labels}`);
      assert.deepEqual(a.path, bestPath);
      assert.deepEqual(collapse(a.path, 0), labels);
      a.labelIndex.forEach((k, t) => assert.equal(k === -1 ? 0 : labels[k], a.path[t]));
    }
  }
  assert.throws(() => ctcForcedAlign(new Float64Array(6), 2, 3, [1, 1]), /2 labels need at least 3 frames; received T = 2/);
  assert.throws(() => ctcForcedAlign(new Float64Array(6), 2, 3, [0]), /other than the blank 0; received 0 at 0/);
  assert.deepEqual(ctcForcedAlign(new Float64Array(6), 2, 3, []).path, [0, 0]);
});
