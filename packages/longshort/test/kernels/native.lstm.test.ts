// Parity of the native LSTM kernel with the reference kernel (which defines correct behaviour):
// one awkward case table, forward and backward, for every instruction-set build this CPU runs
// (avx512, avx2, sse2 on x86-64; neon on arm64 — the arm64 build is also checked under qemu by
// native/test/harness.c), each with one thread and with two threads forced on every case
// (tuning thresholds at their minimum, so batches ≥ 8 split by rows and smaller ones by units).
// Covers H = 1, 5, 67, B = 1, T = 1 and 200, batches that leave partial register blocks,
// per-row lengths, reverse, projection, peepholes, coupled gates, each Greff variant, clipping and
// the other gate activations, with and without final-state gradients. Tolerance is
// atol·max|ref| + rtol·|ref| per element; a failure names the first mismatches with decoded
// indices, e.g. `y[t=2,b=0,j=3]: ref 0.4121 native 0.4188`. Half the cases keep the native side's
// outputs and cache in its own memory (alloc), half in ordinary arrays. Skipped (with the reason)
// where the platform has no native addon.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ref from '../../src/kernels/ref/lstm.js';
import { allocLstmBackWork, allocLstmCache } from '../../src/kernels/lstm-buffers.js';
import { DEFAULT_CELL, type LstmCellSpec, type LstmRun, type LstmWeights } from '../../src/kernels/types.js';
import { createNativeKernels, type NativeKernels } from '../../src/kernels/native/index.js';
import { loadNativeAddon, nativeLoadError } from '../../src/kernels/native/node.js';
import { Rng } from '../../src/util/rng.js';

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
  { name: 'B=1, H=67', T: 6, B: 1, D: 5, H: 67 },
  { name: 'B=1, H=67, T=200', T: 200, B: 1, D: 3, H: 67 },
  { name: 'B=1, H=1', T: 4, B: 1, D: 3, H: 1 },
  { name: 'B=1, H=3, length 2 of 5', T: 5, B: 1, D: 2, H: 3, lengths: [2] },
  { name: 'B=1, projection 9→5, reverse', T: 5, B: 1, D: 4, H: 9, P: 5, reverse: true },
  { name: 'B=1, peepholes, clip', T: 5, B: 1, D: 3, H: 6, spec: { peephole: true, clip: 0.7 } },
  { name: 'B=1, H=40, lengths... reverse, coupled', T: 9, B: 1, D: 7, H: 40, lengths: [6], reverse: true, spec: { coupled: true } },
  { name: 'T=1', T: 1, B: 3, D: 5, H: 6, finalGrads: false },
  { name: 'T=1, B=9, H=67', T: 1, B: 9, D: 5, H: 67 },
  { name: 'T=200', T: 200, B: 2, D: 3, H: 6 },
  { name: 'T=200, B=11, H=5, lengths', T: 200, B: 11, D: 4, H: 5, lengths: [200, 1, 57, 199, 200, 3, 100, 2, 150, 200, 9] },
  { name: 'lengths', T: 5, B: 4, D: 3, H: 7, lengths: [5, 3, 1, 4] },
  { name: 'reverse', T: 4, B: 3, D: 3, H: 5, reverse: true },
  { name: 'lengths + reverse', T: 6, B: 3, D: 2, H: 5, lengths: [2, 6, 4], reverse: true },
  { name: 'B=17, H=67, lengths + reverse', T: 7, B: 17, D: 6, H: 67, lengths: [7, 1, 3, 7, 2, 5, 6, 7, 4, 1, 7, 7, 3, 2, 6, 5, 4], reverse: true },
  { name: 'B=33, D=1, H=33', T: 6, B: 33, D: 1, H: 33 },
  { name: 'projection', T: 4, B: 3, D: 3, H: 9, P: 4 },
  { name: 'projection, B=10', T: 5, B: 10, D: 3, H: 20, P: 7 },
  { name: 'projection + lengths + reverse', T: 5, B: 3, D: 4, H: 6, P: 5, lengths: [5, 1, 3], reverse: true },
  { name: 'peepholes', T: 5, B: 2, D: 3, H: 7, spec: { peephole: true } },
  { name: 'peepholes, B=12', T: 5, B: 12, D: 3, H: 19, spec: { peephole: true } },
  { name: 'coupled input-forget', T: 4, B: 2, D: 3, H: 5, spec: { coupled: true } },
  { name: 'no input gate', T: 4, B: 2, D: 3, H: 5, spec: { inputGate: false } },
  { name: 'no forget gate', T: 4, B: 2, D: 3, H: 5, spec: { forgetGate: false } },
  { name: 'no output gate', T: 4, B: 2, D: 3, H: 5, spec: { outputGate: false } },
  { name: 'no input activation', T: 4, B: 2, D: 3, H: 5, spec: { cellAct: 'identity' } },
  { name: 'no output activation', T: 4, B: 2, D: 3, H: 5, spec: { hiddenAct: 'identity' } },
  { name: 'clip 0.5', T: 5, B: 3, D: 4, H: 6, spec: { clip: 0.5 } },
  { name: 'clip 0.5, B=9', T: 5, B: 9, D: 4, H: 21, spec: { clip: 0.5 } },
  { name: 'hardSigmoid gates, relu cell', T: 4, B: 2, D: 3, H: 5, spec: { gateAct: 'hardSigmoid', cellAct: 'relu' } },
  { name: 'tanh gates', T: 4, B: 2, D: 3, H: 6, spec: { gateAct: 'tanh' } },
  {
    name: 'everything: peepholes, clip, projection, lengths, reverse, hardSigmoid',
    T: 6, B: 4, D: 5, H: 10, P: 3, lengths: [6, 2, 5, 1], reverse: true,
    spec: { peephole: true, clip: 0.8, gateAct: 'hardSigmoid' },
  },
  {
    name: 'everything, B=9',
    T: 6, B: 9, D: 5, H: 18, P: 11, lengths: [6, 2, 5, 1, 6, 3, 4, 6, 1], reverse: true,
    spec: { peephole: true, clip: 0.8, gateAct: 'hardSigmoid', cellAct: 'relu' },
  },
];

