// The WAV reader on files built byte by byte here: 16-bit PCM, 32/64-bit float, WAVE_FORMAT_
// EXTENSIBLE, stereo mix-down, odd-sized chunks before the data; and every refusal (not RIFF,
// RF64, truncated, missing chunks, 8/24-bit PCM, A-law, bad block align, NaN samples) with the
// library's error types. Plus the resampler on a pure tone.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, UnsupportedError } from '../../src/errors.js';
import { readWav, writeWav } from '../../src/speech/wav.js';
import { resample } from '../../src/speech/resample.js';

/** A WAV file from its parts: fmt fields, optional extra chunks before 'data', raw data bytes. */
function wavBytes(o: { format?: number; channels?: number; rate?: number; bits?: number; blockAlign?: number; data: Uint8Array; extensible?: number; before?: [string, Uint8Array][]; dataSize?: number }): Uint8Array {
  const channels = o.channels ?? 1;
  const bits = o.bits ?? 16;
  const fmtLen = o.extensible !== undefined ? 40 : 16;
  const chunks: Uint8Array[] = [];
  const chunk = (id: string, body: Uint8Array, size = body.length) => {
    const h = new Uint8Array(8);
    const v = new DataView(h.buffer);
    for (let k = 0; k < 4; k++) h[k] = id.charCodeAt(k);
    v.setUint32(4, size, true);
    chunks.push(h, body);
    if (body.length & 1) chunks.push(new Uint8Array(1));
  };
  const fmt = new Uint8Array(fmtLen);
  const f = new DataView(fmt.buffer);
  f.setUint16(0, o.extensible !== undefined ? 0xfffe : o.format ?? 1, true);
  f.setUint16(2, channels, true);
  f.setUint32(4, o.rate ?? 16000, true);
  f.setUint32(8, (o.rate ?? 16000) * channels * (bits / 8), true);
  f.setUint16(12, o.blockAlign ?? channels * (bits / 8), true);
  f.setUint16(14, bits, true);
  if (o.extensible !== undefined) {
    f.setUint16(16, 22, true);
    f.setUint16(18, bits, true);
    f.setUint16(24, o.extensible, true); // sub-format GUID starts with the format code
  }
  chunk('fmt ', fmt);
  for (const [id, body] of o.before ?? []) chunk(id, body);
  chunk('data', o.data, o.dataSize);
  const body = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0) + 12);
  const v = new DataView(body.buffer);
  'RIFF'.split('').forEach((c, k) => (body[k] = c.charCodeAt(0)));
  v.setUint32(4, body.length - 8, true);
  'WAVE'.split('').forEach((c, k) => (body[8 + k] = c.charCodeAt(0)));
  let at = 12;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return body;
}

const f32 = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);
const i16 = (xs: number[]) => new Uint8Array(Int16Array.from(xs).buffer);

describe('readWav', () => {
  test('16-bit PCM: writeWav → readWav keeps every sample to 1/32768', () => {
    const x = Float32Array.from({ length: 1000 }, (_, n) => 0.8 * Math.sin(n / 7));
    const w = readWav(writeWav(x, 16000));
    assert.equal(w.sampleRate, 16000);
    assert.equal(w.format, 'pcm16');
    assert.equal(w.samples.length, 1000);
    for (let n = 0; n < 1000; n++) assert.ok(Math.abs(w.samples[n] - x[n]) <= 1 / 32768, `sample ${n}`);
  });

  test('PCM values scale by 1/32768, float32 and float64 are read as they are', () => {
    assert.deepEqual(Array.from(readWav(wavBytes({ data: i16([-32768, 0, 16384, 32767]) })).samples), [-1, 0, 0.5, 32767 / 32768]);
    const fl = readWav(wavBytes({ format: 3, bits: 32, data: f32([0.25, -0.5, 1.5]) }));
    assert.equal(fl.format, 'float32');
    assert.deepEqual(Array.from(fl.samples), [0.25, -0.5, 1.5]);
    const d = readWav(wavBytes({ format: 3, bits: 64, data: new Uint8Array(Float64Array.from([0.125, -0.75]).buffer) }));
    assert.deepEqual([d.format, ...d.samples], ['float64', 0.125, -0.75]);
  });

  test('WAVE_FORMAT_EXTENSIBLE, stereo averaged to mono, chunks before data skipped (odd size padded)', () => {
    const w = readWav(wavBytes({ extensible: 3, bits: 32, channels: 2, rate: 44100, data: f32([0.5, 0.25, -1, 1]), before: [['LIST', new Uint8Array(5)]] }));
    assert.equal(w.sampleRate, 44100);
    assert.equal(w.channels, 2);
    assert.deepEqual(Array.from(w.samples), [0.375, 0]);
  });

  test('a data size larger than the file (streamed writers) reads the frames present', () => {
    const w = readWav(wavBytes({ data: i16([100, 200, 300]), dataSize: 0xffffffff }));
    assert.equal(w.samples.length, 3);
  });

  test('refusals name the problem', () => {
    const err = (bytes: Uint8Array, type: typeof FormatError | typeof UnsupportedError, re: RegExp) => assert.throws(() => readWav(bytes), (e: Error) => e instanceof type && re.test(e.message), re.source);
    err(new Uint8Array(0), FormatError, /12-byte RIFF header; received 0 bytes/);
    err(new TextEncoder().encode('ID3\u0003 this is an mp3 file'), FormatError, /not a RIFF\/WAVE file/);
    const rf64 = wavBytes({ data: i16([1]) });
    rf64.set([0x52, 0x46, 0x36, 0x34], 0);
    err(rf64, FormatError, /RF64/);
    err(wavBytes({ bits: 24, data: new Uint8Array(6) }), UnsupportedError, /24-bit PCM.*sox in\.wav -b 16/);
    err(wavBytes({ bits: 8, data: new Uint8Array(6) }), UnsupportedError, /8-bit PCM/);
    err(wavBytes({ format: 6, bits: 8, data: new Uint8Array(6) }), UnsupportedError, /A-law/);
    err(wavBytes({ data: i16([1, 2]), blockAlign: 4 }), FormatError, /block align must be .* = 2; the header says 4/);
    err(wavBytes({ format: 3, bits: 32, data: f32([0, NaN]) }), FormatError, /sample 1 is NaN/);
    const whole = wavBytes({ data: i16([1, 2, 3]) });
    err(whole.subarray(0, 30), FormatError, /'fmt ' chunk must hold at least 16 bytes inside the file/);
    err(whole.subarray(0, 36), FormatError, /no 'data' chunk/);
  });
});

describe('resample', () => {
  test('a 1 kHz tone at 44.1 kHz comes out at 16 kHz with the same frequency and amplitude', () => {
    const x = Float32Array.from({ length: 44100 }, (_, n) => 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 44100));
    const y = resample(x, 44100, 16000);
    assert.equal(y.length, 16000);
    let worst = 0;
    for (let n = 200; n < 15800; n++) worst = Math.max(worst, Math.abs(y[n] - 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 16000)));
    assert.ok(worst < 5e-3, `worst deviation ${worst}`);
  });

  test('a tone above the new Nyquist frequency is removed, not aliased', () => {
    const x = Float32Array.from({ length: 48000 }, (_, n) => Math.sin((2 * Math.PI * 12000 * n) / 48000));
    const y = resample(x, 48000, 16000);
    let rms = 0;
    for (let n = 200; n < y.length - 200; n++) rms += y[n] * y[n];
    rms = Math.sqrt(rms / (y.length - 400));
    assert.ok(rms < 0.01, `rms after resampling ${rms}`);
  });
});
