// The character-level language model behind `longshort text train|generate`:
// Embedding(V, E) → LSTM(E, H, per-step outputs) → Dense(H, V) logits, trained with per-step
// softmax cross-entropy on the first 90% of a corpus; the last 10% is held out and scored in bits
// per character. Generation is stateful: the prompt goes through LSTM.step once, character by
// character, then each sampled character is fed back with one more step() — the prompt is never
// processed again, so a long generation costs O(length), not O(length²).
// Key: V = vocabulary (distinct characters), E = embedding size, H = hidden size, L = sequence length.
// Left out: word/BPE tokens, beam search, multi-layer sampling tricks (nucleus/top-p).

import { Tensor } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { Embedding } from '../nn/embedding.js';
import { LSTM, type LstmState } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Sequential } from '../nn/sequential.js';

/** Settings of a character-level language model and its training (`longshort text train`). */
export interface TextConfig {
  /** LSTM hidden size H. */
  hidden: number;
  /** Character embedding size E. */
  embedding: number;
  /** Characters per training sequence L. */
  seqLen: number;
  /** Training epochs. */
  epochs: number;
  /** Sequences per batch. */
  batchSize: number;
  /** Adam's learning rate. */
  lr: number;
  /** Seed of the weights and shuffling. */
  seed: number;
}

/** What a text model file keeps in its extra. */
export interface TextExtra {
  /** Always 'text'. */
  app: 'text';
  /** The characters, in id order. */
  vocab: string;
  /** The training settings. */
  config: TextConfig;
  /** Characters used for training (the first 90%) and held out (the rest). */
  trainChars: number;
  /** Characters held out (the last 10%). */
  heldOutChars: number;
}

/** Sorted distinct characters (UTF-16 code units are fine for the bundled ASCII text; surrogate pairs are kept whole). */
export function buildVocab(text: string): string[] {
  return [...new Set(Array.from(text))].sort();
}

/** The ids of the characters of `text` (index in `vocab`); characters not in it throw ConfigError. */
export function encode(text: string, vocab: readonly string[]): Int32Array {
  const index = new Map(vocab.map((c, i) => [c, i]));
  const chars = Array.from(text);
  const out = new Int32Array(chars.length);
  const unknown = new Set<string>();
  chars.forEach((c, k) => {
    const id = index.get(c);
    if (id === undefined) unknown.add(c);
    else out[k] = id;
  });
  if (unknown.size > 0) {
    throw new ConfigError(
      `[text] the characters ${[...unknown].slice(0, 10).map((c) => JSON.stringify(c)).join(', ')} are not in the model's vocabulary of ${vocab.length} characters. ` +
        'Hint: use only characters that occur in the training corpus.',
    );
  }
  return out;
}

/** Unigram entropy in bits per character: −Σ p(c) log2 p(c) over the character frequencies of `ids`. */
export function unigramEntropy(ids: ArrayLike<number>, V: number): number {
  const counts = new Float64Array(V);
  for (let k = 0; k < ids.length; k++) counts[ids[k]]++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / ids.length) * Math.log2(c / ids.length);
  return h;
}

/** Train / held-out split: the last 10% of the characters is held out. */
export function splitCorpus(ids: Int32Array): { train: Int32Array; heldOut: Int32Array } {
  const cut = Math.floor(ids.length * 0.9);
  return { train: ids.subarray(0, cut), heldOut: ids.subarray(cut) };
}

/** Non-overlapping sequences: x = ids[s, s+L), y = ids[s+1, s+L+1), as (N, L) tensors of ids. */
export function sequences(ids: Int32Array, L: number): { x: Tensor; y: Tensor } {
  const N = Math.floor((ids.length - 1) / L);
  if (N < 1) throw new ShapeError(`[text] the training part has ${ids.length} characters; --seq-len ${L} needs at least ${L + 1}. Hint: use a longer corpus or a smaller --seq-len.`);
  const x = new Float32Array(N * L);
  const y = new Float32Array(N * L);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < L; t++) {
      x[n * L + t] = ids[n * L + t];
      y[n * L + t] = ids[n * L + t + 1];
    }
  }
  return { x: new Tensor(x, [N, L]), y: new Tensor(y, [N, L]) };
}

/** A new model for a vocabulary of V characters: 'embed' Embedding(V, E) → 'lstm' LSTM(E, H, per-step outputs) → 'head' Dense(H, V) logits. */
export function buildTextModel(V: number, c: TextConfig): Sequential {
  return new Sequential(
    [
      ['embed', new Embedding({ numEmbeddings: V, embeddingDim: c.embedding, seed: c.seed })],
      ['lstm', new LSTM({ inputSize: c.embedding, hiddenSize: c.hidden, returnSequences: true, seed: c.seed + 1 })],
      ['head', new Dense({ inputSize: c.hidden, outputSize: V, seed: c.seed + 2 })],
    ],
    { seed: c.seed },
  );
}

