// End-to-end: the demo page in headless Chromium (Debian's package, driven by playwright-core).
// Trains in the page's worker and checks what a user meets: the loss falls and the metric fits the
// task (MASE, accuracy); no main-thread task takes 50 ms or more of CPU while training (each task's
// thread time in a Chromium trace; the Long Tasks API's wall-clock figures are printed beside it, since
// on a machine whose cores are busy with other work they measure the wait for a core, not the page); Stop ends training within one batch, Pause holds it, a new learning rate applies
// live; threads are used only where they measure faster; the gate view is grouped in the order of
// the equations with every row labelled, its own scales and legends, clipping counted, a hover and
// keyboard read-out and a unit to follow; a model file round-trips and loading restores its task,
// settings and history; the layout has no horizontal overflow at 1024, 390 and 360 px; the
// controls work from the keyboard; the console shows no errors. Screenshots go to test-artifacts/.
// Needs /usr/bin/chromium (.ci/run installs it); without it the test is skipped locally and fails
// under CI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Sequential, LSTM, Dense, modelFromBytes } from 'longshort';
// @ts-expect-error plain ESM script without types
import { startServer } from '../../scripts/serve-web.mjs';
import { buildWeb } from './build.js';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium package`);

/** The page's window.__demo (web/src/main.ts), as far as the tests read it. */
interface Demo {
  kernel: string;
  training: boolean;
  paused: boolean;
  history: { epoch: number; loss: number; valLoss?: number; lr: number }[];
  metric: { name: string; values: number[] };
  batch: { batchesDone: number } | null;
  threads: { threads: number; reason: string; probe: Record<string, number> | null } | null;
  gates: { values: Record<string, number>; hidden: number; steps: number; labels: string[]; epoch: number } | null;
  gateUpdates: number;
  lastDone: { reason: string; epochs: number; batchesAfterStop: number | null; stoppedAt: { epoch: number; batch: number } | null } | null;
  loaded: { task: string | null; taskSource: string; notes: string[] } | null;
  exported: Uint8Array | null;
  lastError: string;
  frames: number;
  runs: number;
  pauses: { paused: boolean; batchesDone: number }[];
}
const demo = (page: Page): Promise<Demo> => page.evaluate(() => JSON.parse(JSON.stringify((window as any).__demo, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v))));

/** Sets a field the way a user does (the page reads it on Train, or on 'change' for the learning rate). */
async function setField(page: Page, id: string, value: string): Promise<void> {
  await page.fill(`#${id}`, value);
  await page.dispatchEvent(`#${id}`, 'change');
}

/** Trains with the given settings until done; returns the page's state. */
async function train(page: Page, settings: Record<string, string>): Promise<Demo> {
  for (const [k, v] of Object.entries(settings)) {
    if (k === 'task' || k === 'threads') await page.selectOption(`#${k}`, v);
    else await page.fill(`#${k}`, v);
  }
  await page.click('#train');
  await page.waitForFunction(() => !(window as any).__demo.training && (window as any).__demo.lastDone !== null, null, { timeout: 300_000 });
  return demo(page);
}

/** Resolves after the page has drawn what it has (two animation frames without pending work). */
/**
 * CPU time (ms) of each task the page's main thread ran during a Chromium trace: the RunTask events of
 * the renderer's CrRendererMain thread, whose `tdur` is thread time in µs (what the task computed,
 * not how long it waited for a core).
 */
function mainThreadTaskCpuMs(trace: Buffer): number[] {
  type Ev = { name: string; ph: string; pid: number; tid: number; tdur?: number; args?: { name?: string } };
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: Ev[] }).traceEvents;
  const mains = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  return events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.tdur !== undefined && mains.has(`${e.pid}:${e.tid}`)).map((e) => e.tdur! / 1000);
}

async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)))));
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

