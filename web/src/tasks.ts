// The demo's three sequence tasks, each as windows of per-step inputs and targets for a small
// LSTM: a noisy sine wave (next value), a sequence of symbols (the symbol two steps back — the
// cell must hold it), and the monthly Mauna Loa CO₂ series (next month's change, standardised).
//
// Every task keeps its validation data apart from its training data, so the metric the page shows
// is an honest one: the forecasting tasks split the series in time (training windows from the
// first 85 %, validation windows from the rest, the display window last), the symbols task draws
// fresh sequences. The metric fits the task: accuracy for the symbols (a classification), MASE for
// the two forecasts (the one-step error relative to "repeat the last value" on the training part).

import { Tensor, Rng, mase } from 'longshort';
import { SYMBOLS, TASKS, TASK_NAMES, type TaskInfo, type TaskName } from './task-info.js';

export { SYMBOLS, TASKS, TASK_NAMES, type TaskInfo, type TaskName };

export interface Task extends TaskInfo {
  /** Training windows (N, W, inputSize) and targets (N, W, 1) values or (N, W) class ids. */
  x: Tensor;
  y: Tensor;
  /** Validation windows, same layout; never seen in training. */
  valX: Tensor;
  valY: Tensor;
  /** Forecasting: the training part of the series (MASE's scale is the naive forecast's error on it). */
  trainSeries: number[] | null;
  /** One held-out window to watch the gates on: (1, W, inputSize). */
  display: Tensor;
  displayTargets: number[];
  /** What each step of the display window reads (a symbol, or the value). */
  displayLabels: string[];
}

export function makeTask(name: TaskName, seed: number, co2?: number[]): Task {
  const rng = new Rng(seed);
  if (name === 'sine') {
    const series = Array.from({ length: 1200 }, (_, t) => Math.sin(t * 0.3) + 0.1 * rng.normal());
    return regression(TASKS.sine, series, 40, 6, rng);
  }
  if (name === 'co2') {
    if (!co2 || co2.length < 200) throw new Error('[demo] the CO₂ series did not load; reload the page.');
    // first differences, standardised: the seasonal cycle is what the cell has to track
    const diff = co2.slice(1).map((v, k) => v - co2[k]);
    const dm = diff.reduce((a, b) => a + b, 0) / diff.length;
    const ds = Math.sqrt(diff.reduce((s, v) => s + (v - dm) ** 2, 0) / diff.length) || 1;
    return regression(TASKS.co2, diff.map((v) => (v - dm) / ds), 48, 4, rng);
  }
  return symbols(rng);
}

/** Symbols: the target at step t is the symbol at t − 2 (class 0 for the first two steps). */
function symbols(rng: Rng): Task {
  const V = SYMBOLS.length, W = 24;
  const seq = (): number[] => Array.from({ length: W }, () => rng.int(V));
  const set = (N: number): { x: Tensor; y: Tensor } => {
    const x = new Float32Array(N * W * V), y = new Float32Array(N * W);
    for (let n = 0; n < N; n++) {
      const s = seq();
      s.forEach((id, t) => (x[(n * W + t) * V + id] = 1));
      for (let t = 0; t < W; t++) y[n * W + t] = t >= 2 ? s[t - 2] : 0;
    }
    return { x: new Tensor(x, [N, W, V]), y: new Tensor(y, [N, W]) };
  };
  const train = set(256);
  const val = set(64);
  const d = seq();
  const display = new Float32Array(W * V);
  d.forEach((id, t) => (display[t * V + id] = 1));
  return {
    ...TASKS.symbols,
    x: train.x, y: train.y, valX: val.x, valY: val.y, trainSeries: null,
    display: new Tensor(display, [1, W, V]),
    displayTargets: d.map((_, t) => (t >= 2 ? d[t - 2] : 0)),
    displayLabels: d.map((id) => SYMBOLS[id]),
  };
}

/** Next-value windows of length W; training from the first 85 % (shuffled starts), validation after it, display last. */
function regression(info: TaskInfo, series: number[], W: number, stride: number, rng: Rng): Task {
  const hold = series.length - W - 1; // the display window starts here
  const cut = Math.floor(0.85 * hold); // training targets end before this index
  const windows = (from: number, to: number, step: number): number[] => {
    const s: number[] = [];
    for (let k = from; k + W + 1 <= to; k += step) s.push(k);
    return s;
  };
  const pack = (starts: number[]): { x: Tensor; y: Tensor } => {
    const N = starts.length;
    const x = new Float32Array(N * W), y = new Float32Array(N * W);
    starts.forEach((s, n) => {
      for (let t = 0; t < W; t++) {
        x[n * W + t] = series[s + t];
        y[n * W + t] = series[s + t + 1];
      }
    });
    return { x: new Tensor(x, [N, W, 1]), y: new Tensor(y, [N, W, 1]) };
  };
  const trainStarts = windows(0, cut, stride);
  rng.shuffle(trainStarts);
  const train = pack(trainStarts);
  const val = pack(windows(cut, hold, Math.max(1, Math.floor(W / 4))));
  const dx = series.slice(hold, hold + W);
  return {
    ...info,
    x: train.x, y: train.y, valX: val.x, valY: val.y,
    trainSeries: series.slice(0, cut),
    display: new Tensor(Float32Array.from(dx), [1, W, 1]),
    displayTargets: series.slice(hold + 1, hold + W + 1),
    displayLabels: dx.map((v) => v.toFixed(2)),
  };
}

/**
 * The task's metric on the validation windows from the model's predictions there: accuracy (share
 * of steps whose most likely class is the target) or MASE (mean absolute one-step error divided by
 * the naive forecast's on the training part; below 1 beats repeating the last value).
 */
export function taskMetric(task: Task, pred: Tensor): { name: 'accuracy' | 'MASE'; value: number } {
  if (task.metric === 'accuracy') {
    const C = task.outputSize;
    const y = task.valY.data;
    let correct = 0;
    for (let r = 0; r < y.length; r++) {
      let arg = 0;
      for (let c = 1; c < C; c++) if (pred.data[r * C + c] > pred.data[r * C + arg]) arg = c;
      if (arg === y[r]) correct++;
    }
    return { name: 'accuracy', value: correct / y.length };
  }
  return { name: 'MASE', value: mase(task.valY.data, pred.data, task.trainSeries!, 1) };
}

/** Tasks whose input and output sizes fit a model's (a loaded file may not say which task it was trained on). */
export function tasksFitting(inputSize: number, outputSize: number): TaskName[] {
  return TASK_NAMES.filter((n) => TASKS[n].inputSize === inputSize && TASKS[n].outputSize === outputSize);
}
