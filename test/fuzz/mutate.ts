// Mutations for the fuzz harness: structured ones that keep a file parseable while making one
// field hostile (a size of 2^31, a dtype that does not exist, nesting 20 000 deep, a duplicated key,
// NaN where a weight goes), and plain byte ones (flips, cuts, splices) for the parsers underneath.
// Everything draws from one seeded Rng, so a case is reproduced by its seed alone.

import type { Rng } from '../../packages/longshort/dist/util/rng.js';

// ------------------------------------------------------------------------------------------ bytes

/** One random byte-level damage: truncate, flip bits, overwrite, insert junk, duplicate or delete a run. */
export function mutateBytes(src: Uint8Array, rng: Rng): Uint8Array {
  if (src.length === 0) return new Uint8Array(rng.int(16)).map(() => rng.int(256));
  const b = src.slice();
  switch (rng.int(6)) {
    case 0:
      return src.slice(0, rng.int(src.length));
    case 1: {
      const flips = 1 + rng.int(4);
      for (let k = 0; k < flips; k++) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    }
    case 2: {
      const n = 1 + rng.int(8);
      for (let k = 0; k < n; k++) b[rng.int(b.length)] = [0, 0xff, 0x7f, 0x80, rng.int(256)][rng.int(5)];
      return b;
    }
    case 3:
      return splice(src, rng.int(src.length + 1), 0, new Uint8Array(1 + rng.int(32)).map(() => rng.int(256)));
    case 4: {
      const from = rng.int(src.length);
      const len = 1 + rng.int(Math.min(256, src.length - from));
      return splice(src, rng.int(src.length + 1), 0, src.subarray(from, from + len));
    }
    default: {
      const at = rng.int(src.length);
      return splice(src, at, 1 + rng.int(Math.min(64, src.length - at)), new Uint8Array(0));
    }
  }
}

function splice(src: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length - remove + insert.length);
  out.set(src.subarray(0, at));
  out.set(insert, at);
  out.set(src.subarray(at + remove), at + insert.length);
  return out;
}

/** Overwrite `count` random float32 slots of a little-endian float region with NaN, ±Infinity or huge values. */
export function poisonFloats(bytes: Uint8Array, begin: number, end: number, rng: Rng, count = 1): Uint8Array {
  const out = bytes.slice();
  const slots = Math.floor((end - begin) / 4);
  if (slots <= 0) return out;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let k = 0; k < count; k++) view.setFloat32(begin + 4 * rng.int(slots), [NaN, Infinity, -Infinity, 3.4e38, -0][rng.int(5)], true);
  return out;
}

// ------------------------------------------------------------------------------------------- text

