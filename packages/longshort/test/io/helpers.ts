// Test helpers for model files: build safetensors bytes by hand (length prefix + header text +
// data) so tests can state exactly what is on disk, and check that a call fails with FormatError.
import assert from 'node:assert/strict';
import { FormatError } from '../../src/errors.js';

/** 8-byte LE length, the header's UTF-8 bytes (space-padded to a multiple of 8 unless pad=false), then data. */
export function fileOf(header: string, data: ArrayLike<number> = [], pad = true): Uint8Array {
  const h = new TextEncoder().encode(header);
  const n = pad ? h.length + ((8 - (h.length % 8)) % 8) : h.length;
  const out = new Uint8Array(8 + n + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(h, 8);
  out.fill(0x20, 8 + h.length, 8 + n);
  out.set(data, 8 + n);
  return out;
}

/** Little-endian bytes of float32 values. */
export function f32Bytes(values: number[]): number[] {
  const b = new Uint8Array(new Float32Array(values).buffer);
  return Array.from(b);
}

/** Runs fn, requires a FormatError (never another type), optionally matching `re`; returns the message. */
export function expectFormatError(fn: () => unknown, re?: RegExp): string {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== null, 'expected a FormatError; the call succeeded');
  assert.ok(caught instanceof FormatError, `expected FormatError; got ${String((caught as Error)?.name)}: ${String((caught as Error)?.message)}`);
  if (re) assert.match(caught.message, re);
  return caught.message;
}
