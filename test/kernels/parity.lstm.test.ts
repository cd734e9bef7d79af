// Parity of the WebAssembly LSTM kernel with the reference kernel (which defines correct
// behaviour): one case table, forward and backward, both wasm builds. Covers H = 1, 5, 67,
// B = 1, T = 1, T = 200, per-row lengths, reverse, projection, peepholes, coupled gates, each
// Greff variant (no input / forget / output gate, no input / output activation), clipping and
// the other gate activations, with and without final-state gradients. Tolerance is
// atol + rtol·|ref| per element (atol scaled by the array's largest |ref|); a failure names the
// first mismatches with decoded indices, e.g. `y[t=2,b=0,j=3]: ref 0.4121 wasm 0.4188`.
// Half the cases use caches allocated by the wasm kernel (in wasm memory, used in place), half
// plain JavaScript caches (copied in and out), so both argument paths are exercised.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ref from '../../src/kernels/ref/lstm.js';
import { allocLstmBackWork, allocLstmCache } from '../../src/kernels/lstm-buffers.js';
import { DEFAULT_CELL, type LstmCellSpec, type LstmRun, type LstmWeights } from '../../src/kernels/types.js';
import type { Kernels } from '../../src/kernels/index.js';
import { Rng } from '../../src/util/rng.js';
import { label, wasmVariants } from './wasm-variants.js';

interface Case {
  name: string;
  T: number;
  B: number;
  D: number;
  H: number;
  P?: number;
  lengths?: number[];
  reverse?: boolean;
  spec?: Partial<LstmCellSpec>;
  finalGrads?: boolean; // pass dhN, dcN to backward (default true)
}

const cases: Case[] = [
  { name: 'H=1', T: 3, B: 2, D: 2, H: 1 },
  { name: 'H=5', T: 4, B: 3, D: 3, H: 5 },
  { name: 'H=67', T: 5, B: 4, D: 9, H: 67 },
  { name: 'B=1', T: 7, B: 1, D: 4, H: 8 },
  // batch 1 runs unpacked matrix–vector products (8-row blocks, 4-row and K tails)
  { name: 'B=1, H=67', T: 6, B: 1, D: 5, H: 67 },
  { name: 'B=1, H=1', T: 4, B: 1, D: 3, H: 1 },
  { name: 'B=1, H=3, length 2 of 5', T: 5, B: 1, D: 2, H: 3, lengths: [2] },
  { name: 'B=1, projection 9→5, reverse', T: 5, B: 1, D: 4, H: 9, P: 5, reverse: true },
  { name: 'B=1, peepholes, clip', T: 5, B: 1, D: 3, H: 6, spec: { peephole: true, clip: 0.7 } },
  { name: 'T=1', T: 1, B: 3, D: 5, H: 6, finalGrads: false },
  { name: 'T=200', T: 200, B: 2, D: 3, H: 6 },
  { name: 'lengths', T: 5, B: 4, D: 3, H: 7, lengths: [5, 3, 1, 4] },
  { name: 'reverse', T: 4, B: 3, D: 3, H: 5, reverse: true },
  { name: 'lengths + reverse', T: 6, B: 3, D: 2, H: 5, lengths: [2, 6, 4], reverse: true },
  { name: 'projection', T: 4, B: 3, D: 3, H: 9, P: 4 },
  { name: 'projection + lengths + reverse', T: 5, B: 3, D: 4, H: 6, P: 5, lengths: [5, 1, 3], reverse: true },
  { name: 'peepholes', T: 5, B: 2, D: 3, H: 7, spec: { peephole: true } },
  { name: 'coupled input-forget', T: 4, B: 2, D: 3, H: 5, spec: { coupled: true } },
  { name: 'no input gate', T: 4, B: 2, D: 3, H: 5, spec: { inputGate: false } },
  { name: 'no forget gate', T: 4, B: 2, D: 3, H: 5, spec: { forgetGate: false } },
  { name: 'no output gate', T: 4, B: 2, D: 3, H: 5, spec: { outputGate: false } },
  { name: 'no input activation', T: 4, B: 2, D: 3, H: 5, spec: { cellAct: 'identity' } },
  { name: 'no output activation', T: 4, B: 2, D: 3, H: 5, spec: { hiddenAct: 'identity' } },
  { name: 'clip 0.5', T: 5, B: 3, D: 4, H: 6, spec: { clip: 0.5 } },
  { name: 'hardSigmoid gates, relu cell', T: 4, B: 2, D: 3, H: 5, spec: { gateAct: 'hardSigmoid', cellAct: 'relu' } },
  { name: 'tanh gates', T: 4, B: 2, D: 3, H: 6, spec: { gateAct: 'tanh' } },
  {
    name: 'everything: peepholes, clip, projection, lengths, reverse, hardSigmoid',
    T: 6, B: 4, D: 5, H: 10, P: 3, lengths: [6, 2, 5, 1], reverse: true,
    spec: { peephole: true, clip: 0.8, gateAct: 'hardSigmoid' },
  },
];

