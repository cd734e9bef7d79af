// Node edge of the WebAssembly kernels: reads build/wasm/*.wasm (written by
// scripts/build-wasm.mjs, run by `npm ci` and `npm test`) and registers the kernels so that
// getKernels('wasm' | 'auto') finds them. Synchronous, so a Node program can load the kernels at
// import time. Node always has SharedArrayBuffer, so the family runs the threads builds over a
// shared memory (arrays used in place; one thread unless made by createWasmKernelsThreaded).
// Relaxed SIMD (fused multiply-add) is used when the engine accepts it: browsers, Node ≥ 22, or
// Node 20 started with --experimental-wasm-relaxed-simd.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelError } from '../../errors.js';
import { registerKernels } from '../index.js';
import { createWasmKernels, type WasmBinaries, type WasmKernels } from './index.js';

const FILES = {
  simd: 'longshort-simd.wasm',
  relaxed: 'longshort-relaxed.wasm',
  threadsSimd: 'longshort-threads-simd.wasm',
  threadsRelaxed: 'longshort-threads-relaxed.wasm',
} as const;

/** build/wasm/ of the package: found from this file's location (src/… under tsx, dist/src/… when built). */
export function wasmBuildDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const cand = join(dir, 'build', 'wasm');
    if (existsSync(join(cand, FILES.simd))) return cand;
    dir = dirname(dir);
  }
  throw new KernelError(
    `[loadWasmKernels] build/wasm/${FILES.simd} was not found above ${dirname(fileURLToPath(import.meta.url))}. ` +
      `Hint: run \`npm run build:wasm\` (npm ci and npm test run it for you).`,
  );
}

/** The bytes of every build found (missing optional builds are null). */
export function readWasmBinaries(): WasmBinaries {
  const dir = wasmBuildDir();
  const read = (f: string): Uint8Array | null => (existsSync(join(dir, f)) ? readFileSync(join(dir, f)) : null);
  return { simd: readFileSync(join(dir, FILES.simd)), relaxed: read(FILES.relaxed), threadsSimd: read(FILES.threadsSimd), threadsRelaxed: read(FILES.threadsRelaxed) };
}

let loaded: WasmKernels | null = null;

/**
 * Load (once) and register the WebAssembly kernels. Returns null when this engine has no
 * WebAssembly SIMD; then getKernels('auto') keeps using the reference kernels.
 */
export function loadWasmKernels(): WasmKernels | null {
  if (loaded !== null) return loaded;
  const k = createWasmKernels(readWasmBinaries());
  if (k !== null) {
    registerKernels(k);
    loaded = k;
  }
  return k;
}
