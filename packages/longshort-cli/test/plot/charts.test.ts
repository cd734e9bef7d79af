// Charts: the SVG is well-formed XML (checked by our own tag matcher and by resvg's strict XML
// parser), holds the expected marks (one line per series, rows × steps heatmap cells), and the
// PNG decodes with the right size, is not blank, and shows text (fonts found).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forecastChart, lossChart, heatmapChart, gateHeatmapRows, forecastSpec, heatmapSpec } from '../../src/plot/index.js';
import { renderPng, svgToPng, writeChart, writeChartFiles } from '../../src/plot/node.js';
import { parseCsv, numericColumn, dateColumn, seasonalNaiveForecast, LSTM, tensor } from 'longshort';

/** Checks that every tag is closed in order; returns the number of elements. Throws on a mismatch. */
function checkWellFormed(svg: string): number {
  const stack: string[] = [];
  let count = 0;
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|<!--[\s\S]*?-->/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(svg))) {
    const between = svg.slice(last, m.index);
    assert.ok(!between.includes('<') && !/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(between), `bad text before offset ${m.index}: ${between.slice(0, 40)}`);
    last = re.lastIndex;
    if (m[0].startsWith('<!--')) continue;
    const [, close, name, , self] = m;
    if (close) assert.equal(stack.pop(), name, `closing </${name}> at ${m.index}`);
    else {
      count++;
      if (!self) stack.push(name);
    }
  }
  assert.equal(svg.slice(last).trim(), '', 'trailing text after the root element');
  assert.deepEqual(stack, [], 'unclosed elements');
  return count;
}

