// Single-stroke fonts as pen trajectories: parsers for the two formats of the `hersheytext` npm
// package (its JSON table of the classic Hershey fonts, and the EMS SVG fonts with one
// `<glyph d="M … L …">` per character), normalised to one coordinate frame, and the table of
// which fonts the handwriting recogniser trains on and which it never sees (held-out writers).
// Browser-safe: the Node edge that reads the files is packages/longshort-cli/src/cli/handwriting-data.ts.
// Left out: curve commands (the package's paths are polylines: M and L only), kerning.
//
// Font frame: x to the right, y UP, baseline at y = 0, x-height 1 (measured on the glyph 'x'),
// each glyph starting near x = 0 and advancing the pen by `advance`.

import { ConfigError, FormatError } from '../errors.js';

/** One glyph: the polylines the pen draws, in drawing order, and how far the pen moves on. */
export interface Glyph {
  /** Each stroke is (x0, y0, x1, y1, …): pen down at the first point, up after the last. */
  strokes: Float32Array[];
  /** How far the pen moves on after the glyph. */
  advance: number;
}

/** How a font's letters connect: 'cursive' (joined script) or 'print' (separate letters). */
export type FontStyle = 'cursive' | 'print';

/** A single-stroke font: a glyph per character. */
export interface StrokeFont {
  /** The id used in FONT_TABLE and on the command line. */
  id: string;
  /** Joined or separate letters. */
  style: FontStyle;
  /** The glyph of each character. */
  glyphs: Map<string, Glyph>;
  /** Pen advance of a space. */
  space: number;
}

/** Whether a font writes training data or test data (never both). */
export type FontSplit = 'train' | 'test';

/** Where a font of the handwriting task comes from and which split it belongs to. */
export interface FontSpec {
  /** The font's id. */
  id: string;
  /**
   * Where the glyphs live: a key of the hersheytext package's hersheytext.json, a file of its
   * svg_fonts/, or a single-stroke font of the repository's data/handwriting/fonts/ (made from an
   * outline font by scripts/handwriting/make-skeleton-fonts.ts).
   */
  source: { kind: 'hershey'; key: string } | { kind: 'svg'; file: string } | { kind: 'data'; file: string };
  style: FontStyle;
  /** Fonts that share glyph designs share a family; a family is wholly train or wholly test. */
  family: string;
  /** The split the font writes for. */
  split: FontSplit;
  /**
   * Fonts drawn with doubled lines (Hershey "medium"): the distance, in x-heights, under which a
   * line retraces one already drawn and is dropped (thinFont).
   */
  thin?: number;
}

/**
 * The fonts of the handwriting task. The test fonts are whole families that training never sees
 * (writer-independent evaluation, as IAM-OnDB's test writers): EMS Allure (a connected script
 * derived from Allura) and EMS Tech (a hand-printed design derived from Architects Daughter).
 * The Hershey "medium" fonts draw their thick lines twice, side by side; thinFont() keeps one line
 * of each (`thin`), as a hand draws it. Bold (tripled) and gothic fonts are left out, and so are
 * the fonts of svg_fonts/ that repeat a font of the table (HersheySans1 = `futural`,
 * HersheyScript1 = `scripts`, HersheyScriptMed = `scriptc`, HersheySerifMed = `timesr`, …).
 */
/**
 * The single-stroke fonts of data/handwriting/fonts/: hand01 … hand20 joined scripts, hand21 …
 * hand38 printed hands, each the centre lines of a handwriting-style outline font (the sources and
 * licences are listed in data/handwriting/fonts/README.md). Every one is its own family.
 */
const SKELETON_FONTS: FontSpec[] = Array.from({ length: 38 }, (_, i) => {
  const id = `hand${String(i + 1).padStart(2, '0')}`;
  return { id, source: { kind: 'data', file: `${id}.svg` }, style: i < 20 ? 'cursive' : 'print', family: id, split: 'train' };
});

