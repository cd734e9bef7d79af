// The gradient-check helper itself: it must pass correct gradients, FAIL wrong ones (naming the
// entry by its multi-index), refuse float32, flag vacuous (all-zero) checks, restore every value
// bit-for-bit, and honour maxPerTarget.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertGradCheck, checkLayerGradients, gradCheck, unravel } from '../../src/nn/gradcheck.js';
import { Dense } from '../../src/nn/dense.js';
import { Tensor } from '../../src/tensor.js';
import { randTensor } from './layer-helpers.js';

// L(w) = Σ_i c_i · w_i³ on a (4, 3) array, so dL/dw_i = 3 c_i w_i²
function cubic() {
  const w = new Float64Array(12);
  const c = new Float64Array(12);
  for (let i = 0; i < 12; i++) {
    w[i] = 0.3 + 0.1 * i;
    c[i] = i % 2 === 0 ? 1 : -2;
  }
  const loss = (): number => {
    let s = 0;
    for (let i = 0; i < 12; i++) s += c[i] * w[i] ** 3;
    return s;
  };
  const grad = new Float64Array(12);
  for (let i = 0; i < 12; i++) grad[i] = 3 * c[i] * w[i] ** 2;
  return { w, loss, grad };
}

describe('gradCheck', () => {
  test('passes an exact gradient, with errors at the finite-difference level', () => {
    const { w, loss, grad } = cubic();
    const r = gradCheck(loss, [{ name: 'w', shape: [4, 3], value: w, analytic: grad }]);
    assert.ok(r.ok, r.summary);
    assert.equal(r.checked, 12);
    assert.equal(r.failed, 0);
    assert.ok(r.maxAbsErr < 1e-8, `max abs err ${r.maxAbsErr}`);
    assertGradCheck(r);
  });

  test('fails a wrong entry and names it by multi-index', () => {
    const { w, loss, grad } = cubic();
    grad[7] *= 1.01; // flat 7 in (4, 3) is [2,1]
    const r = gradCheck(loss, [{ name: 'weight', shape: [4, 3], value: w, analytic: grad }]);
    assert.equal(r.ok, false);
    assert.equal(r.failed, 1);
    assert.deepEqual(r.worst[0].index, [2, 1]);
    assert.match(r.summary, /weight\[2,1\]: analytic -6\.06 numeric -6 \(\|diff\| 0\.06 > tol 6\.10e-5\)/);
    assert.match(r.summary, /1 of 12 entries/);
    assert.throws(() => assertGradCheck(r, 'cubic'), /cubic: gradcheck FAILED[\s\S]*weight\[2,1\]/);
  });

  test('NaN in the analytic gradient is a failure', () => {
    const { w, loss, grad } = cubic();
    grad[0] = NaN;
    const r = gradCheck(loss, [{ name: 'w', shape: [12], value: w, analytic: grad }]);
    assert.equal(r.ok, false);
    assert.match(r.summary, /w\[0\]: analytic NaN/);
  });

  test('restores every value bit-for-bit', () => {
    const { w, loss, grad } = cubic();
    const before = w.slice();
    gradCheck(loss, [{ name: 'w', shape: [12], value: w, analytic: grad }]);
    assert.deepEqual(Array.from(w), Array.from(before));
  });

  test('rejects float32 targets and inconsistent shapes', () => {
    const f = new Float32Array(3);
    assert.throws(
      () => gradCheck(() => 0, [{ name: 'w', shape: [3], value: f, analytic: f }]),
      /target 'w' must be a Float64Array; received Float32Array/,
    );
    const d = new Float64Array(6);
    assert.throws(
      () => gradCheck(() => 0, [{ name: 'w', shape: [2, 2], value: d, analytic: d }]),
      /shape \(2, 2\) has 4 entries, value has 6/,
    );
  });

  test('an all-zero gradient is reported as vacuous unless allowed', () => {
    const w = new Float64Array([1, 2, 3]);
    const g = new Float64Array(3);
    const r = gradCheck(() => 42, [{ name: 'w', shape: [3], value: w, analytic: g }]);
    assert.equal(r.failed, 0);
    assert.equal(r.ok, false);
    assert.deepEqual(r.vacuous, ['w']);
    assert.match(r.summary, /vacuous: the numeric gradient of w is 0/);
    assert.equal(gradCheck(() => 42, [{ name: 'w', shape: [3], value: w, analytic: g }], { allowZeroGrad: true }).ok, true);
  });

  test('maxPerTarget checks a seeded subset', () => {
    const { w, loss, grad } = cubic();
    const r = gradCheck(loss, [{ name: 'w', shape: [12], value: w, analytic: grad }], { maxPerTarget: 5, seed: 3 });
    assert.equal(r.checked, 5);
    const again = gradCheck(loss, [{ name: 'w', shape: [12], value: w, analytic: grad }], { maxPerTarget: 5, seed: 3, reportCount: 12 });
    const r2 = gradCheck(loss, [{ name: 'w', shape: [12], value: w, analytic: grad }], { maxPerTarget: 5, seed: 3, reportCount: 12 });
    assert.deepEqual(again.worst.map((e) => e.flat).sort(), r2.worst.map((e) => e.flat).sort());
  });

  test('unravel decodes row-major indices', () => {
    assert.deepEqual(unravel(0, [2, 3, 4]), [0, 0, 0]);
    assert.deepEqual(unravel(23, [2, 3, 4]), [1, 2, 3]);
    assert.deepEqual(unravel(13, [2, 3, 4]), [1, 0, 1]);
  });
});

describe('checkLayerGradients', () => {
  test('catches a layer whose backward is wrong', () => {
    const d = new Dense({ inputSize: 3, outputSize: 2, dtype: 'float64', seed: 1 });
    // Sabotage: a backward that forgets the bias gradient.
    const orig = d.callBackward.bind(d);
    d.callBackward = (dy: Tensor): Tensor => {
      const dx = orig(dy);
      d.bias!.grad.fill(0);
      return dx;
    };
    const r = checkLayerGradients(d, randTensor([4, 3], 2));
    assert.equal(r.ok, false);
    assert.match(r.summary, /bias\[\d\]: analytic 0 numeric/);
    const t = r.targets.find((s) => s.name === 'bias')!;
    assert.equal(t.failed, 2);
    assert.equal(r.targets.find((s) => s.name === 'weight')!.failed, 0);
  });

  test('refuses float32 layers and unknown parameter names', () => {
    const d32 = new Dense({ inputSize: 3, outputSize: 2 });
    assert.throws(() => checkLayerGradients(d32, randTensor([1, 3], 1, 'float32')), /must have dtype float64; received float32/);
    const d = new Dense({ inputSize: 3, outputSize: 2, dtype: 'float64' });
    assert.throws(() => checkLayerGradients(d, randTensor([1, 3], 1), { params: ['kernel'] }), /no parameter 'kernel'; it has: weight, bias/);
  });
});
