// Writes data/handwriting/heldout-sample.jsonl: the first N examples (default 120) of the held-out
// test set — the test fonts (EMSAllure, EMSTech) writing the lexicon's test words, generated with
// HANDWRITING_SEEDS.test exactly as `longshort handwriting eval` generates them — with coordinates
// rounded to 0.1 px and times to 1 ms. The tests score the shipped model on it and replay it in
// the browser; docs/handwriting.md quotes the model's error rates on it.
//
// Rerun: node --import tsx scripts/handwriting/make-sample.ts [N]

import { writeFileSync } from 'node:fs';
import { HANDWRITING_SEEDS, fontsOfSplit, splitWords, synthesizeExample } from 'longshort';
import { DEFAULT_LEXICON, loadHersheyFonts, loadWordList, repoFile } from '../../packages/longshort-cli/src/cli/handwriting-data.js';

const N = Number(process.argv[2] ?? 120);
const fonts = loadHersheyFonts(fontsOfSplit('test').map((f) => f.id));
const words = splitWords(loadWordList(repoFile(DEFAULT_LEXICON))).test;
const r1 = (v: number): number => Math.round(v * 10) / 10;
const lines: string[] = [];
for (let i = 0; i < N; i++) {
  const e = synthesizeExample({ fonts, words, seed: HANDWRITING_SEEDS.test }, i);
  lines.push(JSON.stringify({ text: e.text, font: e.font, strokes: e.ink.map((s) => s.map((p) => [r1(p.x), r1(p.y), Math.round(p.t)])) }));
}
writeFileSync('data/handwriting/heldout-sample.jsonl', lines.join('\n') + '\n');
console.log(`make-sample: wrote data/handwriting/heldout-sample.jsonl (${N} examples)`);