export const FONT_TABLE: readonly FontSpec[] = Object.freeze([
  { id: 'scripts', source: { kind: 'hershey', key: 'scripts' }, style: 'cursive', family: 'hershey-script', split: 'train' },
  { id: 'cursive', source: { kind: 'hershey', key: 'cursive' }, style: 'cursive', family: 'hershey-script', split: 'train' },
  { id: 'futural', source: { kind: 'hershey', key: 'futural' }, style: 'print', family: 'hershey-sans', split: 'train' },
  { id: 'EMSReadability', source: { kind: 'svg', file: 'EMSReadability.svg' }, style: 'print', family: 'ems-readability', split: 'train' },
  { id: 'EMSReadabilityItalic', source: { kind: 'svg', file: 'EMSReadabilityItalic.svg' }, style: 'print', family: 'ems-readability', split: 'train' },
  { id: 'EMSElfin', source: { kind: 'svg', file: 'EMSElfin.svg' }, style: 'print', family: 'ems-elfin', split: 'train' },
  { id: 'EMSFelix', source: { kind: 'svg', file: 'EMSFelix.svg' }, style: 'print', family: 'ems-felix', split: 'train' },
  { id: 'EMSNixish', source: { kind: 'svg', file: 'EMSNixish.svg' }, style: 'print', family: 'ems-nixish', split: 'train' },
  { id: 'EMSNixishItalic', source: { kind: 'svg', file: 'EMSNixishItalic.svg' }, style: 'print', family: 'ems-nixish', split: 'train' },
  { id: 'EMSOsmotron', source: { kind: 'svg', file: 'EMSOsmotron.svg' }, style: 'print', family: 'ems-osmotron', split: 'train' },
  { id: 'scriptc', source: { kind: 'hershey', key: 'scriptc' }, style: 'cursive', family: 'hershey-script', split: 'train', thin: 0.12 },
  { id: 'timesr', source: { kind: 'hershey', key: 'timesr' }, style: 'print', family: 'hershey-serif', split: 'train', thin: 0.12 },
  { id: 'timesi', source: { kind: 'hershey', key: 'timesi' }, style: 'print', family: 'hershey-serif', split: 'train', thin: 0.12 },
  ...SKELETON_FONTS,
  { id: 'EMSAllure', source: { kind: 'svg', file: 'EMSAllure.svg' }, style: 'cursive', family: 'ems-allure', split: 'test' },
  { id: 'EMSTech', source: { kind: 'svg', file: 'EMSTech.svg' }, style: 'print', family: 'ems-tech', split: 'test' },
]);

/** The specs of one split, in table order. */
export function fontsOfSplit(split: FontSplit): FontSpec[] {
  return FONT_TABLE.filter((f) => f.split === split);
}

/** The spec called `id`, with an error listing the known ids. */
export function fontSpec(id: string): FontSpec {
  const f = FONT_TABLE.find((s) => s.id === id);
  if (f === undefined) throw new ConfigError(`[handwriting] unknown font '${id}'; known fonts: ${FONT_TABLE.map((s) => s.id).join(', ')}.`);
  return f;
}

/**
 * Polylines of an SVG path made of M, L, C and Z commands (absolute or relative; implicit repeats
 * after M are lines, as in SVG). Cubic Béziers (a few glyphs of the EMS fonts use them) become 8
 * line segments each. Coordinates come back as written (no flip).
 */
export function parsePolylinePath(d: string): number[][] {
  const NUM = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.source;
  const tokens = d.match(new RegExp(`[MLCZmlcz]|${NUM}`, 'g')) ?? [];
  const rest = d.replace(new RegExp(`[MLCZmlcz]|${NUM}|[\\s,]`, 'g'), '');
  if (rest.length > 0) {
    throw new FormatError(`[parsePolylinePath] a glyph path may hold only M, L, C and Z commands with numbers; received '${rest.slice(0, 20)}' in '${d.slice(0, 60)}'.`);
  }
  const lines: number[][] = [];
  let cmd = '';
  let x = 0;
  let y = 0;
  let current: number[] | null = null;
  const isCmd = (t: string): boolean => /^[MLCZmlcz]$/.test(t);
  let k = 0;
  const take = (n: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      if (k >= tokens.length || isCmd(tokens[k])) {
        throw new FormatError(`[parsePolylinePath] '${cmd}' needs ${n} numbers; received fewer in '${d.slice(0, 60)}'.`);
      }
      out.push(Number(tokens[k++]));
    }
    return out;
  };
  while (k < tokens.length) {
    const tk = tokens[k];
    if (isCmd(tk)) {
      cmd = tk;
      k++;
      if (cmd === 'Z' || cmd === 'z') {
        if (current !== null && current.length >= 2) {
          current.push(current[0], current[1]);
          x = current[0];
          y = current[1];
        }
      }
      continue;
    }
    if (cmd === '' || cmd === 'Z' || cmd === 'z') throw new FormatError(`[parsePolylinePath] numbers must follow a command; received '${d.slice(0, 40)}'.`);
    const rel = cmd === cmd.toLowerCase();
    if (cmd === 'M' || cmd === 'm') {
      const [a, b] = take(2);
      x = rel ? x + a : a;
      y = rel ? y + b : b;
      current = [x, y];
      lines.push(current);
      cmd = rel ? 'l' : 'L'; // further pairs after a move are lines
    } else if (current === null) {
      throw new FormatError(`[parsePolylinePath] a path must start with M; received '${d.slice(0, 40)}'.`);
    } else if (cmd === 'L' || cmd === 'l') {
      const [a, b] = take(2);
      x = rel ? x + a : a;
      y = rel ? y + b : b;
      current.push(x, y);
    } else {
      const c = take(6);
      const ox = rel ? x : 0;
      const oy = rel ? y : 0;
      const [x1, y1, x2, y2, x3, y3] = [c[0] + ox, c[1] + oy, c[2] + ox, c[3] + oy, c[4] + ox, c[5] + oy];
      for (let s = 1; s <= 8; s++) {
        const t = s / 8;
        const u = 1 - t;
        current.push(
          u * u * u * x + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3,
          u * u * u * y + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3,
        );
      }
      x = x3;
      y = y3;
    }
  }
  return lines;
}

