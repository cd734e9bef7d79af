// Data-parallel training on worker threads: one batch split across 2 threads gives the same
// gradient as one thread (to float rounding), and fit with the pool trains to the same losses.
// minWork: 0 makes the pool split these small batches; with the default they stay on one thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM, Dense, Sequential, Tensor, Rng } from '../../src/index.js';
import { createThreadPool } from '../../src/train/threads-node.js';
import { localBatch } from '../../src/train/fit.js';
import { resolveLoss } from '../../src/train/losses.js';

function build(kind: 'regression' | 'classes') {
  return new Sequential({
    lstm: new LSTM({ inputSize: 3, hiddenSize: 12, numLayers: 2, bidirectional: true, returnSequences: kind === 'classes', seed: 1, kernels: 'ref' }),
    head: new Dense({ inputSize: 24, outputSize: kind === 'classes' ? 4 : 1, seed: 2 }),
  });
}

function data(N: number, T: number) {
  const rng = new Rng(3);
  const x = new Float32Array(N * T * 3);
  for (let k = 0; k < x.length; k++) x[k] = rng.uniform(-1, 1);
  const y = new Float32Array(N).map((_, n) => x[n * T * 3] - x[(n * T + 2) * 3 + 1]);
  const ids = new Float32Array(N * T).map(() => rng.int(4));
  const lengths = Int32Array.from({ length: N }, () => 1 + rng.int(T));
  return { x: new Tensor(x, [N, T, 3]), y: new Tensor(y, [N, 1]), ids: new Tensor(ids, [N, T]), lengths };
}

test('2 threads give the one-thread gradient of a batch (regression, and per-step classes with lengths)', async () => {
  for (const kind of ['regression', 'classes'] as const) {
    const d = data(30, 7);
    const one = build(kind), two = build(kind);
    const y = kind === 'classes' ? d.ids : d.y;
    const lossName = kind === 'classes' ? 'crossEntropy' : 'mse';
    const loss = resolveLoss(lossName);
    const rows = Int32Array.from({ length: 30 }, (_, k) => (k * 7) % 30);
    const { gatherRows, gatherInts } = await import('../../src/train/batch.js');
    const r1 = localBatch(one, loss.fn, loss.classification, gatherRows(d.x, rows), gatherRows(y, rows), gatherInts(d.lengths, rows));
    const pool = await createThreadPool(two, { threads: 2, kernels: 'ref', minWork: 0 });
    try {
      const r2 = await pool.run({ model: two, lossName, x: d.x, y, lengths: d.lengths, rows });
      assert.ok(Math.abs(r1.loss - r2.loss) < 1e-6 * Math.max(1, Math.abs(r1.loss)), `loss ${r1.loss} vs ${r2.loss}`);
      assert.equal(r1.divisor, r2.divisor);
      assert.equal(r1.correct, r2.correct);
      const p1 = one.params(), p2 = two.params();
      for (let i = 0; i < p1.length; i++) {
        let scale = 0;
        for (const v of p1[i].grad) scale = Math.max(scale, Math.abs(v));
        assert.ok(scale > 0, `${p1[i].name} has a gradient`);
        for (let n = 0; n < p1[i].grad.length; n++) {
          assert.ok(Math.abs(p1[i].grad[n] - p2[i].grad[n]) <= 1e-5 * scale + 1e-7, `${kind} ${p1[i].name}[${n}]: 1 thread ${p1[i].grad[n]}, 2 threads ${p2[i].grad[n]}`);
        }
      }
    } finally {
      await pool.close();
    }
  }
});

test('fit with a 2-thread pool follows the one-thread run', async () => {
  const d = data(64, 6);
  const one = build('regression'), two = build('regression');
  const opts = { loss: 'mse' as const, optimizer: { name: 'adam' as const, lr: 0.01 }, epochs: 4, batchSize: 16, lengths: d.lengths, seed: 1 };
  const h1 = await one.fit(d.x, d.y, opts);
  const pool = await createThreadPool(two, { threads: 2, kernels: 'ref', minWork: 0 });
  try {
    const h2 = await two.fit(d.x, d.y, { ...opts, executor: pool });
    for (let e = 0; e < 4; e++) assert.ok(Math.abs(h1.epochs[e].loss - h2.epochs[e].loss) < 1e-4 * h1.epochs[e].loss, `epoch ${e + 1}: ${h1.epochs[e].loss} vs ${h2.epochs[e].loss}`);
    assert.ok(h2.epochs[3].loss < h2.epochs[0].loss);
  } finally {
    await pool.close();
  }
});

