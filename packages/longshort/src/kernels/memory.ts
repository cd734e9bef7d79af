// Kernel-owned arrays with an owner. A layer keeps its parameters and gradients in a LayerMemory
// (allocated once; moved when the layer changes kernel family; freed by dispose()), and each kind
// of buffer it needs (its activations for the current batch shape, backward's scratch, step()'s
// state) in a Workspace of that LayerMemory, asking for them
// by a key that says what they are for — typically the shape. The same key returns the same
// arrays; a new key first gives the previous key's arrays back to the kernel family, so batches of
// changing shape reuse memory at once. (Waiting for the garbage collector is not enough: V8 does
// not count WebAssembly or native memory as heap pressure, so it would collect too late.) Layer
// code therefore never releases anything itself; dispose() on the layer clears its workspaces.
// Arrays of a workspace that is dropped without clear() come back when they are collected (every
// family registers its arrays for that).

import type { Arr, DType } from '../tensor.js';
import type { Kernels } from './types.js';
import type { AllocFn } from './lstm-buffers.js';

export class Workspace {
  private key: string | null = null;
  private value: unknown = null;
  private arrays: Arr[] = [];

  constructor(
    private kernels: Kernels,
    readonly dtype: DType,
  ) {}

  /** Empty this workspace and allocate from another family from now on. */
  retarget(k: Kernels): void {
    this.clear();
    this.kernels = k;
  }

  /** The buffers built for `key` (by `build`, with arrays from the kernel family), made anew when the key changes. */
  get<T>(key: string, build: (alloc: AllocFn) => T): T {
    if (this.key === key) return this.value as T;
    this.clear();
    const arrays: Arr[] = [];
    const alloc: AllocFn = (n) => {
      const a = this.kernels.alloc(n, this.dtype);
      arrays.push(a);
      return a;
    };
    this.value = build(alloc);
    this.arrays = arrays;
    this.key = key;
    return this.value as T;
  }

  /** The buffers for `key` if that is the current key, else null (nothing is built). */
  peek<T>(key: string): T | null {
    return this.key === key ? (this.value as T) : null;
  }

  /** Give every array back to the kernel family now; whatever get() returned must not be used afterwards. */
  clear(): void {
    for (const a of this.arrays) this.kernels.free(a);
    this.arrays = [];
    this.value = null;
    this.key = null;
  }
}

/**
 * The memory of one layer: its long-lived arrays (parameters, gradients) and its workspaces, all
 * in one kernel family. moveTo() re-homes them in another family; dispose() gives everything back.
 */
export class LayerMemory {
  private arrays: Arr[] = [];
  private readonly spaces: Workspace[] = [];
  private dead = false;

  constructor(
    private k: Kernels,
    readonly dtype: DType,
  ) {}

  get kernels(): Kernels {
    return this.k;
  }

  get disposed(): boolean {
    return this.dead;
  }

  /** n zeroed elements that live as long as the layer. */
  alloc(n: number): Arr {
    const a = this.k.alloc(n, this.dtype);
    this.arrays.push(a);
    return a;
  }

  /** A workspace of this layer (emptied by moveTo and dispose). */
  workspace(): Workspace {
    const w = new Workspace(this.k, this.dtype);
    this.spaces.push(w);
    return w;
  }

  /**
   * Switch to family k: workspaces empty (they rebuild there on next use) and the returned
   * function copies a long-lived array into k. The old arrays are left to the garbage collector,
   * not freed: a caller may still hold one (Param objects follow the layer; arrays taken from
   * them earlier do not).
   */
  moveTo(k: Kernels): (a: Arr) => Arr {
    this.k = k;
    this.arrays = [];
    for (const w of this.spaces) w.retarget(k);
    return (a) => {
      const b = this.alloc(a.length);
      b.set(a);
      return b;
    };
  }

  /** Give every array back to the kernel family now; the layer must not be used afterwards. */
  dispose(): void {
    if (this.dead) return;
    this.dead = true;
    for (const w of this.spaces) w.clear();
    for (const a of this.arrays) this.k.free(a);
    this.arrays = [];
  }
}