function rand(n: number, rng: Rng, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-scale, scale);
  return a;
}

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

/**
 * Assert |got − want| ≤ atol·max|want| + rtol·|want| elementwise; report the first 5 mismatches.
 * The worst error/tolerance ratio is recorded for every element, inside tolerance or not.
 */
export function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, dims: number[], labels: string[], stat: Stat, atol = 3e-6, rtol = 3e-5): void {
  assert.equal(got.length, want.length, `${name}: length`);
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const tol = atol * scale + rtol * Math.abs(want[i]);
    const err = Math.abs(got[i] - want[i]);
    const ratio = err / tol;
    stat.worst = Number.isNaN(ratio) ? Infinity : Math.max(stat.worst, ratio);
    if (!(err <= tol) && bad.length < 5) bad.push(`${decode(name, i, dims, labels)}: ref ${want[i]} native ${got[i]}`);
  }
  if (bad.length > 0) assert.fail(`${bad.length}+ mismatches (atol ${atol}·${scale.toPrecision(3)} + rtol ${rtol}·|ref|):\n  ${bad.join('\n  ')}`);
}

function weights(D: number, H: number, P: number, peep: boolean, rng: Rng): LstmWeights {
  const G = 4 * H;
  const s = 1 / Math.sqrt(H);
  const mk = (n: number) => rand(n, rng, s);
  return { wih: mk(G * D), whh: mk(G * P), bih: mk(G), bhh: mk(G), whr: P !== H ? mk(P * H) : null, peep: peep ? mk(3 * H) : null };
}

