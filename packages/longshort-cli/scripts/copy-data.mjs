// Copies the repository's bundled data/ (CO₂, Seattle weather, the Lincoln messages, and the README
// that gives their sources and licences) into this package, so the published command line carries the
// data its examples, `--help` texts and experiments use; and the repository's README.md and LICENSE
// for npm. The copies are build outputs (.gitignore).
import { copyFileSync, cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(pkg, '..', '..', 'data');
if (existsSync(from)) cpSync(from, join(pkg, 'data'), { recursive: true });
for (const f of ['README.md', 'LICENSE']) {
  const p = join(pkg, '..', '..', f);
  if (existsSync(p)) copyFileSync(p, join(pkg, f));
}
