// Runs the example of docs/ctc.md and checks the numbers the page quotes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctcLoss, beamSearchDecode, labelErrorRate } from '../../src/ctc/index.js';
import { tensor } from '../../src/tensor.js';

test('docs/ctc.md example gives the quoted numbers', () => {
  const logits = tensor([
    [[0.1, 2.0, 0.3], [1.5, 0.2, 0.1], [0.2, 0.1, 2.2], [1.0, 0.0, 0.5]],
    [[0.3, 0.2, 1.9], [2.1, 0.1, 0.4], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
  ]);
  const { loss, losses, grad } = ctcLoss(logits, [[1, 2], [2]], [4, 2]);
  assert.equal(loss.toFixed(4), '0.3586');
  assert.deepEqual(Array.from(losses, (l) => l.toFixed(4)), ['0.6282', '0.4030']);
  assert.ok(Math.abs(loss - (losses[0] / 2 + losses[1] / 1) / 2) < 1e-15);
  assert.deepEqual(grad!.shape, [2, 4, 3]);
  const beam = beamSearchDecode(logits, [4, 2], { beamWidth: 8, topPaths: 2 });
  assert.deepEqual(beam.labels, [[1, 2], [2]]);
  assert.deepEqual(beam.nbest[0].map((h) => h.score.toFixed(3)), ['-0.628', '-2.081']);
  assert.equal(labelErrorRate(beam.labels, [[1, 2], [2]]), 0);
});
