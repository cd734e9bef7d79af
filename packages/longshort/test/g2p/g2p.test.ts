// The G2P pieces on small hand-made data: batching and the seeded bucketed order, the network's
// shapes, a float64 finite-difference check of the whole Embedding → BiLSTM → Dense → CTC gradient
// (the loop's backward path), the model-file round trip of the vocabularies, decoding, the error
// messages (the CLI commands are tested in longshort-cli's test/g2p/).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { Tensor } from '../../src/tensor.js';
import { ctcLoss } from '../../src/losses/ctc.js';
import { modelFromBytes, modelToBytes } from '../../src/io/model.js';
import { TokenVocab, encodeWord, type G2PExample } from '../../src/data/cmudict.js';
import {
  buildG2PModel, bucketedBatches, evaluateG2P, evenSubset, g2pExtra, makeBatch, predictIds, pronounce, trainG2P, vocabsFromExtra, wordToExample,
} from '../../src/g2p/index.js';
import { checkGrad } from '../helpers/fd.js';

const letters = new TokenVocab(['A', 'B', 'C'], 1, 'padding id');
const phonemes = new TokenVocab(['X', 'Y', 'Z'], 1, 'CTC blank');
const ex = (word: string, ...prons: string[][]): G2PExample => ({
  word, input: encodeWord(word, letters), targets: prons.map((p) => phonemes.encode(p)),
});

