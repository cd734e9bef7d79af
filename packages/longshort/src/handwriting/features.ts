// From ink to the network's input frames, as online recognisers prepare pen trajectories
// (Jaeger et al. 2001; Graves et al. 2009 §IV; Carbune et al. 2020 §2):
//   1. normalise: size by the spread of the ink's y (the interquartile range of arc-length-weighted
//      y, mapped to 0.5 — about half an x-height for lowercase text), rotation by a least-squares
//      line through the ink (deskew), slant by the length-weighted median lean of the near-vertical
//      pen-down segments (the shear that makes them upright);
//   2. resample every pen-down stroke at equal arc-length steps (`spacing` height units), which
//      removes the writer's speed and the device's sampling rate;
//   3. per point 8 features: asinh(dx), asinh(dy) (in steps; a long pen-up jump compressed), pen-up (1 when the pen was lifted to get here),
//      writing direction (cos, sin), curvature (cos, sin of the turn), y relative to the ink's
//      median (height units);
//   4. stack `stack` consecutive points into one frame (a stride-`stack` subsampling; the first LSTM
//      layer's input weights then act as a 1-D convolution of width and stride `stack`).
// Browser-safe; allocation is per call (one ink at a time), not in a hot loop.
//
// dim key: N resampled points, F = 8 features per point, S = stack, T = ceil(N / S) frames,
//          frame width S·F.

import { ConfigError, NonFiniteError } from '../errors.js';
import type { Ink } from './ink.js';

/** Features per resampled point (F): dx, dy, pen-up, direction cos/sin, curvature cos/sin, relative y. */
export const POINT_FEATURES = 8;

/** Options of inkFeatures(). */
export interface FeatureOptions {
  /** Resampling step in normalised height units (0.5 ≈ half an x-height). Default 0.2. */
  spacing?: number;
  /** Points per frame. Default 3. */
  stack?: number;
}

/** The network's input frames for one ink (inkFeatures), with what is needed to draw alignments. */
export interface InkFeatures {
  /** (T, S·F) frames, row-major. */
  frames: Float32Array;
  /** T. */
  length: number;
  /** S·F. */
  width: number;
  /** (T, 2): mean position of each frame's points in the ORIGINAL ink coordinates (for drawing alignments). */
  framePositions: Float32Array;
  /** The normalisation that was applied: scale (units per pixel), rotation and slant (radians). */
  normalisation: { scale: number; rotation: number; slant: number };
}

interface Pt {
  x: number;
  y: number;
  ox: number; // original coordinates, for framePositions
  oy: number;
}

function weightedQuantile(values: Float64Array, weights: Float64Array, q: number): number {
  const idx = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (const w of weights) total += w;
  let acc = 0;
  for (const i of idx) {
    acc += weights[i];
    if (acc >= q * total) return values[i];
  }
  return values[idx[idx.length - 1]];
}

/** Segment midpoints and lengths of the pen-down paths (the ink's "mass"). */
function segments(strokes: Pt[][]): { mx: Float64Array; my: Float64Array; len: Float64Array; dx: Float64Array; dy: Float64Array } {
  let n = 0;
  for (const s of strokes) n += Math.max(1, s.length - 1);
  const mx = new Float64Array(n);
  const my = new Float64Array(n);
  const len = new Float64Array(n);
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  let k = 0;
  for (const s of strokes) {
    if (s.length === 1) {
      mx[k] = s[0].x;
      my[k] = s[0].y;
      len[k] = 1e-3; // a dot still has a position
      k++;
      continue;
    }
    for (let i = 1; i < s.length; i++, k++) {
      dx[k] = s[i].x - s[i - 1].x;
      dy[k] = s[i].y - s[i - 1].y;
      mx[k] = 0.5 * (s[i].x + s[i - 1].x);
      my[k] = 0.5 * (s[i].y + s[i - 1].y);
      len[k] = Math.hypot(dx[k], dy[k]) + 1e-6;
    }
  }
  return { mx, my, len, dx, dy };
}

