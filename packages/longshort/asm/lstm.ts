// WebAssembly LSTM kernel: one direction of one layer over a whole padded sequence batch,
// forward and backward through time, each in ONE call from TypeScript. Same arithmetic and
// buffer contract as src/kernels/ref/lstm.ts (which defines correct behaviour; read its header
// for the equations); pointers are byte offsets into this module's memory, 0 meaning "null".
// It leaves out input checking and float64 (the TypeScript side sends float64 to ref).
//
// dim key: T time, B batch, D input features, H cell size, P cell output size (projSize or H),
//          G = 4H gates in PyTorch order i, f, g, o. Buffers are time-major, indexed by time t.
//
// The cell math is written once per direction (cellForward, cellBackward) and compiled twice
// each, by inlining: with `classic` true — σ gates, tanh cell and hidden activations, all gates,
// no peepholes, no clip, what nearly every model runs — the activations are called directly and
// every option branch folds away; with `classic` false the same lines serve every variant.
//
// Threads: lstmForward and lstmBackward run on nth threads at once over the same shared memory
// (thread tid; src/kernels/wasm/ starts them). Each pass is a few phases of independent items
// taken from work queues (asm/split.ts): blocks of rows of the matrix products before and after
// the time loop, groups of packed weight panels, and chunks of batch rows that go through every
// time step — rows are independent sequences, so the time loop needs no synchronisation. Every
// element is computed by the same code in the same order whatever nth is, so results do not
// depend on the number of threads. Batch 1 has no rows to share; lstmForwardCols splits its
// hidden units instead, with a barrier after every step.
//
// Speed: x·Wihᵀ for all steps is one blocked gemm; Whhᵀ (and Whrᵀ) are packed once per call so
// each step's h·Whhᵀ runs straight off prepacked panels (batch 1: matrix–vector products straight
// off the weights); the gate arithmetic is 4-lane SIMD with the biases folded in.

import { gemm, gemmPackedB, matvec, matvecT, packBCols, packedBBytes } from './gemm';
import { act4, dact4, sigmoid4, tanh4 } from './activations';
import { ldN, madd, stN } from './simd';
import { arrive, cut, itemDone, queueAt, take, waitAll } from './split';

/** Rows of a block of a matrix product taken as one work item (a multiple of 4). */
const ROWS: i32 = 128;
/** Columns of a group of packed weight panels taken as one work item (a multiple of 8). */
const COLS: i32 = 128;

/**
 * Batch rows per chunk of the time loop: all of them on one thread (one product per step for the
 * whole batch); with more threads, chunks of at least 8 rows, about two per thread, so a thread
 * that starts late leaves its chunks to the others without many re-reads of the packed weights.
 */
// @ts-ignore: decorator
@inline function rowChunk(B: i32, nth: i32): i32 {
  if (nth <= 1) return B;
  return max(8, ((B + 2 * nth - 1) / (2 * nth) + 3) & ~3);
}

// bits of `flags`
const IN_GATE = 1;
const FORGET_GATE = 2;
const OUT_GATE = 4;
const COUPLED = 8;
const ALL_GATES = IN_GATE | FORGET_GATE | OUT_GATE;

/** Time index that row b processes at step s, or −1 when the row has already ended. */
// @ts-ignore: decorator
@inline function timeAt(lengths: usize, T: i32, reverse: bool, b: i32, s: i32): i32 {
  const len = lengths == 0 ? T : load<i32>(lengths + (<usize>b << 2));
  if (s >= len) return -1;
  return reverse ? len - 1 - s : s;
}

/** Byte offset of float i. */
// @ts-ignore: decorator
@inline function f4(i: i32): usize {
  return <usize>i << 2;
}

// @ts-ignore: decorator
@inline function clamp4(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.min(f32x4.max(v, lo), hi); // wasm min/max propagate NaN, as the reference's comparisons do
}

/** Lanes where the pre-activation v was inside [lo, hi] (the clamp passes the gradient there). */
// @ts-ignore: decorator
@inline function inside4(v: v128, lo: v128, hi: v128): v128 {
  return v128.and(f32x4.le(v, hi), f32x4.ge(v, lo));
}

/** The classic cell (see the header); backward is called with clip = Infinity when forward saved no pre-activations. */
// @ts-ignore: decorator
@inline function isClassic(gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32, peep: usize, clip: f32): bool {
  return gateAct == 0 && cellAct == 1 && hiddenAct == 1 && flags == ALL_GATES && peep == 0 && clip == Infinity;
}

// ------------------------------------------------------------------------------------- the cell

/**
 * Forward gate arithmetic of one row at one step, units [0, J) of pointers already offset to the
 * first unit (H is the stride between gate blocks). z: gates[t,b,:] (in: x·Wihᵀ; out: i, f, g, o),
 * zp: pre[t,b,:] (out, when clip is finite), rc: rec[b,:] = h_{t−1}·Whhᵀ, bsum: b_ih + b_hh,
 * cs: cState[b,:] (in c_{t−1}, out c_t), cRow: c[t,b,:] (out), hDst: h = o ⊙ ψ(c) (out), rDst:
 * a second copy of h when not 0 (the projection input r), peep: peephole weights or 0.
 */
