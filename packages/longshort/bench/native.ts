// Benchmark: the native kernel (through the public LSTM layer) against ONNX Runtime, in one
// process, on the shapes of bench/lstm.ts — inference at 1 and 2 threads each, and the M training
// step (forward, backward through time, Adam) at 1 and 2 threads, with the WebAssembly kernel's
// one-thread training step as the in-run reference. `npx tsx bench/native.ts` (≈ 2–4 minutes);
// `--only S,L1`, `--rounds N`, `--quick`; `--tune` instead measures the two thread thresholds the
// native kernel uses (MIN_SPLIT_H, MIN_PAR_FLOPS in src/kernels/native/index.ts).
//
// Method, for a shared host: each pair (native, ONNX Runtime) is timed in alternating rounds —
// native for ~ROUND_MS, then ONNX Runtime for ~ROUND_MS, repeated, with a pause between rounds (idle()) — so both see the same load.
// One-thread samples count min(wall, process CPU) (as bench/lstm.ts: neither a busy host nor V8's
// helper threads can push that below the real cost); two-thread samples count wall time. A round's
// figure is its fastest sample (a call that was not preempted: on a host with more runnable
// threads than cores most calls are, by milliseconds, whatever the code), a row's time the median
// over rounds, and "ORT ÷ native" the median over rounds of the per-round ratio (> 1: native is
// faster). Each row also shows the median sample, for comparison with bench/lstm.ts.
// FLOPs as bench/lstm.ts: forward = 2·4H·(I+H)·T·B; training step ≈ 3× forward.
// The native and ORT outputs are compared before timing (same weights, same input), so the two
// compute the same thing.

import v8 from 'node:v8';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
// The WebAssembly reference row uses relaxed SIMD (fused multiply-add) as in bench/lstm.ts: on
// Node 20 this flag must be set before the first WebAssembly module is compiled.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
import * as ort from 'onnxruntime-node';
import { LSTM } from '../src/nn/lstm.js';
import { Adam } from '../src/optim/adam.js';
import { exportOnnx } from '../src/interop/onnx-export.js';
import { Tensor } from '../src/tensor.js';
import { Rng } from '../src/util/rng.js';
import { loadWasmKernels } from '../src/kernels/wasm/node.js';
import { createNativeKernelsWith, nativeLoadError } from '../src/kernels/native/node.js';
import type { NativeKernels } from '../src/kernels/native/index.js';

import { CONFIGS, type Config } from './configs.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const opt = (name: string): string | null => (args.includes(name) ? args[args.indexOf(name) + 1] : null);
const only = opt('--only') !== null ? new Set(opt('--only')!.split(',')) : null;
const ROUNDS = Number(opt('--rounds') ?? (quick ? 3 : 7));
const ROUND_MS = quick ? 60 : 150;
const WARM_MS = quick ? 100 : 300;
const IDLE_MS = 100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

type Fn = () => unknown | Promise<unknown>;

/** One sample: ms of wall time, or min(wall, CPU) when `single`. */
async function sample(fn: Fn, single: boolean): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  if (!single) return wall;
  const c = process.cpuUsage(c0);
  return Math.min(wall, (c.user + c.system) / 1000);
}

async function warm(fn: Fn): Promise<void> {
  const t0 = performance.now();
  for (let k = 0; k < 5 || performance.now() - t0 < WARM_MS; k++) {
    await fn();
    if (performance.now() - t0 > 4 * WARM_MS) break;
  }
}

/** Fastest and median of samples taken for about ROUND_MS (at least 3). */
async function round(fn: Fn, single: boolean): Promise<{ best: number; med: number }> {
  const xs: number[] = [];
  const t0 = performance.now();
  while (xs.length < 3 || (performance.now() - t0 < ROUND_MS && xs.length < 200)) xs.push(await sample(fn, single));
  return { best: Math.min(...xs), med: median(xs) };
}

interface Paired {
  a: number; // median over rounds of the round's fastest sample, ms
  b: number;
  aMed: number; // median over rounds of the round's median sample, ms
  bMed: number;
  ratio: number; // median over rounds of b/a (fastest samples)
  ratios: number[];
}

/**
 * A pause between rounds (IDLE_MS) while both thread pools go to sleep: each spins for a while after
 * its last call (ORT's intra-op pool by default, ours for SPIN_NS in native/src/pool.c), and a round
 * that starts while the other's pool still spins finds a core taken — its helper thread starts late,
 * and the native kernel's adaptive fallback (threads_ok in native/src/kernels.c) then runs the next
 * calls on one thread. Measured on M with 2 threads: no pause, native 37–53 ms with 6–19 of 20–25
 * calls threaded; a 50 ms pause, 31 ms with every call threaded (ORT 34 ms either way).
 */
async function idle(): Promise<void> {
  await new Promise((r) => setTimeout(r, IDLE_MS));
}

