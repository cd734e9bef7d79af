// Decoders proven against brute-force enumeration: greedy = the single most probable path;
// prefix beam search (wide beam) = the most probable LABELLING, summed over its alignments.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { beamSearchDecode, greedyDecode } from '../../src/ctc/index.js';
import { Tensor, tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { bestPath, bruteLabellings, collapse } from './bruteforce.js';

function randomLogits(rng: Rng, B: number, T: number, C: number, std = 1.5): Tensor {
  const d = new Float64Array(B * T * C);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal(0, std);
  return new Tensor(d, [B, T, C]);
}

describe('greedyDecode', () => {
  test('equals the brute-force most probable path (collapsed) and its log-probability, per row', () => {
    const rng = new Rng(1);
    const T = 6, C = 4;
    const lens = [6, 4, 1, 0, 5];
    const x = randomLogits(rng, lens.length, T, C);
    const r = greedyDecode(x, lens);
    for (let b = 0; b < lens.length; b++) {
      const row = x.data.subarray(b * T * C, b * T * C + lens[b] * C);
      const bp = bestPath(row, lens[b], C);
      assert.deepEqual(r.labels[b], collapse(bp.path, 0));
      assert.ok(Math.abs(r.scores[b] - Math.log(bp.prob)) < 1e-12, `row ${b}: ${r.scores[b]} vs ${Math.log(bp.prob)}`);
    }
    assert.deepEqual(r.labels[3], []);
    assert.equal(r.scores[3], 0);
  });

  test('collapses repeats, keeps repeats separated by a blank, honours blank index', () => {
    // argmax sequence 1 1 0 1 2 2 0 0 → [1, 1, 2] with blank 0
    const arg = [1, 1, 0, 1, 2, 2, 0, 0];
    const x = tensor(arg.map((k) => [0, 1, 2].map((c) => (c === k ? 5 : 0))), undefined, 'float64').reshape([1, 8, 3]);
    assert.deepEqual(greedyDecode(x).labels, [[1, 1, 2]]);
    // with blank 2 the same frames collapse to 1 0 1 (2 2 dropped) 0 → [1, 0, 1, 0]
    assert.deepEqual(greedyDecode(x, undefined, { blank: 2 }).labels, [[1, 0, 1, 0]]);
  });
});

describe('beamSearchDecode (CTC prefix beam search)', () => {
  test('wide beam: top labelling and score equal the brute-force most probable labelling, on 12 random cases', (t) => {
    const rng = new Rng(2);
    let worst = 0;
    for (let k = 0; k < 12; k++) {
      const T = 3 + (k % 4); // 3..6
      const C = 3 + (k % 2); // 3..4
      const x = randomLogits(rng, 1, T, C, 1 + (k % 3));
      const all = bruteLabellings(x.data, T, C, 0);
      const r = beamSearchDecode(x, undefined, { beamWidth: 4096, topPaths: 5 });
      assert.deepEqual(r.labels[0], all[0].labels, `case ${k}`);
      worst = Math.max(worst, Math.abs(r.scores[0] - Math.log(all[0].prob)));
      // the n-best list is the brute-force ranking too
      for (let i = 0; i < 5; i++) {
        assert.deepEqual(r.nbest[0][i].labels, all[i].labels, `case ${k}, rank ${i}`);
        worst = Math.max(worst, Math.abs(r.nbest[0][i].score - Math.log(all[i].prob)));
      }
    }
    t.diagnostic(`worst log-prob error vs brute force ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-12, `worst log-prob error ${worst}`);
  });

  test('finds a labelling greedy misses: two frames of p(blank)=0.6, p(a)=0.4', () => {
    // greedy: path (blank, blank) → "" with p = 0.36; but "a" has aa + a- + -a = 0.16 + 0.24 + 0.24 = 0.64
    const frame = [Math.log(0.6), Math.log(0.4)];
    const x = tensor([[frame, frame]], undefined, 'float64');
    const g = greedyDecode(x);
    assert.deepEqual(g.labels, [[]]);
    assert.ok(Math.abs(g.scores[0] - Math.log(0.36)) < 1e-14);
    const bs = beamSearchDecode(x, undefined, { beamWidth: 2, topPaths: 2 });
    assert.deepEqual(bs.labels, [[1]]);
    assert.ok(Math.abs(bs.scores[0] - Math.log(0.64)) < 1e-14);
    assert.deepEqual(bs.nbest[0][1].labels, []);
    assert.ok(Math.abs(bs.nbest[0][1].score - Math.log(0.36)) < 1e-14);
  });

  test('repeated labels: "a a" needs a blank between; (a, -, a) vs (a, a, a)', () => {
    // three frames that strongly say a, blank, a → labelling [1, 1]
    const x = tensor([[[0, 6, 0], [6, 0, 0], [0, 6, 0]]], undefined, 'float64');
    assert.deepEqual(beamSearchDecode(x, undefined, { beamWidth: 8 }).labels, [[1, 1]]);
    const y = tensor([[[0, 6, 0], [0, 6, 0], [0, 6, 0]]], undefined, 'float64');
    assert.deepEqual(beamSearchDecode(y, undefined, { beamWidth: 8 }).labels, [[1]]);
  });

  test('batch with input lengths: each row equals decoding that row alone', () => {
    const rng = new Rng(3);
    const T = 7, C = 5;
    const x = randomLogits(rng, 3, T, C);
    const lens = [7, 3, 5];
    const r = beamSearchDecode(x, lens, { beamWidth: 6 });
    for (let b = 0; b < 3; b++) {
      const row = new Tensor(x.data.slice(b * T * C, b * T * C + lens[b] * C), [1, lens[b], C]);
      const one = beamSearchDecode(row, undefined, { beamWidth: 6 });
      assert.deepEqual(r.labels[b], one.labels[0]);
      assert.equal(r.scores[b], one.scores[0]);
    }
  });

  test('narrow beam never beats the wide beam, and its score is a true labelling probability', () => {
    const rng = new Rng(4);
    for (let k = 0; k < 6; k++) {
      const x = randomLogits(rng, 1, 6, 4, 2);
      const all = bruteLabellings(x.data, 6, 4, 0);
      const narrow = beamSearchDecode(x, undefined, { beamWidth: 2 });
      const exact = all.find((e) => e.labels.join(',') === narrow.labels[0].join(','))!;
      // a pruned prefix loses mass, so the narrow score is at most the labelling's probability
      assert.ok(narrow.scores[0] <= Math.log(exact.prob) + 1e-12);
      assert.ok(exact.prob <= all[0].prob);
    }
  });

  test('clear messages for bad options and input', () => {
    const x = randomLogits(new Rng(5), 2, 3, 4);
    assert.throws(() => beamSearchDecode(x, undefined, { beamWidth: 0 }), /beamWidth must be an integer >= 1; received 0/);
    assert.throws(() => beamSearchDecode(x, undefined, { beamWidth: 4, topPaths: 5 }), /topPaths must be an integer in \[1, beamWidth=4\]; received 5/);
    assert.throws(() => beamSearchDecode(x, [3]), /inputLengths must have 2 entries, one per batch row; received 1/);
    assert.throws(() => greedyDecode(x, [3, 4]), /inputLengths\[1\] must be an integer in \[0, 3\] because logits are \(2, 3, 4\); received 4/);
    assert.throws(() => greedyDecode(x.reshape([6, 4])), /logits must be a Tensor of shape \(B, T, C\); received \(6, 4\)/);
    assert.throws(() => greedyDecode(x, undefined, { blank: 4 }), /blank must be an integer class index in \[0, 4\).*received 4/);
    const bad = x.clone();
    bad.data[5] = NaN;
    assert.throws(() => greedyDecode(bad), /logits must not be NaN or \+Infinity; received NaN at \[b=0, t=1, c=1\]/);
    bad.data[5] = 0;
    for (let c = 0; c < 4; c++) bad.data[4 * 4 + c] = -Infinity;
    assert.throws(() => beamSearchDecode(bad), /at least one finite score; received all -Infinity at \[b=1, t=1\]/);
  });
});