// @ts-ignore: decorator
@inline function cellForward(
  classic: bool, z: usize, zp: usize, rc: usize, bsum: usize, cs: usize, cRow: usize, hDst: usize, rDst: usize, H: i32, J: i32,
  peep: usize, clip: f32, gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32,
): void {
  const clipped = !classic && clip != Infinity;
  const inGate = classic || (flags & IN_GATE) != 0;
  const forgetGate = classic || (flags & FORGET_GATE) != 0;
  const outGate = classic || (flags & OUT_GATE) != 0;
  const coupled = !classic && (flags & COUPLED) != 0;
  const hasPeep = !classic && peep != 0;
  const one = f32x4.splat(1);
  const lo = f32x4.splat(-clip);
  const hi = f32x4.splat(clip);
  for (let j = 0; j < J; j += 4) {
    const n = min(4, J - j);
    const o0 = f4(j);
    const o1 = f4(H + j);
    const o2 = f4(2 * H + j);
    const o3 = f4(3 * H + j);
    const cp = ldN(cs + o0, n);
    let zi = f32x4.add(f32x4.add(ldN(z + o0, n), ldN(rc + o0, n)), ldN(bsum + o0, n));
    let zf = f32x4.add(f32x4.add(ldN(z + o1, n), ldN(rc + o1, n)), ldN(bsum + o1, n));
    let zg = f32x4.add(f32x4.add(ldN(z + o2, n), ldN(rc + o2, n)), ldN(bsum + o2, n));
    let zo = f32x4.add(f32x4.add(ldN(z + o3, n), ldN(rc + o3, n)), ldN(bsum + o3, n));
    if (hasPeep) {
      // forward: zi += p_i ⊙ c_{t−1},  zf += p_f ⊙ c_{t−1}
      zi = madd(ldN(peep + o0, n), cp, zi);
      zf = madd(ldN(peep + o1, n), cp, zf);
    }
    if (clipped) {
      stN(zp + o0, zi, n);
      stN(zp + o1, zf, n);
      stN(zp + o2, zg, n);
      zi = clamp4(zi, lo, hi);
      zf = clamp4(zf, lo, hi);
      zg = clamp4(zg, lo, hi);
    }
    const i = classic ? sigmoid4(zi) : inGate ? act4(gateAct, zi) : one;
    const f = classic ? sigmoid4(zf) : coupled ? f32x4.sub(one, i) : forgetGate ? act4(gateAct, zf) : one;
    const g = classic ? tanh4(zg) : act4(cellAct, zg);
    // c_t = f ⊙ c_{t−1} + i ⊙ g
    const ct = f32x4.add(f32x4.mul(f, cp), f32x4.mul(i, g));
    if (hasPeep) zo = madd(ldN(peep + o2, n), ct, zo); // forward: zo += p_o ⊙ c_t
    if (clipped) {
      stN(zp + o3, zo, n);
      zo = clamp4(zo, lo, hi);
    }
    const o = classic ? sigmoid4(zo) : outGate ? act4(gateAct, zo) : one;
    // h_t = o ⊙ ψ(c_t)
    const h = f32x4.mul(o, classic ? tanh4(ct) : act4(hiddenAct, ct));
    stN(z + o0, i, n);
    stN(z + o1, f, n);
    stN(z + o2, g, n);
    stN(z + o3, o, n);
    stN(cRow + o0, ct, n);
    stN(cs + o0, ct, n);
    stN(hDst + o0, h, n);
    if (rDst != 0) stN(rDst + o0, h, n);
  }
}

function fwdRowClassic(z: usize, rc: usize, bsum: usize, cs: usize, cRow: usize, hDst: usize, rDst: usize, H: i32, J: i32): void {
  cellForward(true, z, 0, rc, bsum, cs, cRow, hDst, rDst, H, J, 0, Infinity, 0, 1, 1, ALL_GATES);
}

function fwdRowGeneric(
  z: usize, zp: usize, rc: usize, bsum: usize, cs: usize, cRow: usize, hDst: usize, rDst: usize, H: i32, J: i32,
  peep: usize, clip: f32, gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32,
): void {
  cellForward(false, z, zp, rc, bsum, cs, cRow, hDst, rDst, H, J, peep, clip, gateAct, cellAct, hiddenAct, flags);
}

