// The handwriting page's Web Worker: loads the WebAssembly kernels, the shipped model
// (handwriting.safetensors, with its alphabet and feature settings in the file's extra) and the
// lexicon (and builds the character language model from it, ~1 s), then reads every ink the page
// sends — free beam search fused with the character model, with the top alternatives,
// lexicon-constrained beam search, and the best path (which frame emitted which letter) for the
// alignment strip. InkRecognition runs here so the page keeps drawing while the LSTM reads.

import {
  modelFromBytes, handwritingConfigFromExtra, checkHandwritingModel, handwritingLexicon, handwritingCharLM, parseWordList, recogniseInk, getKernels, loadWasmKernelsFrom,
  type Ink, type Sequential, type HandwritingConfig, type Lexicon, type NgramLM,
} from 'longshort';

export type ToWorker = { type: 'read'; id: number; ink: Ink; beam: number; top: number };

export type FromWorker =
  | { type: 'ready'; kernel: string; alphabet: string; parameters: number; lexiconWords: number; lmOrder: number }
  | {
      type: 'result';
      id: number;
      text: string;
      lexiconText: string;
      alternatives: { text: string; score: number }[];
      bestPath: number[];
      framePositions: number[];
      ms: number;
    }
  | { type: 'error'; message: string };

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

let model: Sequential | null = null;
let config: HandwritingConfig | null = null;
let lexicon: Lexicon | null = null;
let lm: NgramLM | null = null;
const queue: ToWorker[] = [];

async function init(): Promise<void> {
  try {
    // WebAssembly SIMD kernels when the engine has them (the reference kernels otherwise)
    await loadWasmKernelsFrom(self.location.href).catch(() => null);
    const [modelBytes, words] = await Promise.all([
      fetch(new URL('handwriting.safetensors', self.location.href)).then(async (r) => {
        if (!r.ok) throw new Error(`handwriting.safetensors: HTTP ${r.status}`);
        return new Uint8Array(await r.arrayBuffer());
      }),
      fetch(new URL('lexicon.txt', self.location.href)).then(async (r) => (r.ok ? parseWordList(await r.text()) : [])),
    ]);
    const file = modelFromBytes(modelBytes);
    config = handwritingConfigFromExtra(file.extra);
    checkHandwritingModel(file.model, config);
    model = file.model;
    lexicon = words.length > 0 ? handwritingLexicon(words, config.alphabet) : null;
    lm = words.length > 0 ? handwritingCharLM(words, config.alphabet) : null;
    post({
      type: 'ready',
      kernel: getKernels().name,
      alphabet: config.alphabet,
      parameters: model.params().reduce((s, p) => s + p.value.length, 0),
      lexiconWords: words.length,
      lmOrder: lm?.order ?? 0,
    });
    drain();
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
  }
}

/** Only the newest request matters: the page sends one per stroke, and a reader that falls behind skips. */
function drain(): void {
  if (model === null || config === null) return;
  const m = queue.pop();
  queue.length = 0;
  if (m === undefined) return;
  try {
    const t0 = performance.now();
    const free = recogniseInk(model, config, m.ink, { beamWidth: m.beam, topPaths: m.top, lm: m.beam > 1 ? (lm ?? undefined) : undefined, lexicon: lexicon ?? undefined });
    const lex = free.lexiconText ?? '';
    post({
      type: 'result',
      id: m.id,
      text: free.text,
      lexiconText: lex,
      alternatives: free.alternatives,
      bestPath: Array.from(free.bestPath),
      framePositions: Array.from(free.framePositions),
      ms: performance.now() - t0,
    });
  } catch (e) {
    post({ type: 'error', message: `${(e as Error).message} ${(e as Error).stack ?? ''}` });
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  queue.push(e.data);
  // let further messages that are already waiting arrive first, then read the newest
  setTimeout(drain, 0);
};

void init();
