// Makes single-stroke fonts out of handwriting-style outline fonts: the training "writers" that
// the Hershey and EMS fonts alone are too few for (docs/handwriting.md). For every font below, the
// npm package @fontsource/<name> (the font's latin 400 WOFF) is fetched with `npm pack`, parsed with
// opentype.js (fetched the same way; neither is a dependency of the project), and each letter is
// filled, thinned and walked into pen strokes (./skeleton.ts). The result is written as an SVG font
// in the format of the EMS fonts (one <glyph d="M … L …"> per letter) to
// data/handwriting/fonts/<id>.svg, the list with sources and copyrights to
// data/handwriting/fonts/README.md, and the licence texts next to them.
//
// Rerun (needs the npm registry):  npx tsx scripts/handwriting/make-skeleton-fonts.ts
// The derived fonts are named hand01, hand02, … : many of the sources reserve their font names
// (SIL OFL 1.1 §3), which a modified version may not carry. The families the held-out fonts come
// from (Allura → EMS Allure, Architects Daughter → EMS Tech) are not among the sources.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fillPolygons, thin, traceSkeleton } from './skeleton.js';

/** The outline fonts: @fontsource package name and whether its letters join. */
export const SKELETON_SOURCES: readonly { pkg: string; style: 'cursive' | 'print' }[] = [
  { pkg: 'dancing-script', style: 'cursive' },
  { pkg: 'great-vibes', style: 'cursive' },
  { pkg: 'sacramento', style: 'cursive' },
  { pkg: 'satisfy', style: 'cursive' },
  { pkg: 'cedarville-cursive', style: 'cursive' },
  { pkg: 'parisienne', style: 'cursive' },
  { pkg: 'alex-brush', style: 'cursive' },
  { pkg: 'tangerine', style: 'cursive' },
  { pkg: 'italianno', style: 'cursive' },
  { pkg: 'marck-script', style: 'cursive' },
  { pkg: 'yellowtail', style: 'cursive' },
  { pkg: 'pinyon-script', style: 'cursive' },
  { pkg: 'herr-von-muellerhoff', style: 'cursive' },
  { pkg: 'monsieur-la-doulaise', style: 'cursive' },
  { pkg: 'homemade-apple', style: 'cursive' },
  { pkg: 'courgette', style: 'cursive' },
  { pkg: 'kaushan-script', style: 'cursive' },
  { pkg: 'bad-script', style: 'cursive' },
  { pkg: 'cookie', style: 'cursive' },
  { pkg: 'damion', style: 'cursive' },
  { pkg: 'caveat', style: 'print' },
  { pkg: 'indie-flower', style: 'print' },
  { pkg: 'patrick-hand', style: 'print' },
  { pkg: 'kalam', style: 'print' },
  { pkg: 'shadows-into-light', style: 'print' },
  { pkg: 'gloria-hallelujah', style: 'print' },
  { pkg: 'reenie-beanie', style: 'print' },
  { pkg: 'schoolbell', style: 'print' },
  { pkg: 'short-stack', style: 'print' },
  { pkg: 'sue-ellen-francisco', style: 'print' },
  { pkg: 'nanum-pen-script', style: 'print' },
  { pkg: 'gochi-hand', style: 'print' },
  { pkg: 'neucha', style: 'print' },
  { pkg: 'handlee', style: 'print' },
  { pkg: 'covered-by-your-grace', style: 'print' },
  { pkg: 'the-girl-next-door', style: 'print' },
  { pkg: 'annie-use-your-telescope', style: 'print' },
  { pkg: 'delius', style: 'print' },
];

const VERSION = '5.3.0';
const X_PX = 96; // x-height in pixels when thinning
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

interface OtCommand { type: string; x?: number; y?: number; x1?: number; y1?: number; x2?: number; y2?: number }
interface OtGlyph { advanceWidth: number; path: { commands: OtCommand[] } }
type OtNames = Record<string, Record<string, string> | undefined>;
interface OtFont { unitsPerEm: number; charToGlyph(c: string): OtGlyph; names: OtNames & { windows?: OtNames; macintosh?: OtNames } }