/** Line-level and character-level damage to a text file (CSV, JSON Lines). */
export function mutateText(text: string, rng: Rng, alphabet = ',;\t"\'\n\r{}[]:-.eE0123456789 aN'): string {
  const lines = text.split('\n');
  switch (rng.int(8)) {
    case 0: // drop a line
      lines.splice(rng.int(lines.length), 1);
      return lines.join('\n');
    case 1: { // duplicate a line somewhere
      const l = lines[rng.int(lines.length)];
      lines.splice(rng.int(lines.length + 1), 0, l);
      return lines.join('\n');
    }
    case 2: { // characters from the format's own alphabet
      const a = [...text];
      const n = 1 + rng.int(3);
      for (let k = 0; k < n && a.length > 0; k++) a[rng.int(a.length)] = alphabet[rng.int(alphabet.length)];
      return a.join('');
    }
    case 3: // truncate
      return text.slice(0, rng.int(text.length + 1));
    case 4: // BOM, CRLF, trailing junk
      return [`\ufeff${text}`, text.replace(/\n/g, '\r\n'), `${text}\n\n\n`, `${text}${'x'.repeat(rng.int(100))}`][rng.int(4)];
    case 5: { // one line many times (a large, repetitive file)
      const l = lines[1 + rng.int(Math.max(1, lines.length - 1))] ?? lines[0];
      const copies = Math.min([10, 100, 1000, 5000][rng.int(4)], Math.floor(8e6 / (l.length + 1))); // stay below ~8 MB
      return [lines[0], ...Array<string>(copies).fill(l), ...lines.slice(1)].join('\n');
    }
    case 6: { // a token replaced by an interesting one
      const toks = text.split(/([,;\t\n:{}[\]" ])/);
      const k = rng.int(toks.length);
      toks[k] = pick(rng, INTERESTING_TOKENS);
      return toks.join('');
    }
    default: // a line cut in half
      {
        const k = rng.int(lines.length);
        lines[k] = lines[k].slice(0, rng.int(lines[k].length + 1));
        return lines.join('\n');
      }
  }
}

const INTERESTING_TOKENS = [
  '', '0', '-1', '1e309', '-1e309', '1e-400', 'NaN', 'nan', 'Infinity', '2147483648', '9007199254740993', '1.5', '0x10',
  '9999-12-31', '0000-01-01', '2020-02-30', '1970-01-01T00:00:00Z', '275760-09-13', '2020-13-01', '1e5', '"', '""', 'null', 'true',
  '{}', '[]', '[[]]', '{"a":1}', '[1,[2]]', '\u0000', '\ud800', 'é', '😀', '__proto__', 'constructor', 'toString',
];

// ------------------------------------------------------------------------------------------- JSON

/** Marks a value that the serializer writes as `[` × depth `]` × depth (too deep for JSON.stringify). */
export class Deep {
  constructor(readonly depth: number, readonly open = '[', readonly close = ']') {}
}
/** An object serialized with one key written twice (different values). */
export class DupKey {
  constructor(readonly obj: Record<string, unknown>, readonly key: string, readonly second: unknown) {}
}
/** Raw JSON text to splice in as is (non-finite numbers, bad tokens). */
export class Raw {
  constructor(readonly text: string) {}
}

/** JSON.stringify that understands Deep, DupKey and Raw (and stays iterative for Deep). */
export function toJson(v: unknown): string {
  if (v instanceof Deep) return v.open.repeat(v.depth) + (v.open.endsWith(':') ? '0' : '') + v.close.repeat(v.depth);
  if (v instanceof Raw) return v.text;
  if (v instanceof DupKey) {
    const parts = Object.entries(v.obj).map(([k, e]) => `${JSON.stringify(k)}:${toJson(e)}`);
    parts.splice(Math.min(parts.length, 1), 0, `${JSON.stringify(v.key)}:${toJson(v.second)}`);
    return `{${parts.join(',')}}`;
  }
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (ArrayBuffer.isView(v)) return `[${Array.from(v as unknown as ArrayLike<number>).join(',')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, e]) => `${JSON.stringify(k)}:${toJson(e)}`).join(',')}}`;
  if (typeof v === 'number' && !Number.isFinite(v)) return 'null';
  return JSON.stringify(v) ?? 'null';
}

const INTERESTING_NUMBERS = [0, -1, 1, 2, 3, 7, 1.5, -0.5, 2 ** 31, 2 ** 31 - 1, 2 ** 32 + 1, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, 1e-320, 65536, 100000, 10000];
const INTERESTING_STRINGS = ['', 'x', '3', 'NaN', '__proto__', 'constructor', 'toString', 'F16', 'float16', 'yes', 'LSTM', 'GRU', 'x'.repeat(300), '../../etc/passwd', '/abs', 'C:\\x', 'a\u0000b', 'forward', 'reverse', 'bidirectional', 'sideways'];

/** An interesting replacement value for a JSON node (often the same kind as the old one). */
export function interestingValue(old: unknown, rng: Rng): unknown {
  const r = rng.int(12);
  if (typeof old === 'number' && r < 6) {
    switch (rng.int(4)) {
      case 0: return pick(rng, INTERESTING_NUMBERS);
      case 1: return old + pick(rng, [1, -1, 0.5]);
      case 2: return old * pick(rng, [2, 1000, 2 ** 20, -1]);
      default: return new Raw(pick(rng, ['1e999', '-1e999', '1E400', '123456789012345678901234567890', '-0', '0.0000000000000000001']));
    }
  }
  if (typeof old === 'string' && r < 6) return pick(rng, INTERESTING_STRINGS);
  switch (r % 8) {
    case 0: return pick(rng, INTERESTING_NUMBERS);
    case 1: return pick(rng, INTERESTING_STRINGS);
    case 2: return pick(rng, [null, true, false]);
    case 3: return pick(rng, [[], {}, [1], [[1]], { a: 1 }, [0, 0, 0, 0]]);
    case 4: return new Deep(pick(rng, [9, 17, 65, 1000, 20000]), ...(rng.int(2) === 0 ? (['[', ']'] as const) : (['{"a":', '}'] as const)));
    case 5: return typeof old === 'number' ? String(old) : typeof old === 'string' && old !== '' && Number.isFinite(Number(old)) ? Number(old) : [old];
    case 6: return Array.isArray(old) ? [...old, ...old] : { value: old };
    default: return pick(rng, INTERESTING_NUMBERS);
  }
}

type Path = (string | number)[];

/** Every path in a JSON tree (objects and arrays), root excluded. */
export function paths(v: unknown, prefix: Path = [], out: Path[] = [], limit = 5000): Path[] {
  if (out.length >= limit) return out;
  if (Array.isArray(v)) {
    v.forEach((e, k) => {
      out.push([...prefix, k]);
      paths(e, [...prefix, k], out, limit);
    });
  } else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    for (const [k, e] of Object.entries(v)) {
      out.push([...prefix, k]);
      paths(e, [...prefix, k], out, limit);
    }
  }
  return out;
}

/**
 * One structured mutation of a parsed JSON value (deep-copied first): replace a node by an
 * interesting value, tweak a number, delete or add a key, duplicate a key, empty or grow an array.
 * `prefer` biases the choice toward paths whose last key matches it (e.g. /size|layers|shape/).
 */
export function mutateJson(root: unknown, rng: Rng, prefer?: RegExp, avoid?: RegExp): unknown {
  const copy = structuredClone(root) as unknown;
  let all = paths(copy);
  if (avoid !== undefined) all = all.filter((p) => !p.some((k) => avoid.test(String(k))));
  if (all.length === 0) return interestingValue(copy, rng);
  if (prefer !== undefined && rng.int(3) > 0) {
    const hit = all.filter((p) => prefer.test(String(p[p.length - 1])));
    if (hit.length > 0) all = hit;
  }
  const path = pick(rng, all);
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
  const key = path[path.length - 1];
  const old = parent[key];
  switch (rng.int(6)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 1:
      if (!Array.isArray(parent)) {
        return setAt(copy, path.slice(0, -1), new DupKey(parent, String(key), interestingValue(old, rng)));
      }
      parent[key] = interestingValue(old, rng);
      break;
    case 2:
      if (!Array.isArray(parent)) parent[pick(rng, ['extra', '__proto__', 'constructor', 'dtype', 'shape'])] = interestingValue(undefined, rng);
      else parent[key] = interestingValue(old, rng);
      break;
    default:
      parent[key] = interestingValue(old, rng);
  }
  return copy;
}

function setAt(root: unknown, path: Path, v: unknown): unknown {
  if (path.length === 0) return v;
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root) as Record<string | number, unknown>;
  parent[path[path.length - 1]] = v;
  return root;
}

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

// ---------------------------------------------------------------------------------- safetensors

export interface StParts {
  header: Record<string, unknown>;
  data: Uint8Array;
}

/** Split safetensors bytes into the parsed header and the data section (null if it does not parse). */
export function splitSafetensors(bytes: Uint8Array): StParts | null {
  if (bytes.length < 8) return null;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  if (8 + n > bytes.length) return null;
  try {
    return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>, data: bytes.slice(8 + n) };
  } catch {
    return null;
  }
}

