// Memory for the WebAssembly kernels: one WebAssembly.Memory per kernel family and a small
// allocator over it, plus CallFrame, which turns a kernel call's array arguments into pointers.
// Browser-safe (no Node APIs).
//
// Two kinds of memory, chosen by the loader (./index.ts):
// - shared (a SharedArrayBuffer underneath; the threads builds): growing it never detaches
//   existing views, so arrays handed out by array() are ordinary Float32Arrays that stay valid
//   and in place for their whole life. Parameters, gradients, optimizer state and activations live
//   there and every kernel call uses them where they are. (memory.buffer may return a new
//   SharedArrayBuffer object over the same bytes — after a growth, and in V8 also after a garbage
//   collection — so `owns` remembers the buffer object of every array it hands out.)
// - not shared (engines or pages without SharedArrayBuffer): growing detaches every view, so no
//   view outlives a call: array() is not offered, and every argument is copied into a temporary
//   block before the call and back after it.
//
// Memory never shrinks (WebAssembly cannot), so freed blocks go to an address-ordered free list
// that merges neighbours (best fit on allocation), and the top block goes back to the bump region:
// blocks freed by one batch shape serve the next. Arrays come back when free()d or when they are
// garbage-collected (FinalizationRegistry); `persistentBudget` caps the bytes of live arrays,
// beyond which the family hands out ordinary arrays instead (copied around each call) — V8 does
// not see wasm memory as heap pressure, so without a cap forgotten arrays could pile up.

import { ShapeError } from '../../errors.js';

const PAGE = 65536;
const ALIGN = 64;

/**
 * The memory of one WebAssembly kernel family and its allocator: 64-byte aligned blocks from a
 * free list (merged, best fit) or the top of the memory, which grows and never shrinks. With a
 * shared memory, array() hands out Float32Arrays that kernel calls use in place.
 */
export class WasmArena {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  private top: number;
  private peakTop: number;
  /** Free blocks below `top`, sorted by address, never adjacent (merged on release). */
  private readonly freeList: Array<{ ptr: number; size: number }> = [];
  /** Bytes held by live arrays from array(). */
  private liveBytes = 0;
  /** Cap on the bytes of live arrays; array() returns null beyond it. Default 1 GiB. */
  persistentBudget = 2 ** 30;
  /** The buffer objects of the arrays handed out (a shared memory's buffer object is not always the same one; each array keeps its own alive). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  /** Blocks of live arrays, for free(). */
  private readonly blocks = new WeakMap<ArrayBufferView, [number, number]>();
  /** Returns the blocks of garbage-collected arrays to the free list. */
  private readonly finalizer = new FinalizationRegistry<[number, number]>(([ptr, bytes]) => {
    this.release(ptr, bytes);
    this.liveBytes -= bytes;
  });

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    this.top = alignUp(base, ALIGN);
    this.peakTop = this.top;
  }

  /** The highest `highWater` ever reached: bytes of this memory that have been touched (bench/memory.ts). */
  get peak(): number {
    return this.peakTop;
  }

  /** End of the highest block handed out and not returned (diagnostics and tests). */
  get highWater(): number {
    return this.top;
  }

  /** Bytes on the free list (diagnostics and tests). */
  get freeBytes(): number {
    let n = 0;
    for (const b of this.freeList) n += b.size;
    return n;
  }

  /** Bytes held by live arrays from array(). */
  get persistentBytes(): number {
    return this.liveBytes;
  }

  /** A block of at least `bytes`, 64-byte aligned. May grow the memory. */
  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, 1), ALIGN);
    // best fit among the free blocks
    let best = -1;
    for (let i = 0; i < this.freeList.length; i++) {
      const b = this.freeList[i];
      if (b.size >= size && (best < 0 || b.size < this.freeList[best].size)) {
        best = i;
        if (b.size === size) break;
      }
    }
    if (best >= 0) {
      const b = this.freeList[best];
      const ptr = b.ptr;
      if (b.size === size) this.freeList.splice(best, 1);
      else {
        b.ptr += size;
        b.size -= size;
      }
      return ptr;
    }
    // a free block touching the top is extended instead of left behind
    let ptr = this.top;
    const last = this.freeList[this.freeList.length - 1];
    if (last !== undefined && last.ptr + last.size === this.top) {
      ptr = last.ptr;
      this.freeList.pop();
    }
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // grow geometrically so a sequence of growing requests costs O(log n) growths
      const need = Math.ceil((end - have) / PAGE);
      const pages = Math.max(need, Math.ceil(have / PAGE / 2));
      try {
        this.memory.grow(pages);
      } catch {
        this.memory.grow(need); // near the maximum: only what this block needs
      }
    }
    this.top = end;
    if (end > this.peakTop) this.peakTop = end;
    return ptr;
  }

  /** Give back a block from alloc(): its pointer and the byte count asked for. */
  release(ptr: number, bytes: number): void {
    const size = alignUp(Math.max(bytes, 1), ALIGN);
    const list = this.freeList;
    // insertion point by address (binary search)
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    let block = { ptr, size };
    const prev = list[lo - 1];
    if (prev !== undefined && prev.ptr + prev.size === ptr) {
      prev.size += size; // merge into the previous block
      block = prev;
      lo -= 1;
    } else {
      list.splice(lo, 0, block);
    }
    const next = list[lo + 1];
    if (next !== undefined && block.ptr + block.size === next.ptr) {
      block.size += next.size;
      list.splice(lo + 1, 1);
    }
    // the block at the top goes back to the bump region
    if (block.ptr + block.size === this.top) {
      this.top = block.ptr;
      list.splice(lo, 1);
    }
  }

  /** A view on the current buffer, for the duration of a call (a non-shared memory detaches it when it grows). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  /** Like f32(), as n 32-bit integers. */
  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, n);
  }

  /** True when `a` is a view into this memory (kernel calls use it in place). */
  owns(a: ArrayBufferView): boolean {
    return this.buffers.has(a.buffer);
  }

  /**
   * n zeroed floats in this memory as a Float32Array that stays valid for its whole life (shared
   * memory only), returned to the free list by free() or when the array is garbage-collected.
   * Null when the memory is not shared or the live arrays would exceed persistentBudget.
   */
  array(n: number): Float32Array | null {
    const bytes = n * 4;
    if (!this.shared || this.liveBytes + bytes > this.persistentBudget) return null;
    const ptr = this.alloc(bytes);
    const buf = this.memory.buffer;
    this.buffers.add(buf);
    const a = new Float32Array(buf, ptr, n);
    a.fill(0);
    const block: [number, number] = [ptr, bytes];
    this.blocks.set(a, block);
    this.finalizer.register(a, block, a);
    this.liveBytes += bytes;
    return a;
  }

  /** Give an array() back now; it must not be used afterwards. Other arrays are ignored. */
  free(a: ArrayBufferView): void {
    const block = this.blocks.get(a);
    if (block === undefined) return;
    this.blocks.delete(a);
    this.finalizer.unregister(a);
    this.release(block[0], block[1]);
    this.liveBytes -= block[1];
  }
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** How a kernel argument is used: copied in, copied out, both, or neither (scratch). */
export type Mode = 'in' | 'out' | 'inout' | 'scratch';

