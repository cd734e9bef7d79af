import { chromium } from 'playwright-core';
// @ts-expect-error
import { startServer } from '/work/wt/speech/scripts/serve-web.mjs';
const server = await startServer(0);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=/work/wt/speech/data/speech/heldout-1.wav%noloop`] });
const page = await browser.newPage();
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', e.message));
page.on('crash', () => console.log('CRASH'));
await page.goto(`http://127.0.0.1:${server.address().port}/speech/`);
await page.waitForFunction(() => (window as any).__speech?.ready, null, { timeout: 30000 });
console.log('ready', Date.now());
const t = await page.evaluate(`(async () => { const s = await navigator.mediaDevices.getUserMedia({audio: true}); const tr = s.getAudioTracks()[0]; const r = JSON.stringify(tr.getSettings()); tr.stop(); return r; })()`);
console.log('gum', t, Date.now());
await page.evaluate(() => (document.getElementById('start') as HTMLButtonElement).click());
console.log('clicked', Date.now());
for (let k = 0; k < 8; k++) { await new Promise((r) => setTimeout(r, 1000)); console.log(await page.evaluate(() => JSON.stringify((window as any).__speech) + document.getElementById('status')!.textContent)); }
await page.evaluate(() => (document.getElementById('stop') as HTMLButtonElement).click());
await new Promise((r) => setTimeout(r, 3000));
console.log(await page.evaluate(() => JSON.stringify((window as any).__speech)));
await page.screenshot({ path: '/tmp/speech.png' });
await browser.close(); server.close();
