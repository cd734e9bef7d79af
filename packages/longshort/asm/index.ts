// Entry point of the WebAssembly kernels (compiled by scripts/build-wasm.mjs: plain SIMD and
// relaxed SIMD with fused multiply-add, each also as a threads build over shared memory). Every
// export works on byte offsets into the imported memory. src/kernels/wasm/exports.ts is the one
// table of these exports' names and parameters on the TypeScript side; it is checked against this
// module at load time, and against the compiler's typings by test/kernels/wasm.exports.test.ts.
export { gemm, gemmRows, gemmWorkspaceBytes } from './gemm';
export { syncBytes } from './split';
export { actArray } from './activations';
export { lstmForward, lstmForwardWsBytes, lstmForwardCols, lstmForwardColsWsBytes, lstmBackward, lstmBackwardWsBytes } from './lstm';
export { biasAct, actBackward, colSumAdd } from './dense';
export { layerNormForward, layerNormBackward } from './layernorm';
export { sgdUpdate, adamUpdate, rmspropUpdate } from './optim';

/** First byte the TypeScript arena may use: everything below holds this module's static data. */
export function heapBase(): usize {
  return __heap_base;
}
