// The demo page: pick a sequence task, train a small LSTM in a Web Worker (./worker.ts), watch the
// loss, the task's metric and the gates; pause, stop, change the learning rate while it trains;
// save the model, or load a model file and see everything it holds.
//
// The page stays responsive while training: the worker's messages only store what arrived and
// mark the parts of the page that changed. Drawing happens in requestAnimationFrame callbacks, at
// most every 200 ms while training, one chart per frame (the gates, the prediction, the loss, the
// metric take turns), so however fast epochs come, no frame does much: a few canvas calls
// (./plot.ts, ./gates-view.ts), with widths from a ResizeObserver so that drawing never forces a
// layout. The browser tests (test/web/browser.test.ts) read window.__demo.

import type { EpochLog } from 'longshort';
import { LineChart, drawSymbolStrip, fitCanvas } from './plot.js';
import { GateView, type GateFrame } from './gates-view.js';
import { SYMBOLS, TASKS, type TaskName } from './task-info.js';
import type { FromWorker, RunConfig, ThreadPlan, ToWorker } from './worker.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);
const clock = (): number => performance.timeOrigin + performance.now();

type Loaded = Extract<FromWorker, { type: 'loaded' }>;
type Done = Extract<FromWorker, { type: 'done' }>;
type GatesMsg = Extract<FromWorker, { type: 'gates' }>;

/** The page's state; the browser tests read it as window.__demo. */
const demo = {
  kernel: '',
  cores: 1,
  crossOriginIsolated: false,
  training: false,
  paused: false,
  /** The model on show: its settings, and whether Continue can resume it. */
  config: null as Omit<RunConfig, 'threads'> | null,
  canContinue: false,
  history: [] as EpochLog[],
  metric: { name: '', values: [] as number[] },
  batch: null as { epoch: number; batch: number; batches: number; loss: number; lr: number; batchesDone: number } | null,
  threads: null as ThreadPlan | null,
  gates: null as GatesMsg | null,
  gateUpdates: 0,
  lastDone: null as Done | null,
  loaded: null as Loaded | null,
  exported: null as Uint8Array | null,
  lastSummary: '',
  lastError: '',
  /** Animation frames that drew something. */
  frames: 0,
  /** Training runs started, and the worker's pause reports (its batch count when pausing and resuming). */
  runs: 0,
  pauses: [] as { paused: boolean; batchesDone: number }[],
};
(window as unknown as { __demo: typeof demo }).__demo = demo;

// ------------------------------------------------------------------------------------ drawing

const lossChart = new LineChart($('loss'), { title: 'Loss per epoch', xLabel: 'epoch', height: 190, log: 'auto', integerX: true });
const metricChart = new LineChart($('metric'), { title: 'Metric', xLabel: 'epoch', height: 190, integerX: true });
const predictionChart = new LineChart(document.createElement('div'), { title: '', xLabel: 'time step', height: 150, integerX: true });
$('prediction').append(predictionChart.root);
predictionChart.root.querySelector('figcaption')?.remove();
const gateView = new GateView($('gates'), $('gate-readout'), $<HTMLInputElement>('follow'), $<HTMLSelectElement>('follow-unit'), $<HTMLCanvasElement>('gate-axis'), () => request(true));

type Part = 'loss' | 'metric' | 'prediction' | 'gates' | 'status';
const dirty = new Set<Part>();
let frameRequested = false;
let lastRender = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
/** While training, the page redraws at most this often (ms): live enough, and few tasks on the main thread. */
const TRAINING_REDRAW_MS = 200;

/** Marks parts of the page for the next redraw; `now` (a user's pointer or key) skips the training throttle. */
function invalidate(...parts: Part[]): void {
  for (const p of parts) dirty.add(p);
  request(false);
}

