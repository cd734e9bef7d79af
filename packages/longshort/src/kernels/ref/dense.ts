// Reference kernels for the fully connected layer and for the standalone element-wise / softmax
// activations it can end in. Forward and backward sit side by side; backward ADDS into every
// gradient buffer (the caller zeroes them). Derivatives are written in terms of the cached
// OUTPUT y, so forward keeps no pre-activation copy. Left out: input checking (done once in nn/),
// fused kernels, and activations with parameters (leaky relu, prelu).
//
// dim key: M rows (N, or B·T for sequence input), I input features, O output features.
//   x (M, I)   W (O, I) PyTorch nn.Linear layout   b (O)   y (M, O)      y = act(x·Wᵀ + b)

import type { Arr } from '../../tensor.js';
import { gemm } from './gemm.js';
import { sigmoid } from '../activations.js';
import type { DenseActivation } from '../types.js';

export { DENSE_ACTIVATIONS, type DenseActivation } from '../types.js';

// ---------------------------------------------------------------------------------------------
// Activations on (rows, cols) blocks. `y` may be the same array as `x` (in place).

// out  y (rows, cols)
// in   x (rows, cols)
export function activationForward(y: Arr, x: Arr, rows: number, cols: number, fn: DenseActivation): void {
  const n = rows * cols;
  switch (fn) {
    case 'linear':
      if (y !== x) for (let i = 0; i < n; i++) y[i] = x[i];
      return;
    case 'relu':
      for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]);
      return;
    case 'softmax':
      for (let r = 0; r < rows; r++) {
        const o = r * cols; // x[r,:]
        // Subtracting the row maximum keeps exp from overflowing; softmax is shift-invariant.
        let max = -Infinity;
        for (let j = 0; j < cols; j++) if (x[o + j] > max) max = x[o + j];
        let sum = 0;
        for (let j = 0; j < cols; j++) {
          const e = Math.exp(x[o + j] - max);
          y[o + j] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let j = 0; j < cols; j++) y[o + j] *= inv;
      }
      return;
  }
}

// out  dx (rows, cols)  ADDED to
// in   dy (rows, cols)  y (rows, cols) the forward output
export function activationBackward(dx: Arr, dy: Arr, y: Arr, rows: number, cols: number, fn: DenseActivation): void {
  const n = rows * cols;
  switch (fn) {
    case 'linear':
      for (let i = 0; i < n; i++) dx[i] += dy[i];
      return;
    case 'relu':
      // forward: y = max(x, 0); the subgradient at x = 0 is taken as 0 (PyTorch does the same)
      for (let i = 0; i < n; i++) if (y[i] > 0) dx[i] += dy[i];
      return;
    case 'tanh':
      // forward: y = tanh(x)  →  dy/dx = 1 − y²
      for (let i = 0; i < n; i++) dx[i] += dy[i] * (1 - y[i] * y[i]);
      return;
    case 'sigmoid':
      // forward: y = σ(x)  →  dy/dx = y(1 − y)
      for (let i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1 - y[i]);
      return;
    case 'softmax':
      // forward: y_j = e^{x_j} / Σ_k e^{x_k}  →  dL/dx_j = y_j (dL/dy_j − Σ_k dL/dy_k · y_k)
      for (let r = 0; r < rows; r++) {
        const o = r * cols; // y[r,:]
        let dot = 0;
        for (let j = 0; j < cols; j++) dot += dy[o + j] * y[o + j];
        for (let j = 0; j < cols; j++) dx[o + j] += y[o + j] * (dy[o + j] - dot);
      }
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Dense: y = act(x·Wᵀ + b)

// out  y (M, O)
// in   x (M, I)  W (O, I)  b (O) or null
export function denseForward(
  y: Arr,
  x: Arr,
  W: Arr,
  b: Arr | null,
  M: number,
  I: number,
  O: number,
  act: DenseActivation,
): void {
  gemm(y, x, W, M, O, I, false, true, false); // y = x·Wᵀ
  if (b !== null) {
    for (let m = 0; m < M; m++) {
      const ym = m * O; // y[m,:]
      for (let o = 0; o < O; o++) y[ym + o] += b[o];
    }
  }
  if (act !== 'linear') activationForward(y, y, M, O, act);
}

// out  dx (M, I) or null, dW (O, I), db (O) or null — all ADDED to
// work dz (M, O) scratch for dL/d(pre-activation); unused (may be empty) when act is 'linear'
// in   dy (M, O)  x (M, I)  W (O, I)  y (M, O) the forward output
export function denseBackward(
  dx: Arr | null,
  dW: Arr,
  db: Arr | null,
  dz: Arr,
  dy: Arr,
  x: Arr,
  W: Arr,
  y: Arr,
  M: number,
  I: number,
  O: number,
  act: DenseActivation,
): void {
  // forward: y = act(z), z = x·Wᵀ + b
  let g = dy; // dL/dz
  if (act !== 'linear') {
    dz.fill(0, 0, M * O);
    activationBackward(dz, dy, y, M, O, act);
    g = dz;
  }
  gemm(dW, g, x, O, I, M, true, false, true); // dW += dzᵀ·x
  if (db !== null) {
    for (let m = 0; m < M; m++) {
      const gm = m * O; // dz[m,:]
      for (let o = 0; o < O; o++) db[o] += g[gm + o]; // db += Σ_m dz[m,:]
    }
  }
  if (dx !== null) gemm(dx, g, W, M, I, O, false, false, true); // dx += dz·W
}
