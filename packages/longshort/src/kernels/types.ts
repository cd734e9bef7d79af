// The kernel interface: every operation a model runs, as one `Kernels` object per kernel family
// (ref: plain TypeScript, the definition of correct behaviour; wasm: WebAssembly SIMD; native:
// a Node addon), plus the data the operations exchange. A model picks one family when it is built
// and calls nothing else, so families are interchangeable; test/kernels/parity.test.ts runs one
// table of cases against every registered family. docs/kernels.md describes the contract in full.
//
// Memory: a family may own memory (WebAssembly memory, native memory). alloc() hands out arrays
// in it that stay valid and in place for their whole life (never moved, never detached), so
// layers keep parameters, gradients, optimizer state and activations there and every call uses
// them without copying. An operation also accepts ordinary arrays (a user's tensor, another
// family's buffer): those are copied in and out around the call. float64 arrays always work and
// always run the reference arithmetic (gradient checks).
//
// dim key (LSTM): T time steps, B batch rows, D input features, H cell size, P output size of the
//          cell (P = projSize when projecting, else H), G = 4H (gates i, f, g, o — PyTorch order).
// Every LSTM buffer is time-major and indexed by TIME, not by processing step: for the reverse
// direction and for right-padded rows the kernel maps its step s to time t itself.

import type { Arr, DType } from '../tensor.js';
import type { ActivationName } from './activations.js';

/** What the cell computes: the classic LSTM by default, or one of Greff et al.'s variants. */
export interface LstmCellSpec {
  /** σ in the gate equations (PyTorch: sigmoid; Keras may use hardSigmoid). */
  gateAct: ActivationName;
  /** Activation of the candidate g (tanh; 'identity' = "no input activation"). */
  cellAct: ActivationName;
  /** Activation applied to c before the output gate (tanh; 'identity' = "no output activation"). */
  hiddenAct: ActivationName;
  /** false: i ≡ 1 ("no input gate"). */
  inputGate: boolean;
  /** false: f ≡ 1 ("no forget gate"). */
  forgetGate: boolean;
  /** false: o ≡ 1 ("no output gate"). */
  outputGate: boolean;
  /** Coupled input–forget gate: f = 1 − i (ONNX input_forget=1; Greff's CIFG). */
  coupled: boolean;
  /** Peephole weights from c into i, f (c_{t−1}) and o (c_t). */
  peephole: boolean;
  /** Clamp every gate pre-activation to [−clip, clip] (ONNX `clip`); Infinity = off. */
  clip: number;
}

export const DEFAULT_CELL: Readonly<LstmCellSpec> = Object.freeze({
  gateAct: 'sigmoid',
  cellAct: 'tanh',
  hiddenAct: 'tanh',
  inputGate: true,
  forgetGate: true,
  outputGate: true,
  coupled: false,
  peephole: false,
  clip: Infinity,
});

/** Sizes of one LSTM kernel call (one direction of one layer). */
export interface LstmDims {
  /** Time steps. */
  T: number;
  /** Batch rows. */
  B: number;
  /** Input size. */
  D: number;
  /** Hidden (cell) size. */
  H: number;
  /** Output size of the cell: projSize, or H without projection. */
  P: number;
}

/** One direction of one layer. Names follow PyTorch's state dict. */
export interface LstmWeights {
  wih: Arr; //  (G, D)  weight_ih
  whh: Arr; //  (G, P)  weight_hh
  bih: Arr; //  (G)     bias_ih
  bhh: Arr; //  (G)     bias_hh
  whr: Arr | null; // (P, H) weight_hr, only with projection
  peep: Arr | null; // (3H) peephole weights in order i, f, o, only with peepholes
}

/** What forward leaves for backward, plus the forward's own scratch. Allocate with allocLstmCache. */
export interface LstmCache {
  /** (T, B, G) post-activation i, f, g, o (1 for a disabled gate). Backward CONSUMES it: it
   * overwrites each step's gates with that step's dLoss/d(pre-activations) (dZ), which the weight
   * gradients then read — one (T, B, 4H) buffer instead of two. Run forward again before another backward. */
  gates: Arr;
  pre: Arr | null; // (T, B, G) pre-activations before clipping, only when clip is finite
  c0: Arr; //     (B, H) c_0 as forward received it (backward's c_{t−1} at each row's first step)
  c: Arr; //      (T, B, H) c_t
  hPrev: Arr; //  (T, B, P) h_{t−1} as the step at time t saw it
  r: Arr | null; // (T, B, H) o ⊙ hiddenAct(c_t) before projection, only with projection
  // scratch
  hState: Arr; // (B, P)
  cState: Arr; // (B, H)
  rec: Arr; //    (B, G) h_{t−1}·Whhᵀ of the current step
  rStep: Arr | null; // (B, H) projection input of the current step
  hStep: Arr | null; // (B, P) projection output of the current step
}