/** Inner text of every <g class="mark-TYPE role-mark …"> group (Vega's container for one mark). */
function markGroups(svg: string, type: string): string[] {
  const out: string[] = [];
  const open = new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>`, 'g');
  let m: RegExpExecArray | null;
  while ((m = open.exec(svg))) {
    let depth = 1;
    const tag = /<(\/?)g[\s>]/g;
    tag.lastIndex = open.lastIndex;
    let t: RegExpExecArray | null;
    while (depth > 0 && (t = tag.exec(svg))) depth += t[1] ? -1 : 1;
    out.push(svg.slice(open.lastIndex, tag.lastIndex));
  }
  return out;
}

const count = (s: string, re: RegExp): number => (s.match(re) ?? []).length;

/** PNG signature and IHDR width/height straight from the bytes. */
function pngHeader(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function lumaStats(pixels: Buffer): { variance: number; dark: number } {
  let s = 0;
  let s2 = 0;
  let dark = 0;
  const n = pixels.length / 4;
  for (let p = 0; p < pixels.length; p += 4) {
    const l = 0.299 * pixels[p] + 0.587 * pixels[p + 1] + 0.114 * pixels[p + 2];
    s += l;
    s2 += l * l;
    if (l < 100) dark++;
  }
  return { variance: s2 / n - (s / n) ** 2, dark };
}

function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)!;
  return { width: Number(m[1]), height: Number(m[2]) };
}

describe('forecastChart on the CO₂ record', () => {
  const table = parseCsv(readFileSync(new URL('../../data/co2-concentration.csv', import.meta.url), 'utf8'));
  const y = numericColumn(table, 'CO2');
  const x = dateColumn(table, 'Date');
  const T = y.length;
  const h = 24;
  const history = { x: x.slice(0, T - h), y: y.slice(0, T - h) };
  const heldOutTruth = { x: x.slice(T - h), y: y.slice(T - h) };
  const forecast = { x: heldOutTruth.x, y: seasonalNaiveForecast(history.y, h, 12) };
  const future = { x: Float64Array.from({ length: 12 }, (_, k) => Date.UTC(2020, 4 + k, 1)), y: seasonalNaiveForecast(y, 12, 12) };

  test('four lines with a legend; SVG well-formed; PNG decodes, sized and not blank', async () => {
    const svg = await forecastChart({ history, heldOutTruth, forecast, future, title: 'CO2 at Mauna Loa', time: true, yTitle: 'ppm' });
    assert.ok(checkWellFormed(svg) > 50);
    // Vega draws each series as its own line mark group holding one path.
    const lines = markGroups(svg, 'line');
    assert.equal(lines.length, 4);
    assert.deepEqual(lines.map((l) => count(l, /<path /g)), [1, 1, 1, 1]);
    assert.deepEqual(lines.map((l) => /stroke="(#[0-9a-f]+)"/.exec(l)![1]), ['#4c78a8', '#222222', '#f58518', '#e45756']);
    // The future line is dashed; the others are solid.
    assert.deepEqual(lines.map((l) => l.includes('stroke-dasharray="6,3"')), [false, false, false, true]);
    for (const label of ['history', 'held-out truth', 'forecast', 'future forecast', 'CO2 at Mauna Loa', 'ppm']) {
      assert.ok(svg.includes(`>${label}</text>`), `text '${label}'`);
    }
    const { width, height } = svgSize(svg);
    const r = renderPng(svg, { scale: 2 });
    assert.deepEqual(pngHeader(r.png), { width: 2 * width, height: 2 * height });
    assert.equal(r.pixels.length, r.width * r.height * 4);
    const { variance, dark } = lumaStats(r.pixels);
    assert.ok(variance > 100, `pixel variance ${variance}`);
    assert.ok(dark > 1000, `dark pixels ${dark}`);
  });

  test('series that are left out are not drawn or listed; NaN points are skipped', async () => {
    const svg = await forecastChart({ history: { x: [0, 1, 2, 3], y: [1, NaN, 3, 4] }, forecast: { x: [4, 5], y: [5, 6] } });
    const lines = markGroups(svg, 'line');
    assert.equal(lines.length, 2);
    assert.ok(!svg.includes('>held-out truth</text>'));
    const spec = forecastSpec({ history: { x: [0, 1, 2, 3], y: [1, NaN, 3, 4] } }) as unknown as { data: { values: unknown[] } };
    assert.equal(spec.data.values.length, 3);
  });

  test('bad input', () => {
    assert.throws(() => forecastSpec({ history: { x: [1, 2], y: [1] } }), /\[forecastChart\] history\.x and history\.y must have the same length; received 2 and 1/);
    assert.throws(() => forecastSpec({ history: { x: [], y: [] } }), /nothing to draw/);
  });
});

describe('lossChart', () => {
  test('train and validation lines, from arrays or from records', async () => {
    const svg = await lossChart({ train: [1, 0.5, 0.2, 0.1], val: [1.1, 0.6, 0.3, 0.25] });
    checkWellFormed(svg);
    assert.equal(markGroups(svg, 'line').length, 2);
    const svg2 = await lossChart([{ epoch: 1, loss: 2 }, { epoch: 2, loss: 1.5 }, { epoch: 3, loss: 1.2 }]);
    assert.equal(markGroups(svg2, 'line').length, 1);
    // Points are drawn on short histories: 3 epochs → 3 symbols.
    assert.equal(count(markGroups(svg2, 'symbol')[0], /<path /g), 3);
    const svg3 = await lossChart({ epochs: [{ epoch: 1, loss: 2, valLoss: 2.5 }, { epoch: 2, loss: 1, valLoss: 1.4 }] });
    assert.equal(markGroups(svg3, 'line').length, 2);
    assert.throws(() => lossChart({ train: [] }), /\[lossChart\] the loss history is empty/);
    assert.throws(() => lossChart({} as never), /history must be \{ train, val\? \}, an array of \{ epoch, loss, valLoss\? \}, or fit\(\)'s History/);
    assert.throws(() => lossChart({ train: [1, 0] }, { logScale: true }), /a log scale needs every loss > 0; the smallest is 0/);
  });
});

describe('heatmapChart', () => {
  test('cells = rows × steps, from real LSTM gates', async () => {
    // A real LSTM (H=3) over a 20-step sine: rows = 4 gates × 3 units = 12, cells = 12 × 20.
    const lstm = new LSTM({ inputSize: 1, hiddenSize: 3, batchFirst: false, seed: 3 });
    const T = 20;
    const x = tensor(Array.from({ length: T }, (_, t) => Math.sin(t / 3)), [T, 1, 1]);
    const out = lstm.forward(x, { returnGates: true });
    const rows = gateHeatmapRows(out.gates![0]);
    assert.deepEqual(rows.map((r) => r.label), ['i0', 'i1', 'i2', 'f0', 'f1', 'f2', 'o0', 'o1', 'o2', 'c0', 'c1', 'c2']);
    for (const r of rows.slice(0, 9)) for (const v of Array.from(r.values)) assert.ok(v > 0 && v < 1, `${r.label} sigmoid gate in (0, 1)`);
    // Row f1 at step 5 is the forget gate of unit 1 at t = 5 in the (T, B, H) tensor.
    assert.equal(rows[4].values[5], out.gates![0].f.data[5 * 3 + 1]);
    const svg = await heatmapChart({ rows, title: 'LSTM gates' });
    checkWellFormed(svg);
    const cells = markGroups(svg, 'rect');
    assert.equal(cells.length, 1);
    assert.equal(count(cells[0], /<path /g), 12 * T);
    const r = renderPng(svg, { scale: 1 });
    assert.deepEqual(pngHeader(r.png), svgSize(svg));
    assert.ok(lumaStats(r.pixels).variance > 100);
  });

  test('bad input', () => {
    assert.throws(() => heatmapSpec({ rows: [] }), /rows must hold at least one row; received none/);
    assert.throws(
      () => heatmapSpec({ rows: [{ label: 'a', values: [1, 2] }, { label: 'b', values: [1] }] }),
      /\[heatmapChart\] every row must have 2 values like rows\[0\] \('a'\); rows\[1\] \('b'\) has 1/,
    );
    assert.throws(() => heatmapSpec({ rows: [{ label: 'a', values: [1] }, { label: 'a', values: [2] }] }), /row labels must be unique; 'a' appears twice/);
    const g = tensor(new Array(6).fill(0.5), [2, 1, 3]);
    assert.throws(() => gateHeatmapRows({ i: g, f: g, g, o: g, c: tensor([1, 2], [2, 1, 1]) }), /gate 'c' must have shape \(2, 1, 3\) like i; received \(2, 1, 1\)/);
    assert.throws(() => gateHeatmapRows({ i: g, f: g, g, o: g, c: g }, { units: [3] }), /units must be integers in \[0, 3\); received 3/);
    assert.throws(() => gateHeatmapRows({ i: g, f: g, g, o: g, c: g }, { batchIndex: 1 }), /batchIndex must be an integer in \[0, 1\); received 1/);
  });
});

describe('PNG output (resvg)', () => {
  test('text renders: the machine has a font resvg can use', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="5" y="30" font-family="sans-serif" font-size="24" fill="black">Hello 123</text></svg>';
    const r = renderPng(svg, { scale: 1 });
    assert.ok(lumaStats(r.pixels).dark > 50, 'no dark pixels: text did not render (install fonts-dejavu-core)');
    const blank = renderPng('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"></svg>', { scale: 1 });
    assert.equal(lumaStats(blank.pixels).dark, 0);
  });

  test('malformed SVG is rejected by resvg', () => {
    assert.throws(() => svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><g></svg>'));
  });

  test('writeChart picks the format from the extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'longshort-plot-'));
    try {
      const svg = await lossChart({ train: [3, 2, 1] });
      const paths = writeChartFiles(join(dir, 'sub', 'loss'), svg);
      assert.equal(readFileSync(paths.svg, 'utf8'), svg);
      pngHeader(readFileSync(paths.png));
      assert.throws(() => writeChart(join(dir, 'loss.jpg'), svg), /\[writeChart\] file must end in \.svg or \.png; received '.*loss\.jpg'/);
      assert.throws(() => svgToPng(svg, { scale: 0 }), /scale must be in \(0, 16\]; received 0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
