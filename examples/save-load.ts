// The README's "Train, save, load, predict": a many-to-one model on windows of a noisy sine, early
// stopping on a validation split, an atomic save, and a reload that predicts exactly the same numbers.
// Run: npx tsx examples/save-load.ts   (writes out/examples/sine.safetensors)
import { mkdirSync } from 'node:fs';
import { LSTM, Dense, Sequential, Tensor, Rng, loadModel } from 'longshort';

const rng = new Rng(3);
const N = 300, T = 20;
const x = new Float32Array(N * T), y = new Float32Array(N);
for (let n = 0; n < N; n++) {
  const phase = rng.uniform(0, 2 * Math.PI);
  for (let t = 0; t <= T; t++) {
    const v = Math.sin(phase + 0.3 * t) + 0.05 * rng.normal();
    if (t < T) x[n * T + t] = v;
    else y[n] = v;
  }
}
const xs = new Tensor(x, [N, T, 1]), ys = new Tensor(y, [N, 1]);

const model = new Sequential({
  lstm: new LSTM({ inputSize: 1, hiddenSize: 24, returnSequences: false, seed: 1 }), // many-to-one
  head: new Dense({ inputSize: 24, outputSize: 1, seed: 2 }),
});
const history = await model.fit(xs, ys, {
  loss: 'mse', optimizer: { name: 'adam', lr: 0.01 }, epochs: 15, batchSize: 32,
  validationSplit: 0.2, clipNorm: 1, earlyStopping: { patience: 3, restoreBest: true },
});
mkdirSync('out/examples', { recursive: true });
await model.save('out/examples/sine.safetensors'); // atomic: temp file, fsync, rename
const again = await loadModel('out/examples/sine.safetensors');
const a = model.predict(xs).data, b = again.predict(xs).data;
const same = a.every((v, i) => v === b[i]);
console.log(`epochs run ${history.epochs.length}; best validation MSE ${Math.min(...history.epochs.map((e) => e.valLoss!)).toFixed(4)}; reloaded model predicts the same: ${same}`);
