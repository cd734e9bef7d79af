// Kernel parity: ONE table of cases for every operation of the `Kernels` interface, run against
// every kernel family this machine has — every registered family (src/kernels/node.ts
// loadKernels: the reference in float32, the WebAssembly family, and the native family once its
// loader registers it there) plus the WebAssembly builds and memories the loader does not pick
// (plain and relaxed SIMD, private memory) and a threaded family that splits every call. Each
// case's inputs are float32 values; the truth is the reference family in float64 on the same
// values, so the float32 reference is tested too. Tolerance: atol·max|truth| + rtol·|truth| per
// element; the optimizer updates and CTC must match the float32 reference bit for bit (their
// arithmetic is float64 by contract). Half the cases pass arrays from the family's own memory
// (used in place), half ordinary arrays (copied in and out). A failure names the family, the case,
// and the first mismatches with decoded indices; the worst error over each family (every element,
// failures included) is printed and must stay within the tolerance.
//
// Covers: gemm (every transpose, overwrite and accumulate, shapes crossing the cache blocks);
// LSTM forward and backward (H = 1, 5, 67; batch 1; T = 1, 200; lengths; reverse; projection;
// peepholes; coupled gates; each Greff variant; clip; other gate activations); dense forward and
// backward for each activation, with and without bias and dx; the activations alone (in place and
// not); layer norm with and without affine; CTC (log-softmax, forward, backward); SGD, Adam,
// AdamW, AMSGrad and RMSprop updates over three steps; alloc/owns/free.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadKernels } from '../../src/kernels/node.js';
import { refKernels } from '../../src/kernels/index.js';
import { allocLstmBackWork, allocLstmCache } from '../../src/kernels/lstm-buffers.js';
import { createWasmKernelsThreaded } from '../../src/kernels/wasm/threads-node.js';
import { DEFAULT_CELL, DENSE_ACTIVATIONS, type AdamStep, type Kernels, type LstmCellSpec, type LstmRun, type LstmWeights, type RmspropStep, type SgdStep } from '../../src/kernels/types.js';
import type { Arr } from '../../src/tensor.js';
import { extendTarget } from '../../src/kernels/ref/ctc.js';
import { Rng } from '../../src/util/rng.js';
import { label, wasmVariants } from './wasm-variants.js';
import { close, newStat, type Stat } from './close.js';

// ------------------------------------------------------------------------------------- families

const threaded = createWasmKernelsThreaded({ threads: 2, minFlops: 1, minHidden: 1 });
after(() => threaded?.close());

interface Family {
  label: string;
  k: Kernels;
}

const families: Family[] = [];
for (const k of loadKernels()) families.push({ label: k === refKernels ? 'ref (float32)' : `${k.name} (${k.detail})`, k });
for (const k of wasmVariants()) if (!families.some((f) => f.k.name === 'wasm' && f.k.detail === k.detail)) families.push({ label: `wasm (${label(k)})`, k });
if (threaded !== null) families.push({ label: `wasm (${threaded.detail}, every call split)`, k: threaded });

// ------------------------------------------------------------------------------------- inputs

const F64 = (n: number) => new Float64Array(n);

/** n float32-representable values in [−scale, scale], as float64. */
function rand(n: number, rng: Rng, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.fround(rng.uniform(-scale, scale));
  return a;
}

/** A float32 copy of v for family k: in its own memory (used in place) or an ordinary array. */
function f32(k: Kernels, v: ArrayLike<number> | null, own: boolean): Float32Array | null {
  if (v === null) return null;
  const a = own ? (k.alloc(v.length, 'float32') as Float32Array) : new Float32Array(v.length);
  a.set(v);
  return a;
}

// ------------------------------------------------------------------------------------- cases

interface Case {
  op: string;
  name: string;
  /** Run the case on family k (float32; `own`: arrays from its memory) and compare with the truth. */
  run(k: Kernels, own: boolean, stat: Stat): void;
}

const cases: Case[] = [];

// ---- layout
for (const [A, B, F] of [[1, 1, 1], [3, 5, 7], [50, 32, 32], [4, 9, 16], [2, 3, 0]] as const) {
  cases.push({
    op: 'swapAxes',
    name: `(${A}, ${B}, ${F}) → (${B}, ${A}, ${F})`,
    run(k, own, stat) {
      const src = rand(A * B * F, new Rng(A * 100 + B * 10 + F));
      const want = F64(A * B * F);
      for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) want[(b * A + a) * F + f] = src[(a * B + b) * F + f];
      const got = f32(k, F64(A * B * F), own)!;
      k.swapAxes(got, f32(k, src, !own)!, A, B, F);
      close('dst', got, want, stat, { exact: true });
    },
  });
}