function rand(n: number, rng: Rng, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-scale, scale);
  return a;
}

/** Shapes used to decode flat indices in failure messages. */
function decode(name: string, idx: number, dims: number[], labels: string[]): string {
  const parts: string[] = [];
  let r = idx;
  for (let d = dims.length - 1; d >= 0; d--) {
    parts.unshift(`${labels[d]}=${r % dims[d]}`);
    r = Math.floor(r / dims[d]);
  }
  return `${name}[${parts.join(',')}]`;
}

interface Stat {
  worst: number;
}

/** Assert |got − want| ≤ atol·max|want| + rtol·|want| elementwise; report the first 5 mismatches. */
function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, dims: number[], labels: string[], stat: Stat, atol = 2e-6, rtol = 2e-5): void {
  assert.equal(got.length, want.length, `${name}: length`);
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const tol = atol * scale + rtol * Math.abs(want[i]);
    const err = Math.abs(got[i] - want[i]);
    // every element counts toward the worst ratio, failures included (NaN counts as infinitely bad)
    stat.worst = Math.max(stat.worst, Number.isNaN(err) ? Infinity : err / tol);
    if (!(err <= tol) && bad.length < 5) bad.push(`${decode(name, i, dims, labels)}: ref ${want[i]} wasm ${got[i]}`);
  }
  if (bad.length > 0) assert.fail(`${bad.length}+ mismatches (atol ${atol}·${scale.toPrecision(3)} + rtol ${rtol}·|ref|):\n  ${bad.join('\n  ')}`);
}

function weights(D: number, H: number, P: number, peep: boolean, rng: Rng, zero = false): LstmWeights {
  const G = 4 * H;
  const s = zero ? 0 : 1 / Math.sqrt(H);
  const mk = (n: number) => (zero ? new Float32Array(n) : rand(n, rng, s));
  return { wih: mk(G * D), whh: mk(G * P), bih: mk(G), bhh: mk(G), whr: P !== H ? mk(P * H) : null, peep: peep ? mk(3 * H) : null };
}

