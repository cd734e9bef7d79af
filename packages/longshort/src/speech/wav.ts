// WAV (RIFF/WAVE) files in and out, browser-safe: 16-bit PCM and 32/64-bit IEEE float, plain or
// WAVE_FORMAT_EXTENSIBLE, any channel count (mixed down to mono by averaging). Every header field
// is checked against the bytes actually present before anything is allocated, and a file the
// speech code cannot use (8/24/32-bit integer PCM, A-law, ADPCM …) gets an UnsupportedError that
// says how to convert it. Writing is 16-bit PCM mono (what the corpus generator and the tests use).
// Left out: RF64/BW64 (> 4 GiB), cue and list chunks (skipped), 8/24/32-bit integer PCM.
//
//   readWav(bytes) → { sampleRate, channels, samples: Float32Array (mono, in [-1, 1]) }

import { FormatError, UnsupportedError } from '../errors.js';

/** A decoded WAV file (readWav), mixed down to mono. */
export interface WavAudio {
  /** Samples per second per channel, as the file says. */
  sampleRate: number;
  /** Channels in the file (samples is their average). */
  channels: number;
  /** The storage format: 'pcm16', 'float32' or 'float64'. */
  format: 'pcm16' | 'float32' | 'float64';
  /** Mono samples, PCM scaled to [-1, 1) (divided by 32768). Length = frames in the file. */
  samples: Float32Array;
}

const WHERE = '[readWav]';
const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
const FORMAT_NAMES: Record<number, string> = { 1: 'PCM', 2: 'Microsoft ADPCM', 3: 'IEEE float', 6: 'A-law', 7: 'mu-law', 0x11: 'IMA ADPCM', 0x55: 'MPEG layer 3' };
const CONVERT_HINT = 'Hint: convert it, e.g. `sox in.wav -b 16 -e signed-integer out.wav` or `ffmpeg -i in.wav -c:a pcm_s16le out.wav`.';

const tag = (v: DataView, at: number): string => String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
const printable = (s: string): string => JSON.stringify(s.replace(/[^\x20-\x7e]/g, '?'));

