// The plain (Elman) RNN baseline: float64 finite-difference gradient checks of backpropagation
// through time — both output modes, with and without variable lengths — its padding semantics
// (state carried past a row's end), and the messages for bad input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ElmanRNN } from '../../src/experiments/elman.js';
import { assertGradCheck, checkLayerGradients } from '../../src/nn/gradcheck.js';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';

function randX(B: number, T: number, I: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const rng = new Rng(seed);
  const a = dtype === 'float64' ? new Float64Array(B * T * I) : new Float32Array(B * T * I);
  for (let k = 0; k < a.length; k++) a[k] = rng.uniform(-1, 1);
  return new Tensor(a, [B, T, I]);
}

describe('ElmanRNN gradients (float64, central differences)', () => {
  for (const returnSequences of [true, false]) {
    for (const lengths of [undefined, Int32Array.from([4, 2, 1])]) {
      test(`returnSequences=${returnSequences}, lengths=${lengths ? '[4, 2, 1]' : 'none'}`, () => {
        const layer = new ElmanRNN({ inputSize: 3, hiddenSize: 5, returnSequences, dtype: 'float64', seed: 4 });
        const x = randX(3, 4, 3, 11);
        const r = checkLayerGradients(layer, x, { ctx: { training: true, lengths } });
        assertGradCheck(r, 'ElmanRNN');
        assert.ok(r.ok);
        assert.ok(r.checked >= 3 * 4 * 3 + 5 * 3 + 25 + 10, `checked ${r.checked}`);
      });
    }
  }

  test('the check fails when backward is wrong (a sign flipped in one weight gradient)', () => {
    const layer = new ElmanRNN({ inputSize: 2, hiddenSize: 3, returnSequences: false, dtype: 'float64', seed: 2 });
    const orig = layer.callBackward.bind(layer);
    layer.callBackward = (dy) => {
      const dx = orig(dy);
      const g = layer.params()[1].grad; // weight_hh_l0
      g[4] = -g[4];
      return dx;
    };
    const r = checkLayerGradients(layer, randX(2, 5, 2, 3));
    assert.equal(r.ok, false);
    assert.match(r.summary, /weight_hh_l0\[1,1\]: analytic/);
  });
});

describe('ElmanRNN forward', () => {
  test('h[t] = tanh(W_ih x + b_ih + W_hh h[t-1] + b_hh), checked by hand for one step of one unit', () => {
    const layer = new ElmanRNN({ inputSize: 2, hiddenSize: 1, dtype: 'float64' });
    const [wih, whh, bih, bhh] = layer.params().map((p) => p.value);
    wih.set([0.5, -0.25]);
    whh[0] = 0.8;
    bih[0] = 0.1;
    bhh[0] = -0.2;
    const x = new Tensor(Float64Array.from([1, 2, -1, 0.5]), [1, 2, 2]);
    const y = layer.call(x, { training: false });
    const h1 = Math.tanh(0.5 * 1 - 0.25 * 2 + 0.1 - 0.2);
    const h2 = Math.tanh(0.5 * -1 - 0.25 * 0.5 + 0.8 * h1 - 0.1);
    assert.deepEqual(y.shape, [1, 2, 1]);
    assert.ok(Math.abs(y.data[0] - h1) < 1e-15 && Math.abs(y.data[1] - h2) < 1e-15);
  });

  test('past a row\'s length the output is zero and the final state is the last valid one', () => {
    const x = randX(2, 5, 3, 7, 'float32');
    const seqs = new ElmanRNN({ inputSize: 3, hiddenSize: 4, seed: 1 });
    const last = new ElmanRNN({ inputSize: 3, hiddenSize: 4, seed: 1, returnSequences: false });
    const lengths = Int32Array.from([5, 3]);
    const y = seqs.call(x, { training: false, lengths });
    const h = last.call(x, { training: false, lengths });
    for (let j = 0; j < 4; j++) {
      assert.equal(y.data[(1 * 5 + 3) * 4 + j], 0);
      assert.equal(h.data[4 + j], y.data[(1 * 5 + 2) * 4 + j]); // row 1: step 2 is its last
      assert.equal(h.data[j], y.data[4 * 4 + j]); // row 0: step 4
    }
  });

  test('bad input names the expected and received shapes', () => {
    const layer = new ElmanRNN({ inputSize: 8, hiddenSize: 4 });
    assert.throws(() => layer.call(randX(32, 16, 10, 1, 'float32'), { training: false }), /x must have shape \(B, T, 8\) because inputSize=8; received \(32, 16, 10\)/);
    assert.throws(() => layer.call(randX(2, 3, 8, 1, 'float32'), { training: false, lengths: Int32Array.from([3, 4]) }), /lengths\[1\] must be an integer in \[1, T\] = \[1, 3\]; received 4/);
    assert.throws(() => new ElmanRNN({ inputSize: 0, hiddenSize: 4 }), /inputSize must be a positive integer; received 0/);
    assert.throws(() => new ElmanRNN({ inputSize: 2, hiddenSize: 2 }).callBackward(new Tensor(new Float32Array(1), [1, 1])), /call call\(\) first/);
  });
});
