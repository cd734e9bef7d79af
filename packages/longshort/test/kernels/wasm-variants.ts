// Test helper: both builds of the WebAssembly kernels, so every wasm test runs against plain
// SIMD and (when the engine can run it) relaxed SIMD with fused multiply-add. Node 20 accepts
// relaxed SIMD only behind --experimental-wasm-relaxed-simd; setting the V8 flag before the
// module is compiled enables it for this process (Node ≥ 22 has it on by default).
import v8 from 'node:v8';
import { readWasmBinaries } from '../../src/kernels/wasm/node.js';
import { createWasmKernels, type WasmKernels } from '../../src/kernels/wasm/index.js';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

let cache: WasmKernels[] | null = null;

/** Plain SIMD first, then relaxed SIMD when this engine validates it. */
export function wasmVariants(): WasmKernels[] {
  if (cache !== null) return cache;
  const bins = readWasmBinaries();
  const plain = createWasmKernels({ simd: bins.simd });
  if (plain === null) throw new Error('this engine has no WebAssembly SIMD');
  cache = [plain];
  const relaxed = bins.relaxed ? createWasmKernels(bins) : null;
  if (relaxed !== null && relaxed.variant === 'relaxed-simd') cache.push(relaxed);
  return cache;
}