/** Closed polygons of a glyph outline (font units, y up); curves cut into 8 segments. */
function polygons(cmds: OtCommand[]): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let x = 0;
  let y = 0;
  for (const c of cmds) {
    if (c.type === 'M') {
      if (cur.length >= 6) out.push(cur);
      cur = [c.x!, c.y!];
    } else if (c.type === 'L') {
      cur.push(c.x!, c.y!);
    } else if (c.type === 'Q') {
      for (let s = 1; s <= 8; s++) {
        const t = s / 8;
        const u = 1 - t;
        cur.push(u * u * x + 2 * u * t * c.x1! + t * t * c.x!, u * u * y + 2 * u * t * c.y1! + t * t * c.y!);
      }
    } else if (c.type === 'C') {
      for (let s = 1; s <= 8; s++) {
        const t = s / 8;
        const u = 1 - t;
        cur.push(
          u * u * u * x + 3 * u * u * t * c.x1! + 3 * u * t * t * c.x2! + t * t * t * c.x!,
          u * u * u * y + 3 * u * u * t * c.y1! + 3 * u * t * t * c.y2! + t * t * t * c.y!,
        );
      }
    } else if (c.type === 'Z') {
      if (cur.length >= 6) out.push(cur);
      cur = [];
      continue;
    }
    if (c.x !== undefined) [x, y] = [c.x, c.y!];
  }
  if (cur.length >= 6) out.push(cur);
  return out;
}

/** A glyph's pen strokes in font units (y up). */
export function glyphStrokes(polys: number[][], xHeight: number): number[][] {
  if (polys.length === 0) return [];
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of polys) for (let k = 0; k < p.length; k += 2) [x0, x1, y0, y1] = [Math.min(x0, p[k]), Math.max(x1, p[k]), Math.min(y0, p[k + 1]), Math.max(y1, p[k + 1])];
  const scale = X_PX / xHeight;
  const pad = 4;
  const w = Math.ceil((x1 - x0) * scale) + 2 * pad;
  const h = Math.ceil((y1 - y0) * scale) + 2 * pad;
  const px = polys.map((p) => p.map((v, k) => (k % 2 === 0 ? (v - x0) * scale + pad : (y1 - v) * scale + pad)));
  const bmp = fillPolygons(px, w, h);
  thin(bmp);
  const strokes = traceSkeleton(bmp, { spur: 0.15 * X_PX, smooth: 5, tolerance: 0.6, retrace: 1.2 * X_PX });
  return strokes.map((s) => s.map((v, k) => (k % 2 === 0 ? (v - pad) / scale + x0 : y1 - (v - pad) / scale)));
}

