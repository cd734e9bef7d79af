// ctcLoss against PyTorch's F.ctc_loss (1.13) on the committed cases of
// test/fixtures/pytorch/exported/ctc.json (made by test/fixtures/pytorch/make_torch_fixtures.py):
// every reduction with and without zero_infinity, on a batch with two infeasible rows (a target
// longer than its input; repeats that need separating blanks) and two feasible ones. Loss and the
// gradient w.r.t. the raw logits must agree, including PyTorch's inf losses and NaN gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ctcLoss, type CtcReduction } from '../../src/losses/ctc.js';
import { Tensor } from '../../src/tensor.js';

type Num = number | 'inf' | '-inf' | 'nan';
const num = (v: Num): number => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : v);
const fx = JSON.parse(readFileSync(new URL('../fixtures/pytorch/exported/ctc.json', import.meta.url), 'utf8')) as {
  torch: string;
  blank: number;
  logits: { dims: number[]; data: Num[] };
  targets: number[][];
  input_lengths: number[];
  cases: { reduction: CtcReduction; zero_infinity: boolean; loss: Num[]; grad: { dims: number[]; data: Num[] } }[];
};
const logits = new Tensor(Float32Array.from(fx.logits.data.map(num)), fx.logits.dims);

/** Equal within tol relative to magnitude, or both the same non-finite value. */
function close(a: number, b: number, tol: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

for (const c of fx.cases) {
  test(`ctcLoss = F.ctc_loss (torch ${fx.torch}): reduction '${c.reduction}', zero_infinity ${c.zero_infinity}`, () => {
    const r = ctcLoss(logits, fx.targets, fx.input_lengths, undefined, { blank: fx.blank, reduction: c.reduction, zeroInfinity: c.zero_infinity });
    assert.deepEqual(r.infeasibleRows, [1, 3]);
    const want = c.loss.map(num);
    const got = c.reduction === 'none' ? Array.from(r.losses) : [r.loss];
    want.forEach((w, k) => assert.ok(close(got[k], w, 1e-5), `loss[${k}]: longshort ${got[k]}, PyTorch ${w}`));
    const g = c.grad.data.map(num);
    let worst = 0;
    g.forEach((w, k) => {
      const v = r.grad!.data[k];
      assert.ok(close(v, w, 1e-5), `grad[${k}]: longshort ${v}, PyTorch ${w}`);
      if (Number.isFinite(w)) worst = Math.max(worst, Math.abs(v - w));
    });
    assert.ok(worst < 1e-5, `${worst}`);
  });
}