/**
 * Backward gate arithmetic of one row at one step. z: gates[t,b,:] (i, f, g, o) — overwritten
 * with dZ = dLoss/d(pre-activations), zp: pre[t,b,:] or 0 (no clip), cPrev, cRow: c_{t−1} and
 * c_t (H; ψ(c_t) is recomputed, not saved), drs: dL/dr = dL/d(o ⊙ ψ(c)) of the row (H), dcs:
 * dcState[b,:] (in dc_t, out dc_{t−1}), zs: dzStep[b,:] (out, a copy of dZ for the recurrent
 * product), peep: peephole weights or 0 (their gradients are summed after the time loop).
 */
// @ts-ignore: decorator
@inline function cellBackward(
  classic: bool, z: usize, zp: usize, cPrev: usize, cRow: usize, drs: usize, dcs: usize, zs: usize, H: i32,
  peep: usize, clip: f32, gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32,
): void {
  const clipped = !classic && zp != 0;
  const inGate = classic || (flags & IN_GATE) != 0;
  const forgetGate = classic || (flags & FORGET_GATE) != 0;
  const outGate = classic || (flags & OUT_GATE) != 0;
  const coupled = !classic && (flags & COUPLED) != 0;
  const hasPeep = !classic && peep != 0;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  const lo = f32x4.splat(-clip);
  const hi = f32x4.splat(clip);
  for (let j = 0; j < H; j += 4) {
    const n = min(4, H - j);
    const o0 = f4(j);
    const o1 = f4(H + j);
    const o2 = f4(2 * H + j);
    const o3 = f4(3 * H + j);
    const i = ldN(z + o0, n);
    const f = ldN(z + o1, n);
    const gg = ldN(z + o2, n);
    const o = ldN(z + o3, n);
    const cp = ldN(cPrev + o0, n);
    const a = classic ? tanh4(ldN(cRow + o0, n)) : act4(hiddenAct, ldN(cRow + o0, n)); // ψ(c_t), recomputed
    const dr = ldN(drs + o0, n);
    // forward: r = o ⊙ ψ(c)
    let dc = f32x4.add(ldN(dcs + o0, n), f32x4.mul(f32x4.mul(dr, o), classic ? f32x4.sub(one, f32x4.mul(a, a)) : dact4(hiddenAct, a)));
    // forward: o = σ(zo [+ p_o ⊙ c])
    let dzo = zero;
    if (outGate) {
      dzo = f32x4.mul(f32x4.mul(dr, a), classic ? f32x4.mul(o, f32x4.sub(one, o)) : dact4(gateAct, o));
      if (clipped) dzo = v128.and(dzo, inside4(ldN(zp + o3, n), lo, hi));
    }
    if (hasPeep) dc = madd(dzo, ldN(peep + o2, n), dc);
    // forward: c = f ⊙ c_{t−1} + i ⊙ g
    let di = f32x4.mul(dc, gg);
    const df = f32x4.mul(dc, cp);
    const dg = f32x4.mul(dc, i);
    let dcp = f32x4.mul(dc, f);
    let dzf = zero;
    if (coupled) di = f32x4.sub(di, df); // forward: f = 1 − i
    else if (forgetGate) {
      dzf = f32x4.mul(df, classic ? f32x4.mul(f, f32x4.sub(one, f)) : dact4(gateAct, f));
      if (clipped) dzf = v128.and(dzf, inside4(ldN(zp + o1, n), lo, hi));
    }
    let dzi = zero;
    if (inGate) {
      dzi = f32x4.mul(di, classic ? f32x4.mul(i, f32x4.sub(one, i)) : dact4(gateAct, i));
      if (clipped) dzi = v128.and(dzi, inside4(ldN(zp + o0, n), lo, hi));
    }
    let dzg = f32x4.mul(dg, classic ? f32x4.sub(one, f32x4.mul(gg, gg)) : dact4(cellAct, gg));
    if (clipped) dzg = v128.and(dzg, inside4(ldN(zp + o2, n), lo, hi));
    // forward: zi += p_i ⊙ c_{t−1},  zf += p_f ⊙ c_{t−1}
    if (hasPeep) dcp = f32x4.add(dcp, f32x4.add(f32x4.mul(dzi, ldN(peep + o0, n)), f32x4.mul(dzf, ldN(peep + o1, n))));
    stN(zs + o0, dzi, n);
    stN(zs + o1, dzf, n);
    stN(zs + o2, dzg, n);
    stN(zs + o3, dzo, n);
    stN(z + o0, dzi, n);
    stN(z + o1, dzf, n);
    stN(z + o2, dzg, n);
    stN(z + o3, dzo, n);
    stN(dcs + o0, dcp, n);
  }
}

function bwdRowClassic(z: usize, cPrev: usize, cRow: usize, drs: usize, dcs: usize, zs: usize, H: i32): void {
  cellBackward(true, z, 0, cPrev, cRow, drs, dcs, zs, H, 0, Infinity, 0, 1, 1, ALL_GATES);
}

