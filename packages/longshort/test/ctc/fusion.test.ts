// CTC prefix beam search with shallow fusion and a lexicon trie, against oracles: without LM and
// trie it returns what beamSearchDecode returns; with a trie and a beam wide enough to keep every
// prefix, its best hypothesis is the lexicon entry of highest P_CTC·P_LM^α·e^(β·length), each
// computed by enumerating all frame paths (test/ctc/bruteforce.ts) and NgramLM.score.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { beamSearchDecode } from '../../src/ctc/decode.js';
import { fusedBeamSearch, LabelTrie } from '../../src/ctc/fusion.js';
import { NgramLM } from '../../src/ctc/lm.js';
import { logSoftmaxRows } from '../../src/kernels/ref/ctc.js';
import { collapse, forEachPath, softmaxRows } from './bruteforce.js';

function randomLogProbs(T: number, C: number, seed: number): { logits: Float32Array; lp: Float64Array } {
  const rng = new Rng(seed);
  const logits = Float32Array.from({ length: T * C }, () => 3 * rng.normal());
  const lp = new Float64Array(T * C);
  logSoftmaxRows(lp, logits, 0, C, T, C);
  return { logits, lp };
}

/** log P_CTC of every labelling, by enumerating the C^T paths. */
function labellingLogProbs(logits: Float32Array, T: number, C: number): Map<string, number> {
  const p = softmaxRows(logits, T, C);
  const m = new Map<string, number>();
  forEachPath(p, T, C, (path, prob) => {
    const k = collapse(path, 0).join(',');
    m.set(k, (m.get(k) ?? 0) + prob);
  });
  for (const [k, v] of m) m.set(k, Math.log(v));
  return m;
}

describe('fusedBeamSearch', () => {
  test('no LM, no trie: the same n-best labellings and scores as beamSearchDecode', () => {
    for (const seed of [1, 2, 3]) {
      const T = 7;
      const C = 4;
      const { logits, lp } = randomLogProbs(T, C, seed);
      const ref = beamSearchDecode(new Tensor(logits, [1, T, C]), [T], { beamWidth: 6, topPaths: 3 });
      const got = fusedBeamSearch(lp, T, C, { beamWidth: 6, topPaths: 3 });
      assert.deepEqual(got.map((h) => h.labels), ref.nbest[0].map((h) => h.labels));
      got.forEach((h, i) => {
        assert.ok(Math.abs(h.score - ref.nbest[0][i].score) < 1e-9);
        assert.equal(h.fusion, 0);
      });
    }
  });

  test('trie + LM + length bonus, wide beam: the best lexicon entry by brute force', () => {
    const T = 6;
    const C = 4; // labels 1..3
    const lexicon = [[1], [2, 1], [1, 2, 3], [3, 3], [2, 2, 1], [1, 3, 1, 2]];
    const trie = new LabelTrie();
    for (const w of lexicon) trie.add(w);
    assert.equal(trie.size, 6);
    assert.ok(trie.has([2, 1]) && !trie.has([2]) && !trie.has([1, 2]));
    const lm = NgramLM.train([[1, 2, 3], [2, 1], [3, 3], [1, 1, 2], [3, 1]], 3, 2);
    for (const seed of [4, 5, 6, 7]) {
      const { logits, lp } = randomLogProbs(T, C, seed);
      const ctc = labellingLogProbs(logits, T, C);
      for (const [alpha, beta] of [[0, 0], [0.7, 0], [0.5, 1.5], [1.2, -1]]) {
        const oracle = lexicon
          .map((w) => ({ w, s: (ctc.get(w.join(',')) ?? -Infinity) + alpha * lm.score(w) + beta * w.length }))
          .sort((a, b) => b.s - a.s);
        const got = fusedBeamSearch(lp, T, C, { beamWidth: 1000, topPaths: 6, trie, scorer: lm, lmWeight: alpha, lengthBonus: beta });
        assert.deepEqual(got[0].labels, oracle[0].w, `seed ${seed} α ${alpha} β ${beta}`);
        assert.ok(Math.abs(got[0].score - oracle[0].s) < 1e-9);
        assert.ok(Math.abs(got[0].ctc - ctc.get(oracle[0].w.join(','))!) < 1e-9);
        // every returned hypothesis is a lexicon entry, best first
        for (const h of got) assert.ok(trie.has(h.labels));
        for (let i = 1; i < got.length; i++) assert.ok(got[i - 1].score >= got[i].score);
      }
    }
  });

  test('a strong LM pulls the result toward what it knows; bad options are named', () => {
    const T = 4;
    const C = 3;
    // frames favour label 1 slightly over 2 each time
    const lp = new Float64Array(T * C);
    for (let t = 0; t < T; t++) lp.set([Math.log(0.2), Math.log(0.42), Math.log(0.38)], t * C);
    const plain = fusedBeamSearch(lp, T, C, { beamWidth: 8 })[0].labels;
    assert.notDeepEqual(plain, [2]);
    const lm = NgramLM.train(Array.from({ length: 50 }, () => [2]), 2, 2);
    const fused = fusedBeamSearch(lp, T, C, { beamWidth: 8, scorer: lm, lmWeight: 2 })[0].labels;
    assert.deepEqual(fused, [2]);
    assert.throws(() => fusedBeamSearch(lp, T, C, { beamWidth: 0 }), /beamWidth must be an integer >= 1; received 0/);
    assert.throws(() => fusedBeamSearch(lp, T, C, { blank: 3 }), /blank must be in \[0, 3\); received 3/);
    assert.throws(() => fusedBeamSearch(lp, T, C, { lmWeight: NaN }), /lmWeight and lengthBonus must be finite/);
  });
});
