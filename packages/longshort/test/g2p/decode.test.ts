// G2P decoding with an n-gram phoneme model and a lexicon, on a toy alphabet: with neither it is
// the plain beam search; with the lexicon bonus at +Infinity every word comes out as a lexicon
// entry; the grid search picks a row no worse on its words than the plain decoder.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { TokenVocab, encodeWord, type G2PExample } from '../../src/data/cmudict.js';
import {
  buildG2PModel, buildLexicon, decodeG2P, evaluateG2PDecoder, predictIds, pronounceWithAlignment, trainG2P, trainPhonemeLM, tuneG2PDecoder,
} from '../../src/g2p/index.js';

const letters = new TokenVocab(['A', 'B', 'C'], 1, 'padding id');
const phonemes = new TokenVocab(['X', 'Y', 'Z'], 1, 'CTC blank');
const rule: Record<string, string[]> = { A: ['X'], B: ['Y', 'Z'], C: [] };
const make = (w: string): G2PExample => ({ word: w, input: encodeWord(w, letters), targets: [phonemes.encode([...w].flatMap((c) => rule[c]))] });
const rng = new Rng(11);
const words: string[] = [];
for (let i = 0; i < 260; i++) words.push(Array.from({ length: 1 + rng.int(5) }, () => 'ABC'[rng.int(3)]).join(''));
const ok = (w: string): boolean => /[AB]/.test(w);
const train = words.slice(0, 200).filter(ok).map(make);
const held = words.slice(200).filter(ok).map(make);

describe('decodeG2P', () => {
  test('plain, lexicon-only and tuned decoding', async () => {
    const m = buildG2PModel({ letters, phonemes, embeddingDim: 4, hiddenSize: 6, numLayers: 1, seed: 2 });
    await trainG2P(m, train, { epochs: 6, batchSize: 8, lr: 0.02, seed: 1 }); // half-trained: decoders differ
    const plain = decodeG2P(m, held, { beamWidth: 8, minLogProb: -Infinity });
    assert.deepEqual(plain.map((d) => d.labels), predictIds(m, held, { beamWidth: 8 }));
    assert.ok(plain.every((d) => d.from === 'free'));

    const lexicon = buildLexicon(train);
    const forced = decodeG2P(m, held, { lexicon, lexiconBonus: Infinity });
    for (const d of forced) {
      if (d.from === 'lexicon') assert.ok(lexicon.has(d.labels));
    }
    assert.ok(forced.filter((d) => d.from === 'lexicon').length > held.length / 2);

    const lm = trainPhonemeLM(train, 3, 3);
    const grid = { lmWeights: [0, 0.3, 1], lengthBonuses: [0, 1], lexiconBonuses: [-Infinity, 0, 2] };
    const t = tuneG2PDecoder(m, held, { lm, lexicon }, grid);
    assert.equal(t.rows.length, 18);
    const base = t.rows.find((r) => r.lmWeight === 0 && r.lengthBonus === 0 && r.lexiconBonus === -Infinity)!;
    assert.ok(t.best.wordErrorRate <= base.wordErrorRate);
    const again = evaluateG2PDecoder(m, held, { lm, lexicon, lmWeight: t.best.lmWeight, lengthBonus: t.best.lengthBonus, lexiconBonus: t.best.lexiconBonus });
    assert.equal(again.wordErrorRate, t.best.wordErrorRate);
    // the alignment view: one frame per input frame, the emitted phonemes in order are the output
    const said = pronounceWithAlignment(m, 'abc', { letters, phonemes, repeat: 2, pad: 1 });
    assert.equal(said.frames.length, 7);
    assert.deepEqual(said.frames.map((f) => f.input), ['A', 'A', 'B', 'B', 'C', 'C', '']);
    const emitted = said.frames.filter((f, t) => f.emit !== '' && (t === 0 || said.frames[t - 1].phonemeIndex !== f.phonemeIndex)).map((f) => f.emit);
    assert.deepEqual(emitted, said.phonemes);
    assert.ok(said.frames.every((f) => f.prob > 0 && f.prob <= f.topProb + 1e-12));
    assert.throws(() => decodeG2P(m, held, { beamWidth: 0 }), /beamWidth must be an integer >= 1; received 0/);
    assert.throws(() => tuneG2PDecoder(m, held, { lm, lexicon }, { ...grid, lmWeights: [] }), /grid\.lmWeights must be a non-empty array/);
  });
});
