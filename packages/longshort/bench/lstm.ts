// Benchmark: one LSTM layer, inference and a full training step, longshort's kernel families (the
// reference, WebAssembly, and every other registered family — the native one once it loads; one
// thread, and the WebAssembly family with kernel threads and with the thread pool) against
// TensorFlow.js (cpu and wasm backends), ONNX Runtime (inference; one thread and two) and brain.js
// (training), all in one process on the same shapes. `npm run bench` (≈ 5 minutes on a quiet
// 2-core host, more on a busy one); `npm run bench -- --only S,L1` for a subset, `--quick` for
// fewer repetitions, `--fast` to skip the slowest measurements (longshort-ref and tfjs-cpu on M).
// Progress goes to stderr, tables to stdout.
//
// Configurations: S (B=32 T=50 I=32 H=64), M (B=64 T=100 I=128 H=256), L1 (B=1 T=100 I=32 H=128).
// FLOPs: forward = 2·4H·(I+H)·T·B (the two matrix products; the pointwise work is ignored);
// a training step ≈ 3× forward (forward + backward through time + weight gradients).
// Timing: each implementation warms up (at least 5 calls and 300 ms; V8 compiles WebAssembly in a
// baseline tier first), then runs repeatedly until a time budget is spent; medians of wall and
// process CPU time are reported. Single-threaded rows: GFLOP/s and "÷ wasm" (that row's time
// divided by longshort-wasm's; > 1 means longshort is faster) use the median of min(wall, cpu)
// per sample, which stays meaningful on a busy shared host (see timeit); two-thread rows (×2) use
// wall time. Rows ×2: longshort-wasm×2 runs kernel threads (createWasmKernelsThreaded: every big
// call split across this thread and a helper over shared memory); longshort-pool×2 the thread pool
// (createThreadPool: the batch's rows on worker replicas). At the end, issue #21's targets computed
// from this run's rows (the native family's one-thread rows and targets appear when it is
// registered; its two-thread targets are bench/native.ts's).
// Left out: TF.js cpu training on M (minutes per step), ONNX Runtime training (not in
// onnxruntime-node), brain.js inference (the issue names it as a training peer).

import v8 from 'node:v8';
import os from 'node:os';
import { createRequire } from 'node:module';
// Relaxed SIMD (fused multiply-add) needs this flag on Node 20 (on by default from Node 22);
// it must be set before the first WebAssembly module is compiled.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { LSTM } from '../src/nn/lstm.js';
import { Adam } from '../src/optim/adam.js';
import { loadWasmKernels } from '../src/kernels/wasm/node.js';
import { loadKernels } from '../src/kernels/node.js';
import type { Kernels } from '../src/kernels/types.js';
import { exportOnnx } from '../src/interop/onnx-export.js';
import { Tensor } from '../src/tensor.js';
import { Rng } from '../src/util/rng.js';
import { Sequential } from '../src/nn/sequential.js';
import { getKernels } from '../src/kernels/index.js';
import { createThreadPool } from '../src/train/threads-node.js';
import { createWasmKernelsThreaded } from '../src/kernels/wasm/threads-node.js';

import { CONFIGS, type Config } from './configs.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? new Set(args[onlyArg + 1].split(',')) : null;
const BUDGET_MS = quick ? 400 : 1000; // timed repetitions per implementation and mode
const MAX_REPS = quick ? 5 : 25;
const SLOW_MS = 3000; // CPU ms
const WARM_CALLS = 5; // warm-up calls (at least), and at least WARM_MS of them
const WARM_MS = quick ? 100 : 300;
const fast = args.includes('--fast');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Timing {
  ms: number; //  median wall-clock time
  cpu: number; // median CPU time of the whole process (all threads), ms
  t: number; //   median over samples of min(wall, cpu): the figure the rates and ratios use
  reps: number;
}

