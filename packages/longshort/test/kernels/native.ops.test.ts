// The native family's other operations against the reference family, for every instruction-set
// build this CPU runs: matrix products (every transpose case, accumulation, sizes that leave
// partial register blocks and K slices), dense forward/backward and the standalone activations
// (softmax included), the cell activations' accuracy over a sweep with the special values; then
// what does not depend on arithmetic: results identical with one thread and two, the family's
// memory (64-byte aligned, in place, free() returns it at once, owns() sees subarrays), and the
// addon's own argument checks (a short array, a wrong type or a destroyed family is a thrown
// RangeError/TypeError naming the argument, never a read out of bounds).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { refKernels } from '../../src/kernels/ref/index.js';
import { allocLstmBackWork, allocLstmCache } from '../../src/kernels/lstm-buffers.js';
import { ACTIVATIONS, activation } from '../../src/kernels/activations.js';
import { DEFAULT_CELL, DENSE_ACTIVATIONS, type LstmRun } from '../../src/kernels/types.js';
import { createNativeKernels } from '../../src/kernels/native/index.js';
import { loadNativeAddon, nativeLoadError } from '../../src/kernels/native/node.js';
import { Rng } from '../../src/util/rng.js';

function rand(n: number, rng: Rng, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-scale, scale);
  return a;
}

/** |got − want| ≤ atol·max|want| + rtol·|want| elementwise; names the first mismatches. */
function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 3e-6, rtol = 3e-5): void {
  assert.equal(got.length, want.length, `${name}: length`);
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i] - want[i]) <= atol * scale + rtol * Math.abs(want[i]) || Object.is(got[i], want[i]);
    if (!ok && bad.length < 5) bad.push(`${name}[${i}]: ref ${want[i]} native ${got[i]}`);
  }
  if (bad.length > 0) assert.fail(bad.join('\n'));
}

const addon = loadNativeAddon();

