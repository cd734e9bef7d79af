// Kernel threads (src/kernels/wasm/threads-node.ts): calls split between this thread and helper
// threads must give exactly the one-thread WebAssembly results — every element is computed by the
// same code in the same order. Batch 1: the forward pass split by hidden units, and backward from
// it. Batches: forward and backward split by rows (weight gradients by rows of the result), the
// Dense layer's matrix products by rows, and a whole training step of a model. Awkward sizes: a
// thread with no units (H = 1) or no rows (B = 3), tails of 1 to 3, lengths, reverse, projection,
// peepholes with clip (the generic cell, whose peephole gradients are summed after the loop).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { loadWasmKernels } from '../../src/kernels/wasm/node.js';
import { createWasmKernelsThreaded } from '../../src/kernels/wasm/threads-node.js';
import { LSTM, type LSTMOptions } from '../../src/nn/lstm.js';
import { Dense } from '../../src/nn/dense.js';
import { LayerNorm } from '../../src/nn/layernorm.js';
import { Sequential } from '../../src/nn/sequential.js';
import { Adam } from '../../src/optim/adam.js';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

const one = loadWasmKernels();
// minHidden 1, minFlops 1: split every call, however small, so the tests reach every boundary case
const two = createWasmKernelsThreaded({ threads: 2, minHidden: 1, minFlops: 1 });
const three = createWasmKernelsThreaded({ threads: 3, minHidden: 1, minFlops: 1 });
after(() => {
  two?.close();
  three?.close();
});

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
});

interface BatchCase {
  name: string;
  B: number;
  T: number;
  I: number;
  H: number;
  opts?: Partial<LSTMOptions>;
  lengths?: number[];
}

const batchCases: BatchCase[] = [
  { name: 'B=3 (below 8 rows: the recurrence is not split)', B: 3, T: 4, I: 3, H: 5 },
  { name: 'B=8 on 3 threads: one thread has no rows', B: 8, T: 4, I: 3, H: 5 },
  { name: 'B=8, H=64', B: 8, T: 6, I: 7, H: 64 },
  { name: 'B=13, H=9, lengths', B: 13, T: 7, I: 4, H: 9, lengths: [7, 1, 3, 7, 2, 5, 6, 4, 7, 1, 2, 3, 7] },
  { name: 'B=10, projection 12→5, bidirectional, 2 layers', B: 10, T: 5, I: 3, H: 12, opts: { projSize: 5, bidirectional: true, numLayers: 2 } },
  { name: 'B=9, peepholes and clip, reverse', B: 9, T: 6, I: 3, H: 11, opts: { variant: 'PH', clip: 0.6, reverse: true }, lengths: [6, 5, 4, 3, 2, 1, 6, 6, 2] },
  { name: 'B=16, coupled gates, hardSigmoid', B: 16, T: 3, I: 5, H: 20, opts: { coupledInputForget: true, activations: { gate: 'hardSigmoid' } } },
];

describe('kernel threads: batches split by rows', () => {
  for (const c of batchCases) {
    for (const [label, k] of [['2 threads', two], ['3 threads', three]] as const) {
      test(`${c.name}, ${label}`, () => {
        const rng = new Rng(9);
        const make = () => new LSTM({ inputSize: c.I, hiddenSize: c.H, batchFirst: true, seed: 3, kernels: 'wasm', ...c.opts });
        const a = make();
        const b = make();
        b.useKernels(k!);
        const x = new Tensor(Float32Array.from({ length: c.B * c.T * c.I }, () => rng.uniform(-1, 1)), [c.B, c.T, c.I]);
        const opts = { training: true, lengths: c.lengths };
        const ra = a.forward(x, opts);
        const before = k!.splitCalls;
        const rb = b.forward(x, opts);
        if (c.B >= 8) assert.ok(k!.splitCalls > before, 'the forward pass ran on several threads');
        assert.deepEqual(rb.output.data, ra.output.data, 'outputs');
        assert.deepEqual(rb.h.data, ra.h.data, 'final h');
        assert.deepEqual(rb.c.data, ra.c.data, 'final c');
        const dy = new Tensor(Float32Array.from({ length: ra.output.size }, () => rng.uniform(-1, 1)), ra.output.shape);
        const ga = a.backward(dy);
        const gb = b.backward(dy);
        assert.deepEqual(gb.dx.data, ga.dx.data, 'dx');
        const pa = a.params();
        const pb = b.params();
        pa.forEach((p, n) => assert.deepEqual(pb[n].grad, p.grad, `gradient of ${p.name}`));
      });
    }
  }

  test('a model\'s training step (LSTM, Dense with softmax, LayerNorm, Adam) is the same on 1 and 2 threads', () => {
    const rng = new Rng(10);
    const build = (k: 'wasm' | NonNullable<typeof two>) =>
      new Sequential([
        ['lstm', new LSTM({ inputSize: 6, hiddenSize: 24, seed: 1, kernels: k })],
        ['norm', new LayerNorm({ normalizedShape: 24, kernels: k })],
        ['head', new Dense({ inputSize: 24, outputSize: 7, activation: 'softmax', seed: 2, kernels: k })],
      ]);
    const one = build('wasm');
    const many = build(two!);
    const x = new Tensor(Float32Array.from({ length: 12 * 9 * 6 }, () => rng.uniform(-1, 1)), [12, 9, 6]);
    const dy = new Tensor(Float32Array.from({ length: 12 * 9 * 7 }, () => rng.uniform(-1, 1)), [12, 9, 7]);
    const opts = [one, many].map((m) => new Adam(m.params(), { lr: 0.01 }));
    for (let s = 0; s < 3; s++) {
      [one, many].forEach((m, i) => {
        m.zeroGrad();
        m.call(x, { training: true });
        m.callBackward(dy);
        opts[i].step();
      });
    }
    assert.ok(two!.splitCalls > 0);
    const p1 = one.params();
    const p2 = many.params();
    p1.forEach((p, n) => assert.deepEqual(p2[n].value, p.value, `after 3 steps: ${p.name}`));
  });
});
