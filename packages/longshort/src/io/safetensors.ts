// Model files: the safetensors format (Hugging Face), read and written on plain byte arrays so the
// same code runs in browsers and in Node. File access, atomic writes and paths live in ./node.ts.
//
// Layout (little-endian throughout):
//   [0, 8)        N, u64: byte length of the header
//   [8, 8+N)      header: UTF-8 JSON object, padded with spaces (0x20) to a multiple of 8 bytes
//                 { "__metadata__": {string: string},          (optional)
//                   "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, … }
//   [8+N, EOF)    data section; data_offsets are relative to its first byte, row-major ('C') order
//
// The writer reproduces the bytes of the reference Rust implementation (which Python
// `safetensors.torch.save_file` calls): tensors sorted by dtype alignment (largest first) then by
// name in UTF-8 byte order, laid out back to back; header is compact JSON (serde_json style) with
// `__metadata__` first and each tensor's keys in the order dtype, shape, data_offsets; header padded
// with spaces to a multiple of 8 so every tensor starts 8-byte aligned.
//
// The reader treats every file as hostile: it checks the header length, the UTF-8, the JSON (with
// the strict reader in ./json.ts, which catches duplicate keys and caps nesting), every dtype, shape and byte range,
// and that the ranges tile the data section exactly (no overlap, no hole, no trailing bytes, as the
// format requires), all BEFORE it allocates any tensor. Every failure is a FormatError naming the
// tensor and quoting what was expected and what the file holds. Output allocation is bounded by
// 4 × the file size (an element takes at least 1 byte on disk and 4 bytes as float32).
//
// Left out: lazy/partial reads and memory mapping (files here are small LSTM models), complex and
// sub-byte dtypes (C64, F4, F6_*, F8_E8M0, packed int4), writing any dtype other than F32/F64.

import { ConfigError, FormatError, NonFiniteError, ShapeError } from '../errors.js';
import { JsonNumber, clip, isWellFormed, jsonKind, parseJsonExact, quote, type JsonValue as Json } from './json.js';
import type { Arr } from '../tensor.js';

/** Element types this reader understands (the safetensors names). */
export type SafetensorsDType =
  | 'BOOL'
  | 'U8'
  | 'I8'
  | 'F8_E5M2'
  | 'F8_E4M3'
  | 'I16'
  | 'U16'
  | 'F16'
  | 'BF16'
  | 'I32'
  | 'U32'
  | 'F32'
  | 'F64'
  | 'I64'
  | 'U64';

/**
 * Bytes per element and sort rank. The rank is the position in the reference implementation's
 * `Dtype` enum ("in increasing alignment order"); the writer sorts by it, largest first.
 */
const DTYPES: Readonly<Record<SafetensorsDType, { size: number; rank: number; integer: boolean }>> = {
  BOOL: { size: 1, rank: 0, integer: true },
  U8: { size: 1, rank: 1, integer: true },
  I8: { size: 1, rank: 2, integer: true },
  F8_E5M2: { size: 1, rank: 3, integer: false },
  F8_E4M3: { size: 1, rank: 4, integer: false },
  I16: { size: 2, rank: 5, integer: true },
  U16: { size: 2, rank: 6, integer: true },
  F16: { size: 2, rank: 7, integer: false },
  BF16: { size: 2, rank: 8, integer: false },
  I32: { size: 4, rank: 9, integer: true },
  U32: { size: 4, rank: 10, integer: true },
  F32: { size: 4, rank: 11, integer: false },
  F64: { size: 8, rank: 12, integer: false },
  I64: { size: 8, rank: 13, integer: true },
  U64: { size: 8, rank: 14, integer: true },
};

/** Same cap as the reference implementation (MAX_HEADER_SIZE). */
export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;
/** A valid header nests three levels deep ({ name: { shape: [..] } }); anything deeper is hostile. */
const MAX_JSON_DEPTH = 8;
/** Longest JSON array accepted in a header: shapes above rank 64 are not real tensors. */
const MAX_JSON_ARRAY = 64;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// Public types

/** One tensor to write. `shape` is row-major; `data.length` must equal the product of `shape`. */
export interface NamedTensor {
  name: string;
  shape: readonly number[];
  data: Arr;
}

/** Anything with `shape` and `data` (a `Tensor` from ../tensor.ts fits). */
export interface TensorLike {
  readonly shape: readonly number[];
  readonly data: Arr;
}

