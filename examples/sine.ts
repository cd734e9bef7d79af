// Train a one-layer LSTM to predict the next value of a noisy sine wave, and watch the loss fall.
// Run: npx tsx examples/sine.ts  (after npm ci, which builds the package; the import resolves through
// the workspace exactly as it does in a project that installed longshort from npm)
import { LSTM, Dense, Sequential, Tensor, Rng } from 'longshort';

const rng = new Rng(1);
const N = 400, L = 24;
const series = Array.from({ length: N + L + 1 }, (_, t) => Math.sin(t * 0.25) + 0.1 * rng.normal());
const x = new Float32Array(N * L), y = new Float32Array(N);
for (let n = 0; n < N; n++) {
  for (let t = 0; t < L; t++) x[n * L + t] = series[n + t];
  y[n] = series[n + L];
}
const model = new Sequential({
  lstm: new LSTM({ inputSize: 1, hiddenSize: 24, returnSequences: false, seed: 1 }),
  head: new Dense({ inputSize: 24, outputSize: 1, seed: 2 }),
});
console.log(model.summary([null, L, 1]));
const history = await model.fit(new Tensor(x, [N, L, 1]), new Tensor(y, [N, 1]), {
  loss: 'mse',
  optimizer: { name: 'adam', lr: 0.01 },
  epochs: 15,
  batchSize: 32,
  validationSplit: 0.2,
  clipNorm: 1,
  callbacks: { onEpochEnd: (log) => console.log(`epoch ${String(log.epoch).padStart(2)}  loss ${log.loss.toFixed(4)}  val ${log.valLoss!.toFixed(4)}  (${log.seconds.toFixed(2)} s)`) },
});
const variance = series.reduce((s, v) => s + v * v, 0) / series.length;
console.log(`series variance ${variance.toFixed(3)}; final validation MSE ${history.epochs.at(-1)!.valLoss!.toFixed(4)} (noise floor 0.01)`);
