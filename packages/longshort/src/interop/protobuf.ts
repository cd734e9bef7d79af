// A small protobuf codec driven by a schema of plain objects: enough of the wire format for ONNX
// files (proto2: varints, 32- and 64-bit fixed values, length-delimited strings, bytes, nested
// messages and packed or unpacked repeated numbers).
//
// Why our own and not protobufjs: it was 4.1 MB of the library's 8.4 MB install for the ~250 lines
// of this file, and a decoder that meets strangers' files should check every length against the
// bytes actually present and bound the nesting before it allocates anything, and fail with the
// library's FormatError — which a general decoder does not promise.
//
// Decoding gives plain objects holding only the fields present on the wire (repeated fields as
// arrays, 64-bit integers as numbers: exact up to 2^53, which ONNX sizes never exceed, and rounded
// beyond; `bytes` as views into the input). Unknown fields are skipped, as protobuf requires.
// Left out: groups (wire types 3 and 4, unused since proto2's early days), maps, oneof checks,
// default values, zigzag (sint) and fixed-width integer field types — ONNX uses none of them.

import { FormatError } from '../errors.js';

/** Scalar field types this codec knows; any other type name refers to a message or enum of the schema. */
export type ScalarType = 'double' | 'float' | 'int32' | 'int64' | 'uint64' | 'bool' | 'string' | 'bytes';

export interface FieldSpec {
  type: ScalarType | string;
  id: number;
  rule?: 'repeated';
  options?: { packed?: boolean };
}

export interface MessageSpec {
  fields: Record<string, FieldSpec>;
}

/** Messages by name, and the names of enums (encoded as int32). */
export interface ProtoSchema {
  messages: Record<string, MessageSpec>;
  enums: ReadonlySet<string>;
}

export interface DecodeLimits {
  /** Deepest nesting of messages accepted (hostile files nest graphs inside attributes). */
  maxDepth: number;
}

const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;
const TWO32 = 4294967296;

const scalarWire = (type: string, schema: ProtoSchema): number => {
  switch (type) {
    case 'double':
      return WIRE.I64;
    case 'float':
      return WIRE.I32;
    case 'string':
    case 'bytes':
      return WIRE.LEN;
    case 'int32':
    case 'int64':
    case 'uint64':
    case 'bool':
      return WIRE.VARINT;
    default:
      return schema.enums.has(type) ? WIRE.VARINT : WIRE.LEN;
  }
};

/** Per message: field number → [name, spec], built once per schema. */
const fieldIndex = new WeakMap<MessageSpec, Map<number, [string, FieldSpec]>>();
function byNumber(m: MessageSpec): Map<number, [string, FieldSpec]> {
  let idx = fieldIndex.get(m);
  if (idx === undefined) {
    idx = new Map(Object.entries(m.fields).map(([name, f]) => [f.id, [name, f]]));
    fieldIndex.set(m, idx);
  }
  return idx;
}