function bwdRowGeneric(
  z: usize, zp: usize, cPrev: usize, cRow: usize, drs: usize, dcs: usize, zs: usize, H: i32,
  peep: usize, clip: f32, gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32,
): void {
  cellBackward(false, z, zp, cPrev, cRow, drs, dcs, zs, H, peep, clip, gateAct, cellAct, hiddenAct, flags);
}

// ------------------------------------------------------------------------------------- forward

/** Bytes of the shared scratch at `ws` of lstmForward: packed Whhᵀ and Whrᵀ (batches above 1), the summed bias. */
export function lstmForwardWsBytes(H: i32, P: i32, projected: bool, B: i32): i32 {
  const G = 4 * H;
  if (B == 1) return G * 4 + 64; // batch 1 reads the weights unpacked (matvec)
  return packedBBytes(P, G) + (projected ? packedBBytes(H, P) : 0) + G * 4 + 64;
}

/**
 * One direction forward over the whole sequence (src/kernels/ref/lstm.ts lstmForward), as one of
 * nth threads (see the header): sync: the call's sync block (asm/split.ts), gws: this thread's
 * gemm scratch (gemmWorkspaceBytes), ws: the call's shared scratch (lstmForwardWsBytes). Batch 1
 * needs nth = 1 (its matrix–vector products use the whole scratch).
 */
export function lstmForward(
  nth: i32, sync: usize, gws: usize, ws: usize,
  // out
  y: usize, hN: usize, cN: usize,
  // cache (out) and its scratch
  gates: usize, pre: usize, cc0: usize, c: usize, hPrev: usize, r: usize,
  hState: usize, cState: usize, rec: usize, rStep: usize, hStep: usize,
  // in
  x: usize, h0: usize, c0: usize, wih: usize, whh: usize, bih: usize, bhh: usize, whr: usize, peep: usize,
  T: i32, B: i32, D: i32, H: i32, P: i32, lengths: usize, reverse: bool,
  gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32, clip: f32,
): void {
  const G = 4 * H;
  const TB = T * B;
  const projected = whr != 0;
  const vec = B == 1; // batch 1: matrix–vector products straight off the weights, no packing
  const pWhh = ws; //                                                  Whhᵀ (P, G) packed
  const pWhr = pWhh + (vec ? <usize>0 : <usize>packedBBytes(P, G)); // Whrᵀ (H, P) packed
  const bsum = (pWhr + (projected && !vec ? <usize>packedBBytes(H, P) : <usize>0) + 15) & ~(<usize>15); // (G) b_ih + b_hh
  const classic = isClassic(gateAct, cellAct, hiddenAct, flags, peep, clip);

  // phase 1, items from queue 0: gates[t,b,:] = x[t,b,:]·Wihᵀ for every step at once, in blocks
  // of rows (the biases join in the pointwise pass); Whhᵀ and Whrᵀ packed in groups of panels; the
  // summed bias
  const q1 = queueAt(sync, nth, 0);
  const nProj = (TB + ROWS - 1) / ROWS;
  const nWhh = vec ? 0 : (G + COLS - 1) / COLS;
  const nWhr = vec || !projected ? 0 : (P + COLS - 1) / COLS;
  const n1 = nProj + nWhh + nWhr + 1;
  for (;;) {
    const i = take(q1);
    if (i >= n1) break;
    if (i < nProj) {
      const r0 = i * ROWS;
      gemm(gates + f4(r0 * G), x + f4(r0 * D), wih, min(ROWS, TB - r0), G, D, D, D, G, false, true, false, gws);
    } else if (i < nProj + nWhh) {
      const j0 = (i - nProj) * COLS;
      packBCols(pWhh, whh, P, P, true, j0, min(G, j0 + COLS));
    } else if (i < nProj + nWhh + nWhr) {
      const j0 = (i - nProj - nWhh) * COLS;
      packBCols(pWhr, whr, H, H, true, j0, min(P, j0 + COLS));
    } else {
      for (let k = 0; k < G; k++) store<f32>(bsum + f4(k), load<f32>(bih + f4(k)) + load<f32>(bhh + f4(k)));
    }
    itemDone(q1, n1);
  }
  waitAll(q1, n1); // every row's projection, the packed weights and the bias are in place

  // phase 2, items from queue 1: chunks of batch rows [b0, b1) through every step
  const q2 = queueAt(sync, nth, 1);
  const RC = rowChunk(B, nth);
  const nChunks = (B + RC - 1) / RC;
  for (;;) {
    const chunk = take(q2);
    if (chunk >= nChunks) break;
    const b0 = chunk * RC;
    const b1 = min(B, b0 + RC);
    const nb = b1 - b0;
    memory.copy(hState + f4(b0 * P), h0 + f4(b0 * P), f4(nb * P));
    memory.copy(cState + f4(b0 * H), c0 + f4(b0 * H), f4(nb * H));
    memory.copy(cc0 + f4(b0 * H), c0 + f4(b0 * H), f4(nb * H)); // backward's c_{t−1} at each row's first step (later steps read c)
    for (let t = 0; t < T; t++) memory.fill(y + f4((t * B + b0) * P), 0, f4(nb * P));

    for (let s = 0; s < T; s++) {
      // rec = h_{t−1}·Whhᵀ for the rows (rows that have ended are computed and ignored)
      if (vec) matvec(rec, whh, hState, G, P);
      else gemmPackedB(rec + f4(b0 * G), hState + f4(b0 * P), nb, G, P, pWhh, false, gws);
      for (let b = b0; b < b1; b++) {
        const t = timeAt(lengths, T, reverse, b, s);
        if (t < 0) continue;
        const z = gates + f4((t * B + b) * G); // gates[t,b,:]
        const rc = rec + f4(b * G); //             rec[b,:]
        const ch = f4((t * B + b) * H); //         offset of c[t,b,:]
        const cs = cState + f4(b * H); //          cState[b,:]
        memory.copy(hPrev + f4((t * B + b) * P), hState + f4(b * P), f4(P));
        // h goes to hState (no projection; P = H) or to r and rStep (projection input)
        const hDst = projected ? rStep + f4(b * H) : hState + f4(b * P);
        const rDst = projected ? r + ch : 0;
        if (classic) fwdRowClassic(z, rc, bsum, cs, c + ch, hDst, rDst, H, H);
        else fwdRowGeneric(z, pre + f4((t * B + b) * G), rc, bsum, cs, c + ch, hDst, rDst, H, H, peep, clip, gateAct, cellAct, hiddenAct, flags);
      }
      if (projected) {
        // projection: h = r·Whrᵀ, only rows still running take it
        if (vec) matvec(hStep, whr, rStep, P, H);
        else gemmPackedB(hStep + f4(b0 * P), rStep + f4(b0 * H), nb, P, H, pWhr, false, gws);
        for (let b = b0; b < b1; b++) {
          if (timeAt(lengths, T, reverse, b, s) < 0) continue;
          memory.copy(hState + f4(b * P), hStep + f4(b * P), f4(P));
        }
      }
      for (let b = b0; b < b1; b++) {
        const t = timeAt(lengths, T, reverse, b, s);
        if (t < 0) continue;
        memory.copy(y + f4((t * B + b) * P), hState + f4(b * P), f4(P));
      }
    }
    memory.copy(hN + f4(b0 * P), hState + f4(b0 * P), f4(nb * P));
    memory.copy(cN + f4(b0 * H), cState + f4(b0 * H), f4(nb * H));
  }
}

