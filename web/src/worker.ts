// The demo's training worker: builds the task and the model, trains with Sequential.fit, and keeps
// the page informed without flooding it. Training yields to the worker's event loop after every
// batch, so the page's messages land between batches: Stop ends training within one batch, Pause
// waits before the next batch, a new learning rate applies to the next optimizer step.
//
// What goes to the page, and how often (the page draws at most once per animation frame anyway):
//   'progress'  the current batch (epoch, batch, loss, learning rate) and the epochs finished since
//               the last message (each epoch's log and the task's metric on the validation data,
//               accuracy or MASE): at most every 100 ms, and at the end
//   'gates'   the gates f, i, g, o, the cell c and the hidden state h of the first LSTM layer on the
//             held-out display window, and the prediction there: at most every 200 ms, and at the end
// Threads: only when they measure faster. A problem too small to gain (estimated work per batch)
// trains on this thread without asking; otherwise a short probe times a few batches on this thread
// and on the pool and keeps the faster (the page shows both times).
// Model files: a save holds the weights, the task and settings (extra) and the training state
// (optimizer moments, per-epoch history), so a load restores all of it and Continue resumes.

import {
  LSTM, Dense, Sequential, Tensor, getKernels, loadWasmKernelsFrom, modelFromBytes, ThreadPool, Adam,
  type EpochLog, type TrainingState, type WasmBinaries, type PoolPort, type PoolReply, type Optimizer, type BatchLog,
} from 'longshort';
import { makeTask, taskMetric, tasksFitting, TASKS, type Task, type TaskName } from './tasks.js';

/** Settings of one training run (the page's form). */
export interface RunConfig {
  task: TaskName;
  hidden: number;
  lr: number;
  epochs: number;
  seed: number;
  /** 'auto' = the faster of one thread and all of them (see threadPlan); a number forces it. */
  threads: 'auto' | number;
}

/** What a demo model file keeps besides the weights and the training state (under extra). */
export interface DemoExtra {
  app: 'web-demo';
  task: TaskName;
  config: Omit<RunConfig, 'threads'>;
  /** The task's metric after each epoch (validation data). */
  metric: { name: 'accuracy' | 'MASE'; values: number[] };
}

export type ToWorker =
  /** preview: the form's settings, whose untrained model the page shows until the first training. */
  | { type: 'init'; co2: number[]; preview: RunConfig | null }
  | { type: 'start'; config: RunConfig; resume: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  /** sentAt: the page's clock (performance.timeOrigin + now()) when Stop was pressed. */
  | { type: 'stop'; sentAt: number }
  | { type: 'lr'; lr: number }
  | { type: 'export' }
  | { type: 'load'; bytes: Uint8Array; name: string; task: TaskName };

export interface ThreadPlan {
  threads: number;
  reason: string;
  /** Milliseconds per batch measured by the probe, by thread count. */
  probe: Record<number, number> | null;
}

export type FromWorker =
  | { type: 'info'; kernel: string; variant: string; cores: number; crossOriginIsolated: boolean }
  | { type: 'threads'; plan: ThreadPlan }
  | { type: 'model'; summary: string; config: Omit<RunConfig, 'threads'>; resumed: boolean }
  | {
      type: 'progress';
      batch: { epoch: number; batch: number; batches: number; loss: number; lr: number; batchesDone: number } | null;
      /** Epochs finished since the last message, with the metric after each. */
      epochs: EpochLog[];
      metrics: number[];
    }
  | { type: 'paused'; paused: boolean; batchesDone: number }
  | {
      type: 'gates';
      epoch: number;
      /** (6, H, T): f, i, g, c, o, h — the order of the page's equations. */
      values: Float32Array;
      hidden: number;
      steps: number;
      prediction: number[];
      targets: number[];
      labels: string[];
      task: TaskName;
    }
  | {
      type: 'done';
      epochs: number;
      /** 'finished', or 'stopped' by the page (then the batch counts below say how soon). */
      reason: 'finished' | 'stopped';
      batchesDone: number;
      /** Batches that ended after the page pressed Stop (by the page's clock): 0 or 1 when Stop works. */
      batchesAfterStop: number | null;
      stoppedAt: { epoch: number; batch: number; batches: number } | null;
    }
  | {
      type: 'loaded';
      name: string;
      summary: string;
      task: TaskName | null;
      /** How the task was chosen: from the file, or inferred from the model's input and output sizes. */
      taskSource: 'file' | 'inferred' | 'none';
      config: Omit<RunConfig, 'threads'>;
      history: EpochLog[];
      metric: { name: 'accuracy' | 'MASE'; values: number[] } | null;
      canResume: boolean;
      notes: string[];
    }
  | { type: 'saved'; bytes: Uint8Array; name: string }
  /** during: the message that failed ('start' = training ended). */
  | { type: 'error'; message: string; during: ToWorker['type'] };

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
const clock = (): number => performance.timeOrigin + performance.now();

let co2: number[] = [];
let wasmBinaries: WasmBinaries | null = null;

/** The model on show (trained here or loaded), its task, its settings, and how it was trained so far. */
let model: Sequential | null = null;
let task: Task | null = null;
let config: Omit<RunConfig, 'threads'> | null = null;
let trainingState: TrainingState | null = null;
let metricValues: number[] = [];
/** A loaded file's extra, kept as is so that saving it again writes the same bytes. */
let loadedExtra: Record<string, unknown> | null = null;

/** The run in progress: flags set by the page's messages, read between batches. */
const run = {
  active: false,
  stopSentAt: null as number | null,
  paused: false,
  wake: null as (() => void) | null,
  optimizer: null as Optimizer | null,
  batchesDone: 0,
  /** When each recent batch ended (clock()), to count the batches that ended after Stop was pressed. */
  batchEnds: [] as number[],
};

// A macrotask yield: the page's messages queued meanwhile run before it resolves. A MessageChannel
// rather than setTimeout(0), which browsers clamp to 4 ms once timers nest.
const channel = new MessageChannel();
const yielders: (() => void)[] = [];
channel.port1.onmessage = () => yielders.shift()?.();
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    yielders.push(resolve);
    channel.port2.postMessage(0);
  });
}

