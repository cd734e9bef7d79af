// `longshort g2p …`: grapheme-to-phoneme on the CMU Pronouncing Dictionary with a bidirectional
// LSTM and CTC (docs/g2p.md). Argument parsing, files and progress only: the recipe, the loop, the
// decoders and the language model are in the library (src/g2p/, src/ctc/), the dictionary reader
// in src/data/cmudict-node.ts.
//
//   longshort g2p train --run-dir runs/g2p [recipe options] --tune --out g2p.safetensors
//                                                          (without --out: out/g2p/model.safetensors)
//   longshort g2p train --run-dir runs/g2p --resume          (continue an interrupted run)
//   longshort g2p eval MODEL --beam 16 --lm-order 5 --lexicon --tune
//   longshort g2p say hello world --align                  (the shipped model, packages/longshort-cli/models/g2p-cmudict.safetensors)
//   longshort g2p predict MODEL WORD… ; longshort g2p average OUT MODEL…
//
// Output: progress lines on stderr; with --json exactly one JSON object on stdout.

import type { Command } from 'commander';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConfigError } from 'longshort';
import { currentKernels, ensureDir, io as cliIo, plural } from '../util.js';
import type { CmuEntry, G2PData, G2PExample, G2PRecipe, G2PRunState, G2PSchedule, NgramLM, LabelTrie, Sequential, TokenVocab } from 'longshort';

// The dictionary, the model code and the file I/O load inside the actions, so `longshort --help`
// stays fast.
async function load() {
  const [lib, cmudictNode] = await Promise.all([import('longshort'), import('../../data/cmudict-node.js')]);
  return { ...lib, ...cmudictNode };
}

function intOption(name: string, min: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new ConfigError(`--${name} must be an integer >= ${min}; received '${v}'.`);
    return n;
  };
}

function numOption(name: string, min: number, inclusive = false): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || (inclusive ? n < min : n <= min)) throw new ConfigError(`--${name} must be a number ${inclusive ? '>=' : '>'} ${min}; received '${v}'.`);
    return n;
  };
}

function anyNum(name: string): (v: string) => number {
  return (v: string) => {
    const n = v === 'inf' || v === 'Infinity' ? Infinity : v === '-inf' || v === '-Infinity' ? -Infinity : Number(v);
    if (Number.isNaN(n) || v.trim() === '') throw new ConfigError(`--${name} must be a number (inf and -inf allowed); received '${v}'.`);
    return n;
  };
}

function numList(name: string): (v: string) => number[] {
  return (v: string) => v.split(',').map((s) => anyNum(name)(s.trim()));
}

function choice<T extends string>(name: string, choices: readonly T[]): (v: string) => T {
  return (v: string) => {
    if (!(choices as readonly string[]).includes(v)) throw new ConfigError(`--${name} must be one of ${choices.join(', ')}; received '${v}'.`);
    return v as T;
  };
}

/**
 * A full garbage collection, when Node lets us have one. Why: the WebAssembly kernels keep LSTM
 * caches in wasm memory and hand them back only when the JS object that owns them is collected
 * (FinalizationRegistry, src/kernels/wasm/arena.ts). G2P batches change shape from batch to batch
 * (word lengths), each new shape allocates a new cache, and V8 sees no heap pressure from wasm
 * memory — a 40k-word run grew wasm memory to its limit and failed after ~1,100 batches. Collecting
 * every few dozen batches keeps the arena bounded (measured: 55 MB after 400 batches instead of
 * 129 MB and growing). Costs ~0.3 s per call with the dictionary in memory.
 */
function gcFunction(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}
const GC_EVERY = 32;

/**
 * The kernels in use. Under the CLI entry (src/cli/main.ts) the global --kernels option has set
 * them up already; when the command is registered on its own (tests), load the WebAssembly
 * kernels if this Node can run them.
 */
async function kernelsInUse(): Promise<string> {
  const info = currentKernels();
  if (info !== null) return info.selected;
  try {
    const { loadWasmKernels } = await import('longshort');
    return loadWasmKernels() === null ? 'ref' : 'wasm';
  } catch {
    return 'ref';
  }
}

/** The model that ships with longshort-cli (like models/speech.safetensors and models/handwriting.safetensors). */
export const DEFAULT_G2P_MODEL = join(fileURLToPath(new URL('../../../', import.meta.url)), 'models', 'g2p-cmudict.safetensors');

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Where the command writes; tests pass their own to capture output without touching process.stdout. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

// ------------------------------------------------------------------------------------ data

interface DataOpts {
  split: 'rao2015' | 'hash';
  repeat: number;
  pad: number;
  limit?: number;
  testLimit?: number;
  valLimit?: number;
}

