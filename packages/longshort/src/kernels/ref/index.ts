// The reference kernel family: every operation of the `Kernels` interface in plain TypeScript
// loops that mirror the equations (the files beside this one). It defines correct behaviour:
// every other family is tested against it (test/kernels/parity.test.ts). It owns no memory:
// alloc() returns ordinary arrays, which the garbage collector reclaims.

import { allocArr, type Arr, type DType } from '../../tensor.js';
import type { Kernels } from '../types.js';
import { gemm } from './gemm.js';
import { lstmBackward, lstmForward } from './lstm.js';
import { activationBackward, activationForward, denseBackward, denseForward } from './dense.js';
import { layernormBackward, layernormForward } from './layernorm.js';
import { ctcBackward, ctcForward, logSoftmaxRows } from './ctc.js';
import { adamUpdate, rmspropUpdate, sgdUpdate } from './optim.js';
import { swapAxes } from './layout.js';

/** The reference kernel family ('ref'): plain TypeScript, every dtype, no memory of its own; the one every other family is tested against. */
export const refKernels: Kernels = Object.freeze({
  name: 'ref',
  detail: 'TypeScript',
  threads: 1,
  alloc: (n: number, dtype: DType): Arr => allocArr(n, dtype),
  free: () => {},
  owns: () => false,
  swapAxes,
  gemm,
  lstmForward,
  lstmBackward,
  denseForward,
  denseBackward,
  activationForward,
  activationBackward,
  layerNormForward: layernormForward,
  layerNormBackward: layernormBackward,
  ctcLogSoftmax: logSoftmaxRows,
  ctcForward,
  ctcBackward,
  sgdUpdate,
  adamUpdate,
  rmspropUpdate,
});
