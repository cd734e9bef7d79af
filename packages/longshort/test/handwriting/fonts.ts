// Test helper: the fonts of FONT_TABLE read from the hersheytext package (a dev dependency of the
// library; the CLI reads the same files in src/cli/handwriting-data.ts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FONT_TABLE, parseHersheyFont, parseSvgFont, type StrokeFont } from '../../src/index.js';

const root = dirname(createRequire(import.meta.url).resolve('hersheytext/package.json'));
let cache: StrokeFont[] | null = null;

export function testFonts(): StrokeFont[] {
  if (cache !== null) return cache;
  const json = JSON.parse(readFileSync(join(root, 'hersheytext.json'), 'utf8'));
  cache = FONT_TABLE.map((s) =>
    s.source.kind === 'hershey'
      ? parseHersheyFont(s.id, s.style, json[s.source.key])
      : parseSvgFont(s.id, s.style, readFileSync(join(root, 'svg_fonts', s.source.file), 'utf8')),
  );
  return cache;
}