function runCase(k: Kernels, c: Case, inPlace: boolean, stat: Stat): void {
  const { T, B, D, H } = c;
  const P = c.P ?? H;
  const spec: LstmCellSpec = { ...DEFAULT_CELL, ...c.spec };
  const rng = new Rng(1234 + T * 31 + H);
  const w = weights(D, H, P, spec.peephole, rng);
  const run: LstmRun = { dims: { T, B, D, H, P }, spec, lengths: c.lengths ? Int32Array.from(c.lengths) : null, reverse: c.reverse ?? false };
  const x = rand(T * B * D, rng, 1.5);
  const h0 = rand(B * P, rng, 0.5);
  const c0 = rand(B * H, rng, 0.5);
  const projected = P !== H;
  const clipped = Number.isFinite(spec.clip);

  const outs = (kk: Kernels, own: boolean) => {
    const alloc = own ? (n: number) => kk.alloc(n, 'float32') : (n: number) => new Float32Array(n);
    return {
      y: new Float32Array(T * B * P), hN: new Float32Array(B * P), cN: new Float32Array(B * H),
      cache: allocLstmCache(alloc, run.dims, projected, clipped),
      work: allocLstmBackWork(alloc, run.dims, projected),
    };
  };
  const R = outs(k, false);
  const W = outs(k, inPlace);
  ref.lstmForward(R.y, R.hN, R.cN, R.cache, x, h0, c0, w, run);
  k.lstmForward(W.y, W.hN, W.cN, W.cache, x, h0, c0, w, run);
  close('y', W.y, R.y, [T, B, P], ['t', 'b', 'j'], stat);
  close('hN', W.hN, R.hN, [B, P], ['b', 'j'], stat);
  close('cN', W.cN, R.cN, [B, H], ['b', 'j'], stat);

  // backward: gradients are ADDED into, so start both from the same nonzero values
  const dy = rand(T * B * P, rng, 1);
  const final = c.finalGrads ?? true;
  const dhN = final ? rand(B * P, rng, 1) : null;
  const dcN = final ? rand(B * H, rng, 1) : null;
  const g0 = weights(D, H, P, spec.peephole, rng);
  const clone = (g: LstmWeights): LstmWeights => ({
    wih: g.wih.slice(), whh: g.whh.slice(), bih: g.bih.slice(), bhh: g.bhh.slice(),
    whr: g.whr && g.whr.slice(), peep: g.peep && g.peep.slice(),
  });
  const gR = clone(g0);
  const gW = clone(g0);
  const dx0 = rand(T * B * D, rng, 0.1);
  const dxR = dx0.slice();
  const dxW = dx0.slice();
  const dh0R = new Float32Array(B * P), dc0R = new Float32Array(B * H);
  const dh0W = new Float32Array(B * P), dc0W = new Float32Array(B * H);
  ref.lstmBackward(gR, dxR, dh0R, dc0R, dy, dhN, dcN, R.cache, R.work, x, w, run);
  k.lstmBackward(gW, dxW, dh0W, dc0W, dy, dhN, dcN, W.cache, W.work, x, w, run);
  const G = 4 * H;
  close('dx', dxW, dxR, [T, B, D], ['t', 'b', 'd'], stat);
  close('dh0', dh0W, dh0R, [B, P], ['b', 'j'], stat);
  close('dc0', dc0W, dc0R, [B, H], ['b', 'j'], stat);
  close('dWih', gW.wih, gR.wih, [G, D], ['g', 'd'], stat);
  close('dWhh', gW.whh, gR.whh, [G, P], ['g', 'p'], stat);
  close('dbih', gW.bih, gR.bih, [G], ['g'], stat);
  close('dbhh', gW.bhh, gR.bhh, [G], ['g'], stat);
  if (projected) close('dWhr', gW.whr!, gR.whr!, [P, H], ['p', 'h'], stat);
  if (spec.peephole) close('dpeep', gW.peep!, gR.peep!, [3 * H], ['k'], stat);
}

describe('LSTM kernel parity: wasm vs ref', () => {
  for (const k of wasmVariants()) {
    const stat: Stat = { worst: 0 };
    cases.forEach((c, n) => {
      test(`${label(k)}: ${c.name}`, () => runCase(k, c, n % 2 === 0, stat));
    });
    test(`${label(k)}: worst error as a fraction of the tolerance`, () => {
      console.log(`  ${label(k)}: worst |wasm − ref| / tolerance over all cases = ${stat.worst.toFixed(3)}`);
      assert.ok(stat.worst <= 1);
    });

    test(`${label(k)}: float64 arrays run the reference kernel (bit-identical)`, () => {
      const T = 3, B = 2, D = 2, H = 3, P = 3;
      const rng = new Rng(5);
      const run: LstmRun = { dims: { T, B, D, H, P }, spec: { ...DEFAULT_CELL }, lengths: null, reverse: false };
      const w64 = weights(D, H, P, false, rng);
      const w: LstmWeights = { wih: Float64Array.from(w64.wih), whh: Float64Array.from(w64.whh), bih: Float64Array.from(w64.bih), bhh: Float64Array.from(w64.bhh), whr: null, peep: null };
      const x = Float64Array.from(rand(T * B * D, rng, 1));
      const h0 = new Float64Array(B * P), c0 = new Float64Array(B * H);
      const a = { y: new Float64Array(T * B * P), hN: new Float64Array(B * P), cN: new Float64Array(B * H), cache: allocLstmCache((n) => k.alloc(n, 'float64'), run.dims, false, false) };
      const b = { y: new Float64Array(T * B * P), hN: new Float64Array(B * P), cN: new Float64Array(B * H), cache: allocLstmCache((n) => new Float64Array(n), run.dims, false, false) };
      assert.ok(a.cache.gates instanceof Float64Array);
      k.lstmForward(a.y, a.hN, a.cN, a.cache, x, h0, c0, w, run);
      ref.lstmForward(b.y, b.hN, b.cN, b.cache, x, h0, c0, w, run);
      assert.deepEqual([...a.y], [...b.y]);
    });
  }
});