// ---- gemm
for (const [M, N, K] of [[1, 1, 1], [5, 7, 3], [67, 130, 33], [1, 37, 19], [3, 9, 300], [70, 300, 260]] as const) {
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      cases.push({
        op: 'gemm',
        name: `${M}×${N}×${K}${tA ? ' Aᵀ' : ''}${tB ? ' Bᵀ' : ''}`,
        run(k, own, stat) {
          const rng = new Rng(M * 1000 + N * 10 + K + (tA ? 7 : 0) + (tB ? 13 : 0));
          const A = rand(M * K, rng);
          const B = rand(K * N, rng);
          const C0 = rand(M * N, rng);
          for (const acc of [false, true]) {
            const want = C0.slice();
            refKernels.gemm(want, A, B, M, N, K, tA, tB, acc);
            const got = f32(k, C0, own)!;
            k.gemm(got, f32(k, A, own)!, f32(k, B, !own)!, M, N, K, tA, tB, acc);
            close(acc ? 'C (accumulated)' : 'C', got, want, stat, { atol: 1e-5, rtol: 1e-4, dims: [M, N], labels: ['i', 'j'] });
          }
        },
      });
    }
  }
}

// ---- LSTM
interface LstmCase {
  name: string;
  T: number;
  B: number;
  D: number;
  H: number;
  P?: number;
  lengths?: number[];
  reverse?: boolean;
  spec?: Partial<LstmCellSpec>;
  finalGrads?: boolean;
}

const lstmCases: LstmCase[] = [
  { name: 'H=1', T: 3, B: 2, D: 2, H: 1 },
  { name: 'H=5', T: 4, B: 3, D: 3, H: 5 },
  { name: 'H=67', T: 5, B: 4, D: 9, H: 67 },
  { name: 'B=1', T: 7, B: 1, D: 4, H: 8 },
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
  { name: 'batch 9, peepholes, lengths (rows split between threads)', T: 6, B: 9, D: 3, H: 12, lengths: [6, 2, 5, 1, 6, 3, 4, 6, 2], spec: { peephole: true } },
  {
    name: 'everything: peepholes, clip, projection, lengths, reverse, hardSigmoid',
    T: 6, B: 4, D: 5, H: 10, P: 3, lengths: [6, 2, 5, 1], reverse: true,
    spec: { peephole: true, clip: 0.8, gateAct: 'hardSigmoid' },
  },
];

