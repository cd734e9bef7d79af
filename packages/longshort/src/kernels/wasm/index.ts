// The WebAssembly SIMD kernel family: the `Kernels` interface (../types.ts) over the module
// compiled from asm/, float32 only. Browser-safe: this file takes the compiled bytes and never
// touches the file system; ./node.ts reads them from build/wasm/ in Node, ./browser.ts fetches them.
//
// Memory (./arena.ts): with SharedArrayBuffer (Node; cross-origin isolated pages) the family runs
// the threads builds over a shared WebAssembly.Memory, and alloc() hands out arrays in it that
// stay valid for their whole life — parameters, gradients, optimizer state and activations live
// there and calls use them in place. Without it, the plain builds run over a private memory, and
// every argument is copied in and out around each call. Arrays from elsewhere are copied either way.
//
// Threads (./threads.ts): created with helper threads (Node: createWasmKernelsThreaded), a call
// big enough to pay for the hand-off (MIN_SPLIT_*, measured in bench/threads.ts) runs on this thread
// and the helpers at once over the same memory, each taking work items from the call's queues
// (asm/split.ts): LSTM passes by chunks of batch rows and blocks of their products, matrix
// products by blocks of rows; batch 1's forward pass splits its hidden units instead, with a
// barrier per step (and backs off to one thread when the threads keep waiting for each other).
// Results do not depend on the number of threads. Smaller calls run on this thread alone.
//
// What it leaves to the reference family, with identical results up to rounding: float64 arrays,
// CTC (serial log-space arithmetic that SIMD does not speed up), and hidden sizes so large (4H or
// P above 20480) that a step's operand would not fit the packing scratch.
//
// Variant choice: the relaxed-SIMD build (fused multiply-add, ~1.5× on matrix products) when
// WebAssembly.validate accepts it, else plain SIMD; `variant` tells which one runs.

import type { Arr, DType } from '../../tensor.js';
import { KernelError } from '../../errors.js';
import { refKernels } from '../ref/index.js';
import { ACTIVATIONS, type ActivationName } from '../activations.js';
import { DENSE_ACTIVATIONS, type DenseActivation, type Kernels, type LstmRun } from '../types.js';
import { trackKernels } from '../index.js';
import { CallFrame, WasmArena, type Mode } from './arena.js';
import { bindExports, positional, type ArgsOf, type AsmExports, type ExportName } from './exports.js';
import type { KernelHelper } from './threads.js';

export type { KernelHelper } from './threads.js';

/** Which WebAssembly build runs: 'relaxed-simd' (fused multiply-add) or plain 'simd'. */
export type WasmVariant = 'relaxed-simd' | 'simd';

export interface WasmKernels extends Kernels {
  readonly name: 'wasm';
  /** Which build runs: fused multiply-add (relaxed SIMD) or plain SIMD. */
  readonly variant: WasmVariant;
  /** Shared memory: arrays from alloc() are used in place (else every call copies). */
  readonly shared: boolean;
  readonly arena: WasmArena;
  /** Calls run on more than one thread so far (tests and benchmarks check that threads were used). */
  readonly splitCalls: number;
  /** y[i] = f(x[i]) with the kernel's vectorised activation (for accuracy tests). */
  activation(name: ActivationName, x: Float32Array): Float32Array;
  /** Stop the helper threads (a no-op without them; they never keep a process alive anyway). */
  close(): void;
}

/** The compiled modules. `relaxed` and the threads builds are optional (plain SIMD suffices everywhere SIMD runs). */
export interface WasmBinaries {
  simd: Uint8Array;
  relaxed?: Uint8Array | null;
  /** Builds over a shared memory (atomics), used when SharedArrayBuffer exists. */
  threadsSimd?: Uint8Array | null;
  threadsRelaxed?: Uint8Array | null;
}

/** Where the family may split calls between threads, and from what size (defaults measured: bench/threads.ts). */
export interface WasmThreadOptions {
  /** The other threads (each runs the same module over the same shared memory). */
  helpers: KernelHelper[];
  /** Smallest hidden size whose batch-1 forward pass is split by hidden units (default MIN_SPLIT_H). */
  minHidden?: number;
  /** Smallest multiply-adds of an LSTM pass (batch ≥ 8) or matrix product that is split (default MIN_SPLIT_FLOPS). */
  minFlops?: number;
}

/**
 * Smallest hidden size whose batch-1 forward pass is split between two threads by default: below
 * it the per-step barrier costs about as much as half a step saves (measured on the project's
 * 2-core VM: H = 128 gains nothing, H = 256 about 1.45×, H = 512 about 1.5×).
 */
