// The real files the fuzz harness mutates: model files written by longshort itself (plain models,
// a checkpoint with its training state), PyTorch state dicts (the committed fixtures and our own
// export), ONNX graphs, TensorFlow.js Layers models saved by TensorFlow.js, and CSV / JSON Lines
// data as the CLI reads it. Built deterministically (fixed seeds), once per process.

import { readFileSync } from 'node:fs';
import { LSTM, Dense, Embedding, Dropout, LayerNorm, Activation, Sequential, Tensor } from '../../packages/longshort/dist/index.js';
import { savePytorchSafetensors } from '../../packages/longshort/dist/interop/pytorch.js';
import { exportOnnx } from '../../packages/longshort/dist/interop/onnx.js';
import { Rng } from '../../packages/longshort/dist/util/rng.js';

const FIXTURES = new URL('../../packages/longshort/test/fixtures/pytorch/', import.meta.url);

/** A small LSTM → Dense model. */
export function smallModel(seed = 1): Sequential {
  return new Sequential(
    [
      ['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: false, seed })],
      ['head', new Dense({ inputSize: 3, outputSize: 2, seed: seed + 1 })],
    ],
    { seed },
  );
}

/** Every layer kind: embedding, stacked bidirectional projected peephole LSTM, norm, dropout, head, softmax. */
export function richModel(): Sequential {
  return new Sequential({
    emb: new Embedding({ numEmbeddings: 7, embeddingDim: 3, seed: 1 }),
    lstm: new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, projSize: 2, peepholes: true, seed: 2 }),
    norm: new LayerNorm({ normalizedShape: 4 }),
    drop: new Dropout({ p: 0.1 }),
    head: new Dense({ inputSize: 4, outputSize: 3, seed: 3 }),
    act: new Activation({ fn: 'softmax' }),
  });
}

let longshortCache: Uint8Array[] | null = null;

/** longshort model files: two models and a checkpoint (weights + optimizer moments + history). */
export async function longshortFiles(): Promise<Uint8Array[]> {
  if (longshortCache !== null) return longshortCache;
  const m = smallModel();
  const rng = new Rng(5);
  const x = new Tensor(Float32Array.from({ length: 8 * 4 * 2 }, () => rng.normal()), [8, 4, 2]);
  const y = new Tensor(Float32Array.from({ length: 8 }, (_, k) => k % 2), [8]);
  const h = await m.fit(x, y, { loss: 'crossEntropy', epochs: 2, batchSize: 4, seed: 3 });
  longshortCache = [smallModel(2).toBytes({ extra: { app: 'test', classes: ['a', 'b'] } }), richModel().toBytes(), m.toBytes({ training: h.state, extra: { app: 'test' } })];
  return longshortCache;
}

/** PyTorch state dicts as safetensors, each with the architecture JSON that goes with it (or null: read from the file). */
export function pytorchFiles(): { bytes: Uint8Array; arch: string | null }[] {
  const fixture = (name: string) => ({
    bytes: new Uint8Array(readFileSync(new URL(`${name}.safetensors`, FIXTURES))),
    arch: readFileSync(new URL(`${name}.arch.json`, FIXTURES), 'utf8'),
  });
  const ours = new Sequential([
    ['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, returnSequences: false, seed: 4 })],
    ['head', new Dense({ inputSize: 6, outputSize: 2, seed: 5 })],
  ]);
  return [fixture('rnn_fc'), fixture('lstm_proj_linear'), { bytes: savePytorchSafetensors(ours), arch: null }];
}

/** ONNX graphs exported by longshort (the importer's own test bases). */
export function onnxFiles(): Uint8Array[] {
  return [
    exportOnnx(
      new Sequential([new LSTM({ inputSize: 3, hiddenSize: 4, bidirectional: true, numLayers: 2, returnSequences: false, seed: 1 }), new Dense({ inputSize: 8, outputSize: 2, activation: 'softmax' })]),
      { sequenceLengths: true },
    ),
    exportOnnx(new LSTM({ inputSize: 2, hiddenSize: 3, peepholes: true, clip: 2, seed: 2 })),
    exportOnnx(new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: false }), new Dense({ inputSize: 3, outputSize: 2, activation: 'tanh' })])),
  ];
}