for (const c of lstmCases) {
  cases.push({
    op: 'lstm',
    name: c.name,
    run(k, own, stat) {
      const { T, B, D, H } = c;
      const P = c.P ?? H;
      const G = 4 * H;
      const spec: LstmCellSpec = { ...DEFAULT_CELL, ...c.spec };
      const rng = new Rng(1234 + T * 31 + H + B);
      const s = 1 / Math.sqrt(H);
      const weights = (): LstmWeights => ({
        wih: rand(G * D, rng, s), whh: rand(G * P, rng, s), bih: rand(G, rng, s), bhh: rand(G, rng, s),
        whr: P !== H ? rand(P * H, rng, s) : null, peep: spec.peephole ? rand(3 * H, rng, s) : null,
      });
      const w = weights();
      const run: LstmRun = { dims: { T, B, D, H, P }, spec, lengths: c.lengths ? Int32Array.from(c.lengths) : null, reverse: c.reverse ?? false };
      const x = rand(T * B * D, rng, 1.5);
      const h0 = rand(B * P, rng, 0.5);
      const c0 = rand(B * H, rng, 0.5);
      const dy = rand(T * B * P, rng);
      const final = c.finalGrads ?? true;
      const dhN = final ? rand(B * P, rng) : null;
      const dcN = final ? rand(B * H, rng) : null;
      const g0 = weights(); // gradients are ADDED into: start from nonzero values
      const dx0 = rand(T * B * D, rng, 0.1);
      const projected = P !== H;
      const clipped = Number.isFinite(spec.clip);

      // truth: the reference in float64
      const R = { y: F64(T * B * P), hN: F64(B * P), cN: F64(B * H), cache: allocLstmCache(F64, run.dims, projected, clipped), work: allocLstmBackWork(F64, run.dims, projected) };
      refKernels.lstmForward(R.y, R.hN, R.cN, R.cache, x, h0, c0, w, run);
      const gR: LstmWeights = { wih: g0.wih.slice(), whh: g0.whh.slice(), bih: g0.bih.slice(), bhh: g0.bhh.slice(), whr: g0.whr && g0.whr.slice(), peep: g0.peep && g0.peep.slice() };
      const dxR = dx0.slice();
      const dh0R = F64(B * P);
      const dc0R = F64(B * H);
      refKernels.lstmBackward(gR, dxR, dh0R, dc0R, dy, dhN, dcN, R.cache, R.work, x, w, run);

      // the family in float32
      const a = (v: ArrayLike<number> | null): Arr | null => f32(k, v, own);
      const alloc = (n: number) => (own ? k.alloc(n, 'float32') : new Float32Array(n));
      const w32: LstmWeights = { wih: a(w.wih)!, whh: a(w.whh)!, bih: a(w.bih)!, bhh: a(w.bhh)!, whr: a(w.whr), peep: a(w.peep) };
      const Y = { y: alloc(T * B * P), hN: alloc(B * P), cN: alloc(B * H), cache: allocLstmCache(alloc, run.dims, projected, clipped), work: allocLstmBackWork(alloc, run.dims, projected) };
      const x32 = a(x)!;
      k.lstmForward(Y.y, Y.hN, Y.cN, Y.cache, x32, a(h0)!, a(c0)!, w32, run);
      const tol = { atol: 4e-6, rtol: 4e-5 };
      close('y', Y.y, R.y, stat, { ...tol, dims: [T, B, P], labels: ['t', 'b', 'j'] });
      close('hN', Y.hN, R.hN, stat, { ...tol, dims: [B, P], labels: ['b', 'j'] });
      close('cN', Y.cN, R.cN, stat, { ...tol, dims: [B, H], labels: ['b', 'j'] });
      const gW: LstmWeights = { wih: a(g0.wih)!, whh: a(g0.whh)!, bih: a(g0.bih)!, bhh: a(g0.bhh)!, whr: a(g0.whr), peep: a(g0.peep) };
      const dxW = a(dx0)!;
      const dh0W = alloc(B * P);
      const dc0W = alloc(B * H);
      k.lstmBackward(gW, dxW, dh0W, dc0W, a(dy)!, a(dhN), a(dcN), Y.cache, Y.work, x32, w32, run);
      close('dx', dxW, dxR, stat, { ...tol, dims: [T, B, D], labels: ['t', 'b', 'd'] });
      close('dh0', dh0W, dh0R, stat, { ...tol, dims: [B, P], labels: ['b', 'j'] });
      close('dc0', dc0W, dc0R, stat, { ...tol, dims: [B, H], labels: ['b', 'j'] });
      close('dWih', gW.wih, gR.wih, stat, { ...tol, dims: [G, D], labels: ['g', 'd'] });
      close('dWhh', gW.whh, gR.whh, stat, { ...tol, dims: [G, P], labels: ['g', 'p'] });
      close('dbih', gW.bih, gR.bih, stat, tol);
      close('dbhh', gW.bhh, gR.bhh, stat, tol);
      if (projected) close('dWhr', gW.whr!, gR.whr!, stat, { ...tol, dims: [P, H], labels: ['p', 'h'] });
      if (spec.peephole) close('dpeep', gW.peep!, gR.peep!, stat, { ...tol, dims: [3, H], labels: ['gate', 'j'] });
    },
  });
}

