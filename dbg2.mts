import { chromium } from 'playwright-core';
// @ts-expect-error
import { startServer } from '/work/wt/speech/scripts/serve-web.mjs';
const server = await startServer(0);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=/work/wt/speech/data/speech/heldout-1.wav%noloop`] });
const page = await browser.newPage();
page.on('console', (m) => console.log('console', m.type(), m.text()));
await page.goto(`http://127.0.0.1:${server.address().port}/speech/`);
await page.waitForFunction(() => (window as any).__speech?.ready, null, { timeout: 30000 });
const step = async (name: string, code: string) => { const t = Date.now(); const r = await page.evaluate(code); console.log(name, Date.now() - t, 'ms', r); };
await step('gum', `(async () => { window.s = await navigator.mediaDevices.getUserMedia({audio: true}); return 1; })()`);
await step('ctx', `(async () => { window.c = new AudioContext(); return c.sampleRate + ' ' + c.state; })()`);
await step('mod', `(async () => { await c.audioWorklet.addModule('recorder.js'); return 1; })()`);
await step('node', `(async () => { window.src = c.createMediaStreamSource(s); window.n = new AudioWorkletNode(c, 'recorder'); window.got = 0; n.port.onmessage = (e) => { got += e.data.length; }; src.connect(n); return 1; })()`);
await step('connect', `(async () => { n.connect(c.destination); return c.state; })()`);
for (let k = 0; k < 4; k++) { await new Promise((r) => setTimeout(r, 1000)); await step('got', `got + ' ' + c.state + ' ' + c.currentTime`); }
await browser.close(); server.close();
