// Cross-check of the losses against TensorFlow.js (cpu backend) as an independent peer: loss and
// gradient (tf.valueAndGrad of tf.losses.*) on the same float32 numbers. tfjs has no class weights
// with PyTorch's weighted mean and no pos_weight; those are covered by the hand-computed and
// finite-difference tests.
// Tolerance atol 2e-6 + rtol 1e-5 (float32 on the tfjs side).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Tensor } from '../../src/tensor.js';
import { bceWithLogits, huberLoss, mseLoss, softmaxCrossEntropy } from '../../src/losses/index.js';
import { rand } from './helpers.js';

before(async () => {
  await tf.setBackend('cpu');
});

function close(label: string, ours: ArrayLike<number>, theirs: ArrayLike<number>, atol = 2e-6): void {
  assert.equal(ours.length, theirs.length, `${label}: length`);
  for (let i = 0; i < ours.length; i++) {
    const tol = atol + 1e-5 * Math.abs(theirs[i]);
    assert.ok(Math.abs(ours[i] - theirs[i]) <= tol, `${label}[${i}]: ours ${ours[i]} tfjs ${theirs[i]}`);
  }
}

/** tfjs loss and gradient w.r.t. its second argument. */
function tfLossAndGrad(x: Tensor, f: (xt: tf.Tensor) => tf.Scalar): { loss: number; grad: Float32Array } {
  return tf.tidy(() => {
    const xt = tf.tensor(Array.from(x.data), [...x.shape]);
    const { value, grad } = tf.valueAndGrad(f)(xt);
    return { loss: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
  });
}

describe('losses vs tf.losses', () => {
  test('softmaxCrossEntropy (with label smoothing 0.1) vs tf.losses.softmaxCrossEntropy', () => {
    const N = 6, C = 5;
    const x = rand([N, C], 21, -4, 4, 'float32');
    const ids = [0, 4, 2, 2, 1, 3];
    for (const ls of [0, 0.1]) {
      const ours = softmaxCrossEntropy(x, ids, { labelSmoothing: ls });
      const onehot = tf.oneHot(tf.tensor1d(ids, 'int32'), C);
      const ref = tfLossAndGrad(x, (xt) => tf.losses.softmaxCrossEntropy(onehot, xt, undefined, ls) as tf.Scalar);
      close(`CE ls=${ls} loss`, [ours.loss], [ref.loss]);
      close(`CE ls=${ls} grad`, ours.grad!.data, ref.grad);
    }
  });

  test('bceWithLogits vs tf.losses.sigmoidCrossEntropy', () => {
    const x = rand([4, 3], 22, -5, 5, 'float32');
    const y = rand([4, 3], 23, 0, 1, 'float32');
    const ours = bceWithLogits(x, y);
    const yt = tf.tensor(Array.from(y.data), [4, 3]);
    const ref = tfLossAndGrad(x, (xt) => tf.losses.sigmoidCrossEntropy(yt, xt) as tf.Scalar);
    close('BCE loss', [ours.loss], [ref.loss]);
    close('BCE grad', ours.grad!.data, ref.grad);
  });

  test('mseLoss and huberLoss (delta 0.8) vs tf.losses.meanSquaredError / huberLoss', () => {
    const p = rand([3, 4], 24, -2, 2, 'float32');
    const y = rand([3, 4], 25, -2, 2, 'float32');
    const yt = tf.tensor(Array.from(y.data), [3, 4]);
    const mse = mseLoss(p, y);
    const refMse = tfLossAndGrad(p, (pt) => tf.losses.meanSquaredError(yt, pt) as tf.Scalar);
    close('MSE loss', [mse.loss], [refMse.loss]);
    close('MSE grad', mse.grad!.data, refMse.grad);
    const hub = huberLoss(p, y, { delta: 0.8 });
    const refHub = tfLossAndGrad(p, (pt) => tf.losses.huberLoss(yt, pt, undefined, 0.8) as tf.Scalar);
    close('Huber loss', [hub.loss], [refHub.loss]);
    close('Huber grad', hub.grad!.data, refHub.grad);
  });
});
