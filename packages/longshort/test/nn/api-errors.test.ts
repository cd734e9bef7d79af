// The API findings of issue #15, one test each: every bad argument gets the library's own error,
// naming the option, the expected and the received value, at the call that is wrong.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM, Dense, Embedding, LayerNorm, Sequential, Tensor, tensor, zeros, ConfigError, ShapeError, isLongshortError, FileError, FormatError } from '../../src/index.js';

function throwsClass(f: () => unknown, cls: Function, re: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}; got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

describe('constructor options', () => {
  test('hiddenSize: 2**31 is a ConfigError (it was a raw RangeError from the typed-array constructor)', () => {
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 2 ** 31 }), ConfigError, /\[LSTM\] hiddenSize must be at most 2147483647 \(2\^31 − 1\); received 2147483648/);
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 2 ** 20 }), ConfigError, /\[LSTM\] weight_hh_l0 would have shape \(4194304, 1048576\) = 4398046511104 values because hiddenSize=1048576, inputSize=2; a tensor holds at most 1073741824/);
    throwsClass(() => new Dense({ inputSize: 2 ** 31 - 1, outputSize: 2 }), ConfigError, /\[Dense\] weight would have shape \(2, 2147483647\)/);
    throwsClass(() => new Embedding({ numEmbeddings: 2 ** 30, embeddingDim: 8 }), ConfigError, /\[Embedding\] weight would have shape \(1073741824, 8\)/);
    // tiny tensors, but 2^31 − 1 layers of them (it looped, allocating, until the process died)
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2 ** 31 - 1 }), ConfigError, /\[LSTM\] numLayers must be at most 1024; received 2147483647/);
  });

  test("batchFirst: 'yes' and other non-booleans are refused (they were accepted and read as true)", () => {
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: 'yes' as never }), ConfigError, /\[LSTM\] batchFirst must be true or false; received 'yes'/);
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: 1 as never }), ConfigError, /bidirectional must be true or false; received 1/);
    throwsClass(() => new Dense({ inputSize: 2, outputSize: 3, bias: 'no' as never }), ConfigError, /\[Dense\] bias must be true or false; received 'no'/);
    throwsClass(() => new LayerNorm({ normalizedShape: 3, elementwiseAffine: 0 as never }), ConfigError, /elementwiseAffine must be true or false/);
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 3, dropout: '0.5' as never }), ConfigError, /dropout must be in \[0, 1\)/);
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 3, variant: 'toString' as never }), ConfigError, /variant must be one of vanilla/);
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 3, forgetBias: NaN }), ConfigError, /forgetBias must be a finite number; received NaN/);
    throwsClass(() => new LSTM(null as never), ConfigError, /\[LSTM\] options must be an object; received null/);
  });

  test("dtype: 'float16' is refused (it was accepted and silently float32)", () => {
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float16' as never }), ConfigError, /\[LSTM\] dtype must be 'float32' or 'float64'; received 'float16'/);
    throwsClass(() => tensor([1, 2], [2], 'float16' as never), ShapeError, /\[tensor\] dtype must be 'float32' or 'float64'; received 'float16'/);
    throwsClass(() => zeros([2], 'float16' as never), ShapeError, /\[zeros\] dtype/);
  });
});

describe('tensors', () => {
  test('shape [-1, 0] is a ShapeError (it was accepted: the product is 0 like the data)', () => {
    throwsClass(() => new Tensor(new Float32Array(0), [-1, 0]), ShapeError, /\[Tensor\] shape\[0\] must be an integer ≥ 0; received -1 in shape \[-1, 0\]/);
    throwsClass(() => new Tensor(new Float32Array(2), [1.5, 2] as never), ShapeError, /shape\[0\] must be an integer ≥ 0; received 1\.5/);
    throwsClass(() => new Tensor(new Float32Array(2), ['2'] as never), ShapeError, /received '2'/);
    throwsClass(() => zeros([-1]), ShapeError, /shape\[0\] must be an integer ≥ 0; received -1/);
    throwsClass(() => new Tensor([1, 2] as never, [2]), ShapeError, /data must be a Float32Array or Float64Array; received an array/);
    throwsClass(() => tensor(['a'] as never), ShapeError, /values must all be numbers; received 'a' at flat index 0/);
    throwsClass(() => tensor(5 as never), ShapeError, /values must be an array/);
    assert.deepEqual(new Tensor(new Float32Array(0), [0, 3]).shape, [0, 3]);
  });

  test('a data length that does not match the shape names both, not the same shape twice', () => {
    throwsClass(() => new Tensor(new Float32Array(5), [2, 3]), ShapeError, /data length must equal the product of shape \(2, 3\) = 6; received 5 values/);
    const m = new Sequential({ head: new Dense({ inputSize: 2, outputSize: 3 }) });
    throwsClass(() => m.loadStateDict({ 'head.weight': { shape: [3, 2], data: new Float32Array(5) }, 'head.bias': { shape: [3], data: new Float32Array(3) } }), ShapeError, /head\.weight has shape \(3, 2\), which needs 6 values; its data holds 5/);
  });
});