/** Scratch for backward. Allocate with allocLstmBackWork. */
export interface LstmBackWork {
  dzStep: Arr; // (B, G)
  dhState: Arr; // (B, P)
  dcState: Arr; // (B, H)
  dhStep: Arr; // (B, P)
  drStep: Arr; // (B, H)
  dhRec: Arr; //  (B, P)
  dhAll: Arr | null; // (T, B, P) dLoss/dh per step, only with projection (for dWhr)
}

/** What an LSTM kernel call (lstmForward, lstmBackward) runs: sizes, cell options, row lengths and direction. */
export interface LstmRun {
  /** Sizes T, B, D, H, P. */
  dims: LstmDims;
  /** Gates, activations, peepholes and clipping of the cell. */
  spec: LstmCellSpec;
  /** Valid steps per row (B entries in [1, T]); null = every row has T. */
  lengths: Int32Array | null;
  /** Process each row from its last valid step to its first (backward direction). */
  reverse: boolean;
}

/** Activations a Dense layer (or an Activation layer) may end in; 'softmax' normalises over the last dimension. */
export type DenseActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'softmax';

export const DENSE_ACTIVATIONS: readonly DenseActivation[] = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'];

/** The scalars of one SGD step (torch.optim.SGD): see sgdUpdate. */
export interface SgdStep {
  lr: number;
  /** λ, L2 weight decay added to the gradient. */
  weightDecay: number;
  /** μ; 0 = no momentum buffer. */
  momentum: number;
  /** 1 − τ (dampening). */
  damp1: number;
  nesterov: boolean;
  /** The first step (the momentum buffer starts as the gradient). */
  first: boolean;
}

/** The scalars of one Adam/AdamW step (torch.optim.Adam, AdamW) at step t: see adamUpdate. */
export interface AdamStep {
  /** lr / (1 − β1^t) */
  stepSize: number;
  /** √(1 − β2^t) */
  bc2Sqrt: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** AdamW's decoupled decay factor 1 − lr·λ (1: none). */
  decay: number;
  /** Adam's L2 term λ added to the gradient (0: none). */
  l2: number;
}

/** The scalars of one RMSprop step (torch.optim.RMSprop): see rmspropUpdate. */
export interface RmspropStep {
  lr: number;
  alpha: number;
  eps: number;
  momentum: number;
  weightDecay: number;
}

/**
 * A kernel family's name: 'ref' (plain TypeScript, always there; float64 layers always use it),
 * 'wasm' (WebAssembly SIMD, when built and loaded), 'native' (a native addon, when built and loaded).
 */
export type KernelName = 'ref' | 'wasm' | 'native';

/**
 * Every operation a model runs. Conventions for all of them: arrays are row-major with the sizes
 * the arguments give (an array may be longer; only the stated prefix is read or written); "ADDED
 * into" means the result is added to what the array holds (gradients build up; callers zero
 * them); everything else written is overwritten; null stands for an absent optional array.
 * Float64 arrays run the reference arithmetic. No operation checks its inputs: layers validate
 * once at their boundary. No operation allocates in proportion to its inputs after its first call
 * with a given shape (scratch is kept by the family).
 */
export interface Kernels {
  readonly name: KernelName;
  /** What runs, for people: e.g. 'TypeScript', 'relaxed-simd, shared memory'. */
  readonly detail: string;
  /** Threads one call may use (1 unless the family was created with more). */
  readonly threads: number;

  // ---------------------------------------------------------------- memory

  /**
   * n zeroed elements in this family's memory, stable for the array's whole life. The memory comes
   * back when the array is garbage-collected, or at once with free(). float64, and families
   * without memory of their own, return ordinary arrays.
   */
  alloc(n: number, dtype: DType): Arr;
  /** Give alloc()'s memory back now; the array must not be used afterwards. Ignores other arrays. */
  free(a: Arr): void;
  /** True when `a` lives in this family's memory (calls use it in place; other arrays are copied). */
  owns(a: Arr): boolean;

  // ---------------------------------------------------------------- layout

  /** dst (B, A, F) ← src (A, B, F): the first two axes swapped, e.g. batch-first ↔ time-major (dst and src must not overlap). */
  swapAxes(dst: Arr, src: Arr, A: number, B: number, F: number): void;

  // ---------------------------------------------------------------- matrix product

  /** C (M,N) (+)= op(A)·op(B): A (M,K) or, transA, (K,M); B (K,N) or, transB, (N,K); accumulate: add into C. */
  gemm(C: Arr, A: Arr, B: Arr, M: number, N: number, K: number, transA: boolean, transB: boolean, accumulate: boolean): void;

  // ---------------------------------------------------------------- LSTM (one direction of one layer, whole sequence)