/** Step 1: scale, deskew and deslant in place; returns what was applied. */
function normalise(strokes: Pt[][]): { scale: number; rotation: number; slant: number } {
  // rotation: weighted least squares y = a + b·x, only when the ink is clearly wider than tall
  let seg = segments(strokes);
  let W = 0;
  let Sx = 0;
  let Sy = 0;
  for (let k = 0; k < seg.len.length; k++) {
    W += seg.len[k];
    Sx += seg.len[k] * seg.mx[k];
    Sy += seg.len[k] * seg.my[k];
  }
  const cx = Sx / W;
  const cy = Sy / W;
  let Sxx = 0;
  let Sxy = 0;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let k = 0; k < seg.len.length; k++) {
    Sxx += seg.len[k] * (seg.mx[k] - cx) ** 2;
    Sxy += seg.len[k] * (seg.mx[k] - cx) * (seg.my[k] - cy);
    minX = Math.min(minX, seg.mx[k]);
    maxX = Math.max(maxX, seg.mx[k]);
    minY = Math.min(minY, seg.my[k]);
    maxY = Math.max(maxY, seg.my[k]);
  }
  let rotation = 0;
  if (maxX - minX > 3 * (maxY - minY) && Sxx > 0) rotation = Math.max(-0.25, Math.min(0.25, Math.atan(Sxy / Sxx)));
  const cr = Math.cos(rotation);
  const sr = Math.sin(rotation);
  for (const s of strokes) {
    for (const p of s) {
      const x = p.x - cx;
      const y = p.y - cy;
      p.x = cr * x + sr * y;
      p.y = -sr * x + cr * y;
    }
  }
  // slant: near-vertical segments (within 50° of vertical), length-weighted median of dx/dy
  // with y pointing down, a letter leaning right has strokes going up-right: dx/(-dy) > 0
  seg = segments(strokes);
  const leans: number[] = [];
  const lw: number[] = [];
  for (let k = 0; k < seg.len.length; k++) {
    if (Math.abs(seg.dy[k]) > 1e-9 && Math.abs(seg.dx[k]) < Math.tan((50 * Math.PI) / 180) * Math.abs(seg.dy[k])) {
      leans.push(-seg.dx[k] / seg.dy[k]);
      lw.push(seg.len[k]);
    }
  }
  let lean = 0;
  if (leans.length >= 3) lean = Math.max(-1, Math.min(1, weightedQuantile(Float64Array.from(leans), Float64Array.from(lw), 0.5)));
  for (const s of strokes) for (const p of s) p.x += lean * p.y; // y down: x_upright = x + lean·y
  // size: interquartile range of y → 0.5
  seg = segments(strokes);
  const q1 = weightedQuantile(seg.my, seg.len, 0.25);
  const q3 = weightedQuantile(seg.my, seg.len, 0.75);
  const med = weightedQuantile(seg.my, seg.len, 0.5);
  // a flat line (or the first millimetres of a stroke) has almost no y spread: bound the scale so
  // that the ink's larger extent is at most 50 units (250 resampling steps at the default spacing)
  let extent = 0;
  for (const s of strokes) for (const p of s) extent = Math.max(extent, Math.abs(p.x), Math.abs(p.y)); // centred, rotated, sheared
  const span = Math.max(q3 - q1, 0.02 * extent, 1e-6);
  const scale = 0.5 / span;
  for (const s of strokes) {
    for (const p of s) {
      p.x *= scale;
      p.y = (p.y - med) * scale;
    }
  }
  return { scale, rotation, slant: Math.atan(lean) };
}

/** Step 2: equal arc-length steps along each stroke (each stroke keeps its first point; ≥ 1 point). */
function resample(strokes: Pt[][], spacing: number): { pts: Pt[]; penUp: Uint8Array } {
  const pts: Pt[] = [];
  const up: number[] = [];
  for (const s of strokes) {
    pts.push({ ...s[0] });
    up.push(1);
    let need = spacing; // arc length to the next sample
    for (let i = 1; i < s.length; i++) {
      const a = s[i - 1];
      const b = s[i];
      const d = Math.hypot(b.x - a.x, b.y - a.y);
      let pos = 0;
      while (d - pos >= need) {
        pos += need;
        const f = pos / d;
        pts.push({ x: a.x + f * (b.x - a.x), y: a.y + f * (b.y - a.y), ox: a.ox + f * (b.ox - a.ox), oy: a.oy + f * (b.oy - a.oy) });
        up.push(0);
        need = spacing;
      }
      need -= d - pos;
    }
    // the stroke's end, unless a sample sits almost on it
    const last = s[s.length - 1];
    const prev = pts[pts.length - 1];
    if (s.length > 1 && Math.hypot(last.x - prev.x, last.y - prev.y) > 0.3 * spacing) {
      pts.push({ ...last });
      up.push(0);
    }
  }
  return { pts, penUp: Uint8Array.from(up) };
}

