// WebAssembly LSTM kernel: one direction of one layer over a whole padded sequence batch,
// forward and backward through time, each in ONE call from TypeScript. Same arithmetic and
// buffer contract as src/kernels/ref/lstm.ts (which defines correct behaviour; read its header
// for the equations); pointers are byte offsets into this module's memory, 0 meaning "null".
// It leaves out input checking and float64 (the TypeScript wrapper sends float64 to ref).
//
// dim key: T time, B batch, D input features, H cell size, P cell output size (projSize or H),
//          G = 4H gates in PyTorch order i, f, g, o. Buffers are time-major, indexed by time t.
//
// Speed: x·Wihᵀ for all steps is one blocked gemm; Whhᵀ (and Whrᵀ) are packed once per call so
// each step's h·Whhᵀ runs straight off prepacked panels; the gate arithmetic is 4-lane SIMD with
// the biases folded in, so the pre-activations take a single pass over memory.

import { gemm, gemmPackedB, matvec, matvecT, packBFull, packedBBytes } from './gemm';
import { act4, dact4, sigmoid4, tanh4 } from './activations';
import { ldN, madd, stN } from './simd';

const IN_GATE = 1;
const FORGET_GATE = 2;
const OUT_GATE = 4;
const COUPLED = 8;

/** Time index that row b processes at step s, or −1 when the row has already ended. */
// @ts-ignore: decorator
@inline function timeAt(lengths: usize, T: i32, reverse: bool, b: i32, s: i32): i32 {
  const len = lengths == 0 ? T : load<i32>(lengths + (<usize>b << 2));
  if (s >= len) return -1;
  return reverse ? len - 1 - s : s;
}

// @ts-ignore: decorator
@inline function f4(i: i32): usize {
  return <usize>i << 2;
}

// @ts-ignore: decorator
@inline function clamp4(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.min(f32x4.max(v, lo), hi); // wasm min/max propagate NaN, as the reference's comparisons do
}

/**
 * The classic cell — σ gates, tanh cell and hidden activations, all three gates, no peepholes, no
 * clip — which has its own row functions without per-vector activation dispatch: it is what nearly
 * every model runs. (Backward is called with clip = Infinity when forward saved no pre-activations.)
 */
// @ts-ignore: decorator
@inline function isClassic(gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32, peep: usize, pre: usize, clip: f32): bool {
  return gateAct == 0 && cellAct == 1 && hiddenAct == 1 && flags == (IN_GATE | FORGET_GATE | OUT_GATE) && peep == 0 && pre == 0 && clip == Infinity;
}

/** Scratch bytes lstmForward needs at ws: packed Whhᵀ, packed Whrᵀ, summed bias (the matrix products' own scratch, gemmWorkspaceBytes(), comes separately at gws). */
export function lstmForwardWsBytes(H: i32, P: i32, projected: bool, B: i32): i32 {
  const G = 4 * H;
  if (B == 1) return G * 4 + 64; // batch 1 reads the weights unpacked (matvec)
  return packedBBytes(P, G) + (projected ? packedBBytes(H, P) : 0) + G * 4 + 64;
}

/**
 * Gate arithmetic of one row at one step, the classic cell. z: gates[t,b,:] (in: x·Wihᵀ; out:
 * i, f, g, o), rc: rec[b,:], cs: cState[b,:] (in c_{t−1}, out c_t), row of c (H),
 * hDst (H) gets h = o ⊙ tanh(c), rDst (H) too when not 0. Pointers may be offset to a unit j0:
 * H is the stride between gate blocks, J the number of units done (J = H: the whole row).
 */
