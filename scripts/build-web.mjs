// Builds the browser pieces with esbuild:
//   web/dist/longshort.js   the library as one ES module, from the package's browser entry (no Node
//                           built-ins: the build fails if any creeps in); pages and tests import it
//   web/dist/               the demo page: main.js, worker.js, the WebAssembly kernels, the CO₂ data
//   web/dist/g2p/           the grapheme-to-phoneme page and the shipped model (packages/longshort-cli/models/g2p-cmudict.safetensors)
// The page imports 'longshort' like any user's code: through the workspace link to packages/longshort,
// whose built dist/ (npm ci builds it) the package's "browser" export condition selects.
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
const lib = join(root, 'packages', 'longshort');
await build({ ...common, stdin: { contents: "export * from 'longshort';", resolveDir: root }, outfile: join(out, 'longshort.js') });
await build({ ...common, entryPoints: { main: join(root, 'web', 'src', 'main.ts'), worker: join(root, 'web', 'src', 'worker.ts'), 'pool-worker': join(root, 'web', 'src', 'pool-worker.ts') }, outdir: out });

for (const f of ['index.html', 'style.css']) copyFileSync(join(root, 'web', f), join(out, f));
// the threads builds run over shared memory on the (cross-origin isolated) demo page, so layers keep their arrays in place
for (const f of ['longshort-simd.wasm', 'longshort-relaxed.wasm', 'longshort-threads-simd.wasm', 'longshort-threads-relaxed.wasm']) {
  const p = join(lib, 'build', 'wasm', f);
  if (existsSync(p)) copyFileSync(p, join(out, f));
}
// the G2P page (web/g2p/): its script, page and styles, and the shipped model of the command line
mkdirSync(join(out, 'g2p'), { recursive: true });
await build({ ...common, entryPoints: { main: join(root, 'web', 'g2p', 'main.ts') }, outdir: join(out, 'g2p') });
for (const f of ['index.html', 'g2p.css']) copyFileSync(join(root, 'web', 'g2p', f), join(out, 'g2p', f));
const g2pModel = join(root, 'packages', 'longshort-cli', 'models', 'g2p-cmudict.safetensors');
if (existsSync(g2pModel)) copyFileSync(g2pModel, join(out, 'g2p', 'model.safetensors'));
else console.warn('build-web: packages/longshort-cli/models/g2p-cmudict.safetensors is missing; the G2P page will say so');
const rows = parse(readFileSync(join(root, 'data', 'co2-concentration.csv'), 'utf8'), { columns: true });
const co2 = rows.map((r) => Number(r.CO2)).filter((v) => Number.isFinite(v));
writeFileSync(join(out, 'co2.json'), JSON.stringify(co2));
console.log(`build-web: wrote web/dist/ (${co2.length} CO₂ months)`);

// The handwriting page (web/handwriting/), built by its own script into web/dist/handwriting/.
await import('./handwriting/build-web.mjs');

// The speech page (web/speech/ → web/dist/speech/; docs/speech.md).
const { buildSpeechPage } = await import('./speech/build-web.mjs');
await buildSpeechPage(root);