function request(now: boolean): void {
  if (frameRequested) return;
  const wait = demo.training && !now ? lastRender + TRAINING_REDRAW_MS - performance.now() : 0;
  if (wait > 0) {
    timer ??= setTimeout(() => {
      timer = null;
      request(false);
    }, wait);
    return;
  }
  if (timer !== null) clearTimeout(timer);
  timer = null;
  frameRequested = true;
  requestAnimationFrame(render);
}

/** Drawn in this order, one of them per frame (and the progress line with it): a frame's work stays a few milliseconds. */
const TURNS: readonly Part[] = ['gates', 'prediction', 'loss', 'metric'];

function render(): void {
  frameRequested = false;
  lastRender = performance.now();
  if (gateView.dirty) dirty.add('gates');
  if (dirty.size === 0) return;
  demo.frames++;
  const part = TURNS.find((p) => dirty.has(p));
  if (part === 'gates') {
    gateView.draw();
    if (!gateView.dirty) dirty.delete('gates'); // a new layout is drawn in the next frame
  } else if (part !== undefined) {
    dirty.delete(part);
    if (part === 'prediction') drawPrediction();
    else if (part === 'loss') drawLoss();
    else drawMetric();
  }
  if (dirty.delete('status')) drawProgress();
  if (dirty.size > 0) request(true);
}

function drawLoss(): void {
  const h = demo.history;
  const epochs = h.map((l) => l.epoch);
  lossChart.set([
    { name: 'training', color: '#4c78a8', x: epochs, y: h.map((l) => l.loss) },
    { name: 'validation', color: '#f58518', x: epochs, y: h.map((l) => l.valLoss ?? NaN) },
  ]);
  lossChart.draw();
}

function drawMetric(): void {
  const { name, values } = demo.metric;
  // the metric's epochs are the history's last ones (a loaded file may hold the metric for fewer)
  const first = (demo.history.at(-1)?.epoch ?? values.length) - values.length + 1;
  const x = values.map((_, k) => first + k);
  if (name === 'accuracy') {
    metricChart.setTitle('Accuracy on the validation sequences');
    metricChart.set([{ name: 'validation accuracy', color: '#54a24b', x, y: values }], { yInclude: [0, 1], reference: { y: 1 / SYMBOLS.length, label: 'chance (1 in 4)' }, log: false });
  } else {
    metricChart.setTitle('MASE on the validation windows (below 1 beats repeating the last value)');
    metricChart.set([{ name: 'validation MASE', color: '#54a24b', x, y: values }], { yInclude: [0], reference: { y: 1, label: 'naive: repeat the last value' }, log: false });
  }
  metricChart.draw();
}

function drawPrediction(): void {
  const g = demo.gates;
  const fig = $('prediction');
  if (g === null) {
    fig.hidden = true;
    return;
  }
  fig.hidden = false;
  const width = predictionChart.width;
  const strip = $<HTMLCanvasElement>('prediction-canvas');
  const when = g.epoch === 0 ? 'before training' : `after epoch ${g.epoch}`;
  if (g.task === 'symbols') {
    $('prediction-title').textContent = `The symbol two steps back on the held-out sequence (${when})`;
    $('prediction-legend').replaceChildren();
    predictionChart.root.hidden = true;
    strip.hidden = false;
    const letter = (id: number) => SYMBOLS[id] ?? '?';
    drawSymbolStrip(strip, width, g.labels, g.targets.map(letter), g.prediction.map(letter));
  } else {
    $('prediction-title').textContent = `Next value on the held-out window: target and prediction (${when})`;
    strip.hidden = true;
    fitCanvas(strip, 1, 1);
    predictionChart.root.hidden = false;
    const steps = g.targets.map((_, t) => t);
    predictionChart.set([
      { name: 'target', color: '#222222', x: steps, y: g.targets },
      { name: 'prediction', color: '#f58518', x: steps, y: g.prediction },
    ]);
    predictionChart.draw();
  }
}