function fwdRowStandard(z: usize, rc: usize, bsum: usize, cs: usize, cRow: usize, hDst: usize, rDst: usize, H: i32, J: i32): void {
  for (let j = 0; j < J; j += 4) {
    const n = min(4, J - j);
    const o0 = f4(j);
    const o1 = f4(H + j);
    const o2 = f4(2 * H + j);
    const o3 = f4(3 * H + j);
    const cp = ldN(cs + o0, n);
    const i = sigmoid4(f32x4.add(f32x4.add(ldN(z + o0, n), ldN(rc + o0, n)), ldN(bsum + o0, n)));
    const f = sigmoid4(f32x4.add(f32x4.add(ldN(z + o1, n), ldN(rc + o1, n)), ldN(bsum + o1, n)));
    const g = tanh4(f32x4.add(f32x4.add(ldN(z + o2, n), ldN(rc + o2, n)), ldN(bsum + o2, n)));
    const o = sigmoid4(f32x4.add(f32x4.add(ldN(z + o3, n), ldN(rc + o3, n)), ldN(bsum + o3, n)));
    // c_t = f ⊙ c_{t−1} + i ⊙ g;  h_t = o ⊙ tanh(c_t)
    const ct = f32x4.add(f32x4.mul(f, cp), f32x4.mul(i, g));
    const a = tanh4(ct);
    const h = f32x4.mul(o, a);
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

/** The same for every variant and option (peepholes, clip, gate switches, other activations). */
function fwdRowGeneric(
  z: usize, zp: usize, rc: usize, bsum: usize, cs: usize, cRow: usize, hDst: usize, rDst: usize, H: i32, J: i32,
  peep: usize, pre: usize, clip: f32, gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32,
): void {
  const clipped = clip != Infinity;
  const inGate = (flags & IN_GATE) != 0;
  const forgetGate = (flags & FORGET_GATE) != 0;
  const outGate = (flags & OUT_GATE) != 0;
  const coupled = (flags & COUPLED) != 0;
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
    if (peep != 0) {
      zi = madd(ldN(peep + o0, n), cp, zi);
      zf = madd(ldN(peep + o1, n), cp, zf);
    }
    if (pre != 0) {
      stN(zp + o0, zi, n);
      stN(zp + o1, zf, n);
      stN(zp + o2, zg, n);
    }
    if (clipped) {
      zi = clamp4(zi, lo, hi);
      zf = clamp4(zf, lo, hi);
      zg = clamp4(zg, lo, hi);
    }
    const i = inGate ? act4(gateAct, zi) : one;
    const f = coupled ? f32x4.sub(one, i) : forgetGate ? act4(gateAct, zf) : one;
    const g = act4(cellAct, zg);
    // c_t = f ⊙ c_{t−1} + i ⊙ g
    const ct = f32x4.add(f32x4.mul(f, cp), f32x4.mul(i, g));
    if (peep != 0) zo = madd(ldN(peep + o2, n), ct, zo);
    if (pre != 0) stN(zp + o3, zo, n);
    if (clipped) zo = clamp4(zo, lo, hi);
    const o = outGate ? act4(gateAct, zo) : one;
    // h_t = o ⊙ ψ(c_t)
    const a = act4(hiddenAct, ct);
    const h = f32x4.mul(o, a);
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

export function lstmForward(
  // out
  y: usize, hN: usize, cN: usize,
  // cache (out) and its scratch
  gates: usize, pre: usize, cc0: usize, c: usize, hPrev: usize, r: usize,
  hState: usize, cState: usize, rec: usize, rStep: usize, hStep: usize,
  // in
  x: usize, h0: usize, c0: usize, wih: usize, whh: usize, bih: usize, bhh: usize, whr: usize, peep: usize,
  T: i32, B: i32, D: i32, H: i32, P: i32, lengths: usize, reverse: bool,
  gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32, clip: f32, gws: usize, ws: usize,
): void {
  const G = 4 * H;
  const projected = whr != 0;
  // scratch layout (batch 1 reads the weights unpacked: per-step matrix–vector products)
  const vec = B == 1;
  const pWhh = ws; //                                                  Whhᵀ (P, G) packed
  const pWhr = pWhh + (vec ? <usize>0 : <usize>packedBBytes(P, G)); // Whrᵀ (H, P) packed
  const bsum = (pWhr + (projected && !vec ? <usize>packedBBytes(H, P) : <usize>0) + 15) & ~(<usize>15); // (G) b_ih + b_hh
  const standard = isClassic(gateAct, cellAct, hiddenAct, flags, peep, pre, clip);

  // gates[t,b,:] = x[t,b,:]·Wihᵀ for every step at once; biases join in the pointwise pass
  gemm(gates, x, wih, T * B, G, D, false, true, false, gws);
  for (let k = 0; k < G; k++) store<f32>(bsum + f4(k), load<f32>(bih + f4(k)) + load<f32>(bhh + f4(k)));
  if (!vec) {
    packBFull(pWhh, whh, G, P, true);
    if (projected) packBFull(pWhr, whr, P, H, true);
  }
  memory.copy(hState, h0, f4(B * P));
  memory.copy(cState, c0, f4(B * H));
  memory.copy(cc0, c0, f4(B * H)); // backward's c_{t−1} at each row's first step (later steps read c)
  memory.fill(y, 0, f4(T * B * P));

  for (let s = 0; s < T; s++) {
    // rec = h_{t−1}·Whhᵀ for every row (rows that have ended are computed and ignored)
    if (vec) matvec(rec, whh, hState, G, P);
    else gemmPackedB(rec, hState, B, G, P, pWhh, false, gws);
    for (let b = 0; b < B; b++) {
      const t = timeAt(lengths, T, reverse, b, s);
      if (t < 0) continue;
      const z = gates + f4((t * B + b) * G); // gates[t,b,:]
      const zp = pre + f4((t * B + b) * G); //  pre[t,b,:]
      const rc = rec + f4(b * G); //             rec[b,:]
      const ch = f4((t * B + b) * H); //         offset of c[t,b,:]
      const cs = cState + f4(b * H); //          cState[b,:]
      memory.copy(hPrev + f4((t * B + b) * P), hState + f4(b * P), f4(P));
      // h goes to hState (no projection; P = H) or to r and rStep (projection input)
      const hDst = projected ? rStep + f4(b * H) : hState + f4(b * P);
      const rDst = projected ? r + ch : 0;
      if (standard) fwdRowStandard(z, rc, bsum, cs, c + ch, hDst, rDst, H, H);
      else fwdRowGeneric(z, zp, rc, bsum, cs, c + ch, hDst, rDst, H, H, peep, pre, clip, gateAct, cellAct, hiddenAct, flags);
    }
    if (projected) {
      // projection: h = r·Whrᵀ, only rows still running take it
      if (vec) matvec(hStep, whr, rStep, P, H);
      else gemmPackedB(hStep, rStep, B, P, H, pWhr, false, gws);
      for (let b = 0; b < B; b++) {
        if (timeAt(lengths, T, reverse, b, s) < 0) continue;
        memory.copy(hState + f4(b * P), hStep + f4(b * P), f4(P));
      }
    }
    for (let b = 0; b < B; b++) {
      const t = timeAt(lengths, T, reverse, b, s);
      if (t < 0) continue;
      memory.copy(y + f4((t * B + b) * P), hState + f4(b * P), f4(P));
    }
  }
  memory.copy(hN, hState, f4(B * P));
  memory.copy(cN, cState, f4(B * H));
}

/**
 * Barrier k of a kernel call split across nth threads: thread tid publishes k in its own flag
 * (sync + 64·tid, one cache line each, zeroed before the call) and spins until every other
 * thread's flag reaches k. One store per thread and one cache line read per other thread — no
 * contended read-modify-write. Spinning (no wait) costs about a microsecond when each thread has
 * its own core; a thread that never arrives makes the call trap after ~2^31 spins instead of
 * hanging forever.
 */
function arrive(sync: usize, tid: i32, nth: i32, k: i32): void {
  if (ASC_FEATURE_THREADS) {
    atomic.store<i32>(sync + (<usize>tid << 6), k);
    for (let o = 0; o < nth; o++) {
      if (o == tid) continue;
      const flag = sync + (<usize>o << 6);
      let spins: u32 = 0;
      while (atomic.load<i32>(flag) < k) {
        if (++spins == 0x80000000) unreachable();
      }
    }
  }
}

/** Scratch bytes of one thread's part of lstmForwardPart at ws: its summed bias (its gemm scratch comes separately at gws). */
export function lstmForwardPartWsBytes(H: i32): i32 {
  return 4 * H * 4 + 64;
}

/**
 * Thread tid of nth's share of lstmForward at batch 1 without projection (P = H): the columns —
 * hidden units [j0, j1) and their four gates — are split between the threads, which meet at a
 * barrier after every step. Each thread computes the input projection for its share of the time
 * steps, then per step its rows of h_{t−1}·Whhᵀ (matvec on the rows of Whh of its units), its
 * units' gate arithmetic, and its part of h_t, which goes into the next of two h buffers (hbuf,
 * 2H, shared) so that no thread overwrites an h the other is still reading. Same buffers and
 * results as lstmForward (bit for bit: every element is computed by the same code in the same
 * order), with ws its own scratch (lstmForwardPartWsBytes) and gws its own gemm scratch.
 */
export function lstmForwardPart(
  tid: i32, nth: i32, sync: usize, hbuf: usize, gws: usize, ws: usize,
  y: usize, hN: usize, cN: usize,
  gates: usize, pre: usize, cc0: usize, c: usize, hPrev: usize,
  cState: usize, rec: usize,
  x: usize, h0: usize, c0: usize, wih: usize, whh: usize, bih: usize, bhh: usize, peep: usize,
  T: i32, D: i32, H: i32, lengths: usize, reverse: bool,
  gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32, clip: f32,
): void {
  const G = 4 * H;
  const P = H;
  const standard = isClassic(gateAct, cellAct, hiddenAct, flags, peep, pre, clip);
  // units [j0, j1): boundaries on multiples of 4, so no 4-lane chunk straddles two threads
  const j0 = tid == 0 ? 0 : min(H, ((H * tid) / nth + 3) & ~3);
  const j1 = tid == nth - 1 ? H : min(H, ((H * (tid + 1)) / nth + 3) & ~3);
  const J = j1 - j0;
  const u = f4(j0); // byte offset of unit j0 in a row of H
  // time steps [t0, t1) of the input projection, split on multiples of 4 so that every row lands in
  // the same 4-row panel (and kernel) as in a one-thread call: identical results
  const t0 = tid == 0 ? 0 : min(T, ((T * tid) / nth) & ~3);
  const t1 = tid == nth - 1 ? T : min(T, ((T * (tid + 1)) / nth) & ~3);
  const bsum = (ws + 15) & ~(<usize>15);
  if (t1 > t0) gemm(gates + f4(t0 * G), x + f4(t0 * D), wih, t1 - t0, G, D, false, true, false, gws);
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
      if (standard) fwdRowStandard(z, rec + u, bsum + u, cState + u, c + f4(t * H) + u, nxt + u, 0, H, J);
      else fwdRowGeneric(z, pre + f4(t * G) + u, rec + u, bsum + u, cState + u, c + f4(t * H) + u, nxt + u, 0, H, J, peep != 0 ? peep + u : 0, pre, clip, gateAct, cellAct, hiddenAct, flags);
      memory.copy(y + f4(t * P) + u, nxt + u, f4(J));
    }
    arrive(sync, tid, nth, 2 + s);
  }
  if (J > 0) {
    memory.copy(hN + u, hbuf + f4((len & 1) * P) + u, f4(J));
    memory.copy(cN + u, cState + u, f4(J));
  }
}

/** Scratch bytes lstmBackward needs at ws: packed Whh, packed Whr, bias column sums (gemm scratch separately at gws). */
export function lstmBackwardWsBytes(H: i32, P: i32, projected: bool, B: i32): i32 {
  const G = 4 * H;
  if (B == 1) return G * 4 + 64;
  return packedBBytes(G, P) + (projected ? packedBBytes(P, H) : 0) + G * 4 + 64;
}

/**
 * Backward gate arithmetic of one row at one step, classic cell. z: gates[t,b,:] (i, f, g, o),
 * rows of c_{t−1} and c (H; tanh(c) is recomputed, not saved), drs: dr[b,:] (H), dcs: dcState[b,:] (in dc_t, out dc_{t−1}),
 * out: zs = dzStep[b,:] and dz = dZ[t,b,:] (G).
 */
function bwdRowStandard(z: usize, cPrevRow: usize, cRow: usize, drs: usize, dcs: usize, zs: usize, dz: usize, H: i32): void {
  const one = f32x4.splat(1);
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
    const cp = ldN(cPrevRow + o0, n);
    const a = tanh4(ldN(cRow + o0, n)); // recomputed: one (T, B, H) buffer less
    const dr = ldN(drs + o0, n);
    // forward: r = o ⊙ tanh(c)
    const dc = f32x4.add(ldN(dcs + o0, n), f32x4.mul(f32x4.mul(dr, o), f32x4.sub(one, f32x4.mul(a, a))));
    // forward: o = σ(zo);  c = f ⊙ c_{t−1} + i ⊙ g;  i, f = σ(·);  g = tanh(zg)
    const dzo = f32x4.mul(f32x4.mul(dr, a), f32x4.mul(o, f32x4.sub(one, o)));
    const dzi = f32x4.mul(f32x4.mul(dc, gg), f32x4.mul(i, f32x4.sub(one, i)));
    const dzf = f32x4.mul(f32x4.mul(dc, cp), f32x4.mul(f, f32x4.sub(one, f)));
    const dzg = f32x4.mul(f32x4.mul(dc, i), f32x4.sub(one, f32x4.mul(gg, gg)));
    stN(zs + o0, dzi, n);
    stN(zs + o1, dzf, n);
    stN(zs + o2, dzg, n);
    stN(zs + o3, dzo, n);
    stN(dz + o0, dzi, n);
    stN(dz + o1, dzf, n);
    stN(dz + o2, dzg, n);
    stN(dz + o3, dzo, n);
    stN(dcs + o0, f32x4.mul(dc, f), n);
  }
}

