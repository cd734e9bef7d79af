// `longshort g2p train` and `longshort g2p predict`: grapheme-to-phoneme on the CMU Pronouncing
// Dictionary with a bidirectional LSTM and CTC. Argument parsing, progress and file handling only;
// the model, loop and decoding are in src/g2p/, the data in src/data/cmudict*.ts.
//
//   longshort g2p train --out g2p.model        (BiLSTM 2×64, all words, 3 epochs: test WER 39.8%, docs/g2p.md;
//                                               without --out: out/g2p/model.safetensors)
//   longshort g2p predict g2p.model HELLO WORLD --beam 8
//
// Output: progress lines on stderr; with --json exactly one JSON object on stdout.

import type { Command } from 'commander';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConfigError } from 'longshort';
import { dirname } from 'node:path';
import { currentKernels, ensureDir, io as cliIo, plural } from '../util.js';
import type { G2PExample, G2PEpochLog } from 'longshort';

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

function numOption(name: string, min: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= min) throw new ConfigError(`--${name} must be a number > ${min}; received '${v}'.`);
    return n;
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

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

interface TrainOpts {
  hidden: number;
  layers: number;
  embed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  limit?: number;
  testLimit?: number;
  valLimit: number;
  maxMinutes?: number;
  beam?: number;
  out: string;
  seed: number;
  json?: boolean;
}

interface PredictOpts {
  beam?: number;
  json?: boolean;
}