/** Options of encodeSafetensors(). */
export interface EncodeOptions {
  /**
   * Stored element type. Default: F32 for Float32Array data, F64 for Float64Array data.
   * 'F32' rounds Float64Array data to float32 (a finite value that overflows float32 is an error);
   * 'F64' widens Float32Array data exactly.
   */
  dtype?: 'F32' | 'F64';
}

/** Options of decodeSafetensors() and loadSafetensors(). */
export interface DecodeOptions {
  /** Largest header accepted, in bytes. Default 100 000 000 (the reference implementation's cap). */
  maxHeaderBytes?: number;
  /**
   * What to do with integer and boolean tensors (BOOL, U8, I8, I16, U16, I32, U32, I64, U64).
   * 'convert' (default): to float32, exact up to |x| = 2^24, rounded to nearest beyond that.
   * 'reject': a FormatError naming the tensor.
   */
  integers?: 'convert' | 'reject';
}

/** Where a tensor lives in the file, as the header declares it (already validated). */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** Byte range [begin, end) relative to the start of the data section. */
  begin: number;
  end: number;
}

/** The validated header of a file: entries in data (offset) order, metadata, and where data starts. */
export interface SafetensorsHeader {
  entries: SafetensorsEntry[];
  /** `__metadata__` (an object without prototype), or null when the file has none. */
  metadata: Record<string, string> | null;
  /** Absolute byte offset of the data section (8 + header length). */
  dataStart: number;
  /** Header length N as stored in the first 8 bytes. */
  headerBytes: number;
}

/** One tensor read from a safetensors file. */
export interface DecodedTensor {
  /** The dtype stored in the file; `data` is always float32. */
  dtype: SafetensorsDType;
  /** Dimensions of the tensor. */
  shape: number[];
  /** The values, row-major, converted to float32. */
  data: Float32Array;
}

