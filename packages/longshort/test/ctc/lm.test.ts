// The n-gram language model: probabilities that sum to one in every state, interpolated
// Kneser-Ney worked out by hand on a tiny corpus, lower perplexity on text like the training text
// than the uniform model, the JSON round trip and its error messages.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NgramLM } from '../../src/ctc/lm.js';
import { Rng } from '../../src/util/rng.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

describe('NgramLM', () => {
  test('every state gives a distribution over the labels and the end (sums to 1)', () => {
    const rng = new Rng(1);
    const seqs = Array.from({ length: 200 }, () => Int32Array.from({ length: 1 + rng.int(6) }, () => 1 + rng.int(5)));
    for (const order of [1, 2, 3, 5]) {
      const lm = NgramLM.train(seqs, 5, order);
      let st = lm.start();
      for (const v of [3, 1, 4, 1, 5, 2]) {
        const d = lm.distribution(st);
        assert.equal(d[0], -Infinity);
        let s = 0;
        for (let w = 1; w <= 6; w++) s += Math.exp(d[w]);
        close(s, 1, 1e-9);
        st = lm.advance(st, v);
      }
    }
  });

  test('bigram interpolated Kneser-Ney matches the formula worked by hand', () => {
    // corpus over labels {1, 2} (END = 3), bigrams with begin marker 0:
    //   [1 2]   → (0,1) (1,2) (2,3)
    //   [1 1]   → (0,1) (1,1) (1,3)
    //   [2]     → (0,2) (2,3)
    const lm = NgramLM.train([[1, 2], [1, 1], [2]], 2, 2);
    // top table: (0,1):2 (0,2):1 (1,2):1 (1,1):1 (1,3):1 (2,3):2 → n1 = 4, n2 = 2 → D2 = 4 / (4 + 2·2)
    const D2 = 0.5;
    // continuation counts of unigrams: 1 ← {0, 1} = 2; 2 ← {1, 0} = 2; 3 ← {2, 1} = 2 → total 6, distinct 3; n1 = 0, n2 = 3 → D1 = 0
    // (clamped to 0.05)
    const D1 = 0.05;
    const uni = (w: number): number => (2 - D1) / 6 + ((D1 * 3) / 6) * (1 / 3);
    close(lm.discounts[1], D2);
    close(lm.discounts[0], D1);
    // P(2 | 1): c(1,2) = 1, c(1,·) = 3, distinct 3
    const p21 = (1 - D2) / 3 + ((D2 * 3) / 3) * uni(2);
    close(Math.exp(lm.distribution([1])[2]), p21);
    // P(1 | begin): c(0,1) = 2 of 3, distinct 2
    close(Math.exp(lm.distribution([0])[1]), (2 - D2) / 3 + ((D2 * 2) / 3) * uni(1));
    // an unseen history backs off to the unigram continuation distribution
    close(Math.exp(lm.distribution([9])[1]), uni(1));
    close(lm.score([1, 2]), Math.log((2 - D2) / 3 + ((D2 * 2) / 3) * uni(1)) + Math.log(p21) + Math.log((2 - D2) / 2 + ((D2 * 1) / 2) * uni(3)));
  });

  test('lower perplexity than uniform on held-out text from the same source; order helps on structured text', () => {
    // sequences that follow a pattern: label k is followed by k+1 (mod 6) 90% of the time
    const rng = new Rng(2);
    const gen = (): number[] => {
      const s = [1 + rng.int(6)];
      while (s.length < 8 && rng.next() < 0.9) s.push(rng.next() < 0.9 ? (s[s.length - 1] % 6) + 1 : 1 + rng.int(6));
      return s;
    };
    const train = Array.from({ length: 500 }, gen);
    const held = Array.from({ length: 100 }, gen);
    const uni = NgramLM.train(train, 6, 1).perplexity(held);
    const bi = NgramLM.train(train, 6, 2).perplexity(held);
    // Kneser-Ney's unigram counts distinct left neighbours, close to uniform here (uniform over 7 = 7)
    assert.ok(uni < 7.2, `unigram perplexity ${uni}`);
    assert.ok(bi < 7 * 0.6, `bigram ${bi} vs uniform 7`);
    assert.ok(bi < uni * 0.6, `bigram ${bi} vs unigram ${uni}`);
  });

  test('JSON round trip gives the same scores; malformed JSON and bad labels are named', () => {
    const lm = NgramLM.train([[1, 2, 3], [2, 3], [3, 1]], 3, 3);
    const back = NgramLM.fromJSON(JSON.parse(JSON.stringify(lm.toJSON())));
    for (const s of [[1, 2], [3, 3, 3], [2]]) assert.equal(back.score(s), lm.score(s));
    assert.throws(() => NgramLM.fromJSON({ kind: 'x' }), /expected \{ kind: 'ngram-kn', version: 1/);
    assert.throws(() => NgramLM.fromJSON({ ...lm.toJSON(), discounts: [0.5] }), /discounts must be 3 numbers in \(0, 1\)/);
    assert.throws(() => NgramLM.fromJSON({ ...lm.toJSON(), tables: [{ '': [1, 1, 9, 1] }, {}, {}] }), /has label 9, outside \[1, 4\]/);
    assert.throws(() => NgramLM.train([[1, 0]], 3, 2), /sequence 0, position 1: labels must be integers in \[1, 3\]; received 0/);
    assert.throws(() => NgramLM.train([], 3, 2), /at least one sequence; received 0/);
    assert.throws(() => lm.score([4]), /labels must be integers in \[1, 3\]; received 4 at 0/);
  });
});