export const MIN_SPLIT_H = 256;
/**
 * Smallest work (multiply-adds) of a call split by rows between threads by default: below it,
 * waking a helper thread and joining it (≈ 20–50 µs) costs more than half the call saves.
 * Measured in bench/threads.ts (the crossover of a row-split LSTM pass and a split matrix product).
 */
export const MIN_SPLIT_FLOPS = 8_000_000;

/** Picks the build this engine accepts; null when it has no WebAssembly SIMD at all. */
export function chooseWasmBinary(bins: WasmBinaries, shared = false): { bytes: Uint8Array; variant: WasmVariant } | null {
  if (typeof WebAssembly !== 'object') return null;
  const relaxed = shared ? bins.threadsRelaxed : bins.relaxed;
  const simd = shared ? bins.threadsSimd : bins.simd;
  if (relaxed && WebAssembly.validate(relaxed as Uint8Array<ArrayBuffer>)) return { bytes: relaxed, variant: 'relaxed-simd' };
  if (simd && WebAssembly.validate(simd as Uint8Array<ArrayBuffer>)) return { bytes: simd, variant: 'simd' };
  return null;
}

/** Whether this engine can run the shared-memory builds: SharedArrayBuffer, and a cross-origin isolated page in browsers. */
export function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const g = globalThis as { crossOriginIsolated?: boolean; window?: unknown; importScripts?: unknown };
  if ((g.window !== undefined || g.importScripts !== undefined) && g.crossOriginIsolated === false) return false;
  return true;
}

/** Pages of a shared memory's maximum: the threads builds declare 2 GiB (scripts/build-wasm.mjs). */
export const SHARED_MAX_PAGES = 32768;

function pick(bins: WasmBinaries, share: boolean): { bytes: Uint8Array; variant: WasmVariant; shared: boolean } | null {
  if (share && canShareMemory()) {
    const p = chooseWasmBinary(bins, true);
    if (p !== null) return { ...p, shared: true };
  }
  const p = chooseWasmBinary(bins, false);
  return p === null ? null : { ...p, shared: false };
}

/**
 * Synchronous instantiation (fine in Node and in workers; browsers' main threads limit
 * synchronous compiles of large modules — use createWasmKernelsAsync there). Shared memory when
 * the engine allows it and the threads builds are given (share: false forces the private memory).
 * Null when the engine has no WebAssembly SIMD.
 */
export function createWasmKernels(bins: WasmBinaries, options: { share?: boolean } = {}): WasmKernels | null {
  const p = pick(bins, options.share ?? true);
  if (p === null) return null;
  return fromModule(new WebAssembly.Module(p.bytes as Uint8Array<ArrayBuffer>), p.variant, newMemory(p.shared), null);
}

export async function createWasmKernelsAsync(bins: WasmBinaries, options: { share?: boolean } = {}): Promise<WasmKernels | null> {
  const p = pick(bins, options.share ?? true);
  if (p === null) return null;
  return fromModule(await WebAssembly.compile(p.bytes as Uint8Array<ArrayBuffer>), p.variant, newMemory(p.shared), null);
}

/** A shared memory (threads builds) or a private one (plain builds), 2 MB to start, growing on demand. */
export function newMemory(shared: boolean): WebAssembly.Memory {
  return shared ? new WebAssembly.Memory({ initial: 32, maximum: SHARED_MAX_PAGES, shared: true }) : new WebAssembly.Memory({ initial: 32 });
}

/** A family over an already compiled threads build and its shared memory, splitting calls with these helper threads. */
export function createWasmKernelsShared(module: WebAssembly.Module, variant: WasmVariant, memory: WebAssembly.Memory, threads: WasmThreadOptions): WasmKernels {
  return fromModule(module, variant, memory, threads);
}

/**
 * What the module imports: its memory, abort(), and waitOn — the sleep of a thread waiting at a
 * barrier of a split call (asm/split.ts), Atomics.wait on the shared memory (the helper threads
 * build the same object: ./threads-node.ts).
 */
export function wasmImports(memory: WebAssembly.Memory): WebAssembly.ModuleImports {
  let view = new Int32Array(0);
  return {
    memory,
    abort: () => {
      throw new KernelError('[wasm kernels] abort() called inside WebAssembly (a kernel received sizes it cannot handle).');
    },
    waitOn: (ptr: number, expected: number, ms: number): void => {
      if (view.buffer !== memory.buffer) view = new Int32Array(memory.buffer);
      Atomics.wait(view, ptr >> 2, expected, ms);
    },
  };
}