describe('native operations vs ref', { skip: addon === null ? `no native addon here: ${nativeLoadError()}` : false }, () => {
  if (addon === null) return;
  for (const isa of addon.info().supported) {
    describe(isa, () => {
      const k = createNativeKernels(addon, { isa, threads: 2, minParFlops: 0, adaptive: false });
      test('gemm: every transpose case, accumulate, awkward sizes', () => {
        const rng = new Rng(3);
        for (const [M, N, K] of [[1, 1, 1], [3, 5, 7], [17, 33, 9], [67, 40, 129], [8, 100, 300], [130, 70, 520]]) {
          for (const tA of [false, true]) {
            for (const tB of [false, true]) {
              for (const acc of [false, true]) {
                const A = rand(M * K, rng), B = rand(K * N, rng), C0 = rand(M * N, rng);
                const want = C0.slice(), got = C0.slice();
                refKernels.gemm(want, A, B, M, N, K, tA, tB, acc);
                k.gemm(got, A, B, M, N, K, tA, tB, acc);
                close(`C(M${M} N${N} K${K} tA${+tA} tB${+tB} acc${+acc})`, got, want);
              }
            }
          }
        }
      });

      test('dense forward and backward, every activation, with and without bias and dx', () => {
        const rng = new Rng(4);
        for (const act of DENSE_ACTIVATIONS) {
          for (const [M, I, O] of [[1, 1, 1], [7, 19, 5], [33, 70, 45]]) {
            const x = rand(M * I, rng), W = rand(O * I, rng, 0.5), b = rand(O, rng, 0.5), dy = rand(M * O, rng);
            for (const withBias of [true, false]) {
              const yR = new Float32Array(M * O), yN = new Float32Array(M * O).fill(7);
              refKernels.denseForward(yR, x, W, withBias ? b : null, M, I, O, act);
              k.denseForward(yN, x, W, withBias ? b : null, M, I, O, act);
              close(`${act} y`, yN, yR);
              const g0 = rand(O * I, rng), db0 = rand(O, rng), dx0 = rand(M * I, rng);
              const R = { dx: dx0.slice(), dW: g0.slice(), db: db0.slice(), dz: new Float32Array(M * O) };
              const N = { dx: dx0.slice(), dW: g0.slice(), db: db0.slice(), dz: new Float32Array(M * O).fill(3) };
              refKernels.denseBackward(withBias ? R.dx : null, R.dW, withBias ? R.db : null, R.dz, dy, x, W, yR, M, I, O, act);
              k.denseBackward(withBias ? N.dx : null, N.dW, withBias ? N.db : null, N.dz, dy, x, W, yR, M, I, O, act);
              close(`${act} dx`, N.dx, R.dx);
              close(`${act} dW`, N.dW, R.dW);
              close(`${act} db`, N.db, R.db);
            }
          }
        }
      });

      test('standalone activations, forward (in place too) and backward', () => {
        const rng = new Rng(5);
        for (const act of DENSE_ACTIVATIONS) {
          const rows = 9, cols = 37;
          const x = rand(rows * cols, rng, 6);
          const yR = new Float32Array(x.length), yN = new Float32Array(x.length);
          refKernels.activationForward(yR, x, rows, cols, act);
          k.activationForward(yN, x, rows, cols, act);
          close(`${act} forward`, yN, yR);
          const inPlace = x.slice();
          k.activationForward(inPlace, inPlace, rows, cols, act);
          close(`${act} in place`, inPlace, yR);
          const dy = rand(x.length, rng), d0 = rand(x.length, rng);
          const dR = d0.slice(), dN = d0.slice();
          refKernels.activationBackward(dR, dy, yR, rows, cols, act);
          k.activationBackward(dN, dy, yR, rows, cols, act);
          close(`${act} backward`, dN, dR);
        }
      });

      test('cell activations: within 4 float32 ulps of float64 (2^-149 absolute below normal), NaN and ±Infinity as the reference', () => {
        const xs: number[] = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 87.3, -87.3, 104, -104, 200, -200, 9, -9];
        for (let v = -40; v <= 40; v += 1 / 64) xs.push(v);
        const x = Float32Array.from(xs);
        for (const name of ACTIVATIONS) {
          const f = activation(name);
          const got = k.activation(name, x);
          for (let i = 0; i < x.length; i++) {
            const want = f(x[i]);
            const ok = Object.is(Math.fround(want), got[i]) || (Number.isNaN(want) && Number.isNaN(got[i])) ||
              Math.abs(got[i] - want) <= 4 * 2 ** -23 * Math.abs(want) + (name === 'hardSigmoid' ? 2e-7 : 2 ** -149);
            if (!ok) assert.fail(`${name}(${x[i]}): float64 ${want}, native ${got[i]}`);
          }
        }
      });
      test('close', () => k.close());
    });
  }

  test('results do not depend on the number of threads (LSTM forward/backward, gemm)', () => {
    const one = createNativeKernels(addon, { threads: 1 });
    const two = createNativeKernels(addon, { threads: 2, minSplitH: 1, minParFlops: 0, adaptive: false });
    const rng = new Rng(9);
    for (const [T, B, D, H] of [[6, 1, 5, 40], [5, 12, 7, 21], [4, 33, 3, 9]]) {
      const P = H, G = 4 * H;
      const run: LstmRun = { dims: { T, B, D, H, P }, spec: { ...DEFAULT_CELL, peephole: true }, lengths: null, reverse: B === 12 };
      const w = { wih: rand(G * D, rng), whh: rand(G * P, rng), bih: rand(G, rng), bhh: rand(G, rng), whr: null, peep: rand(3 * H, rng) };
      const x = rand(T * B * D, rng), h0 = rand(B * P, rng), c0 = rand(B * H, rng), dy = rand(T * B * P, rng);
      const outs = [one, two].map((kk) => {
        const f32 = (n: number): Float32Array => new Float32Array(n);
        const o = { y: f32(T * B * P), hN: f32(B * P), cN: f32(B * H), cache: allocLstmCache(f32, run.dims, false, false) };
        kk.lstmForward(o.y, o.hN, o.cN, o.cache, x, h0, c0, w, run);
        const g = { wih: f32(G * D), whh: f32(G * P), bih: f32(G), bhh: f32(G), whr: null, peep: f32(3 * H) };
        const dx = f32(T * B * D), dh0 = f32(B * P), dc0 = f32(B * H);
        kk.lstmBackward(g, dx, dh0, dc0, dy, null, null, o.cache, allocLstmBackWork(f32, run.dims, false), x, w, run);
        return [o.y, o.hN, o.cN, dx, dh0, dc0, g.wih, g.whh, g.bih, g.peep];
      });
      outs[0].forEach((a, i) => assert.deepEqual(outs[1][i], a, `array ${i} of T${T} B${B}`));
    }
    const A = rand(300 * 200, rng), B = rand(200 * 150, rng);
    const c1 = new Float32Array(300 * 150), c2 = new Float32Array(300 * 150);
    one.gemm(c1, A, B, 300, 150, 200, true, false, false);
    two.gemm(c2, A, B, 300, 150, 200, true, false, false);
    assert.deepEqual(c2, c1);
    assert.equal(one.threadedCalls, 0);
    assert.ok(two.threadedCalls >= 7, `threaded calls ${two.threadedCalls}`);
    one.close();
    two.close();
  });

  test('memory: alloc() is zeroed, 64-byte aligned, used in place; free() returns it at once; owns() sees subarrays', () => {
    const k = createNativeKernels(addon);
    const before = addon.allocatedBytes();
    const a = k.alloc(1000, 'float32') as Float32Array;
    assert.ok(a instanceof Float32Array && a.length === 1000 && a.every((v) => v === 0));
    assert.equal(addon.allocatedBytes() - before, 4000);
    assert.ok(k.owns(a) && k.owns(a.subarray(10, 20)));
    assert.ok(!k.owns(new Float32Array(4)));
    // the addon writes through the array itself (no copy back): C = A·B into an alloc()'d C
    const A = Float32Array.of(1, 2, 3, 4), B = Float32Array.of(5, 6, 7, 8);
    k.gemm(a, A, B, 2, 2, 2, false, false, false);
    assert.deepEqual([...a.subarray(0, 4)], [19, 22, 43, 50]);
    k.free(a.subarray(0, 10)); // not an alloc() array: ignored
    assert.equal(a.length, 1000);
    k.free(a);
    assert.equal(a.length, 0, 'a freed array is detached');
    assert.equal(addon.allocatedBytes(), before);
    k.free(a); // twice: ignored
    assert.ok(k.alloc(3, 'float64') instanceof Float64Array);
    k.close();
  });

  test('bad arguments are thrown errors naming them, before any access', () => {
    const k = createNativeKernels(addon);
    const f = (n: number): Float32Array => new Float32Array(n);
    assert.throws(() => k.gemm(f(5), f(6), f(6), 2, 3, 3, false, false, false), (e: Error) => e instanceof RangeError && /\[native\.gemm\] C must hold at least 6 floats .* received 5/.test(e.message));
    assert.throws(() => k.gemm(f(6), f(5), f(9), 2, 3, 3, false, false, false), /A must hold at least 6 floats/);
    assert.throws(() => k.swapAxes(f(5), f(6), 2, 3, 1), (e: Error) => e instanceof RangeError && /\[native\.swapAxes\] dst must hold at least 6 floats .* received 5/.test(e.message));
    const both = f(12);
    assert.throws(() => k.swapAxes(both.subarray(0, 6), both.subarray(3, 9), 2, 3, 1), /dst and src must not overlap/);
    assert.throws(() => addon.gemm({} as never, f(1), f(1), f(1), 1, 1, 1, false, false, false), (e: Error) => e instanceof TypeError && /context from createContext/.test(e.message));
    const T = 3, B = 2, D = 2, H = 4, G = 16;
    const run: LstmRun = { dims: { T, B, D, H, P: H }, spec: { ...DEFAULT_CELL }, lengths: Int32Array.of(3, 4), reverse: false };
    const cache = allocLstmCache(f, run.dims, false, false);
    const w = { wih: f(G * D), whh: f(G * H), bih: f(G), bhh: f(G), whr: null, peep: null };
    assert.throws(() => k.lstmForward(f(T * B * H), f(B * H), f(B * H), cache, f(T * B * D), f(B * H), f(B * H), w, run), /lengths\[1\] must be in \[1, T\] = \[1, 3\]; received 4/);
    run.lengths = null;
    assert.throws(() => k.lstmForward(f(T * B * H), f(B * H), f(B * H), cache, f(T * B * D - 1), f(B * H), f(B * H), w, run), /x must hold at least 12 floats .* received 11/);
    assert.throws(() => k.lstmForward(f(T * B * H), f(B * H), f(B * H), cache, f(T * B * D), f(B * H), f(B * H), { ...w, whh: f(3) }, run), /whh must hold at least 64 floats/);
    k.close();
    assert.throws(() => k.gemm(f(1), f(1), f(1), 1, 1, 1, false, false, false), /destroyed/);
  });
});
