// A small builder for ONNX graphs (nodes, typed initializers, attributes, inputs and outputs) on
// top of the schema in ./onnx-schema.ts. The exporter and the tests use it; it knows
// nothing about LSTMs. Tensors are written as little-endian raw_data, as torch.onnx.export does.

import { AttributeType, DataType, encodeModelProto, type AttributeProto, type NodeProto, type TensorProto, type ValueInfoProto } from './onnx-schema.js';

export type AttrValue =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { strings: readonly string[] }
  | { t: TensorProto };

/** A graph dimension: a fixed size or a symbolic name such as 'batch'. */
export type Dim = number | string;

const enc = new TextEncoder();

export function floatTensor(name: string, dims: readonly number[], data: ArrayLike<number>): TensorProto {
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let n = 0; n < data.length; n++) view.setFloat32(n * 4, data[n], true);
  return { name, dims: [...dims], data_type: DataType.FLOAT, raw_data: raw };
}

export function int64Tensor(name: string, dims: readonly number[], data: readonly number[]): TensorProto {
  const raw = new Uint8Array(data.length * 8);
  const view = new DataView(raw.buffer);
  for (let n = 0; n < data.length; n++) view.setBigInt64(n * 8, BigInt(data[n]), true);
  return { name, dims: [...dims], data_type: DataType.INT64, raw_data: raw };
}

export function valueInfo(name: string, elemType: number, dims: readonly Dim[]): ValueInfoProto {
  return {
    name,
    type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
  };
}

function attribute(name: string, v: AttrValue): AttributeProto {
  if ('i' in v) return { name, type: AttributeType.INT, i: v.i };
  if ('f' in v) return { name, type: AttributeType.FLOAT, f: v.f };
  if ('s' in v) return { name, type: AttributeType.STRING, s: enc.encode(v.s) };
  if ('ints' in v) return { name, type: AttributeType.INTS, ints: [...v.ints] };
  if ('floats' in v) return { name, type: AttributeType.FLOATS, floats: [...v.floats] };
  if ('strings' in v) return { name, type: AttributeType.STRINGS, strings: v.strings.map((s) => enc.encode(s)) };
  return { name, type: AttributeType.TENSOR, t: v.t };
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();
  private readonly int64Cache = new Map<string, string>();

  /** A value name not used yet in this graph: `base`, `base_1`, … */
  fresh(base: string): string {
    let name = base;
    // resume numbering where this base left off, so n values with one base cost O(n), not O(n²)
    let k = this.nextSuffix.get(base) ?? 1;
    while (this.used.has(name)) name = `${base}_${k++}`;
    this.nextSuffix.set(base, k);
    this.used.add(name);
    return name;
  }

  input(name: string, elemType: number, dims: readonly Dim[]): string {
    const n = this.fresh(name);
    this.inputs.push(valueInfo(n, elemType, dims));
    return n;
  }

  output(value: string, elemType: number, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(value, elemType, dims));
  }

  float(name: string, dims: readonly number[], data: ArrayLike<number>): string {
    const n = this.fresh(name);
    this.initializers.push(floatTensor(n, dims, data));
    return n;
  }

  /** A 1-D int64 initializer (axes, shapes, slice bounds), shared between nodes that need the same values. */
  int64(values: readonly number[], name = 'const'): string {
    const key = values.join(',');
    const hit = this.int64Cache.get(key);
    if (hit !== undefined) return hit;
    const n = this.fresh(name);
    this.initializers.push(int64Tensor(n, [values.length], values));
    this.int64Cache.set(key, n);
    return n;
  }

  /**
   * Add a node. `outputs` are base names (made unique); returns the final output names.
   * Empty strings in `inputs` mark omitted optional inputs; trailing ones are dropped.
   */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrValue> = {}, name?: string): string[] {
    const ins = [...inputs];
    while (ins.length > 0 && ins[ins.length - 1] === '') ins.pop();
    const outs = outputs.map((o) => this.fresh(o));
    this.nodes.push({
      op_type: opType,
      name: this.fresh(name ?? `${opType}_${this.nodes.length}`),
      input: ins,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** The ModelProto bytes. */
  build(opts: { opset: number; irVersion: number; graphName: string; producer: string; metadata?: Record<string, string> }): Uint8Array {
    return encodeModelProto({
      ir_version: opts.irVersion,
      opset_import: [{ domain: '', version: opts.opset }],
      producer_name: opts.producer,
      producer_version: '0.1.0',
      graph: {
        name: opts.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadata_props: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    });
  }
}

/** The IR version that goes with an opset (the ONNX versioning table). */
export function irVersionFor(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}
