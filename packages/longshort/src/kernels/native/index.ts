// The native kernel family: the `Kernels` interface (../types.ts) over a Node-API addon written in
// C (native/src: AVX-512, AVX2+FMA or SSE2 builds on x86-64 chosen at run time by cpuid, NEON on
// arm64; its own persistent thread pool), float32 only. This file never touches the file system
// or `process`: ./node.ts finds and loads the addon and hands it here.
//
// Memory: the addon reads and writes Float32Arrays in place wherever they live (a typed array's
// memory is native memory already), so no argument is ever copied into or out of a call. alloc()
// hands out 64-byte-aligned arrays outside the JavaScript heap (aligned rows stream faster:
// ≈ 15% on batch-1 steps) that stay in place for their whole life; free() returns one at once
// (its buffer is detached), and the garbage collector returns the others. Between calls the addon
// keeps only its scratch — weights packed into panels, per-thread state — grown on the first call
// of a larger shape and reused after that.
//
// What runs where: matrix products, LSTM forward and backward (every cell option: variants,
// peepholes, clip, projection, lengths, reverse), dense forward/backward and activations run
// natively; layer normalisation, CTC and the optimizer updates run the reference arithmetic on the
// same arrays (they are memory-bound loops; the optimizers' float64 arithmetic keeps resumed runs
// bit-exact across families). float64 arrays always run the reference arithmetic.
//
// Threads: `threads` (default 1) is this family's pool size; a call uses them where they pay —
// LSTM batches ≥ 8 split into chunks of rows (no synchronisation inside the time loop; threads
// take the next chunk when done, so a thread that starts late costs nothing), smaller batches
// without projection split by hidden units from minSplitH (a barrier per step), products above
// minParFlops multiply-adds split into row blocks. When the calling thread keeps waiting for the
// others (an oversubscribed host), the next calls run on one thread for a while (`adaptive`).
// Results do not depend on the number of threads (every element is computed by the same code in
// the same order whichever thread runs it).

import type { Arr, DType } from '../../tensor.js';
import { refKernels } from '../ref/index.js';
import { ACTIVATIONS, type ActivationName } from '../activations.js';
import { DENSE_ACTIVATIONS, type DenseActivation, type Kernels, type LstmRun } from '../types.js';

/** The addon's ABI version this adapter speaks (native/src/addon.c LS_ADDON_ABI). */
export const ADDON_ABI = 2;

/** An opaque context from createContext (a thread pool and scratch). */
export type NativeContext = { readonly __nativeContext: unique symbol };

type F32 = Float32Array;
type Opt = Float32Array | null;

