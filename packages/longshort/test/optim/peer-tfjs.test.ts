// Cross-check of optimizer trajectories against TensorFlow.js (cpu backend) as an independent peer:
// tf.train.adam and tf.train.momentum (whose update equals torch SGD with dampening 0) minimising the
// same function from the same float32 start. tfjs's RMSprop puts eps inside the square root and it
// has no decoupled weight decay, so RMSprop and AdamW are covered by the hand-computed tests only.
// Tolerance atol 1e-5 + rtol 1e-5 (float32 on both sides, 20 steps).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Param } from '../../src/nn/layer.js';
import { Adam, SGD, type Optimizer } from '../../src/optim/index.js';

before(async () => {
  await tf.setBackend('cpu');
});

function close(label: string, ours: ArrayLike<number>, theirs: ArrayLike<number>, atol: number): void {
  assert.equal(ours.length, theirs.length, `${label}: length`);
  for (let i = 0; i < ours.length; i++) {
    const tol = atol + 1e-5 * Math.abs(theirs[i]);
    assert.ok(Math.abs(ours[i] - theirs[i]) <= tol, `${label}[${i}]: ours ${ours[i]} tfjs ${theirs[i]}`);
  }
}

describe('optimizers vs tf.train', () => {
  // f(p) = Σ a_k·(p_k − c_k)² + 0.3·sin(p_k): a non-quadratic so the gradient sequence is not trivial
  const a = [1, 4, 0.5, 2, 3];
  const c = [0.5, -1, 2, 0, 1];
  const p0 = [1, 1, -1, 0.3, -0.7];
  const gradAt = (p: ArrayLike<number>, k: number): number => 2 * a[k] * (p[k] - c[k]) + 0.3 * Math.cos(p[k]);

  function ours(make: (ps: Param[]) => Optimizer, steps: number): Float32Array {
    const p: Param = { name: 'w', shape: [5], value: Float32Array.from(p0), grad: new Float32Array(5) };
    const opt = make([p]);
    for (let s = 0; s < steps; s++) {
      for (let k = 0; k < 5; k++) p.grad[k] = gradAt(p.value, k);
      opt.step();
    }
    return p.value as Float32Array;
  }

  function theirs(opt: tf.Optimizer, steps: number): Float32Array {
    const v = tf.variable(tf.tensor1d(p0));
    const at = tf.tensor1d(a);
    const ct = tf.tensor1d(c);
    for (let s = 0; s < steps; s++) {
      opt.minimize(() => tf.add(tf.sum(tf.mul(at, tf.square(tf.sub(v, ct)))), tf.mul(0.3, tf.sum(tf.sin(v)))) as tf.Scalar, false, [v]);
    }
    const out = v.dataSync() as Float32Array;
    v.dispose();
    opt.dispose();
    return out;
  }

  test('Adam, 20 steps, vs tf.train.adam', () => {
    close('Adam', ours((ps) => new Adam(ps, { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-7 }), 20), theirs(tf.train.adam(0.05, 0.9, 0.999, 1e-7), 20), 1e-5);
  });
  test('SGD momentum and nesterov, 20 steps, vs tf.train.momentum', () => {
    close('momentum', ours((ps) => new SGD(ps, { lr: 0.02, momentum: 0.8 }), 20), theirs(tf.train.momentum(0.02, 0.8), 20), 1e-5);
    close('nesterov', ours((ps) => new SGD(ps, { lr: 0.02, momentum: 0.8, nesterov: true }), 20), theirs(tf.train.momentum(0.02, 0.8, true), 20), 1e-5);
  });
});
