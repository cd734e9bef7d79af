// safetensors read/write: byte-exact golden files built by hand from the format spec, round trips,
// dtype conversions against hand-computed values, writer ordering/padding, and every validation
// message of the reader on hand-made hostile files. The randomized corpus is in safetensors.fuzz.test.ts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsHeader,
  f16ToNumber,
  bf16ToNumber,
  f8e4m3ToNumber,
  type NamedTensor,
} from '../../src/io/index.js';
import { ConfigError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { tensor } from '../../src/tensor.js';
import { expectFormatError, f32Bytes, fileOf } from './helpers.js';

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

describe('golden bytes (what Python safetensors writes)', () => {
  // safetensors.torch.save_file({"a": torch.tensor([[1.,2.],[3.,4.]])}, path, metadata={"k": "v"})
  // Header: compact serde_json, __metadata__ first, tensor keys dtype, shape, data_offsets.
  // '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}' is 82 bytes;
  // padded with 6 spaces to 88 = 0x58 so the data starts 8-byte aligned at byte 96.
  const header = '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}';
  const golden = new Uint8Array([
    0x58, 0, 0, 0, 0, 0, 0, 0, // N = 88, u64 little-endian
    ...ascii(header),
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, // padding to 88
    0x00, 0x00, 0x80, 0x3f, // 1.0f
    0x00, 0x00, 0x00, 0x40, // 2.0f
    0x00, 0x00, 0x40, 0x40, // 3.0f
    0x00, 0x00, 0x80, 0x40, // 4.0f
  ]);

  test('the hand-built file is 112 bytes with an 82-byte JSON header', () => {
    assert.equal(header.length, 82);
    assert.equal(golden.length, 8 + 88 + 16);
  });

  test('decodes to a (2, 2) F32 tensor [1, 2, 3, 4] with metadata {k: v}', () => {
    const { tensors, metadata } = decodeSafetensors(golden);
    assert.deepEqual([...tensors.keys()], ['a']);
    const a = tensors.get('a')!;
    assert.equal(a.dtype, 'F32');
    assert.deepEqual(a.shape, [2, 2]);
    assert.deepEqual(Array.from(a.data), [1, 2, 3, 4]);
    assert.deepEqual({ ...metadata }, { k: 'v' });
  });

  test('our encoder writes exactly these bytes', () => {
    const ours = encodeSafetensors([{ name: 'a', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }], { k: 'v' });
    assert.deepEqual(Array.from(ours), Array.from(golden));
  });

  test('empty file: "{}" padded to 8; with metadata framework=pt: 35 bytes padded to 40', () => {
    assert.deepEqual(Array.from(encodeSafetensors([])), [8, 0, 0, 0, 0, 0, 0, 0, ...ascii('{}'), 32, 32, 32, 32, 32, 32]);
    const meta = '{"__metadata__":{"framework":"pt"}}';
    assert.equal(meta.length, 35);
    assert.deepEqual(Array.from(encodeSafetensors({}, { framework: 'pt' })), [40, 0, 0, 0, 0, 0, 0, 0, ...ascii(meta), 32, 32, 32, 32, 32]);
    assert.equal(decodeSafetensors(encodeSafetensors([])).tensors.size, 0);
  });

  test('no metadata argument → no __metadata__ key; {} → an empty __metadata__ object (as Python does)', () => {
    const none = new TextDecoder().decode(encodeSafetensors([{ name: 'x', shape: [1], data: new Float32Array([5]) }]).subarray(8));
    assert.ok(none.startsWith('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'), none);
    const empty = new TextDecoder().decode(encodeSafetensors([{ name: 'x', shape: [1], data: new Float32Array([5]) }], {}).subarray(8));
    assert.ok(empty.startsWith('{"__metadata__":{},"x":'), empty);
  });
});

describe('writer: order, alignment, escaping', () => {
  test('F64 tensors come first (larger alignment), then F32; names in UTF-8 byte order', () => {
    // UTF-16 order would put U+1F600 (surrogates 0xD83D…) before U+FF21; code-point/UTF-8 order puts it after.
    const names = ['b', 'a', 'B', 'é', 'z', '\uFF21', '\u{1F600}'];
    const list: NamedTensor[] = names.map((name, i) => ({ name, shape: [i + 1], data: new Float32Array(i + 1).fill(i) }));
    list.push({ name: 'w64', shape: [3], data: new Float64Array([1, 2, 3]) });
    list.push({ name: 'a64', shape: [1], data: new Float64Array([9]) });
    const bytes = encodeSafetensors(list);
    const h = readSafetensorsHeader(bytes);
    assert.deepEqual(
      h.entries.map((e) => e.name),
      ['a64', 'w64', 'B', 'a', 'b', 'z', 'é', '\uFF21', '\u{1F600}'],
    );
    assert.deepEqual(h.entries.map((e) => e.dtype), ['F64', 'F64', 'F32', 'F32', 'F32', 'F32', 'F32', 'F32', 'F32']);
    // back to back from 0: a64 8 bytes, w64 24, then F32 tensors of 3,2,1,5,4,6,7 elements
    assert.deepEqual(h.entries.map((e) => e.begin), [0, 8, 32, 44, 52, 56, 76, 92, 116]);
    assert.equal(h.entries[8].end, 144);
    // header JSON order = data order, and raw UTF-8 (not \u escapes) for non-ASCII names
    const text = new TextDecoder().decode(bytes.subarray(8, h.dataStart));
    assert.ok(text.indexOf('"a64"') < text.indexOf('"w64"') && text.indexOf('"z"') < text.indexOf('"é"'), text);
  });

  test('header length is a multiple of 8 for every name length 1..16 (so F64 data is 8-byte aligned)', () => {
    for (let len = 1; len <= 16; len++) {
      const bytes = encodeSafetensors([{ name: 'n'.repeat(len), shape: [1], data: new Float64Array([Math.PI]) }]);
      const h = readSafetensorsHeader(bytes);
      assert.equal(h.headerBytes % 8, 0, `name length ${len}: header ${h.headerBytes}`);
      assert.equal(h.dataStart % 8, 0);
      // padding is spaces only
      const text = new TextDecoder().decode(bytes.subarray(8, h.dataStart));
      assert.match(text, /^\{.*\} *$/);
      assert.equal(new DataView(bytes.buffer).getFloat64(h.dataStart, true), Math.PI);
    }
  });

  test('names with quote, backslash, newline, tab, control char and "/" are escaped as serde_json does', () => {
    const name = 'q"b\\n\nt\tc\u0001s/';
    const bytes = encodeSafetensors([{ name, shape: [], data: new Float32Array([7]) }]);
    const text = new TextDecoder().decode(bytes.subarray(8));
    assert.ok(text.startsWith('{"q\\"b\\\\n\\nt\\tc\\u0001s/":'), text);
    assert.deepEqual(Array.from(decodeSafetensors(bytes).tensors.get(name)!.data), [7]);
  });
});

describe('round trip', () => {
  test('several tensors, zero-size, scalar and metadata come back exactly', () => {
    const w = new Float32Array(4 * 8 * 3).map((_, i) => Math.fround(Math.sin(i) * 1e-3 + i));
    const bias = new Float32Array([-0, 1.5, -2.25, Number.MAX_VALUE > 0 ? 3.4028234663852886e38 : 0, 1e-45, -Infinity, Infinity, NaN]);
    const longshort = JSON.stringify({ kind: 'Sequential', layers: [{ LSTM: { inputSize: 3, hiddenSize: 8 } }], scaler: { mean: [0.5] } });
    const bytes = encodeSafetensors(
      [
        { name: 'lstm.weight_ih_l0', shape: [32, 3], data: w },
        { name: 'lstm.bias_ih_l0', shape: [8], data: bias },
        { name: 'empty', shape: [0, 3], data: new Float32Array(0) },
        { name: 'empty2', shape: [5, 0], data: new Float32Array(0) },
        { name: 'step', shape: [], data: new Float32Array([42]) },
      ],
      { longshort, format: 'pt' },
    );
    const { tensors, metadata } = decodeSafetensors(bytes);
    assert.equal(tensors.size, 5);
    assert.deepEqual(tensors.get('lstm.weight_ih_l0')!.shape, [32, 3]);
    assert.deepEqual(tensors.get('lstm.weight_ih_l0')!.data, w);
    const b = tensors.get('lstm.bias_ih_l0')!.data;
    assert.ok(Object.is(b[0], -0), 'negative zero survives');
    assert.deepEqual(Array.from(b.subarray(1, 7)), [1.5, -2.25, 3.4028234663852886e38, Math.fround(1e-45), -Infinity, Infinity]);
    assert.ok(Number.isNaN(b[7]));
    assert.deepEqual(tensors.get('empty')!.shape, [0, 3]);
    assert.equal(tensors.get('empty')!.data.length, 0);
    assert.deepEqual(tensors.get('empty2')!.shape, [5, 0]);
    assert.deepEqual(tensors.get('step')!.shape, []);
    assert.deepEqual(Array.from(tensors.get('step')!.data), [42]);
    assert.equal(metadata.longshort, longshort);
    assert.deepEqual(JSON.parse(metadata.longshort).scaler.mean, [0.5]);
    assert.equal(metadata.format, 'pt');
  });

  test('Record<string, Tensor> input works like the list form', () => {
    const t = { 'dense.weight': tensor([[1, 2, 3], [4, 5, 6]]), 'dense.bias': tensor([0.5, -0.5]) };
    const a = encodeSafetensors(t);
    const b = encodeSafetensors([
      { name: 'dense.bias', shape: [2], data: new Float32Array([0.5, -0.5]) },
      { name: 'dense.weight', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    ]);
    assert.deepEqual(a, b);
    assert.deepEqual(Array.from(decodeSafetensors(a).tensors.get('dense.weight')!.data), [1, 2, 3, 4, 5, 6]);
  });

  test('Float64 data: stored as F64 by default (exact bits), or rounded to F32 with { dtype: "F32" }', () => {
    const x = new Float64Array([0.1, -1 / 3, 1e-300, 12345.678901234]);
    const f64 = encodeSafetensors([{ name: 'x', shape: [2, 2], data: x }]);
    const h = readSafetensorsHeader(f64);
    assert.equal(h.entries[0].dtype, 'F64');
    const dv = new DataView(f64.buffer);
    for (let i = 0; i < 4; i++) assert.equal(dv.getFloat64(h.dataStart + 8 * i, true), x[i]);
    assert.deepEqual(Array.from(decodeSafetensors(f64).tensors.get('x')!.data), Array.from(x, Math.fround));

    const f32 = encodeSafetensors([{ name: 'x', shape: [2, 2], data: x }], undefined, { dtype: 'F32' });
    assert.equal(f32.length, 8 + readSafetensorsHeader(f32).headerBytes + 16);
    const d = decodeSafetensors(f32).tensors.get('x')!;
    assert.equal(d.dtype, 'F32');
    assert.deepEqual(Array.from(d.data), [Math.fround(0.1), Math.fround(-1 / 3), 0, Math.fround(12345.678901234)]);

    // Float32 widened to F64 on request, exactly
    const up = encodeSafetensors([{ name: 'y', shape: [1], data: new Float32Array([0.1]) }], undefined, { dtype: 'F64' });
    assert.equal(new DataView(up.buffer).getFloat64(readSafetensorsHeader(up).dataStart, true), Math.fround(0.1));
  });

  test('decoding from a Uint8Array view at an odd offset of a larger buffer', () => {
    const bytes = encodeSafetensors([{ name: 'v', shape: [3], data: new Float32Array([1.25, -2, 3e-8]) }]);
    const big = new Uint8Array(bytes.length + 5);
    big.set(bytes, 3);
    const d = decodeSafetensors(big.subarray(3, 3 + bytes.length)).tensors.get('v')!;
    assert.deepEqual(Array.from(d.data), [1.25, -2, Math.fround(3e-8)]);
  });
});

describe('dtype conversions (hand-computed values)', () => {
  test('F16: 1, -2, max 65504, subnormals, 1/3, ±inf, NaN, -0', () => {
    assert.equal(f16ToNumber(0x3c00), 1);
    assert.equal(f16ToNumber(0xc000), -2);
    assert.equal(f16ToNumber(0x7bff), 65504);
    assert.equal(f16ToNumber(0x0001), 2 ** -24); // smallest subnormal 5.960464477539063e-8
    assert.equal(f16ToNumber(0x03ff), 1023 * 2 ** -24); // largest subnormal
    assert.equal(f16ToNumber(0x0400), 2 ** -14); // smallest normal 6.103515625e-5
    assert.equal(f16ToNumber(0x3555), 0.333251953125); // (1 + 341/1024) / 4
    assert.equal(f16ToNumber(0x7c00), Infinity);
    assert.equal(f16ToNumber(0xfc00), -Infinity);
    assert.ok(Number.isNaN(f16ToNumber(0x7e00)));
    assert.ok(Object.is(f16ToNumber(0x8000), -0));
  });

  test('BF16: 1, -3, 3.140625, max, smallest subnormal, ±inf, NaN', () => {
    assert.equal(bf16ToNumber(0x3f80), 1);
    assert.equal(bf16ToNumber(0xc040), -3);
    assert.equal(bf16ToNumber(0x4049), 3.140625);
    assert.equal(bf16ToNumber(0x7f7f), (2 - 2 ** -7) * 2 ** 127); // 3.3895313892515355e38
    assert.equal(bf16ToNumber(0x0001), 2 ** -133);
    assert.equal(bf16ToNumber(0x7f80), Infinity);
    assert.equal(bf16ToNumber(0xff80), -Infinity);
    assert.ok(Number.isNaN(bf16ToNumber(0x7fc0)));
  });

  test('F8_E4M3 (fn): 1, -1, max 448, smallest subnormal 2^-9, NaN', () => {
    assert.equal(f8e4m3ToNumber(0x38), 1);
    assert.equal(f8e4m3ToNumber(0xb8), -1);
    assert.equal(f8e4m3ToNumber(0x7e), 448);
    assert.equal(f8e4m3ToNumber(0x01), 2 ** -9);
    assert.equal(f8e4m3ToNumber(0x08), 2 ** -6);
    assert.ok(Number.isNaN(f8e4m3ToNumber(0x7f)));
    assert.ok(Number.isNaN(f8e4m3ToNumber(0xff)));
  });

  test('a file with F16, BF16, F64, F8 and integer tensors decodes to the expected float32 values', () => {
    const u16 = (xs: number[]): number[] => xs.flatMap((x) => [x & 0xff, x >> 8]);
    const f64 = (xs: number[]): number[] => Array.from(new Uint8Array(new Float64Array(xs).buffer));
    const i64 = (xs: bigint[]): number[] => Array.from(new Uint8Array(new BigInt64Array(xs).buffer));
    const parts: [string, string, number[], number[]][] = [
      ['d', 'F64', [3], f64([0.1, -1e300, 2 ** -149])],
      ['q', 'I64', [3], i64([-5n, 2n ** 53n + 1n, -(2n ** 63n)])],
      ['u64', 'U64', [1], i64([-1n])], // 2^64 - 1
      ['i32', 'I32', [3], Array.from(new Uint8Array(new Int32Array([-2147483648, 16777217, 7]).buffer))],
      ['u32', 'U32', [1], [0xff, 0xff, 0xff, 0xff]],
      ['h', 'F16', [4], u16([0x3c00, 0x0001, 0x7c00, 0xc000])],
      ['bf', 'BF16', [2], u16([0x3f80, 0xc040])],
      ['i16', 'I16', [2], u16([0x8000, 0x7fff])],
      ['u16', 'U16', [1], u16([0xffff])],
      ['e4', 'F8_E4M3', [2], [0x38, 0x7e]],
      ['e5', 'F8_E5M2', [3], [0x3c, 0x7c, 0x01]],
      ['i8', 'I8', [2], [0x80, 0x7f]],
      ['u8', 'U8', [1], [0xff]],
      ['flag', 'BOOL', [3], [0, 1, 2]],
    ];
    let off = 0;
    const entries: string[] = [];
    const data: number[] = [];
    for (const [name, dtype, shape, b] of parts) {
      entries.push(`"${name}":{"dtype":"${dtype}","shape":[${shape}],"data_offsets":[${off},${off + b.length}]}`);
      off += b.length;
      data.push(...b);
    }
    const { tensors } = decodeSafetensors(fileOf(`{${entries.join(',')}}`, data));
    const get = (n: string): number[] => Array.from(tensors.get(n)!.data);
    assert.deepEqual(get('d'), [Math.fround(0.1), -Infinity, 2 ** -149]);
    assert.deepEqual(get('q'), [-5, 2 ** 53, -(2 ** 63)]);
    assert.deepEqual(get('u64'), [2 ** 64]);
    assert.deepEqual(get('i32'), [-2147483648, 16777216, 7]); // 16777217 is not a float32
    assert.deepEqual(get('u32'), [4294967296]);
    assert.deepEqual(get('h'), [1, 2 ** -24, Infinity, -2]);
    assert.deepEqual(get('bf'), [1, -3]);
    assert.deepEqual(get('i16'), [-32768, 32767]);
    assert.deepEqual(get('u16'), [65535]);
    assert.deepEqual(get('e4'), [1, 448]);
    assert.deepEqual(get('e5'), [1, Infinity, 2 ** -16]);
    assert.deepEqual(get('i8'), [-128, 127]);
    assert.deepEqual(get('u8'), [255]);
    assert.deepEqual(get('flag'), [0, 1, 1]);
    assert.equal(tensors.get('h')!.dtype, 'F16');

    // integers: 'reject' names the tensor and its dtype, before allocating anything
    const onlyInt = fileOf('{"steps":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', i64([3n]));
    expectFormatError(() => decodeSafetensors(onlyInt, { integers: 'reject' }), /tensor 'steps' has integer dtype I64/);
    assert.deepEqual(Array.from(decodeSafetensors(onlyInt).tensors.get('steps')!.data), [3]);
  });
});

describe('writer errors', () => {
  const ok = new Float32Array([1, 2, 3, 4]);
  test('data length ≠ product of shape is a ShapeError quoting both', () => {
    assert.throws(
      () => encodeSafetensors([{ name: 'w', shape: [2, 3], data: ok }]),
      (e: unknown) => e instanceof ShapeError && /tensor 'w': data length must equal the product of shape \(2, 3\) = 6; received 4/.test(e.message),
    );
    assert.throws(() => encodeSafetensors([{ name: 'w', shape: [2, -2], data: ok }]), ShapeError);
    assert.throws(() => encodeSafetensors([{ name: 'w', shape: [1.5], data: ok }]), /received \[1\.5\]/);
  });
  test('reserved, duplicate, non-string and ill-formed names; non-string metadata; bad dtype option', () => {
    assert.throws(() => encodeSafetensors([{ name: '__metadata__', shape: [4], data: ok }]), (e: unknown) => e instanceof ConfigError && /reserved/.test(e.message));
    assert.throws(() => encodeSafetensors([{ name: 'a', shape: [4], data: ok }, { name: 'a', shape: [4], data: ok }]), /duplicate tensor name 'a'/);
    assert.throws(() => encodeSafetensors([{ name: 7 as unknown as string, shape: [4], data: ok }]), /tensor names must be strings; received 7/);
    // '' is a legal name in the format (the reader accepts it), so the writer accepts it too
    assert.deepEqual(Array.from(decodeSafetensors(encodeSafetensors([{ name: '', shape: [4], data: ok }])).tensors.get('')!.data), [1, 2, 3, 4]);
    assert.throws(() => encodeSafetensors([{ name: 'x\uD800', shape: [4], data: ok }]), /unpaired UTF-16 surrogate/);
    assert.throws(
      () => encodeSafetensors([], { arch: { layers: 2 } as unknown as string }),
      (e: unknown) => e instanceof ConfigError && /metadata\['arch'\] must be a string .*received Object\. Hint: JSON\.stringify it/.test(e.message),
    );
    assert.throws(() => encodeSafetensors([], { n: 3 as unknown as string }), /metadata\['n'\] must be a string.*received 3/);
    assert.throws(() => encodeSafetensors([], undefined, { dtype: 'F16' as 'F32' }), /opts\.dtype must be 'F32' or 'F64'; received 'F16'/);
    assert.throws(() => encodeSafetensors([{ name: 'i', shape: [2], data: new Int32Array(2) as unknown as Float32Array }]), /Float32Array or Float64Array; received Int32Array/);
  });
  test('Float64 → F32 that overflows float32 is a NonFiniteError naming the element', () => {
    assert.throws(
      () => encodeSafetensors([{ name: 'big', shape: [2], data: new Float64Array([1, 1e39]) }], undefined, { dtype: 'F32' }),
      (e: unknown) => e instanceof NonFiniteError && /tensor 'big': element 1 = 1e\+39 overflows float32/.test(e.message),
    );
    // Infinity itself is a value, stored as is
    const inf = encodeSafetensors([{ name: 'i', shape: [1], data: new Float64Array([Infinity]) }], undefined, { dtype: 'F32' });
    assert.deepEqual(Array.from(decodeSafetensors(inf).tensors.get('i')!.data), [Infinity]);
  });
});

describe('reader: every validation, with its message', () => {
  const T = (dtype: string, shape: string, offsets: string): string => `{"dtype":"${dtype}","shape":${shape},"data_offsets":${offsets}}`;
  const good16 = f32Bytes([1, 2, 3, 4]);

  test('too short, header length over the cap / high bit set / past EOF / zero', () => {
    expectFormatError(() => decodeSafetensors(new Uint8Array(0)), /at least 8 bytes .*; received 0\. The file is truncated/);
    expectFormatError(() => decodeSafetensors(new Uint8Array(7)), /received 7/);
    const huge = new Uint8Array(16).fill(0xff);
    expectFormatError(() => decodeSafetensors(huge), /first 8 bytes give 18446744073709551615 \(the high bit is set/);
    const f = fileOf('{}');
    new DataView(f.buffer).setBigUint64(0, 100_000_001n, true);
    expectFormatError(() => decodeSafetensors(f), /header length must be at most 100000000 bytes .*give 100000001/);
    new DataView(f.buffer).setBigUint64(0, 9n, true);
    expectFormatError(() => decodeSafetensors(f), /header length is 9 bytes but only 8 bytes follow/);
    new DataView(f.buffer).setBigUint64(0, 0n, true);
    expectFormatError(() => decodeSafetensors(f), /must start with '\{' \(0x7b\); received an empty header/);
    // the cap is configurable
    const g = fileOf(`{"a":${T('F32', '[4]', '[0,16]')}}`, good16);
    expectFormatError(() => decodeSafetensors(g, { maxHeaderBytes: 32 }), /at most 32 bytes \(opts\.maxHeaderBytes\); the first 8 bytes give 56/);
    assert.equal(decodeSafetensors(g, { maxHeaderBytes: 56 }).tensors.size, 1);
  });

  test('header not UTF-8, not starting with "{", not JSON, a JSON array, trailing junk, BOM', () => {
    const bad = fileOf('{"a":1}');
    bad[10] = 0xff; // inside the key
    expectFormatError(() => decodeSafetensors(bad), /must be valid UTF-8/);
    expectFormatError(() => decodeSafetensors(fileOf('[1,2]')), /must start with '\{' \(0x7b\); received 0x5b/);
    expectFormatError(() => decodeSafetensors(fileOf(' {}')), /received 0x20/);
    expectFormatError(() => decodeSafetensors(fileOf('\uFEFF{}')), /received 0xef/);
    expectFormatError(() => decodeSafetensors(fileOf('{abc}')), /not valid JSON: expected a key string; found character "a" at character 1/);
    expectFormatError(() => decodeSafetensors(fileOf('{"a":')), /not valid JSON: expected a value; found end of header/);
    expectFormatError(() => decodeSafetensors(fileOf('{}x')), /unexpected character "x" after the end of the JSON object/);
    expectFormatError(() => decodeSafetensors(fileOf('{"a":1,}')), /expected a key string/);
    expectFormatError(() => decodeSafetensors(fileOf('{"a\u0001":1}')), /raw control character 0x01/);
    expectFormatError(() => decodeSafetensors(fileOf('{"\\ud800":1}')), /unpaired UTF-16 surrogate escape/);
    expectFormatError(() => decodeSafetensors(fileOf('{"\\x":1}')), /invalid escape '\\x'/);
    expectFormatError(() => decodeSafetensors(fileOf('{"a":01}')), /expected ',' or '\}'/);
    // trailing padding of spaces is fine, and so is JSON whitespace inside
    assert.equal(decodeSafetensors(fileOf('{ "a" :\n' + T('F32', '[ 4 ]', '[0, 16]') + ' }    ', good16)).tensors.size, 1);
  });

  test('duplicate keys, at top level and inside an entry', () => {
    const e = T('F32', '[4]', '[0,16]');
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":${e},"a":${e}}`, good16)), /header has the key 'a' twice .*duplicate keys are not allowed/);
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":{"dtype":"F32","dtype":"F16","shape":[4],"data_offsets":[0,16]}}`, good16)), /key 'dtype' twice/);
  });

  test('deep nesting and over-long arrays are refused before they cost memory', () => {
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":${'['.repeat(20)}${']'.repeat(20)}}`)), /nesting deeper than 8 levels/);
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":${'['.repeat(100000)}}`)), /nesting deeper than 8 levels/);
    const rank65 = `[${Array(65).fill(1).join(',')}]`;
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":${T('F32', rank65, '[0,4]')}}`, f32Bytes([1]))), /array longer than 64 elements/);
  });

  test('entry shape: unknown dtype, missing keys, not an object', () => {
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":${T('F128', '[1]', '[0,16]')}}`, good16)), /tensor 'a': dtype must be one of BOOL, U8, .*; received 'F128'/);
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":{"dtype":5,"shape":[1],"data_offsets":[0,4]}}`)), /dtype must be one of .*received the number 5/);
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":{"dtype":"F32","shape":[4]}}`, good16)), /tensor 'a': header entry must have dtype, shape and data_offsets; missing data_offsets/);
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":5}`)), /tensor 'a': header entry must be an object .*received the number 5/);
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":${T('F32', '"4"', '[0,16]')}}`, good16)), /shape must be an array .*received the string '4'/);
  });

  test('shape dims: negative, fractional, exponent form, beyond 2^53, element count and byte count overflow', () => {
    const one = (shape: string, offsets = '[0,16]'): Uint8Array => fileOf(`{"w":${T('F32', shape, offsets)}}`, good16);
    expectFormatError(() => decodeSafetensors(one('[-1]')), /tensor 'w': shape\[0\] must be a non-negative integer; received -1/);
    expectFormatError(() => decodeSafetensors(one('[2,1.5]')), /shape\[1\] must be a non-negative integer; received 1\.5/);
    expectFormatError(() => decodeSafetensors(one('[4.0]')), /received 4\.0/);
    expectFormatError(() => decodeSafetensors(one('[4e0]')), /received 4e0/);
    expectFormatError(() => decodeSafetensors(one('[null]')), /shape\[0\] must be a non-negative integer; received null/);
    expectFormatError(() => decodeSafetensors(one('[99999999999999999999]')), /shape\[0\] must be below 2\^53 .*received 99999999999999999999/);
    expectFormatError(() => decodeSafetensors(one(`[${2 ** 26},${2 ** 26},${2 ** 26}]`)), /shape \(67108864, 67108864, 67108864\) has more than 2\^53 elements/);
    expectFormatError(() => decodeSafetensors(one(`[${2 ** 50},4]`)), /× F32 needs more than 2\^53 bytes/);
    // a zero anywhere makes the product zero, whatever the other dims
    const z = decodeSafetensors(fileOf(`{"w":${T('F32', `[${2 ** 52},0]`, '[0,0]')}}`)).tensors.get('w')!;
    assert.deepEqual([z.shape, z.data.length], [[2 ** 52, 0], 0]);
  });

  test('data_offsets: wrong form, reversed, outside, size mismatch (message as in the spec of this module)', () => {
    const one = (offsets: string, shape = '[4]', data = good16): Uint8Array => fileOf(`{"lstm.weight_ih_l0":${T('F32', shape, offsets)}}`, data);
    expectFormatError(() => decodeSafetensors(one('[0]')), /data_offsets must be \[begin, end\]; received an array of 1/);
    expectFormatError(() => decodeSafetensors(one('{"0":16}')), /data_offsets must be \[begin, end\]; received an object/);
    expectFormatError(() => decodeSafetensors(one('[0,-16]')), /data_offsets\[1\] must be a non-negative integer; received -16/);
    expectFormatError(() => decodeSafetensors(one('[16,0]')), /data_offsets \[16, 0\] are reversed/);
    expectFormatError(
      () => decodeSafetensors(one('[0,100]', '[256,32]')),
      /^\[safetensors\] tensor 'lstm\.weight_ih_l0': shape \(256, 32\) × F32 needs 32768 bytes; data_offsets \[0, 100\] give 100\. The file is corrupt or truncated\.$/,
    );
    expectFormatError(() => decodeSafetensors(one('[0,12]')), /shape \(4\) × F32 needs 16 bytes; data_offsets \[0, 12\] give 12/);
    expectFormatError(() => decodeSafetensors(one('[0,64]', '[16]')), /data_offsets \[0, 64\] must lie inside the data section of 16 bytes; they reach 48 bytes past its end/);
    expectFormatError(() => decodeSafetensors(one('[16,32]')), /must lie inside the data section of 16 bytes/);
  });

  test('ranges must tile the data section: overlap, hole, trailing bytes, not starting at 0', () => {
    const d24 = f32Bytes([1, 2, 3, 4, 5, 6]);
    expectFormatError(
      () => decodeSafetensors(fileOf(`{"a":${T('F32', '[4]', '[0,16]')},"b":${T('F32', '[4]', '[8,24]')}}`, d24)),
      /tensor 'b': data_offsets \[8, 24\] overlap tensor 'a' at \[0, 16\]/,
    );
    expectFormatError(
      () => decodeSafetensors(fileOf(`{"a":${T('F32', '[4]', '[0,16]')},"b":${T('F32', '[4]', '[0,16]')}}`, good16)),
      /overlap/,
    );
    expectFormatError(
      () => decodeSafetensors(fileOf(`{"a":${T('F32', '[4]', '[0,16]')},"b":${T('F32', '[1]', '[20,24]')}}`, d24)),
      /tensor 'b': data_offsets must start at byte 16 \(after tensor 'a'\); received 20, leaving 4 bytes that belong to no tensor/,
    );
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":${T('F32', '[3]', '[4,16]')}}`, good16)), /must start at byte 0 \(at the start of the data section\); received 4/);
    expectFormatError(() => decodeSafetensors(fileOf(`{"a":${T('F32', '[3]', '[0,12]')}}`, good16)), /cover 12 bytes of the data section but it holds 16 \(4 trailing bytes\)/);
    expectFormatError(() => decodeSafetensors(fileOf('{}', [0])), /cover 0 bytes .* holds 1 \(1 trailing bytes\)/);
    // out-of-order entries and zero-size tensors anywhere on a boundary are fine
    const ok = decodeSafetensors(
      fileOf(`{"z":${T('F32', '[0]', '[16,16]')},"b":${T('F32', '[2]', '[8,16]')},"e":${T('F32', '[0]', '[0,0]')},"a":${T('F32', '[2]', '[0,8]')}}`, good16),
    );
    assert.deepEqual([...ok.tensors.keys()], ['e', 'a', 'b', 'z']);
    assert.deepEqual(Array.from(ok.tensors.get('b')!.data), [3, 4]);
  });

  test('__metadata__ must be a map of strings; "__proto__" keys stay plain data', () => {
    expectFormatError(() => decodeSafetensors(fileOf('{"__metadata__":{"k":1}}')), /__metadata__\['k'\] must be a string; received the number 1/);
    expectFormatError(() => decodeSafetensors(fileOf('{"__metadata__":{"k":{"x":"y"}}}')), /received an object/);
    expectFormatError(() => decodeSafetensors(fileOf('{"__metadata__":["a"]}')), /__metadata__ must be an object of strings; received an array/);
    expectFormatError(() => decodeSafetensors(fileOf('{"__metadata__":null}')), /received null/);
    const m = decodeSafetensors(fileOf('{"__metadata__":{"__proto__":"x","toString":"y"}}')).metadata;
    assert.equal(m['__proto__' as string], 'x');
    assert.equal(Object.getPrototypeOf(m), null);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  test('a long hostile tensor name is shortened in messages', () => {
    const name = 'n'.repeat(5000);
    const msg = expectFormatError(() => decodeSafetensors(fileOf(`{"${name}":${T('F32', '[4]', '[0,12]')}}`, good16)));
    assert.ok(msg.length < 400, `message is ${msg.length} characters`);
    assert.match(msg, /…\(5000 characters\)/);
  });
});

test('decodes from a Node Buffer that is a view into a larger pool (readFileSync-style)', async () => {
  const { encodeSafetensors, decodeSafetensors } = await import('../../src/io/safetensors.js');
  const { Tensor } = await import('../../src/tensor.js');
  const bytes = encodeSafetensors({ w: new Tensor(Float32Array.from([1, 2, 3]), [3]) });
  const pool = Buffer.alloc(bytes.length + 64);
  pool.set(bytes, 16);
  const view = pool.subarray(16, 16 + bytes.length);
  const t = decodeSafetensors(view).tensors.get('w')!;
  assert.deepEqual(Array.from(t.data), [1, 2, 3]);
});