/** A file shipped in the package's data/ (copied from the repository's data/ at build), or the repository's own when run from sources. */
function dataFile(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url)); // …/src|dist/cli/commands
  for (const p of [join(here, '..', '..', '..', 'data', name), join(here, '..', '..', '..', '..', '..', 'data', name)]) if (existsSync(p)) return p;
  throw new ConfigError(`[g2p] the data file ${name} was not found next to the command line (looked in data/ of the package and of the repository). Hint: reinstall longshort-cli.`);
}

/** The test words of Rao et al. 2015 (data/cmudict-g014b2b-test-words.txt). */
async function raoTestWords(): Promise<string[]> {
  const { readFileSync } = await import('node:fs');
  return readFileSync(dataFile('cmudict-g014b2b-test-words.txt'), 'utf8').split('\n').map((s) => s.trim()).filter((s) => s !== '');
}

// The parsed dictionary, read once per process (several commands run in one test process; say
// reads it for the lexicon and for the dictionary column).
let dictionary: CmuEntry[] | null = null;
async function cmudict(): Promise<CmuEntry[]> {
  if (dictionary === null) dictionary = (await load()).loadCmudict();
  return dictionary;
}

const builtData = new Map<string, G2PData>(); // by split/repeat/pad, within one process
async function loadData(o: DataOpts): Promise<{ data: G2PData; train: G2PExample[]; validation: G2PExample[]; test: G2PExample[] }> {
  const { buildG2PData, evenSubset } = await load();
  const key = `${o.split}/${o.repeat}/${o.pad}`;
  let data = builtData.get(key);
  if (data === undefined) {
    const testWords = o.split === 'rao2015' ? await raoTestWords() : undefined;
    data = buildG2PData(await cmudict(), { repeat: o.repeat, pad: o.pad, testWords });
    builtData.set(key, data);
  }
  return {
    data,
    train: evenSubset(data.train, o.limit),
    validation: evenSubset(data.validation, o.valLimit),
    test: evenSubset(data.test, o.testLimit),
  };
}

// ------------------------------------------------------------------------------------ decoders

interface DecodeOpts {
  beam?: number;
  lmOrder: number;
  lmWeight?: number;
  lengthBonus?: number;
  lexicon?: boolean;
  lexiconBonus?: number;
  tune?: boolean;
  gridLm?: number[];
  gridLength?: number[];
  gridLexicon?: number[];
}

/** What a model file records about its decoder (extra.g2pDecoder). */
interface DecoderSpec {
  beamWidth: number;
  lmOrder: number;
  lmWeight: number;
  lengthBonus: number;
  /** null = no lexicon candidates. */
  lexiconBonus: number | null;
  /** The phoneme LM itself (NgramLM.toJSON()), so the model decodes without the dictionary. */
  lm?: unknown;
}

interface DecoderReport {
  greedy: { phonemeErrorRate: number; wordErrorRate: number };
  beam?: { width: number; phonemeErrorRate: number; wordErrorRate: number };
  fused?: { spec: Omit<DecoderSpec, 'lm'>; validation: { phonemeErrorRate: number; wordErrorRate: number } | null; test: { phonemeErrorRate: number; wordErrorRate: number; lexiconShare: number }; tuneSeconds: number | null };
  lm?: { order: number; validationPerplexity: number; seconds: number };
}