async function main(): Promise<void> {
  const root = new URL('../../', import.meta.url).pathname;
  const outDir = join(root, 'data/handwriting/fonts');
  mkdirSync(outDir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'skeleton-fonts-'));
  const pack = (spec: string): string => {
    const name = execFileSync('npm', ['pack', spec, '--pack-destination', tmp, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
    const dir = join(tmp, name.replace(/\.tgz$/, ''));
    mkdirSync(dir);
    execFileSync('tar', ['xzf', join(tmp, name), '-C', dir]);
    return join(dir, 'package');
  };
  const ot = (await import(pathToFileURL(join(pack('opentype.js@2.0.0'), 'dist/opentype.mjs')).href)) as { parse(b: ArrayBuffer): OtFont };
  const rows: string[] = [];
  const licences = new Map<string, string>();
  const only = process.argv.slice(2);
  for (const src of SKELETON_SOURCES) {
    if (only.length > 0 && !only.includes(src.pkg)) continue;
    const dir = pack(`@fontsource/${src.pkg}@${VERSION}`);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { license?: string };
    // the licence texts, once per licence (the copyright lines go into the README's table)
    const text = readFileSync(join(dir, 'LICENSE'), 'utf8');
    const ofl = text.indexOf('This Font Software is licensed under the SIL Open Font License');
    licences.set(meta.license ?? 'unknown', ofl >= 0 ? text.slice(ofl) : text);
    const buf = readFileSync(join(dir, 'files', `${src.pkg}-latin-400-normal.woff`));
    const font = ot.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
    const name = (key: string): string | undefined => font.names[key]?.en ?? font.names.windows?.[key]?.en ?? font.names.macintosh?.[key]?.en;
    const family = name('fontFamily') ?? src.pkg;
    const copyright = (name('copyright') ?? '').replace(/\s+/g, ' ').replace(/\|/g, '/').trim();
    const xPolys = polygons(font.charToGlyph('x').path.commands);
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of xPolys) for (let k = 1; k < p.length; k += 2) [lo, hi] = [Math.min(lo, p[k]), Math.max(hi, p[k])];
    const xHeight = hi - lo;
    const space = font.charToGlyph(' ').advanceWidth;
    const glyphs: string[] = [`<glyph unicode=" " horiz-adv-x="${Math.round(space)}"/>`];
    let points = 0;
    for (const ch of ALPHABET) {
      const g = font.charToGlyph(ch);
      const strokes = glyphStrokes(polygons(g.path.commands), xHeight);
      points += strokes.reduce((s, st) => s + st.length / 2, 0);
      const d = strokes.map((s) => 'M' + Array.from({ length: s.length / 2 }, (_, i) => `${Math.round(s[2 * i])} ${Math.round(s[2 * i + 1])}`).join('L')).join('');
      glyphs.push(`<glyph unicode="${ch}" horiz-adv-x="${Math.round(g.advanceWidth)}" d="${d}"/>`);
    }
    const id = `hand${String(SKELETON_SOURCES.indexOf(src) + 1).padStart(2, '0')}`;
    const svg = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<!-- Single-stroke font made by scripts/handwriting/make-skeleton-fonts.ts from the outlines of ${family}`,
      `     (@fontsource/${src.pkg}@${VERSION}, ${meta.license ?? 'see its licence'}). ${copyright.replace(/--/g, '-')}`,
      '     A derived work under the same licence (a Modified Version, without the reserved font name); not the original font. -->',
      '<svg xmlns="http://www.w3.org/2000/svg"><defs>',
      `<font id="${id}" horiz-adv-x="${Math.round(space)}"><font-face units-per-em="${font.unitsPerEm}"/>`,
      ...glyphs,
      '</font></defs></svg>',
      '',
    ].join('\n');
    writeFileSync(join(outDir, `${id}.svg`), svg);
    rows.push(`| \`${id}\` | ${family} | ${src.style} | ${meta.license ?? '?'} | ${copyright} |`);
    console.log(`${id}: ${points} points, ${(svg.length / 1024).toFixed(0)} kB`);
  }
  if (only.length === 0) {
    for (const [id, text] of licences) writeFileSync(join(outDir, `LICENSE-${id}.txt`), text);
    writeFileSync(join(outDir, 'README.md'), [
      '# Single-stroke fonts from handwriting-style outline fonts',
      '',
      'Made by `scripts/handwriting/make-skeleton-fonts.ts` (rerun: `npx tsx scripts/handwriting/make-skeleton-fonts.ts`, needs the npm',
      'registry): each letter of the font\'s outline is filled, thinned to its centre line and walked into pen strokes.',
      'Each file is a derived work of the font named (a Modified Version in the terms of the SIL Open Font License 1.1,',
      'named hand01, hand02, … since several sources reserve their names), under that font\'s licence as listed; none is',
      'the original font. Training data of `longshort handwriting` (docs/handwriting.md). The licence texts:',
      ...[...licences.keys()].map((id) => `[LICENSE-${id}.txt](LICENSE-${id}.txt)`),
      '',
      '| id | from | style | licence | copyright |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'));
  }
  rmSync(tmp, { recursive: true, force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
