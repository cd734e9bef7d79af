// The WebAssembly SIMD kernels behind the `Kernels` interface: same signatures as the reference
// kernels (`typeof ref.*`), float32 only. Browser-safe: this file takes the compiled bytes and
// never touches the file system; src/kernels/wasm/node.ts reads them from build/wasm/ in Node.
//
// What it does per call: arrays already in wasm memory (caches made by this object's
// allocLstmCache / allocLstmBackWork, up to arena.persistentBudget bytes of them) are used in
// place; every other argument is copied into a temporary block before the call and results are
// copied back after it. One LSTM direction over
// the whole sequence is ONE wasm call (see asm/lstm.ts).
// What it leaves to the reference kernel, silently and with identical results up to rounding:
// float64 arrays (gradient checks), and hidden sizes so large (4H or P above 20480) that the
// per-step operand would not fit the packing scratch.
//
// Variant choice: the relaxed-SIMD build (fused multiply-add, ~1.5× on matrix products) when
// WebAssembly.validate accepts it, else plain SIMD; `variant` tells which one runs.
//
// Kernel threads: createWasmKernelsShared takes a threads build, its shared memory and a
// KernelHelper (another thread running the same module; the Node edge threads-node.ts makes one);
// batch-1 forward passes without projection and with H ≥ minHidden then run split by columns
// (lstmForwardSplit below, asm/lstm.ts lstmForwardPart). Everything else runs as above.

import { plainBuffers, type Kernels } from '../index.js';
import * as ref from '../ref/lstm.js';
import { gemm as refGemm } from '../ref/gemm.js';
import { ACTIVATIONS, type ActivationName } from '../activations.js';
import type { Arr, DType } from '../../tensor.js';
import type { LstmBackWork, LstmCache, LstmDims, LstmRun, LstmWeights } from '../types.js';
import { CallFrame, WasmArena } from './arena.js';

/** The functions asm/index.ts exports (pointers are byte offsets, bools are 0/1). */
interface AsmExports {
  heapBase(): number;
  gemmWorkspaceBytes(): number;
  gemm(C: number, A: number, B: number, M: number, N: number, K: number, tA: number, tB: number, acc: number, ws: number): void;
  actArray(code: number, y: number, x: number, n: number): void;
  lstmForwardWsBytes(H: number, P: number, projected: number, B: number): number;
  lstmBackwardWsBytes(H: number, P: number, projected: number, B: number): number;
  lstmForward(...args: number[]): void;
  lstmBackward(...args: number[]): void;
  lstmForwardPart(...args: number[]): void;
  lstmForwardPartWsBytes(H: number): number;
}

/**
 * Another thread running the threads build of the same module over the same shared memory (the
 * Node edge makes one: src/kernels/wasm/threads-node.ts). One LSTM call at batch 1 is then split
 * by columns: this thread runs lstmForwardPart(0, …) while the helper runs lstmForwardPart(1, …).
 */
export interface KernelHelper {
  /** Start lstmForwardPart with these arguments on the helper thread; returns at once. */
  start(args: readonly number[]): void;
  /** Block until the job started last has finished (throws if it failed). */
  finish(): void;
  /** Stop the helper thread. */
  close(): void;
}

/** For the threads builds: their shared memory, and the helper thread that shares calls. */
export interface WasmKernelOptions {
  memory: WebAssembly.Memory;
  helper: KernelHelper;
  /** Smallest hidden size whose batch-1 forward pass is split (default MIN_SPLIT_H). */
  minHidden?: number;
}

export type WasmVariant = 'relaxed-simd' | 'simd';

export interface WasmKernels extends Kernels {
  readonly name: 'wasm';
  /** Which build runs: fused multiply-add (relaxed SIMD) or plain SIMD. */
  readonly variant: WasmVariant;
  /** Threads one LSTM call can use: 2 with a helper thread (batch-1 forward passes split by columns), else 1. */
  readonly threads: number;
  readonly arena: WasmArena;
  /** y[i] = f(x[i]) with the kernel's vectorised activation (for accuracy tests). */
  activation(name: ActivationName, x: Float32Array): Float32Array;
}

