// Kernel families and how a model finds one. The reference family is always there; fast families
// register themselves when they load (the WebAssembly loader needs the .wasm bytes, which Node and
// browsers fetch differently; the native addon loads in Node). getKernels('auto') returns the
// fastest registered family; a model calls getKernels once, when it is built, and keeps what it got.
// The interface itself, and what every family must do, are in ./types.ts and docs/kernels.md.

import { ConfigError } from '../errors.js';
import type { Arr } from '../tensor.js';
import { refKernels } from './ref/index.js';
import type { KernelName, Kernels } from './types.js';

export { refKernels } from './ref/index.js';
export { Workspace, LayerMemory } from './memory.js';
export type { Kernels, KernelName } from './types.js';

/** Preference of 'auto', fastest first. */
const AUTO_ORDER: readonly KernelName[] = ['native', 'wasm', 'ref'];

const registry = new Map<KernelName, Kernels>([['ref', refKernels]]);
/** Every family ever registered (also those replaced under their name): kernelsOf must find the owner of any array. */
const owners = new Set<Kernels>();

/** Make a family available to getKernels under its name (called by the loaders; a later one replaces an earlier). */
export function registerKernels(k: Kernels): void {
  registry.set(k.name, k);
  owners.add(k);
}

/** Let kernelsOf find the owner of this family's arrays without offering the family to getKernels (a family made for one model). */
export function trackKernels(k: Kernels): void {
  owners.add(k);
}

/** What 'auto' means: null = the fastest registered family; else the family setDefaultKernels chose. */
let autoChoice: KernelName | null = null;

/**
 * Choose the family that 'auto' (the default of every layer) gives from now on, as tf.setBackend
 * does: 'ref', 'wasm' or 'native' (which must be loaded: ConfigError naming those that are), or
 * 'auto' for the fastest again. Layers already built keep the family they were built with.
 * @example
 * setDefaultKernels('ref'); // new layers compute with the reference kernels
 */
export function setDefaultKernels(name: 'auto' | KernelName): void {
  if (name === 'auto') {
    autoChoice = null;
    return;
  }
  getKernels(name); // loaded? (throws ConfigError naming the available ones)
  autoChoice = name;
}

/** 'auto' picks the family setDefaultKernels chose, else the fastest registered one (native, then wasm, then ref). */
export function getKernels(prefer: 'auto' | KernelName = 'auto'): Kernels {
  if (prefer === 'auto' && autoChoice !== null) prefer = autoChoice;
  if (prefer === 'auto') {
    for (const n of AUTO_ORDER) {
      const k = registry.get(n);
      if (k !== undefined) return k;
    }
    return refKernels;
  }
  const k = registry.get(prefer);
  if (k === undefined) {
    throw new ConfigError(
      `[getKernels] kernel '${prefer}' is not loaded; available: ${[...registry.keys()].join(', ')}. ` +
        `Hint: in Node, import 'longshort' (which loads the WebAssembly kernels) or call loadWasmKernels() before asking for 'wasm'.`,
    );
  }
  return k;
}

/**
 * The family a layer computes with, chosen once when it is built: a family object as given, a
 * name through getKernels (default 'auto'); float64 layers (gradient checks) always get the
 * reference family.
 */
export function selectKernels(prefer: 'auto' | KernelName | Kernels | undefined, dtype: 'float32' | 'float64'): Kernels {
  if (dtype === 'float64') return refKernels;
  if (typeof prefer === 'object' && prefer !== null) {
    // a family object (a Kernels from createWasmKernelsThreaded, loadNativeKernels, …), not any object
    const k = prefer as Partial<Kernels>;
    if (Array.isArray(prefer) || typeof k.name !== 'string' || typeof k.alloc !== 'function' || typeof k.owns !== 'function') {
      throw new ConfigError(`[kernels] kernels must be 'auto', a kernel name (${[...registry.keys()].join(', ')}) or a kernel family object; received ${Array.isArray(prefer) ? 'an array' : 'an object that is not a kernel family'}.`);
    }
    return prefer;
  }
  if (prefer !== undefined && typeof prefer !== 'string') throw new ConfigError(`[kernels] kernels must be 'auto', a kernel name or a kernel family object; received ${typeof prefer}.`);
  return getKernels(prefer ?? 'auto');
}

/** The registered families, reference first (the parity tests run every one of them). */
export function kernelFamilies(): Kernels[] {
  return [...registry.values()];
}

/** The family whose memory holds `a` (so an operation on it runs in place there); the reference family for ordinary arrays. */
export function kernelsOf(a: Arr): Kernels {
  if (a instanceof Float32Array) for (const k of owners) if (k.owns(a)) return k;
  return refKernels;
}