/** Where the command writes; tests pass their own to capture output without touching process.stdout. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export function register(program: Command, io: CliIo = cliIo): void {
  const g2p = program.command('g2p').description('grapheme-to-phoneme: spell → ARPAbet phonemes with a bidirectional LSTM + CTC (CMU Pronouncing Dictionary)');

  g2p
    .command('train')
    .description('train on the CMU Pronouncing Dictionary (fixed hash split), report phoneme and word error rates on its test split')
    .option('--hidden <n>', 'LSTM hidden size per direction', intOption('hidden', 1), 64)
    .option('--layers <n>', 'stacked bidirectional LSTM layers', intOption('layers', 1), 2)
    .option('--embed <n>', 'letter embedding size', intOption('embed', 1), 32)
    .option('--epochs <n>', 'passes over the training words', intOption('epochs', 1), 3)
    .option('--batch-size <n>', 'words per batch', intOption('batch-size', 1), 32)
    .option('--lr <x>', 'Adam learning rate', numOption('lr', 0), 2e-3)
    .option('--limit <n>', 'train on N training words spread evenly over the alphabet (default: all ~111k)', intOption('limit', 1))
    .option('--test-limit <n>', 'score N test words spread evenly (default: all ~6.2k)', intOption('test-limit', 1))
    .option('--val-limit <n>', 'validation words scored after each epoch (0 = none)', intOption('val-limit', 0), 500)
    .option('--max-minutes <m>', 'stop training after this much wall-clock time', numOption('max-minutes', 0))
    .option('--beam <n>', 'also score the test split with CTC prefix beam search of this width', intOption('beam', 2))
    .option('--out <model>', 'write the model (with its vocabularies) here, after every epoch and at the end', 'out/g2p/model.safetensors')
    .option('--seed <n>', 'seed for initialisation and batch order', intOption('seed', 0), 0)
    .option('--json', 'print one JSON object with the results on stdout')
    .action(async (opts: TrainOpts) => {
      const kernels = await kernelsInUse();
      ensureDir(dirname(opts.out));
      const { buildG2PData, loadCmudict, evenSubset, buildG2PModel, g2pExtra, trainG2P, evaluateG2P, saveModel } = await load();
      const t0 = performance.now();
      const data = buildG2PData(loadCmudict());
      const train = evenSubset(data.train, opts.limit);
      const test = evenSubset(data.test, opts.testLimit);
      const validation: G2PExample[] = evenSubset(data.validation, opts.valLimit);
      const model = buildG2PModel({
        letters: data.letters, phonemes: data.phonemes, embeddingDim: opts.embed, hiddenSize: opts.hidden, numLayers: opts.layers, seed: opts.seed,
      });
      const paramCount = model.params().reduce((s, p) => s + p.value.length, 0);
      const extra = g2pExtra(data.letters, data.phonemes, 2);
      io.err(
        `g2p: ${train.length} training words, ${validation.length} validation, ${test.length} test; ` +
          `model embed ${opts.embed} → BiLSTM ${opts.layers}×${opts.hidden} → ${data.phonemes.size} classes, ${paramCount} parameters; kernels ${kernels}; saving to ${opts.out}\n`,
      );
      const logEvery = Math.max(1, Math.ceil(train.length / opts.batchSize / 10));
      const gc = kernels === 'wasm' ? gcFunction() : null;
      const result = await trainG2P(model, train, {
        epochs: opts.epochs,
        batchSize: opts.batchSize,
        lr: opts.lr,
        seed: opts.seed,
        maxSeconds: opts.maxMinutes === undefined ? Infinity : opts.maxMinutes * 60,
        validation: validation.length > 0 ? validation : undefined,
        onBatchEnd: (l) => {
          if (gc !== null && l.batch % GC_EVERY === 0) gc();
          if (l.batch % logEvery === 0) io.err(`  epoch ${l.epoch} batch ${l.batch}/${l.batches} loss ${l.loss.toFixed(4)}\n`);
        },
        onEpochEnd: async (l: G2PEpochLog) => {
          const val = l.valPhonemeErrorRate === undefined ? '' : ` val PER ${pct(l.valPhonemeErrorRate)} WER ${pct(l.valWordErrorRate!)}`;
          io.err(`epoch ${l.epoch}: loss ${l.loss.toFixed(4)}${val} (${(l.elapsed / 60).toFixed(1)} min)\n`);
          await saveModel(opts.out, model, { extra });
        },
      });
      io.err(`scoring ${test.length} test words…\n`);
      const greedy = evaluateG2P(model, test);
      const beam = opts.beam === undefined ? undefined : evaluateG2P(model, test, { beamWidth: opts.beam });
      await saveModel(opts.out, model, { extra });
      const report = {
        command: 'g2p train',
        config: {
          hidden: opts.hidden, layers: opts.layers, embed: opts.embed, epochs: opts.epochs, batchSize: opts.batchSize, lr: opts.lr,
          limit: opts.limit ?? null, maxMinutes: opts.maxMinutes ?? null, seed: opts.seed, kernels,
        },
        parameters: paramCount,
        data: { trainWords: train.length, validationWords: validation.length, testWords: test.length, droppedTrainWords: data.droppedTrainWords.length },
        history: result.history,
        trainSeconds: result.seconds,
        stoppedBy: result.stoppedBy,
        test: { greedy: { phonemeErrorRate: greedy.phonemeErrorRate, wordErrorRate: greedy.wordErrorRate }, ...(beam ? { beam: { width: opts.beam, phonemeErrorRate: beam.phonemeErrorRate, wordErrorRate: beam.wordErrorRate } } : {}) },
        totalSeconds: (performance.now() - t0) / 1000,
        out: opts.out,
      };
      if (opts.json) {
        io.out(`${JSON.stringify(report)}\n`);
      } else {
        io.out(`test (${test.length} words), greedy: PER ${pct(greedy.phonemeErrorRate)}, WER ${pct(greedy.wordErrorRate)}\n`);
        if (beam) io.out(`test (${test.length} words), beam ${opts.beam}: PER ${pct(beam.phonemeErrorRate)}, WER ${pct(beam.wordErrorRate)}\n`);
        io.out(`trained ${(result.seconds / 60).toFixed(1)} min (${plural(result.history.length, 'epoch')}, stopped by ${result.stoppedBy}); model: ${opts.out}\n`);
      }
    });

  g2p
    .command('predict')
    .description('pronounce words with a model from `g2p train` (ARPAbet, no stress)')
    .argument('<model>', 'model file written by `longshort g2p train` (its --out; default out/g2p/model.safetensors)')
    .argument('<words...>', 'words to pronounce (letters A–Z and apostrophe; case is ignored)')
    .option('--beam <n>', 'CTC prefix beam search of this width (default: greedy best path)', intOption('beam', 2))
    .option('--json', 'print one JSON object on stdout')
    .action(async (modelPath: string, words: string[], opts: PredictOpts) => {
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
}