function cores(): number {
  return Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4));
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
  post({ type: 'info', kernel: getKernels().name, variant, cores: cores(), crossOriginIsolated: self.crossOriginIsolated === true });
}

// ------------------------------------------------------------------------------------ threads

/**
 * Work below which threads cannot pay for themselves, so the page does not even start a pool to
 * find out: multiply-adds of one batch, forward and backward (≈ 3 × B·T·4H·(D+H)). Measured by the
 * probe in this page on the 2-core test machine (other jobs running): a sine batch took 0.9 ms on
 * one thread at hidden 8 (0.6 M) and 1.0 ms at hidden 16 (1.6 M), against 5–22 ms on two; from
 * hidden 32 (8 M, about 3 ms a batch) the outcome depends on the machine, so the probe decides.
 */
const PROBE_FLOOR = 8e6;
/** Decisions already measured, by task and hidden size (a probe per run would cost a pool start). */
const planCache = new Map<string, ThreadPlan>();

function batchWork(t: Task, hidden: number, batchSize: number): number {
  const [, T, D] = t.x.shape;
  return 3 * batchSize * T * 4 * hidden * (D + hidden);
}

/** How many threads this run uses, and the pool when more than one. */
async function threadPlan(m: Sequential, t: Task, hidden: number, batchSize: number, choice: 'auto' | number): Promise<{ plan: ThreadPlan; pool: ThreadPool | null }> {
  const n = cores();
  if (self.crossOriginIsolated !== true) return { plan: { threads: 1, reason: 'the page is not cross-origin isolated (no shared memory)', probe: null }, pool: null };
  if (n < 2) return { plan: { threads: 1, reason: 'one core', probe: null }, pool: null };
  if (choice !== 'auto') {
    const k = Math.max(1, Math.min(choice, n));
    const pool = k > 1 ? await ThreadPool.create(m, k, spawnPoolWorker, wasmBinaries) : null;
    return { plan: { threads: k, reason: 'chosen', probe: null }, pool };
  }
  const work = batchWork(t, hidden, batchSize);
  if (work < PROBE_FLOOR) {
    return { plan: { threads: 1, reason: `small problem (${(work / 1e6).toFixed(1)} M multiply-adds per batch): threads would cost more than they save`, probe: null }, pool: null };
  }
  const key = `${t.name}/${hidden}/${n}`;
  const known = planCache.get(key);
  if (known !== undefined && known.threads === 1) return { plan: known, pool: null };
  const pool = await ThreadPool.create(m, n, spawnPoolWorker, wasmBinaries);
  if (known !== undefined) return { plan: known, pool };
  // Gradients only (the weights do not change): a few batches each way, interleaved so that load
  // from other programs hits both alike; the best time of each counts.
  const one = await ThreadPool.create(m, 1, spawnPoolWorker, wasmBinaries); // no workers: this thread
  const rows = Int32Array.from({ length: Math.min(batchSize, t.x.shape[0]) }, (_, k) => k);
  const job = { model: m, lossName: t.loss, x: t.x, y: t.y, lengths: null, rows };
  const best = { 1: Infinity, [n]: Infinity } as Record<number, number>;
  for (let rep = 0; rep < 4; rep++) {
    for (const [k, p] of [[1, one], [n, pool]] as const) {
      const t0 = performance.now();
      await p.run(job);
      if (rep > 0) best[k] = Math.min(best[k], performance.now() - t0); // rep 0 warms up
    }
  }
  await one.close();
  m.zeroGrad();
  const faster = best[n] < best[1] ? n : 1;
  const plan: ThreadPlan = { threads: faster, reason: `measured: ${faster === 1 ? 'one thread is faster here' : `${n} threads are faster here`}`, probe: best };
  planCache.set(key, plan);
  if (faster === 1) {
    await pool.close();
    return { plan, pool: null };
  }
  return { plan, pool };
}