function isF32(...arrs: Array<Arr | null>): boolean {
  for (const a of arrs) if (a !== null && !(a instanceof Float32Array)) return false;
  return true;
}

/** asm/activations.ts numbers the cell activations in ACTIVATIONS order. */
function actCode(name: ActivationName): number {
  return ACTIVATIONS.indexOf(name);
}

/** asm/dense.ts numbers the dense activations in DENSE_ACTIVATIONS order. */
function denseCode(act: DenseActivation): number {
  return DENSE_ACTIVATIONS.indexOf(act);
}

const MAX_PACKED_K = 20480; // asm/gemm.ts gemmPackedB: K ≤ WS_FLOATS / MR
/**
 * Batch-1 calls that stay on one thread after split calls in which the threads kept waiting for
 * each other: 2 after the first such call, then 4, 8, … up to this many while they keep coming; a
 * split call without that resets it. (A fixed 50 after one bad call kept a batch-1 model on one
 * thread for good when only a cold first call was bad: the split is 2.2× at H 1024.)
 */
const COLS_BACKOFF_MAX = 64;

/** Bits of asm/lstm.ts `flags`. */
function flagsOf(run: LstmRun): number {
  const s = run.spec;
  return (s.inputGate ? 1 : 0) | (s.forgetGate ? 2 : 0) | (s.outputGate ? 4 : 0) | (s.coupled ? 8 : 0);
}

type F = Float32Array;