// ---- dense and activations
for (const act of DENSE_ACTIVATIONS) {
  for (const [M, I, O, bias, dx] of [[7, 20, 9, true, true], [1, 3, 1, false, true], [5, 6, 4, true, false]] as const) {
    cases.push({
      op: 'dense',
      name: `${act}, M=${M} I=${I} O=${O}${bias ? '' : ', no bias'}${dx ? '' : ', no dx'}`,
      run(k, own, stat) {
        const rng = new Rng(M * 100 + I * 10 + O + act.length);
        const x = rand(M * I, rng);
        const W = rand(O * I, rng, 1 / Math.sqrt(I));
        const b = bias ? rand(O, rng, 0.5) : null;
        const dy = rand(M * O, rng);
        const dW0 = rand(O * I, rng, 0.1);
        const db0 = bias ? rand(O, rng, 0.1) : null;
        const dx0 = dx ? rand(M * I, rng, 0.1) : null;
        const yR = F64(M * O);
        refKernels.denseForward(yR, x, W, b, M, I, O, act);
        const dWR = dW0.slice();
        const dbR = db0 && db0.slice();
        const dxR = dx0 && dx0.slice();
        refKernels.denseBackward(dxR, dWR, dbR, F64(M * O), dy, x, W, yR, M, I, O, act);
        const a = (v: ArrayLike<number> | null) => f32(k, v, own);
        const y = own ? (k.alloc(M * O, 'float32') as Float32Array) : new Float32Array(M * O);
        const x32 = a(x)!;
        const W32 = a(W)!;
        k.denseForward(y, x32, W32, a(b), M, I, O, act);
        close('y', y, yR, stat, { atol: 2e-6, rtol: 2e-5, dims: [M, O], labels: ['m', 'o'] });
        const dW = a(dW0)!;
        const db = a(db0);
        const dxW = a(dx0);
        k.denseBackward(dxW, dW, db, new Float32Array(M * O), a(dy)!, x32, W32, a(yR)!, M, I, O, act);
        close('dW', dW, dWR, stat, { atol: 4e-6, rtol: 4e-5, dims: [O, I], labels: ['o', 'i'] });
        if (db !== null) close('db', db, dbR!, stat, { atol: 4e-6, rtol: 4e-5 });
        if (dxW !== null) close('dx', dxW, dxR!, stat, { atol: 4e-6, rtol: 4e-5, dims: [M, I], labels: ['m', 'i'] });
      },
    });
  }
  for (const [rows, cols] of [[4, 7], [1, 1], [3, 33]] as const) {
    for (const inPlace of [false, true]) {
      cases.push({
        op: 'activation',
        name: `${act}, ${rows}×${cols}${inPlace ? ', in place' : ''}`,
        run(k, own, stat) {
          const rng = new Rng(rows * 10 + cols + act.length);
          const x = rand(rows * cols, rng, 4);
          x[0] = Math.fround(-30); // saturated values too
          if (x.length > 2) x[2] = Math.fround(30);
          const yR = F64(rows * cols);
          refKernels.activationForward(yR, x, rows, cols, act);
          const x32 = f32(k, x, own)!;
          const y = inPlace ? x32 : new Float32Array(rows * cols);
          k.activationForward(y, x32, rows, cols, act);
          close('y', y, yR, stat, { atol: 2e-6, rtol: 2e-5, dims: [rows, cols], labels: ['r', 'c'] });
          const dy = rand(rows * cols, rng);
          const dx0 = rand(rows * cols, rng, 0.1);
          const dxR = dx0.slice();
          refKernels.activationBackward(dxR, dy, yR, rows, cols, act);
          const dx = f32(k, dx0, own)!;
          k.activationBackward(dx, f32(k, dy, !own)!, f32(k, yR, own)!, rows, cols, act);
          close('dx', dx, dxR, stat, { atol: 2e-6, rtol: 2e-5, dims: [rows, cols], labels: ['r', 'c'] });
        },
      });
    }
  }
}

// ---- layer norm
for (const [M, C, affine] of [[5, 1, true], [3, 8, true], [4, 37, false], [2, 64, true]] as const) {
  cases.push({
    op: 'layerNorm',
    name: `M=${M} C=${C}${affine ? '' : ', no affine'}`,
    run(k, own, stat) {
      const rng = new Rng(M * 100 + C);
      const x = rand(M * C, rng, 3);
      const w = affine ? rand(C, rng) : null;
      const b = affine ? rand(C, rng) : null;
      const yR = F64(M * C);
      const meanR = F64(M);
      const rstdR = F64(M);
      refKernels.layerNormForward(yR, meanR, rstdR, x, w, b, M, C, 1e-5);
      const a = (v: ArrayLike<number> | null) => f32(k, v, own);
      const y = new Float32Array(M * C);
      const mean = own ? (k.alloc(M, 'float32') as Float32Array) : new Float32Array(M);
      const rstd = own ? (k.alloc(M, 'float32') as Float32Array) : new Float32Array(M);
      const x32 = a(x)!;
      k.layerNormForward(y, mean, rstd, x32, a(w), a(b), M, C, 1e-5);
      close('y', y, yR, stat, { atol: 4e-6, rtol: 4e-5, dims: [M, C], labels: ['m', 'c'] });
      const dy = rand(M * C, rng);
      const dx0 = rand(M * C, rng, 0.1);
      const dw0 = affine ? rand(C, rng, 0.1) : null;
      const db0 = affine ? rand(C, rng, 0.1) : null;
      const dxR = dx0.slice();
      const dwR = dw0 && dw0.slice();
      const dbR = db0 && db0.slice();
      refKernels.layerNormBackward(dxR, dwR, dbR, dy, x, meanR, rstdR, w, M, C);
      const dx = a(dx0)!;
      const dw = a(dw0);
      const db = a(db0);
      k.layerNormBackward(dx, dw, db, a(dy)!, x32, mean, rstd, a(w), M, C);
      close('dx', dx, dxR, stat, { atol: 2e-5, rtol: 2e-4, dims: [M, C], labels: ['m', 'c'] });
      if (affine) {
        close('dw', dw!, dwR!, stat, { atol: 4e-6, rtol: 4e-5 });
        close('db', db!, dbR!, stat, { atol: 4e-6, rtol: 4e-5 });
      }
    },
  });
}

