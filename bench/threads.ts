// Data-parallel training steps on worker threads (src/train/threads-node.ts) against one thread,
// same model, same batch, WebAssembly kernels: a full step = forward, backward, gradient
// reduction and Adam. Run: npx tsx bench/threads.ts [--quick] (part of npm run bench)
import v8 from 'node:v8';
import { availableParallelism } from 'node:os';
import { LSTM, Sequential, Tensor, Rng, Adam } from '../src/index.js';
import { loadWasmKernels } from '../src/kernels/wasm/node.js';
import { createThreadPool } from '../src/train/threads-node.js';
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
    await step();
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      await step();
      times.push(performance.now() - t0);
    }
    // inference: model.predict on one thread, pool.predict across the threads
    const infer = async () => (pool ? await pool.predict(x) : model.predict(x));
    await infer();
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
