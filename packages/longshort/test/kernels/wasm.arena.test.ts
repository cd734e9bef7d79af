// The wasm-memory arena (src/kernels/wasm/arena.ts): best-fit reuse of freed blocks of other
// sizes, merging of neighbours, the top block going back to the bump region (so memory stops
// growing when batch shapes vary), caches returned when their owner is garbage-collected, and
// the persistent budget beyond which alloc() hands out ordinary arrays that still compute the same;
// long-lived arrays exist only over shared memory, whose growth never detaches them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WasmArena } from '../../src/kernels/wasm/arena.js';
import { DEFAULT_CELL, type LstmRun } from '../../src/kernels/types.js';
import { allocLstmBackWork, allocLstmCache } from '../../src/kernels/lstm-buffers.js';
import { label, wasmVariants } from './wasm-variants.js';

function freshArena(): WasmArena {
  return new WasmArena(new WebAssembly.Memory({ initial: 1 }), 1024);
}

function sharedArena(): WasmArena {
  return new WasmArena(new WebAssembly.Memory({ initial: 1, maximum: 1024, shared: true }), 1024);
}

describe('wasm arena', () => {
  test('freed blocks are reused best-fit, split, merged with neighbours, and the top block is returned', () => {
    const a = freshArena();
    const base = a.highWater;
    const p1 = a.alloc(100); // 128 bytes
    const p2 = a.alloc(200); // 256
    const p3 = a.alloc(300); // 320
    assert.equal(p1, base);
    assert.equal(p2, base + 128);
    assert.equal(p3, base + 384);
    a.release(p2, 200);
    assert.equal(a.freeBytes, 256);
    assert.equal(a.alloc(64), p2, 'best fit reuses the freed 256-byte block');
    assert.equal(a.freeBytes, 192, 'the rest of the block stays free');
    a.release(p1, 100); // merges with nothing (p2 head is taken)
    a.release(p2, 64); //  merges p1 + p2 + the 192-byte rest into one block
    assert.equal(a.freeBytes, 384);
    assert.equal(a.alloc(384), base, 'the merged block serves a request of its full size');
    a.release(base, 384);
    a.release(p3, 300); // top block: everything goes back to the bump region
    assert.equal(a.freeBytes, 0);
    assert.equal(a.highWater, base);
  });

  test('varying request sizes do not grow the memory once freed space suffices', () => {
    const a = freshArena();
    const big = a.alloc(3 << 20);
    const keep = a.alloc(64); // pins the top so the big block stays on the free list
    a.release(big, 3 << 20);
    const grownTo = a.memory.buffer.byteLength;
    for (let round = 0; round < 50; round++) {
      const sizes = [1 << 20, (round + 1) * 9000, 700 * 1024];
      const ptrs = sizes.map((s) => a.alloc(s));
      ptrs.forEach((p, i) => a.release(p, sizes[i]));
    }
    assert.equal(a.memory.buffer.byteLength, grownTo);
    a.release(keep, 64);
    assert.equal(a.freeBytes, 0);
  });

  test('arrays are offered only over shared memory, where growth does not detach them', () => {
    assert.equal(freshArena().array(10), null, 'a private memory detaches views when it grows: no long-lived arrays');
    const a = sharedArena();
    const x = a.array(100)!;
    x.fill(7);
    const big = a.alloc(1 << 20); // grows the memory
    a.release(big, 1 << 20);
    assert.equal(x.length, 100);
    assert.equal(x[99], 7);
    assert.ok(a.owns(x));
    a.free(x);
    assert.equal(a.persistentBytes, 0);
  });

  test('arrays garbage-collected return their blocks', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const a = sharedArena();
    const make = () => {
      a.array(1 << 16);
      a.array(1000);
    };
    make();
    assert.equal(a.persistentBytes, (1 << 18) + 4000);
    for (let i = 0; i < 20 && a.persistentBytes > 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(a.persistentBytes, 0);
    assert.equal(a.highWater, 1024, 'all blocks merged back into the bump region');
  });

  for (const k of wasmVariants().slice(0, 1)) {
    test(`${label(k)}: beyond persistentBudget, alloc() returns ordinary arrays and they give the same results`, () => {
      const T = 4, B = 3, D = 2, H = 5, P = 5;
      const run: LstmRun = { dims: { T, B, D, H, P }, spec: { ...DEFAULT_CELL }, lengths: null, reverse: false };
      const alloc = (n: number) => k.alloc(n, 'float32');
      const inArena = allocLstmCache(alloc, run.dims, false, false);
      assert.ok(k.owns(inArena.gates));
      const saved = k.arena.persistentBudget;
      k.arena.persistentBudget = k.arena.persistentBytes; // no room left
      try {
        const plain = allocLstmCache(alloc, run.dims, false, false);
        assert.ok(!k.owns(plain.gates) && plain.gates instanceof Float32Array);
        assert.ok(!k.owns(allocLstmBackWork(alloc, run.dims, false).dzStep));
        const w = {
          wih: Float32Array.from({ length: 4 * H * D }, (_, i) => Math.sin(i)),
          whh: Float32Array.from({ length: 4 * H * P }, (_, i) => Math.cos(i) / 2),
          bih: new Float32Array(4 * H).fill(0.1), bhh: new Float32Array(4 * H), whr: null, peep: null,
        };
        const x = Float32Array.from({ length: T * B * D }, (_, i) => Math.sin(3 * i));
        const outs = [inArena, plain].map((cache) => {
          const y = new Float32Array(T * B * P);
          k.lstmForward(y, new Float32Array(B * P), new Float32Array(B * H), cache, x, new Float32Array(B * P), new Float32Array(B * H), w, run);
          return y;
        });
        assert.deepEqual([...outs[1]], [...outs[0]]);
      } finally {
        k.arena.persistentBudget = saved;
      }
    });
  }
});
