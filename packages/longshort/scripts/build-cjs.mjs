// The CommonJS entry: turns the ES modules that tsc wrote to dist/ into CommonJS modules under
// dist/cjs/ (same file names; dist/cjs/package.json says "type": "commonjs"), one file per module,
// so that `require('longshort')` works on every Node 20 and each file keeps its own location:
// `import.meta.url` becomes the file's own URL, which the WebAssembly loader and the thread pool use
// to find build/wasm/ and their worker script. The declaration files are copied beside them; in a
// CommonJS folder TypeScript reads them as CommonJS declarations.
// Also copies the repository's README.md and LICENSE into the package for npm.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(pkg, 'dist');
const out = join(dist, 'cjs');
rmSync(out, { recursive: true, force: true });

function* walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (p !== out) yield* walk(p);
    } else yield p;
  }
}

let modules = 0;
for (const file of walk(dist)) {
  const target = join(out, relative(dist, file));
  if (file.endsWith('.js')) {
    mkdirSync(dirname(target), { recursive: true });
    const { code } = transformSync(readFileSync(file, 'utf8'), {
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      define: { 'import.meta.url': '__importMetaUrl' },
      banner: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    });
    writeFileSync(target, code);
    modules++;
  } else if (file.endsWith('.d.ts')) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
}
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
for (const f of ['README.md', 'LICENSE']) {
  const from = join(pkg, '..', '..', f);
  if (existsSync(from)) copyFileSync(from, join(pkg, f));
}
console.log(`build-cjs: wrote ${modules} CommonJS modules to dist/cjs/`);