interface RawGlyph {
  lines: number[][];
  advance: number;
}

/** Font frame from raw glyphs (yUp tells the raw orientation): baseline 0, x-height 1 from 'x'. */
function normalise(id: string, style: FontStyle, raw: Map<string, RawGlyph>, space: number, yUp: boolean): StrokeFont {
  const x = raw.get('x');
  if (x === undefined || x.lines.length === 0) throw new FormatError(`[handwriting] font '${id}' has no glyph 'x' to measure its x-height on.`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of x.lines) {
    for (let k = 1; k < l.length; k += 2) {
      const v = yUp ? l[k] : -l[k];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const xh = hi - lo;
  if (!(xh > 0)) throw new FormatError(`[handwriting] font '${id}': glyph 'x' has no height.`);
  const glyphs = new Map<string, Glyph>();
  for (const [ch, g] of raw) {
    const strokes = g.lines
      .filter((l) => l.length >= 2)
      .map((l) => {
        const s = new Float32Array(l.length);
        for (let k = 0; k < l.length; k += 2) {
          s[k] = l[k] / xh;
          s[k + 1] = ((yUp ? l[k + 1] : -l[k + 1]) - lo) / xh;
        }
        return s;
      });
    glyphs.set(ch, { strokes, advance: g.advance / xh });
  }
  return { id, style, glyphs, space: space / xh };
}

/**
 * A font of hersheytext.json: `chars[k]` is ASCII 33 + k with `d` (y down) and `o`, half the
 * glyph's width (the package's own renderer places glyphs at 0 … 2·o).
 */
export function parseHersheyFont(id: string, style: FontStyle, entry: { chars: { d: string; o: number | string }[] }): StrokeFont {
  if (entry === null || typeof entry !== 'object' || !Array.isArray(entry.chars)) {
    throw new FormatError(`[parseHersheyFont] '${id}' must be { name, chars: [{ d, o }] }; received ${typeof entry}.`);
  }
  const raw = new Map<string, RawGlyph>();
  entry.chars.forEach((c, k) => {
    const o = Number(c.o);
    if (typeof c.d !== 'string' || !Number.isFinite(o)) return;
    raw.set(String.fromCharCode(33 + k), { lines: parsePolylinePath(c.d), advance: 2 * o });
  });
  const space = 0.6 * (raw.get('n')?.advance ?? 16); // the JSON has no space glyph
  return normalise(id, style, raw, space, false);
}

const decodeEntities = (s: string): string =>
  s.replace(/&#x([0-9a-fA-F]+);/g, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** An EMS SVG font: `<glyph unicode=… horiz-adv-x=… d=…>` elements, y up, baseline 0. */
export function parseSvgFont(id: string, style: FontStyle, svg: string): StrokeFont {
  if (typeof svg !== 'string' || !svg.includes('<glyph')) throw new FormatError(`[parseSvgFont] '${id}' must be the text of an SVG font with <glyph> elements.`);
  const fontAdv = Number(/<font\b[^>]*\bhoriz-adv-x="([^"]+)"/.exec(svg)?.[1] ?? NaN);
  const raw = new Map<string, RawGlyph>();
  let space = Number.isFinite(fontAdv) ? fontAdv : 300;
  for (const m of svg.matchAll(/<glyph\b([^>]*?)\/?>/g)) {
    const attrs = new Map<string, string>();
    for (const a of m[1].matchAll(/([\w:-]+)="([^"]*)"/g)) attrs.set(a[1], decodeEntities(a[2]));
    const ch = attrs.get('unicode');
    if (ch === undefined || [...ch].length !== 1) continue;
    const adv = Number(attrs.get('horiz-adv-x') ?? fontAdv);
    if (ch === ' ') {
      if (Number.isFinite(adv)) space = adv;
      continue;
    }
    const d = attrs.get('d');
    if (d === undefined || !Number.isFinite(adv)) continue;
    raw.set(ch, { lines: parsePolylinePath(d), advance: adv });
  }
  return normalise(id, style, raw, space, true);
}

/** Where fontFromSpec() reads a font's source: the hersheytext package's hersheytext.json and a file of its svg_fonts/, and a file of data/handwriting/fonts/. */
export interface FontSources {
  hersheyJson(): Record<string, { chars: { d: string; o: number | string }[] }>;
  svgFont(file: string): string;
  dataFont(file: string): string;
}

/** The font a FONT_TABLE entry describes: parsed from its source, thinned when the spec says so. */
export function fontFromSpec(spec: FontSpec, sources: FontSources): StrokeFont {
  const f = spec.source.kind === 'hershey'
    ? parseHersheyFont(spec.id, spec.style, sources.hersheyJson()[spec.source.key])
    : parseSvgFont(spec.id, spec.style, spec.source.kind === 'svg' ? sources.svgFont(spec.source.file) : sources.dataFont(spec.source.file));
  return spec.thin === undefined ? f : thinFont(f, spec.thin);
}

const THIN_STEP = 0.02; // resampling step of thinFont, x-heights
const MIN_PIECE = 0.25; // shortest remainder of a cut line that thinFont keeps (shorter: a serif or an overlap)

/** A polyline resampled at equal steps of about `step` (its corners may be cut by less than a step). */
function resamplePolyline(s: ArrayLike<number>, step: number): number[] {
  const out = [s[0], s[1]];
  for (let k = 2; k < s.length; k += 2) {
    const dx = s[k] - s[k - 2];
    const dy = s[k + 1] - s[k - 1];
    const n = Math.max(1, Math.ceil(Math.hypot(dx, dy) / step));
    for (let j = 1; j <= n; j++) out.push(s[k - 2] + (dx * j) / n, s[k - 1] + (dy * j) / n);
  }
  return out;
}

/**
 * One line where a font draws two side by side (the Hershey "medium" fonts thicken their main
 * strokes by drawing them twice, `gap` or less apart). Lines are taken longest first; every point of
 * a line within `gap` of a line already kept is dropped; what is left of a cut line is kept where it
 * runs on for at least a quarter x-height (shorter pieces are serifs and overlaps), and a line that
 * nothing covers (an i dot) is kept whatever its length. Drawing direction and order are kept.
 */
export function thinFont(font: StrokeFont, gap: number): StrokeFont {
  if (!(gap > 0)) throw new ConfigError(`[thinFont] gap must be > 0 x-heights; received ${gap}.`);
  const glyphs = new Map<string, Glyph>();
  for (const [ch, g] of font.glyphs) {
    const lines = g.strokes.map((s, i) => ({ i, pts: resamplePolyline(s, THIN_STEP) }));
    const byLength = [...lines].sort((a, b) => polylineLength(b.pts) - polylineLength(a.pts) || a.i - b.i);
    const kept: number[] = []; // points of the lines kept so far (x, y, …)
    const pieces: { i: number; pts: number[] }[] = [];
    for (const line of byLength) {
      const covered = (k: number): boolean => {
        for (let j = 0; j < kept.length; j += 2) if (Math.hypot(kept[j] - line.pts[k], kept[j + 1] - line.pts[k + 1]) < gap) return true;
        return false;
      };
      const runs: number[][] = [];
      let run: number[] | null = null;
      let anyCovered = false;
      for (let k = 0; k < line.pts.length; k += 2) {
        if (covered(k)) {
          anyCovered = true;
          run = null;
        } else {
          if (run === null) runs.push((run = []));
          run.push(line.pts[k], line.pts[k + 1]);
        }
      }
      for (const r of runs) {
        if (r.length < 4 || (anyCovered && polylineLength(r) < MIN_PIECE)) continue;
        pieces.push({ i: line.i, pts: r });
        kept.push(...r);
      }
    }
    pieces.sort((a, b) => a.i - b.i); // the font's drawing order
    glyphs.set(ch, { strokes: pieces.map((p) => Float32Array.from(p.pts)), advance: g.advance });
  }
  return { ...font, glyphs };
}

/** Length of a polyline (x0, y0, x1, y1, …). */
export function polylineLength(p: ArrayLike<number>): number {
  let s = 0;
  for (let k = 2; k < p.length; k += 2) s += Math.hypot(p[k] - p[k - 2], p[k + 1] - p[k - 1]);
  return s;
}

/** Characters every font of FONT_TABLE draws; the recogniser's alphabet is a subset. */
export function sharedCharacters(fonts: readonly StrokeFont[]): Set<string> {
  const out = new Set<string>(fonts[0]?.glyphs.keys() ?? []);
  for (const f of fonts.slice(1)) for (const c of [...out]) if (!f.glyphs.has(c)) out.delete(c);
  return out;
}
