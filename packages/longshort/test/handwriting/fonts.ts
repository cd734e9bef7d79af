// Test helper: the fonts of FONT_TABLE read from the hersheytext package (a dev dependency of the
// library) and the repository's data/handwriting/fonts/; the CLI reads the same files in
// src/cli/handwriting-data.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FONT_TABLE, fontFromSpec, type StrokeFont } from '../../src/index.js';

const root = dirname(createRequire(import.meta.url).resolve('hersheytext/package.json'));
let cache: StrokeFont[] | null = null;

export function testFonts(): StrokeFont[] {
  if (cache !== null) return cache;
  const json = JSON.parse(readFileSync(join(root, 'hersheytext.json'), 'utf8'));
  cache = FONT_TABLE.map((s) => fontFromSpec(s, { hersheyJson: () => json, svgFont: (file) => readFileSync(join(root, 'svg_fonts', file), 'utf8'), dataFont: (file) => readFileSync(new URL(`../../../../data/handwriting/fonts/${file}`, import.meta.url), 'utf8') }));
  return cache;
}