/** What decodeSafetensors() returns: every tensor by name, and the string metadata. */
export interface DecodedSafetensors {
  /** Tensors in file (data offset) order. */
  tensors: Map<string, DecodedTensor>;
  /** `__metadata__` (an object without prototype); empty when the file has none. */
  metadata: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Serialize tensors (and optional string metadata) to safetensors bytes, byte-identical to what the
 * reference implementation writes for the same tensors and metadata (see the file header; with two
 * or more metadata keys the reference order is a HashMap's, we sort them).
 *
 * Bad arguments: ShapeError when data length ≠ product of shape; ConfigError for a non-string,
 * reserved ('__metadata__'), duplicate or ill-formed (unpaired surrogate) name, non-string metadata,
 * an unsupported data array or option.
 */
export function encodeSafetensors(
  tensors: readonly NamedTensor[] | Readonly<Record<string, TensorLike>>,
  metadata?: Readonly<Record<string, string>>,
  opts: EncodeOptions = {},
): Uint8Array {
  const where = '[encodeSafetensors]';
  if (opts === null || typeof opts !== 'object') throw new ConfigError(`${where} opts must be an object; received ${describe(opts)}.`);
  if (opts.dtype !== undefined && opts.dtype !== 'F32' && opts.dtype !== 'F64') {
    throw new ConfigError(`${where} opts.dtype must be 'F32' or 'F64'; received ${describe(opts.dtype)}.`);
  }
  if (tensors === null || typeof tensors !== 'object') {
    throw new ConfigError(`${where} tensors must be a list of { name, shape, data } or an object of { shape, data }; received ${describe(tensors)}.`);
  }
  const list: NamedTensor[] = Array.isArray(tensors)
    ? (tensors as readonly NamedTensor[]).slice()
    : Object.keys(tensors as Record<string, TensorLike>).map((name) => {
        const t = (tensors as Record<string, TensorLike>)[name];
        if (t === null || typeof t !== 'object') throw new ConfigError(`${where} tensor ${quote(name)} must be { shape, data }; received ${describe(t)}.`);
        return { name, shape: t.shape, data: t.data } as NamedTensor;
      });

  // ---- validate every input before writing anything
  const seen = new Set<string>();
  const items: { name: string; shape: number[]; data: Arr; dtype: 'F32' | 'F64'; nbytes: number }[] = [];
  for (const t of list) {
    if (t === null || typeof t !== 'object') {
      throw new ConfigError(`${where} each tensor must be { name, shape, data }; received ${describe(t)}.`);
    }
    const { name, shape, data } = t as NamedTensor;
    // Any string is a valid name (even ''), as in the reference implementation: what we can read we can write.
    if (typeof name !== 'string') {
      throw new ConfigError(`${where} tensor names must be strings; received ${describe(name)}.`);
    }
    if (name === '__metadata__') {
      throw new ConfigError(`${where} '__metadata__' is reserved for the metadata map and cannot name a tensor. Hint: rename the tensor.`);
    }
    if (!isWellFormed(name)) {
      throw new ConfigError(`${where} tensor name ${quote(name)} contains an unpaired UTF-16 surrogate, which UTF-8 cannot encode.`);
    }
    if (seen.has(name)) throw new ConfigError(`${where} duplicate tensor name ${quote(name)}; names must be unique.`);
    seen.add(name);
    if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
      throw new ConfigError(`${where} tensor ${quote(name)}: data must be a Float32Array or Float64Array; received ${describe(data)}.`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ShapeError(`${where} tensor ${quote(name)}: shape must be an array of non-negative integers; received ${describe(shape)}.`);
    }
    let n = 1;
    for (const d of shape) n *= d;
    if (n !== data.length) {
      throw new ShapeError(
        `${where} tensor ${quote(name)}: data length must equal the product of shape (${shape.join(', ')}) = ${n}; received ${data.length}.`,
      );
    }
    const dtype = opts.dtype ?? (data instanceof Float64Array ? 'F64' : 'F32');
    items.push({ name, shape: shape.slice(), data, dtype, nbytes: n * DTYPES[dtype].size });
  }
  let metaJson: string | null = null;
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new ConfigError(`${where} metadata must be an object of string values; received ${describe(metadata)}.`);
    }
    const keys = Object.keys(metadata).sort(compareUtf8);
    const parts: string[] = [];
    for (const k of keys) {
      const v = (metadata as Record<string, unknown>)[k];
      if (typeof v !== 'string') {
        throw new ConfigError(
          `${where} metadata[${quote(k)}] must be a string (safetensors metadata is string → string); received ${describe(v)}. Hint: JSON.stringify it.`,
        );
      }
      if (!isWellFormed(k) || !isWellFormed(v)) {
        throw new ConfigError(`${where} metadata[${quote(k)}] contains an unpaired UTF-16 surrogate, which UTF-8 cannot encode.`);
      }
      parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    metaJson = `{${parts.join(',')}}`;
  }

  // ---- order and header, exactly as the reference writer: alignment desc, then name (UTF-8 bytes)
  items.sort((a, b) => DTYPES[b.dtype].rank - DTYPES[a.dtype].rank || compareUtf8(a.name, b.name));
  const fields: string[] = [];
  if (metaJson !== null) fields.push(`"__metadata__":${metaJson}`);
  let offset = 0;
  const begins: number[] = [];
  for (const it of items) {
    begins.push(offset);
    fields.push(
      `${JSON.stringify(it.name)}:{"dtype":"${it.dtype}","shape":[${it.shape.join(',')}],"data_offsets":[${offset},${offset + it.nbytes}]}`,
    );
    offset += it.nbytes;
  }
  const headerUtf8 = new TextEncoder().encode(`{${fields.join(',')}}`);
  const headerLen = headerUtf8.length + ((8 - (headerUtf8.length % 8)) % 8);
  const dataStart = 8 + headerLen;

  const out = new Uint8Array(dataStart + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true);
  out.set(headerUtf8, 8);
  out.fill(0x20, 8 + headerUtf8.length, dataStart);

  for (let k = 0; k < items.length; k++) {
    const { name, data, dtype } = items[k];
    let p = dataStart + begins[k];
    if (dtype === 'F32' && data instanceof Float32Array && LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), p);
    } else if (dtype === 'F64' && data instanceof Float64Array && LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), p);
    } else if (dtype === 'F32') {
      for (let i = 0; i < data.length; i++, p += 4) {
        const v = data[i];
        const f = Math.fround(v);
        if (f !== v && !Number.isFinite(f) && Number.isFinite(v)) {
          throw new NonFiniteError(
            `${where} tensor ${quote(name)}: element ${i} = ${v} overflows float32 (max ±3.4028234663852886e38) when stored as F32. Hint: store it as F64 (omit opts.dtype).`,
          );
        }
        view.setFloat32(p, f, true);
      }
    } else {
      for (let i = 0; i < data.length; i++, p += 8) view.setFloat64(p, data[i], true);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * Parse and validate the header of a safetensors file without decoding (or allocating) any tensor.
 * Throws FormatError on anything malformed; see decodeSafetensors.
 */
export function readSafetensorsHeader(bytes: Uint8Array, opts: DecodeOptions = {}): SafetensorsHeader {
  if (!(bytes instanceof Uint8Array)) {
    throw new FormatError(`[safetensors] expected the file contents as a Uint8Array; received ${describe(bytes)}.`);
  }
  const cap = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(cap) || cap < 2) {
    throw new ConfigError(`[safetensors] opts.maxHeaderBytes must be an integer ≥ 2; received ${describe(cap)}.`);
  }
  const len = bytes.length;
  if (len < 8) {
    throw new FormatError(
      `[safetensors] a file needs at least 8 bytes (the header length); received ${len}. The file is truncated or not a safetensors file.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(cap)) {
    const hint = n64 >= 1n << 63n ? ' (the high bit is set: read as signed it would be negative)' : '';
    throw new FormatError(
      `[safetensors] header length must be at most ${cap} bytes (opts.maxHeaderBytes); the first 8 bytes give ${n64}${hint}. The file is corrupt or not a safetensors file.`,
    );
  }
  const n = Number(n64);
  if (8 + n > len) {
    throw new FormatError(
      `[safetensors] header length is ${n} bytes but only ${len - 8} bytes follow the 8-byte length. The file is corrupt or truncated.`,
    );
  }
  if (n === 0 || bytes[8] !== 0x7b) {
    const got = n === 0 ? 'an empty header' : `0x${bytes[8].toString(16).padStart(2, '0')}`;
    throw new FormatError(`[safetensors] header must start with '{' (0x7b); received ${got}. The file is corrupt or not a safetensors file.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new FormatError(`[safetensors] header (bytes 8 to ${8 + n}) must be valid UTF-8; it is not. The file is corrupt.`);
  }
  const root = parseJsonExact(text, '[safetensors] header', { maxDepth: MAX_JSON_DEPTH, maxArrayLength: MAX_JSON_ARRAY, maxLength: n, eofName: 'header' });
  if (!(root instanceof Map)) {
    throw new FormatError(`[safetensors] header must be a JSON object; received ${jsonKind(root)}.`);
  }

  const dataStart = 8 + n;
  const dataLen = len - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of root) {
    if (name === '__metadata__') {
      if (!(value instanceof Map)) {
        throw new FormatError(`[safetensors] __metadata__ must be an object of strings; received ${jsonKind(value)}.`);
      }
      metadata = Object.create(null) as Record<string, string>;
      for (const [k, v] of value) {
        if (typeof v !== 'string') {
          throw new FormatError(`[safetensors] __metadata__[${quote(k)}] must be a string; received ${jsonKind(v)}.`);
        }
        metadata[k] = v;
      }
      continue;
    }
    entries.push(checkEntry(name, value, dataLen));
  }

  // The ranges must tile [0, dataLen) exactly: the format forbids holes (no polyglot files).
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let prev: SafetensorsEntry | null = null;
  for (const e of sorted) {
    if (e.begin < covered && prev !== null) {
      throw new FormatError(
        `[safetensors] tensor ${quote(e.name)}: data_offsets [${e.begin}, ${e.end}] overlap tensor ${quote(prev.name)} at [${prev.begin}, ${prev.end}]. The file is corrupt.`,
      );
    }
    if (e.begin > covered) {
      const after = prev === null ? 'at the start of the data section' : `after tensor ${quote(prev.name)}`;
      throw new FormatError(
        `[safetensors] tensor ${quote(e.name)}: data_offsets must start at byte ${covered} (${after}); received ${e.begin}, leaving ${e.begin - covered} bytes that belong to no tensor. The file is corrupt.`,
      );
    }
    covered = e.end;
    prev = e;
  }
  if (covered !== dataLen) {
    throw new FormatError(
      `[safetensors] the tensors cover ${covered} bytes of the data section but it holds ${dataLen} (${dataLen - covered} trailing bytes). The file is corrupt or has data appended.`,
    );
  }
  return { entries: sorted, metadata, dataStart, headerBytes: n };
}

