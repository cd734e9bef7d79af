// A ThreadPool worker (see ./threads-node.ts): holds a replica of the model, copies the shared
// weights in before each batch, runs its rows forward and backward, and writes its gradient into
// its shared region. Messages in order, one batch at a time.

import { parentPort } from 'node:worker_threads';
import { Tensor } from '../tensor.js';
import { Rng } from '../util/rng.js';
import { Sequential } from '../nn/sequential.js';
import { LSTM } from '../nn/lstm.js';
import { loadWasmKernels } from '../kernels/wasm/node.js';
import { localBatch } from './fit.js';
import { gatherInts, gatherRows } from './batch.js';
import { resolveLoss, type LossName, type LossOptions } from './losses.js';
import type { PoolReply, PoolRequest } from './threads-node.js';

const port = parentPort!;
let model: Sequential | null = null;
let weights: Float32Array;
let grads: Float32Array;
const data = new Map<number, { x: Tensor; y: Tensor; lengths: Int32Array | null }>();

const reply = (m: PoolReply) => port.postMessage(m);

port.on('message', (m: PoolRequest) => {
  try {
    if (m.type === 'init') {
      if (m.kernels !== 'ref') loadWasmKernels();
      model = Sequential.fromBytes(m.modelBytes);
      if (m.kernels !== 'auto') for (const { layer } of model.layers) if (layer instanceof LSTM) layer.useKernels(m.kernels as 'ref' | 'wasm');
      weights = new Float32Array(m.weights);
      grads = new Float32Array(m.grads);
      reply({ type: 'ready' });
    } else if (m.type === 'data') {
      data.set(m.id, {
        x: new Tensor(new Float32Array(m.x), m.xShape),
        y: new Tensor(new Float32Array(m.y), m.yShape),
        lengths: m.lengths === null ? null : new Int32Array(m.lengths),
      });
    } else if (m.type === 'batch') {
      const d = data.get(m.data)!;
      const params = model!.params();
      let off = 0;
      for (const p of params) {
        p.value.set(weights.subarray(off, off + p.value.length));
        off += p.value.length;
      }
      const loss = resolveLoss(m.lossName as LossName, m.lossOptions as LossOptions | undefined);
      const result = localBatch(
        model!, loss.fn, loss.classification,
        gatherRows(d.x, m.rows), gatherRows(d.y, m.rows), d.lengths === null ? undefined : gatherInts(d.lengths, m.rows),
        new Rng(m.seed),
      );
      off = 0;
      for (const p of params) {
        grads.set(p.grad, off);
        off += p.grad.length;
      }
      reply({ type: 'result', result });
    } else if (m.type === 'close') {
      port.close();
    }
  } catch (e) {
    reply({ type: 'error', message: (e as Error).message });
  }
});
