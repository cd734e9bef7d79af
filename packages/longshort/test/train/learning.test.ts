// Learning, shown on real numbers with fixed seeds: a noisy sine, the adding problem (Hochreiter &
// Schmidhuber 1997, experiment 4) at T=30, and a character model that memorises a text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM, Dense, Embedding, Sequential, Tensor, Rng } from '../../src/index.js';
import { addingProblem, addingErrors } from '../../src/experiments/adding.js';

describe('learning', () => {
  test('next-step prediction of a noisy sine: validation MSE far below the series variance', async () => {
    const rng = new Rng(1);
    const N = 400, L = 24;
    const series = Array.from({ length: N + L + 1 }, (_, t) => Math.sin(t * 0.25) + 0.1 * rng.normal());
    const x = new Float32Array(N * L), y = new Float32Array(N);
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < L; t++) x[n * L + t] = series[n + t];
      y[n] = series[n + L];
    }
    const mean = series.reduce((a, b) => a + b, 0) / series.length;
    const variance = series.reduce((s, v) => s + (v - mean) ** 2, 0) / series.length;
    const model = new Sequential({
      lstm: new LSTM({ inputSize: 1, hiddenSize: 24, returnSequences: false, seed: 1 }),
      head: new Dense({ inputSize: 24, outputSize: 1, seed: 2 }),
    });
    const h = await model.fit(new Tensor(x, [N, L, 1]), new Tensor(y, [N, 1]), {
      loss: 'mse', optimizer: { name: 'adam', lr: 0.01 }, epochs: 12, batchSize: 32, validationSplit: 0.2, clipNorm: 1,
    });
    const val = h.epochs.at(-1)!.valLoss!;
    // noise variance is 0.01; the series variance is ≈ 0.5
    assert.ok(val < 0.05 * variance, `validation MSE ${val} vs variance ${variance}`);
    assert.ok(h.epochs[0].loss > 5 * h.epochs.at(-1)!.loss, 'loss falls');
  });

  test('the adding problem at T=30 meets the paper criterion (|error| < 0.04) on ≥ 95% of held-out sequences', async () => {
    const rng = new Rng(1);
    const train = addingProblem(4000, 30, rng);
    const held = addingProblem(500, 30, rng);
    const model = new Sequential({
      lstm: new LSTM({ inputSize: 2, hiddenSize: 16, returnSequences: false, seed: 1 }),
      head: new Dense({ inputSize: 16, outputSize: 1, seed: 2 }),
    });
    const before = addingErrors(model.predict(held.x, { lengths: held.lengths }), held.y);
    await model.fit(train.x, train.y, { lengths: train.lengths, loss: 'mse', optimizer: { name: 'adam', lr: 0.01 }, epochs: 9, batchSize: 32, clipNorm: 1 });
    const wrong = addingErrors(model.predict(held.x, { lengths: held.lengths }), held.y);
    assert.ok(before > 250, `an untrained model fails most sequences (${before}/500)`);
    assert.ok(wrong <= 25, `${wrong}/500 held-out sequences wrong`);
  });

  test('a character model memorises a short text; greedy streaming generation reproduces it', async () => {
    const text = 'the forget gate decides what the cell keeps. ';
    const chars = [...new Set(text)].sort();
    const V = chars.length;
    const ids = [...text].map((c) => chars.indexOf(c));
    const T = ids.length - 1;
    const x = new Tensor(Float32Array.from(ids.slice(0, T)), [1, T]);
    const y = new Tensor(Float32Array.from(ids.slice(1)), [1, T]);
    const emb = new Embedding({ numEmbeddings: V, embeddingDim: 12, seed: 1 });
    const lstm = new LSTM({ inputSize: 12, hiddenSize: 48, seed: 2 });
    const head = new Dense({ inputSize: 48, outputSize: V, seed: 3 });
    const model = new Sequential({ emb, lstm, head });
    await model.fit(x, y, { loss: 'crossEntropy', optimizer: { name: 'adam', lr: 0.02 }, epochs: 150, batchSize: 1 });
    // stream: one character at a time through LSTM.step, starting from the first character
    let state = lstm.initialState(1);
    let cur = ids[0];
    let out = text[0];
    for (let k = 0; k < T; k++) {
      const e = emb.call(new Tensor(Float32Array.of(cur), [1, 1]), { training: false });
      const r = lstm.step(e.reshape([1, 12]), state);
      state = r.state;
      const logits = head.call(r.output, { training: false }).data;
      let arg = 0;
      for (let c = 1; c < V; c++) if (logits[c] > logits[arg]) arg = c;
      cur = arg;
      out += chars[arg];
    }
    assert.equal(out, text);
  });
});
