// The global network: float64 central-difference checks of every parameter's gradient through
// the wiring (series embedding added to every step, only the last H outputs scored) for the three
// heads; a training run cut after epoch 2 and resumed equals the uninterrupted run bit for bit;
// thousands of short series train from streamed batches of bounded size.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { panelFromArrays } from '../../src/forecast/panel.js';
import { WindowBuilder, WindowIndex, fitScaling, inputNames, type WindowSpec } from '../../src/forecast/windows.js';
import { ForecastNet, headLoss, trainNet } from '../../src/forecast/model.js';
import { reportLevels } from '../../src/forecast/heads.js';
import { checkGrad } from '../helpers/fd.js';
import { Rng } from '../../src/util/rng.js';

function smallPanel(S: number, T: number, seed: number, counts = false) {
  const rng = new Rng(seed);
  return panelFromArrays(
    Array.from({ length: S }, (_, i) => ({
      id: `s${i}`,
      y: Array.from({ length: T }, (_, t) => {
        const v = 5 + i + 2 * Math.sin((2 * Math.PI * t) / 6) + rng.normal(0, 0.5);
        return counts ? Math.max(0, Math.round(v)) : v;
      }),
      times: Array.from({ length: T }, (_, t) => Date.UTC(2001, t, 1)),
    })),
  );
}

describe('ForecastNet gradients (float64 central differences)', () => {
  for (const head of ['quantile', 'gaussian', 'negbin'] as const) {
    test(`${head} head with a series embedding`, () => {
      const panel = smallPanel(3, 20, 1, head === 'negbin');
      const spec: WindowSpec = { lookback: 4, horizon: 3, season: 6, head, transform: 'none', deseasonalize: false, embeddingDim: 2 };
      const b = new WindowBuilder(panel, spec, fitScaling(panel, spec, [0, 0, 0], [20, 20, 20]));
      const net = new ForecastNet({ inputSize: inputNames(panel, spec).length, numSeries: 3, hidden: 3, layers: 2, dropout: 0, embeddingDim: 2, head, quantiles: [0.1, 0.5, 0.9], seed: 2, dtype: 'float64' });
      const batch = b.allocate(3);
      [[0, 6], [1, 10], [2, 15]].forEach(([i, o], k) => b.fill(batch, k, i, o));
      const loss = (): number => headLoss(net, net.forward(batch, 3, b.T, b.F, 3, false), batch, 3, 3, false).loss;
      net.container.zeroGrad();
      const r = headLoss(net, net.forward(batch, 3, b.T, b.F, 3, true), batch, 3, 3, true);
      net.backward(r.grad!);
      for (const p of net.params()) checkGrad(`${head} ${p.name}`, p.value, p.grad, loss, { eps: 1e-6, atol: 1e-8, rtol: 1e-5 });
      assert.ok(net.params().some((p) => p.name === 'series_embedding.weight'));
    });
  }
});

describe('training', () => {
  const panel = smallPanel(4, 40, 3);
  const spec: WindowSpec = { lookback: 8, horizon: 4, season: 6, head: 'quantile', transform: 'none', deseasonalize: true, embeddingDim: 2 };
  const levels = reportLevels([0.8]);
  const make = (): ForecastNet => new ForecastNet({ inputSize: inputNames(panel, spec).length, numSeries: 4, hidden: 6, layers: 1, dropout: 0, embeddingDim: 2, head: 'quantile', quantiles: levels, seed: 5 });
  const builder = (): WindowBuilder => new WindowBuilder(panel, spec, fitScaling(panel, spec, [0, 0, 0, 0], [36, 36, 36, 36]));

  test('loss falls, and a run stopped after epoch 2 and resumed equals the uninterrupted run bit for bit', async () => {
    const full = make();
    const a = await trainNet(full, builder(), { epochs: 5, batchSize: 16, lr: 0.01, seed: 1, augment: 'flip' });
    assert.ok(a.epochs[4].loss < a.epochs[0].loss, `loss ${a.epochs[0].loss} → ${a.epochs[4].loss}`);
    const cut = make();
    let saved: { weights: Float32Array[]; state: import('../../src/train/fit.js').TrainingState } | null = null;
    const b = await trainNet(cut, builder(), {
      epochs: 5,
      batchSize: 16,
      lr: 0.01,
      seed: 1,
      augment: 'flip',
      callbacks: {
        onEpochEnd: (log, ctl) => {
          if (log.epoch === 2) {
            saved = { weights: cut.params().map((p) => p.value.slice() as Float32Array), state: ctl.state() };
            ctl.stop();
          }
        },
      },
    });
    assert.equal(b.stopped, true);
    const resumed = make();
    resumed.params().forEach((p, k) => p.value.set(saved!.weights[k]));
    await trainNet(resumed, builder(), { epochs: 5, batchSize: 16, lr: 0.01, seed: 1, augment: 'flip', resume: saved!.state });
    full.params().forEach((p, k) => assert.deepEqual(resumed.params()[k].value, p.value, p.name));
  });

  test('2 000 short series train from streamed batches: no batch is larger than the batch size', async () => {
    const S = 2000;
    const rng = new Rng(9);
    const many = panelFromArrays(Array.from({ length: S }, (_, i) => ({ id: `m${i}`, y: Array.from({ length: 14 + (i % 7) }, (_, t) => (i % 5) + Math.sin(t) + rng.normal(0, 0.2)) })));
    const sp: WindowSpec = { lookback: 6, horizon: 3, season: 1, head: 'gaussian', transform: 'none', deseasonalize: false, embeddingDim: 0 };
    const ends = Int32Array.from(many.series, (s) => s.y.length);
    const b = new WindowBuilder(many, sp, fitScaling(many, sp, new Int32Array(S), ends));
    const index = new WindowIndex(b);
    assert.equal(index.count, 17995); // Σ (T_i − L − H + 1) over the series
    const net = new ForecastNet({ inputSize: inputNames(many, sp).length, numSeries: S, hidden: 4, layers: 1, dropout: 0, embeddingDim: 0, head: 'gaussian', quantiles: [], seed: 1 });
    // A fixed evaluation batch: one window from each of 64 series spread over the panel.
    const evalBatch = b.allocate(64);
    for (let k = 0; k < 64; k++) b.fill(evalBatch, k, k * 31, many.series[k * 31].y.length - 3);
    const evalLoss = (): number => headLoss(net, net.forward(evalBatch, 64, b.T, b.F, 3, false), evalBatch, 64, 3, false).loss;
    const before = evalLoss();
    const sizes: number[] = [];
    const r = await trainNet(net, b, { epochs: 2, batchSize: 64, lr: 0.01, seed: 0, windowsPerEpoch: 1024, callbacks: { onBatchEnd: (log) => void sizes.push(log.batches) } });
    assert.equal(r.windows, index.count);
    assert.equal(sizes.length, 2 * 16); // 1 024 sampled windows per epoch in batches of 64
    const after = evalLoss();
    assert.ok(after < before - 0.1, `evaluation NLL ${before} → ${after}`);
    // The batch buffers the builder hands out are sized by the batch, not by the data.
    const batch = b.allocate(64);
    assert.equal(batch.x.length, 64 * b.T * b.F);
  });
});
