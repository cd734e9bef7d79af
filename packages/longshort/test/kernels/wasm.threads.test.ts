// Kernel threads (src/kernels/wasm/threads-node.ts): a batch-1 forward pass split by columns
// between this thread and a helper thread must give exactly the one-thread WebAssembly results —
// every element is computed by the same code in the same order — and backward from a split
// forward must give the same gradients. Awkward sizes: a thread with no units (H = 1), tails of 1
// to 3 units, lengths, reverse, peepholes with clip (the generic cell).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { loadWasmKernels } from '../../src/kernels/wasm/node.js';
import { createWasmKernelsThreaded } from '../../src/kernels/wasm/threads-node.js';
import { LSTM, type LSTMOptions } from '../../src/nn/lstm.js';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

const one = loadWasmKernels();
// minHidden 1: split every batch-1 call, however small, so the tests reach every boundary case
const two = createWasmKernelsThreaded({ minHidden: 1 });
after(() => two?.close());

interface Case {
  name: string;
  T: number;
  I: number;
  H: number;
  opts?: Partial<LSTMOptions>;
  lengths?: number[];
}

const cases: Case[] = [
  { name: 'H=128 (the L1 benchmark shape, shorter)', T: 20, I: 32, H: 128 },
  { name: 'H=1: one thread has no units', T: 5, I: 3, H: 1 },
  { name: 'H=5: 4 + 1 units', T: 6, I: 2, H: 5 },
  { name: 'H=67, T=9 (projection rows split 4 + 5)', T: 9, I: 7, H: 67 },
  { name: 'length 3 of 8', T: 8, I: 3, H: 12, lengths: [3] },
  { name: 'bidirectional (reverse direction), 2 layers', T: 7, I: 4, H: 9, opts: { bidirectional: true, numLayers: 2 } },
  { name: 'peepholes and clip (generic cell)', T: 6, I: 3, H: 10, opts: { variant: 'PH', clip: 0.6 } },
];

describe('kernel threads: batch-1 forward split by columns', () => {
  test('the threads build loads and reports two threads', () => {
    assert.ok(one !== null && two !== null, 'WebAssembly SIMD with threads and SharedArrayBuffer are available here');
    assert.equal(two.threads, 2);
    assert.equal(one.threads, 1);
  });
  for (const c of cases) {
    test(c.name, () => {
      const rng = new Rng(7);
      const make = () => new LSTM({ inputSize: c.I, hiddenSize: c.H, batchFirst: true, seed: 3, kernels: 'wasm', ...c.opts });
      const a = make();
      const b = make();
      b.useKernels(two!);
      const x = new Tensor(Float32Array.from({ length: c.T * c.I }, () => rng.uniform(-1, 1)), [1, c.T, c.I]);
      const opts = { training: true, lengths: c.lengths };
      const ra = a.forward(x, opts);
      const rb = b.forward(x, opts);
      assert.deepEqual(rb.output.data, ra.output.data, 'outputs');
      assert.deepEqual(rb.h.data, ra.h.data, 'final h');
      assert.deepEqual(rb.c.data, ra.c.data, 'final c');
      const dy = new Tensor(Float32Array.from({ length: ra.output.size }, () => rng.uniform(-1, 1)), ra.output.shape);
      const ga = a.backward(dy);
      const gb = b.backward(dy);
      assert.deepEqual(gb.dx.data, ga.dx.data, 'dx');
      const pa = a.params();
      const pb = b.params();
      pa.forEach((p, k) => assert.deepEqual(pb[k].grad, p.grad, `gradient of ${p.name}`));
    });
  }
  test('batches of more than one row (never split) give the one-thread results', () => {
    const rng = new Rng(8);
    const a = new LSTM({ inputSize: 3, hiddenSize: 8, seed: 1, kernels: 'wasm' });
    const b = new LSTM({ inputSize: 3, hiddenSize: 8, seed: 1, kernels: 'wasm' });
    b.useKernels(two!);
    const x = new Tensor(Float32Array.from({ length: 4 * 5 * 3 }, () => rng.uniform(-1, 1)), [4, 5, 3]);
    assert.deepEqual(b.forward(x).output.data, a.forward(x).output.data);
  });
});
