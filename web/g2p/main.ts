// The grapheme-to-phoneme page: loads the shipped G2P model (model.safetensors, copied next to this
// page by scripts/build-web.mjs from packages/longshort-cli/models/g2p-cmudict.safetensors), pronounces what is typed with the decoder the model
// file records (beam search, and shallow fusion with its embedded phoneme n-gram model), and draws
// the CTC alignment: per input frame the letter, the phoneme its best alignment emits, and a heat
// map of every class's probability. Runs on the main thread: one word is a few milliseconds.
// Left out: the lexicon candidates of `longshort g2p say` (they need the dictionary, which the page
// does not download).

import {
  loadWasmKernelsFrom, modelFromBytes, vocabsFromExtra, pronounceWithAlignment, NgramLM,
  type G2PDecoderOptions, type Sequential,
} from 'longshort';

interface DecoderSpec {
  beamWidth: number;
  lmOrder: number;
  lmWeight: number;
  lengthBonus: number;
  lexiconBonus: number | null;
  lm?: unknown;
}

interface G2PPageState {
  ready: boolean;
  kernel: string;
  decoder: string;
  word: string;
  phonemes: string[];
  frames: { input: string; emit: string; prob: number }[];
  error: string | null;
}

const state: G2PPageState = { ready: false, kernel: '', decoder: '', word: '', phonemes: [], frames: [], error: null };
(window as unknown as { __g2p: G2PPageState }).__g2p = state;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const wordInput = $<HTMLInputElement>('word');
const greedyBox = $<HTMLInputElement>('greedy');

let model: Sequential;
let vocabs: ReturnType<typeof vocabsFromExtra>;
let fused: G2PDecoderOptions = { beamWidth: 1 };

async function start(): Promise<void> {
  const loaded = await loadWasmKernelsFrom(new URL('../', location.href).href).catch(() => null);
  state.kernel = loaded ? 'wasm' : 'ref';
  const res = await fetch('model.safetensors');
  if (!res.ok) throw new Error(`model.safetensors: HTTP ${res.status}`);
  const file = modelFromBytes(new Uint8Array(await res.arrayBuffer()));
  model = file.model;
  vocabs = vocabsFromExtra(file.extra);
  const spec = (file.extra as { g2pDecoder?: DecoderSpec }).g2pDecoder;
  if (spec !== undefined) {
    const lm = spec.lm !== undefined ? NgramLM.fromJSON(spec.lm) : null;
    fused = { beamWidth: spec.beamWidth, lm, lmWeight: lm ? spec.lmWeight : 0, lengthBonus: spec.lengthBonus };
    state.decoder = `beam ${spec.beamWidth}${lm ? ` + ${lm.order}-gram phoneme LM (α ${spec.lmWeight}, β ${spec.lengthBonus})` : ''}`;
  } else {
    state.decoder = 'best path';
  }
  const params = model.params().reduce((s, p) => s + p.value.length, 0);
  $('info').textContent = `${model.summary()}\n${params.toLocaleString('en')} parameters; input: each letter × ${vocabs.repeat}` +
    `${vocabs.pad > 0 ? ` + ${vocabs.pad} end frames` : ''}\ndecoder: ${state.decoder}\nkernels: ${state.kernel}`;
  state.ready = true;
  $('status').textContent = 'ready';
  update();
}

function update(): void {
  if (!state.ready) return;
  const w = wordInput.value.trim();
  if (w === '') return;
  try {
    const t0 = performance.now();
    const r = pronounceWithAlignment(model, w, vocabs, greedyBox.checked ? { beamWidth: 1 } : fused);
    state.word = r.word;
    state.phonemes = r.phonemes;
    state.frames = r.frames.map((f) => ({ input: f.input, emit: f.emit, prob: f.prob }));
    state.error = null;
    $('phonemes').textContent = r.phonemes.join(' ');
    drawTable(r.frames);
    drawHeat(r.logProbs, r.classes, r.frames);
    $('status').textContent = `${r.word}: ${(performance.now() - t0).toFixed(0)} ms (${greedyBox.checked ? 'best path' : state.decoder})`;
  } catch (e) {
    state.error = (e as Error).message;
    $('status').textContent = state.error;
  }
}

function drawTable(frames: { input: string; emit: string; prob: number; phonemeIndex: number }[]): void {
  const t = $('align');
  const row = (head: string, cells: (f: (typeof frames)[number], i: number) => HTMLTableCellElement): HTMLTableRowElement => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.textContent = head;
    tr.append(th, ...frames.map(cells));
    return tr;
  };
  const cell = (text: string, cls = ''): HTMLTableCellElement => {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  };
  // a phoneme is "emitted" at the first frame of its run in the alignment
  const first = (i: number): boolean => frames[i].phonemeIndex >= 0 && (i === 0 || frames[i - 1].phonemeIndex !== frames[i].phonemeIndex);
  t.replaceChildren(
    row('letter', (f) => cell(f.input || '·')),
    row('emits', (f, i) => cell(f.emit || '·', f.emit === '' ? 'blank' : first(i) ? 'emit' : '')),
    row('p', (f) => cell(f.prob.toFixed(2))),
  );
}

function drawHeat(lp: Float64Array, C: number, frames: { phonemeIndex: number; emit: string }[]): void {
  const canvas = $<HTMLCanvasElement>('heat');
  const T = frames.length;
  const cw = Math.max(14, Math.min(40, Math.floor(560 / T)));
  const ch = 8;
  const left = 40;
  canvas.width = left + T * cw + 10;
  canvas.height = C * ch + 10;
  const g = canvas.getContext('2d')!;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.font = '8px DejaVu Sans Mono, monospace';
  g.fillStyle = '#555';
  for (let c = 0; c < C; c++) g.fillText(c === 0 ? 'blank' : vocabs.phonemes.token(c), 2, c * ch + ch);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < C; c++) {
      const p = Math.exp(lp[t * C + c]);
      const v = Math.round(255 * (1 - p));
      g.fillStyle = `rgb(${v},${v},255)`;
      g.fillRect(left + t * cw, c * ch, cw - 1, ch - 1);
    }
    const emitted = frames[t].emit === '' ? 0 : vocabs.phonemes.id(frames[t].emit);
    g.strokeStyle = '#d62728';
    g.lineWidth = 1.5;
    g.strokeRect(left + t * cw + 0.5, emitted * ch + 0.5, cw - 2, ch - 2);
  }
}

let timer: number | undefined;
wordInput.addEventListener('input', () => {
  clearTimeout(timer);
  timer = window.setTimeout(update, 80);
});
greedyBox.addEventListener('change', update);
Array.from(document.querySelectorAll<HTMLButtonElement>('#examples button')).forEach((b) => {
  b.addEventListener('click', () => {
    wordInput.value = b.dataset.word ?? '';
    update();
  });
});

start().catch((e: Error) => {
  state.error = e.message;
  $('status').textContent = `could not load the model: ${e.message}`;
});