/** Greedy and plain beam on the test words, then (with --lm-order, --lexicon or --tune) the fused decoder, its weights tuned on the validation words. */
async function evaluateDecoders(
  model: Sequential, d: { data: G2PData; train: G2PExample[]; validation: G2PExample[]; test: G2PExample[] }, o: DecodeOpts, io: CliIo,
): Promise<{ report: DecoderReport; spec: DecoderSpec | null; lm: NgramLM | null }> {
  const { evaluateG2P, trainPhonemeLM, buildLexicon, tuneG2PDecoder, evaluateG2PDecoder } = await load();
  io.err(`scoring ${d.test.length} test words…\n`);
  const report: DecoderReport = { greedy: pick(evaluateG2P(model, d.test)) };
  if (o.beam !== undefined) report.beam = { width: o.beam, ...pick(evaluateG2P(model, d.test, { beamWidth: o.beam })) };
  const fused = o.lmOrder > 0 || o.lexicon === true || o.tune === true;
  if (!fused) return { report, spec: null, lm: null };
  let lm: NgramLM | null = null;
  if (o.lmOrder > 0) {
    const t0 = performance.now();
    lm = trainPhonemeLM(d.train, d.data.phonemes.size - 1, o.lmOrder);
    const ppl = d.validation.length > 0 ? lm.perplexity(d.validation.map((e) => e.targets[0])) : NaN;
    report.lm = { order: o.lmOrder, validationPerplexity: ppl, seconds: (performance.now() - t0) / 1000 };
    io.err(`phoneme ${o.lmOrder}-gram model on ${d.train.length} training words: validation perplexity ${ppl.toFixed(2)}\n`);
  }
  const lexicon: LabelTrie | null = o.lexicon ? buildLexicon(d.train) : null;
  const beamWidth = o.beam ?? 16;
  let spec: DecoderSpec = {
    beamWidth, lmOrder: o.lmOrder, lmWeight: lm ? o.lmWeight ?? 0.3 : 0, lengthBonus: o.lengthBonus ?? 0,
    lexiconBonus: lexicon ? o.lexiconBonus ?? 0 : null,
  };
  let validation: { phonemeErrorRate: number; wordErrorRate: number } | null = null;
  let tuneSeconds: number | null = null;
  if (o.tune) {
    if (d.validation.length === 0) throw new ConfigError('--tune needs validation words; received --val-limit 0.');
    const grid = {
      lmWeights: lm ? o.gridLm ?? [0, 0.1, 0.2, 0.3, 0.5, 0.8] : [0],
      lengthBonuses: o.gridLength ?? (lm ? [0, 0.5, 1, 2] : [0]),
      lexiconBonuses: lexicon ? o.gridLexicon ?? [-Infinity, -2, 0, 2, 4] : [-Infinity],
    };
    io.err(`tuning the decoder on ${d.validation.length} validation words (${grid.lmWeights.length * grid.lengthBonuses.length * grid.lexiconBonuses.length} settings)…\n`);
    const t0 = performance.now();
    const t = tuneG2PDecoder(model, d.validation, { beamWidth, lm, lexicon }, grid);
    tuneSeconds = (performance.now() - t0) / 1000;
    spec = { beamWidth, lmOrder: o.lmOrder, lmWeight: t.best.lmWeight, lengthBonus: t.best.lengthBonus, lexiconBonus: t.best.lexiconBonus === -Infinity ? null : t.best.lexiconBonus };
    validation = { phonemeErrorRate: t.best.phonemeErrorRate, wordErrorRate: t.best.wordErrorRate };
    io.err(`best on validation: α ${spec.lmWeight}, β ${spec.lengthBonus}, lexicon bonus ${spec.lexiconBonus ?? 'off'} → WER ${pct(validation.wordErrorRate)}\n`);
  }
  const r = evaluateG2PDecoder(model, d.test, {
    beamWidth, lm, lmWeight: spec.lmWeight, lengthBonus: spec.lengthBonus, lexicon: spec.lexiconBonus === null ? null : lexicon,
    lexiconBonus: spec.lexiconBonus ?? -Infinity,
  });
  report.fused = { spec, validation, test: { phonemeErrorRate: r.phonemeErrorRate, wordErrorRate: r.wordErrorRate, lexiconShare: r.lexiconShare }, tuneSeconds };
  return { report, spec, lm };
}

const pick = (r: { phonemeErrorRate: number; wordErrorRate: number }): { phonemeErrorRate: number; wordErrorRate: number } => ({ phonemeErrorRate: r.phonemeErrorRate, wordErrorRate: r.wordErrorRate });

function printDecoders(io: CliIo, n: number, r: DecoderReport): void {
  io.out(`test (${n} words), greedy: PER ${pct(r.greedy.phonemeErrorRate)}, WER ${pct(r.greedy.wordErrorRate)}\n`);
  if (r.beam) io.out(`test (${n} words), beam ${r.beam.width}: PER ${pct(r.beam.phonemeErrorRate)}, WER ${pct(r.beam.wordErrorRate)}\n`);
  if (r.fused) {
    const s = r.fused.spec;
    io.out(`test (${n} words), beam ${s.beamWidth} + ${s.lmOrder > 0 ? `${s.lmOrder}-gram LM (α ${s.lmWeight}, β ${s.lengthBonus})` : 'no LM'}` +
      `${s.lexiconBonus === null ? '' : ` + lexicon (bonus ${s.lexiconBonus}, taken for ${pct(r.fused.test.lexiconShare)})`}: PER ${pct(r.fused.test.phonemeErrorRate)}, WER ${pct(r.fused.test.wordErrorRate)}\n`);
  }
}