// ------------------------------------------------------------------------------------ snapshots

/** Gates of the first LSTM layer (f, i, g, c, o, h) and the prediction on the display window. */
function postGates(m: Sequential, t: Task, epoch: number): void {
  const lstm = m.layers[0].layer as LSTM;
  const r = lstm.forward(t.display, { returnGates: true });
  const g = r.gates![0]; // layer 0, forward direction: (1, T, H) each
  const [, T, H] = g.i.shape;
  const values = new Float32Array(6 * H * T);
  const order = [g.f.data, g.i.data, g.g.data, g.c.data, g.o.data];
  for (let k = 0; k < 6; k++) {
    for (let j = 0; j < H; j++) {
      for (let s = 0; s < T; s++) {
        // h = o ⊙ tanh(c), the equation itself (also right for stacked layers, whose output is the top layer's)
        values[(k * H + j) * T + s] = k < 5 ? order[k][s * H + j] : g.o.data[s * H + j] * Math.tanh(g.c.data[s * H + j]);
      }
    }
  }
  let out = r.output;
  for (const { layer } of m.layers.slice(1)) out = layer.call(out, { training: false });
  const O = out.shape[2];
  const prediction = Array.from({ length: T }, (_, s) => {
    if (O === 1) return out.data[s];
    let arg = 0;
    for (let c = 1; c < O; c++) if (out.data[s * O + c] > out.data[s * O + arg]) arg = c;
    return arg;
  });
  post({ type: 'gates', epoch, values, hidden: H, steps: T, prediction, targets: t.displayTargets, labels: t.displayLabels, task: t.name }, [values.buffer]);
}

function metricOf(m: Sequential, t: Task): number {
  return taskMetric(t, m.predict(t.valX, { batchSize: 64 })).value;
}

// ------------------------------------------------------------------------------------ training

function buildModel(t: Task, hidden: number, seed: number): Sequential {
  return new Sequential(
    {
      lstm: new LSTM({ inputSize: t.inputSize, hiddenSize: hidden, seed }),
      head: new Dense({ inputSize: hidden, outputSize: t.outputSize, seed: seed + 1 }),
    },
    { seed },
  );
}

const BATCH_SIZE = 16;

