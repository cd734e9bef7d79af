// The speech page's Web Worker: loads the WebAssembly kernels and the shipped model, keeps the
// last 10 s of 16 kHz audio, computes the new log-mel frames of every block for the live
// spectrogram, and every half second (and once more at the end) recognises the phones in the
// window with the same library code as `longshort speech transcribe`.

import {
  getKernels, loadWasmKernelsFrom, modelFromBytes, LogMel, recognize, resample, speechConfigFromExtra,
  type Sequential, type SpeechExtra, type TimedPhone,
} from 'longshort';

export type ToSpeechWorker =
  | { type: 'start'; sampleRate: number }
  | { type: 'audio'; samples: Float32Array }
  | { type: 'stop'; beamWidth: number }
  | { type: 'decoder'; beamWidth: number };

export type FromSpeechWorker =
  | { type: 'ready'; kernel: string; parameters: number; stack: number }
  | { type: 'frames'; logmel: Float32Array; nMels: number; frame: number }
  | { type: 'phones'; phones: string[]; timed: TimedPhone[] | null; offset: number; final: boolean; seconds: number; ms: number }
  | { type: 'error'; message: string };

const post = (m: FromSpeechWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

const WINDOW_SECONDS = 10;
const RECOGNISE_EVERY = 0.5; // seconds of new audio between recognitions

let model: Sequential | null = null;
let config: SpeechExtra | null = null;
let logmel: LogMel | null = null;
let inputRate = 16000;
let audio = new Float32Array(0); // the window, at the model's rate
let dropped = 0; // samples trimmed off the front of the window since start (a multiple of the hop)
let framesSent = 0; // absolute index of the next frame to send for display
let sinceRecognition = 0;
let beamWidth = 0;

async function init(): Promise<void> {
  try {
    await loadWasmKernelsFrom(new URL('../', self.location.href)); // registers the wasm kernels when the engine has SIMD
    const r = await fetch(new URL('speech.safetensors', self.location.href));
    if (!r.ok) throw new Error(`could not fetch the model (${r.status} ${r.statusText})`);
    const file = modelFromBytes(new Uint8Array(await r.arrayBuffer()));
    model = file.model;
    config = speechConfigFromExtra(file.extra);
    logmel = new LogMel(config.logmel);
    const parameters = model.params().reduce((s, p) => s + p.value.length, 0);
    post({ type: 'ready', kernel: getKernels().name, parameters, stack: config.stack });
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
  }
}

function append(samples: Float32Array): void {
  const sr = config!.logmel.sampleRate;
  // an AudioContext that would not run at 16 kHz: resample block by block (the sinc loses a
  // little accuracy at the block joins; Chromium and Firefox do run at 16 kHz)
  const add = inputRate === sr ? samples : resample(samples, inputRate, sr);
  const next = new Float32Array(audio.length + add.length);
  next.set(audio);
  next.set(add, audio.length);
  audio = next;
  // keep the last WINDOW_SECONDS, trimming whole hops so frame boundaries stay put
  const hop = config!.logmel.hopLength;
  const excess = audio.length - WINDOW_SECONDS * sr;
  if (excess > 0) {
    const cut = Math.ceil(excess / hop) * hop;
    audio = audio.slice(cut);
    dropped += cut;
  }
}

function sendFrames(): void {
  const lm = logmel!;
  const first = dropped / config!.logmel.hopLength; // absolute index of the window's frame 0
  const from = Math.max(0, framesSent - first);
  const frames = lm.compute(audio, from);
  const n = frames.length / config!.logmel.nMels;
  if (n === 0) return;
  post({ type: 'frames', logmel: frames, nMels: config!.logmel.nMels, frame: first + from }, [frames.buffer]);
  framesSent = first + from + n;
}

function recogniseWindow(final: boolean): void {
  if (audio.length < config!.logmel.winLength) return;
  const t0 = performance.now();
  const r = recognize(model!, config!, audio, { beamWidth });
  post({ type: 'phones', phones: r.phones, timed: r.timed, offset: dropped / config!.logmel.sampleRate, final, seconds: audio.length / config!.logmel.sampleRate, ms: performance.now() - t0 });
}

self.onmessage = (e: MessageEvent<ToSpeechWorker>) => {
  const m = e.data;
  if (model === null) {
    post({ type: 'error', message: `the model is not loaded yet; '${m.type}' ignored` });
    return;
  }
  try {
    if (m.type === 'start') {
      inputRate = m.sampleRate;
      audio = new Float32Array(0);
      dropped = 0;
      framesSent = 0;
      sinceRecognition = 0;
    } else if (m.type === 'audio') {
      append(m.samples);
      sendFrames();
      sinceRecognition += m.samples.length / inputRate;
      if (sinceRecognition >= RECOGNISE_EVERY) {
        sinceRecognition = 0;
        recogniseWindow(false);
      }
    } else if (m.type === 'decoder') {
      beamWidth = m.beamWidth;
    } else if (m.type === 'stop') {
      beamWidth = m.beamWidth;
      recogniseWindow(true);
    }
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
};

void init();