/**
 * Warm up, then repeat until the budget is spent (at least once); medians in ms.
 * CPU time is reported beside wall time because the host may be shared: when other jobs compete
 * for the cores, wall time stretches but a single-threaded computation's CPU time barely moves.
 * CPU time, in turn, also counts V8's helper threads (garbage collection, background compiles)
 * running beside a short call. Each sample therefore counts min(wall, cpu), which neither effect
 * can push below the real single-thread cost; rates and ratios use its median.
 */
async function timeit(label: string, fn: () => unknown | Promise<unknown>): Promise<Timing> {
  // warm-up (also compiles: V8 tiers WebAssembly up only between calls)
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const warmWall = performance.now() - t0;
  const warmCpu = process.cpuUsage(c0);
  // a call of several CPU-seconds is its own warm-up (JavaScript loops are optimised on the stack
  // within it), so it is taken as the single sample: keeps `npm run bench` within minutes. CPU
  // time, not wall time, decides, so a busy host does not turn a fast kernel's cold first call
  // into its measurement.
  const warmCpuMs = (warmCpu.user + warmCpu.system) / 1000;
  if (warmCpuMs > SLOW_MS) {
    process.stderr.write(`  ${label}: ${(warmWall / 1000).toFixed(1)} s (single sample)\n`);
    return { ms: warmWall, cpu: warmCpuMs, t: Math.min(warmWall, warmCpuMs), reps: 1 };
  }
  // more warm-up for fast calls (every implementation alike): V8 runs WebAssembly in its baseline
  // tier until a function has used its budget, and a call in progress never switches tiers
  const warmStart = performance.now();
  for (let k = 1; k < WARM_CALLS || performance.now() - warmStart < WARM_MS; k++) {
    if (performance.now() - warmStart > 4 * WARM_MS) break;
    await fn();
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  const best: number[] = [];
  const start = performance.now();
  while (wall.length < MAX_REPS && (wall.length === 0 || performance.now() - start < BUDGET_MS)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    best.push(Math.min(wall[wall.length - 1], cpu[cpu.length - 1]));
  }
  process.stderr.write(`  ${label}: ${median(wall).toFixed(2)} ms × ${wall.length}\n`);
  return { ms: median(wall), cpu: median(cpu), t: median(best), reps: wall.length };
}

function randTensor(shape: number[], rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.uniform(-1, 1);
  return new Tensor(d, shape);
}

interface Row {
  config: string;
  mode: 'inference' | 'training';
  impl: string;
  ms: number | null; // null: skipped
  cpu: number | null;
  t: number | null;
  reps: number;
  note?: string;
}

/**
 * One layer on kernel family k: inference = forward; training = forward, backward through time
 * and Adam (parameters, gradients and Adam's moments all in the family's memory). `threads` > 1:
 * k splits its calls (wall time is reported).
 */
async function benchLongshort(c: Config, k: Kernels, impl: string, rows: Row[], threads = 1): Promise<void> {
  const rng = new Rng(1);
  const lstm = new LSTM({ inputSize: c.I, hiddenSize: c.H, batchFirst: true, kernels: k, seed: 1 });
  const x = randTensor([c.B, c.T, c.I], rng);
  const dOut = randTensor([c.B, c.T, c.H], rng);
  const adam = new Adam(lstm.params(), { lr: 1e-3 });
  const wall = threads > 1;
  const inf = await timeit(`${c.name} ${impl} inference`, () => lstm.forward(x));
  rows.push({ config: c.name, mode: 'inference', impl, ms: inf.ms, cpu: inf.cpu, t: wall ? inf.ms : inf.t, reps: inf.reps, note: wall ? `kernel threads, ${threads} (wall time)` : undefined });
  const tr = await timeit(`${c.name} ${impl} training`, () => {
    lstm.zeroGrad();
    lstm.forward(x, { training: true });
    lstm.backward(dOut);
    adam.step();
  });
  rows.push({ config: c.name, mode: 'training', impl, ms: tr.ms, cpu: tr.cpu, t: wall ? tr.ms : tr.t, reps: tr.reps, note: wall ? `kernel threads, ${threads} (wall time), fwd+bwd+Adam` : 'fwd+bwd+Adam' });
  lstm.dispose();
}

/**
 * The WebAssembly family with kernel threads (src/kernels/wasm/threads-node.ts): each big call
 * split across this thread and threads − 1 helpers over one shared memory — batches by rows,
 * batch 1 by hidden units — with the default thresholds below which a call stays on one thread.
 */
async function benchKernelThreads(c: Config, threads: number, rows: Row[]): Promise<void> {
  const k = createWasmKernelsThreaded({ threads });
  if (k === null) return;
  try {
    await benchLongshort(c, k, `longshort-wasm×${threads}`, rows, threads);
  } finally {
    k.close();
  }
}

/**
 * longshort with its thread pool (src/train/threads.ts): the batch's rows split across `threads`
 * threads (this one and workers, each with its own replica of the model and WebAssembly kernels),
 * each running its rows through every time step; gradients reduced once per batch. Training =
 * pool.run (forward, MSE loss, backward, reduction) + Adam; inference = pool.predict.
 */
async function benchPool(c: Config, wasm: Kernels, threads: number, rows: Row[]): Promise<void> {
  const impl = `longshort-pool×${threads}`;
  if (c.B === 1) return; // one sequence has no rows to share
  const rng = new Rng(1);
  // on the WebAssembly kernels, as the workers are: with the default family (native, when it
  // loads) a batch below the pool's minWork would run on the main thread's native kernels
  const model = new Sequential({ lstm: new LSTM({ inputSize: c.I, hiddenSize: c.H, batchFirst: true, seed: 1, kernels: wasm }) });
  const x = randTensor([c.B, c.T, c.I], rng);
  const y = randTensor([c.B, c.T, c.H], rng);
  const adam = new Adam(model.params(), { lr: 1e-3 });
  const pool = await createThreadPool(model, { threads, mode: 'workers' });
  const batchRows = Int32Array.from({ length: c.B }, (_, k) => k);
  try {
    const inf = await timeit(`${c.name} ${impl} inference`, () => pool.predict(x));
    rows.push({ config: c.name, mode: 'inference', impl, ms: inf.ms, cpu: inf.cpu, t: inf.ms, reps: inf.reps, note: `${threads} threads (wall time)` });
    const step = async (): Promise<void> => {
      model.zeroGrad();
      await pool.run({ model, lossName: 'mse', x, y, lengths: null, rows: batchRows });
      adam.step();
    };
    const tr = await timeit(`${c.name} ${impl} training`, step);
    rows.push({ config: c.name, mode: 'training', impl, ms: tr.ms, cpu: tr.cpu, t: tr.ms, reps: tr.reps, note: `${threads} threads (wall time), fwd+MSE+bwd+reduce+Adam` });
  } finally {
    await pool.close();
  }
}

/** The part of brain.js 1.6.1 used here (the package ships no types). */
interface BrainLstmTimeStep {
  train(data: number[][][], options: { iterations: number; errorThresh: number; log: boolean }): { error: number; iterations: number };
}
const brain = createRequire(import.meta.url)('brain.js') as { recurrent: { LSTMTimeStep: new (o: { inputSize: number; hiddenLayers: number[]; outputSize: number }) => BrainLstmTimeStep } };

/**
 * brain.js 1.6.1 `recurrent.LSTMTimeStep` (pure JavaScript): one training iteration over B
 * sequences of T steps — its train() goes through them one by one, forward, backward through
 * time and an update each (its own RMSProp-style optimizer with clipping), with a Dense output
 * layer H → I on top. Training only (the issue names brain.js as a training peer).
 */
async function benchBrain(c: Config, rows: Row[]): Promise<void> {
  const rng = new Rng(1);
  const net = new brain.recurrent.LSTMTimeStep({ inputSize: c.I, hiddenLayers: [c.H], outputSize: c.I });
  const data = Array.from({ length: c.B }, () => Array.from({ length: c.T }, () => Array.from({ length: c.I }, () => rng.uniform(-1, 1))));
  rows.push({ config: c.name, mode: 'inference', impl: 'brain.js', ms: null, cpu: null, t: null, reps: 0, note: 'not measured (training peer)' });
  const tr = await timeit(`${c.name} brain.js training`, () => net.train(data, { iterations: 1, errorThresh: 0, log: false }));
  rows.push({ config: c.name, mode: 'training', impl: 'brain.js', ms: tr.ms, cpu: tr.cpu, t: tr.t, reps: tr.reps, note: 'LSTMTimeStep, 1 iteration = B sequences, per-sequence updates' });
}

/** Run fn with TF.js's advice banners ("install tfjs-node", "orthogonal initializer is slow") muted. */
async function quiet<T>(fn: () => T | Promise<T>): Promise<T> {
  const { log, warn } = console;
  console.log = console.warn = () => {};
  try {
    return await fn();
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

async function benchTfjs(c: Config, backend: 'cpu' | 'wasm', rows: Row[]): Promise<void> {
  await quiet(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });
  const impl = `tfjs-${backend}`;
  const model = await quiet(() => {
    const m = tf.sequential();
    // recurrentActivation 'sigmoid' (TF.js defaults to hardSigmoid) so the work matches
    m.add(tf.layers.lstm({ units: c.H, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [c.T, c.I] }));
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    return m;
  });
  const x = tf.randomUniform([c.B, c.T, c.I], -1, 1, 'float32', 1);
  const y = tf.randomUniform([c.B, c.T, c.H], -1, 1, 'float32', 2);
  const inf = await timeit(`${c.name} ${impl} inference`, async () => {
    const out = model.predict(x) as tf.Tensor;
    await out.data();
    out.dispose();
  });
  rows.push({ config: c.name, mode: 'inference', impl, ms: inf.ms, cpu: inf.cpu, t: inf.t, reps: inf.reps });
  if (backend === 'cpu' && c.name === 'M') {
    rows.push({ config: c.name, mode: 'training', impl, ms: null, cpu: null, t: null, reps: 0, note: 'skipped: minutes per step' });
  } else {
    const tr = await timeit(`${c.name} ${impl} training`, () => model.trainOnBatch(x, y));
    rows.push({ config: c.name, mode: 'training', impl, ms: tr.ms, cpu: tr.cpu, t: tr.t, reps: tr.reps, note: 'trainOnBatch, Adam' });
  }
  x.dispose();
  y.dispose();
  model.dispose();
}

async function benchOrt(c: Config, threads: number, rows: Row[]): Promise<void> {
  const rng = new Rng(1);
  const lstm = new LSTM({ inputSize: c.I, hiddenSize: c.H, batchFirst: true, seed: 1 });
  const bytes = exportOnnx(lstm, { finalStates: false });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const x = randTensor([c.B, c.T, c.I], rng);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x.data as Float32Array, [c.B, c.T, c.I]) };
  // same weights, same input: the two must agree, or the comparison means nothing
  const ours = lstm.forward(x).output.data;
  const theirs = (await session.run(feeds))[session.outputNames[0]].data as Float32Array;
  let maxDiff = ours.length === theirs.length ? 0 : Infinity;
  for (let i = 0; i < ours.length && maxDiff < Infinity; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
  const impl = threads === 1 ? 'onnxruntime' : `onnxruntime×${threads}`;
  const inf = await timeit(`${c.name} ${impl} inference`, () => session.run(feeds));
  // one thread: min(wall, cpu) like every single-threaded row; several: wall time
  const t = threads === 1 ? inf.t : inf.ms;
  rows.push({ config: c.name, mode: 'inference', impl, ms: inf.ms, cpu: inf.cpu, t, reps: inf.reps, note: `${threads} thread${threads > 1 ? 's (wall time)' : ''}; max |Δ| vs longshort ${maxDiff.toExponential(1)}` });
  if (threads === 1) rows.push({ config: c.name, mode: 'training', impl, ms: null, cpu: null, t: null, reps: 0, note: 'n/a (inference only)' });
  await session.release();
}

function skipped(c: Config, impl: string, rows: Row[]): void {
  for (const mode of ['inference', 'training'] as const) rows.push({ config: c.name, mode, impl, ms: null, cpu: null, t: null, reps: 0, note: 'skipped (--fast)' });
}

function gflops(c: Config, mode: Row['mode']): number {
  const fwd = 2 * 4 * c.H * (c.I + c.H) * c.T * c.B;
  return (mode === 'training' ? 3 : 1) * fwd;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

const THREADS = Math.max(2, os.availableParallelism());

async function main(): Promise<void> {
  const wasm = loadWasmKernels();
  if (wasm === null) throw new Error('no WebAssembly SIMD in this engine');
  // every other registered family (the native one, once its loader registers it) gets 1-thread rows too
  const others = loadKernels().filter((k) => k.name !== 'ref' && k.name !== 'wasm');
  const t0 = performance.now();
  console.log(`longshort LSTM benchmark — ${new Date().toISOString()}`);
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} ×${os.cpus().length}, longshort wasm variant: ${wasm.variant}, tfjs ${tf.version.tfjs}, onnxruntime-node ${ort.env.versions?.node ?? '?'}`);
  console.log(`budget ${BUDGET_MS} ms per measurement after a warm-up of ≥ ${WARM_CALLS} calls and ≥ ${WARM_MS} ms; medians. Single-threaded rows: GFLOP/s and ratios from min(wall, cpu) per sample;`);
  console.log(`rows marked ×${THREADS} use ${THREADS} threads and wall time: longshort-wasm×${THREADS} kernel threads, longshort-pool×${THREADS} the thread pool. TF.js runs on one thread (its threaded wasm build does not start under Node).`);
  console.log(`÷ wasm: that row's time ÷ longshort-wasm's (1 thread); ÷ ×${THREADS}: ÷ longshort-wasm×${THREADS}'s. Above 1 means longshort is faster.`);
  console.log(`load average at start: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')} (${os.cpus().length} cores)\n`);
  const rows: Row[] = [];
  for (const c of CONFIGS) {
    if (only !== null && !only.has(c.name)) continue;
    const before = rows.length;
    const skip = fast && c.name === 'M';
    await benchLongshort(c, wasm, 'longshort-wasm', rows);
    await benchKernelThreads(c, THREADS, rows);
    await benchPool(c, wasm, THREADS, rows);
    for (const k of others) await benchLongshort(c, k, `longshort-${k.name}`, rows);
    if (skip) skipped(c, 'longshort-ref', rows);
    else await benchLongshort(c, getKernels('ref'), 'longshort-ref', rows);
    await benchTfjs(c, 'wasm', rows);
    if (skip) skipped(c, 'tfjs-cpu', rows);
    else await benchTfjs(c, 'cpu', rows);
    await benchOrt(c, 1, rows);
    await benchOrt(c, THREADS, rows);
    await benchBrain(c, rows);
    print(c, rows.slice(before));
  }
  printTargets(rows);
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

function print(c: Config, rows: Row[]): void {
  console.log(`${c.name}: B=${c.B} T=${c.T} I=${c.I} H=${c.H}   forward ${(gflops(c, 'inference') / 1e9).toFixed(3)} GFLOP`);
  console.log(`  ${pad('mode', 10)} ${pad('implementation', 17)} ${pad('wall ms', 10, true)} ${pad('cpu ms', 10, true)} ${pad('GFLOP/s', 8, true)} ${pad('÷ wasm', 8, true)} ${pad(`÷ ×${THREADS}`, 8, true)}  reps  note`);
  const fmt = (v: number | null): string => (v === null ? '—' : v < 10 ? v.toFixed(3) : v.toFixed(1));
  for (const mode of ['inference', 'training'] as const) {
    const base = rows.find((r) => r.mode === mode && r.impl === 'longshort-wasm') ?? null;
    const baseN = rows.find((r) => r.mode === mode && r.impl === `longshort-wasm×${THREADS}`) ?? null;
    for (const r of rows.filter((q) => q.mode === mode)) {
      // GFLOP/s and ratios from r.t (see timeit and the header)
      const gf = r.t === null ? '—' : (gflops(c, mode) / (r.t * 1e6)).toFixed(2);
      const ratio = r.t === null || base?.t == null ? '—' : (r.t / base.t).toFixed(2);
      const ratioN = r.t === null || baseN?.t == null ? '—' : (r.t / baseN.t).toFixed(2);
      console.log(`  ${pad(mode, 10)} ${pad(r.impl, 17)} ${pad(fmt(r.ms), 10, true)} ${pad(fmt(r.cpu), 10, true)} ${pad(gf, 8, true)} ${pad(ratio, 8, true)} ${pad(ratioN, 8, true)}  ${pad(String(r.reps), 4, true)}  ${r.note ?? ''}`);
    }
  }
  console.log('');
}

/**
 * Issue #21's targets, each computed from this run's rows. The native family's one-thread targets
 * are measured once it is registered (its rows are named longshort-native); bench/native.ts has the
 * two-thread ones.
 */
function printTargets(rows: Row[]): void {
  const t = (config: string, mode: Row['mode'], impl: string): number | null => rows.find((r) => r.config === config && r.mode === mode && r.impl === impl)?.t ?? null;
  // thread speed-ups compare wall time with wall time (one thread's min(wall, cpu) would hide the
  // waiting that a busy host adds to both)
  const wall = (config: string, mode: Row['mode'], impl: string): number | null => rows.find((r) => r.config === config && r.mode === mode && r.impl === impl)?.ms ?? null;
  const ours1 = 'longshort-wasm';
  const oursN = `longshort-wasm×${THREADS}`;
  const lines: string[] = [];
  const line = (label: string, config: string, threads: string, value: number | null, goal: number, unit: string): void => {
    const v = value === null ? '—' : `${value.toFixed(2)}${unit}`;
    const verdict = value === null ? 'not measured' : value >= goal ? 'met' : 'not met';
    lines.push(`  ${pad(label, 58)} ${pad(config, 3)} ${pad(threads, 7, true)} ${pad(v, 10, true)} ${pad(`≥ ${goal}${unit}`, 9, true)}  ${verdict}`);
  };
  const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a / b);
  const gf = (config: string, mode: Row['mode'], impl: string): number | null => {
    const v = t(config, mode, impl);
    const c = CONFIGS.find((q) => q.name === config)!;
    return v === null ? null : gflops(c, mode) / (v * 1e6);
  };
  line('WebAssembly M training GFLOP/s', 'M', String(THREADS), gf('M', 'training', oursN), 50, '');
  for (const o of [ours1, oursN]) line('S training: TF.js wasm time ÷ WebAssembly time', 'S', o === ours1 ? '1' : String(THREADS), ratio(t('S', 'training', 'tfjs-wasm'), t('S', 'training', o)), 25, '×');
  line(`M training: ${THREADS} threads' speed-up over one (kernel threads, wall)`, 'M', String(THREADS), ratio(wall('M', 'training', ours1), wall('M', 'training', oursN)), 1.7, '×');
  for (const c of ['S', 'M', 'L1']) {
    for (const mode of ['inference', 'training'] as const) {
      line(`${mode}: ${THREADS} threads not slower than one (kernel threads, wall)`, c, String(THREADS), ratio(wall(c, mode, ours1), wall(c, mode, oursN)), 1, '×');
    }
  }
  for (const c of ['S', 'M', 'L1']) {
    line('native inference: ONNX Runtime time ÷ native time (1 thread each)', c, '1', ratio(t(c, 'inference', 'onnxruntime'), t(c, 'inference', 'longshort-native')), 1, '×');
  }
  console.log(`Issue #21's targets, from this run (ratios of rows measured in this run):`);
  console.log(`  ${pad('target', 58)} cfg threads      value      goal`);
  for (const l of lines) console.log(l);
  // the native family's targets with two threads (and its 1-thread ratios in alternating rounds,
  // which a busy host needs) are bench/native.ts's: it times native and ONNX Runtime round by round
  console.log(`  native inference with ${THREADS} threads and native M training GFLOP/s (≥ 100): bench/native.ts (\`npm run bench\` runs it last)`);
  console.log('');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