class Reader {
  pos: number;
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array, start: number, readonly end: number, readonly what: string) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(problem: string): never {
    throw new FormatError(`[protobuf] ${this.what} is not a valid protobuf message: ${problem} at byte ${this.pos}.`);
  }

  /** A varint as [low 32 bits, high 32 bits], both unsigned. */
  varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('a varint runs past the end of its message');
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) return [lo >>> 0, hi >>> 0];
    }
    return this.fail('a varint is longer than 10 bytes');
  }

  uint32(): number {
    return this.varint64()[0];
  }

  /** int64 (two's complement) or uint64 as a number. */
  int64(signed: boolean): number {
    const [lo, hi] = this.varint64();
    if (signed && hi >= 0x80000000) return -((~hi >>> 0) * TWO32 + (~lo >>> 0) + 1);
    return hi * TWO32 + lo;
  }

  /** A length prefix, checked against the bytes left in the enclosing message. */
  length(): number {
    const [lo, hi] = this.varint64();
    if (hi !== 0 || lo > this.end - this.pos) this.fail(`a length of ${hi * TWO32 + lo} bytes exceeds the ${this.end - this.pos} bytes left`);
    return lo;
  }

  fixed(bytes: 4 | 8): number {
    if (this.end - this.pos < bytes) this.fail(`a ${bytes * 8}-bit value runs past the end of its message`);
    const p = this.pos;
    this.pos += bytes;
    return p;
  }

  f32(): number {
    return this.view.getFloat32(this.fixed(4), true);
  }

  f64(): number {
    return this.view.getFloat64(this.fixed(8), true);
  }

  skip(wire: number): void {
    if (wire === WIRE.VARINT) this.varint64();
    else if (wire === WIRE.I64) this.fixed(8);
    else if (wire === WIRE.I32) this.fixed(4);
    else if (wire === WIRE.LEN) {
      const n = this.length(); // read before this.pos, which it advances
      this.pos += n;
    }
    else this.fail(`wire type ${wire} is not supported (groups are not used by this format)`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function readScalar(r: Reader, type: string): unknown {
  switch (type) {
    case 'double':
      return r.f64();
    case 'float':
      return r.f32();
    case 'int64':
      return r.int64(true);
    case 'uint64':
      return r.int64(false);
    case 'bool':
      return r.int64(false) !== 0;
    case 'string': {
      const n = r.length();
      const s = utf8.decode(r.buf.subarray(r.pos, r.pos + n));
      r.pos += n;
      return s;
    }
    case 'bytes': {
      const n = r.length();
      const b = r.buf.subarray(r.pos, r.pos + n);
      r.pos += n;
      return b;
    }
    default: // int32 and enums: a varint, negative values in ten bytes
      return r.int64(true) | 0;
  }
}

function decodeMessage(r: Reader, m: MessageSpec, schema: ProtoSchema, depth: number, limits: DecodeLimits): Record<string, unknown> {
  if (depth > limits.maxDepth) r.fail(`messages nest deeper than ${limits.maxDepth} levels`);
  const out: Record<string, unknown> = {};
  const fields = byNumber(m);
  while (r.pos < r.end) {
    const key = r.uint32();
    const id = key >>> 3;
    const wire = key & 7;
    if (id === 0) r.fail('field number 0 is not allowed');
    const hit = fields.get(id);
    if (hit === undefined) {
      r.skip(wire);
      continue;
    }
    const [name, f] = hit;
    const sub = schema.messages[f.type];
    const expected = scalarWire(f.type, schema);
    let value: unknown;
    if (sub !== undefined) {
      if (wire !== WIRE.LEN) r.fail(`field '${name}' (a message) has wire type ${wire}`);
      const n = r.length();
      const child = new Reader(r.buf, r.pos, r.pos + n, r.what);
      value = decodeMessage(child, sub, schema, depth + 1, limits);
      r.pos += n;
    } else if (f.rule === 'repeated' && wire === WIRE.LEN && expected !== WIRE.LEN) {
      // packed repeated numbers: one length-delimited run of values
      const n = r.length();
      const end = r.pos + n;
      const list = (out[name] ??= []) as unknown[];
      const inner = new Reader(r.buf, r.pos, end, r.what);
      while (inner.pos < end) list.push(readScalar(inner, f.type));
      r.pos = end;
      continue;
    } else {
      if (wire !== expected) r.fail(`field '${name}' (${f.type}) has wire type ${wire}, expected ${expected}`);
      value = readScalar(r, f.type);
    }
    if (f.rule === 'repeated') ((out[name] ??= []) as unknown[]).push(value);
    else out[name] = value;
  }
  if (r.pos !== r.end) r.fail('the last field runs past the end of its message');
  return out;
}

/** Decodes `bytes` as the message `type` of `schema`; malformed input throws a FormatError. */
export function decodeProto(bytes: Uint8Array, type: string, schema: ProtoSchema, limits: DecodeLimits, what = 'the input'): Record<string, unknown> {
  const m = schema.messages[type];
  if (m === undefined) throw new Error(`[decodeProto] the schema has no message '${type}'`);
  return decodeMessage(new Reader(bytes, 0, bytes.length, what), m, schema, 0, limits);
}

/** A growable byte buffer for encoding. */
class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** An unsigned varint of a non-negative integer below 2^64 (exact below 2^53). */
  varint(v: number): void {
    this.room(10);
    let lo = v % TWO32 >>> 0;
    let hi = Math.floor(v / TWO32) >>> 0;
    while (hi !== 0 || lo > 0x7f) {
      this.buf[this.len++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.len++] = lo;
  }

  /** A signed 64-bit integer: negative values as their ten-byte two's complement. */
  int64(v: number): void {
    if (v >= 0) return this.varint(v);
    const big = BigInt.asUintN(64, BigInt(Math.trunc(v)));
    this.varint2(Number(big & 0xffffffffn), Number(big >> 32n));
  }

  private varint2(lo: number, hi: number): void {
    this.room(10);
    while (hi !== 0 || lo > 0x7f) {
      this.buf[this.len++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.len++] = lo;
  }

  key(id: number, wire: number): void {
    this.varint(id * 8 + wire);
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  f32(v: number): void {
    this.room(4);
    this.view.setFloat32(this.len, v, true);
    this.len += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const utf8enc = new TextEncoder();

function writeScalar(w: Writer, type: string, v: unknown): void {
  switch (type) {
    case 'double':
      return w.f64(Number(v));
    case 'float':
      return w.f32(Number(v));
    case 'bool':
      return w.varint(v ? 1 : 0);
    case 'string':
      return w.bytes(utf8enc.encode(String(v)));
    case 'bytes':
      return w.bytes(v as Uint8Array);
    case 'uint64':
      return w.varint(Number(v));
    default: // int32, int64, enums
      return w.int64(Number(v));
  }
}

function encodeMessage(w: Writer, m: MessageSpec, schema: ProtoSchema, obj: Record<string, unknown>): void {
  for (const [name, f] of Object.entries(m.fields)) {
    const v = obj[name];
    if (v === undefined || v === null) continue;
    const sub = schema.messages[f.type];
    const wire = scalarWire(f.type, schema);
    const values = f.rule === 'repeated' ? (v as ArrayLike<unknown>) : [v];
    if (f.rule === 'repeated' && f.options?.packed === true && wire !== WIRE.LEN) {
      if (values.length === 0) continue;
      const inner = new Writer();
      for (let i = 0; i < values.length; i++) writeScalar(inner, f.type, values[i]);
      w.key(f.id, WIRE.LEN);
      w.bytes(inner.finish());
      continue;
    }
    for (let i = 0; i < values.length; i++) {
      w.key(f.id, wire);
      if (sub !== undefined) {
        const inner = new Writer();
        encodeMessage(inner, sub, schema, values[i] as Record<string, unknown>);
        w.bytes(inner.finish());
      } else writeScalar(w, f.type, values[i]);
    }
  }
}

/** Encodes a plain object as the message `type` of `schema` (fields in schema order; absent ones left out). */
export function encodeProto(obj: Record<string, unknown>, type: string, schema: ProtoSchema): Uint8Array {
  const m = schema.messages[type];
  if (m === undefined) throw new Error(`[encodeProto] the schema has no message '${type}'`);
  const w = new Writer();
  encodeMessage(w, m, schema, obj);
  return w.finish();
}