function drawProgress(): void {
  const b = demo.batch;
  const parts: string[] = [];
  if (demo.training && b !== null) {
    parts.push(`epoch ${b.epoch} of ${demo.config?.epochs ?? '?'}, batch ${b.batch} of ${b.batches}`, `loss ${b.loss.toFixed(4)}`, `learning rate ${b.lr}`);
    if (demo.paused) parts.unshift('paused');
  }
  const last = demo.history.at(-1);
  const m = demo.metric.values.at(-1);
  if (!demo.training && last !== undefined) parts.push(`epoch ${last.epoch}: loss ${last.loss.toFixed(4)}${last.valLoss !== undefined ? `, validation ${last.valLoss.toFixed(4)}` : ''}`);
  if (m !== undefined) parts.push(demo.metric.name === 'accuracy' ? `validation accuracy ${(100 * m).toFixed(1)} %` : `validation MASE ${m.toFixed(3)}`);
  $('progress').textContent = parts.join(' · ');
}

// Widths come from here, so drawing never has to ask the layout (which would force one mid-frame).
const resized = new ResizeObserver((entries) => {
  for (const e of entries) {
    const w = e.contentRect.width;
    if (e.target.id === 'loss') lossChart.width = w;
    else if (e.target.id === 'metric') metricChart.width = w;
    else if (e.target.id === 'prediction') predictionChart.width = w;
    else if (e.target.id === 'gates') gateView.resize(w);
  }
  invalidate('loss', 'metric', 'prediction', 'gates');
});
for (const id of ['loss', 'metric', 'prediction', 'gates']) resized.observe($(id));

// ------------------------------------------------------------------------------------ controls

function status(text: string): void {
  $('status').textContent = text;
}

function syncButtons(): void {
  const t = demo.training;
  $<HTMLButtonElement>('train').disabled = t;
  $<HTMLButtonElement>('continue').disabled = t || !demo.canContinue;
  $<HTMLButtonElement>('pause').disabled = !t;
  $<HTMLButtonElement>('stop').disabled = !t;
  $<HTMLButtonElement>('save').disabled = t || demo.config === null;
  $<HTMLInputElement>('file').disabled = t;
  const pause = $<HTMLButtonElement>('pause');
  pause.textContent = demo.paused ? 'Resume' : 'Pause';
  pause.setAttribute('aria-pressed', String(demo.paused));
}

/** The form's settings, or null after naming the first invalid field (and focusing it). */
function readConfig(): RunConfig | null {
  const fields: [string, string][] = [
    ['hidden', 'hidden units must be a whole number from 1 to 64'],
    ['lr', 'the learning rate must be a number from 0.0001 to 1'],
    ['epochs', 'epochs must be a whole number from 1 to 2000'],
    ['seed', 'the seed must be a whole number from 0 to 1000000'],
  ];
  for (const [id, rule] of fields) {
    const input = $<HTMLInputElement>(id);
    if (!input.checkValidity() || input.value.trim() === '') {
      status(`${rule}; received '${input.value}'.`);
      input.focus();
      return null;
    }
  }
  const threads = $<HTMLSelectElement>('threads').value;
  return {
    task: $<HTMLSelectElement>('task').value as TaskName,
    hidden: Number($<HTMLInputElement>('hidden').value),
    lr: Number($<HTMLInputElement>('lr').value),
    epochs: Number($<HTMLInputElement>('epochs').value),
    seed: Number($<HTMLInputElement>('seed').value),
    threads: threads === 'auto' ? 'auto' : Number(threads),
  };
}

function start(resume: boolean): void {
  const config = readConfig();
  if (config === null) return;
  demo.training = true;
  demo.paused = false;
  demo.runs++;
  demo.pauses = [];
  demo.lastDone = null;
  demo.lastError = '';
  demo.batch = null;
  if (!resume) {
    demo.history = [];
    demo.metric = { name: TASKS[config.task].metric === 'accuracy' ? 'accuracy' : 'MASE', values: [] };
    demo.gates = null;
    demo.loaded = null;
    gateView.clear();
  }
  syncButtons();
  send({ type: 'start', config, resume });
  status(resume ? `continuing for ${config.epochs} more epochs…` : 'training…');
  invalidate('loss', 'metric', 'prediction', 'status');
}

