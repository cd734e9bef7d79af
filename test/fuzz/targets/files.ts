// Fuzz targets for the model loaders: longshort model files (and checkpoints), PyTorch state dicts,
// ONNX graphs and TensorFlow.js Layers models. Each case is a real file with one structured
// mutation (an architecture number, a header field, a dtype, an offset, nesting, an attribute, NaN
// weights) or byte damage. A model that loads must also run: predict on a small input, and for a
// checkpoint, resume training for one epoch.

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequential, Tensor, Embedding, LSTM, Dense, LayerNorm } from '../../../packages/longshort/dist/index.js';
import { modelFromBytes } from '../../../packages/longshort/dist/io/model.js';
import { loadPytorchSafetensors } from '../../../packages/longshort/dist/interop/pytorch.js';
import { importOnnx } from '../../../packages/longshort/dist/interop/onnx.js';
import { loadTfjsModel } from '../../../packages/longshort/dist/interop/tfjs.js';
import { loadTfjsModelFromFile } from '../../../packages/longshort/dist/interop/tfjs-node.js';
import { decodeModelProto, encodeModelProto, type ModelProto } from '../../../packages/longshort/dist/interop/onnx-schema.js';
import type { Rng } from '../../../packages/longshort/dist/util/rng.js';
import { longshortFiles, onnxFiles, pytorchFiles, tfjsModels, type TfjsSeed } from '../corpus.js';
import { Deep, mutateBytes, mutateJson, mutateSafetensors, pick, poisonFloats, toJson } from '../mutate.js';
import type { FuzzTarget } from '../target.js';

/** Run a loaded model once on a tiny input (B = 2, T = 3), batch-first, as predict() would. */
export function exercise(model: Sequential): void {
  model.summary();
  const first = model.layers[0].layer;
  let x: Tensor;
  if (first instanceof Embedding) x = new Tensor(Float32Array.from({ length: 6 }, (_, k) => k % first.numEmbeddings), [2, 3]);
  else {
    const F = first instanceof LSTM || first instanceof Dense ? first.inputSize : first instanceof LayerNorm ? first.normalizedShape : 1;
    if (F > 4096) return; // a legitimately wide input: not worth the time here
    x = new Tensor(Float32Array.from({ length: 6 * F }, (_, k) => Math.sin(k)), [2, 3, F]);
  }
  const batchFirst = model.layers.every(({ layer }) => (layer as { batchFirst?: boolean }).batchFirst !== false);
  if (batchFirst) model.predict(x, { lengths: [3, 2] });
}

const ARCH = /Size|size|numLayers|layers|normalizedShape|numEmbeddings|embeddingDim|proj|bidirectional|batchFirst|dtype|kind|name|config|epoch|history|step|spare|\bs\b|\$array|\$number|slots|params|length|version|format|training|optimizer|scheduler|best/;

export const modelFilesTarget: FuzzTarget = {
  name: 'model',
  about: 'longshort model files and checkpoints (modelFromBytes, then predict; a checkpoint resumes one epoch)',
  weight: 1,
  async setup() {
    await longshortFiles();
  },
  async make(rng: Rng) {
    const seeds = await longshortFiles();
    const k = rng.int(seeds.length);
    const bytes = mutateSafetensors(seeds[k], rng, 'longshort', ARCH);
    return {
      bytes: bytes.length,
      label: `seed ${k}`,
      run: async () => {
        const f = modelFromBytes(bytes);
        exercise(f.model);
        if (f.training !== null) {
          // resume: the state must be usable by fit(), or have been refused when the file was read
          const pred = f.model.predict(new Tensor(new Float32Array(2 * 3 * 2), [2, 3, 2]));
          const y = new Tensor(new Float32Array(pred.shape[0]), [pred.shape[0]]);
          await f.model.fit(new Tensor(new Float32Array(2 * 3 * 2).fill(0.5), [2, 3, 2]), y, { loss: 'crossEntropy', epochs: Math.min(f.training.epoch + 1, 50), batchSize: 2, resume: f.training });
        }
      },
    };
  },
};

