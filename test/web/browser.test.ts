// End-to-end: the demo page in headless Chromium (Debian's package, driven by playwright-core).
// Trains for a bounded number of epochs and checks that the loss falls, the gate heatmap draws
// pixels, a model file round-trips through the page, and the console shows no errors. Saves a
// screenshot to test-artifacts/. Needs /usr/bin/chromium (.ci/run installs it); without it the
// test is skipped locally and fails under CI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Sequential } from 'longshort';
// @ts-expect-error plain ESM script without types
import { startServer } from '../../scripts/serve-web.mjs';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium package`);

describe('demo page in Chromium', { skip: have ? false : `${CHROMIUM} not installed (apt-get install chromium)` }, () => {
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
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => (window as any).__demo?.kernel !== '', null, { timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('the library bundle has no Node built-ins and the page reports its kernel', async () => {
    const kernel = await page.evaluate(() => (window as any).__demo.kernel);
    assert.ok(kernel === 'wasm' || kernel === 'ref', kernel);
    assert.match(await page.textContent('#kernel') ?? '', /kernel: (wasm|ref)/);
    // served with COOP + COEP, the page is cross-origin isolated: training uses every core (2 here, at most 4)
    const text = (await page.textContent('#kernel')) ?? '';
    assert.match(text, /cross-origin isolated/);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.match(text, new RegExp(`threads: ${Math.max(1, Math.min(cores, 4))}`));
  });

  test('the library bundle runs in the page itself: WebAssembly kernels on the main thread agree with the reference', async () => {
    // a string, not a function: tsx would add helpers to a function's source that the page lacks
    const r = await page.evaluate(`(async () => {
      const ls = await import('/longshort.js');
      const make = (kernels) => new ls.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, seed: 4, kernels });
      const x = new ls.Tensor(Float32Array.from({ length: 2 * 7 * 3 }, (_, k) => Math.sin(k)), [2, 7, 3]);
      const ref = make('ref').forward(x).output.data;
      const loaded = await ls.loadWasmKernelsFrom(location.href);
      const fast = make('wasm');
      const out = fast.forward(x).output.data;
      let worst = 0;
      for (let k = 0; k < ref.length; k++) worst = Math.max(worst, Math.abs(ref[k] - out[k]));
      return { kernel: fast.kernelName, variant: loaded && loaded.kernels.variant, worst, n: ref.length };
    })()`) as { kernel: string; variant: string; worst: number; n: number };
    assert.equal(r.kernel, 'wasm');
    assert.ok(r.n === 70 && r.worst < 1e-5, JSON.stringify(r));
  });

  test('training in the worker: the loss falls and the gate heatmap draws', async () => {
    await page.fill('#epochs', '12');
    await page.selectOption('#task', 'sine');
    await page.click('#train');
    await page.waitForFunction(() => (window as any).__demo.history.length >= 1 && !(window as any).__demo.training, null, { timeout: 180_000 });
    const history: { loss: number }[] = await page.evaluate(() => (window as any).__demo.history);
    assert.equal(history.length, 12);
    assert.ok(history.at(-1)!.loss < 0.5 * history[0].loss, `loss ${history[0].loss} → ${history.at(-1)!.loss}`);
    const inked = await page.evaluate(() => {
      const c = document.querySelector('#gates canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let k = 0; k < d.length; k += 4) if (d[k + 3] > 0 && (d[k] < 240 || d[k + 1] < 240 || d[k + 2] < 240)) n++;
      return n;
    });
    assert.ok(inked > 2000, `heatmap pixels drawn: ${inked}`);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/web-demo.png', fullPage: true });
  });

  test('a model file round-trips: save from the page, read in Node, load back into the page', async () => {
    await page.click('#save');
    await page.waitForFunction(() => (window as any).__demo.exported !== null, null, { timeout: 30_000 });
    const bytes = Uint8Array.from(await page.evaluate(() => Array.from((window as any).__demo.exported as Uint8Array)));
    const model = Sequential.fromBytes(bytes);
    assert.match(model.summary(), /lstm \(LSTM\)/);
    const before = await page.evaluate(() => (window as any).__demo.gateUpdates);
    await page.setInputFiles('#file', { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
    await page.waitForFunction((n) => (window as any).__demo.gateUpdates > n, before, { timeout: 30_000 });
    assert.match(await page.textContent('#summary') ?? '', /head \(Dense\)/);
  });

  test('the console shows no errors', () => {
    assert.deepEqual(problems, []);
  });
});
