// Synthetic handwriting: text set in a single-stroke font, written the way a hand writes it, by
// many different "writers". Steps, for one text and one writer style:
//   1. layout      glyphs side by side with per-letter spacing noise; a space per word gap
//   2. pen order   cursive fonts: letters joined into one pen-down stroke (exit of one letter to the
//                  entry of the next), small extra strokes (i dots, t bars, x crosses) either in
//                  place or delayed to the end of the word, as people write them; print fonts:
//                  the font's strokes in order, pen up between them
//   3. shape       baseline drift, per-letter bounce, elastic distortion (a smooth random
//                  displacement field), slant, aspect, size and rotation
//   4. timing      the pen moves at a speed that drops in curves (the 2/3 power law of Lacquaniti
//                  et al. 1983, approximately) and ramps up and down at stroke ends; pen-up gaps
//                  take time too; the device samples at its own rate and adds jitter
// Everything random comes from the Rng given, so (font, text, seed) → the same ink, bit for bit.
// Left out: pressure, ligature shapes beyond straight connectors, line breaks.
//
// Frames: font frame (x right, y up, x-height 1) → ink frame (pixels, y DOWN, t in ms).

import { ConfigError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { polylineLength, type Glyph, type StrokeFont } from './fonts.js';
import type { Ink, InkPoint } from './ink.js';

/** One writer's habits. All lengths in x-heights unless said otherwise. */
export interface WriterStyle {
  /** Shear angle in radians; positive leans the letters to the right. */
  slant: number;
  /** Rotation of the whole line in radians (positive: rising to the right). */
  rotation: number;
  /** x-height in pixels. */
  xHeight: number;
  /** Horizontal stretch factor. */
  aspect: number;
  /** Extra space after each letter (may be negative: tight writing). */
  letterSpacing: number;
  /** Std of the per-letter spacing noise. */
  spacingNoise: number;
  /** Word gap as a multiple of the font's space. */
  wordSpacing: number;
  /** Amplitude of the slow baseline drift. */
  drift: number;
  /** Std of the per-letter vertical bounce. */
  bounce: number;
  /** Amplitude of the elastic distortion. */
  elastic: number;
  /** Pen speed on straight lines, x-heights per second (10–25 gives 2–5 letters a second, as people write). */
  speed: number;
  /** How strongly curvature slows the pen (0 = constant speed). */
  curveSlowdown: number;
  /** Device sampling rate in Hz. */
  sampleRate: number;
  /** Std of the sensor noise in pixels. */
  jitter: number;
  /** Round coordinates to whole pixels, as many digitisers report them. */
  integerCoordinates: boolean;
  /** Cursive fonts: chance that two neighbouring lowercase letters are joined. */
  joinProb: number;
  /** Chance that a small extra stroke (dot, bar) waits until the word is finished. */
  delayProb: number;
  /**
   * Print fonts (and the extra strokes of cursive ones): chance that a stroke is drawn the other
   * way round, and that a letter's strokes come in another order. The fonts' own directions are
   * partly arbitrary (the EMS fonts were traced from outlines), and people differ here too.
   */
  reverseProb: number;
  reorderProb: number;
}

/** A random writer: the ranges cover neat to sloppy, small to large, slow to fast writers. */
export function sampleWriterStyle(rng: Rng): WriterStyle {
  return {
    slant: rng.normal(0, 0.18),
    rotation: rng.normal(0, 0.04),
    xHeight: rng.uniform(12, 48),
    aspect: Math.exp(rng.normal(0, 0.12)),
    letterSpacing: rng.uniform(-0.08, 0.3),
    spacingNoise: rng.uniform(0, 0.08),
    wordSpacing: rng.uniform(0.8, 1.8),
    drift: rng.uniform(0, 0.15),
    bounce: rng.uniform(0, 0.05),
    elastic: rng.uniform(0, 0.1),
    speed: rng.uniform(10, 25),
    curveSlowdown: rng.uniform(0.2, 1.2),
    sampleRate: [60, 100, 120, 133, 200, 240][rng.int(6)],
    jitter: rng.uniform(0, 0.6),
    integerCoordinates: rng.next() < 0.5,
    joinProb: rng.uniform(0.85, 1),
    delayProb: rng.uniform(0, 1),
    reverseProb: rng.uniform(0, 0.4),
    reorderProb: rng.uniform(0, 0.4),
  };
}

/** The style of a tidy writer: no distortion, constant speed, fine sampling (for pictures and tests). */
export function neatWriterStyle(xHeight = 30): WriterStyle {
  return {
    slant: 0, rotation: 0, xHeight, aspect: 1, letterSpacing: 0.05, spacingNoise: 0, wordSpacing: 1, drift: 0, bounce: 0,
    elastic: 0, speed: 15, curveSlowdown: 0.5, sampleRate: 200, jitter: 0, integerCoordinates: false, joinProb: 1, delayProb: 0,
    reverseProb: 0, reorderProb: 0,
  };
}

/**
 * Training-time variation beyond one font and one writer style (synthesizeExample's `augment`):
 * a writer who borrows letter shapes from other fonts, keeps the pen down where the font lifts it,
 * and draws each letter a little differently. Its random draws come from its own generator, so the
 * ink without it is unchanged.
 */
export interface InkVariation {
  /** Fonts a letter may be borrowed from (the writer's font is one of them). */
  mixFonts: readonly StrokeFont[];
  /** Chance that a letter is borrowed from a random font of mixFonts that draws it. */
  mixProb: number;
  /** Chance that a printed letter of several strokes is drawn without lifting the pen. */
  penDown: number;
  /**
   * Cursive letters: strokes of a letter whose gap is under this (x-heights) are drawn as one, the
   * pen running back down without lifting (looped or retraced stems of d, t, b, …). Default 0.5.
   */
  joinGap?: number;
  /** Std of each letter's own log-stretch in x and in y and of its shear. */
  letterWarp: number;
  /** Stretch of what rises above the x-height (ascenders, capitals) and of what falls below the baseline (descenders). */
  ascender: number;
  descender: number;
  /** The generator of the per-letter draws. */
  rng: Rng;
}

/** A polyline in the font frame and whether it continues (pen down) from the previous one. */
interface PenPath {
  pts: number[]; // (x0, y0, x1, y1, …)
  joined: boolean;
}

const JOIN_GAP = 0.5; // strokes of one cursive glyph closer than this merge (the pen retraces)
const SMALL_STROKE = 0.9; // path length under which an extra stroke may be delayed
const MAX_REACH = 1.5; // longest connector between two joined letters
const DOT = 0.15; // path length under which a stroke is a dot

/** Cursive glyph: strokes merged where the pen can stay down, and its entry and exit strokes. */
function cursiveParts(g: Glyph, joinGap = JOIN_GAP): { strokes: number[][]; entry: number; exit: number } {
  const strokes: number[][] = [];
  for (const s of g.strokes) {
    const last = strokes[strokes.length - 1];
    if (last !== undefined && Math.hypot(s[0] - last[last.length - 2], s[1] - last[last.length - 1]) < joinGap) {
      for (let k = 2; k < s.length; k++) last.push(s[k]);
    } else {
      strokes.push(Array.from(s));
    }
  }
  let entry = 0;
  let exit = 0;
  for (let k = 1; k < strokes.length; k++) {
    // entry: the longest of the strokes that start far left; exit: the one ending furthest right
    if (strokes[k][0] < strokes[entry][0] - 0.15 || (Math.abs(strokes[k][0] - strokes[entry][0]) <= 0.15 && polylineLength(strokes[k]) > polylineLength(strokes[entry]))) entry = k;
    if (strokes[k][strokes[k].length - 2] > strokes[exit][strokes[exit].length - 2]) exit = k;
  }
  return { strokes, entry, exit };
}

const isLower = (c: string): boolean => c >= 'a' && c <= 'z';

/** The points (x0, y0, x1, y1, …) in the other direction. */
function reversePoints(p: readonly number[]): number[] {
  const out = new Array<number>(p.length);
  for (let k = 0; k < p.length; k += 2) {
    out[k] = p[p.length - 2 - k];
    out[k + 1] = p[p.length - 1 - k];
  }
  return out;
}

/** Steps 1 and 2: pen paths in the font frame (before any distortion), in writing order. */
function penPaths(font: StrokeFont, text: string, style: WriterStyle, rng: Rng, variation?: InkVariation): PenPath[] {
  const out: PenPath[] = [];
  let delayed: PenPath[] = [];
  let x = 0;
  let prevChar = ' ';
  let prevExitOpen = false; // the last path may be continued by the next letter
  const flushDelayed = (): void => {
    out.push(...delayed);
    delayed = [];
  };
  for (const ch of text) {
    if (ch === ' ') {
      flushDelayed();
      x += font.space * style.wordSpacing;
      prevChar = ' ';
      prevExitOpen = false;
      continue;
    }
    let g = font.glyphs.get(ch);
    if (g === undefined) {
      throw new ConfigError(`[renderInk] font '${font.id}' has no glyph for ${JSON.stringify(ch)} (in ${JSON.stringify(text)}). Hint: keep to the recogniser's alphabet.`);
    }
    // the variation's per-letter draws: a borrowed shape, a stretch and a shear of this letter
    let sx = 1;
    let sy = 1;
    let shear = 0;
    if (variation !== undefined) {
      const vr = variation.rng;
      if (vr.next() < variation.mixProb) {
        const other = variation.mixFonts[vr.int(variation.mixFonts.length)].glyphs.get(ch);
        if (other !== undefined) g = other;
      }
      sx = Math.exp(vr.normal(0, variation.letterWarp));
      sy = Math.exp(vr.normal(0, variation.letterWarp));
      shear = vr.normal(0, variation.letterWarp);
    }
    const dy = rng.normal(0, style.bounce);
    const place = (s: ArrayLike<number>, reversible = false): number[] => {
      const p = new Array<number>(s.length);
      const back = reversible && style.reverseProb > 0 && rng.next() < style.reverseProb;
      for (let k = 0; k < s.length; k += 2) {
        const j = back ? s.length - 2 - k : k;
        let yy = s[j + 1];
        if (variation !== undefined) yy = yy > 1 ? 1 + (yy - 1) * variation.ascender : yy < 0 ? yy * variation.descender : yy;
        p[k] = sx * s[j] + shear * yy + x;
        p[k + 1] = sy * yy + dy;
      }
      return p;
    };
    if (font.style === 'cursive') {
      const { strokes, entry, exit } = cursiveParts(g, variation?.joinGap);
      // join only short reaches: a capital's exit far from the next entry is a pen-up, as by hand
      const last = out[out.length - 1];
      const start = strokes[entry];
      const reach = last === undefined ? Infinity : Math.hypot(start[0] + x - last.pts[last.pts.length - 2], start[1] + dy - last.pts[last.pts.length - 1]);
      const join = prevExitOpen && (isLower(ch) || isLower(prevChar)) && reach < MAX_REACH && rng.next() < style.joinProb;
      // the entry stroke first (it continues the previous letter), the exit stroke last (the next letter continues it)
      const order = [entry, ...[...strokes.keys()].filter((k) => k !== entry && k !== exit)];
      if (exit !== entry) order.push(exit);
      for (const k of order) {
        const p: PenPath = { pts: place(strokes[k], k !== entry && k !== exit), joined: k === entry && join };
        const small = k !== entry && k !== exit && polylineLength(strokes[k]) < SMALL_STROKE;
        if (small && rng.next() < style.delayProb) delayed.push(p);
        else out.push(p);
        // the next letter may continue this one only if the pen's last move was the exit stroke
        prevExitOpen = out[out.length - 1] === p && k === exit;
      }
    } else {
      const order = [...g.strokes];
      if (order.length > 1 && style.reorderProb > 0 && rng.next() < style.reorderProb) rng.shuffle(order);
      if (variation !== undefined && order.length > 1 && variation.rng.next() < variation.penDown) {
        // one pen-down stroke: after each stroke the pen runs, without lifting, to the nearer end of
        // the nearest stroke left, and draws it from there (dots excepted)
        const first = place(order[0], true);
        out.push({ pts: first, joined: false });
        let ex = first[first.length - 2];
        let ey = first[first.length - 1];
        const left = order.slice(1).map((st) => place(st));
        let afterDot = polylineLength(first) < DOT;
        while (left.length > 0) {
          let best = 0;
          let bestD = Infinity;
          let flip = false;
          left.forEach((p, i) => {
            const d0 = Math.hypot(p[0] - ex, p[1] - ey);
            const d1 = Math.hypot(p[p.length - 2] - ex, p[p.length - 1] - ey);
            if (Math.min(d0, d1) < bestD) [best, bestD, flip] = [i, Math.min(d0, d1), d1 < d0];
          });
          const p = left.splice(best, 1)[0];
          const pts = flip ? reversePoints(p) : p;
          // a dot is still dabbed on its own, and the pen lifts again after it
          const dot = polylineLength(p) < DOT;
          out.push({ pts, joined: !dot && !afterDot });
          afterDot = dot;
          ex = pts[pts.length - 2];
          ey = pts[pts.length - 1];
        }
      } else {
        for (const s of order) out.push({ pts: place(s, true), joined: false });
      }
      prevExitOpen = false;
    }
    x += sx * g.advance + style.letterSpacing + rng.normal(0, style.spacingNoise);
    prevChar = ch;
  }
  flushDelayed();
  return out;
}

/** A smooth random field: a sum of three sinusoids in x and y, amplitude ~1 (roughly). */
function smoothField(rng: Rng): (x: number, y: number) => number {
  const terms = Array.from({ length: 3 }, () => ({
    a: rng.normal(0, 0.6),
    kx: rng.uniform(0.5, 2.5) * (rng.next() < 0.5 ? -1 : 1),
    ky: rng.uniform(0.3, 2),
    phase: rng.uniform(0, 2 * Math.PI),
  }));
  return (x, y) => {
    let v = 0;
    for (const t of terms) v += t.a * Math.sin(t.kx * x + t.ky * y + t.phase);
    return v;
  };
}

/** Step 3: font frame → pixels (y down), after distortion. */
function shaper(style: WriterStyle, rng: Rng): (x: number, y: number) => [number, number] {
  const ex = smoothField(rng);
  const ey = smoothField(rng);
  const drift = smoothField(rng);
  const shear = Math.tan(style.slant);
  const cr = Math.cos(style.rotation);
  const sr = Math.sin(style.rotation);
  const s = style.xHeight;
  return (x, y) => {
    const xd = x + style.elastic * ex(x, y);
    const yd = y + style.elastic * ey(x, y) + style.drift * drift(0.3 * x, 0);
    const xs = (xd + shear * yd) * style.aspect * s;
    const ys = yd * s;
    // rotate, then flip y for the screen
    return [cr * xs - sr * ys, -(sr * xs + cr * ys)];
  };
}

/**
 * Step 4 for one pen-down path (pixels): densify, give every small step a duration from the local
 * speed, and read the position off at the device's sample times from `t0`. Returns the samples
 * and the time the pen lifts.
 */
function timePath(px: number[], style: WriterStyle, t0: number, phase: number, rng: Rng): { pts: InkPoint[]; tEnd: number } {
  // densify to steps of at most 1/8 x-height so the curvature estimate is local
  const step = Math.max(0.5, style.xHeight / 8);
  const xs: number[] = [px[0]];
  const ys: number[] = [px[1]];
  for (let k = 2; k < px.length; k += 2) {
    const dx = px[k] - px[k - 2];
    const dy = px[k + 1] - px[k - 1];
    const n = Math.max(1, Math.ceil(Math.hypot(dx, dy) / step));
    for (let j = 1; j <= n; j++) {
      xs.push(px[k - 2] + (dx * j) / n);
      ys.push(px[k - 1] + (dy * j) / n);
    }
  }
  const N = xs.length;
  // time at each dense point: ds / v, v = v0 / (1 + c·|turn per x-height|), ramped at the ends
  const v0 = style.speed * style.xHeight / 1000; // px per ms
  const ramp = 0.4 * style.xHeight;
  let total = 0;
  for (let i = 1; i < N; i++) total += Math.hypot(xs[i] - xs[i - 1], ys[i] - ys[i - 1]);
  const times = new Float64Array(N);
  let s = 0;
  for (let i = 1; i < N; i++) {
    const ds = Math.hypot(xs[i] - xs[i - 1], ys[i] - ys[i - 1]);
    let turn = 0;
    if (i + 1 < N) {
      const a1 = Math.atan2(ys[i] - ys[i - 1], xs[i] - xs[i - 1]);
      const a2 = Math.atan2(ys[i + 1] - ys[i], xs[i + 1] - xs[i]);
      turn = Math.abs(Math.atan2(Math.sin(a2 - a1), Math.cos(a2 - a1)));
    }
    const curvature = (turn / Math.max(ds, 1e-6)) * style.xHeight; // radians per x-height
    s += ds;
    const edge = Math.min(s, total - s + ds);
    const rampFactor = 0.35 + 0.65 * Math.min(1, edge / ramp);
    const v = (v0 * rampFactor) / (1 + style.curveSlowdown * Math.min(curvature, 20) * 0.25);
    times[i] = times[i - 1] + ds / v;
  }
  const dt = 1000 / style.sampleRate;
  const out: InkPoint[] = [];
  const jit = (): number => (style.jitter > 0 ? rng.normal(0, style.jitter) : 0);
  let j = 0;
  // the first sample lands at a random phase of the device clock
  for (let tt = phase * dt; tt <= times[N - 1] || out.length === 0; tt += dt) {
    while (j + 1 < N && times[j + 1] < tt) j++;
    let x = xs[j];
    let y = ys[j];
    if (j + 1 < N && times[j + 1] > times[j]) {
      const f = Math.min(1, Math.max(0, (tt - times[j]) / (times[j + 1] - times[j])));
      x += f * (xs[j + 1] - xs[j]);
      y += f * (ys[j + 1] - ys[j]);
    }
    out.push({ x: x + jit(), y: y + jit(), t: t0 + Math.min(tt, times[N - 1]) });
    if (tt > times[N - 1]) break;
  }
  return { pts: out, tEnd: t0 + times[N - 1] };
}

/**
 * Ink of `text` in `font` by the writer `style`. `rng` drives the distortion field, the spacing
 * noise, the delayed strokes and the sensor noise; seed it for reproducible ink. `variation`
 * (training data only) adds borrowed letters, pen-down letters, looped stems and per-letter warps.
 */
export function renderInk(font: StrokeFont, text: string, style: WriterStyle, rng: Rng, variation?: InkVariation): Ink {
  if (typeof text !== 'string' || text.trim().length === 0) throw new ConfigError(`[renderInk] text must hold at least one visible character; received ${JSON.stringify(text)}.`);
  const paths = penPaths(font, text, style, rng, variation);
  const shape = shaper(style, rng);
  // merge joined paths into pen-down strokes, in pixels
  const strokes: number[][] = [];
  for (const p of paths) {
    const px: number[] = [];
    for (let k = 0; k < p.pts.length; k += 2) {
      const [a, b] = shape(p.pts[k], p.pts[k + 1]);
      px.push(a, b);
    }
    if (p.joined && strokes.length > 0) strokes[strokes.length - 1].push(...px);
    else strokes.push(px);
  }
  // put the ink at a random margin from the origin
  let minX = Infinity;
  let minY = Infinity;
  for (const s of strokes) {
    for (let k = 0; k < s.length; k += 2) {
      minX = Math.min(minX, s[k]);
      minY = Math.min(minY, s[k + 1]);
    }
  }
  const ox = rng.uniform(10, 40) - minX;
  const oy = rng.uniform(10, 40) - minY;
  const ink: Ink = [];
  let t = 0;
  for (const s of strokes) {
    for (let k = 0; k < s.length; k += 2) {
      s[k] += ox;
      s[k + 1] += oy;
    }
    if (ink.length > 0) {
      // pen up: travel to the next stroke plus a pause
      const prev = ink[ink.length - 1][ink[ink.length - 1].length - 1];
      const gap = Math.hypot(s[0] - prev.x, s[1] - prev.y);
      t += gap / (2 * style.speed * style.xHeight / 1000) + rng.uniform(30, 200);
    }
    const r = timePath(s, style, t, rng.next(), rng);
    if (style.integerCoordinates) for (const p of r.pts) { p.x = Math.round(p.x); p.y = Math.round(p.y); }
    for (const p of r.pts) p.t = Math.round(p.t * 1000) / 1000;
    ink.push(r.pts);
    t = r.tEnd;
  }
  return ink;
}