function decodeOptions(cmd: Command): Command {
  return cmd
    .option('--beam <n>', 'also score the test split with CTC prefix beam search of this width', intOption('beam', 2))
    .option('--lm-order <n>', 'fuse a phoneme n-gram model of this order (trained on the training pronunciations) into the beam search', intOption('lm-order', 0), 0)
    .option('--lm-weight <x>', 'LM weight α (default 0.3; --tune searches it)', numOption('lm-weight', 0, true))
    .option('--length-bonus <x>', 'bonus β per phoneme with the LM (default 0)', anyNum('length-bonus'))
    .option('--lexicon', 'word-level candidates: the best training pronunciation replaces the free output when its score + bonus is at least as high')
    .option('--lexicon-bonus <x>', 'the lexicon candidate bonus (default 0; inf = always, -inf = never)', anyNum('lexicon-bonus'))
    .option('--tune', 'choose α, β and the lexicon bonus on the validation words (grid search)')
    .option('--grid-lm <list>', 'α values tried by --tune (default 0,0.1,0.2,0.3,0.5,0.8)', numList('grid-lm'))
    .option('--grid-length <list>', 'β values tried by --tune (default 0,0.5,1,2)', numList('grid-length'))
    .option('--grid-lexicon <list>', 'lexicon bonuses tried by --tune (default -inf,-2,0,2,4)', numList('grid-lexicon'));
}

function dataOptions(cmd: Command): Command {
  return cmd
    .option('--split <name>', "test split: rao2015 (the 12k test words of Rao et al. 2015 / Bisani & Ney, data/cmudict-g014b2b-test-words.txt; 3% of the rest for validation) or hash (90/5/5 by word hash)", choice('split', ['rao2015', 'hash'] as const), 'rao2015')
    .option('--limit <n>', 'train on N training words spread evenly over the alphabet (default: all)', intOption('limit', 1))
    .option('--test-limit <n>', 'score N test words spread evenly (default: all)', intOption('test-limit', 1))
    .option('--val-limit <n>', 'validation words scored after each epoch and used by --tune, --patience, --average (0 = none; default: all)', intOption('val-limit', 0));
}

// ------------------------------------------------------------------------------------ run files

/** A run directory: last.safetensors (weights + G2PRunState), epoch-NNN.safetensors (epochs kept for averaging), report.json. */
const RUN_LAST = 'last.safetensors';
const epochFile = (dir: string, e: number): string => join(dir, `epoch-${String(e).padStart(3, '0')}.safetensors`);

interface TrainOpts extends DataOpts, DecodeOpts {
  hidden: number;
  layers: number;
  embed: number;
  dropout: number;
  optimizer: 'adam' | 'sgd';
  momentum: number;
  epochs: number;
  batchSize: number;
  lr: number;
  clip: number;
  schedule: 'constant' | 'warmup-cosine' | 'warmup-exp' | 'plateau';
  warmup: number;
  gamma: number;
  minLrRatio: number;
  plateauFactor: number;
  plateauPatience: number;
  patience: number;
  average: number;
  averageOf: 'best' | 'last';
  maxMinutes?: number;
  runDir?: string;
  resume?: boolean;
  out: string;
  embedLm?: boolean;
  seed: number;
  json?: boolean;
}

function recipeFrom(o: TrainOpts): Partial<G2PRecipe> {
  const schedule: G2PSchedule = o.schedule === 'constant' ? { kind: 'constant' }
    : o.schedule === 'warmup-cosine' ? { kind: 'warmup-cosine', warmupSteps: o.warmup, minLrRatio: o.minLrRatio }
    : o.schedule === 'warmup-exp' ? { kind: 'warmup-exp', warmupSteps: o.warmup, gamma: o.gamma }
    : { kind: 'plateau', factor: o.plateauFactor, patience: o.plateauPatience };
  return {
    numLayers: o.layers, hiddenSize: o.hidden, embeddingDim: o.embed, dropout: o.dropout, repeat: o.repeat, pad: o.pad, optimizer: o.optimizer,
    lr: o.lr, momentum: o.momentum, schedule, batchSize: o.batchSize, epochs: o.epochs, clipNorm: o.clip, patience: o.patience,
    average: o.average, averageOf: o.averageOf, seed: o.seed,
  };
}