$('controls').addEventListener('submit', (e) => {
  e.preventDefault();
  if (!demo.training) start(false);
});
$('continue').addEventListener('click', () => start(true));
$('stop').addEventListener('click', () => {
  send({ type: 'stop', sentAt: clock() });
  status('stopping…');
});
$('pause').addEventListener('click', () => {
  send({ type: demo.paused ? 'resume' : 'pause' });
});
$('lr').addEventListener('change', () => {
  const input = $<HTMLInputElement>('lr');
  if (!demo.training) return;
  if (!input.checkValidity()) {
    status(`the learning rate must be a number from 0.0001 to 1; received '${input.value}'. Training goes on with ${demo.batch?.lr ?? 'the old one'}.`);
    return;
  }
  send({ type: 'lr', lr: Number(input.value) });
  status(`learning rate ${input.value} from the next batch`);
});
$('save').addEventListener('click', () => send({ type: 'export' }));

async function loadFile(file: File): Promise<void> {
  if (demo.training) {
    status('stop training before loading a model.');
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  status(`loading ${file.name} (${bytes.length} bytes)…`);
  send({ type: 'load', bytes, name: file.name, task: $<HTMLSelectElement>('task').value as TaskName }, [bytes.buffer]);
}
$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  const f = input.files?.[0];
  if (f) void loadFile(f);
  input.value = ''; // choosing the same file again loads it again
});
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer?.files?.[0];
  if (f) void loadFile(f);
});

// ------------------------------------------------------------------------------------ the worker

function showInfo(): void {
  const plan = demo.threads;
  let threads = '';
  if (plan !== null) {
    const probe = plan.probe === null ? '' : ` (${Object.entries(plan.probe).map(([k, ms]) => `${k} thread${k === '1' ? '' : 's'}: ${ms.toFixed(2)} ms per batch`).join(', ')})`;
    threads = ` · training on ${plan.threads} thread${plan.threads === 1 ? '' : 's'}: ${plan.reason}${probe}`;
  }
  $('kernel').textContent = `kernel: ${demo.kernel} · cores: ${demo.cores}${demo.crossOriginIsolated ? ' · cross-origin isolated' : ''}${threads}`;
}

