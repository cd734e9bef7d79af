// Learning-rate schedules against sequences computed by hand, checkpoint/resume of each schedule
// together with its optimizer, and the error messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Param } from '../../src/nn/layer.js';
import {
  CosineWithWarmup,
  ExponentialLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  type LrSchedule,
  type ScheduleState,
} from '../../src/optim/index.js';

const param = (): Param => ({ name: 'w', shape: [1], value: new Float64Array(1), grad: new Float64Array(1) });
const sgd = (lr = 1): SGD => new SGD([param()], { lr });

function closeSeq(actual: number[], expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tol, `step ${i + 1}: expected ${expected[i]}, received ${v}\n${actual.join(', ')}`));
}

describe('hand-computed sequences', () => {
  test('StepLR(stepSize 3, gamma 0.5): 1, 1, .5, .5, .5, .25, .25', () => {
    const opt = sgd(1);
    const s = new StepLR(opt, { stepSize: 3, gamma: 0.5 });
    const seq = Array.from({ length: 7 }, () => s.step());
    assert.deepEqual(seq, [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
    assert.equal(opt.lr, 0.25);
    assert.equal(s.lastStep, 7);
  });

  test('ExponentialLR(0.5): .5, .25, .125', () => {
    const opt = sgd(1);
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    assert.deepEqual([s.step(), s.step(), s.step()], [0.5, 0.25, 0.125]);
  });

  test('CosineWithWarmup(warmup 4, total 12, minLr 0.1) from lr 1', () => {
    const opt = sgd(1);
    const s = new CosineWithWarmup(opt, { warmupSteps: 4, totalSteps: 12, minLr: 0.1 });
    assert.equal(opt.lr, 0, 'the constructor sets lr(0) = 0: warm-up starts from 0');
    const seq = Array.from({ length: 13 }, () => s.step());
    // warm-up t/4; then 0.1 + 0.9·½(1 + cos(π(t − 4)/8)); cos(π/8) = 0.92387953251, cos(π/4) = 0.70710678119, cos(3π/8) = 0.38268343237
    const h = (c: number): number => 0.1 + 0.45 * (1 + c);
    closeSeq(seq, [
      0.25, 0.5, 0.75, 1,
      h(0.9238795325112867), h(0.7071067811865476), h(0.3826834323650898), 0.55,
      h(-0.3826834323650898), h(-0.7071067811865476), h(-0.9238795325112867), 0.1,
      0.1,
    ]);
    closeSeq([seq[4]], [0.965745789630079]);
  });

  test('CosineWithWarmup without warm-up starts at the base lr and ends at 0', () => {
    const opt = sgd(0.2);
    const s = new CosineWithWarmup(opt, { warmupSteps: 0, totalSteps: 2 });
    assert.equal(opt.lr, 0.2);
    closeSeq([s.step(), s.step(), s.step()], [0.1, 0, 0]);
  });

  test('ReduceLROnPlateau(factor .5, patience 2, threshold .1 rel, cooldown 1, minLr .2)', () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 2, threshold: 0.1, cooldown: 1, minLr: 0.2 });
    const metrics = [10, 9.5, 9.2, 9.1, 8.0, 8.5, 8.5, 8.5, 8.5, 8.5, 8.5, 8.5, 8.5, 8.5, 8.5, 8.5];
    const seq = metrics.map((m) => s.step(m));
    // 9.5, 9.2, 9.1 are not below 10·0.9 → 3 bad > patience 2 → 0.5 at step 4 (cooldown 1 then);
    // 8.0 < 9 is new best; three 8.5s → 0.25 at step 8; step 9 bad step swallowed by cooldown;
    // steps 10-12 bad → max(0.125, 0.2) = 0.2; later reductions stay at minLr.
    assert.deepEqual(seq, [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2]);
    assert.equal(s.best, 8.0);
  });

  test("ReduceLROnPlateau mode 'max', thresholdMode 'abs'", () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { mode: 'max', thresholdMode: 'abs', threshold: 0.5, patience: 0 });
    // 1 (best), 1.4 not > 1.5 → reduce, 2 > 1.5 best, 2 not > 2.5 → reduce
    closeSeq([1, 1.4, 2, 2].map((m) => s.step(m)), [1, 0.1, 0.1, 0.01], 1e-15);
  });

  test('ReduceLROnPlateau: a NaN metric counts as a bad step (PyTorch)', () => {
    const s = new ReduceLROnPlateau(sgd(1), { patience: 1 });
    assert.deepEqual([s.step(1), s.step(NaN), s.step(NaN)], [1, 1, 0.1]);
  });
});