interface Slot {
  arr: Float32Array | Int32Array | null;
  n: number;
  mode: Mode;
  ptr: number;
  temp: boolean;
}

/**
 * The pointers of one kernel call. Arrays in the arena's memory are passed in place; others get a
 * temporary block, copied in before and out after the call. In-place offsets are read before any
 * temporary block is allocated (an allocation may grow the memory).
 */
export class CallFrame {
  private readonly slots: Slot[] = [];
  constructor(private readonly arena: WasmArena) {}

  /** Register an argument of n elements; returns its index for ptr(). */
  add(arr: Float32Array | Int32Array | null, n: number, mode: Mode): number {
    if (arr !== null && arr.length < n) {
      throw new ShapeError(`[wasm kernels] an argument must hold at least ${n} elements; received ${arr.length}.`);
    }
    const inPlace = arr !== null && this.arena.owns(arr);
    this.slots.push({ arr, n, mode, ptr: arr === null ? 0 : inPlace ? arr.byteOffset : -1, temp: !inPlace && arr !== null });
    return this.slots.length - 1;
  }

  /** Register a scratch block of n floats that only the kernel uses; returns its index. */
  work(n: number): number {
    this.slots.push({ arr: null, n, mode: 'scratch', ptr: -1, temp: true });
    return this.slots.length - 1;
  }

  /** Allocate the temporary blocks and copy inputs in; afterwards ptr(i) is valid. */
  enter(): void {
    for (const s of this.slots) if (s.temp) s.ptr = this.arena.alloc(Math.max(s.n, 1) * 4);
    const buf = this.arena.memory.buffer;
    for (const s of this.slots) {
      if (!s.temp || s.n === 0 || (s.mode !== 'in' && s.mode !== 'inout')) continue;
      const src = s.arr!;
      if (src instanceof Int32Array) new Int32Array(buf, s.ptr, s.n).set(src.subarray(0, s.n));
      else new Float32Array(buf, s.ptr, s.n).set(src.subarray(0, s.n));
    }
  }

  ptr(i: number): number {
    return this.slots[i].ptr;
  }

  /** Copy outputs back into their JavaScript arrays and free the temporary blocks. */
  leave(): void {
    const buf = this.arena.memory.buffer;
    for (const s of this.slots) {
      if (!s.temp) continue;
      if (s.arr !== null && s.n > 0 && (s.mode === 'out' || s.mode === 'inout')) (s.arr as Float32Array).set(new Float32Array(buf, s.ptr, s.n));
      this.arena.release(s.ptr, Math.max(s.n, 1) * 4);
    }
  }
}