function parts(model: Sequential): { embed: Embedding; lstm: LSTM; head: Dense } {
  const embed = model.get('embed');
  const lstm = model.get('lstm');
  const head = model.get('head');
  if (!(embed instanceof Embedding) || !(lstm instanceof LSTM) || !(head instanceof Dense)) {
    throw new ConfigError('[text] the model must be embed (Embedding) → lstm (LSTM) → head (Dense), as `longshort text train` writes it.');
  }
  return { embed, lstm, head };
}

/**
 * Bits per character of `ids[1:]` given the preceding characters, streaming the whole text through
 * the model in chunks with h and c carried over (so every character sees its full past).
 */
export function bitsPerChar(model: Sequential, ids: Int32Array, chunk = 256): number {
  const { embed, lstm, head } = parts(model);
  const V = head.outputSize;
  let h0: Tensor | undefined;
  let c0: Tensor | undefined;
  let nats = 0;
  let count = 0;
  for (let s = 0; s + 1 < ids.length; s += chunk) {
    const L = Math.min(chunk, ids.length - 1 - s);
    const x = new Tensor(Float32Array.from(ids.subarray(s, s + L)), [1, L]);
    const e = embed.call(x, { training: false });
    const r = lstm.forward(e, { h0, c0 });
    h0 = r.h;
    c0 = r.c;
    const logits = head.call(r.output, { training: false }); // (1, L, V)
    for (let t = 0; t < L; t++) {
      const row = t * V;
      let max = -Infinity;
      for (let v = 0; v < V; v++) max = Math.max(max, logits.data[row + v]);
      let sum = 0;
      for (let v = 0; v < V; v++) sum += Math.exp(logits.data[row + v] - max);
      nats += Math.log(sum) + max - logits.data[row + ids[s + t + 1]];
      count++;
    }
  }
  return nats / count / Math.LN2;
}

/** How generate() samples. */
export interface SampleOptions {
  /** Characters to generate after the prompt. */
  length: number;
  /** Softmax temperature, > 0: lower is more conservative. */
  temperature: number;
  /** Keep the k most likely characters (0 = all). */
  topK: number;
  /** Seed of the sampling. */
  seed: number;
}

/**
 * Generates `length` characters after `prompt`. The prompt is fed through LSTM.step one character at
 * a time, once; then every new character costs one step().
 */
export function generate(model: Sequential, vocab: readonly string[], prompt: string, o: SampleOptions): string {
  if (prompt.length === 0) throw new ConfigError('[text] --prompt must hold at least one character; received an empty prompt.');
  if (!(o.temperature > 0)) throw new ConfigError(`[text] --temperature must be > 0; received ${o.temperature}.`);
  if (!Number.isInteger(o.topK) || o.topK < 0) throw new ConfigError(`[text] --top-k must be an integer >= 0; received ${o.topK}.`);
  const { embed, lstm, head } = parts(model);
  const V = vocab.length;
  const E = embed.embeddingDim;
  const W = embed.weight.value;
  const rng = new Rng(o.seed);
  const x = new Float32Array(E); // (1, E) the current character's embedding
  const probs = new Float64Array(V);
  const order = Array.from({ length: V }, (_, v) => v);
  let state: LstmState | undefined;
  let out: Tensor | null = null;
  const feed = (id: number): void => {
    for (let j = 0; j < E; j++) x[j] = W[id * E + j];
    const r = lstm.step(new Tensor(x, [1, E]), state);
    state = r.state;
    out = r.output;
  };
  for (const id of encode(prompt, vocab)) feed(id);
  let text = '';
  for (let n = 0; n < o.length; n++) {
    const logits = head.call(out!, { training: false }).data; // (1, V)
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[v] / o.temperature);
    let cutoff = -Infinity;
    if (o.topK > 0 && o.topK < V) {
      order.sort((a, b) => logits[b] - logits[a]);
      cutoff = logits[order[o.topK - 1]];
    }
    let sum = 0;
    for (let v = 0; v < V; v++) {
      probs[v] = logits[v] >= cutoff ? Math.exp(logits[v] / o.temperature - max) : 0;
      sum += probs[v];
    }
    let u = rng.next() * sum;
    let id = -1;
    for (let v = 0; v < V; v++) {
      if (probs[v] === 0) continue;
      id = v; // the last candidate also catches rounding at the top end
      u -= probs[v];
      if (u < 0) break;
    }
    text += vocab[id];
    if (n + 1 < o.length) feed(id);
  }
  return text;
}