// ---- CTC: float64 arithmetic by contract, so bit for bit the float32 reference's
cases.push({
  op: 'ctc',
  name: 'log-softmax, forward and backward of two targets (repeated labels)',
  run(k, _own, stat) {
    const T = 7;
    const C = 4;
    const rng = new Rng(77);
    const x32 = Float32Array.from(rand(T * C, rng, 3));
    for (const labels of [[1, 2, 2], [3]]) {
      const S = 2 * labels.length + 1;
      const ext = new Int32Array(S);
      extendTarget(ext, labels, 0, labels.length, 0);
      const lpR = F64(T * C);
      const lp = F64(T * C);
      refKernels.ctcLogSoftmax(lpR, x32, 0, C, T, C);
      k.ctcLogSoftmax(lp, x32, 0, C, T, C);
      close('logProbs', lp, lpR, stat, { exact: true });
      const alphaR = F64(T * S);
      const alpha = F64(T * S);
      const llR = refKernels.ctcForward(alphaR, lpR, ext, T, C, S);
      const ll = k.ctcForward(alpha, lp, ext, T, C, S);
      assert.ok(Object.is(ll, llR), `log-likelihood ${ll} vs ${llR}`);
      const gR = new Float32Array(T * C);
      const g = new Float32Array(T * C);
      refKernels.ctcBackward(gR, 0, C, 0.5, F64(T * S), F64(C), alphaR, lpR, ext, llR, T, C, S);
      k.ctcBackward(g, 0, C, 0.5, F64(T * S), F64(C), alpha, lp, ext, ll, T, C, S);
      close('dlogits', g, gR, stat, { exact: true });
    }
  },
});

// ---- optimizer updates: float64 arithmetic rounded once by contract, so bit for bit the float32 reference's
type Update = { name: string; slots: number; step(k: Kernels, p: Arr, g: Arr, s: (Arr | null)[], t: number): void };
const sgd = (o: Partial<SgdStep>): Update['step'] => (k, p, g, s, t) =>
  k.sgdUpdate(p, g, s[0], p.length, { lr: 0.05, weightDecay: 0, momentum: 0, damp1: 1, nesterov: false, ...o, first: t === 1 });
const adam = (o: { wd?: number; decoupled?: boolean; lr?: number }): Update['step'] => (k, p, g, s, t) => {
  const lr = o.lr ?? 0.01;
  const wd = o.wd ?? 0;
  const st: AdamStep = { stepSize: lr / (1 - 0.9 ** t), bc2Sqrt: Math.sqrt(1 - 0.999 ** t), beta1: 0.9, beta2: 0.999, eps: 1e-8, decay: o.decoupled && wd ? 1 - lr * wd : 1, l2: o.decoupled ? 0 : wd };
  k.adamUpdate(p, g, s[0]!, s[1]!, s[2], p.length, st);
};
const rms = (o: Partial<RmspropStep>): Update['step'] => (k, p, g, s) =>
  k.rmspropUpdate(p, g, s[0]!, s[1], s[2], p.length, { lr: 0.01, alpha: 0.99, eps: 1e-8, momentum: 0, weightDecay: 0, ...o });