/** Bytes of one thread's own scratch at `ws` of lstmForwardCols: its summed bias. */
export function lstmForwardColsWsBytes(H: i32): i32 {
  return 4 * H * 4 + 64;
}

/**
 * Batch 1 without projection (P = H), as thread tid of nth, the hidden units split instead of
 * rows: units [j0, j1) and their four gates belong to one thread, and the threads meet at a
 * barrier after every step. Each thread computes the input projection for its share of the time
 * steps, then per step its rows of h_{t−1}·Whhᵀ (matvec on the rows of Whh of its units), its
 * units' gate arithmetic, and its part of h_t, which goes into the next of two h buffers (hbuf,
 * 2H, shared) so that no thread overwrites an h the other is still reading. Same buffers and
 * results as lstmForward (bit for bit), with ws this thread's own scratch (lstmForwardColsWsBytes).
 */
export function lstmForwardCols(
  tid: i32, nth: i32, sync: usize, gws: usize, ws: usize, hbuf: usize,
  y: usize, hN: usize, cN: usize,
  gates: usize, pre: usize, cc0: usize, c: usize, hPrev: usize,
  cState: usize, rec: usize,
  x: usize, h0: usize, c0: usize, wih: usize, whh: usize, bih: usize, bhh: usize, peep: usize,
  T: i32, D: i32, H: i32, lengths: usize, reverse: bool,
  gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32, clip: f32,
): void {
  const G = 4 * H;
  const P = H;
  const classic = isClassic(gateAct, cellAct, hiddenAct, flags, peep, clip);
  // units [j0, j1): boundaries on multiples of 4, so no 4-lane chunk straddles two threads
  const j0 = cut(H, tid, nth, 4);
  const j1 = cut(H, tid + 1, nth, 4);
  const J = j1 - j0;
  const u = f4(j0); // byte offset of unit j0 in a row of H
  // time steps [t0, t1) of the input projection: blocks of 4 rows, as in a one-thread call
  const t0 = cut(T, tid, nth, 4);
  const t1 = cut(T, tid + 1, nth, 4);
  const bsum = (ws + 15) & ~(<usize>15);
  gemm(gates + f4(t0 * G), x + f4(t0 * D), wih, t1 - t0, G, D, D, D, G, false, true, false, gws);
  for (let k = 0; k < G; k++) store<f32>(bsum + f4(k), load<f32>(bih + f4(k)) + load<f32>(bhh + f4(k)));
  const len = lengths == 0 ? T : load<i32>(lengths);
  if (J > 0) {
    memory.copy(hbuf + u, h0 + u, f4(J));
    memory.copy(cState + u, c0 + u, f4(J));
    memory.copy(cc0 + u, c0 + u, f4(J));
    for (let t = len; t < T; t++) memory.fill(y + f4(t * P) + u, 0, f4(J)); // past the length: 0
  }
  arrive(sync, tid, nth, 1); // every step's projection and all of h0 are in place

  for (let s = 0; s < len; s++) {
    const t = reverse ? len - 1 - s : s;
    const cur = hbuf + f4((s & 1) * P); //       h_{t−1}, all units
    const nxt = hbuf + f4(((s + 1) & 1) * P); // h_t, this thread's units
    if (J > 0) {
      memory.copy(hPrev + f4(t * P) + u, cur + u, f4(J));
      for (let q = 0; q < 4; q++) matvec(rec + f4(q * H) + u, whh + f4((q * H + j0) * P), cur, J, P);
      const z = gates + f4(t * G) + u;
      if (classic) fwdRowClassic(z, rec + u, bsum + u, cState + u, c + f4(t * H) + u, nxt + u, 0, H, J);
      else fwdRowGeneric(z, pre + f4(t * G) + u, rec + u, bsum + u, cState + u, c + f4(t * H) + u, nxt + u, 0, H, J, peep != 0 ? peep + u : 0, clip, gateAct, cellAct, hiddenAct, flags);
      memory.copy(y + f4(t * P) + u, nxt + u, f4(J));
    }
    arrive(sync, tid, nth, 2 + s);
  }
  if (J > 0) {
    memory.copy(hN + u, hbuf + f4((len & 1) * P) + u, f4(J));
    memory.copy(cN + u, cState + u, f4(J));
  }
}