describe('demo page in Chromium', { skip: have ? false : `${CHROMIUM} not installed (apt-get install chromium)` }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let url = '';
  const problems: string[] = [];

  before(async () => {
    buildWeb();
    mkdirSync('test-artifacts', { recursive: true });
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
    // every long task of the main thread (≥ 50 ms, the Long Tasks API's threshold), from the start
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push({ start: Math.round(e.startTime), duration: Math.round(e.duration) });
      }).observe({ type: 'longtask', buffered: true });
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await page.goto(url);
    // the untrained model's gates are on show as soon as the worker is ready
    await page.waitForFunction(() => (window as any).__demo?.kernel !== '' && (window as any).__demo.gates !== null, null, { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('the library bundle has no Node built-ins and the page reports its kernel', async () => {
    const d = await demo(page);
    assert.match(d.kernel, /^(wasm|ref)/);
    const text = (await page.textContent('#kernel')) ?? '';
    assert.match(text, /kernel: (wasm|ref)/);
    // served with COOP + COEP, the page is cross-origin isolated: threads are possible (2 cores here, at most 4)
    assert.match(text, /cross-origin isolated/);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.match(text, new RegExp(`cores: ${Math.max(1, Math.min(cores, 4))}`));
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

  test('training: the loss falls, MASE beats the naive forecast, the page draws while it trains and no main-thread task takes 50 ms of CPU', async () => {
    await page.evaluate(() => ((window as any).__longTasks = []));
    const framesBefore = (await demo(page)).frames;
    await browser.startTracing(page, { categories: ['toplevel', 'disabled-by-default-devtools.timeline'] });
    const d = await train(page, { task: 'sine', hidden: '8', epochs: '40', lr: '0.02', seed: '1', threads: 'auto' });
    const cpuMs = mainThreadTaskCpuMs(await browser.stopTracing());
    const long: { start: number; duration: number }[] = await page.evaluate(() => (window as any).__longTasks);
    console.log(`# main-thread tasks while training: ${cpuMs.length}, longest ${Math.max(...cpuMs).toFixed(1)} ms of CPU; Long Tasks API (wall clock, ≥ 50 ms): ${JSON.stringify(long)}`);
    assert.ok(cpuMs.length > 0, 'the trace holds the page main thread\'s tasks');
    assert.ok(cpuMs.every((ms) => ms < 50), `main-thread tasks with ≥ 50 ms of CPU: ${cpuMs.filter((ms) => ms >= 50).map((ms) => ms.toFixed(1))}`);
    assert.equal(d.history.length, 40);
    assert.ok(d.history.at(-1)!.loss < 0.5 * d.history[0].loss, `loss ${d.history[0].loss} → ${d.history.at(-1)!.loss}`);
    // drawn along the way (throttled to a few frames a second), not once at the end
    assert.ok(d.frames - framesBefore >= 4, `frames drawn while training: ${d.frames - framesBefore}`);
    // forecasting: MASE on validation windows after the training part, one value per epoch, below 1 = better than repeating the last value
    assert.equal(d.metric.name, 'MASE');
    assert.equal(d.metric.values.length, 40);
    assert.ok(d.metric.values.at(-1)! < 0.8, `MASE ${d.metric.values.at(-1)}`);
    assert.match((await page.textContent('#progress')) ?? '', /validation MASE 0\.\d{3}/);
    assert.match((await page.textContent('#metric figcaption')) ?? '', /MASE/);
    // a tiny problem: one thread, without starting a pool to find out
    assert.equal(d.threads?.threads, 1);
    assert.match(d.threads!.reason, /small problem/);
    assert.match((await page.textContent('#kernel')) ?? '', /training on 1 thread: small problem/);
    await settled(page);
    const inked = await page.evaluate(() => {
      const c = document.querySelector('.gate-block[data-gate=f] canvas') as HTMLCanvasElement;
      const d = c.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let k = 0; k < d.length; k += 4) if (d[k + 3] > 0 && (d[k] < 240 || d[k + 1] < 240 || d[k + 2] < 240)) n++;
      return n;
    });
    assert.ok(inked > 2000, `forget-gate pixels drawn: ${inked}`);
    await page.screenshot({ path: 'test-artifacts/web-demo.png', fullPage: true });
  });

  test('classification shows accuracy: the symbols task learns to recall two steps back', async () => {
    const d = await train(page, { task: 'symbols', hidden: '8', epochs: '12', lr: '0.02', seed: '1' });
    assert.equal(d.metric.name, 'accuracy');
    assert.equal(d.metric.values.length, 12);
    assert.ok(d.metric.values.at(-1)! > 0.6, `validation accuracy ${d.metric.values.at(-1)} (chance 0.25)`);
    assert.match((await page.textContent('#progress')) ?? '', /validation accuracy \d+\.\d %/);
    assert.match((await page.textContent('#metric figcaption')) ?? '', /Accuracy/);
    assert.match((await page.textContent('#prediction-title')) ?? '', /two steps back/);
  });

  test('Stop during training stops within one batch; Pause holds it; the learning rate changes live', async () => {
    await page.selectOption('#task', 'sine');
    await page.fill('#hidden', '8');
    await page.fill('#lr', '0.02');
    await page.fill('#epochs', '2000');
    await page.click('#train');
    await page.waitForFunction(() => (window as any).__demo.history.length >= 2, null, { timeout: 60_000 });
    assert.equal(await page.isDisabled('#train'), true);
    // a new learning rate: the next epochs report it
    await setField(page, 'lr', '0.005');
    await page.waitForFunction(() => (window as any).__demo.history.some((l: { lr: number }) => l.lr === 0.005), null, { timeout: 60_000 });
    // pause: no batch runs until resume (the worker reports its batch count at both)
    await page.click('#pause');
    await page.waitForFunction(() => (window as any).__demo.paused, null, { timeout: 30_000 });
    assert.equal(await page.textContent('#pause'), 'Resume');
    await page.waitForTimeout(300);
    await page.click('#pause');
    await page.waitForFunction(() => !(window as any).__demo.paused, null, { timeout: 30_000 });
    const pauses = (await demo(page)).pauses;
    assert.deepEqual(pauses.map((p) => p.paused), [true, false]);
    assert.equal(pauses[1].batchesDone, pauses[0].batchesDone, 'batches ran while paused');
    const epochsAtResume = (await demo(page)).history.length;
    await page.waitForFunction((n) => (window as any).__demo.history.length >= n + 2, epochsAtResume, { timeout: 60_000 });
    // stop: the worker counts the batches that ended after the click (by the page's clock)
    await page.click('#stop');
    await page.waitForFunction(() => !(window as any).__demo.training, null, { timeout: 30_000 });
    const d = await demo(page);
    assert.equal(d.lastDone?.reason, 'stopped');
    assert.ok(d.lastDone!.batchesAfterStop !== null && d.lastDone!.batchesAfterStop <= 1, `batches after Stop: ${d.lastDone!.batchesAfterStop}`);
    assert.ok(d.history.length < 2000);
    assert.match((await page.textContent('#status')) ?? '', /^stopped in epoch \d+ after batch \d+ of \d+/);
    assert.equal(await page.isDisabled('#train'), false);
    assert.equal(await page.isDisabled('#stop'), true);
    assert.equal(await page.isDisabled('#continue'), false);
  });

  test('a bad setting is named and nothing starts (epochs 0)', async () => {
    const before = await demo(page);
    await page.fill('#epochs', '0');
    await page.click('#train');
    await settled(page);
    assert.match((await page.textContent('#status')) ?? '', /^epochs must be a whole number from 1 to 2000; received '0'\./);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'epochs');
    const after = await demo(page);
    assert.equal(after.training, false);
    assert.equal(after.history.length, before.history.length);
  });

  test('the gate view: grouped in the order of the equations, every row labelled, own scales with legends, clipping counted, hover reads out', async () => {
    await train(page, { task: 'sine', hidden: '8', epochs: '30', lr: '0.02', seed: '1' });
    await settled(page);
    const view = await page.evaluate(() => {
      const blocks = Array.from(document.querySelectorAll('#gates .gate-block')) as HTMLElement[];
      return {
        equations: Array.from(document.querySelectorAll('.equations p > b')).map((b) => b.textContent),
        blocks: blocks.map((b) => {
          const canvas = b.querySelector('canvas')!.getBoundingClientRect();
          return {
            gate: b.dataset.gate,
            title: b.querySelector('h3')!.textContent,
            labels: (Array.from(b.querySelectorAll('.row-label')) as HTMLElement[]).map((s) => {
              const r = s.getBoundingClientRect();
              return { text: s.textContent, mid: r.top + r.height / 2 };
            }),
            top: canvas.top,
            height: canvas.height,
            ticks: Array.from(b.querySelectorAll('.gate-legend .ticks span')).map((s) => s.textContent),
            bar: getComputedStyle(b.querySelector('.gate-legend .bar')!).backgroundImage,
            note: b.querySelector('.gate-legend small')!.textContent,
          };
        }),
      };
    });
    const order = ['f', 'i', 'g', 'c', 'o', 'h'];
    assert.deepEqual(view.equations, order, 'the equations on the page');
    assert.deepEqual(view.blocks.map((b) => b.gate), order, 'the blocks follow the equations');
    for (const b of view.blocks) {
      // one label per unit and row, centred on its row
      assert.deepEqual(b.labels.map((l) => l.text), Array.from({ length: 8 }, (_, j) => `${b.gate}${j}`));
      b.labels.forEach((l, r) => {
        const rowMid = b.top + ((r + 0.5) * b.height) / 8;
        assert.ok(Math.abs(l.mid - rowMid) <= 2, `${l.text}: label at ${l.mid}, row at ${rowMid}`);
      });
      assert.match(b.bar, /linear-gradient/);
    }
    const byGate = Object.fromEntries(view.blocks.map((b) => [b.gate, b]));
    for (const g of ['f', 'i', 'o']) assert.deepEqual(byGate[g].ticks, ['0', '0.5', '1'], `${g}: a gate, 0..1`);
    for (const g of ['g', 'h']) assert.deepEqual(byGate[g].ticks, ['−1', '0', '+1'], `${g}: tanh, −1..1`);
    // the cell state: a symmetric scale ±D of its own; the cells beyond it are counted in the legend
    const d = await demo(page);
    const G = d.gates!;
    const T = G.steps, H = G.hidden;
    const at = (g: number, j: number, t: number): number => G.values[(g * H + j) * T + t];
    const ticks = byGate.c.ticks;
    const D = Number(ticks[2]!.slice(1));
    assert.deepEqual(ticks, [`−${D}`, '0', `+${D}`]);
    const cs: number[] = [];
    for (let j = 0; j < H; j++) for (let t = 0; t < T; t++) cs.push(Math.abs(at(3, j, t)));
    const beyond = cs.filter((v) => v > D).length;
    assert.ok(beyond <= 0.02 * cs.length + 1, `${beyond} of ${cs.length} cells beyond ±${D}`);
    assert.equal(byGate.c.note, beyond > 0 ? `◥ ${beyond} beyond ±${D} (largest ${Math.max(...cs).toFixed(2)})` : `none clipped (largest ${Math.max(...cs).toFixed(2)})`);
    // hover: step, unit and value of the cell under the pointer
    const cells = page.locator('.gate-block[data-gate=o] canvas');
    const box = (await cells.boundingBox())!;
    await cells.hover({ position: { x: ((5 + 0.5) / T) * box.width, y: ((2 + 0.5) / 8) * box.height } });
    await settled(page);
    assert.equal(await page.textContent('#gate-readout'), `o output gate · unit 2 · time step 5 (reads ${G.labels[5]}): ${at(4, 2, 5).toFixed(3)}`);
    // follow one unit: every block shows that unit's row only
    await page.selectOption('#follow-unit', '3');
    await settled(page);
    assert.equal(await page.isChecked('#follow'), true);
    const followed = await page.$$eval('#gates .row-label', (els) => els.map((e) => e.textContent));
    assert.deepEqual(followed, order.map((g) => `${g}3`));
    await page.click('#follow');
    await settled(page);
    assert.equal((await page.$$eval('#gates .row-label', (els) => els.length)), 48);
  });

  test('keyboard: the controls are reachable with Tab and work from the keyboard', async () => {
    await page.focus('#task');
    const order: string[] = [];
    for (let k = 0; k < 14; k++) {
      order.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.className || ''));
      await page.keyboard.press('Tab');
    }
    for (const id of ['task', 'hidden', 'lr', 'epochs', 'seed', 'threads', 'train', 'continue', 'save', 'file']) assert.ok(order.includes(id), `${id} in the Tab order ${order.join(', ')}`);
    // Enter in a field trains (the form's submit)
    const runs = (await demo(page)).runs;
    await page.focus('#epochs');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => (window as any).__demo.runs === n + 1 && !(window as any).__demo.training && (window as any).__demo.lastDone?.epochs === 3, runs, { timeout: 120_000 });
    // a focused gate block: the arrow keys move the read-out, Enter follows the unit, Escape lets go
    await page.focus('.gate-block[data-gate=f] canvas');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await settled(page);
    assert.match((await page.textContent('#gate-readout')) ?? '', /^f forget gate · unit 1 · time step 2 \(reads -?\d\.\d\d\): -?\d\.\d{3}$/);
    await page.keyboard.press('Enter');
    await settled(page);
    assert.deepEqual(await page.$$eval('#gates .row-label', (els) => els.map((e) => e.textContent)), ['f1', 'i1', 'g1', 'c1', 'o1', 'h1']);
    await page.focus('.gate-block[data-gate=f] canvas');
    await page.keyboard.press('Escape');
    await settled(page);
    assert.equal(await page.$$eval('#gates .row-label', (els) => els.length), 48);
  });

  test('load restores everything the file holds (task, settings, history); save round-trips byte for byte; Continue resumes', async () => {
    await train(page, { task: 'symbols', hidden: '6', epochs: '4', lr: '0.03', seed: '3' });
    await page.evaluate(() => ((window as any).__demo.exported = null));
    await page.click('#save');
    await page.waitForFunction(() => (window as any).__demo.exported !== null, null, { timeout: 30_000 });
    const saved = Uint8Array.from((await demo(page)).exported as unknown as number[]);
    const file = modelFromBytes(saved);
    assert.equal(file.extra.task, 'symbols');
    assert.equal(file.training?.history.length, 4);
    assert.match(file.model.summary(), /lstm \(LSTM\)/);
    const savedHistory = (await demo(page)).history;

    // something else on show, then load the file
    await train(page, { task: 'sine', hidden: '8', epochs: '2', lr: '0.02', seed: '1' });
    await page.setInputFiles('#file', { name: 'symbols.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(saved) });
    await page.waitForFunction(() => (window as any).__demo.loaded !== null && (window as any).__demo.gates?.epoch === 4, null, { timeout: 30_000 });
    await settled(page);
    const d = await demo(page);
    assert.equal(d.loaded!.task, 'symbols');
    assert.equal(d.loaded!.taskSource, 'file');
    assert.deepEqual(
      { task: await page.inputValue('#task'), hidden: await page.inputValue('#hidden'), lr: await page.inputValue('#lr'), epochs: await page.inputValue('#epochs'), seed: await page.inputValue('#seed') },
      { task: 'symbols', hidden: '6', lr: '0.03', epochs: '4', seed: '3' },
    );
    assert.deepEqual(d.history, savedHistory);
    assert.equal(d.metric.name, 'accuracy');
    assert.equal(d.metric.values.length, 4);
    assert.equal(d.gates!.hidden, 6);
    assert.match((await page.textContent('#status')) ?? '', /^loaded symbols\.safetensors: symbols, 6 hidden units, 4 epochs trained, history restored$/);
    assert.match((await page.textContent('#gates-title')) ?? '', /after epoch 4/);
    assert.match((await page.textContent('#summary')) ?? '', /\(None, 24, 6\)/);
    assert.equal(await page.isDisabled('#continue'), false);

    // saving what was loaded writes the same file
    await page.evaluate(() => ((window as any).__demo.exported = null));
    await page.click('#save');
    await page.waitForFunction(() => (window as any).__demo.exported !== null, null, { timeout: 30_000 });
    const again = Uint8Array.from((await demo(page)).exported as unknown as number[]);
    assert.equal(Buffer.compare(Buffer.from(again), Buffer.from(saved)), 0, 'save after load writes the same bytes');

    // Continue: two more epochs, numbered on from the file's
    await page.fill('#epochs', '2');
    await page.click('#continue');
    await page.waitForFunction(() => !(window as any).__demo.training && (window as any).__demo.lastDone !== null, null, { timeout: 120_000 });
    assert.deepEqual((await demo(page)).history.map((l) => l.epoch), [1, 2, 3, 4, 5, 6]);
  });

  test('load: a model from elsewhere is shown on the task that fits it; a file that is no model is refused, the page unchanged', async () => {
    const foreign = new Sequential({ lstm: new LSTM({ inputSize: 1, hiddenSize: 5, seed: 2 }), head: new Dense({ inputSize: 5, outputSize: 1, seed: 3 }) });
    await page.selectOption('#task', 'co2');
    await page.setInputFiles('#file', { name: 'foreign.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(foreign.toBytes()) });
    await page.waitForFunction(() => (window as any).__demo.loaded?.taskSource === 'inferred' && (window as any).__demo.gates?.hidden === 5, null, { timeout: 30_000 });
    const d = await demo(page);
    assert.equal(d.loaded!.task, 'co2');
    assert.deepEqual(d.history, []);
    assert.equal(d.metric.name, 'MASE');
    assert.equal(d.metric.values.length, 1, 'the metric of the model as it is');
    assert.match((await page.textContent('#status')) ?? '', /^loaded foreign\.safetensors: Mauna Loa CO₂, 5 hidden units, no training history in the file$/);
    assert.match((await page.textContent('#progress')) ?? '', /does not say which task/);
    assert.equal(await page.isDisabled('#continue'), true);

    await page.setInputFiles('#file', { name: 'notes.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('id,t,x\n1,0,0.5\n') });
    await page.waitForFunction(() => (window as any).__demo.lastError !== '', null, { timeout: 30_000 });
    assert.match((await page.textContent('#status')) ?? '', /^error: .*safetensors/);
    const after = await demo(page);
    assert.equal(after.gates!.hidden, 5, 'the model on show is still the foreign one');
    assert.equal(await page.inputValue('#hidden'), '5');
  });

  test('threads only where they measure faster: a probe times both and keeps the faster', async () => {
    const d = await train(page, { task: 'sine', hidden: '64', epochs: '1', threads: 'auto', seed: '1' });
    const plan = d.threads!;
    assert.ok(plan.probe !== null, `probed: ${JSON.stringify(plan)}`);
    const entries = Object.entries(plan.probe!).map(([k, ms]) => [Number(k), ms] as const);
    assert.equal(entries.length, 2);
    const faster = entries.reduce((a, b) => (b[1] < a[1] ? b : a))[0];
    assert.equal(plan.threads, faster, JSON.stringify(plan));
    assert.match((await page.textContent('#kernel')) ?? '', /ms per batch/);
  });

  test('responsive: no horizontal overflow at 1024, 390 and 360 px; screenshots', async () => {
    await train(page, { task: 'symbols', hidden: '8', epochs: '3', seed: '1', threads: 'auto' });
    for (const width of [1024, 390, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await settled(page);
      const r = await page.evaluate(() => {
        const vw = document.documentElement.clientWidth;
        const outside = (Array.from(document.querySelectorAll('main *')) as HTMLElement[])
          .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().right > vw + 0.5 && !e.closest('details:not([open])'))
          .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
        return { scroll: document.documentElement.scrollWidth, vw, outside: outside.slice(0, 5) };
      });
      assert.ok(r.scroll <= r.vw, `${width} px: page is ${r.scroll} px wide`);
      assert.deepEqual(r.outside, [], `${width} px: elements past the right edge`);
      const task = (await page.locator('#task').boundingBox())!;
      assert.ok(task.x >= 0 && task.x + task.width <= width, `${width} px: the task menu at ${task.x}..${task.x + task.width}`);
      if (width !== 360) await page.screenshot({ path: `test-artifacts/web-${width}.png`, fullPage: true });
    }
    await page.setViewportSize({ width: 1400, height: 1000 });
  });

  test('the console shows no errors', () => {
    assert.deepEqual(problems, []);
  });
});
