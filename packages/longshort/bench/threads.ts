// Threads against one thread, on the same model and batch, WebAssembly kernels, and the sizes below
// which a split does not pay (the thresholds the library uses). Run: npx tsx bench/threads.ts
// [--quick] (part of npm run bench). Every comparison alternates its contestants round by round,
// so that each sees the same load on a shared machine; medians of the rounds.
//
// 1. A full training step (forward, MSE, backward, Adam) and inference on S and M: one thread,
//    kernel threads (createWasmKernelsThreaded: each big call split over shared memory), and the
//    thread pool (createThreadPool: the batch's rows on worker replicas).
// 2. Crossover of kernel threads' row split (LSTM forward + backward at batch ≥ 8, with every call
//    split) against one thread, over work per call: where MIN_SPLIT_FLOPS belongs.
// 3. Crossover of the pool (every batch split) against one thread: where MIN_POOL_WORK belongs.
// 4. Batch-1 forward passes split by hidden units, H = 64 … 1024 (MIN_SPLIT_H), and the per-step
//    barrier's cost.
import v8 from 'node:v8';
import { availableParallelism } from 'node:os';
import { LSTM, Sequential, Tensor, Rng, Adam } from '../src/index.js';
import { loadWasmKernels } from '../src/kernels/wasm/node.js';
import { createThreadPool } from '../src/train/threads-node.js';
import { createWasmKernelsThreaded } from '../src/kernels/wasm/threads-node.js';
import { MIN_SPLIT_FLOPS, MIN_SPLIT_H } from '../src/kernels/wasm/index.js';
import { MIN_POOL_WORK } from '../src/train/threads.js';
import { localBatch } from '../src/train/fit.js';
import { resolveLoss } from '../src/train/losses.js';
import { gatherRows } from '../src/train/batch.js';
import type { Kernels } from '../src/kernels/types.js';

// relaxed SIMD (fused multiply-add) before any WebAssembly is compiled; Node ≥ 22 has it by default
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
const quick = process.argv.includes('--quick');
const wasm = loadWasmKernels();
if (wasm === null) throw new Error('no WebAssembly SIMD in this engine');
const THREADS = Math.max(2, availableParallelism());
const kt = createWasmKernelsThreaded({ threads: THREADS })!;
const ktAll = createWasmKernelsThreaded({ threads: THREADS, minFlops: 1, minHidden: 1 })!;
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[a.length >> 1];
const rand = (shape: number[], rng: Rng): Tensor => new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)), shape);

/**
 * Each contestant's best round: `rounds` rounds, each running every contestant `reps` times (after
 * `warm` warm-up calls); a round's figure is the median of its reps, a contestant's the lowest of
 * its rounds. On this VM whole rounds run ~2× slow at random (one thread as much as two: a vCPU
 * descheduled, not our code), and a median over rounds let those decide a ratio; noise only adds
 * time, so the fastest round is the estimate of what the code costs.
 */
async function race(contestants: Record<string, () => unknown | Promise<unknown>>, rounds: number, reps: number, warm = 3): Promise<Record<string, number>> {
  const names = Object.keys(contestants);
  for (const n of names) for (let k = 0; k < warm; k++) await contestants[n]();
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const n of names) {
      // idle first: the previous contestant's threads (kernel helpers, pool workers) spin for a
      // while after their last call, and a round that starts meanwhile finds a core taken
      await new Promise((res) => setTimeout(res, 100));
      const ts: number[] = [];
      for (let k = 0; k < reps; k++) {
        const t0 = performance.now();
        await contestants[n]();
        ts.push(performance.now() - t0);
      }
      times[n].push(median(ts));
    }
  }
  return Object.fromEntries(names.map((n) => [n, Math.min(...times[n])]));
}

console.log(`threads benchmark — ${new Date().toISOString()}, Node ${process.versions.node}, ${availableParallelism()} cores, kernels wasm (${wasm.variant}), ${THREADS} threads`);