const updates: Update[] = [
  { name: 'SGD', slots: 0, step: sgd({}) },
  { name: 'SGD momentum, weight decay', slots: 1, step: (k, p, g, s, t) => sgd({ momentum: 0.9, weightDecay: 1e-3 })(k, p, g, [s[0]], t) },
  { name: 'SGD Nesterov', slots: 1, step: (k, p, g, s, t) => sgd({ momentum: 0.8, nesterov: true })(k, p, g, [s[0]], t) },
  { name: 'SGD dampening', slots: 1, step: (k, p, g, s, t) => sgd({ momentum: 0.8, damp1: 0.7 })(k, p, g, [s[0]], t) },
  { name: 'Adam', slots: 2, step: (k, p, g, s, t) => adam({})(k, p, g, [s[0], s[1], null], t) },
  { name: 'Adam L2, AMSGrad', slots: 3, step: adam({ wd: 1e-2 }) },
  { name: 'AdamW', slots: 2, step: (k, p, g, s, t) => adam({ wd: 0.05, decoupled: true })(k, p, g, [s[0], s[1], null], t) },
  { name: 'RMSprop', slots: 1, step: (k, p, g, s, t) => rms({})(k, p, g, [s[0], null, null], t) },
  { name: 'RMSprop centered, momentum, weight decay', slots: 3, step: rms({ momentum: 0.5, weightDecay: 1e-3 }) },
];
for (const u of updates) {
  cases.push({
    op: 'optimizer',
    name: `${u.name}, three steps`,
    run(k, own, stat) {
      const n = 37;
      const rng = new Rng(n + u.name.length);
      const p0 = rand(n, rng);
      const grads = [rand(n, rng), rand(n, rng, 0.01), rand(n, rng, 3)];
      const refP = Float32Array.from(p0);
      const refS = Array.from({ length: 3 }, (_, i) => (i < u.slots ? new Float32Array(n) : null));
      const p = f32(k, p0, own)!;
      const slots = Array.from({ length: 3 }, (_, i) => (i < u.slots ? (own ? (k.alloc(n, 'float32') as Float32Array) : new Float32Array(n)) : null));
      grads.forEach((g, t) => {
        u.step(refKernels, refP, Float32Array.from(g), refS, t + 1);
        u.step(k, p, f32(k, g, !own)!, slots, t + 1);
      });
      close('p', p, refP, stat, { exact: true });
      slots.forEach((s, i) => s !== null && close(`slot ${i}`, s, refS[i]!, stat, { exact: true }));
    },
  });
}

// ------------------------------------------------------------------------------------- the runs

describe('kernel parity: every operation, every family', () => {
  test('the table runs against every registered family (ref and wasm at least)', () => {
    const names = new Set(families.map((f) => f.k.name));
    assert.ok(names.has('ref') && names.has('wasm'), `families: ${families.map((f) => f.label).join('; ')}`);
  });

  for (const f of families) {
    describe(f.label, () => {
      const stat = newStat();
      cases.forEach((c, n) => {
        test(`${c.op}: ${c.name}`, () => c.run(f.k, n % 2 === 0, stat));
      });
      test('worst error over every element compared, as a fraction of its tolerance', () => {
        console.log(`  ${f.label}: worst |got − truth| / tolerance = ${stat.worst.toFixed(3)} (${stat.at})`);
        assert.ok(stat.worst <= 1, `worst ${stat.worst} at ${stat.at}`);
      });
      test('memory: alloc() gives zeroed arrays of the length asked (float64: Float64Array); free() and owns() behave', () => {
        const a = f.k.alloc(10, 'float32');
        assert.ok(a instanceof Float32Array && a.length === 10 && a.every((v) => v === 0));
        const d = f.k.alloc(3, 'float64');
        assert.ok(d instanceof Float64Array && d.length === 3);
        assert.equal(f.k.owns(new Float32Array(4)), false, 'an ordinary array is not in kernel memory');
        assert.equal(f.k.owns(d), false, 'float64 arrays are ordinary arrays');
        f.k.free(a);
        f.k.free(new Float32Array(2)); // ignored
      });
    });
  }

  test('the statistic counts failures: a wrong element makes close() throw and the worst ratio exceed 1', () => {
    const stat = newStat();
    assert.throws(() => close('v', [1, 2, 3.5], [1, 2, 3], stat), /v: 1 mismatch/);
    assert.ok(stat.worst > 1, `worst ${stat.worst}`);
    const nan = newStat();
    assert.throws(() => close('v', [NaN], [1], nan));
    assert.equal(nan.worst, Infinity);
  });
});