/** The functions native/src/addon.c exports (it checks every array's type and length against the sizes). */
export interface NativeAddon {
  readonly abi: number;
  /** sha-256 of native/src at build time (test/kernels/native.loader.test.ts compares it with the sources). */
  readonly sourceHash: string;
  info(): { isa: string; lanes: number; supported: string[] };
  createContext(threads: number, isa?: string | null): NativeContext;
  destroyContext(ctx: NativeContext): void;
  setTuning(ctx: NativeContext, minSplitH: number, minParFlops: number, adaptive: boolean): void;
  contextInfo(ctx: NativeContext): { isa: string; threads: number; minSplitH: number; minParFlops: number; adaptive: boolean; threadedCalls: number };
  swapAxes(dst: F32, src: F32, A: number, B: number, F: number): void;
  gemm(ctx: NativeContext, C: F32, A: F32, B: F32, M: number, N: number, K: number, transA: boolean, transB: boolean, accumulate: boolean): void;
  lstmForward(
    ctx: NativeContext, y: F32, hN: F32, cN: F32,
    gates: F32, pre: Opt, cacheC0: F32, c: F32, hPrev: F32, r: Opt,
    x: F32, h0: F32, c0: F32, wih: F32, whh: F32, bih: F32, bhh: F32, whr: Opt, peep: Opt,
    dims: Int32Array, lengths: Int32Array | null, reverse: boolean, cell: Int32Array, clip: number,
  ): void;
  lstmBackward(
    ctx: NativeContext, gwih: F32, gwhh: F32, gbih: F32, gbhh: F32, gwhr: Opt, gpeep: Opt,
    dx: F32, dh0: F32, dc0: F32, dy: F32, dhN: Opt, dcN: Opt,
    gates: F32, pre: Opt, cacheC0: F32, c: F32, hPrev: F32, r: Opt,
    x: F32, wih: F32, whh: F32, whr: Opt, peep: Opt,
    dims: Int32Array, lengths: Int32Array | null, reverse: boolean, cell: Int32Array, clip: number,
  ): void;
  denseForward(ctx: NativeContext, y: F32, x: F32, W: F32, b: Opt, M: number, I: number, O: number, act: number): void;
  denseBackward(ctx: NativeContext, dx: Opt, dW: F32, db: Opt, dz: F32, dy: F32, x: F32, W: F32, y: F32, M: number, I: number, O: number, act: number): void;
  activationForward(ctx: NativeContext, y: F32, x: F32, rows: number, cols: number, act: number): void;
  activationBackward(ctx: NativeContext, dx: F32, dy: F32, y: F32, rows: number, cols: number, act: number): void;
  cellActivation(ctx: NativeContext, code: number, y: F32, x: F32): void;
  allocF32(n: number): F32;
  freeF32(a: F32): void;
  allocatedBytes(): number;
}

/** How a native kernel family is made (createNativeKernelsWith, loadNativeKernels): its threads, instruction set and the sizes below which it stays on one thread. */
export interface NativeKernelOptions {
  /** Threads one call may use (this family's pool size); default 1. */
  threads?: number;
  /** Cap the instruction set ('avx512' | 'avx2' | 'sse2' | 'neon'); default: the best this CPU runs. */
  isa?: string;
  /** Smallest H whose batch < 8 passes are split by hidden units across threads (default MIN_SPLIT_H). */
  minSplitH?: number;
  /** LSTM passes and matrix products below this many multiply-adds run on one thread (default MIN_PAR_FLOPS). */
  minParFlops?: number;
  /**
   * Default true: a call does not wait for a thread that has not started (it runs on those that
   * have), and when the calling thread keeps waiting for the others anyway (a host with more busy
   * threads than cores) the next calls run on one thread for a while, then threads are tried again.
   * false: every thread takes part in every call the sizes split (tests of the threaded paths).
   */
  adaptive?: boolean;
}

export interface NativeKernels extends Kernels {
  readonly name: 'native';
  /** The instruction set that runs: 'avx512', 'avx2', 'sse2' or 'neon'. */
  readonly isa: string;
  /** Calls in which another thread of the pool took part so far (tests and benchmarks check that threads were used). */
  readonly threadedCalls: number;
  /** y[i] = f(x[i]) with the kernel's vectorised cell activation (for accuracy tests). */
  activation(name: ActivationName, x: Float32Array): Float32Array;
  /** Stop this family's threads now (they also stop when it is garbage-collected); it must not be used afterwards. */
  close(): void;
}

/**
 * Default smallest hidden size whose batch < 8 passes split by units: below it the per-step
 * barrier costs about what half a step saves (bench/native.ts --tune measures the crossover;
 * batch 1 reads Whh from L2 at ~3 µs per 512×128 step on the project's Zen 4 host). Measured
 * 2026-12-03 with the flag barrier (native/src/pool.h): two threads ÷ one at T 100 = 1.00 for
 * H 64, 1.58 for H 128, 1.96 for H 256 (256 was the default while the barrier cost ~1 µs).
 */
export const MIN_SPLIT_H = 128;
/**
 * Default smallest work (multiply-adds) split between threads: below it, waking the pool and
 * joining it (≈ 10–50 µs, far more on an oversubscribed host) costs more than half the call saves.
 */
export const MIN_PAR_FLOPS = 4 << 20;