// ------------------------------------------------------------------------------------- 1. S and M
{
  const configs = [
    { name: 'S', B: 32, T: 50, I: 32, H: 64 },
    { name: 'M', B: 64, T: 100, I: 128, H: 256 },
  ];
  console.log('\n| config | mode | 1 thread ms | kernel threads ms | speed-up | pool ms | speed-up | GFLOP/s (kernel threads) |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const c of quick ? configs.slice(0, 1) : configs) {
    const rng = new Rng(1);
    const x = rand([c.B, c.T, c.I], rng);
    const y = rand([c.B, c.T, c.H], rng);
    const rows = Int32Array.from({ length: c.B }, (_, k) => k);
    const flops = 2 * 4 * c.H * (c.I + c.H) * c.T * c.B;
    const loss = resolveLoss('mse');
    const make = (k: Kernels) => {
      const model = new Sequential({ lstm: new LSTM({ inputSize: c.I, hiddenSize: c.H, seed: 1, kernels: k }) });
      return { model, opt: new Adam(model.params(), { lr: 1e-3 }) };
    };
    const one = make(wasm);
    const threaded = make(kt);
    const pooled = make(wasm);
    const pool = await createThreadPool(pooled.model, { threads: THREADS, minWork: 0, mode: 'workers' });
    const local = (m: { model: Sequential; opt: Adam }) => () => {
      localBatch(m.model, loss.fn, false, gatherRows(x, rows), gatherRows(y, rows), undefined);
      m.opt.step();
    };
    const rounds = quick ? 3 : c.name === 'M' ? 5 : 9;
    const reps = c.name === 'M' ? 2 : 8;
    const tr = await race({
      one: local(one),
      kernel: local(threaded),
      pool: async () => {
        await pool.run({ model: pooled.model, lossName: 'mse', x, y, lengths: null, rows });
        pooled.opt.step();
      },
    }, rounds, reps);
    const inf = await race({ one: () => one.model.predict(x), kernel: () => threaded.model.predict(x), pool: () => pool.predict(x) }, rounds, reps);
    await pool.close();
    for (const [mode, r, f] of [['training step', tr, 3 * flops], ['inference', inf, flops]] as const) {
      console.log(`| ${c.name} | ${mode} | ${r.one.toFixed(2)} | ${r.kernel.toFixed(2)} | ${(r.one / r.kernel).toFixed(2)}× | ${r.pool.toFixed(2)} | ${(r.one / r.pool).toFixed(2)}× | ${(f / r.kernel / 1e6).toFixed(1)} |`);
    }
  }
}

