// Accuracy of the vectorised activations in asm/activations.ts, measured in float32 ulps against
// the float64 forms the reference uses (Math.exp-based sigmoid, Math.tanh), over a dense sweep of
// ~440 000 inputs in [−110, 110] plus tiny, huge and special values. Asserts: sigmoid and tanh
// within 4 ulps wherever the result is a normal float (measured worst printed), an absolute
// error below 2^-148 where sigmoid's result is subnormal, exact limits at ±1e30 and ±Infinity, NaN in → NaN
// out, and relu / identity / hardSigmoid equal to the reference's float32 results.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { activation } from '../../src/kernels/activations.js';
import { label, wasmVariants } from './wasm-variants.js';

const MIN_NORMAL = 2 ** -126;

/** Spacing of float32 numbers at |y| (2^-149 in the subnormal range). */
function ulp32(y: number): number {
  const a = Math.abs(Math.fround(y));
  if (a < MIN_NORMAL) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

function sweep(): Float32Array {
  const xs: number[] = [];
  for (let x = -110; x <= 110; x += 1 / 2000) xs.push(x);
  for (let e = -45; e <= 38; e++) for (const m of [1, 1.7, 3.3, 7.9]) xs.push(m * 10 ** e, -m * 10 ** e);
  xs.push(0, -0, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, -1.401298464324817e-45);
  return Float32Array.from(xs);
}

function refSigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

describe('wasm activations', () => {
  const xs = sweep();
  for (const k of wasmVariants()) {
    test(`${label(k)}: sigmoid within 4 float32 ulps (normal results), subnormal results within 2^-148`, () => {
      const y = k.activation('sigmoid', xs);
      let worst = 0;
      let worstAt = 0;
      for (let i = 0; i < xs.length; i++) {
        const want = refSigmoid(xs[i]);
        const err = Math.abs(y[i] - want);
        if (want < MIN_NORMAL) {
          assert.ok(err <= 2 ** -148, `sigmoid(${xs[i]}) = ${y[i]}, want ${want}`);
          continue;
        }
        const u = err / ulp32(want);
        if (u > worst) [worst, worstAt] = [u, xs[i]];
      }
      console.log(`  ${label(k)}: sigmoid worst ${worst.toFixed(2)} ulp at x = ${worstAt}`);
      assert.ok(worst <= 4, `worst ${worst} ulp at x = ${worstAt}`);
    });

    test(`${label(k)}: tanh within 4 float32 ulps everywhere, odd, tanh(−0) = −0`, () => {
      const y = k.activation('tanh', xs);
      let worst = 0;
      let worstAt = 0;
      for (let i = 0; i < xs.length; i++) {
        const want = Math.tanh(xs[i]);
        const u = Math.abs(y[i] - want) / ulp32(want);
        if (u > worst) [worst, worstAt] = [u, xs[i]];
      }
      console.log(`  ${label(k)}: tanh worst ${worst.toFixed(2)} ulp at x = ${worstAt}`);
      assert.ok(worst <= 4, `worst ${worst} ulp at x = ${worstAt}`);
      const neg = k.activation('tanh', Float32Array.from([-0, 0.3, -0.3]));
      assert.ok(Object.is(neg[0], -0));
      assert.equal(neg[1], -neg[2]);
    });

    test(`${label(k)}: limits at ±1e30 and ±Infinity, NaN stays NaN, no overflow`, () => {
      const sp = Float32Array.from([1e30, -1e30, Infinity, -Infinity, NaN]);
      assert.deepEqual([...k.activation('sigmoid', sp)].slice(0, 4), [1, 0, 1, 0]);
      assert.deepEqual([...k.activation('tanh', sp)].slice(0, 4), [1, -1, 1, -1]);
      assert.ok(Number.isNaN(k.activation('sigmoid', sp)[4]));
      assert.ok(Number.isNaN(k.activation('tanh', sp)[4]));
    });

    test(`${label(k)}: relu, identity, hardSigmoid match the reference (float32 results)`, () => {
      const xsSmall = Float32Array.from([...xs.subarray(0, 5000), -0, NaN, Infinity, -Infinity]);
      for (const name of ['relu', 'identity', 'hardSigmoid'] as const) {
        const y = k.activation(name, xsSmall);
        const f = activation(name);
        for (let i = 0; i < xsSmall.length; i++) {
          const want = Math.fround(f(xsSmall[i]));
          if (Number.isNaN(want)) assert.ok(Number.isNaN(y[i]), `${name}(${xsSmall[i]})`);
          else assert.ok(y[i] === want || Math.abs(y[i] - want) <= 2 * ulp32(want), `${name}(${xsSmall[i]}) = ${y[i]}, want ${want}`);
        }
      }
    });
  }
});