// ------------------------------------------------------------------------------------- backward

/** Bytes of the shared scratch at `ws` of lstmBackward: packed Whh and Whr (batches above 1), the bias column sums. */
export function lstmBackwardWsBytes(H: i32, P: i32, projected: bool, B: i32): i32 {
  const G = 4 * H;
  if (B == 1) return G * 4 + 64;
  return packedBBytes(G, P) + (projected ? packedBBytes(P, H) : 0) + G * 4 + 64;
}

/**
 * One direction backward through time (src/kernels/ref/lstm.ts lstmBackward), as one of nth
 * threads: sync, gws, ws as in lstmForward (ws: lstmBackwardWsBytes). Gradients are ADDED into gwih …
 * gpeep and dx; dh0, dc0 are overwritten. The gates in the cache become dZ (the cache is consumed).
 */
export function lstmBackward(
  nth: i32, sync: usize, gws: usize, ws: usize,
  // gradients, ADDED into (0 = absent)
  gwih: usize, gwhh: usize, gbih: usize, gbhh: usize, gwhr: usize, gpeep: usize,
  dx: usize, dh0: usize, dc0: usize,
  // in
  dy: usize, dhN: usize, dcN: usize,
  gates: usize, pre: usize, cc0: usize, c: usize, hPrev: usize, r: usize,
  // work
  dzStep: usize, dhState: usize, dcState: usize, dhStep: usize, drStep: usize, dhRec: usize, dhAll: usize,
  x: usize, wih: usize, whh: usize, whr: usize, peep: usize,
  T: i32, B: i32, D: i32, H: i32, P: i32, lengths: usize, reverse: bool,
  gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32, clip: f32,
): void {
  const G = 4 * H;
  const TB = T * B;
  const projected = whr != 0;
  const classic = isClassic(gateAct, cellAct, hiddenAct, flags, peep, clip);
  const vec = B == 1;
  const pWhh = ws; // Whh (G, P) packed as the right operand
  const pWhr = pWhh + (vec ? <usize>0 : <usize>packedBBytes(G, P)); // Whr (P, H) packed
  const colsum = (pWhr + (projected && !vec ? <usize>packedBBytes(P, H) : <usize>0) + 15) & ~(<usize>15); // (G)
  // dZ (T, B, G) takes the place of the gates (the cache is consumed)
  const dZ = gates;

  // phase 1, items from queue 0: Whh and Whr packed in groups of panels
  const q1 = queueAt(sync, nth, 0);
  const nWhh = vec ? 0 : (P + COLS - 1) / COLS;
  const nWhr = vec || !projected ? 0 : (H + COLS - 1) / COLS;
  const n1 = nWhh + nWhr;
  for (;;) {
    const i = take(q1);
    if (i >= n1) break;
    if (i < nWhh) packBCols(pWhh, whh, P, G, false, i * COLS, min(P, (i + 1) * COLS));
    else packBCols(pWhr, whr, H, P, false, (i - nWhh) * COLS, min(H, (i - nWhh + 1) * COLS));
    itemDone(q1, n1);
  }
  waitAll(q1, n1); // packed weights in place

  // phase 2, items from queue 1: chunks of batch rows [b0, b1) back through every step
  const q2 = queueAt(sync, nth, 1);
  const RC = rowChunk(B, nth);
  const nChunks = (B + RC - 1) / RC;
  for (;;) {
    const chunk = take(q2);
    if (chunk >= nChunks) break;
    const b0 = chunk * RC;
    const b1 = min(B, b0 + RC);
    const nb = b1 - b0;
    // padded positions (t ≥ length) hold the input projection, never a gate: zero them so they
    // add nothing to the weight gradients
    if (lengths != 0) {
      for (let b = b0; b < b1; b++) {
        for (let t = load<i32>(lengths + (<usize>b << 2)); t < T; t++) memory.fill(dZ + f4((t * B + b) * G), 0, f4(G));
      }
    }
    if (dhN != 0) memory.copy(dhState + f4(b0 * P), dhN + f4(b0 * P), f4(nb * P));
    else memory.fill(dhState + f4(b0 * P), 0, f4(nb * P));
    if (dcN != 0) memory.copy(dcState + f4(b0 * H), dcN + f4(b0 * H), f4(nb * H));
    else memory.fill(dcState + f4(b0 * H), 0, f4(nb * H));
    if (dhAll != 0) for (let t = 0; t < T; t++) memory.fill(dhAll + f4((t * B + b0) * P), 0, f4(nb * P));

    for (let s = T - 1; s >= 0; s--) {
      // dh of this step = gradient from the next step + gradient from the output y[t]
      memory.fill(dhStep + f4(b0 * P), 0, f4(nb * P));
      for (let b = b0; b < b1; b++) {
        const t = timeAt(lengths, T, reverse, b, s);
        if (t < 0) continue;
        const yo = f4((t * B + b) * P);
        const hs = f4(b * P);
        for (let k = 0; k < P; k += 4) {
          const n = min(4, P - k);
          const v = f32x4.add(ldN(dhState + hs + f4(k), n), ldN(dy + yo + f4(k), n));
          stN(dhStep + hs + f4(k), v, n);
          if (dhAll != 0) stN(dhAll + yo + f4(k), v, n);
        }
      }
      // forward: h = r·Whrᵀ  →  dr = dh·Whr
      if (projected && vec) matvecT(drStep, whr, dhStep, P, H);
      else if (projected) gemmPackedB(drStep + f4(b0 * H), dhStep + f4(b0 * P), nb, H, P, pWhr, false, gws);
      else memory.copy(drStep + f4(b0 * H), dhStep + f4(b0 * P), f4(nb * P));

      memory.fill(dzStep + f4(b0 * G), 0, f4(nb * G));
      for (let b = b0; b < b1; b++) {
        const t = timeAt(lengths, T, reverse, b, s);
        if (t < 0) continue;
        const z = f4((t * B + b) * G); // offset of gates[t,b,:]
        const ch = f4((t * B + b) * H); // offset of c[t,b,:]
        // c_{t−1} as this row's step s saw it: c of its previous step, or c0 at its first
        const cp = s > 0 ? c + f4((timeAt(lengths, T, reverse, b, s - 1) * B + b) * H) : cc0 + f4(b * H);
        const drs = drStep + f4(b * H);
        const dcs = dcState + f4(b * H);
        const zs = dzStep + f4(b * G);
        if (classic) bwdRowClassic(dZ + z, cp, c + ch, drs, dcs, zs, H);
        else bwdRowGeneric(dZ + z, pre != 0 ? pre + z : 0, cp, c + ch, drs, dcs, zs, H, peep, clip, gateAct, cellAct, hiddenAct, flags);
      }
      // forward: z += h_{t−1}·Whhᵀ  →  dh_{t−1} = dz·Whh (rows that had ended keep their dh)
      if (vec) matvecT(dhRec, whh, dzStep, G, P);
      else gemmPackedB(dhRec + f4(b0 * P), dzStep + f4(b0 * G), nb, P, G, pWhh, false, gws);
      for (let b = b0; b < b1; b++) {
        if (timeAt(lengths, T, reverse, b, s) < 0) continue;
        memory.copy(dhState + f4(b * P), dhRec + f4(b * P), f4(P));
      }
    }
    memory.copy(dh0 + f4(b0 * P), dhState + f4(b0 * P), f4(nb * P));
    memory.copy(dc0 + f4(b0 * H), dcState + f4(b0 * H), f4(nb * H));
    itemDone(q2, nChunks);
  }
  waitAll(q2, nChunks); // every row's dZ (and dh for the projection) is in place

  // phase 3, items from queue 2: the weight gradients for all steps at once (padded positions have
  // dZ = 0), in blocks of rows of each result, and the bias and peephole gradients in blocks of
  // columns
  const q3 = queueAt(sync, nth, 2);
  const nG = (G + ROWS - 1) / ROWS; //  blocks of dWih, dWhh, of the bias
  const nTB = (TB + ROWS - 1) / ROWS; // blocks of dx
  const nP = projected ? (P + ROWS - 1) / ROWS : 0; // blocks of dWhr
  const nH = peep != 0 ? (H + ROWS - 1) / ROWS : 0; // blocks of the peephole gradients
  const n3 = 3 * nG + nTB + nP + nH;
  for (;;) {
    let i = take(q3);
    if (i >= n3) break;
    if (i < 2 * nG) {
      const g0 = (i % nG) * ROWS;
      const g1 = min(G, g0 + ROWS);
      if (i < nG) gemm(gwih + f4(g0 * D), dZ + f4(g0), x, g1 - g0, D, TB, G, D, D, true, false, true, gws); // dWih += dZᵀ·x
      else gemm(gwhh + f4(g0 * P), dZ + f4(g0), hPrev, g1 - g0, P, TB, G, P, P, true, false, true, gws); // dWhh += dZᵀ·h_{t−1}
    } else if ((i -= 2 * nG) < nTB) {
      const r0 = i * ROWS;
      gemm(dx + f4(r0 * D), dZ + f4(r0 * G), wih, min(ROWS, TB - r0), D, G, G, D, D, false, false, true, gws); // dx += dZ·Wih
    } else if ((i -= nTB) < nG) {
      // bias: column sums of dZ over the T·B rows, columns [g0, g1)
      const g0 = i * ROWS;
      const g1 = min(G, g0 + ROWS);
      memory.fill(colsum + f4(g0), 0, f4(g1 - g0));
      for (let tb = 0; tb < TB; tb++) {
        const row = dZ + f4(tb * G);
        for (let k = g0; k < g1; k += 4) {
          const n = min(4, g1 - k);
          stN(colsum + f4(k), f32x4.add(ldN(colsum + f4(k), n), ldN(row + f4(k), n)), n);
        }
      }
      for (let k = g0; k < g1; k += 4) {
        const n = min(4, g1 - k);
        const v = ldN(colsum + f4(k), n);
        stN(gbih + f4(k), f32x4.add(ldN(gbih + f4(k), n), v), n);
        stN(gbhh + f4(k), f32x4.add(ldN(gbhh + f4(k), n), v), n);
      }
    } else if ((i -= nG) < nP) {
      const p0 = i * ROWS;
      gemm(gwhr + f4(p0 * H), dhAll + f4(p0), r, min(ROWS, P - p0), H, TB, P, H, H, true, false, true, gws); // dWhr += dhᵀ·r
    } else {
      const j0 = (i - nP) * ROWS;
      peepholeGrads(gpeep, dZ, c, cc0, T, B, H, lengths, reverse, j0, min(H, j0 + ROWS));
    }
  }
}