/**
 * Decode a safetensors file into float32 tensors. F32 is copied as is; F64, F16, BF16, F8_E5M2 and
 * F8_E4M3 (the "fn" variant PyTorch writes) are converted to float32 (round to nearest); integer
 * and BOOL tensors are converted (default) or rejected, see DecodeOptions.integers.
 *
 * Everything is validated before any tensor is allocated; any problem is a FormatError.
 */
export function decodeSafetensors(bytes: Uint8Array, opts: DecodeOptions = {}): DecodedSafetensors {
  const integers = opts.integers ?? 'convert';
  if (integers !== 'convert' && integers !== 'reject') {
    throw new ConfigError(`[safetensors] opts.integers must be 'convert' or 'reject'; received ${describe(integers)}.`);
  }
  const header = readSafetensorsHeader(bytes, opts);
  if (integers === 'reject') {
    for (const e of header.entries) {
      if (DTYPES[e.dtype].integer) {
        throw new FormatError(
          `[safetensors] tensor ${quote(e.name)} has integer dtype ${e.dtype}; expected a float dtype (F32, F64, F16, BF16, F8_*) because opts.integers is 'reject'.`,
        );
      }
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors = new Map<string, DecodedTensor>();
  for (const e of header.entries) {
    const p = header.dataStart + e.begin;
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: toFloat32(bytes, view, p, e) });
  }
  const metadata = header.metadata ?? (Object.create(null) as Record<string, string>);
  return { tensors, metadata };
}

