// Chooses the character language model's fusion weights (HANDWRITING_LM.weight α and .bonus β in
// packages/longshort/src/handwriting/lm.ts) on the VALIDATION set — training fonts writing test
// words, never the held-out fonts — for a trained model: a grid of α × β, beam 16, the character
// model built from the lexicon as `handwriting eval` builds it. Also times the search with and
// without pruning (HANDWRITING_LM.prune) at the defaults and counts the readings that differ.
// Prints a Markdown table for docs/handwriting.md.
//
// Rerun: node --import tsx scripts/handwriting/tune-lm.ts [model] [N validation examples = 400]

import { HANDWRITING_LM, HANDWRITING_SEEDS, encodeExample, evaluateHandwriting, fontsOfSplit, handwritingCharLM, handwritingConfigFromExtra, loadModelFile, splitWords, synthesizeExample } from 'longshort';
import { DEFAULT_LEXICON, DEFAULT_MODEL, loadHersheyFonts, loadWordList, repoFile } from '../../packages/longshort-cli/src/cli/handwriting-data.js';

const modelPath = process.argv[2] ?? repoFile(DEFAULT_MODEL);
const n = Number(process.argv[3] ?? 400);
const { model, extra } = await loadModelFile(modelPath);
const config = handwritingConfigFromExtra(extra);
const lexicon = loadWordList(repoFile(DEFAULT_LEXICON));
let t0 = performance.now();
const lm = handwritingCharLM(lexicon, config.alphabet);
console.log(`character model: order ${HANDWRITING_LM.order}, ${HANDWRITING_LM.texts} texts, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const fonts = loadHersheyFonts(fontsOfSplit('train').map((f) => f.id));
const words = splitWords(lexicon).test;
const val = Array.from({ length: n }, (_, i) =>
  encodeExample(synthesizeExample({ fonts, words, seed: HANDWRITING_SEEDS.validation }, i), { spacing: config.spacing, stack: config.stack }, config.alphabet),
);
const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;
const beamWidth = HANDWRITING_LM.beamWidth;
const plain = evaluateHandwriting(model, config, val, { beamWidth });
console.log(`\n${n} validation examples (training fonts, test words); beam ${beamWidth} without the model: CER ${pct(plain.cer)}, WER ${pct(plain.wer)}\n`);
const alphas = [0.3, 0.4, 0.5, 0.6, 0.8];
const betas = [0, 1, 2, 3, 4];
console.log(`| α \\ β | ${betas.join(' | ')} |`);
console.log(`|---|${betas.map(() => '---:').join('|')}|`);
let best = { a: 0, b: 0, cer: Infinity };
for (const a of alphas) {
  const cells: string[] = [];
  for (const b of betas) {
    const r = evaluateHandwriting(model, config, val, { beamWidth, lm, lmWeight: a, lengthBonus: b });
    cells.push(pct(r.cer));
    if (r.cer < best.cer - 1e-12) best = { a, b, cer: r.cer };
  }
  console.log(`| ${a} | ${cells.join(' | ')} |`);
}
console.log(`\nbest on validation: α ${best.a}, β ${best.b} (CER ${pct(best.cer)}); HANDWRITING_LM has α ${HANDWRITING_LM.weight}, β ${HANDWRITING_LM.bonus}`);

// pruning: the library prunes at HANDWRITING_LM.prune; the same search without it, for comparison
const { fusedBeamSearch, makeShard, decodeLabels } = await import('longshort');
const { logSoftmaxRows } = await import('../../packages/longshort/src/kernels/ref/ctc.js');
t0 = performance.now();
const pruned = evaluateHandwriting(model, config, val, { beamWidth, lm });
const tPruned = performance.now() - t0;
t0 = performance.now();
const full: string[] = new Array(n);
for (let s = 0; s < n; s += 64) {
  const shard = makeShard(val, Array.from({ length: Math.min(64, n - s) }, (_, k) => s + k));
  const logits = model.call(shard.x, { training: false, lengths: shard.lengths });
  const [, Tmax, C] = logits.shape;
  shard.index.forEach((i: number, k: number) => {
    const T = shard.lengths[k];
    const lp = new Float64Array(T * C);
    logSoftmaxRows(lp, logits.data, k * Tmax * C, C, T, C);
    const h = fusedBeamSearch(lp, T, C, { beamWidth, scorer: lm, lmWeight: HANDWRITING_LM.weight, lengthBonus: HANDWRITING_LM.bonus });
    full[i] = decodeLabels(h[0].labels, config.alphabet);
  });
}
const tFull = performance.now() - t0;
const differ = full.filter((t, i) => t !== pruned.hyps[i]).length;
console.log(`pruning at ${HANDWRITING_LM.prune}: ${(tPruned / 1000).toFixed(1)} s against ${(tFull / 1000).toFixed(1)} s unpruned; ${differ} of ${n} readings differ`);
