// ONNX interchange for longshort models, and the model-file inspector the CLI shows:
// `exportOnnx` (model → .onnx bytes), `importOnnx` (.onnx bytes → Sequential, for graphs that are a
// chain of layers), `loadOnnx` (.onnx bytes → a model that runs the whole graph, ./onnx-run.ts), and
// `inspectModelFile` (architecture, tensor names, shapes and parameter count of an .onnx or
// .safetensors file, read without running anything). The pieces live beside this file: the
// protobuf schema (onnx-schema.ts), the graph builder (onnx-graph.ts), the exporter
// (onnx-export.ts), the importer (onnx-import.ts), the graph runner (onnx-run.ts, onnx-ops.ts) and
// the per-node LSTM conversion (onnx-lstm.ts).

import { modelFromBytes } from '../io/model.js';
import { FormatError, ConfigError } from '../errors.js';
import { readSafetensorsHeader } from '../io/safetensors.js';
import { importOnnx, parseOnnxGraph } from './onnx-import.js';
import { loadOnnx } from './onnx-run.js';
import { detectPytorchArchitecture } from './pytorch.js';
import { int64 } from './onnx-schema.js';

export { exportOnnx, type ExportOnnxOptions } from './onnx-export.js';
export { importOnnx, parseOnnxGraph } from './onnx-import.js';
export { loadOnnx, OnnxModel, SUPPORTED_OPS, type LoadOnnxOptions } from './onnx-run.js';

/** One weight tensor listed by inspectModelFile(). */
export interface ModelFileTensor {
  /** Its name in the file. */
  name: string;
  /** Its dimensions. */
  shape: number[];
  /** Its stored element type, e.g. 'float32', 'int64', 'F16'. */
  dtype: string;
}

/** What inspectModelFile() reports about an ONNX or safetensors file, without running it. */
export interface ModelFileInfo {
  /** The file's format. */
  kind: 'onnx' | 'safetensors';
  /**
   * ONNX: the imported Sequential's config ({ layers: [{ name, kind, config }] }).
   * safetensors: the PyTorch architecture (from the file's metadata or read from names and shapes).
   * null when it cannot be derived; `note` says why.
   */
  architecture: Record<string, unknown> | null;
  /** Weight tensors (ONNX initializers; safetensors entries) in file order. */
  tensors: ModelFileTensor[];
  /** Elements in all floating-point tensors. */
  paramCount: number;
  /** The Keras-style table of the imported model (ONNX, when it imports). */
  summary?: string;
  /** Why something could not be derived (e.g. the architecture), when that happened. */
  note?: string;
  /** ONNX only. */
  onnx?: {
    producer: string;
    opset: number;
    irVersion: number;
    inputs: { name: string; dims: (number | string)[] }[];
    outputs: { name: string; dims: (number | string)[] }[];
    /** Operator counts, e.g. { LSTM: 2, Gemm: 1 }. */
    ops: Record<string, number>;
  };
  /** String metadata (ONNX metadata_props; safetensors __metadata__). */
  metadata: Record<string, string>;
}

const ONNX_DTYPES: Record<number, string> = { 1: 'float32', 6: 'int32', 7: 'int64', 10: 'float16', 11: 'float64' };

/**
 * Describe a model file without running it. `kind` 'auto' (default) tells the two formats apart by
 * their first bytes: safetensors starts with a little-endian u64 header length followed by '{'.
 */
export function inspectModelFile(bytes: Uint8Array, kind: 'onnx' | 'safetensors' | 'auto' = 'auto'): ModelFileInfo {
  if (!(bytes instanceof Uint8Array)) throw new FormatError(`[inspectModelFile] bytes must be a Uint8Array; received ${typeof bytes}.`);
  if (kind !== 'onnx' && kind !== 'safetensors' && kind !== 'auto') {
    throw new ConfigError(`[inspectModelFile] kind must be 'onnx', 'safetensors' or 'auto'; received '${String(kind)}'.`);
  }
  const k = kind === 'auto' ? (bytes.length > 8 && bytes[8] === 0x7b ? 'safetensors' : 'onnx') : kind;
  return k === 'safetensors' ? inspectSafetensors(bytes) : inspectOnnx(bytes);
}

