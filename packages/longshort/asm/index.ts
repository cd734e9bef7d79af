// Entry point of the WebAssembly kernels (compiled by scripts/build-wasm.mjs: plain SIMD and
// relaxed SIMD with fused multiply-add, each also as a threads build over shared memory, whose
// lstmForwardPart lets two threads share one LSTM call). Everything here works on byte offsets into the
// imported memory; src/kernels/wasm/ owns the memory and the TypeScript-facing signatures.
export { gemm, gemmWorkspaceBytes, packedBBytes } from './gemm';
export { actArray } from './activations';
export { lstmForward, lstmForwardWsBytes, lstmForwardPart, lstmForwardPartWsBytes, lstmBackward, lstmBackwardWsBytes } from './lstm';

/** First byte the TypeScript arena may use: everything below holds this module's static data. */
export function heapBase(): usize {
  return __heap_base;
}
