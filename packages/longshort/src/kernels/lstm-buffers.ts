// The arrays an LSTM direction needs besides its weights — the forward pass's cache (what backward
// reads) and backward's scratch — allocated from any allocator (a kernel family's memory through
// a Workspace, or ordinary arrays), with the sizes every family agrees on (src/kernels/types.ts).
//
// dim key: T time, B batch, H cell size, P cell output size, G = 4H.

import type { Arr } from '../tensor.js';
import type { LstmBackWork, LstmCache, LstmDims } from './types.js';

export type AllocFn = (n: number) => Arr;

/** The forward cache; `projected` adds r, rStep, hStep; `clipped` adds the pre-activations. */
export function allocLstmCache(alloc: AllocFn, dims: LstmDims, projected: boolean, clipped: boolean): LstmCache {
  const { T, B, H, P } = dims;
  const G = 4 * H;
  return {
    gates: alloc(T * B * G),
    pre: clipped ? alloc(T * B * G) : null,
    c0: alloc(B * H),
    c: alloc(T * B * H),
    hPrev: alloc(T * B * P),
    r: projected ? alloc(T * B * H) : null,
    hState: alloc(B * P),
    cState: alloc(B * H),
    rec: alloc(B * G),
    rStep: projected ? alloc(B * H) : null,
    hStep: projected ? alloc(B * P) : null,
  };
}

/** Backward's scratch; dhAll (T, B, P) only with projection. */
export function allocLstmBackWork(alloc: AllocFn, dims: LstmDims, projected: boolean): LstmBackWork {
  const { T, B, H, P } = dims;
  const G = 4 * H;
  return {
    dzStep: alloc(B * G),
    dhState: alloc(B * P),
    dcState: alloc(B * H),
    dhStep: alloc(B * P),
    drStep: alloc(B * H),
    dhRec: alloc(B * P),
    dhAll: projected ? alloc(T * B * P) : null,
  };
}
