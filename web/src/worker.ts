// The demo's Web Worker: builds the task and the model, trains with Sequential.fit, and after
// every epoch posts the loss and the gates (i, f, g, o, c) on the display window, so the page
// stays responsive while the LSTM learns. Also loads and exports model files.

import {
  LSTM, Dense, Sequential, Tensor, getKernels, registerKernels, loadWasmKernelsFrom, ThreadPool,
  type EpochLog, type WasmBinaries, type PoolPort, type PoolReply,
} from 'longshort';
import { makeTask, type Task, type TaskName } from './tasks.js';

export type ToWorker =
  | { type: 'init'; co2: number[] }
  | { type: 'start'; task: TaskName; hidden: number; lr: number; epochs: number; seed: number }
  | { type: 'stop' }
  | { type: 'export' }
  | { type: 'load'; bytes: Uint8Array; task: TaskName };

export type FromWorker =
  | { type: 'info'; kernel: string; variant: string; threads: number; crossOriginIsolated: boolean }
  | { type: 'progress'; log: EpochLog }
  | { type: 'gates'; epoch: number; gates: Record<'i' | 'f' | 'g' | 'o' | 'c', number[][]>; prediction: number[]; targets: number[]; labels: string[] }
  | { type: 'model'; summary: string; bytes?: Uint8Array }
  | { type: 'done'; epochs: number }
  | { type: 'error'; message: string };

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

let co2: number[] = [];
let model: Sequential | null = null;
let task: Task | null = null;
let stopRequested = false;
let wasmBinaries: WasmBinaries | null = null;

/** Threads for training: every core when the page is cross-origin isolated (SharedArrayBuffer), else this one. */
function threadCount(): number {
  return self.crossOriginIsolated === true ? Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4)) : 1;
}

function spawnPoolWorker(): PoolPort {
  const w = new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module' });
  return {
    post: (m) => w.postMessage(m),
    listen: (onReply, onError) => {
      w.onmessage = (e: MessageEvent<PoolReply>) => onReply(e.data);
      w.onerror = (e) => onError(new Error(e.message));
    },
    terminate: () => w.terminate(),
  };
}

async function loadKernels(): Promise<void> {
  let variant = 'none';
  try {
    const loaded = await loadWasmKernelsFrom(self.location.href);
    if (loaded !== null) {
      wasmBinaries = loaded.binaries;
      variant = loaded.kernels.variant;
    }
  } catch (e) {
    variant = `unavailable (${(e as Error).message})`;
  }
  post({ type: 'info', kernel: getKernels().name, variant, threads: threadCount(), crossOriginIsolated: self.crossOriginIsolated === true });
}

function gatesOf(m: Sequential, t: Task, epoch: number): void {
  const lstm = m.layers[0].layer as LSTM;
  const r = lstm.forward(t.display, { returnGates: true });
  const g = r.gates![0];
  const [, T, H] = g.i.shape;
  const byUnit = (x: Tensor): number[][] => Array.from({ length: H }, (_, j) => Array.from({ length: T }, (_, s) => x.data[s * H + j]));
  let out = r.output;
  for (const { layer } of m.layers.slice(1)) out = layer.call(out, { training: false });
  const O = out.shape[2];
  const prediction = Array.from({ length: T }, (_, s) => {
    if (O === 1) return out.data[s];
    let arg = 0;
    for (let c = 1; c < O; c++) if (out.data[s * O + c] > out.data[s * O + arg]) arg = c;
    return arg;
  });
  post({ type: 'gates', epoch, gates: { i: byUnit(g.i), f: byUnit(g.f), g: byUnit(g.g), o: byUnit(g.o), c: byUnit(g.c) }, prediction, targets: t.displayTargets, labels: t.displayLabels });
}

async function train(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  stopRequested = false;
  task = makeTask(msg.task, msg.seed, co2);
  const t = task;
  model = new Sequential(
    {
      lstm: new LSTM({ inputSize: t.inputSize, hiddenSize: msg.hidden, seed: msg.seed }),
      head: new Dense({ inputSize: msg.hidden, outputSize: t.outputSize, seed: msg.seed + 1 }),
    },
    { seed: msg.seed },
  );
  const m = model;
  post({ type: 'model', summary: m.summary([null, t.x.shape[1], t.inputSize]) });
  gatesOf(m, t, 0);
  const threads = threadCount();
  const pool = threads > 1 ? await ThreadPool.create(m, threads, spawnPoolWorker, wasmBinaries) : null;
  const history = await m.fit(t.x, t.y, {
    ...(pool !== null ? { executor: pool } : {}),
    loss: t.loss,
    optimizer: { name: 'adam', lr: msg.lr },
    epochs: msg.epochs,
    batchSize: 16,
    validationSplit: 0.15,
    clipNorm: 1,
    seed: msg.seed,
    callbacks: {
      onEpochEnd: async (log, ctl) => {
        post({ type: 'progress', log });
        gatesOf(m, t, log.epoch);
        await new Promise((r) => setTimeout(r, 0)); // let 'stop' messages in
        if (stopRequested) ctl.stop();
      },
    },
  });
  await pool?.close();
  post({ type: 'done', epochs: history.epochs.length });
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    if (msg.type === 'init') {
      co2 = msg.co2;
      await loadKernels();
    } else if (msg.type === 'start') {
      await train(msg);
    } else if (msg.type === 'stop') {
      stopRequested = true;
    } else if (msg.type === 'export') {
      if (model === null) throw new Error('[demo] train or load a model first; there is no model to save.');
      const bytes = model.toBytes({ extra: { task: task?.name ?? null } });
      post({ type: 'model', summary: model.summary(), bytes }, [bytes.buffer]);
    } else if (msg.type === 'load') {
      const m = Sequential.fromBytes(msg.bytes);
      const first = m.layers[0].layer;
      if (!(first instanceof LSTM)) throw new Error(`[demo] the model's first layer must be an LSTM to show its gates; received ${first.kind}.`);
      model = m;
      task = makeTask(msg.task, 1, co2);
      post({ type: 'model', summary: m.summary([null, task.x.shape[1], first.inputSize]) });
      if (first.inputSize === task.inputSize) gatesOf(m, task, 0);
      else post({ type: 'error', message: `[demo] this model reads ${first.inputSize} features per step; the '${task.name}' task has ${task.inputSize}. Pick the matching task to run it.` });
    }
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
};
