// The handwriting page: collects pen strokes from pointer events on a canvas (mouse, pen or touch;
// pressure ignored), sends the ink to the worker after every stroke and every few hundred
// milliseconds while a stroke goes on, and shows what the worker reads: the text, the beam's top
// alternatives, the dictionary reading, and the CTC alignment as a strip under the ink (one cell per
// frame at the ink it covers; coloured with a letter where that frame emitted it).

import type { Ink, InkPoint } from 'longshort';
import type { FromWorker, ToWorker } from './worker.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const inkCanvas = $<HTMLCanvasElement>('ink');
const strip = $<HTMLCanvasElement>('strip');
const ctx = inkCanvas.getContext('2d')!;
const sctx = strip.getContext('2d')!;
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);

/** State the browser tests read. */
const state = {
  ready: false,
  kernel: '',
  alphabet: '',
  text: '',
  lexiconText: '',
  alternatives: [] as { text: string; score: number }[],
  results: 0,
  lastRequest: 0,
  lastResult: 0,
  error: '',
};
(window as unknown as { __hw: typeof state }).__hw = state;

const strokes: Ink = [];
let current: InkPoint[] | null = null;
let nextId = 1;
let lastSent = 0;
let last: Extract<FromWorker, { type: 'result' }> | null = null;

function status(s: string): void {
  $('status').textContent = s;
}

function hue(label: number): string {
  return `hsl(${(label * 47) % 360}, 65%, 45%)`;
}

function toCanvas(e: PointerEvent): { x: number; y: number } {
  const r = inkCanvas.getBoundingClientRect();
  return { x: ((e.clientX - r.left) * inkCanvas.width) / r.width, y: ((e.clientY - r.top) * inkCanvas.height) / r.height };
}

function redraw(): void {
  ctx.clearRect(0, 0, inkCanvas.width, inkCanvas.height);
  ctx.strokeStyle = '#e3e8ee';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, inkCanvas.height * 0.68);
  ctx.lineTo(inkCanvas.width, inkCanvas.height * 0.68);
  ctx.stroke();
  ctx.strokeStyle = '#1b1b1b';
  ctx.lineWidth = 3;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const s of strokes) {
    ctx.beginPath();
    s.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
    if (s.length === 1) ctx.lineTo(s[0].x + 0.5, s[0].y);
    ctx.stroke();
  }
  drawAlignment();
}

/** The strip: frame cells at their ink's x; emitting frames coloured, with the letter, and marked on the ink. */
function drawAlignment(): void {
  sctx.clearRect(0, 0, strip.width, strip.height);
  if (last === null || strokes.length === 0) return;
  const { bestPath, framePositions } = last;
  const T = bestPath.length;
  sctx.font = '15px Georgia, serif';
  sctx.textAlign = 'center';
  let prev = 0;
  for (let t = 0; t < T; t++) {
    const x = framePositions[2 * t];
    const k = bestPath[t];
    const emits = k !== 0 && k !== prev; // CTC: a label starts where it differs from the frame before
    sctx.fillStyle = k === 0 ? '#d5d9de' : hue(k);
    sctx.fillRect(x - 1.5, 36, 3, 14);
    if (emits) {
      const ch = state.alphabet[k - 1] ?? '?';
      sctx.fillStyle = hue(k);
      sctx.fillText(ch === ' ' ? '␣' : ch, x, 24);
      ctx.fillStyle = hue(k);
      ctx.beginPath();
      ctx.arc(x, framePositions[2 * t + 1], 4, 0, 2 * Math.PI);
      ctx.fill();
    }
    prev = k;
  }
}

function requestRead(): void {
  const ink: Ink = strokes.map((s) => s.slice()); // the stroke being drawn is in strokes already
  if (ink.length === 0 || !state.ready) return;
  state.lastRequest = nextId;
  lastSent = performance.now();
  send({ type: 'read', id: nextId++, ink, beam: 8, top: 5 });
}

function show(): void {
  const useLexicon = $<HTMLInputElement>('lexicon').checked;
  const best = useLexicon && state.lexiconText !== '' ? state.lexiconText : state.text;
  $('text').textContent = best;
  const ol = $('alternatives');
  ol.replaceChildren(
    ...state.alternatives.map((a) => {
      const li = document.createElement('li');
      li.textContent = a.text === '' ? '(nothing)' : a.text;
      const s = document.createElement('span');
      s.textContent = a.score.toFixed(2);
      li.append(s);
      return li;
    }),
  );
  $('readings').textContent = `${state.text || '—'} · ${state.lexiconText || '(no dictionary word fits)'}`;
}

inkCanvas.addEventListener('pointerdown', (e) => {
  e.preventDefault();
  inkCanvas.setPointerCapture(e.pointerId);
  const p = toCanvas(e);
  current = [{ x: p.x, y: p.y, t: e.timeStamp }];
  strokes.push(current);
  redraw();
});

inkCanvas.addEventListener('pointermove', (e) => {
  if (current === null) return;
  const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
  for (const ev of events.length > 0 ? events : [e]) {
    const p = toCanvas(ev);
    current.push({ x: p.x, y: p.y, t: ev.timeStamp });
  }
  redraw();
  if (performance.now() - lastSent > 300) requestRead();
});

const endStroke = (e: PointerEvent): void => {
  if (current === null) return;
  if (inkCanvas.hasPointerCapture(e.pointerId)) inkCanvas.releasePointerCapture(e.pointerId);
  current = null;
  requestRead();
};
inkCanvas.addEventListener('pointerup', endStroke);
inkCanvas.addEventListener('pointercancel', endStroke);

$('clear').addEventListener('click', () => {
  strokes.length = 0;
  current = null;
  last = null;
  Object.assign(state, { text: '', lexiconText: '', alternatives: [] });
  redraw();
  show();
});
$('lexicon').addEventListener('change', show);

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  if (m.type === 'ready') {
    Object.assign(state, { ready: true, kernel: m.kernel, alphabet: m.alphabet });
    status(`ready: ${m.parameters.toLocaleString('en')} parameters, kernel ${m.kernel}, ${m.lexiconWords.toLocaleString('en')}-word dictionary${m.lmOrder > 0 ? `, character ${m.lmOrder}-gram model` : ''}`);
    if (strokes.length > 0) requestRead();
  } else if (m.type === 'result') {
    last = m;
    Object.assign(state, { text: m.text, lexiconText: m.lexiconText, alternatives: m.alternatives, lastResult: m.id });
    state.results++;
    status(`read in ${m.ms.toFixed(0)} ms (${m.bestPath.length} frames)`);
    redraw();
    show();
  } else {
    state.error = m.message;
    status(`error: ${m.message}`);
    console.error(`[handwriting worker] ${m.message}`);
  }
};

redraw();
