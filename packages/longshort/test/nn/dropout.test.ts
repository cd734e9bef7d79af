// Dropout: fraction dropped ≈ p over a large tensor, survivors scaled by exactly 1/(1−p), the mean
// preserved, same seed same mask, identity at inference, backward reuses the mask (also checked
// by float64 finite differences), and the error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Dropout } from '../../src/nn/dropout.js';
import { Tensor, tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { ConfigError } from '../../src/errors.js';
import { expectGradOk, randTensor } from './layer-helpers.js';

describe('Dropout', () => {
  for (const p of [0.1, 0.3, 0.5, 0.9]) {
    test(`p=${p}: ≈p of 200000 entries zeroed, the rest scaled by 1/(1−p)`, () => {
      const n = 200_000;
      const d = new Dropout({ p });
      const y = d.call(new Tensor(new Float32Array(n).fill(1), [400, 500]), { training: true, rng: new Rng(42) });
      let zeros = 0;
      let sum = 0;
      const kept = Math.fround(1 / (1 - p));
      for (const v of y.data) {
        if (v === 0) zeros++;
        else assert.equal(v, kept);
        sum += v;
      }
      const frac = zeros / n;
      const sd = Math.sqrt((p * (1 - p)) / n); // binomial standard deviation of the fraction
      assert.ok(Math.abs(frac - p) < 5 * sd, `dropped fraction ${frac}, p ${p}, 5σ = ${5 * sd}`);
      // inverted dropout keeps the expected value: mean ≈ 1
      assert.ok(Math.abs(sum / n - 1) < 5 * Math.sqrt(p / (1 - p) / n), `mean ${sum / n}`);
    });
  }

  test('same seed, same mask; another seed, another mask', () => {
    const x = randTensor([30, 40], 1, 'float32');
    const d = new Dropout({ p: 0.5 });
    const a = d.call(x, { training: true, rng: new Rng(7) }).toArray();
    const b = d.call(x, { training: true, rng: new Rng(7) }).toArray();
    const c = d.call(x, { training: true, rng: new Rng(8) }).toArray();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test('identity at inference (and with p=0), returning a copy', () => {
    const x = randTensor([3, 4, 5], 2, 'float32');
    const d = new Dropout({ p: 0.7 });
    const y = d.call(x, { training: false });
    assert.deepEqual(y.toArray(), x.toArray());
    assert.notEqual(y.data, x.data);
    const dy = randTensor([3, 4, 5], 3, 'float32');
    assert.deepEqual(d.callBackward(dy).toArray(), dy.toArray());
    const d0 = new Dropout({ p: 0 });
    assert.deepEqual(d0.call(x, { training: true }).toArray(), x.toArray(), 'p=0 needs no rng');
  });

  test('backward multiplies by the forward mask', () => {
    const d = new Dropout({ p: 0.4, dtype: 'float64' });
    const x = new Tensor(new Float64Array(1000).fill(1), [10, 100]);
    const y = d.call(x, { training: true, rng: new Rng(5) });
    const dy = randTensor([10, 100], 6);
    const dx = d.callBackward(dy);
    for (let i = 0; i < 1000; i++) assert.equal(dx.data[i], dy.data[i] * y.data[i]);
  });

  test('float64 gradient check in training mode (rng rewound per forward), rank 2 and 3', () => {
    for (const shape of [[6, 5], [2, 3, 4]]) {
      const r = expectGradOk(new Dropout({ p: 0.5, dtype: 'float64' }), randTensor(shape, 9), {
        ctx: { training: true, rng: new Rng(3) },
      });
      assert.equal(r.checked, shape.reduce((a, b) => a * b));
    }
  });

  test('errors', () => {
    assert.throws(
      () => new Dropout({ p: 1 }),
      (e: unknown) => e instanceof ConfigError && /\[Dropout\] p must be in \[0, 1\); received 1\. Hint: p is the probability of DROPPING/.test(e.message),
    );
    assert.throws(() => new Dropout({ p: -0.1 }), /received -0\.1/);
    const d = new Dropout({ p: 0.5 });
    assert.throws(() => d.call(tensor([1, 2], [1, 2]), { training: true }), /\[Dropout\.call\] ctx\.rng must be set when ctx\.training is true/);
    assert.throws(() => d.callBackward(tensor([1, 2], [1, 2])), /no forward pass/);
    d.call(tensor([1, 2], [1, 2]), { training: false });
    assert.throws(() => d.callBackward(tensor([1, 2, 3], [1, 3])), /dy must have the output's shape \(1, 2\); received \(1, 3\)/);
  });

  test('config and shapes', () => {
    const d = new Dropout({ p: 0.25 });
    assert.deepEqual(d.config(), { p: 0.25, dtype: 'float32' });
    assert.deepEqual(new Dropout().p, 0.5);
    assert.deepEqual(d.outputShape([null, 7]), [null, 7]);
    assert.deepEqual(d.params(), []);
  });
});
