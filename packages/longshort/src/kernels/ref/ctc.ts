// CTC forward–backward for ONE sequence, in log space: the reference that defines correct
// behaviour. Graves et al. 2006 ("Connectionist Temporal Classification", ICML), section 4.1,
// with alpha/beta kept as log-probabilities so that T in the thousands neither underflows nor
// needs the per-step rescaling of the paper. All arithmetic is float64 whatever the input dtype.
// Left out on purpose: input checks (done once in src/losses/ctc.ts), batching, reductions,
// and the "ctc_merge_repeated = false" variant of TensorFlow.
//
// T = valid time steps of this row, C = classes incl. blank, L = target length,
// S = 2L + 1 = extended target length (blank, l1, blank, l2, …, lL, blank)

type F64 = Float64Array;
type Arr = Float32Array | Float64Array;

const NEG_INF = -Infinity;

/** log(exp(a) + exp(b)) without overflow; exact when either side is -Infinity. */
export function logAddExp(a: number, b: number): number {
  if (a === NEG_INF) return b;
  if (b === NEG_INF) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

// out  logProbs (T,C) float64, log-softmax over C for each of the first T frames
// in   x        logits, frame t of this row at x[xOff + t*xStride + c]
export function logSoftmaxRows(logProbs: F64, x: Arr, xOff: number, xStride: number, T: number, C: number): void {
  for (let t = 0; t < T; t++) {
    const xt = xOff + t * xStride; // x[b,t,:]
    const lt = t * C; // logProbs[t,:]
    let m = NEG_INF;
    for (let c = 0; c < C; c++) if (x[xt + c] > m) m = x[xt + c];
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[xt + c] - m);
    const lse = m + Math.log(s);
    for (let c = 0; c < C; c++) logProbs[lt + c] = x[xt + c] - lse;
  }
}

// out  ext (S) extended target: blank at even s, label l_{(s-1)/2} at odd s
// in   labels[labelsOff .. labelsOff+L)
export function extendTarget(ext: Int32Array, labels: ArrayLike<number>, labelsOff: number, L: number, blank: number): void {
  ext[0] = blank;
  for (let i = 0; i < L; i++) {
    ext[2 * i + 1] = labels[labelsOff + i];
    ext[2 * i + 2] = blank;
  }
}

/** Frames a target needs at minimum: one per label plus one blank between each pair of equal neighbours. */
export function minFrames(labels: ArrayLike<number>, labelsOff: number, L: number): number {
  let n = L;
  for (let i = 1; i < L; i++) if (labels[labelsOff + i] === labels[labelsOff + i - 1]) n++;
  return n;
}

// out  alpha (T,S) log alpha_t(s): log-prob of all path prefixes 0..t that end in state s,
//      emission at t included
// in   logProbs (T,C)  ext (S)
// returns log p(target | x); -Infinity when no alignment fits in T frames (T = 0 and L = 0 gives 0)
export function ctcForward(alpha: F64, logProbs: F64, ext: Int32Array, T: number, C: number, S: number): number {
  if (T === 0) return S === 1 ? 0 : NEG_INF;
  alpha.fill(NEG_INF, 0, T * S);
  // a path starts in the leading blank or in the first label
  alpha[0] = logProbs[ext[0]];
  if (S > 1) alpha[1] = logProbs[ext[1]];
  for (let t = 1; t < T; t++) {
    const at = t * S; // alpha[t,:]
    const ap = at - S; // alpha[t-1,:]
    const lt = t * C; // logProbs[t,:]
    // states below S - 2(T - t) cannot reach the end in time; skipping them only saves work
    const sLo = Math.max(0, S - 2 * (T - t));
    const sHi = Math.min(S, 2 * t + 2); // and states above 2t+1 cannot be reached yet
    for (let s = sLo; s < sHi; s++) {
      // forward: alpha[t,s] = lp[t,ext[s]] + lse(alpha[t-1,s], alpha[t-1,s-1], alpha[t-1,s-2] if skip allowed)
      let a = alpha[ap + s];
      if (s >= 1) a = logAddExp(a, alpha[ap + s - 1]);
      // the skip over a blank is allowed only into a label that differs from the one before it:
      // between equal labels the blank is what keeps them from collapsing into one
      if (s >= 2 && ext[s] !== ext[0] && ext[s] !== ext[s - 2]) a = logAddExp(a, alpha[ap + s - 2]);
      alpha[at + s] = a === NEG_INF ? NEG_INF : a + logProbs[lt + ext[s]];
    }
  }
  const last = (T - 1) * S;
  return S > 1 ? logAddExp(alpha[last + S - 1], alpha[last + S - 2]) : alpha[last + S - 1];
}

// out  dlogits: ADDS gScale * dLoss/dlogits for frames 0..T-1 at dlogits[dOff + t*dStride + c]
// out  beta (T,S) log beta_t(s): log-prob of all path suffixes t+1..T-1 that continue from
//      state s at t, emission at t NOT included (so alpha + beta is the log-prob of every
//      complete path through (t, s))
// tmp  occ (C) per-class log occupancy at one frame
// in   alpha (T,S) from ctcForward  logProbs (T,C)  ext (S)  logLik = ctcForward's return (finite)
// loss = -logLik, so dLoss/dlogit[t,k] = softmax[t,k] - (1/p) * sum_{s: ext[s]=k} exp(alpha[t,s] + beta[t,s])
export function ctcBackward(
  dlogits: Arr, dOff: number, dStride: number, gScale: number,
  beta: F64, occ: F64,
  alpha: F64, logProbs: F64, ext: Int32Array, logLik: number,
  T: number, C: number, S: number,
): void {
  if (T === 0) return;
  beta.fill(NEG_INF, 0, T * S);
  const last = (T - 1) * S;
  // a path ends in the trailing blank or in the last label
  beta[last + S - 1] = 0;
  if (S > 1) beta[last + S - 2] = 0;
  for (let t = T - 2; t >= 0; t--) {
    const bt = t * S; // beta[t,:]
    const bn = bt + S; // beta[t+1,:]
    const ln = (t + 1) * C; // logProbs[t+1,:]
    const sHi = Math.min(S, 2 * t + 2);
    for (let s = Math.max(0, S - 2 * (T - t)); s < sHi; s++) {
      // mirror of the forward recursion: from s at t the path moves to s, s+1 or (skip) s+2 at t+1
      let b = beta[bn + s] + logProbs[ln + ext[s]];
      if (s + 1 < S) b = logAddExp(b, beta[bn + s + 1] + logProbs[ln + ext[s + 1]]);
      if (s + 2 < S && ext[s + 2] !== ext[0] && ext[s + 2] !== ext[s]) {
        b = logAddExp(b, beta[bn + s + 2] + logProbs[ln + ext[s + 2]]);
      }
      beta[bt + s] = b;
    }
  }
  for (let t = 0; t < T; t++) {
    const at = t * S; // alpha[t,:] and beta[t,:]
    const lt = t * C; // logProbs[t,:]
    const dt = dOff + t * dStride; // dlogits[b,t,:]
    occ.fill(NEG_INF, 0, C);
    for (let s = 0; s < S; s++) {
      const k = ext[s];
      occ[k] = logAddExp(occ[k], alpha[at + s] + beta[at + s]);
    }
    for (let k = 0; k < C; k++) {
      // forward: loss = -logLik, logProbs = logSoftmax(logits)
      dlogits[dt + k] += gScale * (Math.exp(logProbs[lt + k]) - Math.exp(occ[k] - logLik));
    }
  }
}
