// Optimizer checkpoints: save state() midway, restore it into a fresh optimizer over copies of the
// parameters, continue, and compare bit for bit with an uninterrupted run — with the state passed
// as typed arrays and after a JSON round trip (slots as plain number arrays).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Param } from '../../src/nn/layer.js';
import { Adam, AdamW, RMSprop, SGD, type Optimizer, type OptimizerState } from '../../src/optim/index.js';
import { Rng } from '../../src/util/rng.js';

function makeParams(dtype: 'float32' | 'float64'): Param[] {
  const rng = new Rng(5);
  const arr = (n: number) => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
  const filled = (n: number) => {
    const a = arr(n);
    for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
    return a;
  };
  return [
    { name: 'weight', shape: [3, 4], value: filled(12), grad: arr(12) },
    { name: 'bias', shape: [3], value: filled(3), grad: arr(3) },
  ];
}

function cloneParams(ps: Param[]): Param[] {
  return ps.map((p) => ({ name: p.name, shape: p.shape, value: p.value.slice(), grad: p.grad.slice() }));
}

/** A deterministic gradient that depends on the step and on the current values (like a real loss). */
function setGrads(ps: Param[], step: number): void {
  for (const p of ps) for (let k = 0; k < p.value.length; k++) p.grad[k] = Math.sin(3 * step + k) + 0.5 * p.value[k];
}

function runSteps(opt: Optimizer, ps: Param[], from: number, to: number): void {
  for (let s = from; s < to; s++) {
    opt.zeroGrad();
    setGrads(ps, s);
    opt.step();
    opt.lr = opt.lr * 0.97; // a schedule changing lr between steps must also be captured
  }
}

function sameBits(a: Param[], b: Param[]): void {
  for (let i = 0; i < a.length; i++) {
    const x = a[i].value;
    const y = b[i].value;
    for (let k = 0; k < x.length; k++) assert.ok(Object.is(x[k], y[k]), `${a[i].name}[${k}]: ${x[k]} vs ${y[k]}`);
  }
}

const makers: [string, (ps: Param[]) => Optimizer][] = [
  ['SGD momentum nesterov', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['SGD dampening', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.8, dampening: 0.2 })],
  ['Adam amsgrad L2', (ps) => new Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 1e-2 })],
  ['AdamW', (ps) => new AdamW(ps, { lr: 0.01, weightDecay: 0.05 })],
  ['RMSprop centered momentum', (ps) => new RMSprop(ps, { lr: 0.01, momentum: 0.5, centered: true, weightDecay: 1e-3 })],
];

function toJsonAndBack(s: OptimizerState): OptimizerState {
  const plain = { ...s, slots: Object.fromEntries(Object.entries(s.slots).map(([k, arrs]) => [k, arrs.map((a) => Array.from(a))])) };
  return JSON.parse(JSON.stringify(plain)) as OptimizerState;
}

describe('state() / loadState() resume bit-identically', () => {
  for (const [name, make] of makers) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const via of ['typed arrays', 'JSON'] as const) {
        test(`${name} (${dtype}, ${via})`, () => {
          const full = makeParams(dtype);
          const optFull = make(full);
          runSteps(optFull, full, 0, 7);

          const part = makeParams(dtype);
          const optA = make(part);
          runSteps(optA, part, 0, 3);
          const saved = optA.state();
          const savedParams = cloneParams(part);
          runSteps(optA, part, 3, 5); // keeps going: the snapshot must not change with it

          const optB = make(savedParams);
          optB.lr = 123; // loadState must restore lr too
          optB.loadState(via === 'JSON' ? toJsonAndBack(saved) : saved);
          assert.equal(optB.stepCount, 3);
          runSteps(optB, savedParams, 3, 7);
          sameBits(full, savedParams);
          assert.equal(optB.lr, optFull.lr);
          // and it really moved: the resumed params differ from the saved ones
          assert.notDeepEqual(Array.from(savedParams[0].value), Array.from(makeParams(dtype)[0].value));
        });
      }
    }
  }
});

describe('loadState errors', () => {
  test('state from another optimizer kind', () => {
    const s = new Adam(makeParams('float64')).state();
    assert.throws(() => new AdamW(makeParams('float64')).loadState(s), /\[AdamW.loadState\] state was saved by Adam; received it in AdamW/);
  });
  test('different parameters', () => {
    const s = new SGD(makeParams('float64'), { momentum: 0.9 }).state();
    const ps = makeParams('float64');
    const renamed = [ps[0], { ...ps[1], name: 'b' }];
    assert.throws(() => new SGD(renamed, { momentum: 0.9 }).loadState(s), /parameter 1 must be 'b' with 3 entries; received 'bias' with 3/);
    assert.throws(() => new SGD([ps[0]], { momentum: 0.9 }).loadState(s), /state holds 2 parameters; this optimizer has 1/);
  });
  test('a slot of the wrong length, or bad hyperparameters, leaves the optimizer as it was', () => {
    const ps = makeParams('float64');
    const opt = new Adam(ps, { lr: 0.01 });
    const s = opt.state();
    s.slots.exp_avg[1] = new Float64Array(2);
    s.hyper.lr = 0.5;
    assert.throws(() => opt.loadState(s), /slot exp_avg\[1\] must have 3 entries; received 2/);
    assert.equal(opt.lr, 0.01);
    const s2 = opt.state();
    s2.hyper.beta1 = 1.5;
    assert.throws(() => opt.loadState(s2), /\[Adam\] beta1 must be in \[0, 1\); received 1.5/);
    assert.equal(opt.hyper().beta1, 0.9);
  });
  test('state whose hyperparameters need other slots (amsgrad on, max_exp_avg_sq missing)', () => {
    const s = new Adam(makeParams('float64')).state();
    s.hyper.amsgrad = true;
    assert.throws(() => new Adam(makeParams('float64')).loadState(s), /must have slots \[exp_avg, exp_avg_sq, max_exp_avg_sq\]/);
  });
});
