// The trainer's guarantees: seeded bit-identical runs, exact resume from a checkpoint, the
// divergence guard, early stopping, and clear errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM, Dense, Sequential, Tensor, Rng, DivergenceError, modelToBytes, modelFromBytes } from '../../src/index.js';

function data(seed: number, N = 48, T = 6) {
  const rng = new Rng(seed);
  const x = new Float32Array(N * T * 2), y = new Float32Array(N);
  for (let k = 0; k < x.length; k++) x[k] = rng.uniform(-1, 1);
  for (let n = 0; n < N; n++) y[n] = x[n * T * 2] * x[(n * T + T - 1) * 2 + 1];
  return { x: new Tensor(x, [N, T, 2]), y: new Tensor(y, [N, 1]) };
}

function model(seed = 1) {
  return new Sequential(
    {
      lstm: new LSTM({ inputSize: 2, hiddenSize: 8, numLayers: 2, dropout: 0.2, returnSequences: false, seed }),
      head: new Dense({ inputSize: 8, outputSize: 1, seed: seed + 1 }),
    },
    { seed: 5 },
  );
}

const bits = (m: Sequential) => m.params().map((p) => Array.from(new Uint32Array(new Float32Array(p.value).buffer)));

describe('fit', () => {
  const { x, y } = data(1);
  const opts = { loss: 'mse' as const, optimizer: { name: 'adam' as const, lr: 0.01 }, batchSize: 8, seed: 3, clipNorm: 1 };

  test('same seed: bit-identical losses and weights (init, shuffling and dropout all seeded)', async () => {
    const a = model(), b = model();
    const ha = await a.fit(x, y, { ...opts, epochs: 3 });
    const hb = await b.fit(x, y, { ...opts, epochs: 3 });
    assert.deepEqual(ha.epochs.map((e) => e.loss), hb.epochs.map((e) => e.loss));
    assert.deepEqual(bits(a), bits(b));
    const c = model();
    const hc = await c.fit(x, y, { ...opts, epochs: 3, seed: 4 });
    assert.notDeepEqual(hc.epochs.map((e) => e.loss), ha.epochs.map((e) => e.loss));
  });

  test('a run resumed from a checkpoint reproduces the uninterrupted run bit for bit', async () => {
    const straight = model();
    const hs = await straight.fit(x, y, { ...opts, epochs: 4 });

    const first = model();
    let ckpt: Uint8Array | null = null;
    await first.fit(x, y, {
      ...opts,
      epochs: 4,
      callbacks: {
        onEpochEnd: (log, ctl) => {
          if (log.epoch === 2) {
            ckpt = modelToBytes(first, { training: ctl.state() });
            ctl.stop();
          }
        },
      },
    });
    const loaded = modelFromBytes(ckpt!);
    assert.equal(loaded.training!.epoch, 2);
    const hr = await loaded.model.fit(x, y, { ...opts, epochs: 4, resume: loaded.training! });
    assert.deepEqual(hr.epochs.map((e) => e.loss), hs.epochs.map((e) => e.loss));
    assert.deepEqual(bits(loaded.model), bits(straight));
  });

  test('divergence guard: a NaN loss stops with epoch and batch named, weights untouched', async () => {
    const m = model();
    const bad = data(2);
    bad.x.data[(20 * 6 + 3) * 2] = NaN; // row 20 → batch 3 without shuffling
    const before = bits(m);
    await assert.rejects(
      m.fit(bad.x, bad.y, { ...opts, epochs: 2, shuffle: false }),
      (e: Error) => e instanceof DivergenceError && /epoch 1, batch 3 of 6: loss NaN/.test(e.message),
    );
    for (const p of m.params()) for (const v of p.value) assert.ok(Number.isFinite(v));
    assert.notDeepEqual(bits(m), before, 'the two good batches were applied');
  });

  test("divergence guard: onNonFinite 'skip' skips the bad batch and goes on", async () => {
    const m = model();
    const bad = data(2);
    bad.x.data[(20 * 6 + 3) * 2] = Infinity;
    const h = await m.fit(bad.x, bad.y, { ...opts, epochs: 2, shuffle: false, onNonFinite: 'skip' });
    assert.deepEqual(h.epochs.map((e) => e.skipped), [1, 1]);
    for (const p of m.params()) for (const v of p.value) assert.ok(Number.isFinite(v));
  });

  test('a learning rate that explodes the weights is rolled back, never written as NaN', async () => {
    const m = model();
    await assert.rejects(m.fit(x, y, { loss: 'mse', optimizer: { name: 'sgd', lr: 1e38 }, epochs: 1, batchSize: 8 }), DivergenceError);
    for (const p of m.params()) for (const v of p.value) assert.ok(Number.isFinite(v));
  });

  test('early stopping with restoreBest keeps the best epoch', async () => {
    const m = model();
    const h = await m.fit(x, y, { ...opts, epochs: 30, optimizer: { name: 'adam', lr: 0.05 }, validationSplit: 0.25, earlyStopping: { patience: 2, restoreBest: true } });
    const best = Math.min(...h.epochs.map((e) => e.valLoss!));
    assert.equal(h.epochs[h.bestEpoch! - 1].valLoss, best);
    const ev = m.evaluate(new Tensor(x.data.slice(36 * 12), [12, 6, 2]), new Tensor(y.data.slice(36), [12, 1]), { loss: 'mse' });
    assert.ok(Math.abs(ev.loss - best) < 1e-6, `restored weights give the best validation loss (${ev.loss} vs ${best})`);
  });

  test('bad arguments are clear errors', async () => {
    const m = model();
    await assert.rejects(m.fit(x, new Tensor(new Float32Array(3), [3, 1]), { loss: 'mse' }), /x and y must have the same number of rows; received x \(48, 6, 2\) and y \(3, 1\)/);
    await assert.rejects(m.fit(x, y, { loss: 'mse', validationSplit: 1.5 }), /validationSplit must be in \(0, 1\); received 1.5/);
    await assert.rejects(m.fit(x, y, { loss: 'hinge' as never }), /loss must be one of mse, mae, huber, crossEntropy/);
    await assert.rejects(m.fit(x, y, { loss: 'mse', optimizer: { name: 'adam', lr: -1 } }), /lr/);
    await assert.rejects(m.fit(x, y, { loss: 'mse', lengths: [1, 2] }), /lengths must have one entry per row of x \(48\); received 2/);
  });
});
