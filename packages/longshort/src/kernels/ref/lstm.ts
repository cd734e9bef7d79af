// Reference LSTM kernel: one direction of one layer over a whole (padded) sequence batch,
// forward and backward through time, in plain loops that mirror the equations. This code
// DEFINES correct behaviour; the WebAssembly kernel is tested against it. It deliberately
// leaves out input checking (done once at the nn/ boundary) and any speed trick beyond the two
// that shape the algorithm: x·Wihᵀ for all steps is one matrix product before the time loop,
// and the weight gradients are matrix products after it.
//
// dim key: T time, B batch, D input features, H cell size, P cell output size (projSize or H),
//          G = 4H gates in PyTorch order i, f, g, o. Buffers are time-major, indexed by time t.
//
//   i = σ(W_i x + U_i h + b_i [+ p_i ⊙ c_{t−1}])     (i ≡ 1 without input gate)
//   f = σ(W_f x + U_f h + b_f [+ p_f ⊙ c_{t−1}])     (f ≡ 1 without forget gate; f = 1 − i coupled)
//   g = φ(W_g x + U_g h + b_g)                         (φ = tanh, or identity: no input activation)
//   c = f ⊙ c_{t−1} + i ⊙ g
//   o = σ(W_o x + U_o h + b_o [+ p_o ⊙ c])            (o ≡ 1 without output gate)
//   r = o ⊙ ψ(c)                                       (ψ = tanh, or identity: no output activation)
//   h = r, or h = Whr·r with projection
// With clip, each bracket's sum is clamped to [−clip, clip] before σ/φ (ONNX semantics).

import type { Arr } from '../../tensor.js';
import { activation, activationGradFromOutput } from '../activations.js';
import type { LstmBackWork, LstmCache, LstmRun, LstmWeights } from '../types.js';
import { gemm } from './gemm.js';

/** Time index that row b processes at step s, or −1 when the row has already ended. */
function timeAt(run: LstmRun, b: number, s: number): number {
  const len = run.lengths === null ? run.dims.T : run.lengths[b];
  if (s >= len) return -1;
  return run.reverse ? len - 1 - s : s;
}

// out  y (T,B,P) — zero past each row's length;  hN (B,P)  cN (B,H)
// out  cache (see LstmCache)
// in   x (T,B,D)  h0 (B,P)  c0 (B,H)  w (one direction's weights)
export function lstmForward(y: Arr, hN: Arr, cN: Arr, cache: LstmCache, x: Arr, h0: Arr, c0: Arr, w: LstmWeights, run: LstmRun): void {
  const { T, B, D, H, P } = run.dims;
  const spec = run.spec;
  const G = 4 * H;
  const sg = activation(spec.gateAct);
  const phi = activation(spec.cellAct);
  const psi = activation(spec.hiddenAct);
  const clip = spec.clip;
  const clipped = Number.isFinite(clip);
  const { gates, pre, c, hPrev, r, hState, cState, rec, rStep, hStep } = cache;
  const peep = w.peep;

  // Input projection for every step at once: gates[t,b,:] = x[t,b,:]·Wihᵀ + b_ih + b_hh.
  gemm(gates, x, w.wih, T * B, G, D, false, true, false);
  for (let tb = 0; tb < T * B; tb++) {
    const z = tb * G;
    for (let k = 0; k < G; k++) gates[z + k] += w.bih[k] + w.bhh[k];
  }
  hState.set(h0);
  cState.set(c0);
  cache.c0.set(c0); // backward's c_{t−1} at each row's first step (later steps read c)
  y.fill(0);

  const clamp = (v: number): number => (v > clip ? clip : v < -clip ? -clip : v);

  for (let s = 0; s < T; s++) {
    // rec = h_{t−1}·Whhᵀ for every row (rows that have ended are computed and ignored)
    gemm(rec, hState, w.whh, B, G, P, false, true, false);
    for (let b = 0; b < B; b++) {
      const t = timeAt(run, b, s);
      if (t < 0) continue;
      const z = (t * B + b) * G; // gates[t,b,:]
      const ch = (t * B + b) * H; // c[t,b,:]
      const hp = (t * B + b) * P; // hPrev[t,b,:]
      for (let k = 0; k < P; k++) hPrev[hp + k] = hState[b * P + k];
      for (let j = 0; j < H; j++) {
        const cp = cState[b * H + j];
        let zi = gates[z + j] + rec[b * G + j];
        let zf = gates[z + H + j] + rec[b * G + H + j];
        let zg = gates[z + 2 * H + j] + rec[b * G + 2 * H + j];
        let zo = gates[z + 3 * H + j] + rec[b * G + 3 * H + j];
        if (peep !== null) {
          zi += peep[j] * cp;
          zf += peep[H + j] * cp;
        }
        if (pre !== null) {
          pre[z + j] = zi;
          pre[z + H + j] = zf;
          pre[z + 2 * H + j] = zg;
        }
        if (clipped) {
          zi = clamp(zi);
          zf = clamp(zf);
          zg = clamp(zg);
        }
        const i = spec.inputGate ? sg(zi) : 1;
        const f = spec.coupled ? 1 - i : spec.forgetGate ? sg(zf) : 1;
        const g = phi(zg);
        // c_t = f ⊙ c_{t−1} + i ⊙ g
        const ct = f * cp + i * g;
        if (peep !== null) zo += peep[2 * H + j] * ct;
        if (pre !== null) pre[z + 3 * H + j] = zo;
        if (clipped) zo = clamp(zo);
        const o = spec.outputGate ? sg(zo) : 1;
        // h_t = o ⊙ ψ(c_t)
        const a = psi(ct);
        gates[z + j] = i;
        gates[z + H + j] = f;
        gates[z + 2 * H + j] = g;
        gates[z + 3 * H + j] = o;
        c[ch + j] = ct;
        cState[b * H + j] = ct;
        if (r === null) hState[b * P + j] = o * a;
        else {
          r[ch + j] = o * a;
          rStep![b * H + j] = o * a;
        }
      }
    }
    if (r !== null) {
      // projection: h = r·Whrᵀ, only rows still running take it
      gemm(hStep!, rStep!, w.whr!, B, P, H, false, true, false);
      for (let b = 0; b < B; b++) {
        if (timeAt(run, b, s) < 0) continue;
        for (let k = 0; k < P; k++) hState[b * P + k] = hStep![b * P + k];
      }
    }
    for (let b = 0; b < B; b++) {
      const t = timeAt(run, b, s);
      if (t < 0) continue;
      const yo = (t * B + b) * P;
      for (let k = 0; k < P; k++) y[yo + k] = hState[b * P + k];
    }
  }
  hN.set(hState);
  cN.set(cState);
}

