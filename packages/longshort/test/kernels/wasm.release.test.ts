// Batches of changing shape (variable-length training, G2P) must not grow WebAssembly memory
// without bound: the LSTM layer hands its old caches back to the arena when the shape changes,
// without waiting for the garbage collector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWasmKernels } from '../../src/kernels/wasm/node.js';
import { LSTM } from '../../src/nn/lstm.js';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';

test('changing batch shapes reuse arena memory; a disposed cache cannot be read', () => {
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
  assert.ok(k.arena.persistentBytes <= live, `live cache bytes ${k.arena.persistentBytes} vs ${live}`);

  const cache = k.allocLstmCache({ T: 2, B: 1, D: 1, H: 1, P: 1 }, false, false, 'float32');
  assert.equal(cache.gates.length, 8);
  k.release(cache);
  assert.throws(() => cache.gates, /disposed cache/);
});
