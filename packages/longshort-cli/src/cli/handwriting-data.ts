// Node-only data of `longshort handwriting`: reads the single-stroke fonts of the `hersheytext` npm package (MIT; the EMS fonts
// in it are under the SIL Open Font License, see docs/handwriting.md) straight from its files, and
// those of data/handwriting/fonts/ (made from outline fonts, see its README), and hands them to the
// browser-safe parsers in src/handwriting/fonts.ts. The package's own code (and
// its cheerio dependency) is never loaded: we read hersheytext.json and svg_fonts/*.svg.

import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FONT_TABLE, fontFromSpec, fontSpec, parseWordList, type FontSources, type StrokeFont } from 'longshort';

let root: string | null = null;
let hersheyJson: ReturnType<FontSources['hersheyJson']> | null = null;
const cache = new Map<string, StrokeFont>();

function packageRoot(): string {
  if (root === null) root = dirname(createRequire(import.meta.url).resolve('hersheytext/package.json'));
  return root;
}

const sources: FontSources = {
  hersheyJson: () => (hersheyJson ??= JSON.parse(readFileSync(join(packageRoot(), 'hersheytext.json'), 'utf8')) as NonNullable<typeof hersheyJson>),
  svgFont: (file) => readFileSync(join(packageRoot(), 'svg_fonts', file), 'utf8'),
  dataFont: (file) => readFileSync(repoFile(join(DATA_FONTS, file)), 'utf8'),
};

/** The fonts called `ids` (default: every font of FONT_TABLE), parsed once per process. */
export function loadHersheyFonts(ids: readonly string[] = FONT_TABLE.map((f) => f.id)): StrokeFont[] {
  return ids.map((id) => {
    let f = cache.get(id);
    if (f === undefined) {
      f = fontFromSpec(fontSpec(id), sources);
      cache.set(id, f);
    }
    return f;
  });
}

/**
 * A file the repository ships (data/handwriting/lexicon.txt, models/handwriting.safetensors),
 * found by walking up from this module: the same code runs from src/ (tsx) and from a build.
 */
export function repoFile(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 6; k++) {
    const p = join(dir, rel);
    if (existsSync(p)) return p;
    dir = resolve(dir, '..');
  }
  return resolve(rel);
}

export const DEFAULT_LEXICON = 'data/handwriting/lexicon.txt';
const DATA_FONTS = 'data/handwriting/fonts';
export const DEFAULT_MODEL = 'models/handwriting.safetensors';

/** Words of a word list file (one per line, # comments). */
export function loadWordList(path: string): string[] {
  return parseWordList(readFileSync(path, 'utf8'));
}
