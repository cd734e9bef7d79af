// Copies the repository's bundled data/ (CO₂, Seattle weather, the Lincoln messages, and the README
// that gives their sources and licences) into this package, so the published command line carries the
// data its examples, `--help` texts and experiments use. The copy is a build output (.gitignore).
import { cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(pkg, '..', '..', 'data');
if (existsSync(from)) cpSync(from, join(pkg, 'data'), { recursive: true });