describe('batching', () => {
  test('makeBatch right-pads with id 0 and reports each word length', () => {
    const b = makeBatch([ex('AB', ['X']), ex('C', ['Y'])]);
    assert.deepEqual(b.x.shape, [2, 4]);
    assert.deepEqual(Array.from(b.x.data), [1, 1, 2, 2, 3, 3, 0, 0]);
    assert.deepEqual(Array.from(b.lengths), [4, 2]);
    assert.throws(() => makeBatch([]), /at least one word; received 0/);
  });

  test('bucketedBatches: every index once, same seed same batches, similar lengths together', () => {
    const rng = new Rng(3);
    const lens = Int32Array.from({ length: 1000 }, () => 2 + rng.int(30));
    const a = bucketedBatches(lens, 16, new Rng(7));
    const b = bucketedBatches(lens, 16, new Rng(7));
    assert.deepEqual(a, b);
    const seen = new Int32Array(1000);
    for (const batch of a) for (const i of batch) seen[i]++;
    assert.ok(seen.every((n) => n === 1));
    // within a batch the length spread is far below the 28 of random batches
    let spread = 0;
    for (const batch of a) {
      const ls = Array.from(batch, (i) => lens[i]);
      spread += Math.max(...ls) - Math.min(...ls);
    }
    assert.ok(spread / a.length < 4, `mean spread ${spread / a.length}`);
    assert.notDeepEqual(bucketedBatches(lens, 16, new Rng(8)), a);
    assert.throws(() => bucketedBatches(lens, 0, new Rng(1)), /batchSize must be a positive integer; received 0/);
  });

  test('evenSubset spreads over the list and is the whole list when n is large', () => {
    assert.deepEqual(evenSubset([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5), [0, 2, 4, 6, 8]);
    assert.deepEqual(evenSubset([1, 2], 5), [1, 2]);
    assert.throws(() => evenSubset([1, 2, 3], 1.5), /n must be a non-negative integer; received 1.5/);
  });
});

describe('model', () => {
  test('shapes: (B, T) ids → (B, T, phonemes + blank); names embed/lstm/head', () => {
    const m = buildG2PModel({ letters, phonemes, embeddingDim: 4, hiddenSize: 5, numLayers: 2, seed: 1 });
    const b = makeBatch([ex('ABC', ['X']), ex('A', ['Y'])]);
    const y = m.call(b.x, { training: false, lengths: b.lengths });
    assert.deepEqual(y.shape, [2, 6, 4]);
    assert.deepEqual(m.layers.map((l) => l.name), ['embed', 'lstm', 'head']);
    assert.ok(m.params().some((p) => p.name === 'lstm.weight_ih_l1_reverse'));
    assert.throws(() => buildG2PModel({ letters, phonemes, hiddenSize: 0 }), /hiddenSize must be a positive integer; received 0/);
  });

  test('float64 gradient of the CTC loss through Dense, the 2-layer BiLSTM and the Embedding matches central differences', () => {
    const m = buildG2PModel({ letters, phonemes, embeddingDim: 3, hiddenSize: 3, numLayers: 2, seed: 5, dtype: 'float64' });
    // different lengths (padding exercised) and a repeated label (needs a blank between)
    const batch = makeBatch([ex('ABC', ['X', 'Y', 'Y']), ex('CA', ['Z', 'X']), ex('B', ['X'])]);
    const x64 = new Tensor(Float64Array.from(batch.x.data), batch.x.shape);
    const targets = batch.examples.map((e) => e.targets[0]);
    const loss = (): number => ctcLoss(m.call(x64, { training: true, lengths: batch.lengths }), targets, batch.lengths).loss;
    m.zeroGrad();
    const r = ctcLoss(m.call(x64, { training: true, lengths: batch.lengths }), targets, batch.lengths);
    m.callBackward(r.grad!);
    let checked = 0;
    for (const p of m.params()) {
      checkGrad(p.name, p.value, p.grad, loss, { atol: 1e-8, rtol: 1e-5 });
      checked += p.value.length;
    }
    assert.ok(checked > 400, `checked ${checked} weights`);
    // the padding row of the embedding stays out of learning
    const emb = m.param('embed.weight');
    assert.deepEqual(Array.from(emb.grad.subarray(0, 3)), [0, 0, 0]);
  });

  test('vocabularies survive the model file; a file without them is refused with a hint', () => {
    const m = buildG2PModel({ letters, phonemes, embeddingDim: 2, hiddenSize: 2, numLayers: 1 });
    const back = modelFromBytes(modelToBytes(m, { extra: g2pExtra(letters, phonemes, 2) }));
    const v = vocabsFromExtra(back.extra);
    assert.deepEqual(v.letters.tokens, ['A', 'B', 'C']);
    assert.deepEqual(v.phonemes.tokens, ['X', 'Y', 'Z']);
    assert.equal(v.phonemes.id('X'), 1);
    assert.equal(v.repeat, 2);
    const b = makeBatch([ex('CAB', ['X'])]);
    assert.deepEqual(
      Array.from(back.model.call(b.x, { training: false }).data),
      Array.from(m.call(b.x, { training: false }).data),
    );
    assert.throws(() => vocabsFromExtra({ scaler: {} }), /must carry extra\.g2p .*received extra keys \[scaler\]\. Hint: use a model written by `longshort g2p train`/);
    assert.throws(() => vocabsFromExtra({ g2p: { version: 1, letters: ['A'], phonemes: ['X'], repeat: 0 } }), /repeat: integer >= 1, pad\?: integer >= 0 \}; received/);
    assert.throws(() => vocabsFromExtra({ g2p: { version: 2, letters: ['A'], phonemes: ['X'], repeat: 1, pad: -1 } }), /pad\?: integer >= 0 \}; received/);
    // a version-1 file (before end padding) reads as pad 0; version 2 carries pad
    assert.equal(vocabsFromExtra({ g2p: { version: 1, letters: ['A'], phonemes: ['X'], repeat: 2 } }).pad, 0);
    assert.equal(vocabsFromExtra(g2pExtra(letters, phonemes, 1, 3)).pad, 3);
  });

  test('encodeWord: letters repeated, then pad frames of id 0', () => {
    assert.deepEqual(Array.from(encodeWord('AB', letters, 2, 1)), [1, 1, 2, 2, 0]);
    assert.deepEqual(Array.from(encodeWord('CA', letters, 1, 3)), [3, 1, 0, 0, 0]);
    assert.throws(() => encodeWord('A', letters, 1, -2), /pad must be an integer >= 0; received -2/);
    assert.deepEqual(Array.from(wordToExample('ab', letters, 1, 2).input), [1, 2, 0, 0]);
  });
});

