// Memory of a training step and of streaming inference, against what the step cannot do without.
// Run: npx tsx bench/memory.ts (part of npm run bench; each configuration in its own process,
// because WebAssembly memory never shrinks and one configuration's blocks would serve the next).
//
// Measured: the growth of ArrayBuffer memory (typed arrays: parameters, gradients, Adam's moments,
// the layer's workspace) plus the growth of the WebAssembly arena's peak high-water mark (in-place
// caches and the largest call's temporary blocks; memory the arena reserved beyond it is never touched,
// so the system never maps it), from just before the layer is built to
// after two training steps and a full garbage collection. The step's own input and target are
// made before the baseline and not counted.
// Minimum: weights + gradients + Adam's two moments (4 × parameters) + the activations a backward
// pass through time needs — per time step and row the four gates (4H), the cell state c_t (H) and
// the previous output h_{t−1} (P) — plus the input x (T·B·I), all float32.
import v8 from 'node:v8';
import vm from 'node:vm';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

import { CONFIGS } from './configs.js';
const MiB = 1024 * 1024;

async function measure(name: string): Promise<void> {
  const { LSTM } = await import('../src/nn/lstm.js');
  const { Adam } = await import('../src/optim/adam.js');
  const { loadWasmKernels } = await import('../src/kernels/wasm/node.js');
  const { Tensor } = await import('../src/tensor.js');
  const { Rng } = await import('../src/util/rng.js');
  const c = CONFIGS.find((q) => q.name === name)!;
  const wasm = loadWasmKernels();
  if (wasm === null) throw new Error('no WebAssembly SIMD in this engine');
  const rng = new Rng(1);
  const x = new Tensor(Float32Array.from({ length: c.B * c.T * c.I }, () => rng.uniform(-1, 1)), [c.B, c.T, c.I]);
  const dOut = new Tensor(Float32Array.from({ length: c.B * c.T * c.H }, () => rng.uniform(-1, 1)), [c.B, c.T, c.H]);
  const held = (): { js: number; wasm: number } => {
    gc();
    gc();
    return { js: process.memoryUsage().arrayBuffers, wasm: wasm.arena.peak };
  };
  const before = held();
  const lstm = new LSTM({ inputSize: c.I, hiddenSize: c.H, batchFirst: true, kernels: 'wasm', seed: 1 });
  const adam = new Adam(lstm.params(), { lr: 1e-3 });
  for (let k = 0; k < 2; k++) {
    lstm.zeroGrad();
    lstm.forward(x, { training: true });
    lstm.backward(dOut);
    adam.step();
  }
  const after = held();
  const params = lstm.params().reduce((s, p) => s + p.value.length, 0);
  const P = c.H;
  const acts = c.T * c.B * (4 * c.H + c.H + P) + c.T * c.B * c.I;
  const min = 4 * (4 * params + acts);
  const used = after.js - before.js + (after.wasm - before.wasm);

  // streaming inference: step() one time step at a time must not grow memory
  const s0 = held();
  let state = undefined as Parameters<typeof lstm.step>[1];
  const xt = new Tensor(x.data.slice(0, c.B * c.I), [c.B, c.I]);
  const stepMem: number[] = [];
  for (let k = 0; k < 2000; k++) {
    state = lstm.step(xt, state).state;
    if (k === 99 || k === 1999) {
      const m = held();
      stepMem.push(m.js - s0.js + (m.wasm - s0.wasm));
    }
  }
  console.log(JSON.stringify({ name, params, min, used, js: after.js - before.js, wasm: after.wasm - before.wasm, step100: stepMem[0], step2000: stepMem[1] }));
}

function table(): void {
  const rows: string[] = [];
  for (const c of CONFIGS) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', c.name], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`memory benchmark for ${c.name} failed:\n${r.stderr}`);
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
    rows.push(
      `| ${c.name} | ${(m.params * 16 / MiB).toFixed(2)} | ${((m.min - m.params * 16) / MiB).toFixed(2)} | ${(m.min / MiB).toFixed(2)} | ${(m.used / MiB).toFixed(2)} (${(m.js / MiB).toFixed(2)} JS + ${(m.wasm / MiB).toFixed(2)} wasm) | ${(m.used / m.min).toFixed(2)}× | ${(m.step100 / 1024).toFixed(0)} KB → ${(m.step2000 / 1024).toFixed(0)} KB |`,
    );
  }
  console.log(`memory benchmark — ${new Date().toISOString()}, Node ${process.versions.node}, one LSTM layer, WebAssembly kernels, Adam`);
  console.log('| config | weights+grads+Adam MiB | saved activations + x MiB | minimum MiB | training holds MiB | ÷ minimum | step() after 100 → 2000 steps |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const r of rows) console.log(r);
}

const one = process.argv.indexOf('--one');
if (one >= 0) await measure(process.argv[one + 1]);
else table();
