import { THREADS_OPTION, kernelLabel } from '../training.js';
// `longshort handwriting train | eval | read | synth`: online handwriting recognition with a
// bidirectional LSTM and CTC (docs/handwriting.md). Argument parsing, progress and files only; the
// synthesis, features, model, training loop and decoding live in src/handwriting/.
//
//   longshort handwriting train --out models/handwriting.safetensors   (the shipped model, ~53 min here on the native kernel)
//   longshort handwriting eval [MODEL]                                 (CER / WER on the held-out fonts)
//   longshort handwriting read strokes.json [--model M] [--top 5]     (JSON strokes or InkML)
//   longshort handwriting synth "hello world" --font EMSTech --out strokes.json

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, Output, ensureDir, floatOption, intOption, requireFile, table } from '../util.js';
import { DEFAULT_LEXICON, DEFAULT_MODEL, loadHersheyFonts, loadWordList, repoFile } from '../handwriting-data.js';
import type { EncodedExample, HandwritingConfig, HandwritingEpochLog, Lexicon, NgramLM, Sequential } from 'longshort';
import { dirname } from 'node:path';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

async function lib() {
  return import('longshort');
}

interface DataOpts {
  lexicon?: string;
  seed: number;
}

/** The lexicon's words (default: the committed 20k list). */
function lexiconWords(path: string | undefined): string[] {
  const p = path ?? repoFile(DEFAULT_LEXICON);
  requireFile(p, 'lexicon');
  return loadWordList(p);
}

