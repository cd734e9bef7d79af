import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor.js';
import { LSTM } from '../../src/nn/lstm.js';
import { softmaxCrossEntropy } from '../../src/losses/crossEntropy.js';
import { bitsPerChar, buildTextModel, buildVocab, encode, generate, sequences, splitCorpus, unigramEntropy } from '../../src/apps/text.js';

const corpus = 'the quick brown fox jumps over the lazy dog. '.repeat(4);
const vocab = buildVocab(corpus);
const config = { hidden: 12, embedding: 5, seqLen: 10, epochs: 1, batchSize: 4, lr: 0.01, seed: 3 };

describe('text data', () => {
  test('vocabulary, encoding, unigram entropy, split, sequences', () => {
    assert.equal(vocab.join(''), ' .abcdefghijklmnopqrstuvwxyz'.replace(/[^ .a-z]/g, ''));
    assert.equal(unigramEntropy(encode('aabb', ['a', 'b']), 2), 1);
    assert.equal(unigramEntropy(encode('aaaa', ['a']), 1), 0);
    const ids = encode(corpus, vocab);
    const { train, heldOut } = splitCorpus(ids);
    assert.equal(train.length, Math.floor(ids.length * 0.9));
    assert.equal(train.length + heldOut.length, ids.length);
    const s = sequences(train, 10);
    assert.deepEqual(s.x.shape, [Math.floor((train.length - 1) / 10), 10]);
    assert.equal(s.y.data[0], s.x.data[1]); // targets are the inputs shifted by one character
    assert.throws(() => encode('the cat!', vocab), /characters "!" are not in the model's vocabulary of 28 characters/);
  });
});

describe('bits per character', () => {
  test('streaming in chunks with carried state equals one pass over the whole text, and the loss of model.call', () => {
    const model = buildTextModel(vocab.length, config);
    const ids = encode(corpus.slice(0, 60), vocab);
    const a = bitsPerChar(model, ids, 7);
    const b = bitsPerChar(model, ids, 1000);
    assert.ok(Math.abs(a - b) < 1e-5, `${a} vs ${b}`);
    const x = new Tensor(Float32Array.from(ids.subarray(0, 59)), [1, 59]);
    const logits = model.call(x, { training: false });
    const ce = softmaxCrossEntropy(logits, new Tensor(Float32Array.from(ids.subarray(1)), [1, 59]), { computeGrad: false });
    assert.ok(Math.abs(ce.loss / Math.LN2 - a) < 1e-5, `${ce.loss / Math.LN2} vs ${a}`);
  });
});

describe('stateful generation', () => {
  test('the prompt goes through step() once; one step() per new character; no full forward', () => {
    const model = buildTextModel(vocab.length, config);
    const lstm = model.get('lstm') as LSTM;
    let steps = 0;
    let forwards = 0;
    const step = lstm.step.bind(lstm);
    const forward = lstm.forward.bind(lstm);
    lstm.step = (x, s) => (steps++, step(x, s));
    lstm.forward = (x, o) => (forwards++, forward(x, o));
    const out = generate(model, vocab, 'the quick', { length: 30, temperature: 1, topK: 0, seed: 1 });
    assert.equal(out.length, 30);
    assert.equal(steps, 'the quick'.length + 30 - 1);
    assert.equal(forwards, 0);
  });

  test('greedy (top-k 1) streaming equals re-running the full forward on prompt + text so far', () => {
    const model = buildTextModel(vocab.length, config);
    const prompt = 'the la';
    const streamed = generate(model, vocab, prompt, { length: 15, temperature: 1, topK: 1, seed: 0 });
    let text = prompt;
    for (let n = 0; n < 15; n++) {
      const ids = encode(text, vocab);
      const logits = model.call(new Tensor(Float32Array.from(ids), [1, ids.length]), { training: false });
      const V = vocab.length;
      const row = (ids.length - 1) * V;
      let arg = 0;
      for (let v = 1; v < V; v++) if (logits.data[row + v] > logits.data[row + arg]) arg = v;
      text += vocab[arg];
    }
    assert.equal(prompt + streamed, text);
  });

  test('seeded: the same seed gives the same text, another seed other text; bad options are refused', () => {
    const model = buildTextModel(vocab.length, config);
    const o = { length: 40, temperature: 1.5, topK: 0, seed: 5 };
    assert.equal(generate(model, vocab, 'the', o), generate(model, vocab, 'the', o));
    assert.notEqual(generate(model, vocab, 'the', o), generate(model, vocab, 'the', { ...o, seed: 6 }));
    assert.throws(() => generate(model, vocab, '', o), /--prompt must hold at least one character/);
    assert.throws(() => generate(model, vocab, 'the', { ...o, temperature: 0 }), /--temperature must be > 0; received 0/);
  });
});
