// Embedding: lookup by hand, N(0,1) initialisation, scatter-add backward with repeated ids,
// padding_idx (zero row, no gradient, negative index), float64 gradient check of the weight, and
// the bad-id messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Embedding } from '../../src/nn/embedding.js';
import { Tensor, tensor } from '../../src/tensor.js';
import { ConfigError } from '../../src/errors.js';
import { expectGradOk } from './layer-helpers.js';
import { checkLayerGradients } from '../../src/nn/gradcheck.js';

const ctx = { training: false };

describe('Embedding', () => {
  test('looks up rows: (B, T) → (B, T, E)', () => {
    const e = new Embedding({ numEmbeddings: 4, embeddingDim: 2, dtype: 'float64' });
    e.weight.value.set([0, 1, 10, 11, 20, 21, 30, 31]);
    const y = e.call(tensor([[3, 0, 1], [1, 1, 2]]), ctx);
    assert.deepEqual(y.shape, [2, 3, 2]);
    assert.deepEqual(y.toArray(), [30, 31, 0, 1, 10, 11, 10, 11, 10, 11, 20, 21]);
    assert.deepEqual(e.outputShape([null, null]), [null, null, 2]);
    assert.deepEqual(e.params().map((p) => [p.name, p.shape]), [['weight', [4, 2]]]);
  });

  test('backward scatters and adds for repeated ids; dx is zeros of the input shape', () => {
    const e = new Embedding({ numEmbeddings: 4, embeddingDim: 2, dtype: 'float64' });
    const x = tensor([[3, 0, 1], [1, 1, 2]]);
    e.call(x, ctx);
    e.zeroGrad();
    const dy = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2], 'float64');
    const dx = e.callBackward(dy);
    // id 0 ← (3,4); id 1 ← (5,6)+(7,8)+(9,10); id 2 ← (11,12); id 3 ← (1,2)
    assert.deepEqual(Array.from(e.weight.grad), [3, 4, 21, 24, 11, 12, 1, 2]);
    assert.deepEqual(dx.shape, [2, 3]);
    assert.ok(dx.data.every((v) => v === 0));
    e.callBackward(dy); // adds
    assert.deepEqual(Array.from(e.weight.grad), [6, 8, 42, 48, 22, 24, 2, 4]);
  });

  test('weights are N(0, 1) (PyTorch init), seeded', () => {
    const e = new Embedding({ numEmbeddings: 200, embeddingDim: 50, seed: 3 });
    const w = e.weight.value;
    let s = 0;
    let s2 = 0;
    for (const v of w) {
      s += v;
      s2 += v * v;
    }
    const mean = s / w.length;
    const std = Math.sqrt(s2 / w.length - mean * mean);
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(std - 1) < 0.03, `std ${std}`);
    const again = new Embedding({ numEmbeddings: 200, embeddingDim: 50, seed: 3 });
    assert.deepEqual(Array.from(again.weight.value.subarray(0, 20)), Array.from(w.subarray(0, 20)));
  });

  test('paddingIdx: zero row at init, output zeros for padding, no gradient into that row', () => {
    const e = new Embedding({ numEmbeddings: 5, embeddingDim: 3, paddingIdx: 0, dtype: 'float64', seed: 1 });
    assert.deepEqual(Array.from(e.weight.value.subarray(0, 3)), [0, 0, 0]);
    assert.ok(e.weight.value.subarray(3).some((v) => v !== 0));
    const y = e.call(tensor([[2, 0, 0], [0, 4, 2]]), ctx);
    assert.deepEqual(Array.from(y.data.subarray(3, 9)), [0, 0, 0, 0, 0, 0]);
    e.zeroGrad();
    e.callBackward(new Tensor(new Float64Array(18).fill(1), [2, 3, 3]));
    assert.deepEqual(Array.from(e.weight.grad), [0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1]);
  });

  test('negative paddingIdx counts from the end (PyTorch)', () => {
    const e = new Embedding({ numEmbeddings: 5, embeddingDim: 2, paddingIdx: -1 });
    assert.equal(e.paddingIdx, 4);
    assert.deepEqual(Array.from(e.weight.value.subarray(8, 10)), [0, 0]);
    assert.deepEqual(e.config(), { numEmbeddings: 5, embeddingDim: 2, dtype: 'float32', paddingIdx: -1 });
  });

  test('float64 gradient check of the weight, rank 1 and rank 2 ids', () => {
    const e = new Embedding({ numEmbeddings: 6, embeddingDim: 3, paddingIdx: 5, dtype: 'float64', seed: 2 });
    const r = expectGradOk(e, tensor([[0, 2, 4, 2], [4, 4, 1, 0]], undefined, 'float64'), { checkInput: false });
    assert.equal(r.checked, 18);
    assert.ok(e.weight.grad.subarray(9, 12).every((v) => v === 0), 'unused row 3 gets no gradient');
    expectGradOk(new Embedding({ numEmbeddings: 3, embeddingDim: 2, dtype: 'float64' }), tensor([2, 0, 2]), { checkInput: false });
  });

  test('padding row is a deliberate stop-gradient: finite differences disagree there and only there', () => {
    // The forward does read weight[pad,:], so its true derivative is not zero; PyTorch (and we)
    // hold that row fixed. The check must flag exactly the 3 entries of row 5 and pass the rest.
    const e = new Embedding({ numEmbeddings: 6, embeddingDim: 3, paddingIdx: 5, dtype: 'float64', seed: 2 });
    e.weight.value.fill(0.5, 15, 18); // give the padding row values, as after loading weights
    const r = checkLayerGradients(e, tensor([[0, 2, 5, 2], [4, 4, 1, 5]], undefined, 'float64'), { checkInput: false, reportCount: 3 });
    assert.equal(r.failed, 3, r.summary);
    assert.deepEqual(r.worst.map((w) => w.index[0]), [5, 5, 5]);
    assert.ok(r.worst.every((w) => w.analytic === 0 && Math.abs(w.numeric) > 0.01));
  });

  test('bad ids name the id and its position', () => {
    const e = new Embedding({ numEmbeddings: 100, embeddingDim: 2 });
    const ids = new Float32Array(2 * 5).fill(1);
    ids[1 * 5 + 4] = 103;
    assert.throws(
      () => e.call(new Tensor(ids, [2, 5]), ctx),
      /^ShapeError: \[Embedding\.call\] x must hold integer ids in \[0, 100\) because numEmbeddings=100; received 103 at position \(1, 4\) of x with shape \(2, 5\)\. Hint:/,
    );
    assert.throws(() => e.call(tensor([[1, 2.5]]), ctx), /received 2\.5 at position \(0, 1\)/);
    assert.throws(() => e.call(tensor([[-1, 2]]), ctx), /received -1 at position \(0, 0\)/);
    assert.throws(() => e.call(tensor([[1, NaN]]), ctx), /received NaN at position \(0, 1\)/);
  });

  test('bad options and backward misuse', () => {
    assert.throws(() => new Embedding({ numEmbeddings: 0, embeddingDim: 2 }), (err: unknown) => err instanceof ConfigError && /numEmbeddings must be a positive integer; received 0/.test(err.message));
    assert.throws(() => new Embedding({ numEmbeddings: 5, embeddingDim: 2, paddingIdx: 5 }), /paddingIdx must be an integer in \[-5, 5\) because numEmbeddings=5; received 5/);
    const e = new Embedding({ numEmbeddings: 5, embeddingDim: 2 });
    assert.throws(() => e.callBackward(tensor([1, 2], [1, 1, 2])), /no forward pass/);
    e.call(tensor([[1, 2]]), ctx);
    assert.throws(() => e.callBackward(tensor([1, 2], [1, 1, 2])), /dy must have the output's shape \(1, 2, 2\); received \(1, 1, 2\)/);
  });
});