/** Parse a WAV file. Throws FormatError for malformed or truncated bytes, UnsupportedError for sample formats it cannot decode. */
export function readWav(bytes: Uint8Array): WavAudio {
  if (!(bytes instanceof Uint8Array)) throw new FormatError(`${WHERE} expected the file's bytes as a Uint8Array; received ${typeof bytes}.`);
  if (bytes.length < 12) throw new FormatError(`${WHERE} a WAV file starts with a 12-byte RIFF header; received ${bytes.length} bytes. Hint: the file is empty or truncated.`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riff = tag(v, 0);
  if (riff !== 'RIFF' || tag(v, 8) !== 'WAVE') {
    const what = riff === 'RF64' ? 'an RF64 file (WAV over 4 GiB), which is not supported' : `not a RIFF/WAVE file (starts with ${printable(tag(v, 0))}…${printable(tag(v, 8))})`;
    throw new FormatError(`${WHERE} expected 'RIFF'…'WAVE' at the start; this is ${what}. Hint: pass a .wav file (convert others with sox or ffmpeg).`);
  }
  let fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | null = null;
  let data: { offset: number; length: number } | null = null;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = tag(v, at);
    const size = v.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length) {
        throw new FormatError(`${WHERE} the 'fmt ' chunk must hold at least 16 bytes inside the file; it declares ${size} bytes at offset ${body} of a ${bytes.length}-byte file. Hint: the file is truncated or corrupt.`);
      }
      let format = v.getUint16(body, true);
      const bits = v.getUint16(body + 14, true);
      if (format === FORMAT_EXTENSIBLE) {
        if (size < 40) throw new FormatError(`${WHERE} a WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk holds 40 bytes; received ${size}. Hint: the file is corrupt.`);
        format = v.getUint16(body + 24, true); // first two bytes of the sub-format GUID are the format code
      }
      fmt = { format, channels: v.getUint16(body + 2, true), sampleRate: v.getUint32(body + 4, true), blockAlign: v.getUint16(body + 12, true), bits };
    } else if (id === 'data') {
      // a writer that streamed the file may leave the size as 0xffffffff or too large: take what is there
      data = { offset: body, length: Math.min(size, bytes.length - body) };
      if (fmt !== null) break;
    }
    at = body + size + (size & 1); // chunks are padded to an even length
  }
  if (fmt === null) throw new FormatError(`${WHERE} no 'fmt ' chunk before the end of the file (${bytes.length} bytes). Hint: the file is truncated or not a WAV file.`);
  if (data === null) throw new FormatError(`${WHERE} no 'data' chunk in the file (${bytes.length} bytes). Hint: the file is truncated.`);
  const { format, channels, sampleRate, bits, blockAlign } = fmt;
  if (channels < 1) throw new FormatError(`${WHERE} the file must have at least 1 channel; its header says ${channels}.`);
  if (sampleRate < 1) throw new FormatError(`${WHERE} the sample rate must be positive; the header says ${sampleRate}.`);
  let kind: WavAudio['format'];
  if (format === FORMAT_PCM && bits === 16) kind = 'pcm16';
  else if (format === FORMAT_FLOAT && bits === 32) kind = 'float32';
  else if (format === FORMAT_FLOAT && bits === 64) kind = 'float64';
  else {
    const name = FORMAT_NAMES[format] ?? `format code ${format}`;
    throw new UnsupportedError(`${WHERE} supported sample formats are 16-bit PCM and 32/64-bit IEEE float; this file is ${bits}-bit ${name}. ${CONVERT_HINT}`);
  }
  const bytesPer = bits / 8;
  if (blockAlign !== channels * bytesPer) {
    throw new FormatError(`${WHERE} block align must be channels × bytes per sample = ${channels} × ${bytesPer} = ${channels * bytesPer}; the header says ${blockAlign}. Hint: the header is corrupt.`);
  }
  const frames = Math.floor(data.length / blockAlign);
  const samples = new Float32Array(frames);
  const inv = 1 / channels;
  for (let n = 0; n < frames; n++) {
    let s = 0;
    for (let c = 0; c < channels; c++) {
      const p = data.offset + n * blockAlign + c * bytesPer;
      s += kind === 'pcm16' ? v.getInt16(p, true) / 32768 : kind === 'float32' ? v.getFloat32(p, true) : v.getFloat64(p, true);
    }
    samples[n] = s * inv;
  }
  if (kind !== 'pcm16') {
    for (let n = 0; n < frames; n++) {
      if (!Number.isFinite(samples[n])) throw new FormatError(`${WHERE} float samples must be finite; sample ${n} is ${samples[n]}. Hint: the file is corrupt.`);
    }
  }
  return { sampleRate, channels, format: kind, samples };
}

/** 16-bit PCM mono WAV bytes of `samples` (in [-1, 1]; values outside are clipped). */
export function writeWav(samples: ArrayLike<number>, sampleRate: number): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < 1) throw new FormatError(`[writeWav] sampleRate must be a positive integer; received ${sampleRate}.`);
  const n = samples.length;
  const out = new Uint8Array(44 + 2 * n);
  const v = new DataView(out.buffer);
  const put = (at: number, s: string) => { for (let k = 0; k < 4; k++) v.setUint8(at + k, s.charCodeAt(k)); };
  put(0, 'RIFF');
  v.setUint32(4, 36 + 2 * n, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, FORMAT_PCM, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, 2 * sampleRate, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  put(36, 'data');
  v.setUint32(40, 2 * n, true);
  for (let k = 0; k < n; k++) {
    const s = Math.max(-1, Math.min(1, samples[k]));
    v.setInt16(44 + 2 * k, Math.max(-32768, Math.min(32767, Math.round(s * 32768))), true);
  }
  return out;
}