/**
 * Frames for the network from one ink (see the file header). Throws a ConfigError for ink with
 * no points or not shaped as strokes of points, a NonFiniteError for a point without finite x and
 * y; a single dot gives one frame.
 */
export function inkFeatures(ink: Ink, options: FeatureOptions = {}): InkFeatures {
  const { spacing = 0.2, stack = 3 } = options;
  if (!(spacing > 0)) throw new ConfigError(`[inkFeatures] spacing must be > 0; received ${spacing}.`);
  if (!Number.isInteger(stack) || stack < 1) throw new ConfigError(`[inkFeatures] stack must be a positive integer; received ${stack}.`);
  if (!Array.isArray(ink)) throw new ConfigError(`[inkFeatures] ink must be an array of strokes; received ${typeof ink}.`);
  ink.forEach((s, k) => {
    if (!Array.isArray(s)) throw new ConfigError(`[inkFeatures] stroke ${k} must be an array of {x, y, t} points; received ${typeof s}.`);
    s.forEach((p, j) => {
      if (typeof p !== 'object' || p === null || !Number.isFinite(p.x) || !Number.isFinite(p.y)) {
        throw new NonFiniteError(`[inkFeatures] point ${j} of stroke ${k} must have finite numbers x and y; received ${JSON.stringify(p)?.slice(0, 60)}. Hint: parse files with parseInkJson or parseInkML.`);
      }
    });
  });
  const strokes: Pt[][] = ink.filter((s) => s.length > 0).map((s) => s.map((p) => ({ x: p.x, y: p.y, ox: p.x, oy: p.y })));
  if (strokes.length === 0) throw new ConfigError('[inkFeatures] the ink holds no points. Hint: write something first.');
  const normalisation = normalise(strokes);
  const { pts, penUp } = resample(strokes, spacing);
  const N = pts.length;
  const F = POINT_FEATURES;
  const feats = new Float32Array(N * F); // (N,F)
  const dirs = new Float64Array(N * 2); // unit direction of the move into point i
  for (let i = 0; i < N; i++) {
    const dx = i === 0 ? 0 : pts[i].x - pts[i - 1].x;
    const dy = i === 0 ? 0 : pts[i].y - pts[i - 1].y;
    const d = Math.hypot(dx, dy);
    dirs[2 * i] = d > 1e-9 ? dx / d : 1;
    dirs[2 * i + 1] = d > 1e-9 ? dy / d : 0;
    const f = i * F; // feats[i,:]
    // asinh: a pen-down step (length `spacing`) stays ~linear, a pen-up jump of many steps is compressed
    feats[f] = Math.asinh(dx / spacing);
    feats[f + 1] = Math.asinh(dy / spacing);
    feats[f + 2] = penUp[i];
    feats[f + 3] = dirs[2 * i];
    feats[f + 4] = dirs[2 * i + 1];
    feats[f + 7] = pts[i].y;
  }
  for (let i = 0; i < N; i++) {
    const f = i * F;
    // turn from the move into i to the move out of i, when both are pen-down moves
    if (i + 1 < N && penUp[i] === 0 && penUp[i + 1] === 0) {
      const c = dirs[2 * i] * dirs[2 * i + 2] + dirs[2 * i + 1] * dirs[2 * i + 3];
      const s = dirs[2 * i] * dirs[2 * i + 3] - dirs[2 * i + 1] * dirs[2 * i + 2];
      feats[f + 5] = c;
      feats[f + 6] = s;
    } else {
      feats[f + 5] = 1;
      feats[f + 6] = 0;
    }
  }
  const T = Math.ceil(N / stack);
  const width = stack * F;
  const frames = new Float32Array(T * width); // (T, S·F), zero past the last point
  frames.set(feats);
  const framePositions = new Float32Array(T * 2);
  for (let t = 0; t < T; t++) {
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (let i = t * stack; i < Math.min(N, (t + 1) * stack); i++, n++) {
      sx += pts[i].ox;
      sy += pts[i].oy;
    }
    framePositions[2 * t] = sx / n;
    framePositions[2 * t + 1] = sy / n;
  }
  return { frames, length: T, width, framePositions, normalisation };
}
