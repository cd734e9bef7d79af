// End-to-end: the handwriting page in headless Chromium (Debian's package, driven by
// playwright-core). Replays held-out ink (fonts the model never saw, from the committed sample
// data/handwriting/heldout-sample.jsonl) into the canvas as real pointer events — mouse down, moves,
// up, stroke by stroke — and checks that the page reads the word, lists beam alternatives, draws the
// CTC alignment strip, clears, and logs no console errors. Screenshot in test-artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseInkSample, inkBounds, type Ink } from 'longshort';
// @ts-expect-error plain ESM script without types
import { startServer } from '../../scripts/serve-web.mjs';
import { buildWeb } from './build.js';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium package`);

/**
 * Held-out examples the test writes (indices into the committed sample): two EMSTech and two
 * EMSAllure words that the shipped model reads in Node (free or dictionary reading), so a failure
 * here is the page (pointer events, canvas scaling, worker), not the model; the model's error
 * rates are checked in test/cli/handwriting.test.ts.
 */
const REPLAY = [0, 8, 105, 109];

interface PageState {
  ready: boolean;
  kernel: string;
  text: string;
  lexiconText: string;
  alternatives: { text: string; score: number }[];
  results: number;
  lastRequest: number;
  lastResult: number;
  error: string;
}

describe('handwriting page in Chromium', { skip: have ? false : `${CHROMIUM} not installed (apt-get install chromium)` }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const sample = parseInkSample(readFileSync('data/handwriting/heldout-sample.jsonl', 'utf8'));
  const state = (): Promise<PageState> => page.evaluate(() => (window as unknown as { __hw: PageState }).__hw);

  before(async () => {
    buildWeb();
    server = await startServer(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/handwriting/`);
    await page.waitForFunction(() => (window as any).__hw?.ready === true || (window as any).__hw?.error !== '', null, { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  /** Writes `ink` into the canvas, scaled to fit, with the mouse: one press-move-release per stroke. */
  async function write(ink: Ink): Promise<void> {
    const box = (await page.locator('#ink').boundingBox())!;
    const b = inkBounds(ink);
    const s = Math.min((box.width - 80) / Math.max(b.maxX - b.minX, 1), (box.height - 80) / Math.max(b.maxY - b.minY, 1), 3);
    const at = (x: number, y: number): [number, number] => [box.x + 40 + (x - b.minX) * s, box.y + 40 + (y - b.minY) * s];
    for (const stroke of ink) {
      await page.mouse.move(...at(stroke[0].x, stroke[0].y));
      await page.mouse.down();
      for (const p of stroke.slice(1)) await page.mouse.move(...at(p.x, p.y));
      await page.mouse.up();
    }
  }

  async function settled(): Promise<PageState> {
    await page.waitForFunction(() => {
      const s = (window as any).__hw;
      return s.lastRequest > 0 && s.lastResult === s.lastRequest;
    }, null, { timeout: 60_000 });
    return state();
  }

  test('the page loads the shipped model in its worker', async () => {
    const s = await state();
    assert.equal(s.error, '');
    assert.ok(s.ready);
    assert.ok(s.kernel === 'wasm' || s.kernel === 'ref', s.kernel);
    assert.match((await page.textContent('#status')) ?? '', /ready: .* parameters, kernel (wasm|ref), 20,000-word dictionary, character 5-gram model/);
  });

  for (const k of REPLAY) {
    test(`held-out ink #${k} written with pointer events is read back`, async () => {
      const ex = sample[k];
      await page.click('#clear');
      await write(ex.ink);
      const s = await settled();
      assert.ok(s.text === ex.text || s.lexiconText === ex.text, `wrote ${JSON.stringify(ex.text)} (${ex.font}); page read ${JSON.stringify(s.text)}, dictionary ${JSON.stringify(s.lexiconText)}`);
      assert.equal((await page.textContent('#text'))?.trim(), s.lexiconText !== '' ? s.lexiconText : s.text);
      assert.ok(s.alternatives.length >= 2, `alternatives: ${JSON.stringify(s.alternatives)}`);
      assert.equal(await page.locator('#alternatives li').count(), s.alternatives.length);
    });
  }

  test('the alignment strip marks the frames that emitted letters; Clear empties everything', async () => {
    const colored = await page.evaluate(() => {
      const c = document.getElementById('strip') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let k = 0; k < d.length; k += 4) if (d[k + 3] > 0 && Math.max(d[k], d[k + 1], d[k + 2]) - Math.min(d[k], d[k + 1], d[k + 2]) > 60) n++;
      return n;
    });
    assert.ok(colored > 30, `coloured strip pixels: ${colored}`);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/web-handwriting.png', fullPage: true });
    await page.click('#clear');
    assert.equal((await page.textContent('#text'))?.trim(), '');
    const inked = await page.evaluate(() => {
      const c = document.getElementById('strip') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let k = 3; k < d.length; k += 4) if (d[k] > 0) n++;
      return n;
    });
    assert.equal(inked, 0);
  });

  test('the console shows no errors', () => {
    assert.deepEqual(problems, []);
  });
});
