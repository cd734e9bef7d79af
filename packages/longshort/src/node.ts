// longshort for Node.js: everything in the browser-safe core plus files (atomic model saves,
// checked loads), threads and the kernel families loaded at import (the native addon where this
// platform has one, the WebAssembly kernels). Its Sequential is the one
// whose model.save(path) writes files (src/model/sequential-node.ts).
import { loadKernels } from './kernels/node.js';

export * from './index.js';
export { Sequential, loadModel, loadModelFile } from './model/sequential-node.js';
export { saveModel } from './io/model-node.js';
export { writeFileAtomic, writeFileAtomicSync, readFileChecked, readFileCheckedSync, saveSafetensors, loadSafetensors, removeStaleTempFiles, removeStaleTempFilesSync } from './io/node.js';

export { createThreadPool, ThreadPool, type ThreadPoolOptions, type TrainingThreads } from './train/threads-node.js';
export { loadWasmKernels } from './kernels/wasm/node.js';
export { loadKernels } from './kernels/node.js';
export { loadNativeKernels, createNativeKernelsWith, nativeLoadError } from './kernels/native/node.js';
export type { NativeKernels, NativeKernelOptions } from './kernels/native/index.js';
export { createWasmKernelsThreaded, type ThreadedKernelOptions } from './kernels/wasm/threads-node.js';
export { loadTfjsModelFromFile } from './interop/tfjs-node.js';
export type { ByteSource } from './io/node.js';

// In Node the kernel families load at import (synchronously), so getKernels('auto') and new layers
// use the fastest (native, then wasm); without a build (npm run build:wasm) and no addon for this
// platform the reference kernels run instead.
loadKernels();
