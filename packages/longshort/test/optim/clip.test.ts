// clipGradNorm / clipGradValue: global norm across parameters with hand-computed numbers
// (a 3-4-12 triangle), PyTorch's 1e-6 in the divisor, other norm types, non-finite norms returned
// without touching gradients, and overflow-safe norms.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Param } from '../../src/nn/layer.js';
import { clipGradNorm, clipGradValue } from '../../src/optim/index.js';

function withGrads(...grads: number[][]): Param[] {
  return grads.map((g, i) => ({ name: `p${i}`, shape: [g.length], value: new Float64Array(g.length), grad: Float64Array.from(g) }));
}
const flat = (ps: Param[]): number[] => ps.flatMap((p) => Array.from(p.grad));

describe('clipGradNorm', () => {
  test('global L2 norm over all params: √(3² + 4² + 12²) = 13, scaled by 5/(13 + 1e-6)', () => {
    const ps = withGrads([3, 4], [12]);
    const total = clipGradNorm(ps, 5);
    assert.equal(total, 13);
    const c = 5 / (13 + 1e-6);
    assert.deepEqual(flat(ps), [3 * c, 4 * c, 12 * c]);
    // the clipped norm is just under maxNorm because of the 1e-6 (PyTorch semantics)
    const after = Math.hypot(...flat(ps));
    assert.ok(after < 5 && after > 5 - 1e-6);
  });
  test('below maxNorm: unchanged, and the norm is still returned', () => {
    const ps = withGrads([3, 4], [12]);
    assert.equal(clipGradNorm(ps, 13.5), 13);
    assert.deepEqual(flat(ps), [3, 4, 12]);
  });
  test('norm exactly maxNorm: coefficient 13/(13 + 1e-6) < 1 still applies (as PyTorch)', () => {
    const ps = withGrads([3, 4], [12]);
    clipGradNorm(ps, 13);
    assert.equal(ps[1].grad[0], 12 * (13 / (13 + 1e-6)));
  });
  test("normType 1 and 'inf'", () => {
    const a = withGrads([3, -4], [-12]);
    assert.equal(clipGradNorm(a, 1.9, 1), 19);
    assert.deepEqual(flat(a), [3, -4, -12].map((g) => g * (1.9 / (19 + 1e-6))));
    const b = withGrads([3, -4], [-12]);
    assert.equal(clipGradNorm(b, 6, 'inf'), 12);
    assert.deepEqual(flat(b), [3, -4, -12].map((g) => g * (6 / (12 + 1e-6))));
    assert.equal(clipGradNorm(withGrads([3, -4], [-12]), 100, Infinity), 12);
  });
  test('normType 3: (27 + 64 + 1728)^(1/3)', () => {
    const total = clipGradNorm(withGrads([3, -4], [12]), 1e9, 3);
    assert.ok(Math.abs(total - Math.cbrt(27 + 64 + 1728)) < 1e-12);
  });
  test('NaN or Infinity gradient: returns NaN / Infinity and leaves every gradient as it was', () => {
    const a = withGrads([3, NaN], [12]);
    assert.ok(Number.isNaN(clipGradNorm(a, 1)));
    assert.deepEqual(flat(a), [3, NaN, 12]);
    const b = withGrads([3, Infinity], [-12]);
    assert.equal(clipGradNorm(b, 1), Infinity);
    assert.deepEqual(flat(b), [3, Infinity, -12]);
    const c = withGrads([3, -Infinity, NaN]);
    assert.ok(Number.isNaN(clipGradNorm(c, 1)), 'NaN wins over Infinity');
  });
  test('float64 gradients whose squares overflow still give a finite norm', () => {
    const ps = withGrads([3e200, 4e200]);
    const total = clipGradNorm(ps, 1);
    assert.ok(Math.abs(total / 5e200 - 1) < 1e-15, String(total));
    assert.ok(Math.abs(Math.hypot(...flat(ps)) - 1) < 1e-12);
  });
  test('float32 gradients are scaled in place', () => {
    const p: Param = { name: 'w', shape: [2], value: new Float32Array(2), grad: Float32Array.from([30, 40]) };
    assert.equal(clipGradNorm([p], 1), 50);
    assert.ok(Math.abs(p.grad[0] - 0.6) < 1e-7 && Math.abs(p.grad[1] - 0.8) < 1e-7);
  });
  test('bad arguments', () => {
    assert.throws(() => clipGradNorm(withGrads([1]), -1), /\[clipGradNorm\] maxNorm must be a number ≥ 0; received -1/);
    assert.throws(() => clipGradNorm(withGrads([1]), 1, 0), /normType must be a number > 0 or 'inf'; received 0/);
  });
});

describe('clipGradValue', () => {
  test('clamps each entry to [−c, c]; NaN stays NaN', () => {
    const ps = withGrads([3, -4, 0.5], [NaN, -0.2]);
    clipGradValue(ps, 1);
    assert.deepEqual(flat(ps), [1, -1, 0.5, NaN, -0.2]);
    assert.throws(() => clipGradValue(ps, NaN), /clipValue must be a number ≥ 0; received NaN/);
  });
});
