// Node edge of the kernel families: load and register every family this machine can run, so that
// getKernels('auto') picks the fastest and the parity tests (test/kernels/parity.test.ts) run all
// of them: the WebAssembly family (./wasm/node.ts) and the native addon (./native/node.ts), each
// where it loads.

import { kernelFamilies } from './index.js';
import type { Kernels } from './types.js';
import { loadWasmKernels } from './wasm/node.js';
import { loadNativeKernels } from './native/node.js';

/** Load every family available here (a missing build is skipped, not an error); returns the registered families, reference first. */
export function loadKernels(): Kernels[] {
  try {
    loadWasmKernels();
  } catch {
    // build/wasm missing: the reference family stays
  }
  loadNativeKernels(); // null where this platform has no addon (or LONGSHORT_NATIVE=0)
  return kernelFamilies();
}
