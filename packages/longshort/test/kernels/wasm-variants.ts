// Test helper: the builds of the WebAssembly kernels every wasm test runs against — plain SIMD
// and (when the engine can run it) relaxed SIMD with fused multiply-add, both over shared memory
// (the threads builds, as Node loads them: arrays used in place), and plain SIMD over a private
// memory (every argument copied in and out, as in a browser page without cross-origin isolation).
// Node 20 accepts relaxed SIMD only behind --experimental-wasm-relaxed-simd; setting the V8 flag
// before the module is compiled enables it for this process (Node ≥ 22 has it on by default).
import v8 from 'node:v8';
import { readWasmBinaries } from '../../src/kernels/wasm/node.js';
import { createWasmKernels, type WasmKernels } from '../../src/kernels/wasm/index.js';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

let cache: WasmKernels[] | null = null;

/** Shared plain SIMD first, then shared relaxed SIMD when this engine validates it, then private plain SIMD. */
export function wasmVariants(): WasmKernels[] {
  if (cache !== null) return cache;
  const bins = readWasmBinaries();
  const plain = createWasmKernels({ simd: bins.simd, threadsSimd: bins.threadsSimd });
  if (plain === null) throw new Error('this engine has no WebAssembly SIMD');
  if (!plain.shared) throw new Error('the threads build should load over shared memory in Node');
  cache = [plain];
  const relaxed = createWasmKernels(bins);
  if (relaxed !== null && relaxed.variant === 'relaxed-simd') cache.push(relaxed);
  const privateMemory = createWasmKernels({ simd: bins.simd }, { share: false });
  if (privateMemory === null || privateMemory.shared) throw new Error('the plain build should load over a private memory');
  cache.push(privateMemory);
  return cache;
}

/** A test-name label: build and memory, e.g. 'relaxed-simd, shared memory'. */
export function label(k: WasmKernels): string {
  return k.detail;
}
