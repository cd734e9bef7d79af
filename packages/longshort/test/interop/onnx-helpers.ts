// Shared helpers for the ONNX and PyTorch interop tests: seeded random inputs and an ONNX Runtime
// session run that returns plain Float32Arrays, plus a max-abs-difference measure.
import * as ort from 'onnxruntime-node';
import { Tensor } from '../../src/tensor.js';
import { Rng } from '../../src/util/rng.js';

export function rand(shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  const rng = new Rng(seed);
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniform(lo, hi);
  return new Tensor(data, shape);
}

export type OrtFeed = Record<string, { data: Float32Array | Int32Array | BigInt64Array; dims: readonly number[] }>;

/** Run the model bytes in onnxruntime-node; returns every graph output as { data, dims }. */
export async function runOrt(bytes: Uint8Array, feed: OrtFeed): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feed)) {
    const type = v.data instanceof Float32Array ? 'float32' : v.data instanceof Int32Array ? 'int32' : 'int64';
    feeds[k] = new ort.Tensor(type, v.data, [...v.dims]);
  }
  const r = await session.run(feeds);
  const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const [k, v] of Object.entries(r)) out[k] = { data: v.data as Float32Array, dims: v.dims };
  await session.release();
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
