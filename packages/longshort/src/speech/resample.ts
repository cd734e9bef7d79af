// Sample-rate conversion for audio that does not come at the models' 16 kHz (a 44.1 or 48 kHz WAV,
// a microphone whose AudioContext will not run at 16 kHz). Band-limited interpolation: each output
// sample is a Hann-windowed sinc sum over the input, with the cut-off at 0.95 × the lower Nyquist
// frequency so that downsampling does not alias. Browser-safe; allocates only its output.
// Left out: streaming (the whole signal is converted at once), polyphase tables (speech is short).

import { ConfigError } from '../errors.js';

/** `x` at `from` Hz → the same sound at `to` Hz. `zeros` = sinc zero crossings on each side (quality). */
export function resample(x: Float32Array, from: number, to: number, zeros = 16): Float32Array {
  for (const [name, v] of [['from', from], ['to', to], ['zeros', zeros]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`[resample] ${name} must be a positive integer; received ${v}.`);
  }
  if (from === to) return Float32Array.from(x);
  const ratio = to / from;
  const n = Math.floor(x.length * ratio);
  const out = new Float32Array(n);
  // cut-off as a fraction of the input rate; the kernel is stretched by 1/scale when downsampling
  const scale = Math.min(1, ratio) * 0.95;
  const half = zeros / scale; // kernel half-width in input samples
  for (let j = 0; j < n; j++) {
    const centre = j / ratio; // position of output sample j on the input's time axis
    const lo = Math.max(0, Math.ceil(centre - half));
    const hi = Math.min(x.length - 1, Math.floor(centre + half));
    let s = 0;
    for (let i = lo; i <= hi; i++) {
      const d = i - centre;
      const a = Math.PI * d * scale;
      const sinc = a === 0 ? 1 : Math.sin(a) / a;
      const w = 0.5 + 0.5 * Math.cos((Math.PI * d) / half);
      s += x[i] * sinc * w;
    }
    out[j] = s * scale;
  }
  return out;
}