// in  bytes[p, p + numel·size)   the tensor's stored elements
// out Float32Array(numel)
function toFloat32(bytes: Uint8Array, view: DataView, p: number, e: SafetensorsEntry): Float32Array {
  const size = DTYPES[e.dtype].size;
  const n = (e.end - e.begin) / size;
  if (e.dtype === 'F32' && LITTLE_ENDIAN_HOST) {
    // slice() copies into a fresh ArrayBuffer, so the float view is aligned whatever the file's layout.
    // Copy through a plain Uint8Array view: a Node Buffer's slice() shares memory (its .buffer is the whole pool).
    return new Float32Array(new Uint8Array(bytes.buffer, bytes.byteOffset + p, 4 * n).slice().buffer);
  }
  const out = new Float32Array(n);
  switch (e.dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(p + 4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(p + 8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = f16ToNumber(view.getUint16(p + 2 * i, true));
      break;
    case 'BF16':
      for (let i = 0; i < n; i++) out[i] = bf16ToNumber(view.getUint16(p + 2 * i, true));
      break;
    case 'F8_E5M2':
      // E5M2 is the top byte of an IEEE half: same exponent bias (15), inf and NaN.
      for (let i = 0; i < n; i++) out[i] = f16ToNumber(bytes[p + i] << 8);
      break;
    case 'F8_E4M3':
      for (let i = 0; i < n; i++) out[i] = f8e4m3ToNumber(bytes[p + i]);
      break;
    case 'BOOL':
      for (let i = 0; i < n; i++) out[i] = bytes[p + i] !== 0 ? 1 : 0;
      break;
    case 'U8':
      for (let i = 0; i < n; i++) out[i] = bytes[p + i];
      break;
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = view.getInt8(p + i);
      break;
    case 'I16':
      for (let i = 0; i < n; i++) out[i] = view.getInt16(p + 2 * i, true);
      break;
    case 'U16':
      for (let i = 0; i < n; i++) out[i] = view.getUint16(p + 2 * i, true);
      break;
    case 'I32':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(p + 4 * i, true);
      break;
    case 'U32':
      for (let i = 0; i < n; i++) out[i] = view.getUint32(p + 4 * i, true);
      break;
    case 'I64':
      // Number(BigInt) rounds to nearest double, then the store rounds to float32 (double
      // rounding can differ from a direct round in the last float32 bit above 2^53; documented).
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(p + 8 * i, true));
      break;
    case 'U64':
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(p + 8 * i, true));
      break;
  }
  return out;
}

/** IEEE 754 binary16 bits → number. 1 sign, 5 exponent (bias 15), 10 mantissa bits. */
export function f16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const man = h & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24; // zero and subnormals: man · 2^-14 · 2^-10
  if (exp === 31) return man === 0 ? sign * Infinity : NaN;
  return sign * (1024 + man) * 2 ** (exp - 25); // (1 + man/1024) · 2^(exp-15)
}

const scratchU32 = new Uint32Array(1);
const scratchF32 = new Float32Array(scratchU32.buffer);
/** bfloat16 bits → number: bfloat16 is the upper half of a float32. */
export function bf16ToNumber(b: number): number {
  scratchU32[0] = (b & 0xffff) << 16;
  return scratchF32[0];
}

/** float8 e4m3fn bits → number: bias 7, no infinities, S.1111.111 is NaN, max ±448. */
export function f8e4m3ToNumber(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf;
  const man = b & 0x7;
  if (exp === 15 && man === 7) return NaN;
  if (exp === 0) return sign * man * 2 ** -9; // subnormal: man/8 · 2^-6
  return sign * (8 + man) * 2 ** (exp - 10); // (1 + man/8) · 2^(exp-7)
}