/**
 * Peephole gradients of units [j0, j1), ADDED into gpeep (3H: i, f, o), from dZ and c after the
 * time loop: forward zi += p_i ⊙ c_{t−1}, zf += p_f ⊙ c_{t−1}, zo += p_o ⊙ c_t, so
 * dp_i = Σ dz_i ⊙ c_{t−1}, dp_f = Σ dz_f ⊙ c_{t−1}, dp_o = Σ dz_o ⊙ c_t over every row's valid steps.
 */
function peepholeGrads(gpeep: usize, dZ: usize, c: usize, cc0: usize, T: i32, B: i32, H: i32, lengths: usize, reverse: bool, j0: i32, j1: i32): void {
  const G = 4 * H;
  for (let j = j0; j < j1; j += 4) {
    const n = min(4, j1 - j);
    let si = f32x4.splat(0);
    let sf = f32x4.splat(0);
    let so = f32x4.splat(0);
    for (let b = 0; b < B; b++) {
      const len = lengths == 0 ? T : load<i32>(lengths + (<usize>b << 2));
      for (let s = 0; s < len; s++) {
        const t = reverse ? len - 1 - s : s;
        const z = dZ + f4((t * B + b) * G + j);
        const cp = s > 0 ? c + f4(((reverse ? len - s : s - 1) * B + b) * H + j) : cc0 + f4(b * H + j);
        const ct = ldN(c + f4((t * B + b) * H + j), n);
        const cpv = ldN(cp, n);
        si = madd(ldN(z, n), cpv, si);
        sf = madd(ldN(z + f4(H), n), cpv, sf);
        so = madd(ldN(z + f4(3 * H), n), ct, so);
      }
    }
    stN(gpeep + f4(j), f32x4.add(ldN(gpeep + f4(j), n), si), n);
    stN(gpeep + f4(H + j), f32x4.add(ldN(gpeep + f4(H + j), n), sf), n);
    stN(gpeep + f4(2 * H + j), f32x4.add(ldN(gpeep + f4(2 * H + j), n), so), n);
  }
}