describe('training and decoding on a toy alphabet', () => {
  // A → X, B → Y Z (more phonemes than letters: needs both frames of B), C → nothing
  const rule: Record<string, string[]> = { A: ['X'], B: ['Y', 'Z'], C: [] };
  const make = (w: string): G2PExample => ex(w, [...w].flatMap((c) => rule[c]));
  const rng = new Rng(11);
  const words: string[] = [];
  for (let i = 0; i < 240; i++) words.push(Array.from({ length: 1 + rng.int(5) }, () => 'ABC'[rng.int(3)]).join(''));
  const train = words.slice(0, 200).filter((w) => /[AB]/.test(w)).map(make);
  const held = words.slice(200).filter((w) => /[AB]/.test(w)).map(make);

  test('trainG2P learns the rule (held-out word error falls from over 80% to under 10%); greedy and beam agree', async () => {
    const m = buildG2PModel({ letters, phonemes, embeddingDim: 4, hiddenSize: 8, numLayers: 1, seed: 2 });
    const before = evaluateG2P(m, held);
    const r = await trainG2P(m, train, { epochs: 15, batchSize: 8, lr: 0.02, seed: 1 });
    const after = evaluateG2P(m, held);
    const beam = evaluateG2P(m, held, { beamWidth: 4 });
    assert.equal(r.history.length, 15);
    assert.equal(r.stoppedBy, 'epochs');
    assert.ok(r.history[0].loss > 4 * r.history[14].loss, `loss ${r.history[0].loss} → ${r.history[14].loss}`);
    assert.ok(before.wordErrorRate > 0.8, `untrained held-out WER ${before.wordErrorRate}`);
    assert.ok(after.wordErrorRate < 0.1, `held-out WER ${after.wordErrorRate}`);
    assert.ok(beam.wordErrorRate <= after.wordErrorRate + 0.05, `beam WER ${beam.wordErrorRate}`);
    const said = pronounce(m, ['abba', 'CAC'], { letters, phonemes, repeat: 2 });
    assert.deepEqual(said, [{ word: 'ABBA', phonemes: ['X', 'Y', 'Z', 'Y', 'Z', 'X'] }, { word: 'CAC', phonemes: ['X'] }]);
  });

  test('the same seeds give the same weights; maxSeconds stops early', async () => {
    const a = buildG2PModel({ letters, phonemes, embeddingDim: 2, hiddenSize: 3, numLayers: 1, seed: 4 });
    const b = buildG2PModel({ letters, phonemes, embeddingDim: 2, hiddenSize: 3, numLayers: 1, seed: 4 });
    await trainG2P(a, train, { epochs: 2, batchSize: 16, seed: 9 });
    await trainG2P(b, train, { epochs: 2, batchSize: 16, seed: 9 });
    assert.deepEqual(a.stateDict(), b.stateDict());
    const c = buildG2PModel({ letters, phonemes, embeddingDim: 2, hiddenSize: 3, numLayers: 1, seed: 4 });
    const r = await trainG2P(c, train, { epochs: 1000, batchSize: 16, maxSeconds: 1e-6 });
    assert.equal(r.stoppedBy, 'time');
    assert.equal(r.history.length, 1);
    assert.equal(r.history[0].batches, 1);
  });

  test('bad input: clear messages', async () => {
    const m = buildG2PModel({ letters, phonemes, embeddingDim: 2, hiddenSize: 2, numLayers: 1 });
    await assert.rejects(trainG2P(m, [], {}), /train must hold at least one word; received 0/);
    await assert.rejects(trainG2P(m, [ex('AB')], {}), /train\[0\] \('AB'\) has no pronunciation to learn; received targets = \[\]/);
    await assert.rejects(trainG2P(m, train, { batchSize: 2.5 }), /batchSize must be a positive integer; received 2.5/);
    assert.throws(() => wordToExample('AB1', letters, 2), /'AB1' contains '1', which is not in the model's alphabet \(ABC\); received "AB1"/);
    assert.throws(() => wordToExample('  ', letters, 2), /at least one letter; received an empty string/);
    assert.throws(() => predictIds(m, train, { beamWidth: -1 }), /beamWidth must be an integer >= 0; received -1/);
  });
});