// ---------------------------------------------------------------------------------------------
// Header entry validation

function checkEntry(name: string, value: Json, dataLen: number): SafetensorsEntry {
  const t = `[safetensors] tensor ${quote(name)}`;
  if (!(value instanceof Map)) {
    throw new FormatError(`${t}: header entry must be an object {dtype, shape, data_offsets}; received ${jsonKind(value)}.`);
  }
  const dtypeV = value.get('dtype');
  const shapeV = value.get('shape');
  const offV = value.get('data_offsets');
  if (dtypeV === undefined || shapeV === undefined || offV === undefined) {
    const missing = ['dtype', 'shape', 'data_offsets'].filter((k) => !value.has(k));
    throw new FormatError(`${t}: header entry must have dtype, shape and data_offsets; missing ${missing.join(', ')}.`);
  }
  if (typeof dtypeV !== 'string' || !Object.prototype.hasOwnProperty.call(DTYPES, dtypeV)) {
    throw new FormatError(
      `${t}: dtype must be one of ${Object.keys(DTYPES).join(', ')}; received ${typeof dtypeV === 'string' ? quote(dtypeV) : jsonKind(dtypeV)}.`,
    );
  }
  const dtype = dtypeV as SafetensorsDType;
  if (!Array.isArray(shapeV)) throw new FormatError(`${t}: shape must be an array of non-negative integers; received ${jsonKind(shapeV)}.`);
  const shape = shapeV.map((d, i) => jsonUint(d, `${t}: shape[${i}]`));
  const offsets = Array.isArray(offV) ? offV : null;
  if (offsets === null || offsets.length !== 2) {
    throw new FormatError(`${t}: data_offsets must be [begin, end]; received ${offsets === null ? jsonKind(offV) : `an array of ${offsets.length}`}.`);
  }
  const begin = jsonUint(offsets[0], `${t}: data_offsets[0]`);
  const end = jsonUint(offsets[1], `${t}: data_offsets[1]`);

  // numel and byte count, refusing anything past 2^53 (where doubles stop counting exactly)
  let numel = 1;
  if (!shape.includes(0)) {
    for (const d of shape) {
      numel *= d;
      if (numel > Number.MAX_SAFE_INTEGER) {
        throw new FormatError(`${t}: shape (${shape.join(', ')}) has more than 2^53 elements. The file is corrupt or hostile.`);
      }
    }
  } else numel = 0;
  const nbytes = numel * DTYPES[dtype].size;
  if (nbytes > Number.MAX_SAFE_INTEGER) {
    throw new FormatError(`${t}: shape (${shape.join(', ')}) × ${dtype} needs more than 2^53 bytes. The file is corrupt or hostile.`);
  }
  if (begin > end) {
    throw new FormatError(`${t}: data_offsets [${begin}, ${end}] are reversed; begin must be ≤ end. The file is corrupt.`);
  }
  if (end - begin !== nbytes) {
    throw new FormatError(
      `${t}: shape (${shape.join(', ')}) × ${dtype} needs ${nbytes} bytes; data_offsets [${begin}, ${end}] give ${end - begin}. The file is corrupt or truncated.`,
    );
  }
  if (end > dataLen) {
    throw new FormatError(
      `${t}: data_offsets [${begin}, ${end}] must lie inside the data section of ${dataLen} bytes; they reach ${end - dataLen} bytes past its end. The file is corrupt or truncated.`,
    );
  }
  return { name, dtype, shape, begin, end };
}

/** A JSON number token that is a plain non-negative integer (digits only) below 2^53. */
function jsonUint(v: Json | undefined, what: string): number {
  if (!(v instanceof JsonNumber)) {
    throw new FormatError(`${what} must be a non-negative integer; received ${v === undefined ? 'nothing' : jsonKind(v)}.`);
  }
  if (!/^(0|[1-9][0-9]*)$/.test(v.text)) {
    throw new FormatError(`${what} must be a non-negative integer; received ${clip(v.text)}.`);
  }
  const x = Number(v.text);
  if (!Number.isSafeInteger(x)) {
    throw new FormatError(`${what} must be below 2^53 = 9007199254740992; received ${clip(v.text)}. The file is corrupt or hostile.`);
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Compare strings by their UTF-8 bytes (= code point order), as Rust's `str` Ord does. */
function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++; // both are the same surrogate pair
  }
  return a.length - b.length;
}




function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.slice(0, 8).map(describe).join(', ')}${v.length > 8 ? ', …' : ''}]`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}
