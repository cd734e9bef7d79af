// Memory for the WebAssembly kernels: one WebAssembly.Memory per loaded module and a small
// allocator over it, so buffers that live across calls (LSTM caches) can sit in wasm memory and
// be used in place, while ordinary JavaScript arrays are copied in and out around each call.
// Browser-safe (no Node APIs). It leaves out shared memory and threads.
//
// Two facts about WebAssembly memory shape this file (measured, see docs/performance.md):
// growing a non-shared memory detaches every view over its old buffer, and memory never
// shrinks. So views handed out by `persistentF32` are re-created on access after a growth, and
// freed blocks go to an address-ordered free list that merges neighbours (best fit on
// allocation), so blocks freed by one batch shape serve the next shape. Persistent blocks (caches)
// come back only when their owner is garbage-collected — V8 does not see wasm memory as heap
// pressure — so `persistentBudget` caps them: beyond it, callers fall back to ordinary arrays.

const PAGE = 65536;
const ALIGN = 64;

export class WasmArena {
  readonly memory: WebAssembly.Memory;
  private top: number;
  private peakTop: number;
  /** Free blocks below `top`, sorted by address, never adjacent (merged on release). */
  private readonly freeList: Array<{ ptr: number; size: number }> = [];
  /** Bytes held by live persistent objects (caches). */
  private persistentLive = 0;
  /** Cap on persistentLive; allocLstmCache & co. return ordinary arrays beyond it. Default 1 GiB. */
  persistentBudget = 2 ** 30;
  /** Returns blocks of garbage-collected persistent objects (caches) to the free list. */
  private readonly finalizer = new FinalizationRegistry<Array<[number, number]>>((blocks) => {
    for (const [ptr, bytes] of blocks) {
      this.release(ptr, bytes);
      this.persistentLive -= bytes;
    }
  });
  /** Blocks of live persistent objects, for dispose(). */
  private readonly owned = new WeakMap<object, Array<[number, number]>>();

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.top = alignUp(base, ALIGN);
    this.peakTop = this.top;
  }

  /** The highest `highWater` ever reached: bytes of this memory that have been touched (bench/memory.ts). */
  get peak(): number {
    return this.peakTop;
  }

  /** End of the highest block ever handed out and not returned (diagnostics and tests). */
  get highWater(): number {
    return this.top;
  }

  /** Bytes on the free list (diagnostics and tests). */
  get freeBytes(): number {
    let n = 0;
    for (const b of this.freeList) n += b.size;
    return n;
  }

  /** Bytes held by live persistent objects. */
  get persistentBytes(): number {
    return this.persistentLive;
  }

  /** A block of at least `bytes`, 64-byte aligned. May grow the memory (detaching old views). */
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
      // grow geometrically so a sequence of growing requests costs O(log n) detaches
      const need = Math.ceil((end - have) / PAGE);
      const pages = Math.max(need, Math.ceil(have / PAGE / 2));
      this.memory.grow(pages);
    }
    this.top = end;
    if (end > this.peakTop) this.peakTop = end;
    return ptr;
  }

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

  /** A view on the CURRENT buffer (do not keep it across calls that may allocate). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, n);
  }

  /** True when `a` is a live view into this arena's memory (usable by the kernels in place). */
  owns(a: ArrayBufferView): boolean {
    return a.buffer === this.memory.buffer;
  }

  /**
   * An object whose properties are float32 arrays living in wasm memory (null where the size is
   * null). Each property is a getter that re-creates its view if the memory has grown since, so
   * reading `obj.name` always gives a live array. The blocks return to the free list when the
   * object is garbage-collected.
   */
  persistentF32<K extends string>(sizes: Record<K, number | null>): Record<K, Float32Array | null> {
    const obj = {} as Record<K, Float32Array | null>;
    let total = 0;
    const blocks: Array<[number, number]> = [];
    for (const name of Object.keys(sizes) as K[]) {
      const n = sizes[name];
      if (n === null) {
        obj[name] = null;
        continue;
      }
      const ptr = this.alloc(n * 4);
      blocks.push([ptr, n * 4]);
      total += n * 4;
      this.f32(ptr, n).fill(0);
      let view: Float32Array | null = null;
      Object.defineProperty(obj, name, {
        enumerable: true,
        configurable: true, // dispose() replaces the getter
        get: () => {
          if (view === null || view.buffer !== this.memory.buffer) view = this.f32(ptr, n);
          return view;
        },
      });
    }
    this.persistentLive += total;
    this.finalizer.register(obj, blocks, obj);
    this.owned.set(obj, blocks);
    return obj;
  }

  /**
   * Give a persistent object's blocks back now instead of at garbage collection (a layer that
   * replaces its caches for a new batch shape calls this). Its arrays must not be used afterwards:
   * reading one throws. Objects not made by persistentF32 are ignored.
   */
  dispose(obj: object): void {
    const blocks = this.owned.get(obj);
    if (blocks === undefined) return;
    this.owned.delete(obj);
    this.finalizer.unregister(obj);
    for (const [ptr, bytes] of blocks) {
      this.release(ptr, bytes);
      this.persistentLive -= bytes;
    }
    for (const name of Object.keys(obj)) {
      Object.defineProperty(obj, name, {
        get: () => {
          throw new Error(`[WasmArena] '${name}' belongs to a disposed cache; its memory was returned to the arena.`);
        },
      });
    }
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
 * The pointers of one kernel call. Arrays already in the arena are passed in place; others get a
 * temporary block, copied in before and out after the call. All in-place offsets are read
 * BEFORE any temporary block is allocated, because an allocation may grow the memory and
 * detach those views.
 */
export class CallFrame {
  private readonly slots: Slot[] = [];
  constructor(private readonly arena: WasmArena) {}

  /** Register an argument of n elements; returns its index for ptr(). */
  add(arr: Float32Array | Int32Array | null, n: number, mode: Mode): number {
    if (arr !== null && arr.length < n) {
      throw new RangeError(
        `[wasm kernels] an argument must hold at least ${n} elements; received ${arr.length}. ` +
          `Hint: a length of 0 usually means a view into wasm memory that was detached when the memory grew — re-read it from its cache object.`,
      );
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
