// End-to-end: the grapheme-to-phoneme page (web/g2p/) in headless Chromium, with the shipped model
// (packages/longshort-cli/models/g2p-cmudict.safetensors). Types words, checks the phonemes equal what the library gives
// in Node for the same model file and decoder, that the alignment table has one column per input
// frame and that its emitted phonemes spell the output, that the heat map draws, and that the
// console shows no errors. Saves a screenshot to test-artifacts/. Same harness as browser.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { modelFromBytes, vocabsFromExtra, pronounceWithAlignment, NgramLM } from 'longshort';
// @ts-expect-error plain ESM script without types
import { startServer } from '../../scripts/serve-web.mjs';

const CHROMIUM = '/usr/bin/chromium';
const MODEL = fileURLToPath(new URL('../../packages/longshort-cli/models/g2p-cmudict.safetensors', import.meta.url));
const have = existsSync(CHROMIUM);
if (!have && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium package`);

describe('G2P page in Chromium', { skip: have ? false : `${CHROMIUM} not installed (apt-get install chromium)` }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    const b = spawnSync(process.execPath, ['scripts/build-web.mjs'], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    server = await startServer(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/g2p/index.html`);
    await page.waitForFunction(() => (window as any).__g2p?.ready || (window as any).__g2p?.error, null, { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('the shipped model loads; typed words give the phonemes the library gives in Node, with their alignment', async () => {
    const st = await page.evaluate(() => (window as any).__g2p);
    assert.equal(st.error, null);
    assert.ok(st.kernel === 'wasm' || st.kernel === 'ref', st.kernel);
    const file = modelFromBytes(new Uint8Array(readFileSync(MODEL)));
    const vocabs = vocabsFromExtra(file.extra);
    const spec = (file.extra as { g2pDecoder?: { beamWidth: number; lmWeight: number; lengthBonus: number; lm?: unknown } }).g2pDecoder;
    const lm = spec?.lm !== undefined ? NgramLM.fromJSON(spec.lm) : null;
    const decoder = spec ? { beamWidth: spec.beamWidth, lm, lmWeight: lm ? spec.lmWeight : 0, lengthBonus: spec.lengthBonus } : { beamWidth: 1 };
    for (const word of ['hello', 'xylophone', "o'brien"]) {
      await page.fill('#word', word);
      await page.waitForFunction((w) => (window as any).__g2p.word === w.toUpperCase(), word, { timeout: 30_000 });
      const got = await page.evaluate(() => (window as any).__g2p);
      const want = pronounceWithAlignment(file.model, word, vocabs, decoder);
      assert.deepEqual(got.phonemes, want.phonemes, word);
      assert.equal(await page.textContent('#phonemes'), want.phonemes.join(' '));
      // one column per input frame (+ the row header), emitted phonemes in order spell the output
      const cols = await page.$$eval('#align tr:first-child > *', (c) => c.length);
      assert.equal(cols, [...word].length * vocabs.repeat + vocabs.pad + 1);
      const emitted = await page.$$eval('#align td.emit', (c) => c.map((x) => x.textContent));
      assert.deepEqual(emitted, want.phonemes);
    }
    const inked = await page.evaluate(() => {
      const c = document.querySelector('#heat') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let k = 0; k < d.length; k += 4) if (d[k + 3] > 0 && (d[k] < 240 || d[k + 1] < 240 || d[k + 2] < 240)) n++;
      return n;
    });
    assert.ok(inked > 500, `heat map pixels drawn: ${inked}`);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/web-g2p.png', fullPage: true });
  });

  test('a letter outside the alphabet is reported on the page, not thrown', async () => {
    await page.fill('#word', 'c4t');
    await page.waitForFunction(() => (window as any).__g2p.error !== null, null, { timeout: 30_000 });
    assert.match(await page.textContent('#status') ?? '', /'c4t' contains '4', which is not in the model's alphabet/);
  });

  test('the console shows no errors', () => {
    assert.deepEqual(problems, []);
  });
});
