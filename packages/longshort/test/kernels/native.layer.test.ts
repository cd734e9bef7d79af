// The native family behind the public layers: a stacked bidirectional LSTM with projection,
// peepholes and per-row lengths, and Dense heads, give the same outputs, final states and
// parameter/input gradients with the native family (one thread and two) as with the reference
// family, within atol + rtol·|ref|; a small model trained by fit() for a few epochs follows the
// same loss curve and ends at the same weights (within tolerance). Skipped where no addon loads.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM, type LSTMOptions } from '../../src/nn/lstm.js';
import { Dense } from '../../src/nn/dense.js';
import { Sequential } from '../../src/nn/sequential.js';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { createNativeKernelsWith, nativeLoadError } from '../../src/kernels/native/node.js';
import type { NativeKernels } from '../../src/kernels/native/index.js';

function randT(shape: number[], rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.uniform(-1, 1);
  return new Tensor(d, shape);
}

function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 5e-6, rtol = 5e-5): void {
  assert.equal(got.length, want.length, `${name}: length`);
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= atol * scale + rtol * Math.abs(want[i]))) assert.fail(`${name}[${i}]: ref ${want[i]} native ${got[i]}`);
  }
}

const families: NativeKernels[] = [];
const one = createNativeKernelsWith({ threads: 1 });
const two = createNativeKernelsWith({ threads: 2, minSplitH: 1, minParFlops: 0, adaptive: false });
if (one !== null && two !== null) families.push(one, two);

describe('native family in the layers', { skip: families.length === 0 ? `no native addon here: ${nativeLoadError()}` : false }, () => {
  const configs: Array<{ name: string; opts: LSTMOptions; B: number; T: number; lengths?: number[] }> = [
    { name: 'plain', opts: { inputSize: 6, hiddenSize: 12, seed: 1 }, B: 4, T: 9 },
    { name: 'batch 1, H 70', opts: { inputSize: 3, hiddenSize: 70, seed: 3 }, B: 1, T: 30 },
    { name: 'batch 10, clip, coupled gates', opts: { inputSize: 5, hiddenSize: 9, clip: 0.6, coupledInputForget: true, seed: 4 }, B: 10, T: 7, lengths: [7, 1, 5, 7, 2, 6, 3, 7, 4, 5] },
    {
      name: '2 layers, bidirectional, projection, peepholes, lengths',
      opts: { inputSize: 5, hiddenSize: 7, projSize: 3, numLayers: 2, bidirectional: true, peepholes: true, seed: 2 },
      B: 9, T: 6, lengths: [6, 2, 4, 1, 6, 5, 3, 6, 2],
    },
  ];
  for (const k of families) {
    for (const c of configs) {
      test(`${k.detail}: same results as 'ref': ${c.name}`, () => {
        const rng = new Rng(11);
        const x = randT([c.B, c.T, c.opts.inputSize], rng);
        const layers = [new LSTM({ ...c.opts, kernels: 'ref' }), new LSTM({ ...c.opts, kernels: k })];
        assert.equal(layers[1].kernelName, 'native');
        const res = layers.map((l) => l.forward(x, { lengths: c.lengths, training: true }));
        close('output', res[1].output.data, res[0].output.data);
        close('h', res[1].h.data, res[0].h.data);
        close('c', res[1].c.data, res[0].c.data);
        const dOut = randT([...res[0].output.shape], rng);
        const back = layers.map((l) => {
          l.zeroGrad();
          return l.backward(dOut);
        });
        close('dx', back[1].dx.data, back[0].dx.data);
        close('dh0', back[1].dh0.data, back[0].dh0.data);
        const gr = layers[0].grads();
        const gn = layers[1].grads();
        for (const name of Object.keys(gr)) close(name, gn[name].data, gr[name].data);
        layers[1].dispose();
      });
    }

    test(`${k.detail}: fit() follows the reference's loss curve and weights`, async () => {
      const rng = new Rng(1);
      const N = 24, T = 6;
      const xd = new Float32Array(N * T * 2), yd = new Float32Array(N * 3);
      for (let i = 0; i < xd.length; i++) xd[i] = rng.uniform(-1, 1);
      for (let n = 0; n < N; n++) for (let j = 0; j < 3; j++) yd[n * 3 + j] = xd[n * T * 2 + j] * xd[(n * T + T - 1) * 2 + 1];
      const x = new Tensor(xd, [N, T, 2]), y = new Tensor(yd, [N, 3]);
      const model = (kernels: 'ref' | NativeKernels) =>
        new Sequential(
          {
            lstm: new LSTM({ inputSize: 2, hiddenSize: 16, numLayers: 2, bidirectional: true, returnSequences: false, seed: 1, kernels }),
            head: new Dense({ inputSize: 32, outputSize: 3, activation: 'tanh', seed: 2, kernels }),
          },
          { seed: 5 },
        );
      const a = model('ref'), b = model(k);
      const opts = { loss: 'mse' as const, optimizer: { name: 'adam' as const, lr: 0.01 }, batchSize: 8, seed: 3, epochs: 4 };
      const ha = await a.fit(x, y, opts);
      const hb = await b.fit(x, y, opts);
      close('losses', hb.epochs.map((e) => e.loss), ha.epochs.map((e) => e.loss), 1e-5, 1e-4);
      assert.ok(ha.epochs[3].loss < ha.epochs[0].loss, 'the model learns');
      const pa = a.params(), pb = b.params();
      for (let i = 0; i < pa.length; i++) close(pa[i].name, pb[i].value, pa[i].value, 1e-5, 1e-4);
    });
  }
  test('close the families', () => {
    for (const k of families) k.close();
  });
});
