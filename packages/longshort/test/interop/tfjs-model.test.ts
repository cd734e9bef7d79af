// Importing TensorFlow.js Layers models: TF.js itself builds and saves real models (model.json +
// weights.bin written in the layout tfjs-node's file:// handler uses), longshort loads them — from
// memory with loadTfjsModel and from disk with loadTfjsModelFromFile — and must predict what
// model.predict predicts to 1e-5 on random inputs. Then a corpus of broken and hostile inputs, each
// of which must fail with a clear, specific message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { checkShardPath, loadTfjsModel } from '../../src/interop/tfjs.js';
import { loadTfjsModelFromFile } from '../../src/interop/tfjs-node.js';
import { FormatError, ShapeError, UnsupportedError } from '../../src/errors.js';
import type { Sequential } from '../../src/nn/sequential.js';
import { Tensor } from '../../src/tensor.js';
import { fill } from '../helpers/fd.js';

interface Saved {
  json: Record<string, any>;
  weights: Uint8Array;
}

const ATOL = 1e-5;
let root = '';

before(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'longshort-tfjs-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** model.save through a custom handler, shaped as tfjs-node's file:// handler writes model.json. */
async function save(model: tf.LayersModel): Promise<Saved> {
  let saved: Saved | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData!));
      saved = {
        json: {
          modelTopology: a.modelTopology,
          format: a.format,
          generatedBy: a.generatedBy,
          convertedBy: a.convertedBy,
          weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        },
        weights,
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

let dirCount = 0;
function writeModel(s: Saved, shards?: Record<string, Uint8Array>): string {
  const dir = join(root, `m${dirCount++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(s.json));
  for (const [name, bytes] of Object.entries(shards ?? { 'weights.bin': s.weights })) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return join(dir, 'model.json');
}

/** Deterministic weights of order 0.5 (TF.js initialisers are unseeded); biases too unless kept. */
function randomize(model: tf.LayersModel, seed: number, keepBiases = false): void {
  const ws = model.getWeights().map((w, k) => {
    if (keepBiases && w.rank === 1) return w;
    return tf.tensor(fill(new Float32Array(w.size), seed + k, 0.5) as Float32Array, w.shape);
  });
  model.setWeights(ws);
}

/** TF.js predict vs ours on the same random input. Returns max |difference|. */
function agree(model: tf.LayersModel, ours: Sequential, shape: number[], seed: number): number {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = fill(new Float32Array(n), seed, 1.5) as Float32Array;
  const theirs = model.predict(tf.tensor(x, shape)) as tf.Tensor;
  const mine = ours.call(new Tensor(x, shape), { training: false });
  assert.deepEqual(mine.shape, theirs.shape, 'output shape');
  const t = theirs.dataSync();
  let worst = 0;
  for (let k = 0; k < t.length; k++) {
    const e = Math.abs(mine.data[k] - t[k]);
    worst = Math.max(worst, e);
    assert.ok(e <= ATOL, `output[${k}]: ours ${mine.data[k]} tfjs ${t[k]}`);
  }
  theirs.dispose();
  return worst;
}

const report: string[] = [];

// ---------------------------------------------------------------- real models

async function lstmDense(): Promise<tf.LayersModel> {
  const m = tf.sequential();
  m.add(tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', inputShape: [6, 4] }));
  m.add(tf.layers.dense({ units: 3 }));
  randomize(m, 1);
  return m;
}

describe('TF.js Layers models load and predict like model.predict (1e-5)', () => {
  test('LSTM(5) + Dense(3): from memory and from model.json on disk', async () => {
    const m = await lstmDense();
    const s = await save(m);
    const a = loadTfjsModel(s.json, s.weights);
    const b = loadTfjsModelFromFile(writeModel(s));
    assert.deepEqual(a.layers.map((l) => l.layer.kind), ['LSTM', 'Dense']);
    const e = Math.max(agree(m, a, [3, 6, 4], 11), agree(m, b, [3, 6, 4], 12));
    report.push(`lstm+dense ${e.toExponential(2)}`);
  });

  test('stacked LSTMs with unitForgetBias (TF.js biases kept), Dropout, Dense softmax on every step', async () => {
    const m = tf.sequential();
    m.add(tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid', unitForgetBias: true, returnSequences: true, inputShape: [null, 3] }));
    m.add(tf.layers.dropout({ rate: 0.3 }));
    m.add(tf.layers.lstm({ units: 6, recurrentActivation: 'sigmoid', unitForgetBias: true, returnSequences: true }));
    m.add(tf.layers.dense({ units: 5, activation: 'softmax' }));
    randomize(m, 2, true);
    const s = await save(m);
    assert.equal(s.json.modelTopology.config.layers[0].config.unit_forget_bias, true);
    const ours = loadTfjsModelFromFile(writeModel(s));
    assert.deepEqual(ours.layers.map((l) => l.layer.kind), ['LSTM', 'Dropout', 'LSTM', 'Dense']);
    // the forget-gate bias TF.js initialised to 1 arrives in bias_ih
    assert.deepEqual(Array.from(ours.param(`${ours.layers[0].name}.bias_ih_l0`).value.slice(4, 8)), [1, 1, 1, 1]);
    // variable-length time axis: two different T
    const e = Math.max(agree(m, ours, [2, 5, 3], 21), agree(m, ours, [3, 2, 3], 22));
    report.push(`stacked unitForgetBias ${e.toExponential(2)}`);
  });

  test('Bidirectional(LSTM) + Dense relu (last step), and Bidirectional sequences + Dense', async () => {
    const m = tf.sequential();
    m.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid' }) as tf.RNN, mergeMode: 'concat', inputShape: [5, 3] }));
    m.add(tf.layers.dense({ units: 2, activation: 'relu' }));
    randomize(m, 3);
    const ours = loadTfjsModelFromFile(writeModel(await save(m)));
    const e1 = agree(m, ours, [4, 5, 3], 31);

    const m2 = tf.sequential();
    m2.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', returnSequences: true }) as tf.RNN, mergeMode: 'concat', inputShape: [null, 2] }));
    m2.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, recurrentActivation: 'sigmoid' }) as tf.RNN, mergeMode: 'concat' }));
    m2.add(tf.layers.dense({ units: 4, activation: 'sigmoid' }));
    randomize(m2, 4);
    const e2 = agree(m2, loadTfjsModel(...savedArgs(await save(m2))), [2, 7, 2], 32);
    report.push(`bidirectional ${Math.max(e1, e2).toExponential(2)}`);
  });

  test("TF.js's default hard_sigmoid gates, tanh Dense, Activation layer", async () => {
    const m = tf.sequential();
    m.add(tf.layers.lstm({ units: 5, returnSequences: true, inputShape: [4, 2] })); // recurrentActivation defaults to hardSigmoid in TF.js
    m.add(tf.layers.dense({ units: 3, activation: 'tanh' }));
    m.add(tf.layers.activation({ activation: 'softmax' }));
    randomize(m, 5);
    const s = await save(m);
    assert.equal(s.json.modelTopology.config.layers[0].config.recurrent_activation, 'hard_sigmoid');
    const ours = loadTfjsModel(s.json, s.weights);
    const e = agree(m, ours, [3, 4, 2], 41);
    report.push(`hard_sigmoid ${e.toExponential(2)}`);
  });

  test('functional chain tf.model(input → LSTM → Dense); weights split over two groups and three shards', async () => {
    const input = tf.input({ shape: [null, 3] });
    const h = tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid' }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    randomize(m, 6);
    const s = await save(m);
    assert.equal(s.json.modelTopology.class_name, 'Model');
    // group 0: the LSTM's three weights in two shards cut mid-weight; group 1: the Dense in a subfolder
    const specs = s.json.weightsManifest[0].weights as { shape: number[] }[];
    const bytesOf = (k: number) => 4 * specs[k].shape.reduce((a, b) => a * b, 1);
    const lstmBytes = bytesOf(0) + bytesOf(1) + bytesOf(2);
    const split: Saved = {
      json: {
        ...s.json,
        weightsManifest: [
          { paths: ['group1-shard1of2.bin', './group1-shard2of2.bin'], weights: specs.slice(0, 3) },
          { paths: ['sub/group2-shard1of1.bin'], weights: specs.slice(3) },
        ],
      },
      weights: s.weights,
    };
    const path = writeModel(split, {
      'group1-shard1of2.bin': s.weights.slice(0, 37),
      'group1-shard2of2.bin': s.weights.slice(37, lstmBytes),
      'sub/group2-shard1of1.bin': s.weights.slice(lstmBytes),
    });
    const e = Math.max(agree(m, loadTfjsModelFromFile(path), [2, 5, 3], 51), agree(m, loadTfjsModel(split.json, split.weights), [1, 3, 3], 52));
    report.push(`functional + shards ${e.toExponential(2)}`);
  });

  test('Embedding → LSTM → Dense on integer ids', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 7, outputDim: 3, inputLength: 5 }));
    m.add(tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 2 }));
    randomize(m, 7);
    const ours = loadTfjsModel(...savedArgs(await save(m)));
    assert.deepEqual(ours.layers.map((l) => l.layer.kind), ['Embedding', 'LSTM', 'Dense']);
    const ids = Float32Array.from({ length: 3 * 5 }, (_, k) => (k * 5 + 3) % 7);
    const theirs = (m.predict(tf.tensor2d(ids, [3, 5])) as tf.Tensor).dataSync();
    const mine = ours.call(new Tensor(ids, [3, 5]), { training: false });
    let e = 0;
    for (let k = 0; k < theirs.length; k++) e = Math.max(e, Math.abs(mine.data[k] - theirs[k]));
    assert.ok(e <= ATOL, `max difference ${e}`);
    report.push(`embedding ${e.toExponential(2)}`);
  });

  test('converter-style model.json: model_config wrapper, an extra cell segment and ":0" in weight names', async () => {
    const m = await lstmDense();
    const s = await save(m);
    const [lstmName, denseName] = (s.json.modelTopology.config.layers as { config: { name: string } }[]).map((l) => l.config.name);
    s.json.modelTopology = { keras_version: '2.15.0', backend: 'tensorflow', model_config: s.json.modelTopology };
    for (const w of s.json.weightsManifest[0].weights as { name: string }[]) {
      w.name = w.name.replace(`${lstmName}/`, `${lstmName}/lstm_cell/`).replace(/$/, ':0');
    }
    assert.match(s.json.weightsManifest[0].weights[0].name, /^lstm_LSTM\d+\/lstm_cell\/kernel:0$/);
    assert.ok(denseName.startsWith('dense'));
    const e = agree(m, loadTfjsModel(s.json, s.weights), [2, 6, 4], 71);
    report.push(`converter-style ${e.toExponential(2)}`);
  });

  test('Keras 3 style functional inbound_nodes ({args: [{config: {keras_history}}]}, mask: null) are followed (synthesised from a TF.js save)', async () => {
    const input = tf.input({ shape: [null, 3] });
    const h = tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', returnSequences: true }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: 'sigmoid' }).apply(h) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    randomize(m, 8);
    const s = await save(m);
    s.json.modelTopology.class_name = 'Functional';
    for (const l of s.json.modelTopology.config.layers as { inbound_nodes: unknown }[]) {
      l.inbound_nodes = (l.inbound_nodes as unknown[][][]).map((node) => ({
        args: node.map((t) => ({ class_name: '__keras_tensor__', config: { shape: [null, null, 3], dtype: 'float32', keras_history: t.slice(0, 3) } })),
        kwargs: { mask: null, training: false },
      }));
    }
    const ours = loadTfjsModel(s.json, s.weights);
    assert.deepEqual(ours.layers.map((l) => l.layer.kind), ['LSTM', 'Dense']);
    const e = agree(m, ours, [2, 4, 3], 81);
    report.push(`keras3 inbound ${e.toExponential(2)}`);
  });

  test('float64 import keeps the numbers', async () => {
    const m = await lstmDense();
    const s = await save(m);
    const ours = loadTfjsModel(s.json, s.weights, { dtype: 'float64' });
    assert.equal(ours.dtype, 'float64');
    const x = fill(new Float64Array(2 * 6 * 4), 61) as Float64Array;
    const y = ours.call(new Tensor(x, [2, 6, 4]), { training: false });
    const t = (m.predict(tf.tensor(Float32Array.from(x), [2, 6, 4])) as tf.Tensor).dataSync();
    for (let k = 0; k < t.length; k++) assert.ok(Math.abs(y.data[k] - t[k]) < 1e-5, `y[${k}] ${y.data[k]} vs ${t[k]}`);
  });

  test('report', () => {
    for (const r of report) console.log(`# tfjs-model ${r}`);
    assert.equal(report.length, 8);
  });
});