async function train(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  if (run.active) throw new Error('[demo] training is already running; press Stop first.');
  const c = msg.config;
  let resume: TrainingState | null = null;
  if (msg.resume) {
    if (model === null || task === null || trainingState === null) throw new Error('[demo] there is no trained model to continue; press Train to start one.');
    if (task.name !== c.task) throw new Error(`[demo] the model was trained on '${task.name}'; continue it on that task, or press Train for a new model on '${c.task}'.`);
    resume = trainingState;
    // the form's learning rate applies from the first continued step
    const opt = resume.optimizer as { hyper?: Record<string, unknown> } | null;
    if (opt?.hyper) resume = { ...resume, optimizer: { ...opt, hyper: { ...opt.hyper, lr: c.lr } } };
    config = { ...config!, lr: c.lr, epochs: resume.epoch + c.epochs };
    loadedExtra = null; // the file's extra no longer describes the model
  } else {
    task = makeTask(c.task, c.seed, co2);
    model = buildModel(task, c.hidden, c.seed);
    config = { task: c.task, hidden: c.hidden, lr: c.lr, epochs: c.epochs, seed: c.seed };
    trainingState = null;
    metricValues = [];
    loadedExtra = null;
  }
  const m = model!;
  const t = task!;
  const hidden = (m.layers[0].layer as LSTM).hiddenSize;
  post({ type: 'model', summary: m.summary([null, t.x.shape[1], t.inputSize]), config: config!, resumed: resume !== null });
  if (resume === null) postGates(m, t, 0);

  Object.assign(run, { active: true, stopSentAt: null, paused: false, wake: null, batchesDone: 0, batchEnds: [] });
  const optimizer = new Adam(m.params(), { lr: c.lr });
  run.optimizer = optimizer;
  let pool: ThreadPool | null = null;
  let lastProgress = 0;
  let lastGates = clock();
  let batch: Extract<FromWorker, { type: 'progress' }>['batch'] = null;
  let pending: { epochs: EpochLog[]; metrics: number[] } = { epochs: [], metrics: [] };
  const flush = (): void => {
    lastProgress = clock();
    post({ type: 'progress', batch, ...pending });
    pending = { epochs: [], metrics: [] };
  };
  let stoppedAt: { epoch: number; batch: number; batches: number } | null = null;
  try {
    const threads = await threadPlan(m, t, hidden, BATCH_SIZE, c.threads);
    pool = threads.pool;
    post({ type: 'threads', plan: threads.plan });
    const history = await m.fit(t.x, t.y, {
      ...(pool !== null ? { executor: pool } : {}),
      loss: t.loss,
      optimizer,
      epochs: config!.epochs,
      batchSize: BATCH_SIZE,
      validationData: { x: t.valX, y: t.valY },
      clipNorm: 1,
      seed: config!.seed,
      ...(resume !== null ? { resume } : {}),
      callbacks: {
        onBatchEnd: async (log: BatchLog, ctl) => {
          run.batchesDone++;
          const now = clock();
          run.batchEnds.push(now);
          if (run.batchEnds.length > 64) run.batchEnds.shift();
          batch = { epoch: log.epoch, batch: log.batch, batches: log.batches, loss: log.loss, lr: optimizer.lr, batchesDone: run.batchesDone };
          if (now - lastProgress >= 100) flush();
          await yieldToEvents(); // the page's messages (stop, pause, lr) run here
          while (run.paused && run.stopSentAt === null) {
            post({ type: 'paused', paused: true, batchesDone: run.batchesDone });
            await new Promise<void>((resolve) => (run.wake = resolve));
          }
          if (run.stopSentAt !== null) {
            stoppedAt ??= { epoch: log.epoch, batch: log.batch, batches: log.batches };
            ctl.stop();
          }
        },
        onEpochEnd: async (log, ctl) => {
          const metric = metricOf(m, t);
          metricValues.push(metric);
          pending.epochs.push(log);
          pending.metrics.push(metric);
          trainingState = ctl.state();
          if (clock() - lastGates >= 200) {
            lastGates = clock();
            postGates(m, t, log.epoch);
          }
        },
      },
    });
    trainingState = history.state;
    flush();
    postGates(m, t, history.state.epoch);
    const stopped = run.stopSentAt !== null;
    const after = stopped ? run.batchEnds.filter((e) => e > run.stopSentAt!).length : null;
    post({ type: 'done', epochs: history.epochs.length, reason: stopped ? 'stopped' : 'finished', batchesDone: run.batchesDone, batchesAfterStop: after, stoppedAt });
  } finally {
    run.active = false;
    run.paused = false;
    await pool?.close();
  }
}

/** An untrained model of these settings on show (its gates before training); Save writes it as it is. */
function preview(c: RunConfig): void {
  task = makeTask(c.task, c.seed, co2);
  model = buildModel(task, c.hidden, c.seed);
  config = { task: c.task, hidden: c.hidden, lr: c.lr, epochs: c.epochs, seed: c.seed };
  trainingState = null;
  metricValues = [];
  loadedExtra = null;
  post({ type: 'model', summary: model.summary([null, task.x.shape[1], task.inputSize]), config, resumed: false });
  postGates(model, task, 0);
}

// ------------------------------------------------------------------------------------ files

function save(): void {
  if (model === null || config === null) throw new Error('[demo] train or load a model first; there is no model to save.');
  const extra: DemoExtra | Record<string, unknown> = loadedExtra ?? {
    app: 'web-demo',
    task: config.task,
    config,
    metric: { name: task?.metric === 'accuracy' ? 'accuracy' : 'MASE', values: metricValues },
  };
  const bytes = model.toBytes({ extra, ...(trainingState !== null ? { training: trainingState } : {}) });
  const epochs = trainingState?.epoch ?? 0;
  post({ type: 'saved', bytes, name: `longshort-${config.task}-${config.hidden}u-${epochs}ep.safetensors` }, [bytes.buffer]);
}