  /**
   * out y (T,B,P) (zero past each row's length), hN (B,P), cN (B,H), cache (see LstmCache);
   * in x (T,B,D), h0 (B,P), c0 (B,H), w (one direction's weights), run.
   */
  lstmForward(y: Arr, hN: Arr, cN: Arr, cache: LstmCache, x: Arr, h0: Arr, c0: Arr, w: LstmWeights, run: LstmRun): void;
  /**
   * out g (weight gradients, ADDED into), dx (T,B,D) ADDED into (both directions of a layer share
   * it), dh0 (B,P), dc0 (B,H) overwritten; in dy (T,B,P), dhN (B,P) | null, dcN (B,H) | null, the
   * cache from lstmForward (CONSUMED: its gates become their gradients), work, x (T,B,D), w.
   */
  lstmBackward(g: LstmWeights, dx: Arr, dh0: Arr, dc0: Arr, dy: Arr, dhN: Arr | null, dcN: Arr | null, cache: LstmCache, work: LstmBackWork, x: Arr, w: LstmWeights, run: LstmRun): void;

  // ---------------------------------------------------------------- dense layer and activations

  /** y (M,O) = act(x (M,I)·Wᵀ + b): W (O,I), b (O) or null. */
  denseForward(y: Arr, x: Arr, W: Arr, b: Arr | null, M: number, I: number, O: number, act: DenseActivation): void;
  /**
   * dx (M,I) or null, dW (O,I), db (O) or null, all ADDED into; dz (M,O) scratch (unused for
   * 'linear'); in dy (M,O), x, W, and y (M,O), the forward's output.
   */
  denseBackward(dx: Arr | null, dW: Arr, db: Arr | null, dz: Arr, dy: Arr, x: Arr, W: Arr, y: Arr, M: number, I: number, O: number, act: DenseActivation): void;
  /** y (rows,cols) = act(x); 'softmax' over each row; y may be x. */
  activationForward(y: Arr, x: Arr, rows: number, cols: number, act: DenseActivation): void;
  /** dx (rows,cols) ADDED into: dy ⊙ act'(x), written through the forward output y. */
  activationBackward(dx: Arr, dy: Arr, y: Arr, rows: number, cols: number, act: DenseActivation): void;

  // ---------------------------------------------------------------- layer normalisation (last dimension)

  /** y (M,C), mean (M), rstd (M) from x (M,C); w, b (C) or null (no affine). */
  layerNormForward(y: Arr, mean: Arr, rstd: Arr, x: Arr, w: Arr | null, b: Arr | null, M: number, C: number, eps: number): void;
  /** dx (M,C), dw, db (C) or null, all ADDED into; in dy, x, the forward's mean and rstd, w. */
  layerNormBackward(dx: Arr, dw: Arr | null, db: Arr | null, dy: Arr, x: Arr, mean: Arr, rstd: Arr, w: Arr | null, M: number, C: number): void;

  // ---------------------------------------------------------------- CTC (one sequence, log space, float64 work arrays)

  /** logProbs (T,C) float64 = log-softmax of frames t < T, frame t at x[xOff + t·xStride + c]. */
  ctcLogSoftmax(logProbs: Float64Array, x: Arr, xOff: number, xStride: number, T: number, C: number): void;
  /** alpha (T,S) log α; returns log p(target | x) (−Infinity when no alignment fits). ext (S): the blank-extended target. */
  ctcForward(alpha: Float64Array, logProbs: Float64Array, ext: Int32Array, T: number, C: number, S: number): number;
  /** ADDS gScale·dLoss/dlogits of frames t < T at dlogits[dOff + t·dStride + c]; beta (T,S), occ (C) scratch. */
  ctcBackward(
    dlogits: Arr, dOff: number, dStride: number, gScale: number, beta: Float64Array, occ: Float64Array,
    alpha: Float64Array, logProbs: Float64Array, ext: Int32Array, logLik: number, T: number, C: number, S: number,
  ): void;

  // ---------------------------------------------------------------- optimizer updates (one parameter tensor, in place)

  /** p (n) −= lr·d with d from g and weight decay, through the momentum buffer buf (n) or null. */
  sgdUpdate(p: Arr, g: Arr, buf: Arr | null, n: number, s: SgdStep): void;
  /** Adam/AdamW on p (n) with moments m, v (n) and the AMSGrad maximum vmax (n) or null. */
  adamUpdate(p: Arr, g: Arr, m: Arr, v: Arr, vmax: Arr | null, n: number, s: AdamStep): void;
  /** RMSprop on p (n) with the square average sq (n), momentum buffer buf and centred average gavg (n) or null. */
  rmspropUpdate(p: Arr, g: Arr, sq: Arr, buf: Arr | null, gavg: Arr | null, n: number, s: RmspropStep): void;
}