export function register(program: Command, io: CliIo = cliIo): void {
  const g2p = program.command('g2p').description('grapheme-to-phoneme: spell → ARPAbet phonemes with a bidirectional LSTM + CTC (CMU Pronouncing Dictionary)');

  const train = g2p
    .command('train')
    .description('train on the CMU Pronouncing Dictionary with the recipe options, report phoneme and word error rates on the test split')
    .option('--hidden <n>', 'LSTM cells per direction', intOption('hidden', 1), 64)
    .option('--layers <n>', 'stacked bidirectional LSTM layers', intOption('layers', 1), 2)
    .option('--embed <n>', 'letter embedding size', intOption('embed', 1), 32)
    .option('--dropout <p>', 'dropout between LSTM layers (training only)', numOption('dropout', 0, true), 0)
    .option('--repeat <n>', 'input frames per letter (CTC needs a frame per phoneme)', intOption('repeat', 1), 2)
    .option('--pad <n>', 'extra input frames after the last letter, for words with more phonemes than frames', intOption('pad', 0), 0)
    .option('--epochs <n>', 'last epoch (an upper bound with --patience)', intOption('epochs', 1), 3)
    .option('--batch-size <n>', 'words per batch', intOption('batch-size', 1), 32)
    .option('--optimizer <name>', 'adam or sgd (with --momentum)', choice('optimizer', ['adam', 'sgd'] as const), 'adam')
    .option('--momentum <x>', 'SGD momentum', numOption('momentum', 0, true), 0.9)
    .option('--lr <x>', 'peak learning rate', numOption('lr', 0), 2e-3)
    .option('--clip <x>', 'clip the global gradient norm (0 = off)', numOption('clip', 0, true), 5)
    .option('--schedule <name>', 'learning rate: constant, warmup-cosine, warmup-exp (gamma per epoch) or plateau (× factor when validation WER stalls)',
      choice('schedule', ['constant', 'warmup-cosine', 'warmup-exp', 'plateau'] as const), 'constant')
    .option('--warmup <steps>', 'warm-up steps (batches) of the warmup-* schedules', intOption('warmup', 0), 1000)
    .option('--gamma <x>', 'warmup-exp: lr factor per epoch after the warm-up', numOption('gamma', 0), 0.7)
    .option('--min-lr-ratio <x>', 'warmup-cosine: final lr as a fraction of the peak', numOption('min-lr-ratio', 0, true), 0.02)
    .option('--plateau-factor <x>', 'plateau: lr factor on a stall', numOption('plateau-factor', 0), 0.5)
    .option('--plateau-patience <n>', 'plateau: epochs without improvement before lowering the lr', intOption('plateau-patience', 0), 1)
    .option('--patience <n>', 'early stopping: stop after N epochs without a lower validation WER, keep the best epoch (0 = off)', intOption('patience', 0), 0)
    .option('--average <k>', 'average the weights of the K best (or last) epochs; kept when it does not lose on validation (0 = off)', intOption('average', 0), 0)
    .option('--average-of <which>', 'best or last', choice('average-of', ['best', 'last'] as const), 'best')
    .option('--max-minutes <m>', 'stop this session after this much wall-clock time (resume later with --resume)', numOption('max-minutes', 0))
    .option('--run-dir <dir>', 'checkpoint after every epoch (last.safetensors, the epochs kept for averaging, report.json) so --resume can continue')
    .option('--resume', 'continue the run in --run-dir with its recipe (--epochs and --patience may be changed)')
    .option('--out <model>', 'write the final model (with its vocabularies and decoder settings) here', 'out/g2p/model.safetensors')
    .option('--embed-lm', 'store the phoneme LM in the model file (for g2p say and the browser page)')
    .option('--seed <n>', 'seed for initialisation, batch order and dropout', intOption('seed', 0), 0)
    .option('--json', 'print one JSON object with the results on stdout');
  dataOptions(train);
  decodeOptions(train);
  train.action(async (opts: TrainOpts, cmd: Command) => {
    const kernels = await kernelsInUse();
    const lib = await load();
    const { resolveRecipe, buildRecipeModel, runG2PRecipe, g2pExtra, saveModel, loadModelFile, writeFileAtomic, loadWeights } = lib;
    const t0 = performance.now();
    if (opts.resume && opts.runDir === undefined) throw new ConfigError('--resume needs --run-dir DIR (the directory of the run to continue).');
    let recipe = resolveRecipe(recipeFrom(opts));
    let resume: G2PRunState | undefined;
    const snapshots = new Map<number, Float32Array[]>();
    let resumeWeights: Float32Array[] | null = null;
    if (opts.resume) {
      const last = join(opts.runDir!, RUN_LAST);
      if (!existsSync(last)) throw new ConfigError(`--resume: ${resolve(last)} does not exist. Hint: start the run without --resume first.`);
      const f = await loadModelFile(last);
      const st = f.training as unknown as G2PRunState | null;
      if (st === null || st.kind !== 'g2p-run') throw new ConfigError(`--resume: ${resolve(last)} holds no G2P run state. Hint: it must come from g2p train --run-dir.`);
      // the checkpoint's recipe, with the epochs and patience of this command line when given
      const given = (k: string): boolean => cmd.getOptionValueSource(k) === 'cli';
      recipe = resolveRecipe({ ...st.recipe, ...(given('epochs') ? { epochs: opts.epochs } : {}), ...(given('patience') ? { patience: opts.patience } : {}) });
      resume = st;
      resumeWeights = f.model.params().map((p) => Float32Array.from(p.value));
      for (const k of st.kept) {
        const p = epochFile(opts.runDir!, k.epoch);
        if (existsSync(p)) snapshots.set(k.epoch, (await loadModelFile(p)).model.params().map((q) => Float32Array.from(q.value)));
      }
    }
    const d = await loadData({ ...opts, repeat: recipe.repeat, pad: recipe.pad });
    const model = buildRecipeModel(recipe, d.data);
    if (resumeWeights !== null) loadWeights(model, resumeWeights);
    const paramCount = model.params().reduce((s, p) => s + p.value.length, 0);
    const extra = g2pExtra(d.data.letters, d.data.phonemes, recipe.repeat, recipe.pad);
    const frames = d.train.reduce((s, e) => s + e.input.length, 0);
    io.err(
      `g2p: ${d.train.length} training words (${frames} frames), ${d.validation.length} validation, ${d.test.length} test (split ${opts.split}); ` +
        `embed ${recipe.embeddingDim} → BiLSTM ${recipe.numLayers}×${recipe.hiddenSize}${recipe.dropout > 0 ? ` dropout ${recipe.dropout}` : ''} → ${d.data.phonemes.size} classes, ` +
        `${paramCount} parameters; kernels ${kernels}${resume ? `; resuming after epoch ${resume.epoch}` : ''}; saving to ${opts.out}\n`,
    );
    ensureDir(dirname(opts.out));
    if (opts.runDir !== undefined) mkdirSync(opts.runDir, { recursive: true });
    const logEvery = Math.max(1, Math.ceil(d.train.length / recipe.batchSize / 10));
    const gc = kernels === 'wasm' ? gcFunction() : null;
    const result = await runG2PRecipe(model, d.data, recipe, {
      train: d.train,
      validation: d.validation,
      resume,
      snapshots,
      maxSeconds: opts.maxMinutes === undefined ? undefined : opts.maxMinutes * 60,
      onBatchEnd: (l) => {
        if (gc !== null && l.batch % GC_EVERY === 0) gc();
        if (l.batch % logEvery === 0) io.err(`  epoch ${l.epoch} batch ${l.batch}/${l.batches} loss ${l.loss.toFixed(4)}\n`);
      },
      onEpochEnd: async (l, state, m) => {
        const val = l.valPhonemeErrorRate === undefined ? '' : ` val PER ${pct(l.valPhonemeErrorRate)} WER ${pct(l.valWordErrorRate!)}${l.best ? ' (best)' : ''}`;
        io.err(`epoch ${l.epoch}: loss ${l.loss.toFixed(4)}${val} lr ${l.lr.toPrecision(3)} (${(state.seconds / 60).toFixed(1)} min)\n`);
        if (opts.runDir === undefined) return;
        // epochs kept for averaging / early stopping on disk, the others removed; then the resumable checkpoint
        if (state.kept.some((k) => k.epoch === l.epoch)) await saveModel(epochFile(opts.runDir, l.epoch), m, { extra });
        const keep = new Set(state.kept.map((k) => epochFile(opts.runDir!, k.epoch)));
        for (const f of readdirSync(opts.runDir)) {
          const p = join(opts.runDir, f);
          if (/^epoch-\d+\.safetensors$/.test(f) && !keep.has(p)) rmSync(p, { force: true });
        }
        await saveModel(join(opts.runDir, RUN_LAST), m, { extra, training: state as never });
        await writeFileAtomic(join(opts.runDir, 'report.json'), new TextEncoder().encode(JSON.stringify({ recipe, history: state.history, seconds: state.seconds }, null, 1)));
      },
    });
    const st = result.state;
    io.err(`training ${result.stoppedBy === 'time' ? 'paused (time limit)' : 'done'} after epoch ${st.epoch}: final weights = ${result.final.from} ${result.final.epochs.join(',')}` +
      `${result.final.valWordErrorRate === null ? '' : ` (val WER ${pct(result.final.valWordErrorRate)})`}\n`);
    const finished = result.stoppedBy !== 'time';
    const dec = finished ? await evaluateDecoders(model, d, opts, io) : null;
    const decoderExtra = dec?.spec ? { g2pDecoder: { ...dec.spec, ...(opts.embedLm && dec.lm ? { lm: dec.lm.toJSON() } : {}) } } : {};
    if (finished) await saveModel(opts.out, model, { extra: { ...extra, ...decoderExtra } });
    const report = {
      command: 'g2p train',
      recipe,
      split: opts.split,
      kernels,
      parameters: paramCount,
      data: {
        trainWords: d.train.length, trainFrames: frames, validationWords: d.validation.length, testWords: d.test.length,
        droppedTrainWords: d.data.droppedTrainWords.length, missingTestWords: d.data.missingTestWords.length,
      },
      history: st.history,
      trainSeconds: st.seconds,
      stoppedBy: result.stoppedBy,
      final: result.final,
      averageValWordErrorRate: result.averageValWordErrorRate,
      test: dec?.report ?? null,
      totalSeconds: (performance.now() - t0) / 1000,
      out: finished ? opts.out : null,
      runDir: opts.runDir ?? null,
    };
    if (opts.runDir !== undefined) await writeFileAtomic(join(opts.runDir, 'report.json'), new TextEncoder().encode(JSON.stringify(report, null, 1)));
    if (opts.json) {
      io.out(`${JSON.stringify(report)}\n`);
    } else {
      if (dec) printDecoders(io, d.test.length, dec.report);
      io.out(`trained ${(st.seconds / 60).toFixed(1)} min (${plural(st.history.length, 'epoch')}, stopped by ${result.stoppedBy})${finished ? `; model: ${opts.out}` : `; paused, continue with --resume${opts.runDir === undefined ? ' (needs --run-dir)' : ''}`}\n`);
    }
  });

  const evalCmd = g2p
    .command('eval')
    .description('score a model file on the test split with greedy, beam and LM/lexicon decoding (weights tuned on validation with --tune)')
    .argument('<model>', 'model file written by g2p train')
    .option('--out <model>', 'write the model again with the decoder settings found (and with --embed-lm the LM)')
    .option('--embed-lm', 'store the phoneme LM in the --out file')
    .option('--on <split>', 'score these words instead of the test split (train: how well the network fits what it saw; --test-limit takes N of them)', choice('on', ['test', 'validation', 'train'] as const), 'test')
    .option('--json', 'print one JSON object on stdout');
  dataOptions(evalCmd);
  decodeOptions(evalCmd);
  evalCmd.action(async (modelPath: string, opts: DataOpts & DecodeOpts & { out?: string; embedLm?: boolean; json?: boolean; on: 'test' | 'validation' | 'train' }) => {
    await kernelsInUse();
    const { loadModelFile, vocabsFromExtra, saveModel, evenSubset } = await load();
    const { model, extra } = await loadModelFile(modelPath);
    const v = vocabsFromExtra(extra);
    const d = await loadData({ ...opts, repeat: v.repeat, pad: v.pad });
    if (opts.on !== 'test') d.test = evenSubset(d.data[opts.on], opts.testLimit);
    checkVocab(v.letters, d.data.letters, v.phonemes, d.data.phonemes);
    const t0 = performance.now();
    const dec = await evaluateDecoders(model, d, opts, io);
    if (opts.out !== undefined) {
      const { g2pDecoder: _old, ...rest } = extra as Record<string, unknown>;
      void _old;
      await saveModel(opts.out, model, { extra: { ...rest, ...(dec.spec ? { g2pDecoder: { ...dec.spec, ...(opts.embedLm && dec.lm ? { lm: dec.lm.toJSON() } : {}) } } : {}) } });
    }
    const report = { command: 'g2p eval', model: modelPath, split: opts.split, on: opts.on, testWords: d.test.length, validationWords: d.validation.length, test: dec.report, seconds: (performance.now() - t0) / 1000, out: opts.out ?? null };
    if (opts.json) io.out(`${JSON.stringify(report)}\n`);
    else printDecoders(io, d.test.length, dec.report);
  });

  g2p
    .command('predict')
    .description('pronounce words with a model from `g2p train` (ARPAbet, no stress)')
    .argument('<model>', 'model file written by `longshort g2p train` (its --out; default out/g2p/model.safetensors)')
    .argument('<words...>', 'words to pronounce (letters A–Z and apostrophe; case is ignored)')
    .option('--beam <n>', 'CTC prefix beam search of this width (default: greedy best path)', intOption('beam', 2))
    .option('--json', 'print one JSON object on stdout')
    .action(async (modelPath: string, words: string[], opts: { beam?: number; json?: boolean }) => {
      await kernelsInUse();
      const { loadModelFile, vocabsFromExtra, pronounce } = await load();
      const { model, extra } = await loadModelFile(modelPath);
      const vocabs = vocabsFromExtra(extra);
      const out = pronounce(model, words, vocabs, { beamWidth: opts.beam ?? 0 });
      if (opts.json) {
        io.out(`${JSON.stringify({ command: 'g2p predict', model: modelPath, decoder: opts.beam ? `beam ${opts.beam}` : 'greedy', predictions: out })}\n`);
      } else {
        for (const p of out) io.out(`${p.word}\t${p.phonemes.join(' ')}\n`);
      }
    });

  g2p
    .command('say')
    .description('pronounce words with the shipped model (or --model) and its decoder; --align shows which letters emitted which phonemes')
    .argument('<words...>', 'words (letters A–Z and apostrophe; case is ignored)')
    .option('--model <path>', 'a model file from g2p train/eval (default: the shipped models/g2p-cmudict.safetensors)')
    .option('--greedy', 'best-path decoding instead of the model\'s recorded decoder')
    .option('--align', 'print the CTC alignment: per input frame the letter, the phoneme emitted (· = blank) and its probability')
    .option('--json', 'print one JSON object on stdout')
    .action(async (words: string[], opts: { model?: string; greedy?: boolean; align?: boolean; json?: boolean }) => {
      await kernelsInUse();
      const lib = await load();
      const path = opts.model ?? shippedModelPath();
      const { model, extra } = await lib.loadModelFile(path);
      const vocabs = lib.vocabsFromExtra(extra);
      const spec = (extra as { g2pDecoder?: DecoderSpec }).g2pDecoder;
      const decoder = opts.greedy || spec === undefined ? { beamWidth: 1 } : await decoderFromSpec(spec, vocabs);
      const dict = await dictionaryLookup();
      const said = words.map((w) => {
        const r = lib.pronounceWithAlignment(model, w, vocabs, decoder);
        return { ...r, dictionary: dict.get(r.word) ?? null };
      });
      if (opts.json) {
        io.out(`${JSON.stringify({ command: 'g2p say', model: path, decoder: opts.greedy || !spec ? 'greedy' : { ...spec, lm: spec.lm ? '(embedded)' : undefined }, words: said.map((s) => ({ word: s.word, phonemes: s.phonemes, from: s.from, dictionary: s.dictionary, ...(opts.align ? { frames: s.frames } : {}) })) })}\n`);
        return;
      }
      for (const s of said) {
        io.out(`${s.word}\t${s.phonemes.join(' ')}${s.dictionary ? `\t(dictionary: ${s.dictionary.map((p) => p.join(' ')).join(' | ')})` : ''}\n`);
        if (opts.align) {
          for (const f of s.frames) io.out(`  ${(f.input || '·').padEnd(2)} ${(f.emit || '·').padEnd(3)} ${f.prob.toFixed(2)}${f.top !== f.emit ? `  (top ${f.top || '·'} ${f.topProb.toFixed(2)})` : ''}\n`);
        }
      }
    });

  g2p
    .command('average')
    .description('average the weights of model files of the same network (checkpoint averaging)')
    .argument('<out>', 'where to write the averaged model')
    .argument('<models...>', 'model files (e.g. a run directory\'s epoch-*.safetensors)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (out: string, models: string[], opts: { json?: boolean }) => {
      const { loadModelFile, averageWeightsInto, saveModel } = await load();
      if (models.length < 2) throw new ConfigError(`g2p average needs at least two model files; received ${models.length}.`);
      const files = await Promise.all(models.map((p) => loadModelFile(p)));
      const first = files[0];
      averageWeightsInto(first.model, files.map((f) => f.model.params().map((p) => p.value)));
      await saveModel(out, first.model, { extra: first.extra });
      if (opts.json) io.out(`${JSON.stringify({ command: 'g2p average', out, models })}\n`);
      else io.out(`averaged ${models.length} models → ${out}\n`);
    });
}

