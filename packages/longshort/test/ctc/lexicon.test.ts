// Lexicon-constrained CTC decoding against brute force: with a beam wide enough to keep every
// reachable prefix, the decoder must return the lexicon entry (or sequence of entries joined by
// the separator) of highest CTC probability — which the CTC loss gives exactly for each candidate.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Lexicon, lexiconBeamSearchDecode, ctcLoss } from '../../src/ctc/index.js';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { ConfigError, ShapeError } from '../../src/errors.js';

function randomLogits(rng: Rng, T: number, C: number, sharp = 2): Tensor {
  return new Tensor(Float32Array.from({ length: T * C }, () => sharp * rng.normal()), [1, T, C]);
}

/** log p(labels | logits) by the CTC forward pass (−loss with reduction 'sum'); −∞ when it cannot fit. */
function logProb(logits: Tensor, labels: number[]): number {
  const r = ctcLoss(logits, [labels], [logits.shape[1]], undefined, { reduction: 'sum', zeroInfinity: true, computeGrad: false });
  return r.infeasibleRows.length > 0 ? -Infinity : -r.loss;
}

describe('Lexicon', () => {
  test('a trie of label sequences: has, next, isWord, size (duplicates counted once)', () => {
    const lex = new Lexicon([[1, 2], [1, 2, 3], [2], [1, 2]], 4);
    assert.equal(lex.size, 3);
    assert.ok(lex.has([1, 2]) && lex.has([1, 2, 3]) && lex.has([2]));
    assert.ok(!lex.has([1]) && !lex.has([3]) && !lex.has([]));
    const n1 = lex.next(0, 1);
    assert.ok(n1 > 0 && !lex.isWord(n1));
    assert.equal(lex.next(n1, 3), -1);
  });

  test('bad input is refused by name', () => {
    assert.throws(() => new Lexicon([[1, 5]], 4), ConfigError);
    assert.throws(() => new Lexicon([[]], 4), ConfigError);
    const lex = new Lexicon([[1]], 3);
    assert.throws(() => lexiconBeamSearchDecode(new Tensor(new Float32Array(8), [1, 2, 4]), undefined, { lexicon: lex }), /C=4/);
    assert.throws(() => lexiconBeamSearchDecode(new Tensor(new Float32Array(6), [2, 3]), undefined, { lexicon: lex }), ShapeError);
    assert.throws(() => lexiconBeamSearchDecode(new Tensor(new Float32Array(6), [1, 2, 3]), undefined, { lexicon: lex, separator: 0 }), /separator/);
  });
});

describe('lexiconBeamSearchDecode', () => {
  test('single words: the most probable lexicon word, exactly, over 40 random cases', () => {
    const rng = new Rng(3);
    const C = 4;
    const words = [[1], [2], [1, 2], [2, 1], [1, 1], [3, 1, 2], [2, 2, 3], [1, 3, 3, 1]];
    const lex = new Lexicon(words, C);
    for (let k = 0; k < 40; k++) {
      const T = 3 + rng.int(5);
      const logits = randomLogits(rng, T, C);
      const scored = words.map((w) => ({ w, lp: logProb(logits, w) })).sort((a, b) => b.lp - a.lp);
      const r = lexiconBeamSearchDecode(logits, undefined, { lexicon: lex, beamWidth: 200, topPaths: 3 });
      assert.deepEqual(r.labels[0], scored[0].w, `case ${k}`);
      assert.ok(Math.abs(r.scores[0] - scored[0].lp) < 1e-6, `score ${r.scores[0]} vs ${scored[0].lp}`);
      // the n-best list is the next most probable words, in order
      r.nbest[0].forEach((p, i) => {
        if (scored[i].lp > -Infinity) assert.ok(Math.abs(p.score - scored[i].lp) < 1e-6, `rank ${i}`);
      });
    }
  });

  test('phrases: words joined by the separator, searched exactly', () => {
    const rng = new Rng(11);
    const C = 4; // 1, 2 letters; 3 = separator
    const words = [[1], [2, 1], [1, 2]];
    const lex = new Lexicon(words, C);
    const phrases: number[][] = [];
    for (const a of words) {
      phrases.push(a);
      for (const b of words) phrases.push([...a, 3, ...b]);
    }
    for (let k = 0; k < 25; k++) {
      const logits = randomLogits(rng, 4 + rng.int(4), C);
      const best = phrases.map((p) => ({ p, lp: logProb(logits, p) })).sort((a, b) => b.lp - a.lp)[0];
      // three-word phrases could beat every two-word one only if T allows; restrict by length
      const r = lexiconBeamSearchDecode(logits, undefined, { lexicon: lex, beamWidth: 500, separator: 3 });
      const got = r.labels[0];
      const gotLp = logProb(logits, got);
      assert.ok(gotLp >= best.lp - 1e-9, `case ${k}: decoder ${JSON.stringify(got)} (${gotLp}) below ${JSON.stringify(best.p)} (${best.lp})`);
      // and the decoder's answer is itself a valid phrase
      const parts: number[][] = [[]];
      for (const c of got) (c === 3 ? parts.push([]) : parts[parts.length - 1].push(c));
      assert.ok(parts.every((w) => lex.has(w)), JSON.stringify(got));
    }
  });

  test('only lexicon words come out, even when the best free path is not one', () => {
    // frames that spell 1 2 2 with confidence; the lexicon has only [1, 2] and [2, 2]
    const C = 3;
    const rows = [[0, 9, 0], [-9, -9, 9], [9, 0, 0], [-9, -9, 9]].flat();
    const logits = new Tensor(Float32Array.from(rows), [1, 4, C]);
    const words = [[1, 2], [2, 2], [2, 1]];
    const r = lexiconBeamSearchDecode(logits, undefined, { lexicon: new Lexicon(words, C), beamWidth: 8 });
    const best = words.map((w) => ({ w, lp: logProb(logits, w) })).sort((a, b) => b.lp - a.lp)[0];
    assert.ok(logProb(logits, [1, 2, 2]) > best.lp + 5, 'the free best labelling is not a word');
    assert.deepEqual(r.labels[0], best.w);
    const none = lexiconBeamSearchDecode(logits, [0], { lexicon: new Lexicon([[1]], C) });
    assert.deepEqual(none.labels[0], []);
    assert.equal(none.scores[0], -Infinity);
  });
});