function fromModule(module: WebAssembly.Module, variant: WasmVariant, memory: WebAssembly.Memory, threads: WasmThreadOptions | null): WasmKernels {
  const instance = new WebAssembly.Instance(module, { env: wasmImports(memory) });
  const asm: AsmExports = bindExports(instance);
  const arena = new WasmArena(memory, asm.heapBase({}));
  const shared = arena.shared;
  const helpers = shared && threads !== null ? threads.helpers : [];
  const nThreads = helpers.length + 1;
  const minSplitH = threads?.minHidden ?? MIN_SPLIT_H;
  const minFlops = threads?.minFlops ?? MIN_SPLIT_FLOPS;
  const gwsBytes = asm.gemmWorkspaceBytes({});
  // each thread's persistent gemm scratch, and a call's sync block (barrier flags and work queues: asm/split.ts)
  const gws = Array.from({ length: nThreads }, () => arena.alloc(gwsBytes));
  const syncBytes = asm.syncBytes({ nth: nThreads });
  const sync = arena.alloc(syncBytes);
  let splitCalls = 0;
  let colsBackoff = 0; // batch-1 calls to run on one thread before splitting by units again
  let colsStrikes = 0; // split calls in a row in which the threads kept waiting
  const colsAllowed = (): boolean => {
    if (colsBackoff === 0) return true;
    colsBackoff--;
    return false;
  };

  /**
   * Run `name` on nth threads (this one is thread 0): the sync block is zeroed (the queues of a
   * one-thread call need it too), the helpers start, this thread computes its share (with work
   * queues: whatever items are left), then waits for them. argsOf(tid) gives each thread's arguments.
   */
  const parallel = <K extends ExportName>(name: K, nth: number, argsOf: (tid: number) => ArgsOf<K>): void => {
    arena.i32(sync, syncBytes / 4).fill(0); // flags and queues, read by the helpers after start()
    if (nth <= 1) {
      asm[name](argsOf(0));
      return;
    }
    splitCalls++;
    let started = 0;
    try {
      for (let t = 1; t < nth; t++) {
        helpers[t - 1].start(name, positional(name, argsOf(t)));
        started++;
      }
      asm[name](argsOf(0));
    } finally {
      // the helpers must be done with this call's blocks before they are freed
      for (let t = 0; t < started; t++) helpers[t].finish();
    }
  };

  /** Threads for a call of `flops` multiply-adds that can be split by rows. */
  const threadsFor = (flops: number): number => (nThreads > 1 && flops >= minFlops ? nThreads : 1);

  // ---------------------------------------------------------------- memory

  const alloc = (n: number, dtype: DType): Arr => {
    if (dtype === 'float64') return new Float64Array(n);
    return arena.array(n) ?? new Float32Array(n);
  };

  // ---------------------------------------------------------------- gemm

  /** C (M,N) (+)= op(A)·op(B) at pointers; blocks of rows of C shared between threads when big enough. */
  const gemmAt = (C: number, A: number, B: number, M: number, N: number, K: number, tA: boolean, tB: boolean, acc: boolean): void => {
    const lda = tA ? M : K;
    const ldb = tB ? K : N;
    const nth = M >= 8 ? threadsFor(M * N * K) : 1;
    if (nth === 1) {
      asm.gemm({ C, A, B, M, N, K, lda, ldb, ldc: N, transA: tA, transB: tB, accumulate: acc, ws: gws[0] });
      return;
    }
    parallel('gemmRows', nth, (tid) => ({ nth, sync, gws: gws[tid], C, A, B, M, N, K, lda, ldb, ldc: N, transA: tA, transB: tB, accumulate: acc }));
  };

  const gemm: Kernels['gemm'] = (C, A, B, M, N, K, transA, transB, accumulate) => {
    if (!isF32(C, A, B)) return refKernels.gemm(C, A, B, M, N, K, transA, transB, accumulate);
    const f = new CallFrame(arena);
    const c = f.add(C as F, M * N, accumulate ? 'inout' : 'out');
    const a = f.add(A as F, M * K, 'in');
    const b = f.add(B as F, K * N, 'in');
    f.enter();
    try {
      gemmAt(f.ptr(c), f.ptr(a), f.ptr(b), M, N, K, transA, transB, accumulate);
    } finally {
      f.leave();
    }
  };

  // ---------------------------------------------------------------- LSTM

  const tooBig = (H: number, P: number): boolean => 4 * H > MAX_PACKED_K || P > MAX_PACKED_K;

  const lstmForward: Kernels['lstmForward'] = (y, hN, cN, cache, x, h0, c0, w, run) => {
    const { T, B, D, H, P } = run.dims;
    const f32 = isF32(y, hN, cN, x, h0, c0, w.wih, w.whh, w.bih, w.bhh, w.whr, w.peep, cache.gates);
    if (!f32 || tooBig(H, P)) return refKernels.lstmForward(y, hN, cN, cache, x, h0, c0, w, run);
    const G = 4 * H;
    const s = run.spec;
    const clip = cache.pre !== null && Number.isFinite(s.clip) ? s.clip : Infinity;
    const f = new CallFrame(arena);
    const F = (a: Arr | null, n: number, mode: Mode): number => f.add(a as F | null, n, mode);
    const flops = T * B * G * (D + P);
    // batch 1 without projection: hidden units split between threads (a barrier per step), unless
    // recent calls showed the threads waiting for each other (a busy machine: see colsBackoff)
    if (B === 1 && w.whr === null && nThreads > 1 && H >= minSplitH && T >= 2 && colsAllowed()) {
      const ptr = {
        y: F(y, T * H, 'out'), hN: F(hN, H, 'out'), cN: F(cN, H, 'out'),
        gates: F(cache.gates, T * G, 'out'), pre: F(cache.pre, T * G, 'out'), cc0: F(cache.c0, H, 'out'), c: F(cache.c, T * H, 'out'), hPrev: F(cache.hPrev, T * H, 'out'),
        cState: F(cache.cState, H, 'scratch'), rec: F(cache.rec, G, 'scratch'),
        x: F(x, T * D, 'in'), h0: F(h0, H, 'in'), c0: F(c0, H, 'in'),
        wih: F(w.wih, G * D, 'in'), whh: F(w.whh, G * H, 'in'), bih: F(w.bih, G, 'in'), bhh: F(w.bhh, G, 'in'), peep: F(w.peep, 3 * H, 'in'),
        lengths: f.add(run.lengths, 1, 'in'),
        hbuf: f.work(2 * H),
      };
      const ws = Array.from({ length: nThreads }, () => f.work(asm.lstmForwardColsWsBytes({ H }) / 4));
      f.enter();
      try {
        parallel('lstmForwardCols', nThreads, (tid) => ({
          tid, nth: nThreads, sync, gws: gws[tid], ws: f.ptr(ws[tid]), hbuf: f.ptr(ptr.hbuf),
          y: f.ptr(ptr.y), hN: f.ptr(ptr.hN), cN: f.ptr(ptr.cN),
          gates: f.ptr(ptr.gates), pre: f.ptr(ptr.pre), cc0: f.ptr(ptr.cc0), c: f.ptr(ptr.c), hPrev: f.ptr(ptr.hPrev),
          cState: f.ptr(ptr.cState), rec: f.ptr(ptr.rec),
          x: f.ptr(ptr.x), h0: f.ptr(ptr.h0), c0: f.ptr(ptr.c0), wih: f.ptr(ptr.wih), whh: f.ptr(ptr.whh), bih: f.ptr(ptr.bih), bhh: f.ptr(ptr.bhh), peep: f.ptr(ptr.peep),
          T, D, H, lengths: f.ptr(ptr.lengths), reverse: run.reverse,
          gateAct: actCode(s.gateAct), cellAct: actCode(s.cellAct), hiddenAct: actCode(s.hiddenAct), flags: flagsOf(run), clip,
        }));
        // a thread slept at more than one barrier in 16: the other was not running when needed,
        // which makes a per-step barrier slower than one thread; stay on one thread for a while
        const sleeps = arena.i32(sync + syncBytes - 64, 1)[0];
        if (sleeps * 16 > T) {
          colsStrikes = Math.min(colsStrikes + 1, 6);
          colsBackoff = Math.min(COLS_BACKOFF_MAX, 1 << colsStrikes);
        } else colsStrikes = 0;
      } finally {
        f.leave();
      }
      return;
    }
    const ptr = {
      y: F(y, T * B * P, 'out'), hN: F(hN, B * P, 'out'), cN: F(cN, B * H, 'out'),
      gates: F(cache.gates, T * B * G, 'out'), pre: F(cache.pre, T * B * G, 'out'), cc0: F(cache.c0, B * H, 'out'),
      c: F(cache.c, T * B * H, 'out'), hPrev: F(cache.hPrev, T * B * P, 'out'), r: F(cache.r, T * B * H, 'out'),
      hState: F(cache.hState, B * P, 'scratch'), cState: F(cache.cState, B * H, 'scratch'), rec: F(cache.rec, B * G, 'scratch'),
      rStep: F(cache.rStep, B * H, 'scratch'), hStep: F(cache.hStep, B * P, 'scratch'),
      x: F(x, T * B * D, 'in'), h0: F(h0, B * P, 'in'), c0: F(c0, B * H, 'in'),
      wih: F(w.wih, G * D, 'in'), whh: F(w.whh, G * P, 'in'), bih: F(w.bih, G, 'in'), bhh: F(w.bhh, G, 'in'),
      whr: F(w.whr, P * H, 'in'), peep: F(w.peep, 3 * H, 'in'),
      lengths: f.add(run.lengths, B, 'in'),
      ws: f.work(asm.lstmForwardWsBytes({ H, P, projected: w.whr !== null, B }) / 4),
    };
    const nth = B >= 8 ? threadsFor(flops) : 1;
    f.enter();
    try {
      const p = (k: keyof typeof ptr): number => f.ptr(ptr[k]);
      parallel('lstmForward', nth, (tid) => ({
        nth, sync, gws: gws[tid], ws: p('ws'),
        y: p('y'), hN: p('hN'), cN: p('cN'),
        gates: p('gates'), pre: p('pre'), cc0: p('cc0'), c: p('c'), hPrev: p('hPrev'), r: p('r'),
        hState: p('hState'), cState: p('cState'), rec: p('rec'), rStep: p('rStep'), hStep: p('hStep'),
        x: p('x'), h0: p('h0'), c0: p('c0'), wih: p('wih'), whh: p('whh'), bih: p('bih'), bhh: p('bhh'), whr: p('whr'), peep: p('peep'),
        T, B, D, H, P, lengths: p('lengths'), reverse: run.reverse,
        gateAct: actCode(s.gateAct), cellAct: actCode(s.cellAct), hiddenAct: actCode(s.hiddenAct), flags: flagsOf(run), clip,
      }));
    } finally {
      f.leave(); // also on a trap: the temporary blocks go back to the arena
    }
  };

  const lstmBackward: Kernels['lstmBackward'] = (g, dx, dh0, dc0, dy, dhN, dcN, cache, work, x, w, run) => {
    const { T, B, D, H, P } = run.dims;
    const f32 = isF32(g.wih, g.whh, g.bih, g.bhh, g.whr, g.peep, dx, dh0, dc0, dy, dhN, dcN, cache.gates, work.dzStep, x, w.wih, w.whh);
    if (!f32 || tooBig(H, P)) return refKernels.lstmBackward(g, dx, dh0, dc0, dy, dhN, dcN, cache, work, x, w, run);
    const G = 4 * H;
    const s = run.spec;
    const projected = w.whr !== null;
    const f = new CallFrame(arena);
    const F = (a: Arr | null, n: number, mode: Mode): number => f.add(a as F | null, n, mode);
    const ptr = {
      gwih: F(g.wih, G * D, 'inout'), gwhh: F(g.whh, G * P, 'inout'), gbih: F(g.bih, G, 'inout'), gbhh: F(g.bhh, G, 'inout'),
      gwhr: F(projected ? g.whr : null, P * H, 'inout'), gpeep: F(w.peep !== null ? g.peep : null, 3 * H, 'inout'),
      dx: F(dx, T * B * D, 'inout'), dh0: F(dh0, B * P, 'out'), dc0: F(dc0, B * H, 'out'),
      dy: F(dy, T * B * P, 'in'), dhN: F(dhN, B * P, 'in'), dcN: F(dcN, B * H, 'in'),
      // the gates come back as dZ (backward consumes the cache; see LstmCache.gates)
      gates: F(cache.gates, T * B * G, 'inout'), pre: F(cache.pre, T * B * G, 'in'), cc0: F(cache.c0, B * H, 'in'),
      c: F(cache.c, T * B * H, 'in'), hPrev: F(cache.hPrev, T * B * P, 'in'), r: F(cache.r, T * B * H, 'in'),
      dzStep: F(work.dzStep, B * G, 'scratch'), dhState: F(work.dhState, B * P, 'scratch'), dcState: F(work.dcState, B * H, 'scratch'),
      dhStep: F(work.dhStep, B * P, 'scratch'), drStep: F(work.drStep, B * H, 'scratch'), dhRec: F(work.dhRec, B * P, 'scratch'),
      dhAll: F(projected ? work.dhAll : null, T * B * P, 'scratch'),
      x: F(x, T * B * D, 'in'), wih: F(w.wih, G * D, 'in'), whh: F(w.whh, G * P, 'in'), whr: F(w.whr, P * H, 'in'), peep: F(w.peep, 3 * H, 'in'),
      lengths: f.add(run.lengths, B, 'in'),
      ws: f.work(asm.lstmBackwardWsBytes({ H, P, projected, B }) / 4),
    };
    const nth = B >= 8 ? threadsFor(2 * T * B * G * (D + P)) : 1;
    f.enter();
    try {
      const p = (k: keyof typeof ptr): number => f.ptr(ptr[k]);
      parallel('lstmBackward', nth, (tid) => ({
        nth, sync, gws: gws[tid], ws: p('ws'),
        gwih: p('gwih'), gwhh: p('gwhh'), gbih: p('gbih'), gbhh: p('gbhh'), gwhr: p('gwhr'), gpeep: p('gpeep'),
        dx: p('dx'), dh0: p('dh0'), dc0: p('dc0'),
        dy: p('dy'), dhN: p('dhN'), dcN: p('dcN'),
        gates: p('gates'), pre: p('pre'), cc0: p('cc0'), c: p('c'), hPrev: p('hPrev'), r: p('r'),
        dzStep: p('dzStep'), dhState: p('dhState'), dcState: p('dcState'), dhStep: p('dhStep'), drStep: p('drStep'), dhRec: p('dhRec'), dhAll: p('dhAll'),
        x: p('x'), wih: p('wih'), whh: p('whh'), whr: p('whr'), peep: p('peep'),
        T, B, D, H, P, lengths: p('lengths'), reverse: run.reverse,
        gateAct: actCode(s.gateAct), cellAct: actCode(s.cellAct), hiddenAct: actCode(s.hiddenAct), flags: flagsOf(run),
        clip: cache.pre !== null && Number.isFinite(s.clip) ? s.clip : Infinity,
      }));
    } finally {
      f.leave();
    }
  };

  // ---------------------------------------------------------------- dense, activations, layer norm

  const denseForward: Kernels['denseForward'] = (y, x, W, b, M, I, O, act) => {
    if (!isF32(y, x, W, b)) return refKernels.denseForward(y, x, W, b, M, I, O, act);
    const f = new CallFrame(arena);
    const py = f.add(y as F, M * O, 'out');
    const px = f.add(x as F, M * I, 'in');
    const pw = f.add(W as F, O * I, 'in');
    const pb = f.add(b as F | null, O, 'in');
    f.enter();
    try {
      gemmAt(f.ptr(py), f.ptr(px), f.ptr(pw), M, O, I, false, true, false); // y = x·Wᵀ
      asm.biasAct({ y: f.ptr(py), x: f.ptr(py), b: f.ptr(pb), M, O, act: denseCode(act) });
    } finally {
      f.leave();
    }
  };

  const denseBackward: Kernels['denseBackward'] = (dx, dW, db, dz, dy, x, W, y, M, I, O, act) => {
    if (!isF32(dx, dW, db, dz, dy, x, W, y)) return refKernels.denseBackward(dx, dW, db, dz, dy, x, W, y, M, I, O, act);
    const f = new CallFrame(arena);
    const pdx = f.add(dx as F | null, M * I, 'inout');
    const pdW = f.add(dW as F, O * I, 'inout');
    const pdb = f.add(db as F | null, O, 'inout');
    const linear = act === 'linear';
    const pdz = linear ? -1 : f.add(dz as F, M * O, 'scratch');
    const pdy = f.add(dy as F, M * O, 'in');
    const px = f.add(x as F, M * I, 'in');
    const pW = f.add(W as F, O * I, 'in');
    const py = f.add(y as F, M * O, 'in');
    f.enter();
    try {
      // forward: y = act(z), z = x·Wᵀ + b
      let g = f.ptr(pdy); // dL/dz
      if (!linear) {
        g = f.ptr(pdz);
        arena.f32(g, M * O).fill(0);
        asm.actBackward({ dx: g, dy: f.ptr(pdy), y: f.ptr(py), M, O, act: denseCode(act) });
      }
      gemmAt(f.ptr(pdW), g, f.ptr(px), O, I, M, true, false, true); // dW += dzᵀ·x
      if (db !== null) asm.colSumAdd({ db: f.ptr(pdb), dz: g, M, O }); // db += Σ_m dz[m,:]
      if (dx !== null) gemmAt(f.ptr(pdx), g, f.ptr(pW), M, I, O, false, false, true); // dx += dz·W
    } finally {
      f.leave();
    }
  };

  const activationForward: Kernels['activationForward'] = (y, x, rows, cols, act) => {
    if (!isF32(y, x)) return refKernels.activationForward(y, x, rows, cols, act);
    const f = new CallFrame(arena);
    const n = rows * cols;
    const py = f.add(y as F, n, y === x ? 'inout' : 'out');
    const px = y === x ? py : f.add(x as F, n, 'in');
    f.enter();
    try {
      asm.biasAct({ y: f.ptr(py), x: f.ptr(px), b: 0, M: rows, O: cols, act: denseCode(act) });
    } finally {
      f.leave();
    }
  };

  const activationBackward: Kernels['activationBackward'] = (dx, dy, y, rows, cols, act) => {
    if (!isF32(dx, dy, y)) return refKernels.activationBackward(dx, dy, y, rows, cols, act);
    const f = new CallFrame(arena);
    const n = rows * cols;
    const pdx = f.add(dx as F, n, 'inout');
    const pdy = f.add(dy as F, n, 'in');
    const py = f.add(y as F, n, 'in');
    f.enter();
    try {
      asm.actBackward({ dx: f.ptr(pdx), dy: f.ptr(pdy), y: f.ptr(py), M: rows, O: cols, act: denseCode(act) });
    } finally {
      f.leave();
    }
  };

  const layerNormForward: Kernels['layerNormForward'] = (y, mean, rstd, x, w, b, M, C, eps) => {
    if (!isF32(y, mean, rstd, x, w, b)) return refKernels.layerNormForward(y, mean, rstd, x, w, b, M, C, eps);
    const f = new CallFrame(arena);
    const p = [f.add(y as F, M * C, 'out'), f.add(mean as F, M, 'out'), f.add(rstd as F, M, 'out'), f.add(x as F, M * C, 'in'), f.add(w as F | null, C, 'in'), f.add(b as F | null, C, 'in')];
    f.enter();
    try {
      asm.layerNormForward({ y: f.ptr(p[0]), mean: f.ptr(p[1]), rstd: f.ptr(p[2]), x: f.ptr(p[3]), w: f.ptr(p[4]), b: f.ptr(p[5]), M, C, eps });
    } finally {
      f.leave();
    }
  };

  const layerNormBackward: Kernels['layerNormBackward'] = (dx, dw, db, dy, x, mean, rstd, w, M, C) => {
    if (!isF32(dx, dw, db, dy, x, mean, rstd, w)) return refKernels.layerNormBackward(dx, dw, db, dy, x, mean, rstd, w, M, C);
    const f = new CallFrame(arena);
    const p = [
      f.add(dx as F, M * C, 'inout'), f.add(dw as F | null, C, 'inout'), f.add(db as F | null, C, 'inout'),
      f.add(dy as F, M * C, 'in'), f.add(x as F, M * C, 'in'), f.add(mean as F, M, 'in'), f.add(rstd as F, M, 'in'), f.add(w as F | null, C, 'in'),
    ];
    f.enter();
    try {
      asm.layerNormBackward({ dx: f.ptr(p[0]), dw: f.ptr(p[1]), db: f.ptr(p[2]), dy: f.ptr(p[3]), x: f.ptr(p[4]), mean: f.ptr(p[5]), rstd: f.ptr(p[6]), w: f.ptr(p[7]), M, C });
    } finally {
      f.leave();
    }
  };

  // ---------------------------------------------------------------- optimizer updates

  const sgdUpdate: Kernels['sgdUpdate'] = (p, g, buf, n, s) => {
    if (!isF32(p, g, buf)) return refKernels.sgdUpdate(p, g, buf, n, s);
    const f = new CallFrame(arena);
    const q = [f.add(p as F, n, 'inout'), f.add(g as F, n, 'in'), f.add(buf as F | null, n, 'inout')];
    f.enter();
    try {
      asm.sgdUpdate({ p: f.ptr(q[0]), g: f.ptr(q[1]), buf: f.ptr(q[2]), n, lr: s.lr, wd: s.weightDecay, mu: s.momentum, damp1: s.damp1, nesterov: s.nesterov, first: s.first });
    } finally {
      f.leave();
    }
  };

  const adamUpdate: Kernels['adamUpdate'] = (p, g, m, v, vmax, n, s) => {
    if (!isF32(p, g, m, v, vmax)) return refKernels.adamUpdate(p, g, m, v, vmax, n, s);
    const f = new CallFrame(arena);
    const q = [f.add(p as F, n, 'inout'), f.add(g as F, n, 'in'), f.add(m as F, n, 'inout'), f.add(v as F, n, 'inout'), f.add(vmax as F | null, n, 'inout')];
    f.enter();
    try {
      asm.adamUpdate({
        p: f.ptr(q[0]), g: f.ptr(q[1]), m: f.ptr(q[2]), v: f.ptr(q[3]), vmax: f.ptr(q[4]), n,
        stepSize: s.stepSize, bc2Sqrt: s.bc2Sqrt, b1: s.beta1, om1: 1 - s.beta1, b2: s.beta2, om2: 1 - s.beta2, eps: s.eps, decay: s.decay, l2: s.l2,
      });
    } finally {
      f.leave();
    }
  };

  const rmspropUpdate: Kernels['rmspropUpdate'] = (p, g, sq, buf, gavg, n, s) => {
    if (!isF32(p, g, sq, buf, gavg)) return refKernels.rmspropUpdate(p, g, sq, buf, gavg, n, s);
    const f = new CallFrame(arena);
    const q = [f.add(p as F, n, 'inout'), f.add(g as F, n, 'in'), f.add(sq as F, n, 'inout'), f.add(buf as F | null, n, 'inout'), f.add(gavg as F | null, n, 'inout')];
    f.enter();
    try {
      asm.rmspropUpdate({
        p: f.ptr(q[0]), g: f.ptr(q[1]), sq: f.ptr(q[2]), buf: f.ptr(q[3]), gavg: f.ptr(q[4]), n,
        lr: s.lr, alpha: s.alpha, oma: 1 - s.alpha, eps: s.eps, mu: s.momentum, wd: s.weightDecay,
      });
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
      asm.actArray({ code: actCode(name), y: f.ptr(yi), x: f.ptr(xi), n: x.length });
    } finally {
      f.leave();
    }
    return y;
  };

  const k: WasmKernels = Object.freeze({
    get splitCalls() {
      return splitCalls;
    },
    name: 'wasm' as const,
    detail: `${variant}, ${shared ? 'shared memory' : 'private memory (arguments copied)'}${nThreads > 1 ? `, ${nThreads} threads` : ''}`,
    variant,
    shared,
    threads: nThreads,
    arena,
    alloc,
    free: (a: Arr) => arena.free(a),
    owns: (a: Arr) => a instanceof Float32Array && arena.owns(a),
    swapAxes: refKernels.swapAxes, // a copy of rows: no faster in WebAssembly than in JavaScript
    gemm,
    lstmForward,
    lstmBackward,
    denseForward,
    denseBackward,
    activationForward,
    activationBackward,
    layerNormForward,
    layerNormBackward,
    ctcLogSoftmax: refKernels.ctcLogSoftmax,
    ctcForward: refKernels.ctcForward,
    ctcBackward: refKernels.ctcBackward,
    sgdUpdate,
    adamUpdate,
    rmspropUpdate,
    activation,
    close: () => {
      for (const h of helpers) h.close();
    },
  });
  trackKernels(k);
  return k;
}
