// The demo's three sequence tasks, each as windows of per-step inputs and targets for a small
// LSTM: a noisy sine wave (next value), a sequence of symbols (the symbol two steps back — the
// cell must hold it), and the monthly Mauna Loa CO₂ series (next month's value, standardised).

import { Tensor, Rng } from 'longshort';

export type TaskName = 'sine' | 'symbols' | 'co2';

export interface Task {
  name: TaskName;
  /** Features per step and outputs per step (classes for symbols). */
  inputSize: number;
  outputSize: number;
  loss: 'mse' | 'crossEntropy';
  /** (N, W, inputSize) and targets (N, W, 1) values or (N, W) class ids. */
  x: Tensor;
  y: Tensor;
  /** One held-out window to watch the gates on: (1, W, inputSize). */
  display: Tensor;
  displayTargets: number[];
  /** Labels for the display window's steps (symbols task) or values. */
  displayLabels: string[];
}

export const SYMBOLS = ['A', 'B', 'C', 'D'];

export function makeTask(name: TaskName, seed: number, co2?: number[]): Task {
  const rng = new Rng(seed);
  if (name === 'sine') {
    const W = 40;
    const series = Array.from({ length: 1200 }, (_, t) => Math.sin(t * 0.3) + 0.1 * rng.normal());
    return regression(name, series, W, 6, rng);
  }
  if (name === 'co2') {
    if (!co2 || co2.length < 100) throw new Error('[demo] the CO₂ series did not load');
    const mean = co2.reduce((a, b) => a + b, 0) / co2.length;
    const sd = Math.sqrt(co2.reduce((s, v) => s + (v - mean) ** 2, 0) / co2.length);
    // first differences, standardised: the seasonal cycle is what the cell has to track
    const diff = co2.slice(1).map((v, k) => v - co2[k]);
    const dm = diff.reduce((a, b) => a + b, 0) / diff.length;
    const ds = Math.sqrt(diff.reduce((s, v) => s + (v - dm) ** 2, 0) / diff.length) || sd;
    return regression(name, diff.map((v) => (v - dm) / ds), 48, 4, rng);
  }
  // symbols: target at step t is the symbol at t − 2 (class 0 for the first two steps)
  const V = SYMBOLS.length, W = 24, N = 256;
  const seq = (): number[] => Array.from({ length: W }, () => rng.int(V));
  const oneHot = (ids: number[]) => {
    const a = new Float32Array(ids.length * V);
    ids.forEach((id, t) => (a[t * V + id] = 1));
    return a;
  };
  const x = new Float32Array(N * W * V), y = new Float32Array(N * W);
  for (let n = 0; n < N; n++) {
    const s = seq();
    x.set(oneHot(s), n * W * V);
    for (let t = 0; t < W; t++) y[n * W + t] = t >= 2 ? s[t - 2] : 0;
  }
  const d = seq();
  return {
    name, inputSize: V, outputSize: V, loss: 'crossEntropy',
    x: new Tensor(x, [N, W, V]), y: new Tensor(y, [N, W]),
    display: new Tensor(oneHot(d), [1, W, V]),
    displayTargets: d.map((_, t) => (t >= 2 ? d[t - 2] : 0)),
    displayLabels: d.map((id) => SYMBOLS[id]),
  };
}

function regression(name: TaskName, series: number[], W: number, stride: number, rng: Rng): Task {
  // the last window is held out for display; training windows come from the rest
  const hold = series.length - W - 1;
  const starts: number[] = [];
  for (let s = 0; s + W + 1 <= hold; s += stride) starts.push(s);
  rng.shuffle(starts);
  const N = starts.length;
  const x = new Float32Array(N * W), y = new Float32Array(N * W);
  starts.forEach((s, n) => {
    for (let t = 0; t < W; t++) {
      x[n * W + t] = series[s + t];
      y[n * W + t] = series[s + t + 1];
    }
  });
  const dx = series.slice(hold, hold + W);
  return {
    name, inputSize: 1, outputSize: 1, loss: 'mse',
    x: new Tensor(x, [N, W, 1]), y: new Tensor(y, [N, W, 1]),
    display: new Tensor(Float32Array.from(dx), [1, W, 1]),
    displayTargets: series.slice(hold + 1, hold + W + 1),
    displayLabels: dx.map((v) => v.toFixed(2)),
  };
}
