// The hostile-file findings of issue #15, one test each, for the loaders this repo owns: a model
// file's architecture numbers are checked against the tensors it holds before anything is built;
// deep JSON, wrong-typed training state and non-finite weights are the library's errors; the JSON
// reader enforces its limits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM, Dense, Sequential, Tensor, Rng, encodeSafetensors, fit, FormatError, NonFiniteError, ConfigError, ShapeError } from '../../src/index.js';
import { modelFromBytes, modelToBytes } from '../../src/io/model.js';
import { parseJson, parseJsonExact, JsonNumber } from '../../src/io/json.js';
import { loadPytorchSafetensors, savePytorchSafetensors, fromPytorchStateDict } from '../../src/interop/pytorch.js';
import { loadTfjsModel } from '../../src/interop/tfjs.js';

function small(): Sequential {
  return new Sequential([
    ['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: false, seed: 1 })],
    ['head', new Dense({ inputSize: 3, outputSize: 2, seed: 2 })],
  ]);
}

/** The model's bytes with its metadata document replaced by `edit(doc)` (or by raw text). */
function withDoc(m: Sequential, edit: (doc: any) => unknown, options: Parameters<typeof modelToBytes>[1] = {}): Uint8Array {
  const bytes = modelToBytes(m, options);
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const doc = JSON.parse(header.__metadata__.longshort);
  const out = edit(doc);
  const tensors = Object.fromEntries(
    Object.entries(header)
      .filter(([k]) => k !== '__metadata__')
      .map(([k, e]: [string, any]) => {
        const data = bytes.slice(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]);
        return [k, { shape: e.shape, data: e.dtype === 'F64' ? new Float64Array(data.buffer) : new Float32Array(data.buffer) }];
      }),
  );
  return encodeSafetensors(tensors, { longshort: typeof out === 'string' ? out : JSON.stringify(out) });
}

function throwsClass(f: () => unknown, cls: Function, re?: RegExp): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    if (re) assert.match((e as Error).message, re);
    return (e as Error).message;
  }
  assert.fail(`expected ${cls.name}; nothing was thrown`);
}

