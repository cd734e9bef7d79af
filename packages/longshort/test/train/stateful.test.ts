// Truncated BPTT with carried state: a stream whose target is the input 3 steps back, cut into
// chunks of 6. Carrying h and c across chunks lets the model answer at the first steps of every
// chunk too; resetting the state at each chunk cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM, Dense, Sequential, Tensor, Rng } from '../../src/index.js';
import { fitStateful } from '../../src/train/stateful.js';

function stream(seed: number, B: number, T: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(B * T), y = new Float32Array(B * T);
  for (let k = 0; k < x.length; k++) x[k] = rng.next() < 0.5 ? -1 : 1;
  for (let b = 0; b < B; b++) for (let t = 3; t < T; t++) y[b * T + t] = x[b * T + t - 3];
  return { x: new Tensor(x, [B, T, 1]), y: new Tensor(y, [B, T, 1]) };
}

function build() {
  return new Sequential({ lstm: new LSTM({ inputSize: 1, hiddenSize: 16, seed: 1 }), head: new Dense({ inputSize: 16, outputSize: 1, seed: 2 }) });
}

/** MSE over steps 3.. of each chunk-start region, streaming the whole test sequence with state carried. */
function streamMse(model: Sequential, x: Tensor, y: Tensor): number {
  const lstm = model.get('lstm') as LSTM;
  const head = model.get('head');
  const [B, T] = x.shape;
  let state = lstm.initialState(B);
  let se = 0, n = 0;
  for (let t = 0; t < T; t++) {
    const xt = new Float32Array(B);
    for (let b = 0; b < B; b++) xt[b] = x.data[b * T + t];
    const r = lstm.step(new Tensor(xt, [B, 1]), state);
    state = r.state;
    const p = head.call(r.output, { training: false }).data;
    if (t >= 3) for (let b = 0; b < B; b++) { se += (p[b] - y.data[b * T + t]) ** 2; n++; }
  }
  return se / n;
}

test('carrying state across TBPTT chunks learns a dependency that crosses chunk boundaries', async () => {
  const train = stream(1, 16, 240);
  const held = stream(2, 8, 120);
  const stateful = build();
  await fitStateful(stateful, train.x, train.y, { loss: 'mse', optimizer: { name: 'adam', lr: 0.02 }, chunkLength: 6, epochs: 40, clipNorm: 1 });
  // baseline: the same training but the state reset at every chunk (chunks as independent sequences)
  const reset = build();
  const B = 16, T = 240, k = 6;
  const xs = new Float32Array(B * T), ys = new Float32Array(B * T);
  for (let b = 0; b < B; b++) for (let c = 0; c < T / k; c++) for (let s = 0; s < k; s++) {
    xs[(b * (T / k) + c) * k + s] = train.x.data[b * T + c * k + s];
    ys[(b * (T / k) + c) * k + s] = train.y.data[b * T + c * k + s];
  }
  await reset.fit(new Tensor(xs, [B * T / k, k, 1]), new Tensor(ys, [B * T / k, k, 1]), { loss: 'mse', optimizer: { name: 'adam', lr: 0.02 }, epochs: 40, batchSize: 16, shuffle: false, clipNorm: 1 });
  const mseStateful = streamMse(stateful, held.x, held.y);
  const mseReset = streamMse(reset, held.x, held.y);
  console.log(`stream MSE: stateful ${mseStateful.toFixed(4)}, reset-per-chunk ${mseReset.toFixed(4)}`);
  assert.ok(mseStateful < 0.1, `stateful stream MSE ${mseStateful}`);
  assert.ok(mseStateful < mseReset / 3, `stateful ${mseStateful} vs reset-per-chunk ${mseReset}`);
});