export const pytorchTarget: FuzzTarget = {
  name: 'pytorch',
  about: 'PyTorch state dicts as safetensors, with the architecture JSON as an argument or in the metadata (loadPytorchSafetensors)',
  weight: 1,
  async setup() {},
  make(rng: Rng) {
    const seeds = pytorchFiles();
    const k = rng.int(seeds.length);
    const seed = seeds[k];
    let bytes = seed.bytes;
    let arch = seed.arch;
    const what = rng.int(3);
    if (what === 0 && arch !== null) arch = toJson(mutateJson(JSON.parse(arch), rng, /size|layers|proj|features|bias|bidirectional|prefixes|lstm|head|applies|activation/));
    else bytes = mutateSafetensors(bytes, rng, 'longshort.architecture', /size|layers|proj|features|bias|bidirectional|prefixes/);
    if (what === 2 && rng.int(2) === 0) arch = null; // read from names and shapes
    return {
      bytes: bytes.length + (arch?.length ?? 0),
      label: `seed ${k}${arch === null ? ', architecture from the file' : ''}`,
      run: () => exercise(loadPytorchSafetensors(bytes, arch ?? undefined)),
    };
  },
};

/** One structured change to a decoded ONNX model: dims, dtypes, raw data, attributes, ops, wiring, opset. */
function mutateOnnx(src: Uint8Array, rng: Rng): Uint8Array {
  if (rng.int(4) === 0) return mutateBytes(src, rng);
  const m = decodeModelProto(src) as ModelProto;
  const g = m.graph!;
  const inits = g.initializer ?? [];
  const nodes = g.node ?? [];
  const t = inits.length > 0 ? pick(rng, inits) : null;
  const node = nodes.length > 0 ? pick(rng, nodes) : null;
  switch (rng.int(12)) {
    case 0: if (t) t.dims = pick(rng, [[2 ** 40, 2 ** 40], [-3, 4], [], [0], [2 ** 31], [...(t.dims ?? []), 1]]); break;
    case 1: if (t) t.data_type = pick(rng, [0, 2, 6, 7, 10, 11, 16, 99]); break;
    case 2: if (t?.raw_data) t.raw_data = t.raw_data.subarray(0, Math.max(0, t.raw_data.length - 1 - rng.int(8))); break;
    case 3: if (t?.raw_data) t.raw_data = poisonFloats(t.raw_data, 0, t.raw_data.length, rng, 1 + rng.int(2)); break;
    case 4: {
      // attribute values: hidden_size, direction (incl. empty), activations, clip, layout, alpha/beta
      const a = node?.attribute?.length ? pick(rng, node.attribute) : null;
      if (a) {
        // by the attribute's declared type (protobufjs fills unset fields with defaults)
        if (a.type === 3) a.s = new TextEncoder().encode(pick(rng, ['', 'sideways', 'forward', 'reverse', 'bidirectional', 'x'.repeat(1000)]));
        else if (a.type === 1) a.f = pick(rng, [NaN, Infinity, -1, 0, 1e30]);
        else if (a.type === 2) a.i = pick(rng, [0, -1, 2 ** 31, 2 ** 50, 3]);
        else if (a.type === 8) a.strings = (a.strings ?? []).slice(0, rng.int((a.strings?.length ?? 0) + 1));
        else if (a.type === 6) a.floats = (a.floats ?? []).map((f) => (rng.int(2) === 0 ? NaN : f));
        else a.type = pick(rng, [0, 1, 2, 3, 7, 11]);
      }
      break;
    }
    case 5: if (node) node.attribute = [...(node.attribute ?? []), pick(rng, [{ name: 'direction', type: 3, s: new Uint8Array(0) }, { name: 'alpha', type: 1, f: NaN }, { name: 'beta', type: 1, f: Infinity }, { name: 'hidden_size', type: 2, i: 2 ** 31 }, { name: 'layout', type: 2, i: 1 }, { name: 'clip', type: 1, f: -1 }])]; break;
    case 6: if (node) node.op_type = pick(rng, ['', 'Loop', 'Scan', 'If', 'Conv', 'GRU', 'Gemm', 'MatMul']); break;
    case 7: if (node) node.input = (node.input ?? []).map((i) => (rng.int(2) === 0 ? `${i}_missing` : i)); break;
    case 8: if (rng.int(2) === 0) g.output = []; else g.input = []; break;
    case 9: if (m.opset_import?.[0]) m.opset_import[0].version = pick(rng, [0, 1, 6, 7, 14, 22, 10 ** 6]); break;
    case 10: if (node && nodes.length > 0) g.node = [...nodes, ...nodes]; break;
    default: if (t) t.name = pick(rng, ['', inits[0]?.name ?? 'x', 'input']);
  }
  return encodeModelProto(m);
}

