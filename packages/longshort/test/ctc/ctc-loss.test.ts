// ctcLoss proven against brute-force enumeration of all alignments, central finite differences,
// an independent scaled probability-space forward pass at T=2000, and the published TensorFlow
// ctc_loss test values (Alex Graves' reference implementation numbers).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ctcLoss } from '../../src/ctc/index.js';
import { ctcForward, ctcBackward, extendTarget, logSoftmaxRows, logAddExp } from '../../src/kernels/ref/ctc.js';
import { Tensor, tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { bruteCtc } from './bruteforce.js';

function randomLogits(rng: Rng, B: number, T: number, C: number, std = 1.5, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const n = B * T * C;
  const d = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.normal(0, std);
  return new Tensor(d, [B, T, C]);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// a batch mixing input lengths, a repeated label, an empty target and a just-feasible target
const T = 6;
const C = 4;
const targets = [[1, 2], [1, 1], [], [3, 1, 3], [2, 2, 2], [3]];
const inputLengths = [6, 5, 4, 6, 5, 1];

describe('ctcLoss vs brute force over all C^T alignments', () => {
  const rng = new Rng(7);
  const B = targets.length;
  const logits = randomLogits(rng, B, T, C);

  test('per-row loss and gradient (sum reduction), float64', (t) => {
    const r = ctcLoss(logits, targets, inputLengths, undefined, { reduction: 'sum' });
    let worstLoss = 0;
    let worstGrad = 0;
    let expectedSum = 0;
    for (let b = 0; b < B; b++) {
      const Tb = inputLengths[b];
      const row = logits.data.subarray(b * T * C, b * T * C + Tb * C);
      const bf = bruteCtc(row, Tb, C, targets[b], 0);
      expectedSum += bf.loss;
      worstLoss = Math.max(worstLoss, Math.abs(r.losses[b] - bf.loss) / Math.abs(bf.loss));
      const g = r.grad!.data.subarray(b * T * C, (b + 1) * T * C);
      worstGrad = Math.max(worstGrad, maxAbsDiff(g.subarray(0, Tb * C), bf.grad));
      // padded frames t >= inputLength get exactly zero gradient
      for (let i = Tb * C; i < T * C; i++) assert.equal(g[i], 0, `row ${b}: padded grad[${i}] should be 0`);
    }
    t.diagnostic(`worst relative loss error ${worstLoss.toExponential(2)}, worst gradient error ${worstGrad.toExponential(2)}`);
    assert.ok(worstLoss < 1e-12, `worst relative loss error ${worstLoss}`);
    assert.ok(worstGrad < 1e-12, `worst gradient error ${worstGrad}`);
    assert.ok(Math.abs(r.loss - expectedSum) < 1e-11);
    assert.equal(r.grad!.dtype, 'float64');
    assert.deepEqual(r.grad!.shape, [B, T, C]);
  });

  test('a repeat needs a blank between: [1,1] in exactly 3 frames has the single path 1,blank,1', () => {
    const x = randomLogits(new Rng(3), 1, 3, 3);
    const r = ctcLoss(x, [[1, 1]], [3], undefined, { reduction: 'sum' });
    const lp = new Float64Array(9);
    logSoftmaxRows(lp, x.data, 0, 3, 3, 3);
    const onePath = lp[0 * 3 + 1] + lp[1 * 3 + 0] + lp[2 * 3 + 1];
    assert.ok(Math.abs(r.loss + onePath) < 1e-13, `${r.loss} vs ${-onePath}`);
    assert.ok(Math.abs(r.loss - bruteCtc(x.data, 3, 3, [1, 1], 0).loss) < 1e-13);
  });

  test('empty target: loss is -sum_t log p(blank); zero frames and empty target: loss 0', () => {
    const x = randomLogits(new Rng(4), 2, 4, 3);
    const r = ctcLoss(x, [[], []], [4, 0], undefined, { reduction: 'none' });
    const lp = new Float64Array(12);
    logSoftmaxRows(lp, x.data, 0, 3, 4, 3);
    let s = 0;
    for (let t = 0; t < 4; t++) s -= lp[t * 3];
    assert.ok(Math.abs(r.losses[0] - s) < 1e-13);
    assert.equal(r.losses[1], 0);
    for (let i = 12; i < 24; i++) assert.equal(r.grad!.data[i], 0);
  });

  test('a non-zero blank index (blank = C-1) matches brute force', () => {
    const x = randomLogits(new Rng(5), 1, 5, 4);
    const r = ctcLoss(x, [[0, 0, 2]], [5], undefined, { blank: 3, reduction: 'sum' });
    const bf = bruteCtc(x.data, 5, 4, [0, 0, 2], 3);
    assert.ok(Math.abs(r.loss - bf.loss) < 1e-12);
    assert.ok(maxAbsDiff(r.grad!.data, bf.grad) < 1e-12);
  });

  test('kernel invariant: logsumexp_s(alpha[t,s] + beta[t,s]) = log p for every frame', () => {
    const Tn = 6, Cn = 4, L = 3, S = 2 * L + 1;
    const x = randomLogits(new Rng(6), 1, Tn, Cn).data;
    const lp = new Float64Array(Tn * Cn);
    logSoftmaxRows(lp, x, 0, Cn, Tn, Cn);
    const ext = new Int32Array(S);
    extendTarget(ext, [2, 2, 1], 0, L, 0);
    const alpha = new Float64Array(Tn * S);
    const beta = new Float64Array(Tn * S);
    const logLik = ctcForward(alpha, lp, ext, Tn, Cn, S);
    ctcBackward(new Float64Array(Tn * Cn), 0, Cn, 1, beta, new Float64Array(Cn), alpha, lp, ext, logLik, Tn, Cn, S);
    for (let t = 0; t < Tn; t++) {
      let acc = -Infinity;
      for (let s = 0; s < S; s++) acc = logAddExp(acc, alpha[t * S + s] + beta[t * S + s]);
      assert.ok(Math.abs(acc - logLik) < 1e-12, `t=${t}: ${acc} vs ${logLik}`);
    }
  });
});

describe('ctcLoss reductions', () => {
  const rng = new Rng(11);
  const B = targets.length;
  const logits = randomLogits(rng, B, T, C);
  const none = ctcLoss(logits, targets, inputLengths, undefined, { reduction: 'none' });
  const sum = ctcLoss(logits, targets, inputLengths, undefined, { reduction: 'sum' });
  const mean = ctcLoss(logits, targets, inputLengths, undefined, { reduction: 'mean' });

  test("'mean' is PyTorch's: mean over rows of loss / max(targetLength, 1)", () => {
    let m = 0;
    for (let b = 0; b < B; b++) m += none.losses[b] / Math.max(targets[b].length, 1);
    m /= B;
    assert.ok(Math.abs(mean.loss - m) < 1e-14);
    // hand-worked with the per-row losses: rows have target lengths 2,1→… (empty counts as 1)
    const hand = (none.losses[0] / 2 + none.losses[1] / 2 + none.losses[2] / 1 + none.losses[3] / 3 + none.losses[4] / 3 + none.losses[5] / 1) / 6;
    assert.ok(Math.abs(mean.loss - hand) < 1e-14);
  });

  test("'sum' and 'none' share per-row losses; 'none'.loss is their sum and has the same gradient as 'sum'", () => {
    assert.deepEqual(Array.from(none.losses), Array.from(sum.losses));
    assert.equal(none.loss, sum.loss);
    assert.deepEqual(Array.from(none.grad!.data), Array.from(sum.grad!.data));
  });

  test("'mean' gradient = 'sum' gradient / (B * max(L_b, 1)) row by row", () => {
    let worst = 0;
    for (let b = 0; b < B; b++) {
      const k = 1 / (B * Math.max(targets[b].length, 1));
      for (let i = b * T * C; i < (b + 1) * T * C; i++) worst = Math.max(worst, Math.abs(mean.grad!.data[i] - k * sum.grad!.data[i]));
    }
    assert.ok(worst < 1e-15, `${worst}`);
  });
});

describe('ctcLoss gradient by central finite differences (float64)', () => {
  test("'mean' reduction, batch of mixed lengths, every logit including padding", (t) => {
    const rng = new Rng(21);
    const tg = [[1, 2, 1], [3, 3], [2]];
    const lens = [7, 6, 3];
    const x = randomLogits(rng, 3, 7, 4);
    const r = ctcLoss(x, tg, lens, undefined, { reduction: 'mean' });
    const h = 1e-5;
    let worst = 0;
    for (let i = 0; i < x.size; i++) {
      const keep = x.data[i];
      x.data[i] = keep + h;
      const up = ctcLoss(x, tg, lens, undefined, { computeGrad: false }).loss;
      x.data[i] = keep - h;
      const down = ctcLoss(x, tg, lens, undefined, { computeGrad: false }).loss;
      x.data[i] = keep;
      const fd = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(fd - r.grad!.data[i]));
    }
    t.diagnostic(`worst |fd - analytic| over ${x.size} logits: ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-9, `worst |fd - analytic| = ${worst}`);
  });

  test('padded frames do not change the loss', () => {
    const x = randomLogits(new Rng(22), 2, 5, 3);
    const a = ctcLoss(x, [[1], [2, 1]], [3, 5]).loss;
    for (let t = 3; t < 5; t++) for (let c = 0; c < 3; c++) x.data[t * 3 + c] = 100 * (c + 1);
    assert.equal(ctcLoss(x, [[1], [2, 1]], [3, 5]).loss, a);
  });
});

// Scaled forward pass in probability space (Graves 2006 eq. 8-9 with per-frame normalisation):
// an independent algorithm that also survives long inputs, to check the log-space kernel against.
function scaledForwardLogLik(x: ArrayLike<number>, Tn: number, Cn: number, target: number[], blank: number): number {
  const S = 2 * target.length + 1;
  const ext = Array.from({ length: S }, (_, s) => (s % 2 === 0 ? blank : target[(s - 1) / 2]));
  const p = new Float64Array(Cn);
  const probs = (t: number) => {
    let m = -Infinity;
    for (let c = 0; c < Cn; c++) m = Math.max(m, x[t * Cn + c]);
    let z = 0;
    for (let c = 0; c < Cn; c++) z += (p[c] = Math.exp(x[t * Cn + c] - m));
    for (let c = 0; c < Cn; c++) p[c] /= z;
  };
  let a = new Float64Array(S);
  probs(0);
  a[0] = p[ext[0]];
  if (S > 1) a[1] = p[ext[1]];
  let logLik = 0;
  const norm = () => {
    let z = 0;
    for (let s = 0; s < S; s++) z += a[s];
    for (let s = 0; s < S; s++) a[s] /= z;
    logLik += Math.log(z);
  };
  norm();
  for (let t = 1; t < Tn; t++) {
    probs(t);
    const n = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      let v = a[s] + (s > 0 ? a[s - 1] : 0);
      if (s > 1 && ext[s] !== blank && ext[s] !== ext[s - 2]) v += a[s - 2];
      n[s] = v * p[ext[s]];
    }
    a = n;
    norm();
  }
  return logLik + Math.log(a[S - 1] + (S > 1 ? a[S - 2] : 0));
}

// Plain log-space forward recursion without the kernel's reachability window, written separately.
function unprunedLogLik(x: ArrayLike<number>, Tn: number, Cn: number, target: number[], blank: number): number {
  const S = 2 * target.length + 1;
  const ext = Array.from({ length: S }, (_, s) => (s % 2 === 0 ? blank : target[(s - 1) / 2]));
  const lse = (a: number, b: number) => (a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))));
  const lp = (t: number, c: number) => {
    let m = -Infinity;
    for (let k = 0; k < Cn; k++) m = Math.max(m, x[t * Cn + k]);
    let z = 0;
    for (let k = 0; k < Cn; k++) z += Math.exp(x[t * Cn + k] - m);
    return x[t * Cn + c] - m - Math.log(z);
  };
  let a = new Array<number>(S).fill(-Infinity);
  a[0] = lp(0, ext[0]);
  if (S > 1) a[1] = lp(0, ext[1]);
  for (let t = 1; t < Tn; t++) {
    const n = new Array<number>(S).fill(-Infinity);
    for (let s = 0; s < S; s++) {
      let v = a[s];
      if (s > 0) v = lse(v, a[s - 1]);
      if (s > 1 && ext[s] !== blank && ext[s] !== ext[s - 2]) v = lse(v, a[s - 2]);
      n[s] = v + lp(t, ext[s]);
    }
    a = n;
  }
  return S > 1 ? lse(a[S - 1], a[S - 2]) : a[0];
}

describe('long inputs (T = 2000)', () => {
  const rng = new Rng(31);
  const Tn = 2000, Cn = 6, L = 120;
  const target: number[] = [];
  for (let i = 0; i < L; i++) target.push(1 + Math.floor(rng.next() * (Cn - 1)));

  test('moderate logits: matches an independent scaled probability-space forward', (t) => {
    const x2 = randomLogits(rng, 1, Tn, Cn, 2);
    const r2 = ctcLoss(x2, [target], [Tn], undefined, { reduction: 'sum', computeGrad: false });
    const ref = -scaledForwardLogLik(x2.data, Tn, Cn, target, 0);
    assert.ok(r2.loss > 745, `p = e^-${r2.loss} must underflow a double for this test to mean anything`);
    t.diagnostic(`loss ${r2.loss} vs scaled forward ${ref}`);
    assert.ok(Math.abs(r2.loss - ref) / ref < 1e-12, `${r2.loss} vs ${ref}`);
  });

  // sharp logits: p(target) ~ e^-6700, and even the scaled forward loses mass to subnormals
  // (measured: 6700.97 vs the true 6690.90), while log space stays exact
  const x = randomLogits(rng, 1, Tn, Cn, 4);
  const r = ctcLoss(x, [target], [Tn], undefined, { reduction: 'sum' });

  test('sharp logits: loss and gradient finite, equal to an unpruned log-space recursion', (t) => {
    assert.ok(Number.isFinite(r.loss) && r.loss > 745, `loss ${r.loss}`);
    for (const g of r.grad!.data) assert.ok(Number.isFinite(g));
    const ref = -unprunedLogLik(x.data, Tn, Cn, target, 0);
    t.diagnostic(`loss ${r.loss} vs unpruned ${ref}`);
    assert.ok(Math.abs(r.loss - ref) / ref < 1e-12, `${r.loss} vs ${ref}`);
  });

  test('every frame of the gradient sums to 0 over classes (softmax minus a distribution)', () => {
    let worst = 0;
    for (let t = 0; t < Tn; t++) {
      let s = 0;
      for (let c = 0; c < Cn; c++) s += r.grad!.data[t * Cn + c];
      worst = Math.max(worst, Math.abs(s));
    }
    assert.ok(worst < 1e-9, `${worst}`);
  });

  test('finite differences at 12 random logits', (t) => {
    const h = 1e-5;
    let worst = 0;
    for (let k = 0; k < 12; k++) {
      const i = Math.floor(rng.next() * x.size);
      const keep = x.data[i];
      x.data[i] = keep + h;
      const up = ctcLoss(x, [target], [Tn], undefined, { reduction: 'sum', computeGrad: false }).loss;
      x.data[i] = keep - h;
      const down = ctcLoss(x, [target], [Tn], undefined, { reduction: 'sum', computeGrad: false }).loss;
      x.data[i] = keep;
      worst = Math.max(worst, Math.abs((up - down) / (2 * h) - r.grad!.data[i]));
    }
    t.diagnostic(`worst |fd - analytic| ${worst.toExponential(2)}`);
    assert.ok(worst < 2e-6, `${worst}`);
  });
});

describe('zeroInfinity and infeasible targets', () => {
  const x = randomLogits(new Rng(41), 3, 4, 3);
  // row 1: [1,1,2,2] needs 4 labels + 2 separating blanks = 6 frames > 4
  const tg = [[1, 2], [1, 1, 2, 2], [2]];
  const lens = [4, 4, 2];

  test('without zeroInfinity the row has loss +inf and a NaN gradient on its valid frames (PyTorch); the other rows are untouched', () => {
    const r = ctcLoss(x, tg, lens, undefined, { reduction: 'sum' });
    assert.deepEqual(r.infeasibleRows, [1]);
    assert.equal(r.losses[1], Infinity);
    assert.equal(r.loss, Infinity);
    for (let i = 12; i < 24; i++) assert.ok(Number.isNaN(r.grad!.data[i]), `grad[${i}] = ${r.grad!.data[i]}`);
    const ok = ctcLoss(x, [tg[0], [], tg[2]], lens, undefined, { reduction: 'sum' });
    assert.equal(r.losses[0], ok.losses[0]);
    for (let i = 0; i < 12; i++) assert.equal(r.grad!.data[i], ok.grad!.data[i]);
    assert.equal(ctcLoss(x, tg, lens, undefined, { reduction: 'mean' }).loss, Infinity);
  });

  test('with zeroInfinity the row has loss 0 and gradient 0; the other rows are untouched', () => {
    const r = ctcLoss(x, tg, lens, undefined, { zeroInfinity: true, reduction: 'mean' });
    assert.deepEqual(r.infeasibleRows, [1]);
    assert.equal(r.losses[1], 0);
    for (let i = 12; i < 24; i++) assert.equal(r.grad!.data[i], 0);
    const ok = ctcLoss(x, [tg[0], [], tg[2]], lens, undefined, { reduction: 'none' });
    assert.equal(r.losses[0], ok.losses[0]);
    assert.equal(r.losses[2], ok.losses[2]);
    // PyTorch divides by B including the zeroed row
    assert.ok(Math.abs(r.loss - (ok.losses[0] / 2 + 0 + ok.losses[2] / 1) / 3) < 1e-14);
    for (let i = 0; i < 12; i++) assert.ok(Math.abs(r.grad!.data[i] - ok.grad!.data[i] / 6) < 1e-15);
  });

  test('exactly feasible (L + repeats = T) is not infeasible', () => {
    const r = ctcLoss(x, [[1, 1, 2], [2, 2], [1, 2]], [4, 3, 2], undefined, { reduction: 'none' });
    for (const l of r.losses) assert.ok(Number.isFinite(l));
  });
});

describe('TensorFlow ctc_loss reference values', () => {
  // From tensorflow/python/kernel_tests/nn_ops/ctc_loss_op_test.py, testBasic (Apache-2.0):
  // "Input and ground truth from Alex Graves' implementation". Inputs are log-probabilities,
  // blank is the last class (5), T = 5, expected loss and dLoss/dinputs to ~6 digits.
  const probs0 = [
    [0.633766, 0.221185, 0.0917319, 0.0129757, 0.0142857, 0.0260553],
    [0.111121, 0.588392, 0.278779, 0.0055756, 0.00569609, 0.010436],
    [0.0357786, 0.633813, 0.321418, 0.00249248, 0.00272882, 0.0037688],
    [0.0663296, 0.643849, 0.280111, 0.00283995, 0.0035545, 0.00331533],
    [0.458235, 0.396634, 0.123377, 0.00648837, 0.00903441, 0.00623107],
  ];
  const grad0 = [
    [-0.366234, 0.221185, 0.0917319, 0.0129757, 0.0142857, 0.0260553],
    [0.111121, -0.411608, 0.278779, 0.0055756, 0.00569609, 0.010436],
    [0.0357786, 0.633813, -0.678582, 0.00249248, 0.00272882, 0.0037688],
    [0.0663296, -0.356151, 0.280111, 0.00283995, 0.0035545, 0.00331533],
    [-0.541765, 0.396634, 0.123377, 0.00648837, 0.00903441, 0.00623107],
  ];
  const probs1 = [
    [0.30176, 0.28562, 0.0831517, 0.0862751, 0.0816851, 0.161508],
    [0.24082, 0.397533, 0.0557226, 0.0546814, 0.0557528, 0.19549],
    [0.230246, 0.450868, 0.0389607, 0.038309, 0.0391602, 0.202456],
    [0.280884, 0.429522, 0.0326593, 0.0339046, 0.0326856, 0.190345],
    [0.423286, 0.315517, 0.0338439, 0.0393744, 0.0339315, 0.154046],
  ];
  const grad1 = [
    [-0.69824, 0.28562, 0.0831517, 0.0862751, 0.0816851, 0.161508],
    [0.24082, -0.602467, 0.0557226, 0.0546814, 0.0557528, 0.19549],
    [0.230246, 0.450868, 0.0389607, 0.038309, 0.0391602, -0.797544],
    [0.280884, -0.570478, 0.0326593, 0.0339046, 0.0326856, 0.190345],
    [-0.576714, 0.315517, 0.0338439, 0.0393744, 0.0339315, 0.154046],
  ];
  // TF pads both rows to 7 frames with NaN; we pad with zeros (NaN is rejected even in padding)
  const pad = [0, 0, 0, 0, 0, 0];
  const logIn = (rows: number[][]) => [...rows.map((r) => r.map(Math.log)), pad, pad];

  for (const dtype of ['float32', 'float64'] as const) {
    test(`losses 3.34211 and 5.42262 and the gradients, ${dtype}`, (t) => {
      const x = tensor([logIn(probs0), logIn(probs1)], undefined, dtype);
      const r = ctcLoss(x, [[0, 1, 2, 1, 0], [0, 1, 1, 0]], [5, 5], undefined, { blank: 5, reduction: 'none' });
      assert.ok(Math.abs(r.losses[0] - 3.34211) < 5e-6, `${r.losses[0]}`);
      assert.ok(Math.abs(r.losses[1] - 5.42262) < 5e-6, `${r.losses[1]}`);
      assert.equal(r.grad!.dtype, dtype);
      const want = [...grad0.flat(), ...pad, ...pad, ...grad1.flat(), ...pad, ...pad];
      const worst = maxAbsDiff(r.grad!.data, want);
      t.diagnostic(`losses ${r.losses[0]}, ${r.losses[1]}; worst gradient difference ${worst.toExponential(2)}`);
      assert.ok(worst < 2e-6, `worst gradient difference ${worst}`);
    });
  }
});

describe('ctcLoss input forms and validation', () => {
  const x = randomLogits(new Rng(51), 2, 4, 5);

  test('Int32Array targets padded beyond targetLengths give the same result as trimmed arrays', () => {
    const a = ctcLoss(x, [[1, 2], [3]], [4, 3]);
    const b = ctcLoss(x, [Int32Array.from([1, 2, 0, 0]), Int32Array.from([3, 99, 99, 99])], Int32Array.from([4, 3]), [2, 1]);
    assert.equal(a.loss, b.loss);
    assert.deepEqual(Array.from(a.grad!.data), Array.from(b.grad!.data));
  });

  test('float32 logits: float32 gradient close to the float64 result', () => {
    const x32 = new Tensor(Float32Array.from(x.data), x.shape);
    const x64 = new Tensor(Float64Array.from(x32.data), x.shape);
    const a = ctcLoss(x32, [[1, 2], [3]], [4, 3]);
    const b = ctcLoss(x64, [[1, 2], [3]], [4, 3]);
    assert.ok(a.grad!.data instanceof Float32Array);
    assert.equal(a.loss, b.loss); // computed in float64 from the same values
    assert.ok(maxAbsDiff(a.grad!.data, b.grad!.data) < 1e-7);
  });

  test('computeGrad: false returns grad null and the same loss', () => {
    const a = ctcLoss(x, [[1, 2], [3]], [4, 3], undefined, { computeGrad: false });
    assert.equal(a.grad, null);
    assert.equal(a.loss, ctcLoss(x, [[1, 2], [3]], [4, 3]).loss);
  });

  test('clear messages for bad input', () => {
    const tg = [[1, 2], [3]];
    assert.throws(() => ctcLoss(x.reshape([8, 5]), tg, [4, 3]), /logits must be a Tensor of shape \(B, T, C\); received \(8, 5\)/);
    assert.throws(() => ctcLoss(x, [[1, 2]], [4, 3]), /targets must hold one label sequence per batch row \(2 because logits are \(2, 4, 5\)\); received 1/);
    assert.throws(() => ctcLoss(x, tg, [4]), /inputLengths must have 2 entries, one per batch row; received 1/);
    assert.throws(() => ctcLoss(x, tg, [5, 3]), /inputLengths\[0\] must be an integer in \[0, 4\] because T=4.*received 5/);
    assert.throws(() => ctcLoss(x, [[1, 5], [3]], [4, 3]), /targets\[0\]\[1\] must be a class id in \[0, 5\) because logits have C=5 classes; received 5/);
    assert.throws(() => ctcLoss(x, [[1, 2], [3, 0]], [4, 3]), /targets\[1\]\[1\] is the blank id 0/);
    assert.throws(() => ctcLoss(x, [[1, 2], [3, 4]], [4, 3], undefined, { blank: 4 }), /targets\[1\]\[1\] is the blank id 4/);
    assert.throws(() => ctcLoss(x, tg, [4, 3], [2, 2]), /targetLengths\[1\] must be an integer in \[0, 1\].*received 2/);
    assert.throws(() => ctcLoss(x, tg, [4, 3], undefined, { blank: 5 }), /blank must be an integer class index in \[0, 5\).*received 5/);
    assert.throws(() => ctcLoss(x, tg, [4, 3], undefined, { reduction: 'avg' as 'mean' }), /reduction must be 'mean', 'sum' or 'none'; received "avg"/);
    const bad = x.clone();
    bad.data[1 * 20 + 3 * 5 + 2] = NaN;
    assert.throws(() => ctcLoss(bad, tg, [4, 3]), (e: Error) => e.name === 'NonFiniteError' && /received NaN at \[b=1, t=3, c=2\]/.test(e.message) && /padded frame/.test(e.message));
  });
});