function isF32(...arrs: Array<Arr | null>): boolean {
  for (const a of arrs) if (a !== null && !(a instanceof Float32Array)) return false;
  return true;
}

export function createNativeKernels(addon: NativeAddon, options: NativeKernelOptions = {}): NativeKernels {
  const threads = options.threads ?? 1;
  const ctx = addon.createContext(threads, options.isa ?? null);
  addon.setTuning(ctx, options.minSplitH ?? MIN_SPLIT_H, options.minParFlops ?? MIN_PAR_FLOPS, options.adaptive ?? true);
  const isa = addon.contextInfo(ctx).isa;
  // per-call argument blocks, reused (a call allocates nothing)
  const dims = new Int32Array(5);
  const cell = new Int32Array(7);
  /** The arrays alloc() made (free() takes only those), and their buffers (owns() counts subarrays too). */
  const made = new WeakSet<Float32Array>();
  const mine = new WeakSet<ArrayBufferLike>();

  const setRun = (run: LstmRun): void => {
    const { T, B, D, H, P } = run.dims;
    dims[0] = T;
    dims[1] = B;
    dims[2] = D;
    dims[3] = H;
    dims[4] = P;
    const s = run.spec;
    // activation codes: the order of ACTIVATIONS (native/src/vec.h numbers them the same way)
    cell[0] = ACTIVATIONS.indexOf(s.gateAct);
    cell[1] = ACTIVATIONS.indexOf(s.cellAct);
    cell[2] = ACTIVATIONS.indexOf(s.hiddenAct);
    cell[3] = +s.inputGate;
    cell[4] = +s.forgetGate;
    cell[5] = +s.outputGate;
    cell[6] = +s.coupled;
  };

  const alloc = (n: number, dtype: DType): Arr => {
    if (dtype === 'float64') return new Float64Array(n);
    const a = addon.allocF32(n);
    made.add(a);
    mine.add(a.buffer);
    return a;
  };

  const swapAxes: Kernels['swapAxes'] = (dst, src, A, B, F) => {
    if (!isF32(dst, src)) return refKernels.swapAxes(dst, src, A, B, F);
    addon.swapAxes(dst as F32, src as F32, A, B, F);
  };

  const gemm: Kernels['gemm'] = (C, A, B, M, N, K, transA, transB, accumulate) => {
    if (!isF32(C, A, B)) return refKernels.gemm(C, A, B, M, N, K, transA, transB, accumulate);
    addon.gemm(ctx, C as F32, A as F32, B as F32, M, N, K, transA, transB, accumulate);
  };

  const lstmForward: Kernels['lstmForward'] = (y, hN, cN, cache, x, h0, c0, w, run) => {
    if (!isF32(y, hN, cN, x, h0, c0, w.wih, w.whh, w.bih, w.bhh, w.whr, w.peep, cache.gates, cache.pre, cache.c0, cache.c, cache.hPrev, cache.r)) {
      return refKernels.lstmForward(y, hN, cN, cache, x, h0, c0, w, run);
    }
    setRun(run);
    addon.lstmForward(
      ctx, y as F32, hN as F32, cN as F32,
      cache.gates as F32, cache.pre as Opt, cache.c0 as F32, cache.c as F32, cache.hPrev as F32, cache.r as Opt,
      x as F32, h0 as F32, c0 as F32, w.wih as F32, w.whh as F32, w.bih as F32, w.bhh as F32, w.whr as Opt, w.peep as Opt,
      dims, run.lengths, run.reverse, cell, run.spec.clip,
    );
  };

  const lstmBackward: Kernels['lstmBackward'] = (g, dx, dh0, dc0, dy, dhN, dcN, cache, work, x, w, run) => {
    if (!isF32(g.wih, g.whh, g.bih, g.bhh, g.whr, g.peep, dx, dh0, dc0, dy, dhN, dcN, cache.gates, cache.pre, cache.c0, cache.c, cache.hPrev, cache.r, x, w.wih, w.whh, w.whr, w.peep)) {
      return refKernels.lstmBackward(g, dx, dh0, dc0, dy, dhN, dcN, cache, work, x, w, run);
    }
    setRun(run);
    addon.lstmBackward(
      ctx, g.wih as F32, g.whh as F32, g.bih as F32, g.bhh as F32, g.whr as Opt, g.peep as Opt,
      dx as F32, dh0 as F32, dc0 as F32, dy as F32, dhN as Opt, dcN as Opt,
      cache.gates as F32, cache.pre as Opt, cache.c0 as F32, cache.c as F32, cache.hPrev as F32, cache.r as Opt,
      x as F32, w.wih as F32, w.whh as F32, w.whr as Opt, w.peep as Opt,
      // without the forward's pre-activations the clamp passes every gradient (as the reference)
      dims, run.lengths, run.reverse, cell, cache.pre !== null ? run.spec.clip : Infinity,
    );
  };

  const code = (act: DenseActivation): number => DENSE_ACTIVATIONS.indexOf(act);

  const denseForward: Kernels['denseForward'] = (y, x, W, b, M, I, O, act) => {
    if (!isF32(y, x, W, b)) return refKernels.denseForward(y, x, W, b, M, I, O, act);
    addon.denseForward(ctx, y as F32, x as F32, W as F32, b as Opt, M, I, O, code(act));
  };

  const denseBackward: Kernels['denseBackward'] = (dx, dW, db, dz, dy, x, W, y, M, I, O, act) => {
    if (!isF32(dx, dW, db, dz, dy, x, W, y)) return refKernels.denseBackward(dx, dW, db, dz, dy, x, W, y, M, I, O, act);
    addon.denseBackward(ctx, dx as Opt, dW as F32, db as Opt, dz as F32, dy as F32, x as F32, W as F32, y as F32, M, I, O, code(act));
  };

  const activationForward: Kernels['activationForward'] = (y, x, rows, cols, act) => {
    if (!isF32(y, x)) return refKernels.activationForward(y, x, rows, cols, act);
    addon.activationForward(ctx, y as F32, x as F32, rows, cols, code(act));
  };

  const activationBackward: Kernels['activationBackward'] = (dx, dy, y, rows, cols, act) => {
    if (!isF32(dx, dy, y)) return refKernels.activationBackward(dx, dy, y, rows, cols, act);
    addon.activationBackward(ctx, dx as F32, dy as F32, y as F32, rows, cols, code(act));
  };

  const activation = (name: ActivationName, x: Float32Array): Float32Array => {
    const y = new Float32Array(x.length);
    addon.cellActivation(ctx, ACTIVATIONS.indexOf(name), y, x);
    return y;
  };

  const family = {
    name: 'native' as const,
    detail: `native ${isa}${threads > 1 ? `, ${threads} threads` : ''}`,
    threads,
    isa,
    alloc,
    free: (a: Arr) => {
      if (a instanceof Float32Array && made.has(a)) addon.freeF32(a);
    },
    owns: (a: Arr) => a instanceof Float32Array && mine.has(a.buffer),
    swapAxes,
    gemm,
    lstmForward,
    lstmBackward,
    denseForward,
    denseBackward,
    activationForward,
    activationBackward,
    layerNormForward: refKernels.layerNormForward,
    layerNormBackward: refKernels.layerNormBackward,
    ctcLogSoftmax: refKernels.ctcLogSoftmax,
    ctcForward: refKernels.ctcForward,
    ctcBackward: refKernels.ctcBackward,
    sgdUpdate: refKernels.sgdUpdate,
    adamUpdate: refKernels.adamUpdate,
    rmspropUpdate: refKernels.rmspropUpdate,
    activation,
    close: () => addon.destroyContext(ctx),
  };
  Object.defineProperty(family, 'threadedCalls', { get: () => addon.contextInfo(ctx).threadedCalls, enumerable: true });
  return Object.freeze(family) as NativeKernels;
}