describe('model files: architecture numbers are checked against the tensors before anything is built', () => {
  test('hiddenSize: 10000 in a tiny file is refused, naming the layer, the numbers and what the file holds', () => {
    const bytes = withDoc(small(), (d) => ((d.architecture.layers[0].config.hiddenSize = 10000), d));
    assert.ok(bytes.length < 4096);
    throwsClass(() => modelFromBytes(bytes), FormatError, /layer 'lstm' \(LSTM\) with inputSize=2, hiddenSize=10000, numLayers=1 needs at least 400080000 parameter values; the file's tensors for it \('lstm\.…'\) hold 84/);
  });

  test('numLayers 2^31, a huge embedding, a huge Dense: refused before allocation', () => {
    throwsClass(() => modelFromBytes(withDoc(small(), (d) => ((d.architecture.layers[0].config.numLayers = 2 ** 31), d))), FormatError, /numLayers must be a positive integer at most 2147483647; received the number 2147483648/);
    throwsClass(() => modelFromBytes(withDoc(small(), (d) => ((d.architecture.layers[0].config.numLayers = 5000), d))), FormatError, /numLayers must be at most 1024; received 5000/);
    throwsClass(() => modelFromBytes(withDoc(small(), (d) => ((d.architecture.layers[0].config.numLayers = 300), d))), FormatError, /numLayers=300 needs at least/);
    throwsClass(() => modelFromBytes(withDoc(small(), (d) => ((d.architecture.layers[1].config.outputSize = 1e8), d))), FormatError, /layer 'head' \(Dense\) with inputSize=3, outputSize=100000000 needs at least 300000000/);
    const emb = withDoc(small(), (d) => {
      d.architecture.layers.unshift({ name: 'emb', kind: 'Embedding', config: { numEmbeddings: 1e6, embeddingDim: 2 } });
      return d;
    });
    throwsClass(() => modelFromBytes(emb), FormatError, /layer 'emb' \(Embedding\) with numEmbeddings=1000000, embeddingDim=2 needs at least 2000000 parameter values; .* hold 0/);
  });

  test('a Sequential whose sizes do not chain, option values of the wrong type: FormatError naming them', () => {
    throwsClass(() => modelFromBytes(withDoc(small(), (d) => ((d.architecture.layers[1].config.inputSize = 4), d))), FormatError, /layer 'head' \(Dense\) takes inputSize=4 features, but layer 'lstm' \(LSTM\) before it outputs 3/);
    throwsClass(() => modelFromBytes(withDoc(small(), (d) => ((d.architecture.layers[0].config.batchFirst = 'yes'), d))), FormatError, /batchFirst must be true or false; received 'yes'/);
    throwsClass(() => modelFromBytes(withDoc(small(), (d) => ((d.architecture.layers[0].config.dtype = 'float16'), d))), FormatError, /dtype must be 'float32' or 'float64'; received 'float16'/);
    throwsClass(() => modelFromBytes(withDoc(small(), (d) => ((d.architecture.layers[0].kind = 'toString'), d))), FormatError, /unknown kind 'toString'/);
  });

  test('a document nested 20 000 levels deep is a FormatError, not a stack overflow', () => {
    const deep = `{"format":"longshort","version":1,"architecture":${'['.repeat(20000)}${']'.repeat(20000)}}`;
    throwsClass(() => modelFromBytes(withDoc(small(), () => deep)), FormatError, /the 'longshort' metadata is not valid JSON: nesting deeper than 64 levels/);
    const deepExtra = `{"format":"longshort","version":1,"extra":${'{"a":'.repeat(20000)}1${'}'.repeat(20000)}}`;
    throwsClass(() => modelFromBytes(withDoc(small(), () => deepExtra)), FormatError, /nesting deeper than 64 levels/);
  });

  test('NaN in a weight is a NonFiniteError naming the tensor', () => {
    const m = small();
    m.param('head.bias').value[1] = NaN;
    throwsClass(() => modelFromBytes(m.toBytes()), NonFiniteError, /\[loadModel\] .*head\.bias must be finite; received NaN at flat index 1/);
  });
});

describe('checkpoints: the training state is checked field by field', () => {
  const x = new Tensor(Float32Array.from({ length: 4 * 3 * 2 }, (_, k) => Math.sin(k)), [4, 3, 2]);
  const y = new Tensor(Float32Array.from([0, 1, 0, 1]), [4]);

  async function checkpoint(): Promise<{ m: Sequential; state: any }> {
    const m = small();
    const h = await fit(m, x, y, { loss: 'crossEntropy', epochs: 2, batchSize: 2 });
    return { m, state: h.state };
  }

  test('wrong types in the stored state: FormatError on load (one per field kind)', async () => {
    const { m, state } = await checkpoint();
    const cases: [(t: any) => void, RegExp][] = [
      [(t) => (t.epoch = 'two'), /training state epoch must be an integer ≥ 0; received 'two'/],
      [(t) => (t.shuffleRng = { s: [1, 2, 3], spare: null }), /shuffleRng\.s must be four integers/],
      [(t) => (t.modelRng.s = [0, 0, 0, 0]), /modelRng\.s must be not all zero/],
      [(t) => (t.modelRng.spare = 'x'), /modelRng\.spare must be a finite number or null; received 'x'/],
      [(t) => (t.history = {}), /history must be an array of epoch logs/],
      [(t) => (t.history[0].loss = 'low'), /history\[0\]\.loss must be a number; received 'low'/],
      [(t) => (t.optimizer.params = 5), /optimizer\.params must be an array; received 5/],
      [(t) => (t.optimizer.hyper.lr = { toString: 1 }), /optimizer\.hyper\.lr must be a number or boolean; received an object/],
      [(t) => (t.optimizer.kind = { toString: 1 }), /optimizer\.kind must be a string; received an object/],
      [(t) => (t.scheduler = []), /scheduler must be an object; received an array of 0/],
      [(t) => (t.badEpochs = -1), /badEpochs must be an integer ≥ 0; received -1/],
    ];
    for (const [edit, re] of cases) {
      const bytes = withDoc(m, (d) => (edit(d.training), d), { training: state });
      throwsClass(() => modelFromBytes(bytes), FormatError, re);
    }
    const arrayRef = withDoc(m, (d) => ((d.training.optimizer.slots.exp_avg[0] = { $array: 99, dtype: 'float32' }), d), { training: state });
    throwsClass(() => modelFromBytes(arrayRef), FormatError, /checkpoint refers to array the number 99; the file holds arrays 0 to/);
  });

  test('fit({ resume }) with a malformed state: ConfigError before the optimizer or the generators see it', async () => {
    const { m, state } = await checkpoint();
    const bad = { ...state, shuffleRng: { s: ['a', 1, 2, 3], spare: null } };
    await assert.rejects(fit(m, x, y, { loss: 'crossEntropy', epochs: 3, batchSize: 2, resume: bad }), (e: Error) => e instanceof ConfigError && /\[fit\] resume: training state shuffleRng\.s must be four integers/.test(e.message));
    await assert.rejects(fit(m, x, y, { loss: 'crossEntropy', epochs: 3, resume: { ...state, optimizer: null } }), ConfigError);
    // a good state still resumes
    const h = await fit(m, x, y, { loss: 'crossEntropy', epochs: 3, batchSize: 2, resume: state });
    assert.equal(h.epochs.length, 3);
  });

  test('Rng.setState refuses malformed states', () => {
    const r = new Rng(1);
    throwsClass(() => r.setState(null as never), ConfigError, /state\.s must be four integers/);
    throwsClass(() => r.setState({ s: [1, 2, 3, 2 ** 32], spare: null }), ConfigError);
    throwsClass(() => r.setState({ s: [1, 2, 3, 4], spare: 'x' as never }), ConfigError, /spare must be a finite number or null/);
    const before = r.getState();
    r.setState(before);
    assert.deepEqual(r.getState(), before);
  });
});

describe('PyTorch state dicts', () => {
  const ours = new Sequential([
    ['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: false, seed: 4 })],
    ['head', new Dense({ inputSize: 3, outputSize: 2, seed: 5 })],
  ]);

  test('num_layers 2^31 (or any count the dict cannot hold) is refused before the expected tensors are listed', () => {
    const bytes = savePytorchSafetensors(ours);
    const arch = { lstm: { input_size: 2, hidden_size: 3, num_layers: 2 ** 31 - 1 }, head: { in_features: 3, out_features: 2 }, prefixes: { lstm: 'lstm.', head: 'fc.' } };
    throwsClass(() => loadPytorchSafetensors(bytes, arch), ShapeError, /the architecture \(num_layers=2147483647, a head\) needs 8589934590 tensors; the state dict holds 6/);
    throwsClass(() => loadPytorchSafetensors(bytes, { ...arch, lstm: { ...arch.lstm, num_layers: 2 ** 31 } }), ConfigError, /lstm\.num_layers must be an integer in \[1, 2147483647\]; received 2147483648/);
    throwsClass(() => loadPytorchSafetensors(bytes, { ...arch, lstm: { ...arch.lstm, num_layers: 1, bidirectional: 'yes' as never } }), ConfigError, /lstm\.bidirectional must be true or false; received 'yes'/);
    throwsClass(() => loadPytorchSafetensors(bytes, `{"lstm":${'['.repeat(5000)}`), FormatError, /nesting deeper than 8 levels/);
  });

  test('a NaN head bias is a NonFiniteError (it was copied in unchecked)', () => {
    const sd = Object.fromEntries(Object.entries(ours.stateDict()).map(([k, t]) => [k.replace(/^head\./, 'fc.'), t]));
    sd['fc.bias'] = new Tensor(Float32Array.from([0.5, NaN]), [2]);
    throwsClass(() => fromPytorchStateDict(sd), NonFiniteError, /bias must be finite; received NaN at flat index 1/);
    sd['fc.bias'] = new Tensor(Float32Array.from([0.5, Infinity]), [2]);
    throwsClass(() => fromPytorchStateDict(sd), NonFiniteError);
  });
});

describe('TF.js: non-finite weights are refused at the import boundary', () => {
  test('a NaN in a Dense kernel names the weight and the index', () => {
    const json = {
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, activation: 'linear', use_bias: true, batch_input_shape: [null, 3] } }] } },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [3, 2], dtype: 'float32' }, { name: 'd/bias', shape: [2], dtype: 'float32' }] }],
    };
    const w = new Float32Array(8).fill(0.25);
    assert.equal(loadTfjsModel(json, w.buffer).layers.length, 1);
    w[4] = NaN;
    throwsClass(() => loadTfjsModel(json, w.buffer), NonFiniteError, /weight 'd\/kernel' must be finite; received NaN at flat index 4 \(shape \(3, 2\)\)/);
    w[4] = 0;
    w[7] = -Infinity;
    throwsClass(() => loadTfjsModel(json, w.buffer), NonFiniteError, /weight 'd\/bias' must be finite; received -Infinity at flat index 1/);
  });
});