function inspectSafetensors(bytes: Uint8Array): ModelFileInfo {
  const header = readSafetensorsHeader(bytes);
  const tensors = header.entries.map((e) => ({ name: e.name, shape: e.shape, dtype: e.dtype }));
  let paramCount = 0;
  for (const e of header.entries) if (/^(F|BF)/.test(e.dtype)) paramCount += e.shape.reduce((a, b) => a * b, 1);
  const metadata = { ...(header.metadata ?? {}) };
  let architecture: Record<string, unknown> | null = null;
  let note: string | undefined;
  if (metadata['longshort'] !== undefined) {
    // a longshort model file: the architecture is the Sequential config in its metadata document
    try {
      const doc = JSON.parse(metadata['longshort']) as { architecture?: Record<string, unknown> };
      architecture = doc.architecture ?? null;
      try {
        const { model } = modelFromBytes(bytes);
        return { kind: 'safetensors', architecture, tensors, paramCount, metadata, summary: model.summary() };
      } catch (e) {
        note = (e as Error).message;
      }
    } catch {
      note = "the 'longshort' metadata is not valid JSON";
    }
  } else if (metadata['longshort.architecture'] !== undefined) {
    try {
      architecture = JSON.parse(metadata['longshort.architecture']) as Record<string, unknown>;
    } catch {
      note = 'the longshort.architecture metadata is not valid JSON';
    }
  }
  if (architecture === null) {
    try {
      architecture = detectPytorchArchitecture(new Map(header.entries.map((e) => [e.name, { shape: e.shape, data: [] }]))) as unknown as Record<string, unknown>;
    } catch (e) {
      note = (e as Error).message;
    }
  }
  return { kind: 'safetensors', architecture, tensors, paramCount, metadata, ...(note ? { note } : {}) };
}

function inspectOnnx(bytes: Uint8Array): ModelFileInfo {
  const g = parseOnnxGraph(bytes);
  const tensors: ModelFileTensor[] = [];
  let paramCount = 0;
  for (const t of g.model.graph?.initializer ?? []) {
    const dims = (t.dims ?? []).map((d) => int64(d));
    const dtype = ONNX_DTYPES[t.data_type ?? 0] ?? `type ${t.data_type}`;
    tensors.push({ name: t.name ?? '', shape: dims, dtype });
    if (dtype.startsWith('float')) paramCount += dims.reduce((a, b) => a * b, 1);
  }
  const dimsOf = (vi: { type?: { tensor_type?: { shape?: { dim?: { dim_value?: unknown; dim_param?: string }[] } } } }): (number | string)[] =>
    (vi.type?.tensor_type?.shape?.dim ?? []).map((d) => (d.dim_param ? d.dim_param : int64(d.dim_value as number)));
  const inits = new Set(tensors.map((t) => t.name));
  const ops: Record<string, number> = {};
  for (const n of g.nodes) ops[n.op_type!] = (ops[n.op_type!] ?? 0) + 1;
  const metadata: Record<string, string> = {};
  for (const p of g.model.metadata_props ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  const info: ModelFileInfo = {
    kind: 'onnx',
    architecture: null,
    tensors,
    paramCount,
    metadata,
    onnx: {
      producer: `${g.model.producer_name ?? ''} ${g.model.producer_version ?? ''}`.trim(),
      opset: g.opset,
      irVersion: int64(g.model.ir_version),
      inputs: (g.model.graph?.input ?? []).filter((v) => !inits.has(v.name ?? '')).map((v) => ({ name: v.name ?? '', dims: dimsOf(v) })),
      outputs: (g.model.graph?.output ?? []).map((v) => ({ name: v.name ?? '', dims: dimsOf(v) })),
      ops,
    },
  };
  try {
    const model = importOnnx(bytes);
    info.architecture = model.config();
    info.summary = model.summary([null, null, null]);
  } catch (e) {
    // not a chain of layers: say whether loadOnnx still runs the graph
    let runs = false;
    try {
      loadOnnx(bytes);
      runs = true;
    } catch {
      runs = false;
    }
    info.note = runs
      ? `runs with loadOnnx (every input and output kept), but is not a chain of layers for a Sequential: ${(e as Error).message}`
      : `not importable as a longshort model: ${(e as Error).message}`;
  }
  return info;
}