/** Alternating rounds of a and b; see the header. */
async function paired(a: Fn, b: Fn, single: boolean): Promise<Paired> {
  await warm(a);
  await idle();
  await warm(b);
  await idle();
  const ra: number[] = [], rb: number[] = [], ma: number[] = [], mb: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const ta = await round(a, single);
    await idle();
    const tb = await round(b, single);
    await idle();
    ra.push(ta.best);
    rb.push(tb.best);
    ma.push(ta.med);
    mb.push(tb.med);
    ratios.push(tb.best / ta.best);
  }
  return { a: median(ra), b: median(rb), aMed: median(ma), bMed: median(mb), ratio: median(ratios), ratios };
}

function randTensor(shape: number[], rng: Rng): Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.uniform(-1, 1);
  return new Tensor(d, shape);
}

function gflop(c: Config, mode: 'inference' | 'training'): number {
  return ((mode === 'training' ? 3 : 1) * 2 * 4 * c.H * (c.I + c.H) * c.T * c.B) / 1e9;
}

function nativeOrExit(threads: number): NativeKernels {
  const k = createNativeKernelsWith({ threads });
  if (k === null) {
    console.error(`no native kernel on this machine: ${nativeLoadError()}`);
    process.exit(1);
  }
  return k;
}

const lines: string[] = [];
function out(s = ''): void {
  console.log(s);
  lines.push(s);
}

