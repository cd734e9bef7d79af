// Browser edge of the WebAssembly kernels: fetch the builds from a URL (a page or a worker serves
// longshort-simd.wasm and longshort-relaxed.wasm next to the bundle, and on a cross-origin
// isolated page also longshort-threads-simd.wasm and longshort-threads-relaxed.wasm, which run
// over shared memory so that arrays stay in place between calls), compile asynchronously
// (browsers refuse synchronous compiles of large modules on the main thread) and register the
// family this engine runs, so getKernels('auto') picks it.

import { registerKernels } from '../index.js';
import { canShareMemory, createWasmKernelsAsync, type WasmBinaries, type WasmKernels } from './index.js';

/** Null when the engine has no WebAssembly SIMD or the files are not there. */
export async function loadWasmKernelsFrom(base: string | URL): Promise<{ kernels: WasmKernels; binaries: WasmBinaries } | null> {
  const get = async (file: string): Promise<Uint8Array | null> => {
    const r = await fetch(new URL(file, base));
    return r.ok ? new Uint8Array(await r.arrayBuffer()) : null;
  };
  const simd = await get('longshort-simd.wasm');
  if (simd === null) return null;
  const binaries: WasmBinaries = { simd, relaxed: await get('longshort-relaxed.wasm') };
  if (canShareMemory()) {
    binaries.threadsSimd = await get('longshort-threads-simd.wasm');
    binaries.threadsRelaxed = await get('longshort-threads-relaxed.wasm');
  }
  const kernels = await createWasmKernelsAsync(binaries);
  if (kernels === null) return null;
  registerKernels(kernels);
  return { kernels, binaries };
}
