// Makes data/cmudict-g014b2b-test-words.txt: the distinct head words (first tab-separated column)
// of a CMUdict test file in Phonetisaurus' format (g014b2b.test: WORD<TAB>PHONEMES…), upper-cased,
// sorted in the C locale, one per line. See data/README.md for where the list came from.
// Usage: node scripts/g2p/test-words.mjs path/to/g014b2b.test > data/cmudict-g014b2b-test-words.txt
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node scripts/g2p/test-words.mjs g014b2b.test > data/cmudict-g014b2b-test-words.txt');
  process.exit(1);
}
const words = new Set();
for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
  const w = line.split('\t')[0].trim().toUpperCase();
  if (w !== '') words.add(w);
}
const sorted = [...words].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
process.stdout.write(sorted.join('\n') + '\n');