function load(msg: Extract<ToWorker, { type: 'load' }>): void {
  const f = modelFromBytes(msg.bytes); // validates the file; throws the library's FormatError naming the problem
  const first = f.model.layers[0]?.layer;
  if (!(first instanceof LSTM)) {
    throw new Error(`[demo] '${msg.name}' is a model whose first layer is ${first?.kind ?? 'missing'}; the page shows the gates of a first LSTM layer, so it cannot show this model.`);
  }
  const notes: string[] = [];
  const out = f.model.predict(new Tensor(new Float32Array(2 * first.inputSize), [1, 2, first.inputSize]));
  const outputSize = out.shape[2];
  const extra = f.extra as Partial<DemoExtra>;
  const fromFile = extra.app === 'web-demo' && typeof extra.task === 'string' && extra.task in TASKS ? extra.task : null;
  const fitting = tasksFitting(first.inputSize, outputSize);
  let name: TaskName | null = null;
  let source: 'file' | 'inferred' | 'none' = 'none';
  if (fromFile !== null && fitting.includes(fromFile)) {
    name = fromFile;
    source = 'file';
  } else if (fitting.length > 0) {
    name = fitting.includes(msg.task) ? msg.task : fitting[0];
    source = 'inferred';
    notes.push(`the file does not say which task it learnt; it reads ${first.inputSize} feature${first.inputSize === 1 ? '' : 's'} and writes ${outputSize} per step, as '${TASKS[name].title}' does, so it is shown on that`);
  } else {
    notes.push(`it reads ${first.inputSize} features and writes ${outputSize} per step; no task here fits (sine and CO₂: 1 and 1, symbols: 4 and 4), so its gates cannot be shown`);
  }
  const history = f.training?.history ?? [];
  const seed = typeof extra.config?.seed === 'number' ? extra.config.seed : 1;
  const cfg: Omit<RunConfig, 'threads'> = {
    task: name ?? msg.task,
    hidden: first.hiddenSize,
    lr: typeof extra.config?.lr === 'number' ? extra.config.lr : history.at(-1)?.lr ?? 0.02,
    epochs: typeof extra.config?.epochs === 'number' ? extra.config.epochs : Math.max(1, history.length),
    seed,
  };
  model = f.model;
  config = cfg;
  loadedExtra = f.extra;
  trainingState = f.training;
  task = name === null ? null : makeTask(name, seed, co2);
  const fromFileMetric = extra.app === 'web-demo' && extra.metric ? extra.metric : null;
  if (task !== null && fromFileMetric === null && history.length > 0) notes.push('the file keeps no per-epoch metric; the page shows the metric of the model as it is');
  // the metric after each epoch when the file has it, else the model's as it is now
  metricValues = fromFileMetric?.values.slice() ?? (task !== null ? [metricOf(f.model, task)] : []);
  const metric = task === null ? null : { name: fromFileMetric?.name ?? (task.metric === 'accuracy' ? 'accuracy' as const : 'MASE' as const), values: metricValues.slice() };
  const canResume = task !== null && trainingState !== null;
  const summary = f.model.summary([null, task?.x.shape[1] ?? null, first.inputSize]);
  post({ type: 'loaded', name: msg.name, summary, task: name, taskSource: source, config: cfg, history, metric, canResume, notes });
  if (task !== null) postGates(f.model, task, trainingState?.epoch ?? history.length);
}

// ------------------------------------------------------------------------------------ messages

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case 'init':
        co2 = msg.co2;
        await loadKernels();
        if (msg.preview !== null) preview(msg.preview);
        break;
      case 'start':
        await train(msg);
        break;
      case 'stop':
        if (run.active && run.stopSentAt === null) run.stopSentAt = msg.sentAt;
        run.wake?.();
        break;
      case 'pause':
        if (run.active) run.paused = true;
        break;
      case 'resume':
        run.paused = false;
        run.wake?.();
        run.wake = null;
        if (run.active) post({ type: 'paused', paused: false, batchesDone: run.batchesDone });
        break;
      case 'lr':
        if (!(msg.lr > 0 && Number.isFinite(msg.lr))) throw new Error(`[demo] the learning rate must be a number > 0; received ${msg.lr}.`);
        if (run.optimizer !== null) run.optimizer.lr = msg.lr;
        if (config !== null) config = { ...config, lr: msg.lr };
        break;
      case 'export':
        save();
        break;
      case 'load':
        if (run.active) throw new Error('[demo] stop training before loading a model.');
        load(msg);
        break;
    }
  } catch (err) {
    post({ type: 'error', message: (err as Error).message, during: msg.type });
  }
};