function savedArgs(s: Saved): [Record<string, any>, Uint8Array] {
  return [s.json, s.weights];
}

// ---------------------------------------------------------------- broken and hostile inputs

describe('broken TF.js models give clear errors', () => {
  let base: Saved;
  before(async () => {
    base = await save(await lstmDense());
  });
  const clone = (): Saved => ({ json: structuredClone(base.json), weights: base.weights.slice() });
  const specs = (s: Saved) => s.json.weightsManifest[0].weights as { name: string; shape: number[]; dtype: string; quantization?: unknown }[];
  const layers = (s: Saved) => s.json.modelTopology.config.layers as { class_name: string; config: Record<string, any> }[];

  test('missing weight', () => {
    const s = clone();
    const last = specs(s).pop()!; // the Dense bias, last in the bytes too
    s.weights = s.weights.slice(0, s.weights.byteLength - 4 * last.shape[0]);
    assert.throws(() => loadTfjsModel(s.json, s.weights), (e: Error) => e instanceof FormatError && /layer 'dense_Dense\d+' \(Dense\) needs weight 'dense_Dense\d+\/bias' of shape \(3\); weightsManifest has none/.test(e.message));
  });

  test('wrong shape (a transposed kernel)', () => {
    const s = clone();
    specs(s)[0].shape = [20, 4];
    assert.throws(() => loadTfjsModel(s.json, s.weights), (e: Error) => e instanceof ShapeError && /weight 'lstm_LSTM\d+\/kernel' of layer 'lstm_LSTM\d+' \(LSTM\) must have shape \(4, 20\) because units=5, input features=4; received \(20, 4\)/.test(e.message));
  });

  test('truncated weight data, in memory and as a shard on disk', () => {
    const s = clone();
    const n = s.weights.byteLength;
    assert.throws(() => loadTfjsModel(s.json, s.weights.slice(0, n - 10)), new RegExp(`weight data must be ${n} bytes for the 5 float32 weights in weightsManifest; received ${n - 10} bytes\\. Weight 'dense_Dense\\d+/bias' .* runs past the end`));
    assert.throws(() => loadTfjsModel(s.json, new Uint8Array(n + 4)), /received \d+ bytes\. Hint: the bytes belong to a different model\.json/);
    const path = writeModel(s);
    truncateSync(join(path, '..', 'weights.bin'), 100);
    assert.throws(() => loadTfjsModelFromFile(path), new RegExp(`weightsManifest\\[0\\] needs ${n} bytes for its 5 float32 weight\\(s\\); its shard\\(s\\) weights\\.bin \\(100 bytes\\) hold 100\\. Hint: a shard is truncated`));
    rmSync(join(path, '..', 'weights.bin'));
    assert.throws(() => loadTfjsModelFromFile(path), /cannot read shard 'weights\.bin' listed in .*: no file at .*weights\.bin\. Hint: copy every shard/);
  });

  test("unknown layer class: a real TF.js GRU model", async () => {
    const m = tf.sequential();
    m.add(tf.layers.gru({ units: 3, inputShape: [4, 2] }));
    const s = await save(m);
    assert.throws(() => loadTfjsModel(s.json, s.weights), (e: Error) => e instanceof UnsupportedError && /layer 'gru_GRU\d+' has class 'GRU', which longshort cannot import; supported: .*LSTM.*Hint: retrain with an LSTM layer/.test(e.message));
  });

  test('path traversal and absolute shard paths are refused before any file is read', () => {
    for (const [p, why] of [
      ['../weights.bin', "'..' segment"],
      ['sub/../../etc/passwd', "'..' segment"],
      ['..\\weights.bin', "'..' segment"],
      ['/etc/passwd', 'absolute path'],
      ['\\\\server\\share\\w.bin', 'absolute path'],
      ['C:\\weights.bin', 'drive letter'],
      ['file:///etc/passwd', 'URL'],
      ['https://example.com/w.bin', 'URL'],
      ['w.bin\0.txt', 'contains a NUL byte'],
      ['./', 'no file name'],
    ]) {
      const s = clone();
      s.json.weightsManifest[0].paths = [p];
      const re = new RegExp(`paths\\[0\\] must be a file name relative to model\\.json that stays in its directory; received '.*' \\(${why}`);
      assert.throws(() => loadTfjsModelFromFile(writeModel(s)), re, p);
      assert.throws(() => loadTfjsModel(s.json, s.weights), re, p); // the manifest check is shared
      assert.throws(() => checkShardPath(p), FormatError);
    }
    assert.equal(checkShardPath('./a/./b.bin'), 'a/b.bin');
  });

  test('a symlinked shard pointing outside the directory is refused', () => {
    const s = clone();
    const outside = join(root, 'outside.bin');
    writeFileSync(outside, s.weights);
    const path = writeModel(s, {});
    symlinkSync(outside, join(path, '..', 'weights.bin'));
    assert.throws(() => loadTfjsModelFromFile(path), /shard 'weights\.bin' listed in .* must stay inside the model's directory .*; it resolves to .*outside\.bin/);
  });

  test('cyclic, branching and absurd topologies', async () => {
    const input = tf.input({ shape: [null, 3] });
    const h = tf.layers.lstm({ units: 2, recurrentActivation: 'sigmoid' }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
    const fn = await save(tf.model({ inputs: input, outputs: out }));
    const fl = () => {
      const s = structuredClone(fn.json);
      return { s, ls: s.modelTopology.config.layers as { name: string; class_name: string; inbound_nodes: unknown; config: Record<string, unknown> }[] };
    };
    {
      const { s, ls } = fl(); // lstm now reads from dense, dense from lstm
      ls[1].inbound_nodes = [[[ls[2].name, 0, 0, {}]]];
      assert.throws(() => loadTfjsModel(s, fn.weights), /the functional graph has a cycle through layer 'dense_Dense\d+'/);
    }
    {
      const { s, ls } = fl(); // dense feeds itself
      ls[2].inbound_nodes = [[[ls[2].name, 0, 0, {}]]];
      assert.throws(() => loadTfjsModel(s, fn.weights), /cycle through layer 'dense_Dense\d+'/);
    }
    {
      const { s, ls } = fl();
      ls[2].inbound_nodes = [[[ls[1].name, 0, 0, {}], [ls[0].name, 0, 0, {}]]];
      assert.throws(() => loadTfjsModel(s, fn.weights), (e: Error) => e instanceof UnsupportedError && /layer 'dense_Dense\d+' takes 2 inputs; only chains/.test(e.message));
    }
    {
      const { s, ls } = fl();
      ls[2].inbound_nodes = [[['nowhere', 0, 0, {}]]];
      assert.throws(() => loadTfjsModel(s, fn.weights), /refers to layer 'nowhere', which config\.layers does not define/);
    }
    {
      const { s, ls } = fl();
      ls[2].inbound_nodes = [[[ls[0].name, 0, 0, {}]]]; // skips the LSTM: it dangles
      assert.throws(() => loadTfjsModel(s, fn.weights), /layer\(s\) lstm_LSTM\d+ are not on the path from input to output/);
    }
    const absurd: Array<[string, (s: Saved) => void, RegExp]> = [
      ['units -3', (s) => (layers(s)[0].config.units = -3), /\(LSTM\) units must be a positive integer; received -3/],
      ['units 1e9 (no allocation: shapes disagree first)', (s) => (layers(s)[0].config.units = 1e9), /must have shape \(4, 4000000000\) because units=1000000000/],
      ['a manifest claiming 4e12 values', (s) => (specs(s)[0].shape = [2e6, 2e6]), /would take the weights past 2147483648 bytes/],
      ['negative dimension', (s) => (specs(s)[0].shape = [4, -20]), /must have a shape of non-negative integers; received \[4,-20\]/],
      ['layers is a string', (s) => (s.json.modelTopology.config.layers = 'lstm'), /Sequential config\.layers must be a non-empty list; received "lstm"/],
      ['no modelTopology', (s) => delete s.json.modelTopology, /modelTopology must be a JSON object; received nothing/],
      ['no weightsManifest', (s) => delete s.json.weightsManifest, /model\.json must have a weightsManifest array; received nothing/],
      ['class_name Foo', (s) => (s.json.modelTopology.class_name = 'Foo'), /class_name must be 'Sequential', 'Model' or 'Functional'; received "Foo"/],
      ['graph model', (s) => (s.json.format = 'graph-model'), /format must be 'layers-model'; received 'graph-model'/],
      ['int32 weight', (s) => (specs(s)[0].dtype = 'int32'), /weight 'lstm_LSTM\d+\/kernel' must have dtype float32; received "int32"/],
      ['quantized weight', (s) => (specs(s)[0].quantization = { dtype: 'uint8', min: 0, scale: 1 }), /is quantized .*only float32 weights are supported/],
      ['duplicate weight', (s) => (specs(s)[1].name = specs(s)[0].name), /weight 'lstm_LSTM\d+\/kernel' is listed twice/],
      ['unknown LSTM activation', (s) => (layers(s)[0].config.activation = 'selu'), /\(LSTM\) activation must be one of sigmoid, tanh, relu, linear, hard_sigmoid; received "selu"/],
      ['unknown Dense activation', (s) => (layers(s)[1].config.activation = 'elu'), /\(Dense\) activation must be one of linear, relu, tanh, sigmoid, softmax; received "elu"/],
      ['missing recurrent_activation', (s) => delete layers(s)[0].config.recurrent_activation, /config\.recurrent_activation is missing/],
      ['go_backwards', (s) => (layers(s)[0].config.go_backwards = true), /has go_backwards: true, which is not supported/],
      ['stateful', (s) => (layers(s)[0].config.stateful = true), /has stateful: true, which is not supported/],
      ['LSTM after a non-sequence output', (s) => layers(s).splice(1, 0, structuredClone(layers(s)[0])), /needs \(B, T, F\) sequence input; the previous layer outputs \(B, 5\)/],
      ['weight no layer uses', (s) => { specs(s).push({ name: 'extra/kernel', shape: [1], dtype: 'float32' }); }, /weight data must be/],
    ];
    for (const [name, mutate, re] of absurd) {
      const s = clone();
      mutate(s);
      assert.throws(() => loadTfjsModel(s.json, s.weights), re, name);
    }
    {
      const s = clone();
      specs(s).push({ name: 'extra/kernel', shape: [1], dtype: 'float32' });
      assert.throws(() => loadTfjsModel(s.json, new Uint8Array([...s.weights, 0, 0, 0, 0])), /weightsManifest lists weight\(s\) no layer uses: extra\/kernel/);
    }
    assert.throws(() => loadTfjsModel(null, base.weights), /model\.json must be a JSON object; received null/);
    assert.throws(() => loadTfjsModel(base.json, 'bytes' as unknown as Uint8Array), /weightData must be an ArrayBuffer or a byte view/);
  });

  test('Bidirectional merge modes other than concat are refused', async () => {
    const m = tf.sequential();
    m.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2 }) as tf.RNN, mergeMode: 'sum', inputShape: [3, 2] }));
    const s = await save(m);
    assert.throws(() => loadTfjsModel(s.json, s.weights), /\(Bidirectional\) merge_mode must be 'concat'; received "sum"/);
  });

  test('Embedding with mask_zero is refused with the lengths hint', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, inputLength: 3 }));
    m.add(tf.layers.lstm({ units: 2, recurrentActivation: 'sigmoid' }));
    const s = await save(m);
    assert.throws(() => loadTfjsModel(s.json, s.weights), /\(Embedding\) has mask_zero: true; longshort does not mask by id\. Hint: right-pad with id 0 and pass each row's length/);
  });

  test('file-level errors', () => {
    assert.throws(() => loadTfjsModelFromFile(join(root, 'nope', 'model.json')), /cannot read model\.json '.*nope\/model\.json': ENOENT/);
    assert.throws(() => loadTfjsModelFromFile(root), /must be a model\.json file; received the directory/);
    const bad = join(root, 'bad.json');
    writeFileSync(bad, '{"modelTopology": ');
    assert.throws(() => loadTfjsModelFromFile(bad), /\(a TensorFlow\.js model\.json\) is not valid JSON: expected a value; found end of input/);
  });
});