// out  g (gradients, ADDED into): wih (G,D) whh (G,P) bih bhh (G) whr (P,H) peep (3H)
// out  dx (T,B,D) ADDED into (both directions of a layer share it); dh0 (B,P), dc0 (B,H) overwritten
// in   dy (T,B,P)  dhN (B,P) | null  dcN (B,H) | null  cache from forward  x (T,B,D)  w
export function lstmBackward(
  g: LstmWeights, dx: Arr, dh0: Arr, dc0: Arr,
  dy: Arr, dhN: Arr | null, dcN: Arr | null, cache: LstmCache, work: LstmBackWork,
  x: Arr, w: LstmWeights, run: LstmRun,
): void {
  const { T, B, D, H, P } = run.dims;
  const spec = run.spec;
  const G = 4 * H;
  const dSg = activationGradFromOutput(spec.gateAct);
  const dPhi = activationGradFromOutput(spec.cellAct);
  const dPsi = activationGradFromOutput(spec.hiddenAct);
  const clip = spec.clip;
  const psi = activation(spec.hiddenAct);
  const { gates, pre, c, hPrev, r } = cache;
  const { dzStep, dhState, dcState, dhStep, drStep, dhRec, dhAll } = work;
  // dZ (T, B, G) takes the place of the gates: each step reads its gates, then writes its dZ there
  const dZ = gates;
  const peep = w.peep;
  const dpeep = g.peep;
  // gradient passes a clamp only where the pre-activation was inside [−clip, clip]
  const pass = (z: number): number => (pre === null || (pre[z] <= clip && pre[z] >= -clip) ? 1 : 0);

  // padded positions (t ≥ length) hold the input projection, never a gate: zero them so they add
  // nothing to the weight gradients
  zeroPadded(dZ, run, G);
  if (dhN !== null) dhState.set(dhN);
  else dhState.fill(0);
  if (dcN !== null) dcState.set(dcN);
  else dcState.fill(0);
  if (dhAll !== null) dhAll.fill(0);

  for (let s = T - 1; s >= 0; s--) {
    // dh of this step = gradient from the next step + gradient from the output y[t]
    dhStep.fill(0);
    for (let b = 0; b < B; b++) {
      const t = timeAt(run, b, s);
      if (t < 0) continue;
      const yo = (t * B + b) * P;
      for (let k = 0; k < P; k++) dhStep[b * P + k] = dhState[b * P + k] + dy[yo + k];
      if (dhAll !== null) for (let k = 0; k < P; k++) dhAll[yo + k] = dhStep[b * P + k];
    }
    // forward: h = r·Whrᵀ  →  dr = dh·Whr
    if (r !== null) gemm(drStep, dhStep, w.whr!, B, H, P, false, false, false);
    else drStep.set(dhStep);

    dzStep.fill(0);
    for (let b = 0; b < B; b++) {
      const t = timeAt(run, b, s);
      if (t < 0) continue;
      const z = (t * B + b) * G;
      const ch = (t * B + b) * H;
      // c_{t−1} as this row's step s saw it: c of its previous step, or c0 at its first
      const cpArr = s > 0 ? c : cache.c0;
      const cpo = s > 0 ? (timeAt(run, b, s - 1) * B + b) * H : b * H;
      for (let j = 0; j < H; j++) {
        const i = gates[z + j];
        const f = gates[z + H + j];
        const gg = gates[z + 2 * H + j];
        const o = gates[z + 3 * H + j];
        const ct = c[ch + j];
        const cp = cpArr[cpo + j];
        const a = psi(ct); // ψ(c_t), recomputed rather than saved: one (T, B, H) buffer less
        const dr = drStep[b * H + j];
        // forward: r = o ⊙ ψ(c)
        const dO = dr * a;
        let dc = dcState[b * H + j] + dr * o * dPsi(a);
        // forward: o = σ(zo [+ p_o ⊙ c])
        const dzo = spec.outputGate ? dO * dSg(o) * pass(z + 3 * H + j) : 0;
        if (peep !== null) {
          dc += dzo * peep[2 * H + j];
          dpeep![2 * H + j] += dzo * ct;
        }
        // forward: c = f ⊙ c_{t−1} + i ⊙ g
        let di = dc * gg;
        const df = dc * cp;
        const dg = dc * i;
        let dcp = dc * f;
        let dzf = 0;
        if (spec.coupled) di -= df; // forward: f = 1 − i
        else if (spec.forgetGate) dzf = df * dSg(f) * pass(z + H + j);
        const dzi = spec.inputGate ? di * dSg(i) * pass(z + j) : 0;
        const dzg = dg * dPhi(gg) * pass(z + 2 * H + j);
        if (peep !== null) {
          // forward: zi += p_i ⊙ c_{t−1},  zf += p_f ⊙ c_{t−1}
          dcp += dzi * peep[j] + dzf * peep[H + j];
          dpeep![j] += dzi * cp;
          dpeep![H + j] += dzf * cp;
        }
        const zs = b * G;
        dzStep[zs + j] = dzi;
        dzStep[zs + H + j] = dzf;
        dzStep[zs + 2 * H + j] = dzg;
        dzStep[zs + 3 * H + j] = dzo;
        dZ[z + j] = dzi;
        dZ[z + H + j] = dzf;
        dZ[z + 2 * H + j] = dzg;
        dZ[z + 3 * H + j] = dzo;
        dcState[b * H + j] = dcp;
      }
    }
    // forward: z += h_{t−1}·Whhᵀ  →  dh_{t−1} = dz·Whh (rows that had ended keep their dh)
    gemm(dhRec, dzStep, w.whh, B, P, G, false, false, false);
    for (let b = 0; b < B; b++) {
      if (timeAt(run, b, s) < 0) continue;
      for (let k = 0; k < P; k++) dhState[b * P + k] = dhRec[b * P + k];
    }
  }
  dh0.set(dhState);
  dc0.set(dcState);

  // Weight gradients for all steps at once (padded positions have dZ = 0).
  gemm(g.wih, dZ, x, G, D, T * B, true, false, true); //   dWih += dZᵀ·x
  gemm(g.whh, dZ, hPrev, G, P, T * B, true, false, true); // dWhh += dZᵀ·h_{t−1}
  gemm(dx, dZ, w.wih, T * B, D, G, false, false, true); //  dx   += dZ·Wih
  for (let tb = 0; tb < T * B; tb++) {
    const z = tb * G;
    for (let k = 0; k < G; k++) {
      g.bih[k] += dZ[z + k];
      g.bhh[k] += dZ[z + k];
    }
  }
  if (r !== null) gemm(g.whr!, dhAll!, r, P, H, T * B, true, false, true); // dWhr += dhᵀ·r
}

/** buf (T, B, n): zero the rows of time steps past each batch row's length. */
function zeroPadded(buf: Arr, run: LstmRun, n: number): void {
  const { T, B } = run.dims;
  const lengths = run.lengths;
  if (lengths === null) return;
  for (let b = 0; b < B; b++) {
    for (let t = lengths[b]; t < T; t++) buf.fill(0, (t * B + b) * n, (t * B + b + 1) * n);
  }
}
