// The character language model of the handwriting reader (src/handwriting/lm.ts): what it is
// trained on, and that fusing it into the beam search changes a reading the way it should.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { HANDWRITING_ALPHABET, HANDWRITING_LM, handwritingCharLM, isTestWord, encodeText, decodeLabels } from '../../src/handwriting/index.js';
import { fusedBeamSearch } from '../../src/ctc/fusion.js';
import { ConfigError } from '../../src/errors.js';

const A = HANDWRITING_ALPHABET;
const C = A.length + 1;

/** Log-probabilities (T, C) of frames that each put `p` on one class and spread the rest evenly. */
function frames(rows: [string, number][]): Float64Array {
  const lp = new Float64Array(rows.length * C);
  rows.forEach(([ch, p], t) => {
    const k = ch === '' ? 0 : A.indexOf(ch) + 1;
    for (let c = 0; c < C; c++) lp[t * C + c] = Math.log(c === k ? p : (1 - p) / (C - 1));
  });
  return lp;
}

describe('handwriting character language model', () => {
  const words = ['then', 'they', 'hello', 'world', 'quick', 'brown', 'jumps', 'over', 'lazy', 'dogs'];

  test('counts texts of the training words only, deterministically; test words and foreign letters are refused', () => {
    const a = handwritingCharLM(words, A, { texts: 2000 });
    const b = handwritingCharLM(words, A, { texts: 2000 });
    assert.deepEqual(a.toJSON(), b.toJSON());
    assert.equal(a.order, HANDWRITING_LM.order);
    assert.ok(isTestWord('the'));
    // 'the' is a test word: a list with it makes the same model as the list without it
    assert.deepEqual(handwritingCharLM(['the', ...words], A, { texts: 2000 }).toJSON(), a.toJSON());
    assert.throws(() => handwritingCharLM(['the'], A), (e: Error) => e instanceof ConfigError && /no training words/.test(e.message));
    assert.throws(() => handwritingCharLM(['café', 'hello'], A), (e: Error) => e instanceof ConfigError && /'café' has 'é'/.test(e.message));
    assert.throws(() => handwritingCharLM(words, A, { texts: 0 }), ConfigError);
  });

  test('fused into the beam search it turns a letter the network doubts into the spelling it knows', () => {
    const lm = handwritingCharLM(words, A, { texts: 5000 });
    // the network reads "hcllo" with the c at 55% against e at 45% (one frame per letter, blanks between)
    const lp = frames([['h', 0.9], ['', 0.9], ['c', 0.55], ['', 0.9], ['l', 0.9], ['', 0.9], ['l', 0.9], ['', 0.9], ['o', 0.9]]);
    const t = 4 * 2 + 1;
    // put the rest of that frame's mass on e
    const k = 2 * C;
    for (let c = 0; c < C; c++) lp[k + c] = Math.log(c === A.indexOf('c') + 1 ? 0.55 : c === A.indexOf('e') + 1 ? 0.45 : 1e-9);
    const plain = fusedBeamSearch(lp, t, C, { beamWidth: 8 });
    assert.equal(decodeLabels(plain[0].labels, A), 'hcllo');
    const fused = fusedBeamSearch(lp, t, C, { beamWidth: 8, scorer: lm, lmWeight: HANDWRITING_LM.weight, lengthBonus: HANDWRITING_LM.bonus });
    assert.equal(decodeLabels(fused[0].labels, A), 'hello');
    assert.deepEqual(Array.from(encodeText('hello', A)), fused[0].labels);
  });
});