/** The compiled modules; `relaxed` is optional (plain SIMD suffices everywhere SIMD runs). */
export interface WasmBinaries {
  simd: Uint8Array;
  relaxed?: Uint8Array | null;
}

/** Picks the build this engine accepts; null when it has no WebAssembly SIMD at all. */
export function chooseWasmBinary(bins: WasmBinaries): { bytes: Uint8Array; variant: WasmVariant } | null {
  if (typeof WebAssembly !== 'object') return null;
  if (bins.relaxed && WebAssembly.validate(bins.relaxed as Uint8Array<ArrayBuffer>)) return { bytes: bins.relaxed, variant: 'relaxed-simd' };
  if (WebAssembly.validate(bins.simd as Uint8Array<ArrayBuffer>)) return { bytes: bins.simd, variant: 'simd' };
  return null;
}

/**
 * Synchronous instantiation (fine in Node and in workers; browsers' main threads limit
 * synchronous compiles of large modules — use createWasmKernelsAsync there). Null when the
 * engine has no WebAssembly SIMD.
 */
export function createWasmKernels(bins: WasmBinaries): WasmKernels | null {
  const pick = chooseWasmBinary(bins);
  if (pick === null) return null;
  return fromModule(new WebAssembly.Module(pick.bytes as Uint8Array<ArrayBuffer>), pick.variant, null);
}

/** Kernels from an already compiled threads build, over its shared memory, with a helper thread. */
export function createWasmKernelsShared(module: WebAssembly.Module, variant: WasmVariant, options: WasmKernelOptions): WasmKernels {
  return fromModule(module, variant, options);
}

export async function createWasmKernelsAsync(bins: WasmBinaries): Promise<WasmKernels | null> {
  const pick = chooseWasmBinary(bins);
  if (pick === null) return null;
  return fromModule(await WebAssembly.compile(pick.bytes as Uint8Array<ArrayBuffer>), pick.variant, null);
}

function isF32(...arrs: Array<Arr | null>): boolean {
  for (const a of arrs) if (a !== null && !(a instanceof Float32Array)) return false;
  return true;
}

function actCode(name: ActivationName): number {
  // asm/activations.ts numbers the activations in ACTIVATIONS order
  return ACTIVATIONS.indexOf(name);
}

const MAX_PACKED_K = 20480; // asm/gemm.ts gemmPackedB: K ≤ WS_FLOATS / MR
/**
 * Smallest hidden size whose batch-1 forward pass is split between two threads by default: below
 * it the per-step barrier costs about as much as half a step saves (measured on the project's
 * 2-core VM: H = 128 gains nothing, H = 256 about 1.45×, H = 512 about 1.5×).
 */
export const MIN_SPLIT_H = 256;