async function inference(c: Config, threads: number): Promise<{ native: number; ort: number; nativeMed: number; ortMed: number; ratio: number; maxDiff: number; threaded: number }> {
  const rng = new Rng(1);
  const k = nativeOrExit(threads);
  const lstm = new LSTM({ inputSize: c.I, hiddenSize: c.H, batchFirst: true, seed: 1, kernels: k });
  const x = randTensor([c.B, c.T, c.I], rng);
  const session = await ort.InferenceSession.create(exportOnnx(lstm, { finalStates: false }), {
    intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x.data as Float32Array, [c.B, c.T, c.I]) };
  const ours = lstm.forward(x).output.data;
  const theirs = (await session.run(feeds))[session.outputNames[0]].data as Float32Array;
  let maxDiff = ours.length === theirs.length ? 0 : Infinity;
  for (let i = 0; i < ours.length && maxDiff < Infinity; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
  if (!(maxDiff < 1e-4)) throw new Error(`[bench] native and ONNX Runtime disagree on ${c.name}: max |Δ| = ${maxDiff}`);
  const p = await paired(() => lstm.forward(x), () => session.run(feeds), threads === 1);
  process.stderr.write(`  ${c.name} ×${threads}: native ${p.a.toFixed(3)} ms, ORT ${p.b.toFixed(3)} ms, rounds ${p.ratios.map((r) => r.toFixed(2)).join(' ')}\n`);
  const threaded = k.threadedCalls;
  await session.release();
  lstm.dispose();
  k.close();
  return { native: p.a, ort: p.b, nativeMed: p.aMed, ortMed: p.bMed, ratio: p.ratio, maxDiff, threaded };
}

async function training(c: Config, threads: number): Promise<{ native: number; wasm: number; nativeMed: number; ratio: number }> {
  const rng = new Rng(1);
  const k = nativeOrExit(threads);
  const x = randTensor([c.B, c.T, c.I], rng);
  const dOut = randTensor([c.B, c.T, c.H], rng);
  const make = (kernels: 'wasm' | NativeKernels): Fn => {
    const lstm = new LSTM({ inputSize: c.I, hiddenSize: c.H, batchFirst: true, seed: 1, kernels });
    const adam = new Adam(lstm.params(), { lr: 1e-3 });
    return () => {
      lstm.zeroGrad();
      lstm.forward(x, { training: true });
      lstm.backward(dOut);
      adam.step();
    };
  };
  const p = await paired(make(k), make('wasm'), threads === 1);
  process.stderr.write(`  ${c.name} training ×${threads}: native ${p.a.toFixed(1)} ms, wasm×1 ${p.b.toFixed(1)} ms\n`);
  k.close();
  return { native: p.a, wasm: p.b, nativeMed: p.aMed, ratio: p.ratio };
}

function cpuFlags(): string {
  try {
    const l = execFileSync('lscpu', { encoding: 'utf8' });
    const model = /Model name:\s*(.*)/.exec(l)?.[1] ?? '?';
    const flags = (/Flags:\s*(.*)/.exec(l)?.[1] ?? '').split(' ');
    const simd = flags.filter((f) => /^(sse4_2|avx|avx2|fma|avx512f|avx512dq|avx512bw|avx512vl|avx512_vnni|avx512_bf16|asimd|sve)$/.test(f));
    return `${model}; SIMD flags: ${simd.join(' ')}`;
  } catch {
    return os.cpus()[0]?.model ?? 'unknown cpu';
  }
}

async function tune(): Promise<void> {
  // 1. batch-1 forward: one thread vs two split by units, by H (sets MIN_SPLIT_H)
  out('batch 1, T 100, I 32: one thread vs two (split by units, a barrier per step), inference through the layer');
  out('  H      1 thread ms   2 threads ms   1÷2');
  for (const H of [64, 128, 192, 256, 384, 512]) {
    const rng = new Rng(2);
    const x = randTensor([1, 100, 32], rng);
    const k1 = nativeOrExit(1);
    const k2 = createNativeKernelsWith({ threads: 2, minSplitH: 1, adaptive: false })!;
    const l1 = new LSTM({ inputSize: 32, hiddenSize: H, seed: 1, kernels: k1 });
    const l2 = new LSTM({ inputSize: 32, hiddenSize: H, seed: 1, kernels: k2 });
    const p = await paired(() => l1.forward(x), () => l2.forward(x), false);
    out(`  ${String(H).padEnd(6)} ${p.a.toFixed(3).padStart(11)} ${p.b.toFixed(3).padStart(14)} ${(1 / p.ratio).toFixed(2).padStart(6)}`);
    l1.dispose();
    l2.dispose();
    k1.close();
    k2.close();
  }
  // 2. matrix products: one thread vs two, by size (sets MIN_PAR_FLOPS)
  out('\nsquare-ish matrix products C (n, n) = A (n, n)·B (n, n): one thread vs two');
  out('  n     multiply-adds   1 thread ms   2 threads ms   1÷2');
  for (const n of [32, 48, 64, 96, 128, 192, 256]) {
    const k1 = nativeOrExit(1);
    const k2 = createNativeKernelsWith({ threads: 2, minParFlops: 0, adaptive: false })!;
    const rng = new Rng(3);
    const A = randTensor([n, n], rng).data, B = randTensor([n, n], rng).data, C = new Float32Array(n * n);
    const p = await paired(() => k1.gemm(C, A, B, n, n, n, false, false, false), () => k2.gemm(C, A, B, n, n, n, false, false, false), false);
    out(`  ${String(n).padEnd(5)} ${String(n * n * n).padStart(13)} ${p.a.toFixed(4).padStart(13)} ${p.b.toFixed(4).padStart(14)} ${(1 / p.ratio).toFixed(2).padStart(6)}`);
    k1.close();
    k2.close();
  }
}

async function main(): Promise<void> {
  const probe = nativeOrExit(1);
  const wasm = loadWasmKernels();
  out(`native kernel benchmark — ${new Date().toISOString()}`);
  out(`node ${process.version}, ${os.cpus().length} cores, ${cpuFlags()}`);
  out(`native isa: ${probe.isa}; onnxruntime-node ${ort.env.versions?.node ?? '?'}; wasm variant ${wasm?.variant ?? 'none'}`);
  out(`load average at start: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}; ${ROUNDS} alternating rounds of ~${ROUND_MS} ms per pair`);
  probe.close();
  out('');
  if (args.includes('--tune')) return tune();
  const rows: string[] = [];
  const ratios: Record<string, number> = {};
  for (const c of CONFIGS) {
    if (only !== null && !only.has(c.name)) continue;
    for (const threads of [1, 2]) {
      const r = await inference(c, threads);
      ratios[`${c.name}×${threads}`] = r.ratio;
      rows.push(
        `| ${c.name} inference | ${threads} | ${r.native.toFixed(3)} ms (${(gflop(c, 'inference') / (r.native / 1e3)).toFixed(0)} GF/s) | ` +
          `${r.ort.toFixed(3)} ms (${(gflop(c, 'inference') / (r.ort / 1e3)).toFixed(0)} GF/s) | ${r.ratio.toFixed(2)}× | ` +
          `${r.nativeMed.toFixed(3)} / ${r.ortMed.toFixed(3)} ms | ${threads > 1 ? r.threaded : '—'} | ${r.maxDiff.toExponential(1)} |`,
      );
    }
  }
  out('| | threads | native (layer) | ONNX Runtime | ORT ÷ native | median samples native / ORT | native calls on 2 threads | max abs diff |');
  out('|---|---|---|---|---|---|---|---|');
  for (const r of rows) out(r);
  const train: Record<number, number> = {};
  const M = CONFIGS[1];
  if (only === null || only.has('M')) {
    out('');
    out('| M training step (fwd + BPTT + Adam) | threads | native | GF/s | median sample | wasm, 1 thread (same rounds) | wasm ÷ native |');
    out('|---|---|---|---|---|---|---|');
    for (const threads of [1, 2]) {
      const r = await training(M, threads);
      train[threads] = gflop(M, 'training') / (r.native / 1e3);
      out(`| M | ${threads} | ${r.native.toFixed(1)} ms | ${train[threads].toFixed(1)} | ${r.nativeMed.toFixed(1)} ms | ${r.wasm.toFixed(1)} ms | ${r.ratio.toFixed(2)}× |`);
    }
  }
  out('');
  out('Targets (#21), from this run:');
  for (const [key, v] of Object.entries(ratios)) out(`  inference ${key}: ORT time ÷ native time = ${v.toFixed(2)} (goal ≥ 1.0): ${v >= 1 ? 'met' : 'not met'}`);
  if (train[2] !== undefined) out(`  M training with 2 threads: ${train[2].toFixed(1)} GF/s (goal ≥ 100): ${train[2] >= 100 ? 'met' : 'not met'}`);
  out(`load average at end: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
