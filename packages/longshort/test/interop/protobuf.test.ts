// The ONNX protobuf codec (src/interop/protobuf.ts) against protobufjs, a well-known implementation
// kept as a dev dependency for this comparison: our bytes decode in protobufjs to the same message,
// protobufjs's bytes (which write repeated numbers unpacked where we pack) decode in ours to the
// same message, and the exporter's real files agree field for field. Plus the wire-format corners a
// hostile file reaches: negative int64, 10-byte varints, truncations, bad lengths, deep nesting.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs/light.js';
import { decodeProto, encodeProto, type ProtoSchema } from '../../src/interop/protobuf.js';
import { decodeModelProto, encodeModelProto, type ModelProto } from '../../src/interop/onnx-schema.js';
import { exportOnnx } from '../../src/interop/onnx.js';
import { LSTM } from '../../src/nn/lstm.js';
import { Dense } from '../../src/nn/dense.js';
import { Sequential } from '../../src/nn/sequential.js';
import { FormatError } from '../../src/errors.js';
import { Rng } from '../../src/util/rng.js';

// A schema exercising every field type, packed and unpacked repeats, nesting and an enum.
const SCHEMA: ProtoSchema = {
  messages: {
    Outer: {
      fields: {
        d: { type: 'double', id: 1 },
        f: { type: 'float', id: 2 },
        i32: { type: 'int32', id: 3 },
        i64: { type: 'int64', id: 4 },
        u64: { type: 'uint64', id: 5 },
        b: { type: 'bool', id: 6 },
        s: { type: 'string', id: 7 },
        raw: { type: 'bytes', id: 8 },
        kind: { type: 'Kind', id: 9 },
        inner: { type: 'Inner', id: 10 },
        inners: { type: 'Inner', id: 11, rule: 'repeated' },
        floats: { type: 'float', id: 12, rule: 'repeated', options: { packed: true } },
        ints: { type: 'int64', id: 13, rule: 'repeated', options: { packed: true } },
        names: { type: 'string', id: 14, rule: 'repeated' },
        loose: { type: 'int32', id: 15, rule: 'repeated' },
      },
    },
    Inner: { fields: { x: { type: 'int64', id: 1 }, child: { type: 'Inner', id: 2 } } },
  },
  enums: new Set(['Kind']),
};

function pbRoot(): protobuf.Type {
  const fields: Record<string, { type: string; id: number }> = {};
  for (const [name, f] of Object.entries(SCHEMA.messages.Outer.fields)) fields[name] = { ...f };
  const root = protobuf.Root.fromJSON({
    nested: {
      Kind: { values: { A: 0, B: 1, C: 7 } },
      Inner: { fields: { x: { type: 'int64', id: 1 }, child: { type: 'Inner', id: 2 } } },
      Outer: { fields },
    },
  });
  return root.lookupType('Outer');
}

/** protobufjs output with Longs and enums as plain numbers, for comparison. */
function plain(t: protobuf.Type, bytes: Uint8Array): unknown {
  return t.toObject(t.decode(bytes), { longs: Number, enums: Number, bytes: Array, defaults: false, arrays: false });
}

function randomOuter(rng: Rng): Record<string, unknown> {
  const maybe = <T>(v: () => T): T | undefined => (rng.uniform() < 0.7 ? v() : undefined);
  const int = (lo: number, hi: number) => lo + Math.floor(rng.uniform() * (hi - lo + 1));
  const big = () => (rng.uniform() < 0.5 ? -1 : 1) * int(0, 2 ** 52);
  const o: Record<string, unknown> = {
    d: maybe(() => rng.normal() * 1e6),
    f: maybe(() => Math.fround(rng.normal())),
    i32: maybe(() => int(-(2 ** 31), 2 ** 31 - 1)),
    i64: maybe(big),
    u64: maybe(() => int(0, 2 ** 53 - 1)),
    b: maybe(() => rng.uniform() < 0.5),
    s: maybe(() => ['', 'lstm', 'Größe ✓', 'x'.repeat(int(0, 300))][int(0, 3)]),
    raw: maybe(() => Uint8Array.from({ length: int(0, 40) }, () => int(0, 255))),
    kind: maybe(() => [0, 1, 7][int(0, 2)]),
    inner: maybe(() => ({ x: big(), child: { x: int(-5, 5) } })),
    inners: maybe(() => Array.from({ length: int(1, 3) }, () => ({ x: big() }))),
    floats: maybe(() => Array.from({ length: int(1, 9) }, () => Math.fround(rng.normal()))),
    ints: maybe(() => Array.from({ length: int(1, 9) }, big)),
    names: maybe(() => Array.from({ length: int(1, 4) }, (_, k) => `n${k}`)),
    loose: maybe(() => Array.from({ length: int(1, 4) }, () => int(-100, 100))),
  };
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/** JSON-comparable form: byte arrays (Uint8Array, and Node Buffers, which JSON sees through toJSON) as plain arrays. */
const asArrays = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? Array.from(x) : x?.type === 'Buffer' && Array.isArray(x.data) ? x.data : x)));