// ------------------------------------------------------------------------------------- 2. kernel threads' crossover
{
  console.log(`\nKernel threads, every call split (minFlops 1) vs one thread: LSTM forward + backward, T = 20 (default MIN_SPLIT_FLOPS = ${MIN_SPLIT_FLOPS / 1e6} M multiply-adds per call)`);
  console.log('| B | H | multiply-adds per forward call (M) | 1 thread ms | split ms | speed-up |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  const shapes = quick ? [[8, 16], [16, 64], [32, 128]] : [[8, 8], [8, 16], [8, 32], [16, 32], [16, 64], [32, 64], [32, 128], [64, 128]];
  for (const [B, H] of shapes) {
    const T = 20;
    const I = 16;
    const rng = new Rng(2);
    const x = rand([B, T, I], rng);
    const dy = rand([B, T, H], rng);
    const mk = (k: Kernels) => new LSTM({ inputSize: I, hiddenSize: H, seed: 1, kernels: k });
    const a = mk(wasm);
    const b = mk(ktAll);
    const run = (l: LSTM) => () => {
      l.forward(x, { training: true });
      l.backward(dy);
    };
    const r = await race({ one: run(a), split: run(b) }, quick ? 3 : 7, 10);
    const work = T * B * 4 * H * (I + H);
    console.log(`| ${B} | ${H} | ${(work / 1e6).toFixed(2)} | ${r.one.toFixed(3)} | ${r.split.toFixed(3)} | ${(r.one / r.split).toFixed(2)}× |`);
  }
}

// ------------------------------------------------------------------------------------- 3. the pool's crossover
{
  console.log(`\nThread pool, every batch split (minWork 0) vs one thread: a training step (default MIN_POOL_WORK = ${MIN_POOL_WORK / 1e6} M)`);
  console.log('| B | T | H | rows × steps × parameters (M) | 1 thread ms | pool ms | speed-up |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  const shapes = quick ? [[8, 20, 32], [32, 50, 64]] : [[8, 20, 32], [16, 20, 64], [32, 20, 64], [32, 50, 64], [64, 50, 128], [64, 100, 256]];
  for (const [B, T, H] of shapes) {
    const I = 16;
    const rng = new Rng(3);
    const x = rand([B, T, I], rng);
    const y = rand([B, T, H], rng);
    const rows = Int32Array.from({ length: B }, (_, k) => k);
    const loss = resolveLoss('mse');
    const m1 = new Sequential({ lstm: new LSTM({ inputSize: I, hiddenSize: H, seed: 1, kernels: wasm }) });
    const m2 = new Sequential({ lstm: new LSTM({ inputSize: I, hiddenSize: H, seed: 1, kernels: wasm }) });
    const pool = await createThreadPool(m2, { threads: THREADS, minWork: 0, mode: 'workers' });
    const r = await race({
      one: () => localBatch(m1, loss.fn, false, gatherRows(x, rows), gatherRows(y, rows), undefined),
      pool: () => pool.run({ model: m2, lossName: 'mse', x, y, lengths: null, rows }),
    }, quick ? 3 : 7, B * T * H < 100000 ? 10 : 3);
    await pool.close();
    const params = m1.params().reduce((s, p) => s + p.value.length, 0);
    console.log(`| ${B} | ${T} | ${H} | ${((B * T * params) / 1e6).toFixed(1)} | ${r.one.toFixed(2)} | ${r.pool.toFixed(2)} | ${(r.one / r.pool).toFixed(2)}× |`);
  }
}

// ------------------------------------------------------------------------------------- 4. batch 1
{
  console.log(`\nBatch-1 forward, T=100 I=32, hidden units split (default from H = ${MIN_SPLIT_H})`);
  console.log('| H | 1 thread ms | 2 threads (units) ms | speed-up |');
  console.log('|---:|---:|---:|---:|');
  for (const H of quick ? [128, 512] : [64, 128, 256, 512, 1024]) {
    const rng = new Rng(1);
    const x = rand([1, 100, 32], rng);
    const a = new LSTM({ inputSize: 32, hiddenSize: H, batchFirst: true, seed: 1, kernels: wasm });
    const b = new LSTM({ inputSize: 32, hiddenSize: H, batchFirst: true, seed: 1, kernels: ktAll });
    const r = await race({ one: () => a.forward(x), split: () => b.forward(x) }, quick ? 3 : 5, H >= 1024 ? 5 : 20, 10);
    console.log(`| ${H} | ${r.one.toFixed(3)} | ${r.split.toFixed(3)} | ${(r.one / r.split).toFixed(2)}× |`);
  }
  // the barrier's cost: at H = 8 a step is almost nothing, so two threads' extra time per step is the hand-off
  const T = 1000;
  const rng = new Rng(2);
  const x = rand([1, T, 4], rng);
  const a = new LSTM({ inputSize: 4, hiddenSize: 8, batchFirst: true, seed: 1, kernels: wasm });
  const b = new LSTM({ inputSize: 4, hiddenSize: 8, batchFirst: true, seed: 1, kernels: ktAll });
  const r = await race({ one: () => a.forward(x), split: () => b.forward(x) }, 5, 20, 10);
  console.log(`\nper-step barrier (H=8, T=${T}): ${(((r.split - r.one) / T) * 1000).toFixed(2)} µs (one thread ${((r.one / T) * 1000).toFixed(2)} µs per step, two ${((r.split / T) * 1000).toFixed(2)})`);
}
kt.close();
ktAll.close();