test('predict split across 2 threads equals one-thread predict (variable lengths)', async () => {
  const d = data(37, 6);
  const model = build('classes');
  const want = model.predict(d.x, { lengths: d.lengths });
  const pool = await createThreadPool(model, { threads: 2, kernels: 'ref', minWork: 0 });
  try {
    const got = await pool.predict(d.x, { lengths: d.lengths });
    assert.deepEqual(got.shape, want.shape);
    for (let k = 0; k < want.size; k++) assert.ok(Math.abs(got.data[k] - want.data[k]) < 1e-6, `output ${k}: ${got.data[k]} vs ${want.data[k]}`);
  } finally {
    await pool.close();
  }
});

test('a batch below the pool\'s minimum work runs on this thread alone, with the one-thread result bit for bit', async () => {
  const d = data(8, 5);
  const one = build('regression'), two = build('regression');
  const rows = Int32Array.from({ length: 8 }, (_, k) => k);
  const { gatherRows, gatherInts } = await import('../../src/train/batch.js');
  const loss = resolveLoss('mse');
  const r1 = localBatch(one, loss.fn, false, gatherRows(d.x, rows), gatherRows(d.y, rows), gatherInts(d.lengths, rows));
  const pool = await createThreadPool(two, { threads: 2, kernels: 'ref' }); // default minWork: 8 rows × 5 steps is far below it
  try {
    const r2 = await pool.run({ model: two, lossName: 'mse', x: d.x, y: d.y, lengths: d.lengths, rows });
    assert.equal(r2.loss, r1.loss);
    one.params().forEach((p, i) => assert.deepEqual(two.params()[i].grad, p.grad));
    const p = await pool.predict(d.x, { lengths: d.lengths });
    assert.deepEqual(p.data, two.predict(d.x, { lengths: d.lengths }).data);
  } finally {
    await pool.close();
  }
});

test('with the WebAssembly kernels the threads are kernel threads: fit gives the one-thread run bit for bit, and close() returns the layers to their kernels', async () => {
  const { loadWasmKernels } = await import('../../src/kernels/wasm/node.js');
  const k = loadWasmKernels()!;
  const d = data(48, 6);
  const make = () => new Sequential({
    lstm: new LSTM({ inputSize: 3, hiddenSize: 12, numLayers: 2, dropout: 0.3, returnSequences: false, seed: 1, kernels: 'wasm' }),
    head: new Dense({ inputSize: 12, outputSize: 1, seed: 2, kernels: 'wasm' }),
  }, { seed: 4 });
  const one = make(), two = make();
  const opts = { loss: 'mse' as const, optimizer: { name: 'adam' as const, lr: 0.01 }, epochs: 2, batchSize: 16, lengths: d.lengths, seed: 1 };
  const h1 = await one.fit(d.x, d.y, opts);
  const pool = await createThreadPool(two, { threads: 2 });
  assert.equal(pool.mode, 'kernels');
  try {
    const h2 = await two.fit(d.x, d.y, { ...opts, executor: pool });
    assert.deepEqual(h2.epochs.map((e) => e.loss), h1.epochs.map((e) => e.loss));
    const p = await pool.predict(d.x, { lengths: d.lengths });
    assert.deepEqual(p.data, one.predict(d.x, { lengths: d.lengths }).data);
  } finally {
    await pool.close();
  }
  one.params().forEach((p, i) => assert.deepEqual(two.params()[i].value, p.value, p.name));
  assert.ok(two.params().every((p) => k.owns(p.value)), 'after close() the parameters are back in the family the model was built with');
});
