// The kernel interface. Layers call kernels only through a `Kernels` object, so the reference
// kernel (plain TypeScript, the definition of correct behaviour) and the WebAssembly SIMD kernel
// are interchangeable. `typeof ref.*` makes the fast path keep the reference's exact signatures.
//
// Fast kernels register themselves (the WebAssembly loader needs the .wasm bytes, which Node and
// browsers fetch differently); getKernels('auto') returns the best registered one.

import * as refLstm from './ref/lstm.js';
import { gemm as refGemm } from './ref/gemm.js';
import { ConfigError } from '../errors.js';
import { allocArr, type Arr, type DType } from '../tensor.js';

export type KernelName = 'ref' | 'wasm';

export interface Kernels {
  readonly name: KernelName;
  gemm: typeof refGemm;
  lstmForward: typeof refLstm.lstmForward;
  lstmBackward: typeof refLstm.lstmBackward;
  allocLstmCache: typeof refLstm.allocLstmCache;
  allocLstmBackWork: typeof refLstm.allocLstmBackWork;
  /**
   * Arrays that live across calls and that the kernels use in place (WebAssembly memory for the
   * wasm kernels, within the arena's budget; ordinary arrays otherwise). A kernel call may grow
   * that memory, which replaces the views: read a field again after every kernel call instead of
   * keeping the array.
   */
  allocBuffers<K extends string>(sizes: Record<K, number>, dtype: DType): Record<K, Arr>;
  /** Return a cache, back-work or allocBuffers object's memory now (the WebAssembly arena); a no-op for ordinary arrays. The object must not be used afterwards. */
  release(obj: object): void;
}

/** allocBuffers with ordinary arrays. */
export function plainBuffers<K extends string>(sizes: Record<K, number>, dtype: DType): Record<K, Arr> {
  const out = {} as Record<K, Arr>;
  for (const k of Object.keys(sizes) as K[]) out[k] = allocArr(sizes[k], dtype);
  return out;
}

export const refKernels: Kernels = Object.freeze({
  name: 'ref',
  gemm: refGemm,
  lstmForward: refLstm.lstmForward,
  lstmBackward: refLstm.lstmBackward,
  allocLstmCache: refLstm.allocLstmCache,
  allocLstmBackWork: refLstm.allocLstmBackWork,
  allocBuffers: plainBuffers,
  release: () => {},
});

const registry = new Map<KernelName, Kernels>([['ref', refKernels]]);

/** Make a fast kernel available to getKernels (called by the WebAssembly loaders). */
export function registerKernels(k: Kernels): void {
  registry.set(k.name, k);
}

/** 'auto' picks the fastest registered kernel (wasm when loaded), else ref. */
export function getKernels(prefer: 'auto' | KernelName = 'auto'): Kernels {
  if (prefer === 'auto') return registry.get('wasm') ?? refKernels;
  const k = registry.get(prefer);
  if (k === undefined) {
    throw new ConfigError(
      `[getKernels] kernel '${prefer}' is not loaded; available: ${[...registry.keys()].join(', ')}. ` +
        `Hint: in Node, import 'longshort/node' (or call loadWasmKernels()) before asking for 'wasm'.`,
    );
  }
  return k;
}