function checkVocab(a: TokenVocab, b: TokenVocab, c: TokenVocab, e: TokenVocab): void {
  if (a.tokens.join('') !== b.tokens.join('') || c.tokens.join(' ') !== e.tokens.join(' ')) {
    throw new ConfigError(`[g2p eval] the model's letters/phonemes (${a.tokens.join('')} / ${c.tokens.length} phonemes) differ from the dictionary's (${b.tokens.join('')} / ${e.tokens.length}).`);
  }
}

/** The shipped model: models/g2p-cmudict.safetensors of this package (packages/longshort-cli/models/ in the repository). */
export function shippedModelPath(): string {
  if (existsSync(DEFAULT_G2P_MODEL)) return DEFAULT_G2P_MODEL;
  throw new ConfigError(`[g2p say] the shipped model was not found at ${DEFAULT_G2P_MODEL}. Hint: pass --model PATH (a file from g2p train --out).`);
}

/** The decoder a model file records: its embedded LM (or none) and the lexicon of the training split. */
async function decoderFromSpec(spec: DecoderSpec, vocabs: { repeat: number; pad: number }) {
  const lib = await load();
  const lm = spec.lm !== undefined ? lib.NgramLM.fromJSON(spec.lm) : null;
  let lexicon: LabelTrie | null = null;
  if (spec.lexiconBonus !== null) {
    const { data } = await loadData({ split: 'rao2015', repeat: vocabs.repeat, pad: vocabs.pad });
    lexicon = lib.buildLexicon(data.train);
  }
  return {
    beamWidth: spec.beamWidth, lm, lmWeight: lm ? spec.lmWeight : 0, lengthBonus: spec.lengthBonus, lexicon, lexiconBonus: spec.lexiconBonus ?? -Infinity,
  };
}

/** Word → its dictionary pronunciations (stress removed), for showing beside the model's. */
async function dictionaryLookup(): Promise<Map<string, string[][]>> {
  return new Map((await cmudict()).map((e) => [e.word, e.prons]));
}
