// What a user gets from npm, proven from the packed tarballs: `npm pack` both packages and the
// per-platform native packages, install them offline into empty projects (./consumer-lock.ts pins
// every dependency to the repository's lock; npm installs the native package of this platform, if
// any, and skips the others), then use them the ways users do — ESM import and one forward pass on
// the kernels `auto` picks (native on linux-x64/arm64 with glibc, else WebAssembly), CommonJS
// require, TypeScript under moduleResolution node16, bundler and node10, an esbuild browser bundle of
// one LSTM (gzip size asserted), and the installed `longshort` command. Prints the install sizes the
// README quotes. `npm test` builds the packages first; packing here skips the scripts so the test
// checks what that build produced.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { writeConsumerProject, type Tarball } from './consumer-lock.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
const node = (args: string[], cwd: string) => spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
/** The per-platform native packages (optional dependencies of the library) and the one npm installs here, if any. */
const NATIVE = ['linux-x64-gnu', 'linux-arm64-gnu'].map((key) => `longshort-native-${key}`);
const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime !== undefined;
const nativeHere = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64') && glibc ? `longshort-native-linux-${process.arch}-gnu` : null;
/** The family getKernels('auto') returns in an installed project: the native kernel where its package installs, else WebAssembly. */
const AUTO = nativeHere !== null ? 'native' : 'wasm';
/** Disk use of a folder in KiB, as `du -sk` reports it. */
const duKiB = (dir: string): number => Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]);

let work = '';
let lib: Tarball;
let cli: Tarball;
let natives: Tarball[];

function project(name: string, tarballs: Tarball[], extra: Record<string, unknown> = {}): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const t of tarballs) copyFileSync(t.file, join(dir, t.file.split('/').pop()!));
  writeConsumerProject(dir, tarballs, join(REPO, 'package-lock.json'), extra);
  const r = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // nothing a user would have to interpret about the platform packages (npm skips the other CPUs silently)
  assert.doesNotMatch(r.stdout + r.stderr, /longshort-native|EBADPLATFORM|notsup|SKIPPING/i, r.stdout + r.stderr);
  return dir;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'longshort-consumer-'));
  const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work, '--workspace', 'packages/longshort', '--workspace', 'packages/longshort-cli'], REPO)) as { name: string; filename: string }[];
  const file = (name: string) => join(work, packed.find((p) => p.name === name)!.filename);
  lib = { file: file('longshort'), workspace: 'packages/longshort', name: 'longshort' };
  cli = { file: file('longshort-cli'), workspace: 'packages/longshort-cli', name: 'longshort-cli' };
  // not workspaces (npm refuses a workspace for another CPU): packed by folder
  const packedNative = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work, ...NATIVE.map((n) => `./packages/${n}`)], REPO)) as { name: string; filename: string }[];
  natives = NATIVE.map((name) => ({ file: join(work, packedNative.find((p) => p.name === name)!.filename), workspace: `packages/${name}`, name, optional: true }));
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('the library, installed from its tarball', () => {
  let dir = '';
  before(() => {
    dir = project('lib', [lib, ...natives]);
  });

  test('npm installed the native package of this platform and no other', () => {
    const installed = readdirSync(join(dir, 'node_modules')).filter((n) => n.startsWith('longshort-native-'));
    assert.deepEqual(installed, nativeHere === null ? [] : [nativeHere]);
  });

  test('install size (du of node_modules) is at most 8 MB', () => {
    const kib = duKiB(join(dir, 'node_modules'));
    console.log(`# library install: ${(kib / 1024).toFixed(1)} MiB in node_modules`);
    assert.ok(kib <= 8 * 1024, `${kib} KiB`);
  });

  test(`ESM: import, one forward pass on the kernels 'auto' picks here (${AUTO})`, () => {
    writeFileSync(join(dir, 'esm.mjs'), `
      import { LSTM, Tensor, getKernels } from 'longshort';
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
      const { output } = lstm.forward(new Tensor(new Float32Array(2 * 5 * 3).fill(0.5), [2, 5, 3]));
      console.log(JSON.stringify({ kernels: getKernels('auto').name, shape: output.shape, finite: output.data.every(Number.isFinite) }));
    `);
    const r = node(['esm.mjs'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { kernels: AUTO, shape: [2, 5, 4], finite: true });
  });

  test('ESM: the WebAssembly kernels from the tarball load and compute (not the reference fallback), and agree with native/ref', () => {
    writeFileSync(join(dir, 'esm-wasm.mjs'), `
      import { LSTM, Tensor, getKernels, kernelsOf } from 'longshort';
      const x = new Tensor(new Float32Array(2 * 5 * 3).map((_, k) => Math.sin(k)), [2, 5, 3]);
      const run = (kernels) => {
        const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1, kernels });
        return { owner: kernelsOf(lstm.params()[0].value).name, y: Array.from(lstm.forward(x).output.data) };
      };
      const w = run('wasm'), r = run('ref');
      const diff = Math.max(...w.y.map((v, k) => Math.abs(v - r.y[k])));
      console.log(JSON.stringify({ wasm: getKernels('wasm').name, owner: w.owner, close: diff < 1e-5 }));
    `);
    const r = node(['esm-wasm.mjs'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { wasm: 'wasm', owner: 'wasm', close: true });
  });

  test('CommonJS: require gives the same library and the same numbers', () => {
    writeFileSync(join(dir, 'cjs.cjs'), `
      const { LSTM, Tensor, getKernels } = require('longshort');
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
      const { output } = lstm.forward(new Tensor(new Float32Array(2 * 5 * 3).fill(0.5), [2, 5, 3]));
      console.log(JSON.stringify({ kernels: getKernels('auto').name, y: Array.from(output.data.slice(0, 4)) }));
    `);
    writeFileSync(join(dir, 'esm-y.mjs'), `
      import { LSTM, Tensor } from 'longshort';
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
      const { output } = lstm.forward(new Tensor(new Float32Array(2 * 5 * 3).fill(0.5), [2, 5, 3]));
      console.log(JSON.stringify(Array.from(output.data.slice(0, 4))));
    `);
    const c = node(['cjs.cjs'], dir);
    assert.equal(c.status, 0, c.stderr);
    const e = node(['esm-y.mjs'], dir);
    const cj = JSON.parse(c.stdout) as { kernels: string; y: number[] };
    assert.equal(cj.kernels, AUTO);
    assert.deepEqual(cj.y, JSON.parse(e.stdout));
  });

  for (const [resolution, module] of [['node16', 'node16'], ['bundler', 'esnext'], ['node10', 'commonjs']] as const) {
    test(`TypeScript finds the types under moduleResolution ${resolution}`, () => {
      const src = join(dir, `ts-${resolution}`);
      mkdirSync(src);
      // A type error on purpose proves the types are real (not any): the check must report exactly it.
      writeFileSync(join(src, 'main.ts'), [
        "import { LSTM, Tensor, type LSTMOptions } from 'longshort';",
        "import { getKernels } from 'longshort/core';",
        'const o: LSTMOptions = { inputSize: 2, hiddenSize: 3 };',
        'const y: Tensor = new LSTM(o).forward(new Tensor(new Float32Array(6), [1, 3, 2])).output;',
        "const n: number = getKernels('auto').name;",
        'export { y, n };',
      ].join('\n'));
      writeFileSync(join(src, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module, moduleResolution: resolution, target: 'es2022', skipLibCheck: false, types: [] , lib: ['es2022', 'dom'] },
        files: ['main.ts'],
      }));
      const r = node([TSC, '-p', src], dir);
      const errors = r.stdout.split('\n').filter((l) => l.includes('error TS'));
      assert.equal(errors.length, 1, r.stdout);
      assert.match(errors[0], /main\.ts\(5,7\): error TS2322: Type '.*' is not assignable to type 'number'/);
    });
  }

  test('an esbuild browser bundle of one LSTM is under 15 KB gzipped', async () => {
    writeFileSync(join(dir, 'one-lstm.js'), "import { LSTM } from 'longshort';\nexport const lstm = new LSTM({ inputSize: 8, hiddenSize: 16 });\n");
    const r = await build({ entryPoints: [join(dir, 'one-lstm.js')], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, absWorkingDir: dir, logLevel: 'silent' });
    const bytes = r.outputFiles[0].contents;
    assert.ok(!/node:/.test(Buffer.from(bytes).toString('utf8')), 'no Node built-ins in a browser bundle');
    const gz = gzipSync(bytes, { level: 9 }).length;
    console.log(`# browser bundle of one LSTM: ${(bytes.length / 1024).toFixed(1)} KiB minified, ${(gz / 1024).toFixed(1)} KiB gzipped`);
    assert.ok(gz < 15 * 1024, `${gz} bytes gzipped`);
  });
});