function fromModule(module: WebAssembly.Module, variant: WasmVariant, shared: WasmKernelOptions | null): WasmKernels {
  const memory = shared?.memory ?? new WebAssembly.Memory({ initial: 32 }); // 2 MB; grows on demand
  const helper = shared?.helper ?? null;
  const minSplitH = shared?.minHidden ?? MIN_SPLIT_H;
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort: () => {
        throw new Error('[wasm kernels] abort() called inside WebAssembly');
      },
    },
  });
  const asm = instance.exports as unknown as AsmExports;
  const arena = new WasmArena(memory, asm.heapBase());
  const gemmWs = arena.alloc(asm.gemmWorkspaceBytes()); // persistent scratch of every gemm call

  const gemm: typeof refGemm = (C, A, B, M, N, K, transA, transB, accumulate) => {
    if (!isF32(C, A, B)) return refGemm(C, A, B, M, N, K, transA, transB, accumulate);
    const f = new CallFrame(arena);
    const c = f.add(C as Float32Array, M * N, accumulate ? 'inout' : 'out');
    const a = f.add(A as Float32Array, M * K, 'in');
    const b = f.add(B as Float32Array, K * N, 'in');
    f.enter();
    try {
      asm.gemm(f.ptr(c), f.ptr(a), f.ptr(b), M, N, K, +transA, +transB, +accumulate, gemmWs);
    } finally {
      f.leave();
    }
  };

  // Caches live in wasm memory (used in place) while the arena's budget lasts; beyond it they are
  // ordinary arrays (copied around each call, collected by V8 like any other array).
  const overBudget = (floats: number): boolean => arena.persistentBytes + floats * 4 > arena.persistentBudget;

  const allocLstmCache: typeof ref.allocLstmCache = (dims, projected, clipped, dtype) => {
    if (dtype === 'float64') return ref.allocLstmCache(dims, projected, clipped, dtype);
    const { T, B, H, P } = dims;
    const G = 4 * H;
    const floats = T * B * (G * (clipped ? 2 : 1) + H * (projected ? 2 : 1) + P) + B * (P + 2 * H + G + (projected ? H + P : 0));
    if (overBudget(floats)) return ref.allocLstmCache(dims, projected, clipped, dtype);
    return arena.persistentF32({
      gates: T * B * G,
      pre: clipped ? T * B * G : null,
      c0: B * H,
      c: T * B * H,
      hPrev: T * B * P,
      r: projected ? T * B * H : null,
      hState: B * P,
      cState: B * H,
      rec: B * G,
      rStep: projected ? B * H : null,
      hStep: projected ? B * P : null,
    }) as unknown as LstmCache;
  };

  const allocLstmBackWork: typeof ref.allocLstmBackWork = (dims: LstmDims, projected: boolean, dtype: DType) => {
    if (dtype === 'float64') return ref.allocLstmBackWork(dims, projected, dtype);
    const { T, B, H, P } = dims;
    const G = 4 * H;
    const floats = T * B * (projected ? P : 0) + B * (G + 3 * P + 2 * H);
    if (overBudget(floats)) return ref.allocLstmBackWork(dims, projected, dtype);
    return arena.persistentF32({
      dzStep: B * G,
      dhState: B * P,
      dcState: B * H,
      dhStep: B * P,
      drStep: B * H,
      dhRec: B * P,
      dhAll: projected ? T * B * P : null,
    }) as unknown as LstmBackWork;
  };

  const tooBig = (H: number, P: number): boolean => 4 * H > MAX_PACKED_K || P > MAX_PACKED_K;

  const flagsOf = (run: LstmRun): number => {
    const s = run.spec;
    return (s.inputGate ? 1 : 0) | (s.forgetGate ? 2 : 0) | (s.outputGate ? 4 : 0) | (s.coupled ? 8 : 0);
  };

  let helperGemmWs = 0; // gemm scratch of the helper thread, allocated on first use

  /** Batch 1, no projection: the call split by columns between this thread and the helper. */
  const lstmForwardSplit = (helper: KernelHelper, ...[y, hN, cN, cache, x, h0, c0, w, run]: Parameters<typeof ref.lstmForward>): void => {
    const { T, D, H } = run.dims;
    const G = 4 * H;
    if (helperGemmWs === 0) helperGemmWs = arena.alloc(asm.gemmWorkspaceBytes());
    const f = new CallFrame(arena);
    const F = (a: Arr | null, n: number, mode: 'in' | 'out' | 'scratch') => f.add(a as Float32Array | null, n, mode);
    const args = [
      F(y, T * H, 'out'), F(hN, H, 'out'), F(cN, H, 'out'),
      F(cache.gates, T * G, 'out'), F(cache.pre, T * G, 'out'), F(cache.c0, H, 'out'), F(cache.c, T * H, 'out'), F(cache.hPrev, T * H, 'out'),
      F(cache.cState, H, 'scratch'), F(cache.rec, G, 'scratch'),
      F(x, T * D, 'in'), F(h0, H, 'in'), F(c0, H, 'in'),
      F(w.wih, G * D, 'in'), F(w.whh, G * H, 'in'), F(w.bih, G, 'in'), F(w.bhh, G, 'in'), F(w.peep, 3 * H, 'in'),
    ];
    const len = f.add(run.lengths, 1, 'in');
    const hbuf = f.work(2 * H);
    const sync = f.work(32); // 2 × 64 bytes, 64-byte aligned like every arena block
    const ws0 = f.work(asm.lstmForwardPartWsBytes(H) / 4);
    const ws1 = f.work(asm.lstmForwardPartWsBytes(H) / 4);
    f.enter();
    const s = run.spec;
    try {
      new Int32Array(memory.buffer, f.ptr(sync), 32).fill(0); // the barrier's flags, one cache line per thread (read by the helper after start())
      const common = [
        ...args.map((i) => f.ptr(i)),
        T, D, H, f.ptr(len), +run.reverse,
        actCode(s.gateAct), actCode(s.cellAct), actCode(s.hiddenAct), flagsOf(run),
        Number.isFinite(s.clip) ? s.clip : Infinity,
      ];
      helper.start([1, 2, f.ptr(sync), f.ptr(hbuf), helperGemmWs, f.ptr(ws1), ...common]);
      try {
        asm.lstmForwardPart(0, 2, f.ptr(sync), f.ptr(hbuf), gemmWs, f.ptr(ws0), ...common);
      } finally {
        helper.finish(); // the helper must be done with this call's blocks before they are freed
      }
    } finally {
      f.leave();
    }
  };

  const lstmForward: typeof ref.lstmForward = (y, hN, cN, cache, x, h0, c0, w, run) => {
    const { T, B, D, H, P } = run.dims;
    const f32 = isF32(y, hN, cN, x, h0, c0, w.wih, w.whh, w.bih, w.bhh, w.whr, w.peep, cache.gates);
    if (!f32 || tooBig(H, P)) return ref.lstmForward(y, hN, cN, cache, x, h0, c0, w, run);
    if (helper !== null && B === 1 && w.whr === null && H >= minSplitH && T >= 2) return lstmForwardSplit(helper, y, hN, cN, cache, x, h0, c0, w, run);
    const G = 4 * H;
    const projected = w.whr !== null;
    const f = new CallFrame(arena);
    const F = (a: Arr | null, n: number, mode: 'in' | 'out' | 'scratch') => f.add(a as Float32Array | null, n, mode);
    const args = [
      F(y, T * B * P, 'out'), F(hN, B * P, 'out'), F(cN, B * H, 'out'),
      F(cache.gates, T * B * G, 'out'), F(cache.pre, T * B * G, 'out'), F(cache.c0, B * H, 'out'),
      F(cache.c, T * B * H, 'out'), F(cache.hPrev, T * B * P, 'out'),
      F(cache.r, T * B * H, 'out'),
      F(cache.hState, B * P, 'scratch'), F(cache.cState, B * H, 'scratch'), F(cache.rec, B * G, 'scratch'),
      F(cache.rStep, B * H, 'scratch'), F(cache.hStep, B * P, 'scratch'),
      F(x, T * B * D, 'in'), F(h0, B * P, 'in'), F(c0, B * H, 'in'),
      F(w.wih, G * D, 'in'), F(w.whh, G * P, 'in'), F(w.bih, G, 'in'), F(w.bhh, G, 'in'),
      F(w.whr, P * H, 'in'), F(w.peep, 3 * H, 'in'),
    ];
    const len = f.add(run.lengths, B, 'in');
    const ws = f.work(asm.lstmForwardWsBytes(H, P, +projected, B) / 4);
    f.enter();
    const s = run.spec;
    try {
      asm.lstmForward(
        ...args.map((i) => f.ptr(i)),
        T, B, D, H, P, f.ptr(len), +run.reverse,
        actCode(s.gateAct), actCode(s.cellAct), actCode(s.hiddenAct), flagsOf(run),
        Number.isFinite(s.clip) ? s.clip : Infinity, gemmWs, f.ptr(ws),
      );
    } finally {
      f.leave(); // also on a trap: the temporary blocks go back to the arena
    }
  };

  const lstmBackward: typeof ref.lstmBackward = (g, dx, dh0, dc0, dy, dhN, dcN, cache, work, x, w, run) => {
    const { T, B, D, H, P } = run.dims;
    const f32 = isF32(g.wih, g.whh, g.bih, g.bhh, g.whr, g.peep, dx, dh0, dc0, dy, dhN, dcN, cache.gates, work.dzStep, x, w.wih, w.whh);
    if (!f32 || tooBig(H, P)) return ref.lstmBackward(g, dx, dh0, dc0, dy, dhN, dcN, cache, work, x, w, run);
    const G = 4 * H;
    const projected = w.whr !== null;
    const f = new CallFrame(arena);
    const F = (a: Arr | null, n: number, mode: 'in' | 'out' | 'inout' | 'scratch') => f.add(a as Float32Array | null, n, mode);
    const args = [
      F(g.wih, G * D, 'inout'), F(g.whh, G * P, 'inout'), F(g.bih, G, 'inout'), F(g.bhh, G, 'inout'),
      F(projected ? g.whr : null, P * H, 'inout'), F(w.peep !== null ? g.peep : null, 3 * H, 'inout'),
      F(dx, T * B * D, 'inout'), F(dh0, B * P, 'out'), F(dc0, B * H, 'out'),
      F(dy, T * B * P, 'in'), F(dhN, B * P, 'in'), F(dcN, B * H, 'in'),
      // the gates come back as dZ (backward consumes the cache; see LstmCache.gates)
      F(cache.gates, T * B * G, 'inout'), F(cache.pre, T * B * G, 'in'), F(cache.c0, B * H, 'in'),
      F(cache.c, T * B * H, 'in'), F(cache.hPrev, T * B * P, 'in'),
      F(cache.r, T * B * H, 'in'),
      F(work.dzStep, B * G, 'scratch'), F(work.dhState, B * P, 'scratch'),
      F(work.dcState, B * H, 'scratch'), F(work.dhStep, B * P, 'scratch'), F(work.drStep, B * H, 'scratch'),
      F(work.dhRec, B * P, 'scratch'), F(projected ? work.dhAll : null, T * B * P, 'scratch'),
      F(x, T * B * D, 'in'), F(w.wih, G * D, 'in'), F(w.whh, G * P, 'in'),
      F(w.whr, P * H, 'in'), F(w.peep, 3 * H, 'in'),
    ];
    const len = f.add(run.lengths, B, 'in');
    const ws = f.work(asm.lstmBackwardWsBytes(H, P, +projected, B) / 4);
    f.enter();
    const s = run.spec;
    try {
      asm.lstmBackward(
        ...args.map((i) => f.ptr(i)),
        T, B, D, H, P, f.ptr(len), +run.reverse,
        actCode(s.gateAct), actCode(s.cellAct), actCode(s.hiddenAct), flagsOf(run),
        cache.pre !== null ? s.clip : Infinity, gemmWs, f.ptr(ws),
      );
    } finally {
      f.leave();
    }
  };

  const activation = (name: ActivationName, x: Float32Array): Float32Array => {
    const f = new CallFrame(arena);
    const y = new Float32Array(x.length);
    const yi = f.add(y, x.length, 'out');
    const xi = f.add(x, x.length, 'in');
    f.enter();
    try {
      asm.actArray(actCode(name), f.ptr(yi), f.ptr(xi), x.length);
    } finally {
      f.leave();
    }
    return y;
  };

  const allocBuffers = <K extends string>(sizes: Record<K, number>, dtype: DType): Record<K, Arr> => {
    let floats = 0;
    for (const k of Object.keys(sizes) as K[]) floats += sizes[k];
    if (dtype === 'float64' || overBudget(floats)) return plainBuffers(sizes, dtype);
    return arena.persistentF32(sizes) as Record<K, Arr>;
  };

  const release = (obj: object): void => arena.dispose(obj);
  return Object.freeze({ name: 'wasm' as const, variant, threads: helper === null ? 1 : 2, arena, gemm, lstmForward, lstmBackward, allocLstmCache, allocLstmBackWork, allocBuffers, release, activation });
}
