// Seeded pseudo-random numbers. xoshiro128** (Blackman & Vigna) on four uint32 words: fast,
// good quality, and its whole state is four integers, so checkpoints can save and restore it.
// Same seed, same numbers, on every platform (integer arithmetic only until the final scaling).

import { ConfigError } from '../errors.js';

/** A generator's full state (from Rng.getState()), plain JSON: save it in a checkpoint, restore it with setState(). */
export interface RngState {
  /** The four xoshiro128** state words, each an integer in [0, 2^32), not all zero. */
  s: [number, number, number, number];
  /** Cached second normal from Box–Muller, or null. */
  spare: number | null;
}

/**
 * Seeded pseudo-random numbers (xoshiro128**). Layers, fit() and the data helpers take one for
 * initialisation, shuffling and dropout; the same seed gives the same numbers on every platform.
 * A non-finite seed throws ConfigError.
 * @example
 * ```ts
 * const rng = new Rng(42);
 * rng.uniform(-1, 1);   // in [-1, 1)
 * rng.int(10);          // integer in [0, 10)
 * const saved = rng.getState();
 * rng.normal();
 * rng.setState(saved);  // the next normal() repeats
 * ```
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** A generator seeded with `seed` (any finite number, taken as an unsigned 32-bit integer: 1.5 seeds like 1). */
  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Re-seed. The four state words come from splitmix32 on the seed, as the xoshiro authors advise. */
  seed(seed: number): void {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new ConfigError(`[Rng] seed must be a finite number; received ${typeof seed === 'number' ? seed : typeof seed}.`);
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
  }

  /** Next uint32. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller; the second value is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return mean + std * v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /** A snapshot of the state (a fresh object) for setState(). */
  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  /** Restore a getState() snapshot; anything else (wrong types, the all-zero state) is a ConfigError. */
  setState(state: RngState): void {
    const s = (state as { s?: unknown } | null)?.s;
    const spare = (state as { spare?: unknown } | null)?.spare;
    if (!Array.isArray(s) || s.length !== 4 || !s.every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new ConfigError(`[Rng.setState] state.s must be four integers in [0, 2^32) from getState(); received ${Array.isArray(s) ? `[${s.slice(0, 4).map((w) => typeof w).join(', ')}${s.length > 4 ? ', …' : ''}] (${s.length} entries)` : typeof s}.`);
    }
    if (s.every((w) => w === 0)) throw new ConfigError('[Rng.setState] state.s must not be all zero (xoshiro128** would output zeros forever); received [0, 0, 0, 0].');
    if (spare !== null && (typeof spare !== 'number' || !Number.isFinite(spare))) {
      throw new ConfigError(`[Rng.setState] state.spare must be a finite number or null; received ${typeof spare === 'number' ? spare : typeof spare}.`);
    }
    [this.s0, this.s1, this.s2, this.s3] = s as [number, number, number, number];
    this.spare = spare;
  }

  /** An independent generator derived from this one (advances this one by four draws). */
  fork(): Rng {
    const r = new Rng(0);
    r.setState({ s: [this.nextU32(), this.nextU32(), this.nextU32(), (this.nextU32() | 1) >>> 0], spare: null });
    return r;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
