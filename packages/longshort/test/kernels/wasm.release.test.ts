// Batches of changing shape (variable-length training, G2P) must not grow WebAssembly memory
// without bound: the LSTM layer's workspaces hand the previous shape's buffers back to the arena
// when the shape changes, without waiting for the garbage collector. dispose() gives a layer's
// whole memory (parameters, gradients, buffers) back, and the layer refuses to be used afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWasmKernels } from '../../src/kernels/wasm/node.js';
import { LSTM } from '../../src/nn/lstm.js';
import { Dense } from '../../src/nn/dense.js';
import { Sequential } from '../../src/nn/sequential.js';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { ConfigError } from '../../src/errors.js';

test('changing batch shapes reuse arena memory', () => {
  const k = loadWasmKernels();
  assert.ok(k !== null, 'WebAssembly SIMD kernels load here');
  const lstm = new LSTM({ inputSize: 8, hiddenSize: 32, numLayers: 2, bidirectional: true, seed: 1, kernels: 'wasm' });
  const rng = new Rng(2);
  const run = (T: number, B: number) => {
    const x = new Tensor(Float32Array.from({ length: B * T * 8 }, () => rng.uniform(-1, 1)), [B, T, 8]);
    const r = lstm.forward(x, { training: true });
    lstm.backward(r.output);
  };
  // warm up with the largest shape, then cycle through 120 other shapes
  run(40, 16);
  const high = k.arena.highWater;
  const live = k.arena.persistentBytes;
  for (let n = 0; n < 120; n++) run(5 + (n * 7) % 36, 1 + (n * 5) % 16);
  run(40, 16);
  assert.ok(k.arena.highWater <= high * 1.25, `arena high-water ${k.arena.highWater} vs ${high} after the warm-up`);
  assert.ok(k.arena.persistentBytes <= live, `live bytes ${k.arena.persistentBytes} vs ${live}`);
});

test('dispose() returns a model\'s memory to the arena, and a disposed layer refuses to run', () => {
  const k = loadWasmKernels()!;
  const before = k.arena.persistentBytes;
  const model = new Sequential([new LSTM({ inputSize: 3, hiddenSize: 16, seed: 1, kernels: 'wasm' }), new Dense({ inputSize: 16, outputSize: 2, kernels: 'wasm' })]);
  const x = new Tensor(new Float32Array(2 * 5 * 3).fill(0.5), [2, 5, 3]);
  model.call(x, { training: true });
  assert.ok(k.arena.persistentBytes > before, 'parameters and buffers live in wasm memory');
  assert.ok(model.params().every((p) => k.owns(p.value) && k.owns(p.grad)));
  model.dispose();
  assert.equal(k.arena.persistentBytes, before);
  assert.throws(() => model.call(x, { training: false }), (e: Error) => e instanceof ConfigError && /disposed/.test(e.message));
});
