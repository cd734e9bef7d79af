// longshort for Node.js: everything in the browser-safe core plus files (atomic model saves,
// checked loads). Importing this module also lets model.save(path) write files.
import { setFileSaver } from './nn/sequential.js';
import { saveModel } from './io/model-node.js';
import { loadWasmKernels as loadWasmKernelsNow } from './kernels/wasm/node.js';

export * from './index.js';
export { saveModel, loadModel, loadModelFile } from './io/model-node.js';
export { writeFileAtomic, writeFileAtomicSync, readFileChecked, readFileCheckedSync, saveSafetensors, loadSafetensors, removeStaleTempFiles, removeStaleTempFilesSync } from './io/node.js';

export { createThreadPool, ThreadPool, type ThreadPoolOptions } from './train/threads-node.js';
export { loadWasmKernels } from './kernels/wasm/node.js';
export { createWasmKernelsThreaded } from './kernels/wasm/threads-node.js';
export { loadTfjsModelFromFile } from './interop/tfjs-node.js';
export * from './plot/index.js';
export * from './plot/node.js';

setFileSaver(saveModel);

// In Node the WebAssembly SIMD kernels load at import (synchronously), so getKernels('auto') and
// new layers use them; without a build (npm run build:wasm) the reference kernels run instead.
try {
  loadWasmKernelsNow();
} catch {
  // build/wasm missing: stay on the reference kernels
}