/** Reassemble: header text (padded to 8), then data. */
export function joinSafetensors(headerText: string, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const n = h.length + ((8 - (h.length % 8)) % 8);
  const out = new Uint8Array(8 + n + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(h, 8);
  out.fill(0x20, 8 + h.length, 8 + n);
  out.set(data, 8 + n);
  return out;
}

/**
 * A structured mutation of a safetensors file: its header fields (dtype, shape, data_offsets,
 * names), a JSON document stored in one of its metadata strings (`metaKey`), the data section
 * (NaN weights, cut, grown), or the bytes.
 */
export function mutateSafetensors(bytes: Uint8Array, rng: Rng, metaKey?: string, prefer?: RegExp, avoid?: RegExp): Uint8Array {
  const parts = splitSafetensors(bytes);
  if (parts === null) return mutateBytes(bytes, rng);
  const { header, data } = parts;
  const meta = header.__metadata__ as Record<string, string> | undefined;
  const choice = rng.int(10);
  if (choice < 4 && metaKey !== undefined && meta?.[metaKey] !== undefined) {
    // the JSON document inside the metadata: architecture numbers, training state, nesting
    let doc: unknown;
    try {
      doc = JSON.parse(meta[metaKey]);
    } catch {
      return mutateBytes(bytes, rng);
    }
    const mutated = mutateJson(doc, rng, prefer, avoid);
    const text = toJson(mutated);
    return joinSafetensors(toJson({ ...header, __metadata__: { ...meta, [metaKey]: text } }), data);
  }
  if (choice < 7) {
    // the header's own fields
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    if (names.length > 0 && rng.int(2) === 0) {
      const name = pick(rng, names);
      const entry = { ...(header[name] as Record<string, unknown>) };
      switch (rng.int(5)) {
        case 0: entry.dtype = pick(rng, ['F16', 'BF16', 'F64', 'I64', 'U8', 'BOOL', 'F8_E4M3', 'C64', 'F4', 'f32', '']); break;
        case 1: entry.shape = pick(rng, [[], [0], [2 ** 31], [2 ** 26, 2 ** 26], [-1], [1.5], ['4'], (entry.shape as number[]).map((d) => d * 2), [...(entry.shape as number[]), 1]]); break;
        case 2: {
          const [b, e] = entry.data_offsets as number[];
          entry.data_offsets = pick(rng, [[e, b], [b, e + 4], [b + 4, e], [0, e], [b, 2 ** 53], [b], [-4, e], [b, e - 1]]);
          break;
        }
        case 3: entry.extra = 1; break;
        default: {
          // rename: an unknown tensor, or a clash with the architecture's names
          const copy: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(header)) copy[k === name ? pick(rng, ['', 'x', `${name}_`, '__metadata__', names[0]]) : k] = v;
          return joinSafetensors(toJson(copy), data);
        }
      }
      return joinSafetensors(toJson({ ...header, [name]: entry }), data);
    }
    return joinSafetensors(toJson(mutateJson(header, rng, /dtype|shape|data_offsets/)), data);
  }
  if (choice < 9) {
    // the data: poison floats (NaN weights), or change its length
    if (rng.int(3) > 0) return joinSafetensors(toJson(header), poisonFloats(data, 0, data.length, rng, 1 + rng.int(3)));
    const grown = new Uint8Array(Math.max(0, data.length + pick(rng, [-4, -1, 1, 4, 1024])));
    grown.set(data.subarray(0, grown.length));
    return joinSafetensors(toJson(header), grown);
  }
  return mutateBytes(bytes, rng);
}