/** Without fields at their default (0, false, '', empty bytes): protobufjs neither writes nor reports those. */
function dropDefaults(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropDefaults);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== 0 && x !== false && x !== '' && !(Array.isArray(x) && x.length === 0)) out[k] = dropDefaults(x);
  return out;
}
const same = (v: unknown): unknown => dropDefaults(asArrays(v));

describe('protobuf codec against protobufjs', () => {
  const Outer = pbRoot();
  test('200 random messages: ours → protobufjs and protobufjs → ours decode to the same message', () => {
    const rng = new Rng(11);
    for (let n = 0; n < 200; n++) {
      const msg = randomOuter(rng);
      const ours = encodeProto(msg, 'Outer', SCHEMA);
      assert.deepEqual(same(plain(Outer, ours)), same(msg), `case ${n}: protobufjs reading our bytes`);
      const theirs = Outer.encode(Outer.fromObject(msg)).finish();
      assert.deepEqual(same(decodeProto(theirs, 'Outer', SCHEMA, { maxDepth: 10 })), same(msg), `case ${n}: ours reading protobufjs bytes`);
    }
  });

  test('the exporter\'s ONNX files: encode ∘ decode is the identity on the bytes', () => {
    const files = [
      exportOnnx(new Sequential([new LSTM({ inputSize: 3, hiddenSize: 4, bidirectional: true, numLayers: 2, returnSequences: false, seed: 1 }), new Dense({ inputSize: 8, outputSize: 2, activation: 'softmax' })]), { sequenceLengths: true }),
      exportOnnx(new LSTM({ inputSize: 2, hiddenSize: 3, peepholes: true, clip: 2, seed: 2 })),
    ];
    for (const bytes of files) {
      const m: ModelProto = decodeModelProto(bytes);
      assert.ok((m.graph?.node?.length ?? 0) > 0);
      assert.deepEqual(encodeModelProto(m), bytes);
    }
  });
});

describe('protobuf codec on hostile bytes', () => {
  const dec = (b: number[]) => decodeProto(Uint8Array.from(b), 'Outer', SCHEMA, { maxDepth: 3 }, 'the test bytes');
  test('negative int64 and int32 take ten bytes and come back', () => {
    const bytes = encodeProto({ i64: -3, i32: -1 }, 'Outer', SCHEMA);
    assert.equal(bytes.length, 22);
    assert.deepEqual(decodeProto(bytes, 'Outer', SCHEMA, { maxDepth: 3 }), { i64: -3, i32: -1 });
  });
  test('truncations, long varints, lengths past the end, field 0, groups and deep nesting are FormatErrors', () => {
    const cases: [number[], RegExp][] = [
      [[0x18], /varint runs past the end/],
      [[0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], /longer than 10 bytes/],
      [[0x3a, 0x05, 0x61], /length of 5 bytes exceeds the 1 bytes left/],
      [[0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f], /length of 4294967295 bytes exceeds/],
      [[0x09, 1, 2, 3], /64-bit value runs past the end/],
      [[0x00, 0x01], /field number 0/],
      [[0x9b, 0x06], /wire type 3 is not supported/],
      [[0x52, 0x00 + 6, 0x12, 4, 0x12, 2, 0x12, 0], /nest deeper than 3 levels/],
      [[0x52, 0x01, 0x08], /varint runs past the end/],
      [[0x22, 0x01, 0x00], /field 'i64' \(int64\) has wire type 2, expected 0/],
    ];
    for (const [bytes, re] of cases) {
      assert.throws(() => dec(bytes), (e: unknown) => e instanceof FormatError && re.test(e.message) && /the test bytes is not a valid protobuf message/.test(e.message), `${bytes}`);
    }
  });
  test('unknown fields of every wire type are skipped', () => {
    // field 99 as varint, fixed64, length-delimited and fixed32, then s = 'ok'
    const unknown = [0x98, 0x06, 0x05, 0x99, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0x9a, 0x06, 0x02, 9, 9, 0x9d, 0x06, 1, 2, 3, 4];
    assert.deepEqual(dec([...unknown, 0x3a, 0x02, 0x6f, 0x6b]), { s: 'ok' });
  });
});
