// Cross-check of Dense, Activation and LayerNorm against TensorFlow.js (cpu backend) as an
// independent peer: the same float32 weights and inputs go through tf ops (matMul, softmax,
// moments …), and tf.grads of the same loss L = Σ y ⊙ R gives the reference gradients for the
// input and every parameter. Both sides float32; tolerance atol 2e-6 + rtol 1e-5.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Dense } from '../../src/nn/dense.js';
import { LayerNorm } from '../../src/nn/layernorm.js';
import { Activation } from '../../src/nn/activations.js';
import type { DenseActivation } from '../../src/kernels/ref/dense.js';
import { randTensor, randomizeParams } from './layer-helpers.js';

before(async () => {
  await tf.setBackend('cpu');
});

function close(label: string, ours: ArrayLike<number>, theirs: ArrayLike<number>): void {
  assert.equal(ours.length, theirs.length, `${label}: length`);
  for (let i = 0; i < ours.length; i++) {
    const tol = 2e-6 + 1e-5 * Math.abs(theirs[i]);
    assert.ok(Math.abs(ours[i] - theirs[i]) <= tol, `${label}[${i}]: ours ${ours[i]} tfjs ${theirs[i]}`);
  }
}

function tfAct(z: tf.Tensor, a: DenseActivation): tf.Tensor {
  switch (a) {
    case 'linear':
      return z;
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'softmax':
      return tf.softmax(z); // over the last axis
  }
}

describe('Dense vs TensorFlow.js', () => {
  const acts: DenseActivation[] = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'];
  for (const act of acts) {
    test(`${act}, (B, T, F) = (2, 3, 5) → 4`, () => {
      const d = new Dense({ inputSize: 5, outputSize: 4, activation: act, seed: 12 });
      const x = randTensor([2, 3, 5], 31, 'float32', -2, 2);
      const R = randTensor([2, 3, 4], 32, 'float32');
      const y = d.call(x, { training: false });
      d.zeroGrad();
      const dx = d.callBackward(R);

      const f = (xt: tf.Tensor, wt: tf.Tensor, bt: tf.Tensor): tf.Scalar => {
        const z = tf.add(tf.matMul(tf.reshape(xt, [6, 5]), wt, false, true), bt); // x·Wᵀ + b
        return tf.sum(tf.mul(tf.reshape(tfAct(z, act), [2, 3, 4]), tf.tensor(R.data as Float32Array, [2, 3, 4])));
      };
      const xt = tf.tensor(x.data as Float32Array, [2, 3, 5]);
      const wt = tf.tensor(d.weight.value as Float32Array, [4, 5]);
      const bt = tf.tensor(d.bias!.value as Float32Array, [4]);
      const yRef = tfAct(tf.add(tf.matMul(tf.reshape(xt, [6, 5]), wt, false, true), bt), act).dataSync();
      const [gx, gw, gb] = tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)([xt, wt, bt]);
      close('y', y.data, yRef);
      close('dx', dx.data, gx.dataSync());
      close('dW', d.weight.grad, gw.dataSync());
      close('db', d.bias!.grad, gb.dataSync());
      tf.dispose([xt, wt, bt, gx, gw, gb]);
    });
  }
});

describe('Activation vs TensorFlow.js', () => {
  for (const fn of ['relu', 'tanh', 'sigmoid', 'softmax'] as const) {
    test(fn, () => {
      const a = new Activation({ fn });
      const x = randTensor([3, 7], 41, 'float32', -3, 3);
      const R = randTensor([3, 7], 42, 'float32');
      const y = a.call(x, { training: false });
      const dx = a.callBackward(R);
      const xt = tf.tensor(x.data as Float32Array, [3, 7]);
      const rt = tf.tensor(R.data as Float32Array, [3, 7]);
      close('y', y.data, tfAct(xt, fn).dataSync());
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tfAct(v, fn), rt)))(xt);
      close('dx', dx.data, g.dataSync());
      tf.dispose([xt, rt, g]);
    });
  }
});

describe('LayerNorm vs TensorFlow.js', () => {
  for (const shape of [[4, 6], [2, 3, 6]]) {
    test(`shape (${shape.join(', ')})`, () => {
      const ln = new LayerNorm({ normalizedShape: 6 });
      randomizeParams(ln, 5, -1.5, 1.5);
      const x = randTensor(shape, 51, 'float32', -2, 3);
      const R = randTensor(shape, 52, 'float32');
      const y = ln.call(x, { training: false });
      ln.zeroGrad();
      const dx = ln.callBackward(R);
      const rt = tf.tensor(R.data as Float32Array, shape);
      const f = (xt: tf.Tensor, wt: tf.Tensor, bt: tf.Tensor): tf.Tensor => {
        const { mean, variance } = tf.moments(xt, -1, true); // biased variance, as PyTorch
        return tf.add(tf.mul(tf.div(tf.sub(xt, mean), tf.sqrt(tf.add(variance, 1e-5))), wt), bt);
      };
      const xt = tf.tensor(x.data as Float32Array, shape);
      const wt = tf.tensor(ln.weight!.value as Float32Array, [6]);
      const bt = tf.tensor(ln.bias!.value as Float32Array, [6]);
      close('y', y.data, f(xt, wt, bt).dataSync());
      const [gx, gw, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, b, c), rt)))([xt, wt, bt]);
      close('dx', dx.data, gx.dataSync());
      close('dweight', ln.weight!.grad, gw.dataSync());
      close('dbias', ln.bias!.grad, gb.dataSync());
      tf.dispose([xt, wt, bt, rt, gx, gw, gb]);
    });
  }
});

// Guard: the comparison itself can fail (a wrong weight layout on our side would be caught).
test('peer harness detects a transposed weight', () => {
  const d = new Dense({ inputSize: 3, outputSize: 3, seed: 1 });
  const x = randTensor([2, 3], 2, 'float32');
  const y = d.call(x, { training: false });
  const yT = tf.add(tf.matMul(tf.tensor(x.data as Float32Array, [2, 3]), tf.tensor(d.weight.value as Float32Array, [3, 3])), tf.tensor(d.bias!.value as Float32Array, [3])).dataSync();
  assert.throws(() => close('y', y.data, yT), /y\[\d\]: ours/);
});