export const onnxTarget: FuzzTarget = {
  name: 'onnx',
  about: 'ONNX graphs with mutated dims, dtypes, raw data, attributes, ops and wiring (importOnnx)',
  weight: 1,
  async setup() {},
  make(rng: Rng) {
    const seeds = onnxFiles();
    const k = rng.int(seeds.length);
    let bytes: Uint8Array;
    try {
      bytes = mutateOnnx(seeds[k], rng);
    } catch {
      bytes = mutateBytes(seeds[k], rng); // the schema refused to encode the mutation
    }
    return { bytes: bytes.length, label: `seed ${k}`, run: () => importOnnx(bytes).summary() };
  },
};

let tmpRoot: string | null = null;
let dirCount = 0;

export const tfjsTarget: FuzzTarget = {
  name: 'tfjs',
  about: 'TensorFlow.js Layers models (model.json topology and manifest, weight bytes) from memory and from disk',
  weight: 1,
  async setup() {
    await tfjsModels();
  },
  async make(rng: Rng) {
    const seeds = await tfjsModels();
    const k = rng.int(seeds.length);
    const seed: TfjsSeed = seeds[k];
    let jsonText = toJson(seed.json);
    let weights = seed.weights;
    switch (rng.int(4)) {
      case 0:
      case 1:
        jsonText = toJson(mutateJson(seed.json, rng, /units|shape|dtype|paths|name|class_name|activation|rate|input_dim|output_dim|inbound|layers|merge|return|use_bias|go_backwards|batch_input_shape/));
        break;
      case 2:
        weights = rng.int(2) === 0 ? poisonFloats(weights, 0, weights.length, rng, 1 + rng.int(3)) : mutateBytes(weights, rng);
        break;
      default:
        jsonText = rng.int(2) === 0 ? toJson({ ...seed.json, modelTopology: new Deep(pick(rng, [65, 20000]), '{"a":', '}') }) : jsonText.slice(0, rng.int(jsonText.length));
    }
    const fromDisk = rng.int(4) === 0;
    return {
      bytes: jsonText.length + weights.length,
      label: `seed ${k}${fromDisk ? ' from disk' : ''}`,
      run: () => {
        if (fromDisk) {
          tmpRoot ??= mkdtempSync(join(tmpdir(), 'longshort-fuzz-tfjs-'));
          const dir = join(tmpRoot, `m${dirCount++ % 64}`);
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'model.json'), jsonText);
          writeFileSync(join(dir, 'weights.bin'), weights);
          exercise(loadTfjsModelFromFile(join(dir, 'model.json')));
        } else {
          let json: unknown;
          try {
            json = JSON.parse(jsonText);
          } catch {
            return; // not JSON: the in-memory API takes parsed objects (the disk path covers the text)
          }
          exercise(loadTfjsModel(json, weights));
        }
      },
    };
  },
};