function runCase(k: NativeKernels, c: Case, stat: Stat, own: boolean): void {
  const { T, B, D, H } = c;
  const P = c.P ?? H;
  const spec: LstmCellSpec = { ...DEFAULT_CELL, ...c.spec };
  const rng = new Rng(1234 + T * 31 + H + B * 7);
  const w = weights(D, H, P, spec.peephole, rng);
  const run: LstmRun = { dims: { T, B, D, H, P }, spec, lengths: c.lengths ? Int32Array.from(c.lengths) : null, reverse: c.reverse ?? false };
  const x = rand(T * B * D, rng, 1.5);
  const h0 = rand(B * P, rng, 0.5);
  const c0 = rand(B * H, rng, 0.5);
  const projected = P !== H;
  const clipped = Number.isFinite(spec.clip);

  // the native side's cache and outputs in its own memory (alloc) for half the cases, ordinary arrays for the others
  const outs = (alloc: (n: number) => Float32Array) => {
    const y = alloc(T * B * P);
    y.set(rand(T * B * P, rng, 9)); // garbage: the kernels must overwrite (and zero past each length)
    return { y, hN: alloc(B * P), cN: alloc(B * H), cache: allocLstmCache(alloc, run.dims, projected, clipped), work: allocLstmBackWork(alloc, run.dims, projected) };
  };
  const plain = (n: number): Float32Array => new Float32Array(n);
  const R = outs(plain);
  const N = outs(own ? (n) => k.alloc(n, 'float32') as Float32Array : plain);
  ref.lstmForward(R.y, R.hN, R.cN, R.cache, x, h0, c0, w, run);
  k.lstmForward(N.y, N.hN, N.cN, N.cache, x, h0, c0, w, run);
  close('y', N.y, R.y, [T, B, P], ['t', 'b', 'j'], stat);
  close('hN', N.hN, R.hN, [B, P], ['b', 'j'], stat);
  close('cN', N.cN, R.cN, [B, H], ['b', 'j'], stat);

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
  const gN = clone(g0);
  const dx0 = rand(T * B * D, rng, 0.1);
  const dxR = dx0.slice();
  const dxN = dx0.slice();
  const dh0R = new Float32Array(B * P), dc0R = new Float32Array(B * H);
  const dh0N = rand(B * P, rng, 5), dc0N = rand(B * H, rng, 5); // overwritten
  ref.lstmBackward(gR, dxR, dh0R, dc0R, dy, dhN, dcN, R.cache, R.work, x, w, run);
  k.lstmBackward(gN, dxN, dh0N, dc0N, dy, dhN, dcN, N.cache, N.work, x, w, run);
  const G = 4 * H;
  close('dx', dxN, dxR, [T, B, D], ['t', 'b', 'd'], stat);
  close('dh0', dh0N, dh0R, [B, P], ['b', 'j'], stat);
  close('dc0', dc0N, dc0R, [B, H], ['b', 'j'], stat);
  close('dWih', gN.wih, gR.wih, [G, D], ['g', 'd'], stat);
  close('dWhh', gN.whh, gR.whh, [G, P], ['g', 'p'], stat);
  close('dbih', gN.bih, gR.bih, [G], ['g'], stat);
  close('dbhh', gN.bhh, gR.bhh, [G], ['g'], stat);
  if (projected) close('dWhr', gN.whr!, gR.whr!, [P, H], ['p', 'h'], stat);
  if (spec.peephole) close('dpeep', gN.peep!, gR.peep!, [3 * H], ['k'], stat);
}

const addon = loadNativeAddon();

describe('LSTM kernel parity: native vs ref', { skip: addon === null ? `no native addon here: ${nativeLoadError()}` : false }, () => {
  if (addon === null) return;
  for (const isa of addon.info().supported) {
    for (const threads of [1, 2]) {
      // two threads: thresholds at their minimum so every case takes a threaded path
      const k = createNativeKernels(addon, threads === 1 ? { isa, threads } : { isa, threads, minSplitH: 1, minParFlops: 0, adaptive: false });
      const stat: Stat = { worst: 0 };
      describe(`${isa}, ${threads} thread${threads > 1 ? 's' : ''}`, () => {
        cases.forEach((c, n) => test(c.name, () => runCase(k, c, stat, n % 2 === 0)));
        test('worst error as a fraction of the tolerance', () => {
          console.log(`  ${isa} ×${threads}: worst |native − ref| / tolerance over all cases = ${stat.worst.toFixed(3)}`);
          assert.ok(stat.worst <= 1, `worst ratio ${stat.worst}`);
          // (cases with H below one vector and small batches with projection run on one thread by design)
          if (threads > 1) assert.ok(k.threadedCalls >= 20, `threaded calls: ${k.threadedCalls}`);
          k.close();
        });
      });
    }
  }

  test('float64 arrays run the reference kernel (bit-identical)', () => {
    const k = createNativeKernels(addon);
    const T = 3, B = 2, D = 2, H = 3, P = 3;
    const rng = new Rng(5);
    const run: LstmRun = { dims: { T, B, D, H, P }, spec: { ...DEFAULT_CELL }, lengths: null, reverse: false };
    const w32 = weights(D, H, P, false, rng);
    const w: LstmWeights = { wih: Float64Array.from(w32.wih), whh: Float64Array.from(w32.whh), bih: Float64Array.from(w32.bih), bhh: Float64Array.from(w32.bhh), whr: null, peep: null };
    const x = Float64Array.from(rand(T * B * D, rng, 1));
    const h0 = new Float64Array(B * P), c0 = new Float64Array(B * H);
    const f64 = (n: number): Float64Array => new Float64Array(n);
    const a = { y: f64(T * B * P), hN: f64(B * P), cN: f64(B * H), cache: allocLstmCache((n) => k.alloc(n, 'float64'), run.dims, false, false) };
    const b = { y: f64(T * B * P), hN: f64(B * P), cN: f64(B * H), cache: allocLstmCache(f64, run.dims, false, false) };
    assert.ok(a.cache.gates instanceof Float64Array);
    k.lstmForward(a.y, a.hN, a.cN, a.cache, x, h0, c0, w, run);
    ref.lstmForward(b.y, b.hN, b.cN, b.cache, x, h0, c0, w, run);
    assert.deepEqual([...a.y], [...b.y]);
    k.close();
  });
});
