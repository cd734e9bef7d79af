// The demo page: pick a sequence task, train a small LSTM live in a Web Worker, watch the loss
// fall and the gates work (a Vega-Lite heatmap of i, f, g, o and the cell state c over the time
// steps of one held-out window), save the model, or drop a longshort model file to run it.

import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { lossSpec, heatmapSpec, type HeatmapRow } from '../../packages/longshort-cli/src/plot/charts.js';
import type { EpochLog } from 'longshort';
import type { FromWorker, ToWorker } from './worker.js';
import type { TaskName } from './tasks.js';
import { SYMBOLS } from './tasks.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

/** State the browser tests read. */
const demo = {
  history: [] as EpochLog[],
  gateUpdates: 0,
  lastSummary: '',
  lastError: '',
  kernel: '',
  training: false,
  exported: null as Uint8Array | null,
};
(window as unknown as { __demo: typeof demo }).__demo = demo;

const views = new Map<string, vega.View>();
async function draw(id: string, spec: TopLevelSpec): Promise<void> {
  views.get(id)?.finalize();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'canvas', container: $(id), hover: true });
  views.set(id, view);
  await view.runAsync();
}

function status(text: string): void {
  $('status').textContent = text;
}

function taskName(): TaskName {
  return ($<HTMLSelectElement>('task').value as TaskName) ?? 'sine';
}

async function showGates(m: Extract<FromWorker, { type: 'gates' }>): Promise<void> {
  const rows: HeatmapRow[] = [];
  const order: ['i' | 'f' | 'g' | 'o' | 'c', string][] = [['i', 'input gate'], ['f', 'forget gate'], ['o', 'output gate'], ['g', 'candidate g'], ['c', 'cell state c']];
  for (const [k] of order) m.gates[k].forEach((values, j) => rows.push({ label: `${k}${j}`, values, group: k }));
  await draw('gates', heatmapSpec({ rows, title: `Gates and cell state on a held-out window (epoch ${m.epoch})`, cellWidth: 14, cellHeight: 7 }));
  const isClass = taskName() === 'symbols';
  const values = m.targets.flatMap((y, t) => [
    { step: t, value: y, series: 'target' },
    { step: t, value: m.prediction[t], series: 'prediction' },
  ]);
  await draw('prediction', {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: isClass ? `Symbol two steps back (input: ${m.labels.join(' ')})` : 'Next value: target and prediction',
    width: 14 * m.targets.length,
    height: 120,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'time step' },
      y: isClass
        ? { field: 'value', type: 'quantitative', title: 'symbol', scale: { domain: [0, SYMBOLS.length - 1] }, axis: { values: [0, 1, 2, 3], labelExpr: `['A','B','C','D'][datum.value]` } }
        : { field: 'value', type: 'quantitative', title: null },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'top' } },
    },
  } as TopLevelSpec);
  demo.gateUpdates++;
}

worker.onmessage = async (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'info':
      demo.kernel = m.kernel;
      $('kernel').textContent = `kernel: ${m.kernel}${m.kernel === 'wasm' ? ` (${m.variant})` : ''} · threads: ${m.threads}${m.crossOriginIsolated ? ' · cross-origin isolated' : ''}`;
      break;
    case 'progress':
      demo.history.push(m.log);
      status(`epoch ${m.log.epoch}: loss ${m.log.loss.toFixed(4)}${m.log.valLoss !== undefined ? `, validation ${m.log.valLoss.toFixed(4)}` : ''}`);
      await draw('loss', lossSpec(demo.history, { title: 'Loss', width: 420, height: 200 }));
      break;
    case 'gates':
      await showGates(m);
      break;
    case 'model':
      demo.lastSummary = m.summary;
      $('summary').textContent = m.summary;
      if (m.bytes) {
        demo.exported = m.bytes;
        const url = URL.createObjectURL(new Blob([m.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
        const a = $<HTMLAnchorElement>('download');
        a.href = url;
        a.download = `longshort-${taskName()}.safetensors`;
        a.hidden = false;
        a.click();
      }
      break;
    case 'done':
      demo.training = false;
      $<HTMLButtonElement>('train').disabled = false;
      status(`${$('status').textContent} — done after ${m.epochs} epochs`);
      break;
    case 'error':
      demo.lastError = m.message;
      demo.training = false;
      $<HTMLButtonElement>('train').disabled = false;
      status(`error: ${m.message}`);
      break;
  }
};

$('train').addEventListener('click', () => {
  demo.history = [];
  demo.training = true;
  $<HTMLButtonElement>('train').disabled = true;
  send({
    type: 'start',
    task: taskName(),
    hidden: Number($<HTMLInputElement>('hidden').value),
    lr: Number($<HTMLInputElement>('lr').value),
    epochs: Number($<HTMLInputElement>('epochs').value),
    seed: Number($<HTMLInputElement>('seed').value),
  });
  status('training…');
});
$('stop').addEventListener('click', () => send({ type: 'stop' }));
$('save').addEventListener('click', () => send({ type: 'export' }));

async function loadFile(file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  status(`loading ${file.name} (${bytes.length} bytes)…`);
  send({ type: 'load', bytes, task: taskName() }, [bytes.buffer]);
}
$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) void loadFile(f);
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

const co2 = (await (await fetch(new URL('./co2.json', import.meta.url))).json()) as number[];
send({ type: 'init', co2 });
