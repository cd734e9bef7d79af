// Test helper: element-wise comparison with a tolerance atol·max|want| + rtol·|want|, failures named
// with decoded indices (`y[t=2,b=0,j=3]: want 0.4121 got 0.4188`), and a running statistic of the
// worst error as a fraction of the tolerance over EVERY element compared — failures included, NaN
// counting as infinitely bad — so a report of "worst 0.08" means every element passed with room.
import assert from 'node:assert/strict';

export interface Stat {
  /** max over compared elements of |got − want| / tolerance (Infinity for NaN mismatches). */
  worst: number;
  /** Where the worst one was. */
  at: string;
}

export function newStat(): Stat {
  return { worst: 0, at: '' };
}

function decode(name: string, idx: number, dims: readonly number[], labels: readonly string[]): string {
  if (dims.length === 0) return `${name}[${idx}]`;
  const parts: string[] = [];
  let r = idx;
  for (let d = dims.length - 1; d >= 0; d--) {
    parts.unshift(`${labels[d] ?? `i${d}`}=${r % dims[d]}`);
    r = Math.floor(r / dims[d]);
  }
  return `${name}[${parts.join(',')}]`;
}

export interface CloseOptions {
  atol?: number;
  rtol?: number;
  dims?: readonly number[];
  labels?: readonly string[];
  /** Compare bit for bit (Object.is) instead. */
  exact?: boolean;
}

/** Assert got ≈ want element-wise; update `stat` with every element's error ratio. */
export function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, stat: Stat, o: CloseOptions = {}): void {
  assert.equal(got.length, want.length, `${name}: length ${got.length} vs ${want.length}`);
  const bad: string[] = [];
  if (o.exact) {
    for (let i = 0; i < want.length; i++) {
      if (!Object.is(got[i], want[i]) && bad.length < 5) bad.push(`${decode(name, i, o.dims ?? [], o.labels ?? [])}: want ${want[i]} got ${got[i]}`);
    }
    if (bad.length > 0) assert.fail(`${name}: not bit-identical:\n  ${bad.join('\n  ')}`);
    return;
  }
  const atol = o.atol ?? 2e-6;
  const rtol = o.rtol ?? 2e-5;
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) if (Number.isFinite(want[i])) scale = Math.max(scale, Math.abs(want[i]));
  let count = 0;
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (Number.isNaN(w) && Number.isNaN(g)) continue; // NaN where the reference has NaN
    if (w === g) continue; // includes equal infinities
    const tol = atol * scale + rtol * Math.abs(w);
    const err = Math.abs(g - w);
    const ratio = Number.isNaN(err) || !Number.isFinite(err) ? Infinity : err / tol;
    if (ratio > stat.worst) {
      stat.worst = ratio;
      stat.at = decode(name, i, o.dims ?? [], o.labels ?? []);
    }
    if (!(err <= tol)) {
      count++;
      if (bad.length < 5) bad.push(`${decode(name, i, o.dims ?? [], o.labels ?? [])}: want ${w} got ${g}`);
    }
  }
  if (bad.length > 0) assert.fail(`${name}: ${count} mismatch(es) beyond atol ${atol}·${scale.toPrecision(3)} + rtol ${rtol}·|want|:\n  ${bad.join('\n  ')}`);
}
