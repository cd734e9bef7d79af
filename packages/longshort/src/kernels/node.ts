// Node edge of the kernel families: load and register every family this machine can run, so that
// getKernels('auto') picks the fastest and the parity tests (test/kernels/parity.test.ts) run all
// of them. Today: the WebAssembly family (./wasm/node.ts). A family with a Node loader (the native
// addon) adds its loader here, and nothing else changes.

import { kernelFamilies } from './index.js';
import type { Kernels } from './types.js';
import { loadWasmKernels } from './wasm/node.js';

/** Load every family available here (a missing build is skipped, not an error); returns the registered families, reference first. */
export function loadKernels(): Kernels[] {
  try {
    loadWasmKernels();
  } catch {
    // build/wasm missing: the reference family stays
  }
  return kernelFamilies();
}
