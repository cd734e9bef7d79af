// The ONNX model format's protobuf schema, as a protobufjs reflection root, plus the TypeScript
// shapes of the decoded messages. protobufjs does the wire encoding and decoding; this file only
// declares the messages and field numbers.
//
// Attribution: the message names, field names, field numbers and enum values below are those of
// onnx/onnx.proto from the ONNX project (https://github.com/onnx/onnx), Copyright (c) ONNX Project
// Contributors, licensed under the Apache License 2.0. They are restated here as a protobufjs JSON
// descriptor (not a copy of the .proto file) so the schema ships inside the library and works in
// browsers without a file read or a .proto parser.
//
// Left out: SparseTensorProto, TrainingInfoProto, FunctionProto, the sequence/map/optional/sparse
// members of TypeProto and TensorProto.Segment. A file that uses them still decodes (protobuf skips
// unknown fields); a graph that needs them is rejected later by the importer as unsupported.

import protobuf from 'protobufjs/light.js';

type FieldSpec = { type: string; id: number; rule?: 'repeated'; options?: Record<string, unknown> };
const f = (type: string, id: number): FieldSpec => ({ type, id });
const rep = (type: string, id: number): FieldSpec => ({ type, id, rule: 'repeated' });
/** Repeated numeric field written packed (ONNX is proto2, where packing is opt-in; decoders accept both). */
const packed = (type: string, id: number): FieldSpec => ({ type, id, rule: 'repeated', options: { packed: true } });

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: f('string', 1),
            ref_attr_name: f('string', 21),
            doc_string: f('string', 13),
            type: f('AttributeType', 20),
            f: f('float', 2),
            i: f('int64', 3),
            s: f('bytes', 4),
            t: f('TensorProto', 5),
            g: f('GraphProto', 6),
            tp: f('TypeProto', 14),
            floats: rep('float', 7),
            ints: rep('int64', 8),
            strings: rep('bytes', 9),
            tensors: rep('TensorProto', 10),
            graphs: rep('GraphProto', 11),
            type_protos: rep('TypeProto', 15),
          },
          nested: {
            AttributeType: {
              values: {
                UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, SPARSE_TENSOR: 11, TYPE_PROTO: 13,
                FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSORS: 12, TYPE_PROTOS: 14,
              },
            },
          },
        },
        ValueInfoProto: {
          fields: { name: f('string', 1), type: f('TypeProto', 2), doc_string: f('string', 3), metadata_props: rep('StringStringEntryProto', 4) },
        },
        NodeProto: {
          fields: {
            input: rep('string', 1),
            output: rep('string', 2),
            name: f('string', 3),
            op_type: f('string', 4),
            domain: f('string', 7),
            overload: f('string', 8),
            attribute: rep('AttributeProto', 5),
            doc_string: f('string', 6),
            metadata_props: rep('StringStringEntryProto', 9),
          },
        },
        ModelProto: {
          fields: {
            ir_version: f('int64', 1),
            opset_import: rep('OperatorSetIdProto', 8),
            producer_name: f('string', 2),
            producer_version: f('string', 3),
            domain: f('string', 4),
            model_version: f('int64', 5),
            doc_string: f('string', 6),
            graph: f('GraphProto', 7),
            metadata_props: rep('StringStringEntryProto', 14),
          },
        },
        StringStringEntryProto: { fields: { key: f('string', 1), value: f('string', 2) } },
        GraphProto: {
          fields: {
            node: rep('NodeProto', 1),
            name: f('string', 2),
            initializer: rep('TensorProto', 5),
            doc_string: f('string', 10),
            input: rep('ValueInfoProto', 11),
            output: rep('ValueInfoProto', 12),
            value_info: rep('ValueInfoProto', 13),
            metadata_props: rep('StringStringEntryProto', 16),
          },
        },
        TensorProto: {
          fields: {
            dims: packed('int64', 1),
            data_type: f('int32', 2),
            float_data: packed('float', 4),
            int32_data: packed('int32', 5),
            string_data: rep('bytes', 6),
            int64_data: packed('int64', 7),
            name: f('string', 8),
            doc_string: f('string', 12),
            raw_data: f('bytes', 9),
            external_data: rep('StringStringEntryProto', 13),
            data_location: f('int32', 14),
            double_data: packed('double', 10),
            uint64_data: packed('uint64', 11),
            metadata_props: rep('StringStringEntryProto', 16),
          },
          nested: {
            DataType: {
              values: {
                UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
                FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
              },
            },
          },
        },
        TensorShapeProto: {
          fields: { dim: rep('Dimension', 1) },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
              fields: { dim_value: f('int64', 1), dim_param: f('string', 2), denotation: f('string', 3) },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensor_type'] } },
          fields: { tensor_type: f('Tensor', 1), denotation: f('string', 6) },
          nested: {
            Tensor: { fields: { elem_type: f('int32', 1), shape: f('TensorShapeProto', 2) } },
          },
        },
        OperatorSetIdProto: { fields: { domain: f('string', 1), version: f('int64', 2) } },
      },
    },
  },
};

/** ONNX TensorProto.DataType values used here. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

/** AttributeProto.AttributeType values. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10 } as const;

const root = protobuf.Root.fromJSON(DESCRIPTOR);
export const ModelProtoType = root.lookupType('onnx.ModelProto');

/** int64 fields decode as Long objects (the `long` package is present) or numbers. */
export type Int64 = number | { toNumber(): number; high: number; low: number; unsigned?: boolean };

export interface TensorProto {
  dims?: Int64[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: Int64[];
  double_data?: number[];
  uint64_data?: Int64[];
  string_data?: Uint8Array[];
  name?: string;
  raw_data?: Uint8Array;
  external_data?: { key?: string; value?: string }[];
  data_location?: number;
}

export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeProto[];
}

export interface DimensionProto {
  dim_value?: Int64;
  dim_param?: string;
}

export interface ValueInfoProto {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimensionProto[] } } };
}

export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
}

export interface ModelProto {
  ir_version?: Int64;
  opset_import?: { domain?: string; version?: Int64 }[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: Int64;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props?: { key?: string; value?: string }[];
}

/** Serialize a ModelProto (plain object with the snake_case field names above). */
export function encodeModelProto(model: ModelProto): Uint8Array {
  const err = ModelProtoType.verify(model);
  if (err !== null) throw new Error(`[encodeModelProto] invalid ModelProto: ${err}`);
  const out = ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
  // In Node protobufjs returns a Buffer, whose slice() is a view, not a copy as Uint8Array's is:
  // hand back a plain Uint8Array so callers' copies really are copies.
  return out.constructor === Uint8Array ? out : new Uint8Array(out);
}

/** Parse bytes into a ModelProto message (throws protobufjs errors on malformed wire data). */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  return ModelProtoType.decode(bytes) as unknown as ModelProto;
}

/** A JS number from an int64 field (exact up to 2^53; larger magnitudes lose precision but stay large). */
export function int64(v: Int64 | undefined | null): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  return v.toNumber();
}