describe('state() / loadState() continue the same sequence', () => {
  type Make = (o: SGD) => LrSchedule;
  const cases: [string, Make, (i: number) => number | undefined][] = [
    ['StepLR', (o) => new StepLR(o, { stepSize: 2, gamma: 0.7 }), () => undefined],
    ['ExponentialLR', (o) => new ExponentialLR(o, { gamma: 0.9 }), () => undefined],
    ['CosineWithWarmup', (o) => new CosineWithWarmup(o, { warmupSteps: 3, totalSteps: 10, minLr: 0.01 }), () => undefined],
    ['ReduceLROnPlateau', (o) => new ReduceLROnPlateau(o, { patience: 1, cooldown: 1, factor: 0.5 }), (i) => [5, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3][i]],
  ];
  for (const [name, make, metric] of cases) {
    for (const at of [0, 5]) {
      test(`${name}, saved after ${at} steps, through JSON`, () => {
        const o1 = sgd(0.3);
        const s1 = make(o1);
        const full = Array.from({ length: 12 }, (_, i) => s1.step(metric(i)));

        const o2 = sgd(0.3);
        const s2 = make(o2);
        for (let i = 0; i < at; i++) s2.step(metric(i));
        const saved = JSON.parse(JSON.stringify({ opt: { ...o2.state(), slots: {} }, sched: s2.state() })) as {
          opt: ReturnType<SGD['state']>;
          sched: ScheduleState;
        };

        const o3 = sgd(0.3);
        const s3 = make(o3);
        o3.loadState(saved.opt);
        s3.loadState(saved.sched);
        const rest = Array.from({ length: 12 - at }, (_, i) => s3.step(metric(at + i)));
        assert.deepEqual(rest, full.slice(at));
      });
    }
  }
});

describe('bad arguments', () => {
  test('messages', () => {
    assert.throws(() => new StepLR(sgd(), { stepSize: 0 }), /\[StepLR\] stepSize must be an integer ≥ 1; received 0/);
    assert.throws(() => new ExponentialLR(sgd(), { gamma: 1.5 }), /\[ExponentialLR\] gamma must be in \(0, 1\]; received 1.5/);
    assert.throws(() => new CosineWithWarmup(sgd(), { warmupSteps: 10, totalSteps: 10 }), /totalSteps must be greater than warmupSteps \(10\); received 10/);
    assert.throws(() => new CosineWithWarmup(sgd(0.1), { warmupSteps: 1, totalSteps: 10, minLr: 0.5 }), /minLr must be in \[0, 0.1\].*received 0.5/);
    assert.throws(() => new ReduceLROnPlateau(sgd(), { factor: 1 }), /factor must be in \(0, 1\); received 1/);
    assert.throws(() => new ReduceLROnPlateau(sgd(), { mode: 'down' as 'min' }), /mode must be 'min' or 'max'; received "down"/);
    assert.throws(() => new ReduceLROnPlateau(sgd()).step(), /\[ReduceLROnPlateau.step\] metric must be a number; received undefined/);
    assert.throws(() => new StepLR({} as SGD, { stepSize: 1 }), /optimizer must be an object with a numeric lr/);
    assert.throws(() => new StepLR(sgd(), { stepSize: 2 }).loadState(new ExponentialLR(sgd(), { gamma: 0.5 }).state()), /state must come from StepLR.state\(\); received kind ExponentialLR/);
  });
});
