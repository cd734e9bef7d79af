// scripts/handwriting/skeleton.ts, which turns outline glyphs into the pen strokes of
// data/handwriting/fonts/: filling with the nonzero rule, Zhang–Suen thinning, and the pen walk
// (leftmost free end first, straight on through crossings, short dead ends run back along, dots).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fillPolygons, thin, traceSkeleton, type Bitmap } from '../scripts/handwriting/skeleton.js';

const opts = { spur: 8, smooth: 3, tolerance: 0.5, retrace: 60 };
const count = (b: Bitmap): number => b.px.reduce((s, v) => s + v, 0);
const rect = (x0: number, y0: number, x1: number, y1: number): number[] => [x0, y0, x1, y0, x1, y1, x0, y1];
const circle = (cx: number, cy: number, r: number, cw: boolean): number[] => {
  const p: number[] = [];
  for (let k = 0; k < 64; k++) {
    const a = ((cw ? 1 : -1) * 2 * Math.PI * k) / 64;
    p.push(cx + r * Math.cos(a), cy + r * Math.sin(a));
  }
  return p;
};
const xs = (s: number[]): number[] => s.filter((_, k) => k % 2 === 0);
const ys = (s: number[]): number[] => s.filter((_, k) => k % 2 === 1);

test('fill: pixel centres inside by the nonzero rule; a counter-wound inner contour is a hole', () => {
  assert.equal(count(fillPolygons([rect(2, 3, 12, 8)], 20, 20)), 10 * 5);
  const ring = fillPolygons([circle(30, 30, 20, true), circle(30, 30, 10, false)], 60, 60);
  assert.equal(ring.px[30 * 60 + 30], 0, 'the hole');
  assert.equal(ring.px[30 * 60 + 45], 1, 'the ring');
  const area = count(ring);
  assert.ok(Math.abs(area - Math.PI * (400 - 100)) < 60, `area ${area}`);
  // the same contour twice in the same direction is still filled once (nonzero, not even-odd)
  assert.equal(count(fillPolygons([rect(0, 0, 4, 4), rect(0, 0, 4, 4)], 8, 8)), 16);
});

test('thin: a thick bar becomes a line one pixel wide along its middle, drawn from the left', () => {
  const bar = fillPolygons([rect(5, 20, 95, 30)], 100, 50);
  thin(bar);
  for (let x = 15; x < 85; x++) {
    let n = 0;
    for (let y = 0; y < 50; y++) n += bar.px[y * 100 + x];
    assert.equal(n, 1, `column ${x}`);
  }
  const strokes = traceSkeleton(bar, opts);
  assert.equal(strokes.length, 1);
  const s = strokes[0];
  assert.ok(s[0] < s[s.length - 2], 'left to right');
  assert.ok(ys(s).every((y) => Math.abs(y - 25) < 1.5), `on the middle line: ${ys(s)}`);
  assert.ok(s[0] < 15 && s[s.length - 2] > 85, `spans the bar: ${s[0]} … ${s[s.length - 2]}`);
});

test('trace: a ring is one closed stroke on the mid circle; a dot is a dot', () => {
  const ring = fillPolygons([circle(40, 40, 25, true), circle(40, 40, 15, false)], 80, 80);
  thin(ring);
  const strokes = traceSkeleton(ring, opts);
  assert.equal(strokes.length, 1);
  const s = strokes[0];
  assert.ok(Math.hypot(s[0] - s[s.length - 2], s[1] - s[s.length - 1]) < 1e-9, 'closed');
  for (let k = 0; k < s.length; k += 2) assert.ok(Math.abs(Math.hypot(s[k] - 40, s[k + 1] - 40) - 20) < 2.5, `radius at ${k}`);
  const dot = fillPolygons([circle(10, 10, 3, true)], 20, 20);
  thin(dot);
  const d = traceSkeleton(dot, opts);
  assert.equal(d.length, 1);
  assert.ok(Math.hypot(d[0][0] - 10, d[0][1] - 10) < 2 && d[0].length === 4);
});

test('trace: a T in one stroke (the stem is run back along to the bar); a plus in two, the right end last', () => {
  const T = fillPolygons([rect(10, 10, 90, 20), rect(45, 20, 55, 70)], 100, 80);
  thin(T);
  const t = traceSkeleton(T, opts);
  assert.equal(t.length, 1, `${t.length} strokes`);
  const s = t[0];
  assert.ok(Math.max(...ys(s)) > 60 && Math.min(...xs(s)) < 20 && Math.max(...xs(s)) > 80, 'bar and stem');
  assert.ok(s[0] < 20, 'starts at the left end of the bar');
  // a plus with long arms (no short dead ends): two strokes over the four arms, and the rightmost
  // end (where a cursive letter leaves for the next one) is where a stroke ends, not where one starts
  const plus = fillPolygons([rect(10, 45, 90, 55), rect(45, 10, 55, 90)], 100, 100);
  thin(plus);
  const p = traceSkeleton(plus, { ...opts, retrace: 10 });
  assert.equal(p.length, 2);
  const ends = p.flatMap((st) => [[st[0], st[1]], [st[st.length - 2], st[st.length - 1]]]);
  for (const [x, y] of [[15, 50], [85, 50], [50, 15], [50, 85]]) assert.ok(ends.some(([a, b]) => Math.hypot(a - x, b - y) < 6), `arm end ${x},${y}`);
  assert.ok(p.every((st) => st[0] < 80), 'no stroke starts at the right end');
});

test('the committed single-stroke fonts: 38 files, each with the 52 letters and its source named', () => {
  const dir = new URL('../data/handwriting/fonts/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.svg'));
  assert.equal(files.length, 38);
  const readme = readFileSync(new URL('README.md', dir), 'utf8');
  for (const f of files) {
    const svg = readFileSync(new URL(f, dir), 'utf8');
    assert.equal((svg.match(/<glyph unicode="[a-zA-Z]"/g) ?? []).length, 52, f);
    assert.match(svg, /@fontsource\//);
    assert.ok(readme.includes(`\`${f.replace('.svg', '')}\``), `${f} in the README`);
  }
});