/** Encoded examples start … start+count−1 of a set, with a progress line for big sets. */
async function makeSet(
  which: 'train' | 'validation' | 'test', count: number, words: string[], config: HandwritingConfig, out: Output, seedOffset = 0, start = 0, augment = false,
): Promise<EncodedExample[]> {
  const ls = await lib();
  const fonts = loadHersheyFonts(ls.fontsOfSplit(which === 'test' ? 'test' : 'train').map((f) => f.id));
  const opts = { fonts, words, seed: ls.HANDWRITING_SEEDS[which] + seedOffset, augment };
  const enc: EncodedExample[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const e = ls.synthesizeExample(opts, start + i);
    enc.push(ls.encodeExample(e, { spacing: config.spacing, stack: config.stack }, config.alphabet));
    if (count >= 5000 && (i + 1) % 5000 === 0) out.log(`  ${which}: ${i + 1}/${count} examples (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  return enc;
}

interface Scores {
  greedy: { cer: number; wer: number; byFont: Record<string, { cer: number; wer: number; examples: number }> };
  beam: { width: number; cer: number; wer: number };
  /** Beam search fused with the character language model (no lexicon). */
  lm: { width: number; order: number; cer: number; wer: number } | null;
  lexicon: { width: number; forms: number; cer: number; wer: number } | null;
  examples: number;
}

async function scoreAll(
  model: Sequential, config: HandwritingConfig, test: EncodedExample[], beam: number, lm: NgramLM | null, lexicon: Lexicon | null, lexiconBeam: number,
): Promise<Scores> {
  const ls = await lib();
  const g = ls.evaluateHandwriting(model, config, test);
  const byFont: Scores['greedy']['byFont'] = {};
  for (const font of [...new Set(test.map((e) => e.font ?? ''))].filter((f) => f !== '').sort()) {
    const idx = test.flatMap((e, i) => (e.font === font ? [i] : []));
    const r = ls.handwritingErrorRates(idx.map((i) => g.hyps[i]), idx.map((i) => test[i].text));
    byFont[font] = { cer: r.cer, wer: r.wer, examples: r.examples };
  }
  const b = ls.evaluateHandwriting(model, config, test, { beamWidth: beam });
  const lmWidth = ls.HANDWRITING_LM.beamWidth;
  const f = lm === null ? null : ls.evaluateHandwriting(model, config, test, { beamWidth: lmWidth, lm });
  const l = lexicon === null ? null : ls.evaluateHandwriting(model, config, test, { beamWidth: beam, lexicon, lexiconBeamWidth: lexiconBeam });
  return {
    greedy: { cer: g.cer, wer: g.wer, byFont },
    beam: { width: beam, cer: b.cer, wer: b.wer },
    lm: f === null ? null : { width: lmWidth, order: lm!.order, cer: f.cer, wer: f.wer },
    lexicon: l === null ? null : { width: lexiconBeam, forms: lexicon!.size, cer: l.cer, wer: l.wer },
    examples: test.length,
  };
}

function printScores(out: Output, s: Scores, what: string): void {
  const rows: (string | number)[][] = [['decoder', 'CER', 'WER']];
  rows.push(['greedy (best path)', pct(s.greedy.cer), pct(s.greedy.wer)]);
  for (const [font, r] of Object.entries(s.greedy.byFont)) rows.push([`  greedy, ${font} only (${r.examples})`, pct(r.cer), pct(r.wer)]);
  rows.push([`beam ${s.beam.width}`, pct(s.beam.cer), pct(s.beam.wer)]);
  if (s.lm) rows.push([`beam ${s.lm.width} + character ${s.lm.order}-gram model`, pct(s.lm.cer), pct(s.lm.wer)]);
  if (s.lexicon) rows.push([`beam ${s.lexicon.width} + lexicon (${s.lexicon.forms} forms)`, pct(s.lexicon.cer), pct(s.lexicon.wer)]);
  out.print(`${what}, ${s.examples} examples:`);
  out.print(table(rows));
}

interface TrainOpts extends DataOpts {
  out: string;
  trainSize: number;
  valSize: number;
  testSize: number;
  hidden: number;
  layers: number;
  dropout: number;
  spacing: number;
  stack: number;
  epochs: number;
  batchSize: number;
  lr: number;
  lrDecay: number;
  beam: number;
  lexiconBeam: number;
  maxMinutes?: number;
  threads: number;
  dictionary: boolean;
  augment?: boolean;
  json?: boolean;
  quiet?: boolean;
}

interface EvalOpts {
  lexicon?: string | false;
  lm?: boolean;
  testSize: number;
  beam: number;
  lexiconBeam: number;
  sample?: string;
  json?: boolean;
}

interface ReadOpts {
  model?: string;
  lm?: boolean;
  beam: number;
  lexiconBeam: number;
  top: number;
  lexicon?: string | false;
  json?: boolean;
}

export function register(program: Command): void {
  const hw = program
    .command('handwriting')
    .description('online handwriting recognition: pen strokes → text with a bidirectional LSTM + CTC (synthetic many-writer ink from the Hershey fonts)');

  hw.command('train')
    .description('train on synthetic ink from the training fonts; report CER/WER on the held-out fonts (never trained on)')
    .option('--out <model>', 'write the model here (after every epoch and at the end)', 'out/handwriting/model.safetensors')
    .option('--train-size <n>', 'training examples (synthesised once)', intOption('--train-size'), 40000)
    .option('--val-size <n>', 'validation examples (training fonts, test words) scored after each epoch (0 = none)', intOption('--val-size', 0), 200)
    .option('--test-size <n>', 'held-out-font examples scored at the end', intOption('--test-size'), 1000)
    .option('--hidden <n>', 'LSTM hidden size per direction', intOption('--hidden'), 128)
    .option('--layers <n>', 'stacked bidirectional LSTM layers', intOption('--layers'), 3)
    .option('--dropout <p>', 'dropout between LSTM layers', floatOption('--dropout', 0, 0.9), 0.2)
    .option('--spacing <x>', 'resampling step of the ink (normalised height units)', floatOption('--spacing', 0, 2, true), 0.2)
    .option('--stack <n>', 'points per frame (subsampling)', intOption('--stack'), 3)
    .option('--epochs <n>', 'passes over the training examples', intOption('--epochs'), 8)
    .option('--batch-size <n>', 'inks per batch', intOption('--batch-size'), 16)
    .option('--lr <x>', 'Adam learning rate', floatOption('--lr', 0, 1, true), 3e-3)
    .option('--lr-decay <x>', 'learning rate × this after each epoch', floatOption('--lr-decay', 0, 1, true), 0.8)
    .option('--beam <n>', 'beam width for the final scores', intOption('--beam', 2), 8)
    .option('--lexicon-beam <n>', 'beam width of the lexicon-constrained search', intOption('--lexicon-beam', 1), 64)
    .option('--no-dictionary', 'draw training words from the lexicon only (not also from the CMU dictionary)')
    .option('--augment', 'vary the training ink further: borrowed letters, pen-down letters, looped stems, per-letter warps (docs/handwriting.md: it did not help)')
    .option('--lexicon <file>', `word list: test words and the decoder's lexicon (default ${DEFAULT_LEXICON})`)
    .option('--max-minutes <m>', 'stop training after this much wall-clock time', floatOption('--max-minutes', 0, Infinity, true))
    .option('--seed <n>', 'seed of initialisation and batch order', intOption('--seed', 0), 0)
    .option(...THREADS_OPTION)
    .option('--json', 'print one JSON object on stdout')
    .option('--quiet', 'no progress output')
    .action(async (o: TrainOpts) => {
      const out = new Output(o.json === true, o.quiet === true);
      const ls = await lib();
      const t0 = performance.now();
      const lexicon = lexiconWords(o.lexicon);
      let dictionary: string[] = [];
      if (o.dictionary) {
        const { loadCmudictRaw } = await import('../../data/cmudict-node.js');
        dictionary = Object.keys(loadCmudictRaw()).map((w) => w.toLowerCase());
      }
      const trainWords = ls.trainingWords(lexicon, dictionary);
      const testWords = ls.splitWords(lexicon).test;
      const { model, config } = ls.buildHandwritingModel({
        hiddenSize: o.hidden, numLayers: o.layers, dropout: o.dropout, spacing: o.spacing, stack: o.stack, seed: o.seed,
      });
      const extra = ls.handwritingExtra(config) as unknown as Record<string, unknown>;
      const params = model.params().reduce((s, p) => s + p.value.length, 0);
      out.log(`handwriting: BiLSTM ${o.layers}×${o.hidden} on frames of ${config.stack}×8 features, ${params} parameters; kernels ${kernelLabel()}`);
      out.log(`synthesising ${o.trainSize} training, ${o.valSize} validation and ${o.testSize} test examples…`);
      const train = await makeSet('train', o.trainSize, trainWords, config, out, 0, 0, o.augment === true);
      const val = await makeSet('validation', o.valSize, testWords, config, out);
      const test = await makeSet('test', o.testSize, testWords, config, out);
      const shards = ls.makeShards(train, o.batchSize);
      const synthSeconds = (performance.now() - t0) / 1000;
      const framesPerChar = train.reduce((s, e) => s + e.length, 0) / train.reduce((s, e) => s + e.text.length, 0);
      out.log(`data ready in ${synthSeconds.toFixed(0)} s: ${framesPerChar.toFixed(2)} frames per character; training on ${o.threads} thread(s)`);
      ensureDir(dirname(o.out));
      const pool = o.threads > 1 ? await ls.createThreadPool(model, { threads: o.threads }) : null;
      let result;
      try {
        const logEvery = Math.max(1, Math.round(o.trainSize / o.batchSize / 10));
        result = await ls.trainHandwriting(model, shards, {
          epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, lrDecay: o.lrDecay, seed: o.seed,
          maxSeconds: o.maxMinutes === undefined ? Infinity : o.maxMinutes * 60,
          executor: pool ?? undefined,
          onBatchEnd: (l) => {
            if (l.batch % logEvery === 0) out.log(`  epoch ${l.epoch} batch ${l.batch}/${l.batches} loss ${l.loss.toFixed(3)}`);
          },
          onEpochEnd: async (l: HandwritingEpochLog) => {
            if (val.length > 0) {
              const v = ls.evaluateHandwriting(model, config, val);
              l.validation = { cer: v.cer, wer: v.wer };
            }
            out.log(`epoch ${l.epoch}: loss ${l.loss.toFixed(3)}${l.validation ? ` validation CER ${pct(l.validation.cer)} WER ${pct(l.validation.wer)}` : ''} lr ${l.lr.toExponential(2)} (${(l.elapsed / 60).toFixed(1)} min)`);
            await ls.saveModel(o.out, model, { extra });
          },
        });
      } finally {
        await pool?.close();
      }
      await ls.saveModel(o.out, model, { extra });
      out.log(`scoring ${test.length} held-out-font examples…`);
      const lex = ls.handwritingLexicon(lexicon, config.alphabet);
      const scores = await scoreAll(model, config, test, o.beam, ls.handwritingCharLM(lexicon, config.alphabet), lex, o.lexiconBeam);
      const report = {
        command: 'handwriting train',
        config: { ...config, hidden: o.hidden, layers: o.layers, dropout: o.dropout, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, lrDecay: o.lrDecay, trainSize: o.trainSize, seed: o.seed, threads: o.threads, dictionary: o.dictionary, augment: o.augment === true },
        parameters: params,
        fonts: { train: ls.fontsOfSplit('train').map((f) => f.id), test: ls.fontsOfSplit('test').map((f) => f.id) },
        history: result.history,
        trainSeconds: result.seconds,
        synthSeconds,
        stoppedBy: result.stoppedBy,
        test: scores,
        totalSeconds: (performance.now() - t0) / 1000,
        model: o.out,
      };
      writeFileSync(o.out.replace(/\.safetensors$/, '') + '.report.json', JSON.stringify(report, null, 2) + '\n');
      out.result(report);
      if (!out.json) {
        printScores(out, scores, `held-out fonts (${report.fonts.test.join(', ')})`);
        out.print(`trained ${(result.seconds / 60).toFixed(1)} min (${result.history.length} epochs, stopped by ${result.stoppedBy}); model: ${o.out}`);
      }
    });

  hw.command('eval')
    .description('CER and WER of a model on the held-out fonts (greedy, beam, beam + character language model, beam + lexicon)')
    .argument('[model]', `model file (default: the shipped ${DEFAULT_MODEL})`)
    .option('--test-size <n>', 'held-out-font examples to synthesise and score', intOption('--test-size'), 1000)
    .option('--sample <file>', 'score a JSON Lines file of {"text", "strokes"} instead (e.g. data/handwriting/heldout-sample.jsonl)')
    .option('--beam <n>', 'beam width', intOption('--beam', 2), 8)
    .option('--lexicon-beam <n>', 'beam width of the lexicon-constrained search', intOption('--lexicon-beam', 1), 64)
    .option('--lexicon <file>', `word list for the lexicon decoder (default ${DEFAULT_LEXICON})`)
    .option('--no-lexicon', 'skip the lexicon-constrained decoder')
    .option('--no-lm', 'skip the decoder with the character language model')
    .option('--json', 'print one JSON object on stdout')
    .action(async (modelPath: string | undefined, o: EvalOpts & { lexicon?: string | false }) => {
      const out = new Output(o.json === true);
      const ls = await lib();
      const path = modelPath ?? repoFile(DEFAULT_MODEL);
      requireFile(path, 'model');
      const { model, extra } = await ls.loadModelFile(path);
      const config = ls.handwritingConfigFromExtra(extra);
      ls.checkHandwritingModel(model, config);
      const words = lexiconWords(typeof o.lexicon === 'string' ? o.lexicon : undefined);
      let test: EncodedExample[];
      let what: string;
      if (o.sample !== undefined) {
        requireFile(o.sample, 'sample');
        test = ls.parseInkSample(readFileSync(o.sample, 'utf8'), o.sample).map((e) => ls.encodeExample(e, { spacing: config.spacing, stack: config.stack }, config.alphabet));
        what = `sample ${o.sample}`;
      } else {
        test = await makeSet('test', o.testSize, ls.splitWords(words).test, config, out);
        what = `held-out fonts (${ls.fontsOfSplit('test').map((f) => f.id).join(', ')})`;
      }
      const lex = o.lexicon === false ? null : ls.handwritingLexicon(words, config.alphabet);
      const lm = o.lm === false ? null : ls.handwritingCharLM(words, config.alphabet);
      const scores = await scoreAll(model, config, test, o.beam, lm, lex, o.lexiconBeam);
      out.result({ command: 'handwriting eval', model: path, data: what, ...scores });
      if (!out.json) printScores(out, scores, what);
    });

  hw.command('read')
    .description('read the text of pen strokes: a JSON file ([[{x, y, t}, …], …] or {"strokes": …}) or InkML (.inkml)')
    .argument('<strokes>', 'stroke file; - reads standard input')
    .option('--model <file>', `model file (default: the shipped ${DEFAULT_MODEL})`)
    .option('--beam <n>', 'beam width (1 = greedy)', intOption('--beam', 1), 8)
    .option('--lexicon-beam <n>', 'beam width of the lexicon-constrained search', intOption('--lexicon-beam', 1), 64)
    .option('--top <n>', 'alternatives to list', intOption('--top', 1), 5)
    .option('--lexicon <file>', `also decode with this word list as lexicon (default ${DEFAULT_LEXICON})`)
    .option('--no-lexicon', 'no lexicon-constrained reading')
    .option('--no-lm', 'read without the character language model (plain beam search)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (file: string, o: ReadOpts) => {
      const out = new Output(o.json === true);
      const ls = await lib();
      const text = file === '-' ? readFileSync(0, 'utf8') : (requireFile(file, 'stroke file'), readFileSync(file, 'utf8'));
      let ink;
      if (/^\s*</.test(text)) ink = ls.parseInkML(text);
      else {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (e) {
          throw new CliError(`${file} is neither JSON nor InkML: ${(e as Error).message}. Hint: strokes are [[{"x": 1, "y": 2, "t": 0}, …], …].`);
        }
        ink = ls.parseInkJson(value, file);
      }
      const path = o.model ?? repoFile(DEFAULT_MODEL);
      requireFile(path, 'model');
      const { model, extra } = await ls.loadModelFile(path);
      const config = ls.handwritingConfigFromExtra(extra);
      ls.checkHandwritingModel(model, config);
      const top = Math.min(o.top, Math.max(o.beam, 1));
      const words = o.lexicon === false && o.lm === false ? [] : lexiconWords(typeof o.lexicon === 'string' ? o.lexicon : undefined);
      const lex = o.lexicon === false ? undefined : ls.handwritingLexicon(words, config.alphabet);
      // the character model reads with beam search: not with --beam 1 (greedy) or --no-lm
      const lm = o.lm === false || o.beam < 2 ? undefined : ls.handwritingCharLM(words, config.alphabet);
      const r = ls.recogniseInk(model, config, ink, { beamWidth: o.beam, topPaths: o.beam > 1 ? top : 1, lm, lexicon: lex, lexiconBeamWidth: o.lexiconBeam });
      const lexText = r.lexiconText ?? null;
      out.result({ command: 'handwriting read', text: r.text, lexiconText: lexText, alternatives: r.alternatives, frames: r.bestPath.length, strokes: ink.length });
      if (!out.json) {
        out.print(r.text);
        if (lexText !== null) out.print(`with lexicon: ${lexText === '' ? '(no lexicon word fits)' : lexText}`);
        if (r.alternatives.length > 1) {
          // with the character model a score is log P(CTC) + α·log P(LM) + β per character, not a probability
          out.print(lm === undefined ? 'alternatives (log-probability):' : `alternatives (score: log-probability + ${ls.HANDWRITING_LM.weight} × character-model log-probability + ${ls.HANDWRITING_LM.bonus} per character):`);
          for (const a of r.alternatives) out.print(`  ${a.score.toFixed(2).padStart(8)}  ${a.text}`);
        }
      }
    });

  hw.command('synth')
    .description('write synthetic ink of a text in one of the fonts (a strokes file for `read`, or a picture of many writers)')
    .argument('<text>', 'letters and spaces')
    .option('--font <id>', 'font id (docs/handwriting.md lists them)', 'EMSTech')
    .option('--seed <n>', 'writer seed', intOption('--seed', 0), 0)
    .option('--neat', 'a tidy writer (no distortion) instead of a random one')
    .option('--out <file>', 'strokes JSON to write (default: stdout)')
    .action(async (text: string, o: { font: string; seed: number; neat?: boolean; out?: string }) => {
      const ls = await lib();
      const [font] = loadHersheyFonts([o.font]);
      ls.encodeText(text); // refuse characters outside the alphabet before drawing
      const rng = new ls.Rng(o.seed);
      const style = o.neat ? ls.neatWriterStyle() : ls.sampleWriterStyle(rng);
      const ink = ls.renderInk(font, text, style, rng);
      const json = JSON.stringify({ text, font: o.font, strokes: ink.map((s) => s.map((p) => ({ x: +p.x.toFixed(2), y: +p.y.toFixed(2), t: +p.t.toFixed(1) }))) });
      if (o.out === undefined) new Output(false).print(json);
      else {
        ensureDir(dirname(o.out));
        writeFileSync(o.out, json + '\n');
      }
    });
}
