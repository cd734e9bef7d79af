// LSTM({ bias: false }) — PyTorch's nn.LSTM(bias=False) — everywhere: no bias parameters (params,
// state dict, model files), the same numbers as a layer whose biases are zero (reference and
// WebAssembly kernels), exact float64 gradients, ONNX export without the B input (ONNX Runtime
// agrees) and import back, and the PyTorch safetensors bridge in both directions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM } from '../../src/nn/lstm.js';
import { Dense } from '../../src/nn/dense.js';
import { Sequential } from '../../src/nn/sequential.js';
import { Tensor } from '../../src/tensor.js';
import { modelFromBytes, modelToBytes } from '../../src/io/model.js';
import { exportOnnx, importOnnx } from '../../src/interop/onnx.js';
import { loadOnnx } from '../../src/interop/onnx-run.js';
import { fromPytorchStateDict, loadPytorchSafetensors, savePytorchSafetensors, toPytorchStateDict } from '../../src/interop/pytorch.js';
import { wasmVariants } from '../kernels/wasm-variants.js';
import { checkGrad, dot, fill } from '../helpers/fd.js';
import { maxAbsDiff, rand, runOrt } from '../interop/onnx-helpers.js';

const opts = { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 5 } as const;

/** A bias: true twin with the same weights and zero biases. */
function zeroBiasTwin(l: LSTM): LSTM {
  const twin = new LSTM({ ...opts, bias: true, batchFirst: l.batchFirst, dtype: l.dtype });
  const sd: Record<string, Tensor> = { ...l.stateDict() };
  for (const p of twin.params()) if (p.name.startsWith('bias_')) sd[p.name] = new Tensor(new Float32Array(p.value.length), p.shape);
  twin.loadStateDict(sd);
  return twin;
}

describe('LSTM bias: false', () => {
  test('no bias parameters, PyTorch names, config keeps the option; forgetBias does not apply', () => {
    const l = new LSTM({ ...opts, bias: false });
    const names = l.params().map((p) => p.name);
    assert.ok(!names.some((n) => n.startsWith('bias')), names.join());
    assert.deepEqual(names.slice(0, 2), ['weight_ih_l0', 'weight_hh_l0']);
    assert.equal(names.length, 8); // 2 layers × 2 directions × (weight_ih, weight_hh)
    assert.equal(l.config().bias, false);
    assert.throws(() => new LSTM({ ...opts, bias: 'no' as unknown as boolean }), /bias must be true or false; received ['"]no['"]/);
  });

  test('outputs equal a zero-bias layer (reference kernel), and the WebAssembly kernels agree', () => {
    const l = new LSTM({ ...opts, bias: false, kernels: 'ref' });
    const twin = zeroBiasTwin(l);
    twin.useKernels('ref');
    const x = rand([2, 5, 3], 1);
    const a = l.forward(x);
    const b = twin.forward(x);
    assert.deepEqual(Array.from(a.output.data), Array.from(b.output.data));
    for (const k of wasmVariants()) {
      l.useKernels(k);
      assert.ok(maxAbsDiff(l.forward(x).output.data, a.output.data) < 1e-6, k.variant);
    }
  });

  test('float64 gradients by central differences; the biases stay zero through training steps', () => {
    const l = new LSTM({ ...opts, bias: false, dtype: 'float64' });
    for (const p of l.params()) fill(p.value, p.name.length * 17 + p.value.length, 0.6);
    const x = new Tensor(fill(new Float64Array(2 * 3 * 3), 3), [2, 3, 3]);
    const w = fill(new Float64Array(2 * 3 * 8), 4);
    const loss = (): number => dot(l.forward(x).output.data, w);
    l.zeroGrad();
    l.forward(x);
    const g = l.backward(new Tensor(w, [2, 3, 8]));
    checkGrad('x', x.data, g.dx.data, loss);
    for (const p of l.params()) checkGrad(p.name, p.value, p.grad, loss);
    // an optimizer only ever sees params(): after an update the layer is still a zero-bias layer
    for (const p of l.params()) for (let k = 0; k < p.value.length; k++) p.value[k] -= 0.1 * p.grad[k];
    const twin = zeroBiasTwin(l);
    assert.ok(maxAbsDiff(l.forward(x).output.data, twin.forward(x).output.data) < 1e-15);
  });

  test('model files round-trip it', () => {
    const m = new Sequential([['lstm', new LSTM({ ...opts, bias: false })], ['head', new Dense({ inputSize: 8, outputSize: 2 })]]);
    const back = modelFromBytes(modelToBytes(m)).model;
    assert.equal((back.get('lstm') as LSTM).bias, false);
    assert.deepEqual(back.params().map((p) => p.name), m.params().map((p) => p.name));
    const x = rand([2, 4, 3], 2);
    assert.deepEqual(Array.from(back.call(x, { training: false }).data), Array.from(m.call(x, { training: false }).data));
  });

  test('ONNX: exported without B (what torch.onnx.export writes for bias=False), ONNX Runtime agrees, imports back as bias: false', async () => {
    const l = new LSTM({ ...opts, bias: false, batchFirst: false });
    const bytes = exportOnnx(l);
    const x = rand([5, 2, 3], 3);
    const ort = await runOrt(bytes, { input: { data: x.data as Float32Array, dims: x.shape } });
    const ours = l.forward(x);
    assert.ok(maxAbsDiff(ort.output.data, ours.output.data) < 1e-5);
    assert.ok(maxAbsDiff(ort.h_n.data, ours.h.data) < 1e-5);
    const back = importOnnx(bytes).layers[0].layer as LSTM;
    assert.equal(back.bias, false);
    assert.ok(maxAbsDiff(back.forward(x).output.data, ours.output.data) < 1e-6);
    const run = loadOnnx(bytes).run({ input: x });
    assert.ok(maxAbsDiff(run.h_n.data, ours.h.data) < 1e-6);
  });

  test('PyTorch bridge: state dict without bias names both ways; architecture says bias: false', () => {
    const m = new Sequential([['lstm', new LSTM({ ...opts, bias: false, returnSequences: false })], ['head', new Dense({ inputSize: 8, outputSize: 2 })]]);
    const sd = toPytorchStateDict(m, { lstm: 'rnn.', head: 'fc.' });
    assert.ok(!Object.keys(sd).some((k) => k.startsWith('rnn.bias')));
    const back = loadPytorchSafetensors(savePytorchSafetensors(m, { lstm: 'rnn.', head: 'fc.' }));
    assert.equal((back.layers[0].layer as LSTM).bias, false);
    const x = rand([2, 4, 3], 4);
    assert.deepEqual(Array.from(back.call(x, { training: false }).data), Array.from(m.call(x, { training: false }).data));
    // detected from names: no bias_ih_l0 → bias: false
    const detected = fromPytorchStateDict(sd);
    assert.equal((detected.layers[0].layer as LSTM).bias, false);
  });
});