describe('calls', () => {
  const model = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: false }), new Dense({ inputSize: 3, outputSize: 2 })]);
  const x = new Tensor(Float32Array.from({ length: 12 }, (_, k) => k / 12), [2, 3, 2]);

  test('lengths: null means no lengths (it was a TypeError)', () => {
    assert.deepEqual(model.predict(x, { lengths: null as never }).data, model.predict(x).data);
    const lstm = model.layers[0].layer as LSTM;
    assert.deepEqual(lstm.forward(x, { lengths: null }).output.data, lstm.forward(x).output.data);
    throwsClass(() => model.predict(x, { lengths: 'ab' as never }), ShapeError, /\[predict\] lengths must be an array of 2 integers \(one per row\), or omitted; received 'ab'/);
    throwsClass(() => model.predict(x, { lengths: [1.5, 1] }), ShapeError, /\[predict\] lengths\[0\] must be a positive integer .* received 1\.5/);
  });

  test('a Sequential whose layer sizes do not chain fails at construction (it failed only at predict)', () => {
    throwsClass(
      () => new Sequential([new LSTM({ inputSize: 2, hiddenSize: 4, returnSequences: false }), new Dense({ inputSize: 3, outputSize: 2 })]),
      ConfigError,
      /\[Sequential\] layer 'dense' \(Dense\) takes inputSize=3 features, but layer 'lstm' \(LSTM\) before it outputs 4\. Hint: set inputSize: 4 on 'dense'/,
    );
    throwsClass(() => new Sequential([new LSTM({ inputSize: 2, hiddenSize: 4, returnSequences: false }), new LSTM({ inputSize: 4, hiddenSize: 2 })]), ConfigError, /reads sequences \(B, T, F\), but layer 'lstm' .* outputs one vector per row \(B, 4\)/);
    throwsClass(() => new Sequential([new LSTM({ inputSize: 2, hiddenSize: 4, bidirectional: true }), new Dense({ inputSize: 4, outputSize: 1 })]), ConfigError, /takes inputSize=4 features, but .* outputs 8/);
    throwsClass(() => new Sequential([new Dense({ inputSize: 2, outputSize: 3 }), new Embedding({ numEmbeddings: 4, embeddingDim: 2 })]), ConfigError, /takes integer ids, so it must come first/);
    throwsClass(() => new Sequential(null as never), ConfigError, /layers must be an array/);
    // chains that are fine
    new Sequential([new Embedding({ numEmbeddings: 5, embeddingDim: 3 }), new LSTM({ inputSize: 3, hiddenSize: 4, bidirectional: true, projSize: 2 }), new LayerNorm({ normalizedShape: 4 }), new Dense({ inputSize: 4, outputSize: 1 })]);
  });

  test('kernels must be a name or a kernel family object (fuzz: arrays and plain objects reached the layer memory)', () => {
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 3, kernels: [] as never }), ConfigError, /kernels must be 'auto', a kernel name .* received an array/);
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 3, kernels: [1] as never }), ConfigError, /received an array/);
    throwsClass(() => new Dense({ inputSize: 2, outputSize: 3, kernels: { name: 'wasm' } as never }), ConfigError, /an object that is not a kernel family/);
    throwsClass(() => new LSTM({ inputSize: 2, hiddenSize: 3, kernels: 'gpu' as never }), ConfigError, /kernel 'gpu' is not loaded/);
  });

  test("isLongshortError tells the library's errors from bugs", () => {
    assert.equal(isLongshortError(new FormatError('x')), true);
    assert.equal(isLongshortError(new FileError('x', { path: '/p', code: 'ENOENT' })), true);
    assert.equal(isLongshortError(new TypeError('x')), false);
  });
});