/** The same for every variant and option; zp: pre[t,b,:] or 0 (no clip), gpeep: peephole gradient (ADDED into). */
function bwdRowGeneric(
  z: usize, zp: usize, cRow: usize, cPrevRow: usize, drs: usize, dcs: usize, zs: usize, dz: usize, H: i32,
  peep: usize, gpeep: usize, clip: f32, gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32,
): void {
  const inGate = (flags & IN_GATE) != 0;
  const forgetGate = (flags & FORGET_GATE) != 0;
  const outGate = (flags & OUT_GATE) != 0;
  const coupled = (flags & COUPLED) != 0;
  const zero = f32x4.splat(0);
  const lo = f32x4.splat(-clip);
  const hi = f32x4.splat(clip);
  const allPass = v128.splat<i32>(-1);
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
    const ct = ldN(cRow + o0, n);
    const cp = ldN(cPrevRow + o0, n);
    const a = act4(hiddenAct, ct); // recomputed, as in the standard cell
    const dr = ldN(drs + o0, n);
    // gradient passes a clamp only where the pre-activation was inside [−clip, clip]
    let pi = allPass, pf = allPass, pg = allPass, po = allPass;
    if (zp != 0) {
      let v = ldN(zp + o0, n);
      pi = v128.and(f32x4.le(v, hi), f32x4.ge(v, lo));
      v = ldN(zp + o1, n);
      pf = v128.and(f32x4.le(v, hi), f32x4.ge(v, lo));
      v = ldN(zp + o2, n);
      pg = v128.and(f32x4.le(v, hi), f32x4.ge(v, lo));
      v = ldN(zp + o3, n);
      po = v128.and(f32x4.le(v, hi), f32x4.ge(v, lo));
    }
    // forward: r = o ⊙ ψ(c)
    const dO = f32x4.mul(dr, a);
    let dc = f32x4.add(ldN(dcs + o0, n), f32x4.mul(f32x4.mul(dr, o), dact4(hiddenAct, a)));
    // forward: o = σ(zo [+ p_o ⊙ c])
    const dzo = outGate ? v128.and(f32x4.mul(dO, dact4(gateAct, o)), po) : zero;
    if (peep != 0) {
      dc = madd(dzo, ldN(peep + o2, n), dc);
      stN(gpeep + o2, madd(dzo, ct, ldN(gpeep + o2, n)), n);
    }
    // forward: c = f ⊙ c_{t−1} + i ⊙ g
    let di = f32x4.mul(dc, gg);
    const df = f32x4.mul(dc, cp);
    const dg = f32x4.mul(dc, i);
    let dcp = f32x4.mul(dc, f);
    let dzf = zero;
    if (coupled) di = f32x4.sub(di, df); // forward: f = 1 − i
    else if (forgetGate) dzf = v128.and(f32x4.mul(df, dact4(gateAct, f)), pf);
    const dzi = inGate ? v128.and(f32x4.mul(di, dact4(gateAct, i)), pi) : zero;
    const dzg = v128.and(f32x4.mul(dg, dact4(cellAct, gg)), pg);
    if (peep != 0) {
      // forward: zi += p_i ⊙ c_{t−1},  zf += p_f ⊙ c_{t−1}
      dcp = f32x4.add(dcp, f32x4.add(f32x4.mul(dzi, ldN(peep + o0, n)), f32x4.mul(dzf, ldN(peep + o1, n))));
      stN(gpeep + o0, madd(dzi, cp, ldN(gpeep + o0, n)), n);
      stN(gpeep + o1, madd(dzf, cp, ldN(gpeep + o1, n)), n);
    }
    stN(zs + o0, dzi, n);
    stN(zs + o1, dzf, n);
    stN(zs + o2, dzg, n);
    stN(zs + o3, dzo, n);
    stN(dz + o0, dzi, n);
    stN(dz + o1, dzf, n);
    stN(dz + o2, dzg, n);
    stN(dz + o3, dzo, n);
    stN(dcs + o0, dcp, n);
  }
}