export interface TfjsSeed {
  json: Record<string, unknown>;
  weights: Uint8Array;
}

let tfjsCache: TfjsSeed[] | null = null;

/** TF.js Layers models built and saved by TensorFlow.js (CPU backend), weights made deterministic. */
export async function tfjsModels(): Promise<TfjsSeed[]> {
  if (tfjsCache !== null) return tfjsCache;
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const save = async (model: import('@tensorflow/tfjs').LayersModel): Promise<TfjsSeed> => {
    const rng = new Rng(11);
    model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => rng.uniform(-0.5, 0.5)), w.shape)));
    let out: TfjsSeed | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        out = {
          json: { modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] },
          weights: new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData!)),
        };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    return out!;
  };
  const a = tf.sequential();
  a.add(tf.layers.lstm({ units: 3, inputShape: [4, 2], recurrentActivation: 'sigmoid' }));
  a.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  const b = tf.sequential();
  b.add(tf.layers.embedding({ inputDim: 6, outputDim: 3, inputLength: 4 }));
  b.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid' }) as never }));
  b.add(tf.layers.dropout({ rate: 0.2 }));
  b.add(tf.layers.dense({ units: 1 }));
  const input = tf.input({ shape: [5, 2] });
  const hidden = tf.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'hardSigmoid' }).apply(input) as import('@tensorflow/tfjs').SymbolicTensor;
  const last = tf.layers.lstm({ units: 2 }).apply(hidden) as import('@tensorflow/tfjs').SymbolicTensor;
  const c = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1, activation: 'tanh' }).apply(last) as import('@tensorflow/tfjs').SymbolicTensor });
  tfjsCache = [await save(a), await save(b), await save(c)];
  return tfjsCache;
}

/** A dated series as the forecast command reads it: date, target v, feature w. */
export function seriesCsv(rows: number, step: 'day' | 'month', seed = 1): string {
  const rng = new Rng(seed);
  const lines = ['date,v,w'];
  for (let i = 0; i < rows; i++) {
    const d = step === 'day' ? new Date(Date.UTC(2020, 0, 1 + i)) : new Date(Date.UTC(2000, i, 1));
    const date = d.toISOString().slice(0, step === 'day' ? 10 : 7);
    lines.push(`${date},${(Math.sin(i / 3) + 0.1 * rng.normal()).toFixed(3)},${(i % 7) / 7}`);
  }
  return lines.join('\n') + '\n';
}

/** Long-format sequence CSV (id, t, two features, label), rows of each id out of order. */
export function longCsv(seed = 1): string {
  const rng = new Rng(seed);
  const lines = ['id,t,ax,ay,label'];
  for (let s = 0; s < 8; s++) {
    const label = s % 2 === 0 ? 'up' : 'down';
    const T = 2 + rng.int(4);
    for (let t = T - 1; t >= 0; t--) lines.push(`s${s},${t},${rng.normal().toFixed(2)},${rng.normal().toFixed(2)},${label}`);
  }
  return lines.join('\n') + '\n';
}

/** JSON Lines sequences: steps of two features, a class label (or a number), an id. */
export function jsonl(seed = 1, numeric = false): string {
  const rng = new Rng(seed);
  const lines: string[] = [];
  for (let s = 0; s < 10; s++) {
    const T = 1 + rng.int(5);
    const seq = Array.from({ length: T }, () => [Number(rng.normal().toFixed(2)), Number(rng.normal().toFixed(2))]);
    lines.push(JSON.stringify({ id: `e${s}`, sequence: seq, label: numeric ? Number(rng.normal().toFixed(2)) : s % 3 === 0 ? 'walk' : 'run' }));
  }
  return lines.join('\n') + '\n';
}
