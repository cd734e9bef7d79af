// Data-parallel training steps on worker threads (src/train/threads-node.ts) against one thread,
// same model, same batch, WebAssembly kernels: a full step = forward, backward, gradient
// reduction and Adam. Then batch-1 forward passes with kernel threads (columns split) against one. Run: npx tsx bench/threads.ts [--quick] (part of npm run bench)
import v8 from 'node:v8';
import { availableParallelism } from 'node:os';
import { LSTM, Sequential, Tensor, Rng, Adam } from '../src/index.js';
import { loadWasmKernels } from '../src/kernels/wasm/node.js';
import { createThreadPool } from '../src/train/threads-node.js';
import { createWasmKernelsThreaded } from '../src/kernels/wasm/threads-node.js';
import { localBatch } from '../src/train/fit.js';
import { resolveLoss } from '../src/train/losses.js';
import { gatherRows } from '../src/train/batch.js';

// relaxed SIMD (fused multiply-add) before any WebAssembly is compiled; Node ≥ 22 has it by default
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
const quick = process.argv.includes('--quick');
const wasm = loadWasmKernels();
const configs = [
  { name: 'S', B: 32, T: 50, I: 32, H: 64 },
  { name: 'M', B: 64, T: 100, I: 128, H: 256 },
];
const cores = availableParallelism();
console.log(`threads benchmark — ${new Date().toISOString()}, Node ${process.versions.node}, ${cores} cores, kernels ${wasm ? `wasm (${wasm.variant})` : 'ref'}`);
const rows: string[] = [];
for (const c of quick ? configs.slice(0, 1) : configs) {
  const rng = new Rng(1);
  const x = new Tensor(Float32Array.from({ length: c.B * c.T * c.I }, () => rng.uniform(-1, 1)), [c.B, c.T, c.I]);
  const y = new Tensor(Float32Array.from({ length: c.B * c.T * c.H }, () => rng.uniform(-1, 1)), [c.B, c.T, c.H]);
  const batchRows = Int32Array.from({ length: c.B }, (_, k) => k);
  const flops = 3 * 2 * 4 * c.H * (c.I + c.H) * c.T * c.B;
  let base = 0;
  let ibase = 0;
  for (const threads of [1, Math.max(2, cores)]) {
    const model = new Sequential({ lstm: new LSTM({ inputSize: c.I, hiddenSize: c.H, seed: 1 }) });
    const opt = new Adam(model.params(), { lr: 1e-3 });
    const pool = threads > 1 ? await createThreadPool(model, { threads }) : null;
    const loss = resolveLoss('mse');
    const step = async () => {
      if (pool) await pool.run({ model, lossName: 'mse', x, y, lengths: null, rows: batchRows });
      else localBatch(model, loss.fn, false, gatherRows(x, batchRows), gatherRows(y, batchRows), undefined);
      opt.step();
    };
    const reps = quick ? 3 : c.name === 'M' ? 5 : 15;
    for (let k = 0; k < 5; k++) await step(); // warm-up: V8 optimises WebAssembly between calls
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      await step();
      times.push(performance.now() - t0);
    }
    // inference: model.predict on one thread, pool.predict across the threads
    const infer = async () => (pool ? await pool.predict(x) : model.predict(x));
    for (let k = 0; k < 5; k++) await infer();
    const itimes: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      await infer();
      itimes.push(performance.now() - t0);
    }
    await pool?.close();
    const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
    const ms = median(times);
    const ims = median(itimes);
    if (threads === 1) {
      base = ms;
      ibase = ims;
    }
    rows.push(`| ${c.name} | training step | ${threads} | ${ms.toFixed(1)} | ${(flops / ms / 1e6).toFixed(1)} | ${(base / ms).toFixed(2)}× |`);
    rows.push(`| ${c.name} | inference | ${threads} | ${ims.toFixed(1)} | ${(flops / 3 / ims / 1e6).toFixed(1)} | ${(ibase / ims).toFixed(2)}× |`);
  }
}
console.log('| config | mode | threads | ms (median) | GFLOP/s | speed-up |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows.sort()) console.log(r);

// Batch 1: kernel threads split each forward call's columns (hidden units) between this thread and
// a helper, with a barrier after every step (src/kernels/wasm/threads-node.ts); forced at every
// size here to show where it pays (the default starts at H = 256).
const kt = createWasmKernelsThreaded({ minHidden: 1 });
if (kt !== null) {
  console.log('');
  console.log('| batch-1 forward, T=100 I=32 | 1 thread ms | 2 threads (columns) ms | speed-up |');
  console.log('|---|---:|---:|---:|');
  for (const H of quick ? [128, 512] : [64, 128, 256, 512, 1024]) {
    const rng = new Rng(1);
    const x = new Tensor(Float32Array.from({ length: 100 * 32 }, () => rng.uniform(-1, 1)), [1, 100, 32]);
    const a = new LSTM({ inputSize: 32, hiddenSize: H, batchFirst: true, seed: 1, kernels: wasm ? 'wasm' : 'ref' });
    const b = new LSTM({ inputSize: 32, hiddenSize: H, batchFirst: true, seed: 1 });
    b.useKernels(kt);
    const time = (l: LSTM): number => {
      for (let k = 0; k < 10; k++) l.forward(x);
      const ts: number[] = [];
      const reps = H >= 1024 ? 15 : 60;
      for (let k = 0; k < reps; k++) {
        const t0 = performance.now();
        l.forward(x);
        ts.push(performance.now() - t0);
      }
      return ts.sort((p, q) => p - q)[reps >> 1];
    };
    // alternate the two so that both see the same host load
    const ta: number[] = [];
    const tb: number[] = [];
    for (let round = 0; round < 3; round++) {
      ta.push(time(a));
      tb.push(time(b));
    }
    const ma = [...ta].sort((p, q) => p - q)[1];
    const mb = [...tb].sort((p, q) => p - q)[1];
    console.log(`| H=${H} | ${ma.toFixed(3)} | ${mb.toFixed(3)} | ${(ma / mb).toFixed(2)}× |`);
  }
  // the barrier's cost: at H = 8 a step is almost nothing, so two threads' extra time per step is
  // the hand-off between them
  {
    const T = 1000;
    const rng = new Rng(2);
    const x = new Tensor(Float32Array.from({ length: T * 4 }, () => rng.uniform(-1, 1)), [1, T, 4]);
    const a = new LSTM({ inputSize: 4, hiddenSize: 8, batchFirst: true, seed: 1, kernels: wasm ? 'wasm' : 'ref' });
    const b = new LSTM({ inputSize: 4, hiddenSize: 8, batchFirst: true, seed: 1 });
    b.useKernels(kt);
    const time = (l: LSTM): number => {
      for (let k = 0; k < 10; k++) l.forward(x);
      const ts: number[] = [];
      for (let k = 0; k < 40; k++) {
        const t0 = performance.now();
        l.forward(x);
        ts.push(performance.now() - t0);
      }
      return ts.sort((p, q) => p - q)[20];
    };
    const ta = time(a);
    const tb = time(b);
    console.log(`\nper-step barrier (H=8, T=${T}): ${(((tb - ta) / T) * 1000).toFixed(2)} µs (one thread ${((ta / T) * 1000).toFixed(2)} µs per step, two ${((tb / T) * 1000).toFixed(2)})`);
  }
  kt.close();
}
