// Digital ink, the stroke format of the handwriting recogniser: a list of strokes, each a list of
// pen samples {x, y, t} (screen pixels with y growing DOWN as on a canvas, time in milliseconds),
// from pen down to pen up. Parsing with checks (JSON as the CLI and the page read it, and InkML's
// <trace> elements), and a few measurements.
// Left out: pressure and tilt (the recogniser ignores them), InkML's <traceFormat> beyond X Y [T].

import { ConfigError, FormatError, NonFiniteError } from '../errors.js';

/** One sample of a pen trajectory. */
export interface InkPoint {
  /** Horizontal position (any unit; features normalise the size). */
  x: number;
  /** Vertical position, growing downwards as on screens. */
  y: number;
  /** Milliseconds; only the order and spacing matter. */
  t: number;
}

/** Strokes in writing order; each stroke runs from pen down to pen up. */
export type Ink = InkPoint[][];

/** Total number of points. */
export function inkPointCount(ink: Ink): number {
  let n = 0;
  for (const s of ink) n += s.length;
  return n;
}

/** Bounding box of all points. */
export function inkBounds(ink: Ink): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const s of ink) {
    for (const p of s) {
      if (p.x < minX) minX = p.x;
      if (p.x > maxX) maxX = p.x;
      if (p.y < minY) minY = p.y;
      if (p.y > maxY) maxY = p.y;
    }
  }
  return { minX, minY, maxX, maxY };
}

/**
 * Checks and normalises ink given as JSON: either an array of strokes or { strokes: [...] }; a
 * point is {x, y, t?} or [x, y, t?] (a missing t counts 10 ms per sample). Every coordinate must be
 * a finite number and the ink must hold at least one point.
 */
export function parseInkJson(value: unknown, where = 'ink'): Ink {
  const strokes = Array.isArray(value) ? value : (value as { strokes?: unknown } | null)?.strokes;
  if (!Array.isArray(strokes)) {
    throw new FormatError(
      `[${where}] expected an array of strokes or { "strokes": [...] }; received ${value === null ? 'null' : typeof value}. ` +
        'Hint: a stroke is an array of points {"x": …, "y": …, "t": …} from pen down to pen up (docs/handwriting.md).',
    );
  }
  const out: Ink = [];
  let clock = 0;
  strokes.forEach((s, i) => {
    if (!Array.isArray(s)) throw new FormatError(`[${where}] stroke ${i} must be an array of points; received ${typeof s}.`);
    const stroke: InkPoint[] = [];
    s.forEach((p: unknown, j: number) => {
      let x: unknown;
      let y: unknown;
      let t: unknown;
      if (Array.isArray(p)) [x, y, t] = p;
      else if (p !== null && typeof p === 'object') ({ x, y, t } = p as Record<string, unknown>);
      else throw new FormatError(`[${where}] stroke ${i} point ${j} must be {x, y, t} or [x, y, t]; received ${JSON.stringify(p)}.`);
      if (typeof x !== 'number' || typeof y !== 'number' || (t !== undefined && typeof t !== 'number')) {
        throw new FormatError(`[${where}] stroke ${i} point ${j} must have numeric x, y (and t); received ${JSON.stringify(p)}.`);
      }
      const tt = t === undefined ? clock : (t as number);
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(tt)) {
        throw new NonFiniteError(`[${where}] stroke ${i} point ${j} must be finite; received ${JSON.stringify(p)}.`);
      }
      clock = tt + 10;
      stroke.push({ x, y, t: tt });
    });
    if (stroke.length > 0) out.push(stroke);
  });
  if (out.length === 0) throw new ConfigError(`[${where}] the ink holds no points; received ${strokes.length} empty strokes. Hint: write something first.`);
  return out;
}

/**
 * Strokes of an InkML document: each <trace> is one stroke of comma-separated points "x y [t …]"
 * (the default trace format's X Y and, when present, T as the third channel). Values may use
 * InkML's explicit form only (no difference-coded ' or " prefixes); those are rejected by name.
 */
export function parseInkML(text: string): Ink {
  if (typeof text !== 'string' || !/<ink[\s>]/.test(text)) {
    throw new FormatError('[parseInkML] expected an InkML document (<ink> with <trace> elements); received something else.');
  }
  const traces = [...text.matchAll(/<trace\b[^>]*>([\s\S]*?)<\/trace>/g)].map((m) => m[1]);
  if (traces.length === 0) throw new FormatError('[parseInkML] the document has no <trace> elements.');
  const ink: Ink = [];
  let clock = 0;
  traces.forEach((body, i) => {
    if (/['"!]/.test(body)) {
      throw new FormatError(`[parseInkML] trace ${i} uses difference-coded values (' " !); only explicit values are supported. Hint: export the ink with absolute coordinates.`);
    }
    const stroke: InkPoint[] = [];
    for (const part of body.split(',')) {
      const v = part.trim().split(/\s+/).filter((s) => s.length > 0).map(Number);
      if (v.length === 0) continue;
      if (v.length < 2 || v.some((n) => !Number.isFinite(n))) {
        throw new FormatError(`[parseInkML] trace ${i}: a point needs at least two numbers "x y"; received '${part.trim().slice(0, 40)}'.`);
      }
      const t = v.length >= 3 ? v[2] : clock;
      clock = t + 10;
      stroke.push({ x: v[0], y: v[1], t });
    }
    if (stroke.length > 0) ink.push(stroke);
  });
  if (ink.length === 0) throw new ConfigError('[parseInkML] the traces hold no points.');
  return ink;
}

/**
 * A JSON Lines file of labelled ink, one {"text": …, "strokes": […], "font"?: …} per line (the
 * committed held-out sample, data/handwriting/heldout-sample.jsonl, has this form).
 */
export function parseInkSample(text: string, where = 'sample'): { text: string; font: string; ink: Ink }[] {
  const out: { text: string; font: string; ink: Ink }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim().length === 0) return;
    let v: { text?: unknown; font?: unknown; strokes?: unknown };
    try {
      v = JSON.parse(line) as typeof v;
    } catch (e) {
      throw new FormatError(`[${where}] line ${i + 1} is not JSON: ${(e as Error).message}.`);
    }
    if (typeof v.text !== 'string' || v.text.length === 0) throw new FormatError(`[${where}] line ${i + 1} needs a non-empty "text"; received ${JSON.stringify(v.text)}.`);
    out.push({ text: v.text, font: typeof v.font === 'string' ? v.font : '', ink: parseInkJson(v.strokes, `${where} line ${i + 1}`) });
  });
  if (out.length === 0) throw new FormatError(`[${where}] holds no examples.`);
  return out;
}
