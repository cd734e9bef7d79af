// Edit distance and error rates on hand-worked examples, plus editDistance against a separate
// full-matrix Levenshtein on random arrays.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, labelErrorRate, sequenceErrorRate, wordErrorRate } from '../../src/ctc/index.js';
import { Rng } from '../../src/util/rng.js';

// textbook (m+1) x (n+1) table, written independently of the two-row version in src/
function fullMatrixLevenshtein(a: readonly number[], b: readonly number[]): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push(Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

describe('editDistance', () => {
  test('hand-worked string examples', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3); // k→s, e→i, +g
    assert.equal(editDistance('sitting', 'kitten'), 3);
    assert.equal(editDistance('flaw', 'lawn'), 2); // -f, +n
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('abc', ''), 3);
    assert.equal(editDistance('', ''), 0);
    assert.equal(editDistance('abc', 'abc'), 0);
    assert.equal(editDistance('abc', 'cba'), 2); // two substitutions (a↔c), b stays
    assert.equal(editDistance('a'.repeat(5000), 'b'), 5000);
  });

  test('arrays, Int32Arrays and word arrays', () => {
    assert.equal(editDistance([1, 2, 3], [1, 3]), 1);
    assert.equal(editDistance(Int32Array.from([1, 2, 3, 4]), [2, 3, 4, 5]), 2); // -1, +5
    assert.equal(editDistance(['the', 'cat', 'sat'], ['the', 'cat', 'sat', 'down']), 1);
  });

  test('equals a full-matrix Levenshtein on 200 random pairs', () => {
    const rng = new Rng(9);
    for (let k = 0; k < 200; k++) {
      const la = Math.floor(rng.next() * 12), lb = Math.floor(rng.next() * 12);
      const a = Array.from({ length: la }, () => Math.floor(rng.next() * 4));
      const b = Array.from({ length: lb }, () => Math.floor(rng.next() * 4));
      assert.equal(editDistance(a, b), fullMatrixLevenshtein(a, b), `${a} | ${b}`);
    }
  });
});

describe('error rates', () => {
  test('labelErrorRate: total edits / total reference labels', () => {
    // pair 1: [1,2,3] vs [1,3] → 1 edit; pair 2: [4] vs [4,5] → 1 edit; ref labels 2 + 2
    assert.equal(labelErrorRate([[1, 2, 3], [4]], [[1, 3], [4, 5]]), 0.5);
    // CER on characters: kitten/sitting 3 edits over 7, flaw/lawn 2 over 4 → 5/11
    assert.equal(labelErrorRate(['kitten', 'flaw'], ['sitting', 'lawn']), 5 / 11);
    // can exceed 1: everything inserted
    assert.equal(labelErrorRate([[1, 1, 1]], [[2]]), 3);
  });

  test('sequenceErrorRate: fraction not exactly right', () => {
    assert.equal(sequenceErrorRate([[1, 2], [3], []], [[1, 2], [3, 3], []]), 1 / 3);
    assert.equal(sequenceErrorRate(['a', 'b'], ['a', 'b']), 0);
  });

  test('wordErrorRate: whitespace-split words', () => {
    // one deletion ("the") over 6 reference words
    assert.equal(wordErrorRate('the cat sat on mat', 'the cat sat on the mat'), 1 / 6);
    // extra whitespace is not a word; substitution + insertion over 2 + 3 reference words
    assert.equal(wordErrorRate(['  hello   world ', 'a b c d'], ['hello word', 'a b c']), 2 / 5);
  });

  test('clear messages', () => {
    assert.throws(() => labelErrorRate([[1]], [[1], [2]]), /hyps and refs must pair up one to one; received 1 hyps and 2 refs/);
    assert.throws(() => labelErrorRate([[]], [[]]), /refs must hold at least one label in total; received 1 empty references/);
    assert.throws(() => wordErrorRate('a', '   '), /refs must hold at least one word in total/);
    assert.throws(() => sequenceErrorRate([], []), /refs must not be empty; received 0 pairs/);
  });
});
