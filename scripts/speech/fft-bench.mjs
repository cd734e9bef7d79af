// Why src/speech/features.ts uses fft.js: the 512-point FFT of a real 400-sample frame (the speech
// front end's transform) with each candidate from the npm registry and a plain radix-2 FFT of our
// own, µs per transform and worst error against a float64 direct DFT, all in one run (on a shared
// machine the ratios are what count). The candidates are not dependencies of longshort; run it in
// a scratch folder (docs/speech.md has the results):
//   mkdir /tmp/fftbench && cd /tmp/fftbench && npm init -y && \
//   npm install fft.js@4.0.4 fft-js@0.0.12 ml-fft@1.3.5 fourier-transform@2.5.0 kissfft-js@0.1.8 && \
//   cp <repo>/scripts/speech/fft-bench.mjs bench.mjs && node bench.mjs
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const FFTjs = require('fft.js');
const fftjs2 = require('fft-js');
const mlfft = require('ml-fft');
const Kiss = require('kissfft-js');
const { fft: ftFft } = await import('fourier-transform');
const N = 512;
const x = Float64Array.from({ length: N }, (_, n) => (n < 400 ? Math.sin(n * 0.3) + 0.5 * Math.cos(n * 1.7) + 0.1 * Math.sin(n * n * 0.001) : 0));
const ref = [];
for (let k = 0; k <= N / 2; k++) { let re = 0, im = 0; for (let n = 0; n < N; n++) { re += x[n] * Math.cos(2 * Math.PI * k * n / N); im -= x[n] * Math.sin(2 * Math.PI * k * n / N); } ref.push([re, im]); }
// own: iterative radix-2 complex FFT on the real frame (imaginary part 0), precomputed twiddles and bit reversal
const rev = new Int32Array(N); for (let i = 0; i < N; i++) { let r = 0; for (let b = 1, j = i; b < N; b <<= 1, j >>= 1) r = (r << 1) | (j & 1); rev[i] = r; }
const cosT = Float64Array.from({ length: N / 2 }, (_, k) => Math.cos(2 * Math.PI * k / N)), sinT = Float64Array.from({ length: N / 2 }, (_, k) => -Math.sin(2 * Math.PI * k / N));
const ore = new Float64Array(N), oim = new Float64Array(N);
function own(inp) {
  for (let i = 0; i < N; i++) { ore[rev[i]] = inp[i]; oim[rev[i]] = 0; }
  for (let size = 2; size <= N; size <<= 1) { const half = size >> 1, step = N / size;
    for (let s = 0; s < N; s += size) for (let j = 0; j < half; j++) { const wr = cosT[j * step], wi = sinT[j * step]; const a = s + j, b = a + half;
      const tr = ore[b] * wr - oim[b] * wi, ti = ore[b] * wi + oim[b] * wr; ore[b] = ore[a] - tr; oim[b] = oim[a] - ti; ore[a] += tr; oim[a] += ti; } }
  return (k) => [ore[k], oim[k]];
}
const f = new FFTjs(N); const out = f.createComplexArray();
mlfft.FFT.init(N); const mre = new Float64Array(N), mim = new Float64Array(N);
const kiss = new Kiss.FFTR(N); const x32 = Float32Array.from(x);
const cands = {
  'fft.js 4.0.4 (realTransform)': () => { f.realTransform(out, x); return (k) => [out[2 * k], out[2 * k + 1]]; },
  'fourier-transform 2.5.0 (fft)': () => { const [re, im] = ftFft(x); return (k) => [re[k], im[k]]; },
  'ml-fft 1.3.5 (complex, in place)': () => { mre.set(x); mim.fill(0); mlfft.FFT.fft(mre, mim); return (k) => [mre[k], mim[k]]; },
  'kissfft-js 0.1.8 (FFTR, float32)': () => { const r = kiss.forward(x32); return (k) => [r[2 * k], r[2 * k + 1]]; },
  'fft-js 0.0.12 (arrays of pairs)': () => { const r = fftjs2.fft(Array.from(x)); return (k) => r[k]; },
  'own radix-2 complex (20 lines)': () => own(x),
};
for (const [name, fn] of Object.entries(cands)) {
  const get = fn(); let worst = 0; for (let k = 0; k <= N / 2; k++) { const [re, im] = get(k); worst = Math.max(worst, Math.abs(re - ref[k][0]), Math.abs(im - ref[k][1])); }
  for (let i = 0; i < 2000; i++) fn();
  let best = Infinity; for (let rep = 0; rep < 5; rep++) { const t = process.hrtime.bigint(); for (let i = 0; i < 5000; i++) fn(); best = Math.min(best, Number(process.hrtime.bigint() - t) / 5000 / 1000); }
  console.log(`${name.padEnd(36)} ${best.toFixed(2).padStart(6)} µs   worst error ${worst.toExponential(1)}`);
}
