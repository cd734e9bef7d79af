// The data the LSTM kernels exchange. Both kernels (ref, wasm) take exactly these structures,
// so the layer can switch between them without changing a line.
//
// dim key: T time steps, B batch rows, D input features, H cell size, P output size of the cell
//          (P = projSize when projecting, else H), G = 4H (gates i, f, g, o — PyTorch order).
// Every buffer is time-major and indexed by TIME, not by processing step: for the reverse
// direction and for right-padded rows the kernel maps its step s to time t itself.

import type { Arr } from '../tensor.js';
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

export interface LstmDims {
  T: number;
  B: number;
  D: number;
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

export interface LstmRun {
  dims: LstmDims;
  spec: LstmCellSpec;
  /** Valid steps per row (B entries in [1, T]); null = every row has T. */
  lengths: Int32Array | null;
  /** Process each row from its last valid step to its first (backward direction). */
  reverse: boolean;
}
