// The speech page: microphone → AudioWorklet (16 kHz blocks) → worker (features, model) → a
// scrolling log-mel spectrogram with the recognised phones under it. window.__speech exposes the
// state to the browser test (test/web/speech.test.ts).

import type { FromSpeechWorker, ToSpeechWorker } from './worker.js';
import type { TimedPhone } from 'longshort';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const startButton = $<HTMLButtonElement>('start');
const stopButton = $<HTMLButtonElement>('stop');
const decoder = $<HTMLSelectElement>('decoder');
const status = $<HTMLSpanElement>('status');
const spec = $<HTMLCanvasElement>('spectrogram');
const phonesCanvas = $<HTMLCanvasElement>('phones');
const transcript = $<HTMLParagraphElement>('transcript');

interface SpeechState {
  ready: boolean;
  kernel: string;
  recording: boolean;
  frames: number;
  phones: string[];
  final: string[] | null;
  recognitions: number;
  errors: string[];
}
const state: SpeechState = { ready: false, kernel: '', recording: false, frames: 0, phones: [], final: null, recognitions: 0, errors: [] };
(window as unknown as { __speech: SpeechState }).__speech = state;

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToSpeechWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

// ---------------------------------------------------------------------------------- spectrogram
let lastFrame = 0; // absolute index one past the newest frame
let timed: { list: TimedPhone[]; offset: number } | null = null;
let top = -Infinity; // the loudest log-mel cell so far; the colour scale spans 14 (≈ 60 dB) below it

// dark blue → teal → yellow (a viridis-like ramp), 256 entries
const LUT = (() => {
  const stops = [[20, 18, 60], [40, 90, 140], [32, 150, 130], [120, 200, 80], [250, 230, 40]];
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(x));
    const f = x - k;
    for (let c = 0; c < 3; c++) lut[3 * i + c] = stops[k][c] + f * (stops[k + 1][c] - stops[k][c]);
  }
  return lut;
})();

const PX = 2; // canvas pixels per 10 ms frame: 1000 px show the last 5 s

/** Scroll the spectrogram left by the new frames and paint them at the right edge (PX pixels per frame). */
function drawFrames(logmel: Float32Array, nMels: number): void {
  const g = spec.getContext('2d')!;
  const W = spec.width;
  const H = spec.height;
  const n = Math.min(W / PX, logmel.length / nMels);
  const first = logmel.length / nMels - n;
  for (let k = 0; k < logmel.length; k++) top = Math.max(top, logmel[k]);
  g.drawImage(spec, -n * PX, 0);
  const img = g.createImageData(n * PX, H);
  for (let k = 0; k < n * PX; k++) {
    for (let y = 0; y < H; y++) {
      const m = Math.floor(((H - 1 - y) * nMels) / H); // low bands at the bottom
      const v = (logmel[(first + Math.floor(k / PX)) * nMels + m] - (top - 14)) / 14;
      const i = Math.max(0, Math.min(255, Math.round(v * 255)));
      const p = 4 * (y * n * PX + k);
      img.data[p] = LUT[3 * i];
      img.data[p + 1] = LUT[3 * i + 1];
      img.data[p + 2] = LUT[3 * i + 2];
      img.data[p + 3] = 255;
    }
  }
  g.putImageData(img, W - n * PX, 0);
}

function drawPhones(): void {
  const g = phonesCanvas.getContext('2d')!;
  g.clearRect(0, 0, phonesCanvas.width, phonesCanvas.height);
  if (timed === null) return;
  g.font = '13px ui-monospace, monospace';
  g.textAlign = 'center';
  const firstFrame = lastFrame - phonesCanvas.width / PX; // absolute frame at the canvas's left edge
  timed.list.forEach((p, k) => {
    const frame = (timed!.offset + (p.start + p.end) / 2) * 100;
    const x = (frame - firstFrame) * PX;
    if (x < 0 || x > phonesCanvas.width) return;
    g.fillStyle = '#999';
    g.fillRect(x, 0, 1, 8);
    g.fillStyle = '#1d1d1f';
    g.fillText(p.phone, x, [20, 31, 42][k % 3]); // three rows so neighbours do not overlap
  });
}

// ------------------------------------------------------------------------------------- worker
worker.onmessage = (e: MessageEvent<FromSpeechWorker>) => {
  const m = e.data;
  if (m.type === 'ready') {
    state.ready = true;
    state.kernel = m.kernel;
    status.textContent = `model ready: ${m.parameters.toLocaleString('en')} parameters, kernel ${m.kernel}`;
    startButton.disabled = false;
  } else if (m.type === 'frames') {
    drawFrames(m.logmel, m.nMels);
    lastFrame = m.frame + m.logmel.length / m.nMels;
    state.frames = lastFrame;
    drawPhones();
  } else if (m.type === 'phones') {
    state.phones = m.phones;
    state.recognitions++;
    if (m.timed !== null) timed = { list: m.timed, offset: m.offset };
    transcript.textContent = m.phones.join(' ');
    if (m.final) {
      state.final = m.phones;
      status.textContent = `stopped; the last ${m.seconds.toFixed(1)} s recognised in ${m.ms.toFixed(0)} ms`;
    }
    drawPhones();
  } else if (m.type === 'error') {
    state.errors.push(m.message);
    status.textContent = `error: ${m.message}`;
  }
};

// --------------------------------------------------------------------------------- microphone
let stream: MediaStream | null = null;
let context: AudioContext | null = null;

startButton.disabled = true;
startButton.onclick = async () => {
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    context = new AudioContext({ sampleRate: 16000 });
    await context.audioWorklet.addModule(new URL('./recorder.js', import.meta.url));
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, 'recorder');
    node.port.onmessage = (e: MessageEvent<Float32Array>) => send({ type: 'audio', samples: e.data }, [e.data.buffer]);
    source.connect(node);
    node.connect(context.destination); // the worklet writes silence; connecting keeps it pulled
    spec.getContext('2d')!.clearRect(0, 0, spec.width, spec.height);
    top = -Infinity;
    timed = null;
    state.final = null;
    send({ type: 'decoder', beamWidth: Number(decoder.value) });
    send({ type: 'start', sampleRate: context.sampleRate });
    state.recording = true;
    startButton.disabled = true;
    stopButton.disabled = false;
    status.textContent = `listening at ${context.sampleRate} Hz…`;
  } catch (e) {
    state.errors.push((e as Error).message);
    status.textContent = `microphone: ${(e as Error).message}`;
  }
};

stopButton.onclick = async () => {
  stream?.getTracks().forEach((t) => t.stop());
  await context?.close();
  stream = null;
  context = null;
  state.recording = false;
  startButton.disabled = false;
  stopButton.disabled = true;
  send({ type: 'stop', beamWidth: Number(decoder.value) });
};

decoder.onchange = () => send({ type: 'decoder', beamWidth: Number(decoder.value) });
