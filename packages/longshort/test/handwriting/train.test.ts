// CTC training on a tiny alphabet, in seconds: three "letters", each a fixed random 4-feature
// pattern held for 2–4 frames with noise, strung into words of 1–5 letters. A small bidirectional
// LSTM must learn to read them (greedy and beam CER under 5% on new words), through the same
// shards, loop and decoders as the handwriting recogniser. Then the loss 'ctc' in the general
// trainer: the thread pool (one batch split across two threads gives the gradient of the whole
// batch) and fit.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  Dense, LSTM, Rng, Sequential, Tensor, evaluateHandwriting, handwritingLexicon, makeShards, trainHandwriting, type EncodedExample, type HandwritingConfig,
} from '../../src/index.js';
import { createThreadPool } from '../../src/node.js';
import { ctcLossPadded } from '../../src/losses/ctcPadded.js';
import { ConfigError } from '../../src/errors.js';
import { NgramLM } from '../../src/ctc/lm.js';

const F = 4;
const ALPHABET = 'abc';

const patternRng = new Rng(2024);
const patterns = Array.from({ length: 3 }, () => Array.from({ length: F }, () => patternRng.normal())); // one per letter

function makeExamples(n: number, seed: number): EncodedExample[] {
  const out: EncodedExample[] = [];
  const data = new Rng(seed);
  for (let i = 0; i < n; i++) {
    const L = 1 + data.int(5);
    const ids = Array.from({ length: L }, () => 1 + data.int(3));
    const frames: number[] = [];
    for (const id of ids) {
      const hold = 2 + data.int(3);
      for (let h = 0; h < hold; h++) for (const v of patterns[id - 1]) frames.push(v + 0.3 * data.normal());
      for (let g = 0; g < F; g++) frames.push(0.1 * data.normal()); // a quiet frame between letters (repeats need one)
    }
    const T = frames.length / F;
    out.push({ text: ids.map((k) => ALPHABET[k - 1]).join(''), frames: Float32Array.from(frames), length: T, width: F, targets: Int32Array.from(ids) });
  }
  return out;
}

function tinyModel(seed: number): Sequential {
  return new Sequential([
    ['lstm', new LSTM({ inputSize: F, hiddenSize: 12, bidirectional: true, batchFirst: true, seed })],
    ['head', new Dense({ inputSize: 24, outputSize: 4, seed: seed + 1 })],
  ]);
}

const config: HandwritingConfig = { version: 1, alphabet: ALPHABET, spacing: 1, stack: 1 };

describe('CTC training on a tiny alphabet', () => {
  test('learns to read unseen words in seconds', async () => {
    const model = tinyModel(1);
    const train = makeExamples(400, 1);
    const held = makeExamples(60, 2); // same letters, other words
    const before = evaluateHandwriting(model, config, held);
    const r = await trainHandwriting(model, makeShards(train, 16), { epochs: 12, batchSize: 16, lr: 1e-2, seed: 3 });
    assert.ok(r.history.at(-1)!.loss < 0.3 * r.history[0].loss, `loss ${r.history[0].loss} → ${r.history.at(-1)!.loss}`);
    const greedy = evaluateHandwriting(model, config, held);
    const beam = evaluateHandwriting(model, config, held, { beamWidth: 4 });
    assert.ok(before.cer > 0.5, `untrained CER ${before.cer}`);
    assert.ok(greedy.cer < 0.05 && beam.cer < 0.05, `CER greedy ${greedy.cer}, beam ${beam.cer}`);
    // the lexicon-constrained search, with its own beam width
    const lexicon = handwritingLexicon(held.map((e) => e.text), ALPHABET, { caseVariants: false });
    const lex = evaluateHandwriting(model, config, held, { lexicon, lexiconBeamWidth: 8 });
    assert.ok(lex.cer <= greedy.cer, `lexicon CER ${lex.cer} vs greedy ${greedy.cer}`);
    assert.throws(() => evaluateHandwriting(model, config, held, { lexicon, lexiconBeamWidth: 0 }), ConfigError);
    // a character model of the training texts fused into the beam search (the words are random
    // letter strings, so it knows little; it must not break a good reading)
    const lm = NgramLM.train(train.map((e) => e.targets), ALPHABET.length, 3);
    const fused = evaluateHandwriting(model, config, held, { beamWidth: 4, lm, lmWeight: 0.3, lengthBonus: 0.5 });
    assert.ok(fused.cer < 0.05, `CER with the character model ${fused.cer}`);
    assert.throws(() => evaluateHandwriting(model, config, held, { beamWidth: 1, lm }), (e: Error) => e instanceof ConfigError && /beamWidth must be >= 2/.test(e.message));
    assert.throws(() => evaluateHandwriting(model, config, held, { beamWidth: 4, lm, lmWeight: Number.NaN }), (e: Error) => e instanceof ConfigError && /lmWeight/.test(e.message));
  });

  test('the same seed trains to the same weights', async () => {
    const train = makeExamples(64, 5);
    const run = async (): Promise<Float32Array> => {
      const m = tinyModel(7);
      await trainHandwriting(m, makeShards(train, 8), { epochs: 2, batchSize: 8, seed: 9 });
      return m.params()[0].value as Float32Array;
    };
    assert.deepEqual(await run(), await run());
  });

  test("thread pool, loss 'ctc': a batch split over two threads has the whole batch's gradient", async () => {
    const examples = makeExamples(12, 4);
    const [shard] = makeShards(examples, 12, 1);
    const model = tinyModel(2);
    const rows = Int32Array.from({ length: 12 }, (_, i) => i);
    // one thread: the loss over the full (padded) batch
    model.zeroGrad();
    const logits = model.call(shard.x, { training: true, lengths: shard.lengths });
    const ref = ctcLossPadded(logits, shard.y, { lengths: shard.lengths });
    model.callBackward(ref.grad!);
    const want = model.params().map((p) => Float32Array.from(p.grad));
    const pool = await createThreadPool(model, { threads: 2 });
    try {
      const r = await pool.run({ model, lossName: 'ctc', x: shard.x, y: shard.y, lengths: shard.lengths, rows });
      assert.ok(r.finite && Math.abs(r.loss - ref.loss) < 1e-4 * Math.abs(ref.loss), `loss ${r.loss} vs ${ref.loss}`);
      model.params().forEach((p, k) => {
        for (let i = 0; i < p.grad.length; i++) assert.ok(Math.abs(p.grad[i] - want[k][i]) < 1e-4, `${p.name}[${i}]: ${p.grad[i]} vs ${want[k][i]}`);
      });
    } finally {
      await pool.close();
    }
  });

  test("fit with loss 'ctc': padded label rows as y, and the loss falls", async () => {
    const examples = makeExamples(128, 6);
    const [shard] = makeShards(examples, 128, 1);
    const model = tinyModel(3);
    const h = await model.fit(shard.x, shard.y, { loss: 'ctc', lengths: shard.lengths, epochs: 10, batchSize: 16, optimizer: { name: 'adam', lr: 1e-2 }, seed: 1 });
    assert.ok(h.epochs.at(-1)!.loss < 0.4 * h.epochs[0].loss, `loss ${h.epochs[0].loss} → ${h.epochs.at(-1)!.loss}`);
  });

  test('ctcLossPadded refuses labels after the padding', () => {
    const logits = new Tensor(new Float32Array(2 * 3 * 4), [2, 3, 4]);
    assert.throws(() => ctcLossPadded(logits, new Tensor(Float32Array.from([1, 0, 2, 2, 0, 0]), [2, 3])), /label after padding/);
  });
});
