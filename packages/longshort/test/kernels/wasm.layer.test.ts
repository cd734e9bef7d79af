// The WebAssembly kernels behind the public LSTM layer: after loadWasmKernels() (the Node edge)
// getKernels('wasm') and 'auto' return them, and a stacked bidirectional layer with projection,
// peepholes and per-row lengths gives the same outputs, final states and parameter/input
// gradients with kernels 'wasm' as with 'ref', within atol + rtol·|ref|.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getKernels } from '../../src/kernels/index.js';
import { loadWasmKernels } from '../../src/kernels/wasm/node.js';
import { LSTM, type LSTMOptions } from '../../src/nn/lstm.js';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';

function randT(shape: number[], rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.uniform(-1, 1);
  return new Tensor(d, shape);
}

function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  assert.equal(got.length, want.length);
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const tol = 5e-6 * scale + 5e-5 * Math.abs(want[i]);
    if (!(Math.abs(got[i] - want[i]) <= tol)) assert.fail(`${name}[${i}]: ref ${want[i]} wasm ${got[i]}`);
  }
}

describe('wasm kernels in the LSTM layer', () => {
  const k = loadWasmKernels();
  test('loadWasmKernels registers them: getKernels("wasm") and "auto"', () => {
    assert.ok(k !== null);
    assert.equal(getKernels('wasm').name, 'wasm');
    assert.equal(getKernels('auto').name, 'wasm');
    assert.equal(getKernels('ref').name, 'ref');
  });

  const configs: Array<{ name: string; opts: LSTMOptions; B: number; T: number; lengths?: number[] }> = [
    { name: 'plain', opts: { inputSize: 6, hiddenSize: 12, seed: 1 }, B: 4, T: 9 },
    {
      name: '2 layers, bidirectional, projection, peepholes, lengths',
      opts: { inputSize: 5, hiddenSize: 7, projSize: 3, numLayers: 2, bidirectional: true, peepholes: true, seed: 2 },
      B: 3, T: 6, lengths: [6, 2, 4],
    },
  ];
  for (const c of configs) {
    test(`same results with kernels 'wasm' and 'ref': ${c.name}`, () => {
      const rng = new Rng(11);
      const x = randT([c.B, c.T, c.opts.inputSize], rng);
      const layers = (['ref', 'wasm'] as const).map((kn) => new LSTM({ ...c.opts, kernels: kn }));
      assert.equal(layers[1].kernelName, 'wasm');
      const res = layers.map((l) => l.forward(x, { lengths: c.lengths }));
      close('output', res[1].output.data, res[0].output.data);
      close('h', res[1].h.data, res[0].h.data);
      close('c', res[1].c.data, res[0].c.data);
      const dOut = randT([...res[0].output.shape], rng);
      const back = layers.map((l) => {
        l.zeroGrad();
        return l.backward(dOut);
      });
      close('dx', back[1].dx.data, back[0].dx.data);
      const gr = layers[0].grads();
      const gw = layers[1].grads();
      for (const name of Object.keys(gr)) close(name, gw[name].data, gr[name].data);
    });
  }
});
