// End-to-end: the speech page in headless Chromium with a fake microphone that plays a held-out
// recording (data/speech/heldout-2.wav: a voice never trained on, 10 dB SNR). The page records it
// through getUserMedia and its AudioWorklet, the worker computes the features and runs the shipped
// model, and the phones it shows must match the recording's true phones about as well as
// `longshort speech transcribe` does on the same file. Also: the spectrogram is drawn, the page
// runs the WebAssembly kernels, and the console shows no errors. Needs /usr/bin/chromium (as
// test/web/browser.test.ts: skipped locally without it, an error under CI).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { editDistance, loadModelFile, readWav, recognize, speechConfigFromExtra } from 'longshort';
// @ts-expect-error plain ESM script without types
import { startServer } from '../../scripts/serve-web.mjs';
import { buildWeb } from './build.js';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium package`);

const WAV = fileURLToPath(new URL('../../data/speech/heldout-2.wav', import.meta.url));
const MODEL = fileURLToPath(new URL('../../packages/longshort-cli/models/speech.safetensors', import.meta.url));
/** The recording's phones as espeak-ng spoke them (data/speech/heldout-2.json, from the generator's manifest). */
const truth = (JSON.parse(readFileSync(new URL('../../data/speech/heldout-2.json', import.meta.url), 'utf8')) as { phones: string[] }).phones;

describe('speech page in Chromium', { skip: have ? false : `${CHROMIUM} not installed (apt-get install chromium)` }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    buildWeb();
    server = await startServer(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        // a fake microphone that plays the WAV once, and no permission prompt
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${WAV}%noloop`,
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/speech/`);
    await page.waitForFunction(() => (window as any).__speech?.ready === true || (window as any).__speech?.errors.length > 0, null, { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('the page records the held-out WAV from the fake microphone and shows its phones', async () => {
    assert.deepEqual(await page.evaluate(() => (window as any).__speech.errors), []);
    assert.equal(await page.evaluate(() => (window as any).__speech.kernel), 'wasm');
    const seconds = readWav(new Uint8Array(readFileSync(WAV))).samples.length / 16000;
    await page.click('#start');
    // the fake device plays in real time: wait for the whole file plus half a second, then stop
    await page.waitForFunction((n) => (window as any).__speech.frames >= n, Math.ceil((seconds + 0.5) * 100), { timeout: 60_000 });
    assert.ok((await page.evaluate(() => (window as any).__speech.recognitions)) >= 2, 'recognised while recording');
    await page.click('#stop');
    await page.waitForFunction(() => (window as any).__speech.final !== null, null, { timeout: 60_000 });
    const shown: string[] = await page.evaluate(() => (window as any).__speech.final);

    // the same file through the CLI's path (file → features → model), for comparison
    const { model, extra } = await loadModelFile(MODEL);
    const config = speechConfigFromExtra(extra);
    const direct = recognize(model, config, readWav(new Uint8Array(readFileSync(WAV))).samples).phones;
    const perPage = editDistance(shown, truth) / truth.length;
    const perDirect = editDistance(direct, truth) / truth.length;
    // the browser's capture path (48 kHz fake device → 16 kHz AudioContext) resamples twice and
    // adds silence around the file, and the file is short (a phone is 6 points): allow the page
    // a few phones more error than the direct path, and require most phones right
    const msg = `page PER ${perPage.toFixed(3)} (direct ${perDirect.toFixed(3)})\npage:   ${shown.join(' ')}\ndirect: ${direct.join(' ')}\ntruth:  ${truth.join(' ')}`;
    assert.ok(perPage <= perDirect + 0.2 && perPage < 0.5, msg);
    assert.ok(editDistance(shown, direct) / direct.length <= 0.3, msg);
    assert.equal(await page.textContent('#transcript'), shown.join(' '));

    const inked = await page.evaluate(() => {
      const c = document.querySelector('#spectrogram') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let k = 0; k < d.length; k += 4) if (d[k + 3] > 0) n++;
      return n;
    });
    assert.ok(inked > 200 * (seconds * 100) * 0.9, `spectrogram pixels ${inked}`);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/web-speech.png', fullPage: true });
  });

  test('the console shows no errors', () => {
    assert.deepEqual(problems, []);
  });
});
