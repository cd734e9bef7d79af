// docs/handwriting-writers.png: every font of the handwriting task writing one text by one random
// writer (the plain synthesis, as the test set is made), the held-out fonts in red.
// Rerun: npx tsx scripts/handwriting/make-figure.ts  (from the repository root)

import { writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { FONT_TABLE, Rng, renderInk, sampleWriterStyle } from 'longshort';
import { loadHersheyFonts } from '../../packages/longshort-cli/src/cli/handwriting-data.js';

const TEXTS = ['handwriting', 'Hello world', 'quick brown', 'minimum'];
const COLS = 3;
const CELL_W = 420;
const CELL_H = 64;
const fonts = loadHersheyFonts(FONT_TABLE.map((f) => f.id));
let body = '';
fonts.forEach((font, i) => {
  const spec = FONT_TABLE[i];
  const rng = new Rng(1000 + i);
  const ink = renderInk(font, TEXTS[i % TEXTS.length], sampleWriterStyle(rng), rng);
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const s of ink) for (const p of s) [x0, y0, x1, y1] = [Math.min(x0, p.x), Math.min(y0, p.y), Math.max(x1, p.x), Math.max(y1, p.y)];
  const scale = Math.min((CELL_H - 12) / (y1 - y0), (CELL_W - 130) / (x1 - x0));
  const ox = (i % COLS) * CELL_W;
  const oy = Math.floor(i / COLS) * CELL_H;
  const colour = spec.split === 'test' ? '#b22222' : '#222';
  body += `<text x="${ox + 6}" y="${oy + CELL_H / 2 + 4}" font-family="sans-serif" font-size="12" fill="${colour}">${spec.id}${spec.split === 'test' ? ' (test)' : ''}</text>`;
  for (const s of ink) {
    const pts = s.map((p) => `${(ox + 120 + (p.x - x0) * scale).toFixed(1)},${(oy + 6 + (p.y - y0) * scale).toFixed(1)}`).join(' ');
    body += `<polyline fill="none" stroke="${colour}" stroke-width="1.2" points="${pts}"/>`;
  }
});
const rows = Math.ceil(fonts.length / COLS);
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${COLS * CELL_W}" height="${rows * CELL_H}"><rect width="100%" height="100%" fill="white"/>${body}</svg>`;
writeFileSync(new URL('../../docs/handwriting-writers.png', import.meta.url), new Resvg(svg, { font: { loadSystemFonts: true } }).render().asPng());
console.log(`docs/handwriting-writers.png: ${fonts.length} fonts`);