describe('the command line, installed from its tarball', () => {
  let dir = '';
  before(() => {
    dir = project('cli', [lib, cli, ...natives]);
  });

  test('install size (du of node_modules), printed for the README', () => {
    const kib = duKiB(join(dir, 'node_modules'));
    console.log(`# command-line install (with the library): ${(kib / 1024).toFixed(1)} MiB in node_modules`);
    assert.ok(kib > 0);
  });

  test(`npx longshort --help lists the commands; info runs the kernels 'auto' picks here (${AUTO})`, () => {
    const help = spawnSync('npx', ['--offline', 'longshort', '--help'], { cwd: dir, encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    for (const c of ['forecast', 'train', 'predict', 'text', 'convert']) assert.match(help.stdout, new RegExp(`\\n  ${c}\\b`));
    const info = spawnSync(join(dir, 'node_modules', '.bin', 'longshort'), ['info', '--json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    const j = JSON.parse(info.stdout) as { kernels: { selected: string }; wasm: { detail: string } };
    assert.equal(j.kernels.selected, AUTO);
  });

  test('a real command: forecast the CO₂ data the package ships, and read the model back with the library', () => {
    const data = join(dir, 'node_modules', 'longshort-cli', 'data', 'co2-concentration.csv');
    const out = join(dir, 'fc');
    const r = spawnSync(join(dir, 'node_modules', '.bin', 'longshort'), ['forecast', data, '--target', 'CO2', '--date', 'Date', '--horizon', '12', '--missing', 'interpolate', '--epochs', '2', '--hidden', '8', '--out', out, '--json', '--quiet'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { command: string; overall: { model: { mase: number } } };
    assert.equal(j.command, 'forecast');
    assert.ok(Number.isFinite(j.overall.model.mase));
    writeFileSync(join(dir, 'load.mjs'), `import { loadModel } from 'longshort'; const m = await loadModel(${JSON.stringify(join(out, 'model.safetensors'))}); console.log(m.params().length);`);
    const l = node(['load.mjs'], dir);
    assert.equal(l.status, 0, l.stderr);
    assert.ok(Number(l.stdout) > 0);
    assert.ok(readFileSync(join(out, 'forecast.png')).length > 1000);
  });
});
