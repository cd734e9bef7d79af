// Memory of the WebAssembly path: a training step holds at most 1.5× what it cannot do without
// (weights, gradients, Adam's two moments, and the activations backpropagation through time
// needs: gates, c_t and h_{t−1} per step and row, plus the input), buffers are reused across
// batches of the same shape, and streaming inference with step() runs in constant memory.
// bench/memory.ts measures the same on the benchmark's shapes, JavaScript arrays included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWasmKernels } from '../../src/kernels/wasm/node.js';
import { LSTM } from '../../src/nn/lstm.js';
import { Adam } from '../../src/optim/adam.js';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';

test('a training step holds ≤ 1.5× weights + gradients + Adam + saved activations, and no more on later steps', () => {
  const k = loadWasmKernels();
  assert.ok(k !== null);
  const [B, T, I, H] = [32, 50, 32, 64]; // the benchmark's S
  const rng = new Rng(3);
  const x = new Tensor(Float32Array.from({ length: B * T * I }, () => rng.uniform(-1, 1)), [B, T, I]);
  const dy = new Tensor(Float32Array.from({ length: B * T * H }, () => rng.uniform(-1, 1)), [B, T, H]);
  const peak0 = k.arena.peak;
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, batchFirst: true, seed: 1, kernels: 'wasm' });
  const adam = new Adam(lstm.params(), { lr: 1e-3 });
  const step = () => {
    lstm.zeroGrad();
    lstm.forward(x, { training: true });
    lstm.backward(dy);
    adam.step();
  };
  step();
  step();
  const wasmBytes = k.arena.peak - peak0;
  const params = lstm.params().reduce((s, p) => s + p.value.length, 0);
  assert.ok(lstm.params().every((p) => k.owns(p.value) && k.owns(p.grad)), 'parameters and gradients live in wasm memory');
  const minimum = 4 * (4 * params + T * B * (4 * H + H + H) + T * B * I);
  // everything the layer and Adam hold lives in wasm memory: parameters, gradients, Adam's moments,
  // the workspaces (the returned tensors are the caller's)
  const held = wasmBytes;
  console.log(`  held ${held} bytes, minimum ${minimum}: ${(held / minimum).toFixed(3)}×`);
  assert.ok(held <= 1.5 * minimum, `held ${held} bytes; minimum ${minimum}; ratio ${(held / minimum).toFixed(2)}`);
  for (let n = 0; n < 5; n++) step();
  assert.equal(k.arena.peak - peak0, wasmBytes, 'later steps of the same shape allocate no new wasm memory');
});

test('step() streams in constant memory', () => {
  const k = loadWasmKernels()!;
  const lstm = new LSTM({ inputSize: 5, hiddenSize: 16, numLayers: 2, seed: 2, kernels: 'wasm' });
  const xt = new Tensor(Float32Array.from({ length: 4 * 5 }, (_, i) => Math.sin(i)), [4, 5]);
  let state = lstm.step(xt).state;
  for (let n = 0; n < 10; n++) state = lstm.step(xt, state).state;
  const peak = k.arena.peak;
  const top = k.arena.highWater;
  for (let n = 0; n < 500; n++) state = lstm.step(xt, state).state;
  assert.equal(k.arena.peak, peak);
  assert.equal(k.arena.highWater, top);
  assert.ok(state.h.data.every(Number.isFinite));
});