describe('the JSON reader (src/io/json.ts)', () => {
  test('limits: depth, length, array length; duplicates; every failure a FormatError naming the source', () => {
    throwsClass(() => parseJson('[[[1]]]', '[t] x', { maxDepth: 2 }), FormatError, /^\[t\] x is not valid JSON: nesting deeper than 2 levels at character 2/);
    throwsClass(() => parseJson('"abc"', '[t] x', { maxLength: 3 }), FormatError, /must be at most 3 characters of JSON; received 5/);
    throwsClass(() => parseJson('[1,2,3]', '[t] x', { maxArrayLength: 2 }), FormatError, /an array longer than 2 elements/);
    throwsClass(() => parseJson('{"a":1,"a":2}', '[t] x'), FormatError, /has the key 'a' twice/);
    throwsClass(() => parseJson('{"a":1} x', '[t] x'), FormatError, /unexpected character "x" after the end of the JSON object/);
    throwsClass(() => parseJson('[1e5,', '[t] x'), FormatError, /expected a value; found end of input/);
    assert.deepEqual(parseJson('{"a":[1,2.5e3,-0,true,null,"\\u00e9"]}', 't'), { a: [1, 2500, -0, true, null, 'é'] });
  });

  test('"__proto__" is an own property, never the prototype; exact mode keeps big integers', () => {
    const o = parseJson('{"__proto__":{"polluted":1}}', 't') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(Object.keys(o), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const m = parseJsonExact('{"n":9007199254740993}', 't') as Map<string, JsonNumber>;
    assert.equal(m.get('n')!.text, '9007199254740993');
  });
});
