// Builds the browser pieces with esbuild:
//   dist/browser/longshort.js   the core library as one ES module (no Node built-ins: the build fails if any creeps in)
//   web/dist/                   the demo page: main.js, worker.js, the WebAssembly kernels, the CO₂ data
// Run by `npm run web` and by the browser tests.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'web', 'dist');
mkdirSync(out, { recursive: true });

const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: [join(root, 'src', 'index.ts')], outfile: join(root, 'dist', 'browser', 'longshort.js') });
await build({ ...common, entryPoints: { main: join(root, 'web', 'src', 'main.ts'), worker: join(root, 'web', 'src', 'worker.ts'), 'pool-worker': join(root, 'web', 'src', 'pool-worker.ts') }, outdir: out });

for (const f of ['index.html', 'style.css']) copyFileSync(join(root, 'web', f), join(out, f));
// the library bundle is served too, so a page (and the browser tests) can import it directly
copyFileSync(join(root, 'dist', 'browser', 'longshort.js'), join(out, 'longshort.js'));
// the threads builds run over shared memory on the (cross-origin isolated) demo page, so layers keep their arrays in place
for (const f of ['longshort-simd.wasm', 'longshort-relaxed.wasm', 'longshort-threads-simd.wasm', 'longshort-threads-relaxed.wasm']) {
  const p = join(root, 'build', 'wasm', f);
  if (existsSync(p)) copyFileSync(p, join(out, f));
}
const rows = parse(readFileSync(join(root, 'data', 'co2-concentration.csv'), 'utf8'), { columns: true });
const co2 = rows.map((r) => Number(r.CO2)).filter((v) => Number.isFinite(v));
writeFileSync(join(out, 'co2.json'), JSON.stringify(co2));
console.log(`build-web: wrote dist/browser/longshort.js and web/dist/ (${co2.length} CO₂ months)`);
