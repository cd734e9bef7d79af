// Central finite differences in float64 for the LSTM tests: perturb every entry of an array,
// rerun the scalar loss, compare with the analytic gradient (atol + rtol·|numeric|).
import assert from 'node:assert/strict';
import type { Arr } from '../../src/tensor.js';

export function checkGrad(
  label: string,
  values: Arr,
  analytic: Arr,
  loss: () => number,
  { eps = 1e-6, atol = 1e-7, rtol = 1e-5 } = {},
): number {
  assert.equal(values.length, analytic.length, `${label}: gradient length`);
  let worst = 0;
  const bad: string[] = [];
  for (let n = 0; n < values.length; n++) {
    const v = values[n];
    values[n] = v + eps;
    const lp = loss();
    values[n] = v - eps;
    const lm = loss();
    values[n] = v;
    const num = (lp - lm) / (2 * eps);
    const err = Math.abs(num - analytic[n]);
    worst = Math.max(worst, err);
    if (err > atol + rtol * Math.abs(num) && bad.length < 5) bad.push(`${label}[${n}]: analytic ${analytic[n]} numeric ${num}`);
  }
  assert.equal(bad.length, 0, `gradient mismatch:\n${bad.join('\n')}`);
  return worst;
}

/** Deterministic pseudo-random fill in [-1, 1) (no dependency on the library's RNG). */
export function fill(a: Arr, seed: number, scale = 1): Arr {
  let s = seed >>> 0 || 1;
  for (let n = 0; n < a.length; n++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    a[n] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return a;
}

export function dot(a: Arr, b: Arr): number {
  let s = 0;
  for (let n = 0; n < a.length; n++) s += a[n] * b[n];
  return s;
}