function setForm(c: Omit<RunConfig, 'threads'>): void {
  $<HTMLSelectElement>('task').value = c.task;
  $<HTMLInputElement>('hidden').value = String(c.hidden);
  $<HTMLInputElement>('lr').value = String(c.lr);
  $<HTMLInputElement>('epochs').value = String(c.epochs);
  $<HTMLInputElement>('seed').value = String(c.seed);
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'info': {
      demo.kernel = m.kernel === 'wasm' ? `wasm (${m.variant})` : m.kernel;
      demo.cores = m.cores;
      demo.crossOriginIsolated = m.crossOriginIsolated;
      const select = $<HTMLSelectElement>('threads');
      if (m.crossOriginIsolated && m.cores > 1) {
        select.replaceChildren(new Option('auto', 'auto'), ...Array.from({ length: m.cores }, (_, k) => new Option(String(k + 1), String(k + 1))));
      } else {
        select.replaceChildren(new Option(m.crossOriginIsolated ? '1 (one core)' : '1 (page not cross-origin isolated)', '1'));
        select.disabled = true;
      }
      showInfo();
      break;
    }
    case 'threads':
      demo.threads = m.plan;
      showInfo();
      break;
    case 'model':
      demo.config = m.config;
      demo.lastSummary = m.summary;
      $('summary').textContent = m.summary;
      break;
    case 'progress':
      if (m.batch !== null) demo.batch = m.batch;
      demo.history.push(...m.epochs);
      demo.metric.values.push(...m.metrics);
      invalidate('status', ...(m.epochs.length > 0 ? (['loss', 'metric'] as const) : []));
      break;
    case 'paused':
      demo.paused = m.paused;
      demo.pauses.push({ paused: m.paused, batchesDone: m.batchesDone });
      if (demo.batch !== null) demo.batch.batchesDone = m.batchesDone;
      status(m.paused ? 'paused: press Resume to go on, or Stop' : 'training…');
      syncButtons();
      invalidate('status');
      break;
    case 'gates':
      demo.gates = m;
      demo.gateUpdates++;
      gateView.set({ values: m.values, hidden: m.hidden, steps: m.steps, labels: m.labels, epoch: m.epoch } satisfies GateFrame);
      $('gates-title').textContent = `Inside the cell on the held-out window (${m.epoch === 0 ? 'before training' : `after epoch ${m.epoch}`})`;
      invalidate('gates', 'prediction');
      break;
    case 'done': {
      demo.training = false;
      demo.paused = false;
      demo.lastDone = m;
      demo.canContinue = true;
      if (demo.config !== null) demo.config = { ...demo.config, epochs: demo.history.at(-1)?.epoch ?? demo.config.epochs };
      const s = m.stoppedAt;
      status(m.reason === 'stopped' && s !== null
        ? `stopped in epoch ${s.epoch} after batch ${s.batch} of ${s.batches} (${m.batchesAfterStop ?? 0} batch${m.batchesAfterStop === 1 ? '' : 'es'} finished after Stop was pressed)`
        : `done: ${m.epochs} epoch${m.epochs === 1 ? '' : 's'}`);
      syncButtons();
      invalidate('status');
      break;
    }
    case 'loaded': {
      demo.loaded = m;
      demo.config = m.config;
      demo.canContinue = m.canResume;
      demo.history = m.history.slice();
      demo.metric = { name: m.metric?.name ?? (m.task !== null && TASKS[m.task].metric === 'accuracy' ? 'accuracy' : 'MASE'), values: m.metric?.values.slice() ?? [] };
      demo.gates = null;
      demo.batch = null;
      demo.lastDone = null;
      demo.lastSummary = m.summary;
      $('summary').textContent = m.summary;
      setForm(m.config);
      gateView.clear();
      gateView.follow(null);
      const trained = m.history.length > 0 ? `${m.history.at(-1)!.epoch} epoch${m.history.at(-1)!.epoch === 1 ? '' : 's'} trained, history restored` : 'no training history in the file';
      status(m.task !== null
        ? `loaded ${m.name}: ${TASKS[m.task].title}, ${m.config.hidden} hidden units, ${trained}`
        : `loaded ${m.name}: ${m.config.hidden} hidden units, ${trained}; no task here fits it`);
      $('progress').textContent = m.notes.length > 0 ? `Note: ${m.notes.join('; ')}.` : '';
      syncButtons();
      invalidate('loss', 'metric', 'prediction');
      break;
    }
    case 'saved': {
      demo.exported = m.bytes;
      const url = URL.createObjectURL(new Blob([m.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      const a = $<HTMLAnchorElement>('download');
      a.href = url;
      a.download = m.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      status(`saved ${m.name} (${m.bytes.length} bytes)`);
      break;
    }
    case 'error':
      demo.lastError = m.message;
      if (m.during === 'start') {
        demo.training = false;
        demo.paused = false;
      }
      status(`error: ${m.message}`);
      syncButtons();
      break;
  }
};

syncButtons();
const co2 = (await (await fetch(new URL('./co2.json', import.meta.url))).json()) as number[];
// the worker shows the untrained model of the form's settings at once (its gates before training)
const first = readConfig();
send({ type: 'init', co2, preview: first });