export function lstmBackward(
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
  gateAct: i32, cellAct: i32, hiddenAct: i32, flags: i32, clip: f32, gws: usize, ws: usize,
): void {
  const G = 4 * H;
  const TB = T * B;
  const projected = whr != 0;
  const inGate = (flags & IN_GATE) != 0;
  const forgetGate = (flags & FORGET_GATE) != 0;
  const outGate = (flags & OUT_GATE) != 0;
  const coupled = (flags & COUPLED) != 0;
  const standard = isClassic(gateAct, cellAct, hiddenAct, flags, peep, pre, clip);
  const vec = B == 1; // batch 1: matrix–vector products straight off the weights, no packing
  const pWhh = ws; // Whh (G, P) packed as the right operand
  const pWhr = pWhh + (vec ? <usize>0 : <usize>packedBBytes(G, P)); // Whr (P, H) packed
  const colsum = (pWhr + (projected && !vec ? <usize>packedBBytes(P, H) : <usize>0) + 15) & ~(<usize>15); // (G)

  // dZ (T, B, G) takes the place of the gates (the cache is consumed): each step reads its gates,
  // then writes its dZ there. Padded positions (t ≥ length) hold the input projection, never a
  // gate: zero them so they add nothing to the weight gradients.
  const dZ = gates;
  if (lengths != 0) {
    for (let b = 0; b < B; b++) {
      for (let t = load<i32>(lengths + (<usize>b << 2)); t < T; t++) memory.fill(dZ + f4((t * B + b) * G), 0, f4(G));
    }
  }
  if (dhN != 0) memory.copy(dhState, dhN, f4(B * P));
  else memory.fill(dhState, 0, f4(B * P));
  if (dcN != 0) memory.copy(dcState, dcN, f4(B * H));
  else memory.fill(dcState, 0, f4(B * H));
  if (dhAll != 0) memory.fill(dhAll, 0, f4(TB * P));
  if (!vec) {
    packBFull(pWhh, whh, P, G, false);
    if (projected) packBFull(pWhr, whr, H, P, false);
  }

  for (let s = T - 1; s >= 0; s--) {
    // dh of this step = gradient from the next step + gradient from the output y[t]
    memory.fill(dhStep, 0, f4(B * P));
    for (let b = 0; b < B; b++) {
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
    else if (projected) gemmPackedB(drStep, dhStep, B, H, P, pWhr, false, gws);
    else memory.copy(drStep, dhStep, f4(B * P));

    memory.fill(dzStep, 0, f4(B * G));
    for (let b = 0; b < B; b++) {
      const t = timeAt(lengths, T, reverse, b, s);
      if (t < 0) continue;
      const z = f4((t * B + b) * G); // offset of gates[t,b,:]
      const ch = f4((t * B + b) * H); // offset of c[t,b,:]
      const zs = dzStep + f4(b * G);
      const dcs = dcState + f4(b * H);
      const drs = drStep + f4(b * H);
      // c_{t−1} as this row's step s saw it: c of its previous step, or c0 at its first
      const cp = s > 0 ? c + f4((timeAt(lengths, T, reverse, b, s - 1) * B + b) * H) : cc0 + f4(b * H);
      if (standard) bwdRowStandard(gates + z, cp, c + ch, drs, dcs, zs, dZ + z, H);
      else bwdRowGeneric(gates + z, pre != 0 ? pre + z : 0, c + ch, cp, drs, dcs, zs, dZ + z, H, peep, gpeep, clip, gateAct, cellAct, hiddenAct, flags);
    }
    // forward: z += h_{t−1}·Whhᵀ  →  dh_{t−1} = dz·Whh (rows that had ended keep their dh)
    if (vec) matvecT(dhRec, whh, dzStep, G, P);
    else gemmPackedB(dhRec, dzStep, B, P, G, pWhh, false, gws);
    for (let b = 0; b < B; b++) {
      if (timeAt(lengths, T, reverse, b, s) < 0) continue;
      memory.copy(dhState + f4(b * P), dhRec + f4(b * P), f4(P));
    }
  }
  memory.copy(dh0, dhState, f4(B * P));
  memory.copy(dc0, dcState, f4(B * H));

  // Weight gradients for all steps at once (padded positions have dZ = 0).
  gemm(gwih, dZ, x, G, D, TB, true, false, true, gws); //   dWih += dZᵀ·x
  gemm(gwhh, dZ, hPrev, G, P, TB, true, false, true, gws); // dWhh += dZᵀ·h_{t−1}
  gemm(dx, dZ, wih, TB, D, G, false, false, true, gws); //  dx   += dZ·Wih
  memory.fill(colsum, 0, f4(G));
  for (let tb = 0; tb < TB; tb++) {
    const row = dZ + f4(tb * G);
    for (let k = 0; k < G; k += 4) {
      const n = min(4, G - k);
      stN(colsum + f4(k), f32x4.add(ldN(colsum + f4(k), n), ldN(row + f4(k), n)), n);
    }
  }
  for (let k = 0; k < G; k += 4) {
    const n = min(4, G - k);
    const v = ldN(colsum + f4(k), n);
    stN(gbih + f4(k), f32x4.add(ldN(gbih + f4(k), n), v), n);
    stN(gbhh + f4(k), f32x4.add(ldN(gbhh + f4(k), n), v), n);
  }
  if (projected) gemm(gwhr, dhAll, r, P, H, TB, true, false, true, gws); // dWhr += dhᵀ·r
}
