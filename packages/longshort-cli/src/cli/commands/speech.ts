// `longshort speech train | eval | transcribe`: phone recognition with a deep bidirectional LSTM
// and CTC (docs/speech.md). Argument parsing, progress and files only; features, model, training
// and decoding are the library's (src/speech/, through the public entry).
//
//   longshort speech transcribe recording.wav            (the shipped model, models/speech.safetensors)
//   longshort speech eval                                (the shipped model on the committed held-out subset)
//   longshort speech train --corpus DIR --out model.safetensors   (the shipped model's settings; it then continued with --init: 22.1% PER, docs/speech.md)
//
// Output: progress on stderr; with --json exactly one JSON object on stdout.

import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CliError, currentKernels, ensureDir, floatOption, intOption, io, requireFile } from '../util.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The model that ships with longshort, and the committed held-out subset it is scored on. */
export const DEFAULT_SPEECH_MODEL = join(ROOT, 'models', 'speech.safetensors');
export const DEFAULT_SPEECH_DATA = join(ROOT, 'data', 'speech', 'heldout-10db.safetensors');

const load = () => import('longshort');

async function kernelsInUse(): Promise<string> {
  const info = currentKernels();
  if (info !== null) return info.selected;
  const { getKernels } = await load(); // importing the Node entry loads the WebAssembly kernels when built
  return getKernels().name;
}

/** A full garbage collection when Node allows it (see src/cli/commands/g2p.ts: wasm caches of old batch shapes). */
function gcFunction(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

async function loadSpeechModel(path: string) {
  requireFile(path, 'speech model');
  const { loadModelFile, speechConfigFromExtra } = await load();
  const { model, extra } = await loadModelFile(path);
  return { model, config: speechConfigFromExtra(extra) };
}

async function loadSet(path: string, what: string) {
  requireFile(path, what);
  const { speechSetFromBytes } = await load();
  return speechSetFromBytes(new Uint8Array(readFileSync(path)));
}

interface TrainOpts {
  corpus?: string;
  train?: string;
  test?: string;
  hidden: number;
  layers: number;
  stack: number;
  dropout: number;
  epochs: number;
  batchSize: number;
  lr: number;
  lrDecay: number;
  limit?: number;
  init?: string;
  val: number;
  maxMinutes?: number;
  maxBatches?: number;
  beam?: number;
  out?: string;
  seed: number;
  json?: boolean;
}

export function register(program: Command): void {
  const speech = program.command('speech').description('phone recognition from audio: deep bidirectional LSTM + CTC over the TIMIT-39 phones (docs/speech.md)');

  speech
    .command('train')
    .description('train on a corpus made by scripts/speech/generate.ts + pack.ts; score the held-out voices (10 dB SNR and clean)')
    .option('--corpus <dir>', 'folder with train.safetensors, test.safetensors and test-clean.safetensors')
    .option('--train <file>', 'training feature set (default: train.safetensors in --corpus)')
    .option('--test <file>', 'held-out feature set to score at the end (default: test and test-clean.safetensors in --corpus)')
    .option('--hidden <n>', 'LSTM hidden size per direction', intOption('--hidden', 1), 128)
    .option('--layers <n>', 'stacked bidirectional LSTM layers', intOption('--layers', 1), 3)
    .option('--stack <n>', 'feature frames (10 ms) per network step', intOption('--stack', 1), 2)
    .option('--dropout <p>', 'dropout between LSTM layers', floatOption('--dropout', 0, 0.9), 0.1)
    .option('--epochs <n>', 'passes over the training utterances', intOption('--epochs', 1), 16)
    .option('--batch-size <n>', 'utterances per batch', intOption('--batch-size', 1), 8)
    .option('--lr <x>', 'Adam learning rate of the first epoch', floatOption('--lr', 0, Infinity, true), 1.5e-3)
    .option('--lr-decay <x>', 'learning rate factor per epoch (applied smoothly, batch by batch)', floatOption('--lr-decay', 0, 1, true), 0.85)
    .option('--limit <n>', 'train on the first N training utterances', intOption('--limit', 1))
    .option('--init <model>', 'start from this model\'s weights (continue training; --hidden, --layers and --stack are then the model\'s)')
    .option('--val <n>', 'training-voice utterances held out for validation after each epoch', intOption('--val', 0), 200)
    .option('--max-minutes <m>', 'stop training after this much wall-clock time', floatOption('--max-minutes', 0, Infinity, true))
    .option('--max-batches <n>', 'stop after this many batches in all (repeats a time-limited run exactly)', intOption('--max-batches', 1))
    .option('--beam <n>', 'also score with CTC prefix beam search of this width', intOption('--beam', 2))
    .option('--out <model>', 'write the model here after every epoch and at the end')
    .option('--seed <n>', 'seed for initialisation and batch order', intOption('--seed', 0), 0)
    .option('--json', 'print one JSON object with the results on stdout')
    .action(async (opts: TrainOpts) => {
      const kernels = await kernelsInUse();
      const { buildSpeechModel, speechExtra, trainSpeech, evaluateSpeech, saveModel, fnv1a } = await load();
      const t0 = performance.now();
      if (opts.corpus === undefined && opts.train === undefined) {
        throw new CliError('speech train needs its data: --corpus DIR (from scripts/speech/generate.ts + pack.ts) or --train FILE; received neither. Hint: the committed sample is data/speech/train-sample.safetensors.');
      }
      if (opts.out !== undefined) ensureDir(dirname(opts.out));
      const all = (await loadSet(opts.train ?? join(opts.corpus!, 'train.safetensors'), 'training set')).utterances;
      // validation: up to --val utterances of the training voices whose id hashes to 0 mod 50 (a
      // fixed set, whatever the corpus size), never trained on; training: the others, in id order
      const isVal = (id: string) => fnv1a(`val:${id}`) % 50 === 0;
      const val = all.filter((u) => isVal(u.id)).slice(0, opts.val);
      const valIds = new Set(val.map((u) => u.id));
      let train = all.filter((u) => !valIds.has(u.id));
      if (opts.limit !== undefined) train = train.slice(0, opts.limit);
      let model;
      let extra;
      if (opts.init !== undefined) {
        const start = await loadSpeechModel(opts.init);
        model = start.model;
        extra = { speech: start.config };
        const layers = model.config().layers as { config: { hiddenSize?: number; numLayers?: number } }[];
        const lstm = layers[0]?.config;
        Object.assign(opts, { hidden: lstm?.hiddenSize ?? opts.hidden, layers: lstm?.numLayers ?? opts.layers, stack: start.config.stack });
      } else {
        model = buildSpeechModel({ nMels: 40, stack: opts.stack, hiddenSize: opts.hidden, numLayers: opts.layers, dropout: opts.dropout, seed: opts.seed });
        extra = speechExtra({ nMels: 40, stack: opts.stack });
      }
      const config = extra.speech;
      const paramCount = model.params().reduce((s, p) => s + p.value.length, 0);
      const hours = train.reduce((s, u) => s + u.frames, 0) / 100 / 3600;
      io.err(`speech: ${train.length} training utterances (${hours.toFixed(2)} h), ${val.length} validation; BiLSTM ${opts.layers}×${opts.hidden}, stack ${opts.stack}, ${paramCount} parameters; kernels ${kernels}\n`);
      const gc = kernels === 'wasm' ? gcFunction() : null;
      const perEpoch = Math.ceil(train.length / opts.batchSize);
      const logEvery = Math.max(1, Math.ceil(perEpoch / 20));
      const result = await trainSpeech(model, config, train, {
        epochs: opts.epochs, batchSize: opts.batchSize, lr: opts.lr, lrDecay: opts.lrDecay, seed: opts.seed,
        maxSeconds: opts.maxMinutes === undefined ? Infinity : opts.maxMinutes * 60,
        maxBatches: opts.maxBatches ?? Infinity,
        validation: val.length > 0 ? val : undefined,
        onBatchEnd: (l) => {
          if (gc !== null && l.batch % 32 === 0) gc();
          if (l.batch % logEvery === 0) io.err(`  epoch ${l.epoch} batch ${l.batch}/${l.batches} loss ${l.loss.toFixed(4)} (${(l.elapsed / 60).toFixed(1)} min)\n`);
        },
        onEpochEnd: async (l) => {
          const v = l.valPhoneErrorRate === undefined ? '' : ` val PER ${pct(l.valPhoneErrorRate)}`;
          io.err(`epoch ${l.epoch}: loss ${l.loss.toFixed(4)} lr ${l.lr.toExponential(2)}${v} (${(l.elapsed / 60).toFixed(1)} min)\n`);
          if (opts.out !== undefined) await saveModel(opts.out, model, { extra });
        },
      });
      if (opts.out !== undefined) await saveModel(opts.out, model, { extra });
      const scores: Record<string, unknown> = {};
      const testSets: [string, string][] = opts.test !== undefined ? [['test', opts.test]] : opts.corpus !== undefined ? ['test', 'test-clean'].map((n) => [n, join(opts.corpus!, `${n}.safetensors`)]) : [];
      for (const [name, p] of testSets) {
        if (!existsSync(p)) continue;
        const set = (await loadSet(p, name)).utterances;
        io.err(`scoring ${set.length} ${name} utterances…\n`);
        const greedy = evaluateSpeech(model, config, set);
        const beam = opts.beam === undefined ? undefined : evaluateSpeech(model, config, set, { beamWidth: opts.beam });
        scores[name] = { greedy, ...(beam ? { beam: { width: opts.beam, ...beam } } : {}) };
        if (!opts.json) {
          io.out(`${name} (${set.length} utterances, held-out voices): PER ${pct(greedy.phoneErrorRate)} greedy${beam ? `, ${pct(beam.phoneErrorRate)} beam ${opts.beam}` : ''}\n`);
        }
      }
      const report = {
        command: 'speech train',
        config: { ...opts, kernels },
        parameters: paramCount,
        data: { trainUtterances: train.length, trainHours: hours, validationUtterances: val.length },
        history: result.history,
        trainSeconds: result.seconds,
        stoppedBy: result.stoppedBy,
        batches: result.batches,
        scores,
        totalSeconds: (performance.now() - t0) / 1000,
      };
      if (opts.json) io.out(`${JSON.stringify(report)}\n`);
      else io.out(`trained ${(result.seconds / 60).toFixed(1)} min (${result.history.length} epochs, ${result.batches} batches, stopped by ${result.stoppedBy})${opts.out ? `; model: ${opts.out}` : ''}\n`);
    });

  speech
    .command('eval')
    .description('phone error rate of a model on a feature set (default: the shipped model on the committed held-out subset)')
    .argument('[model]', 'model file from `speech train`', DEFAULT_SPEECH_MODEL)
    .option('--data <file>', 'feature set (.safetensors from scripts/speech/pack.ts)', DEFAULT_SPEECH_DATA)
    .option('--beam <n>', 'CTC prefix beam search of this width (default: greedy best path)', intOption('--beam', 2))
    .option('--json', 'print one JSON object on stdout')
    .action(async (modelPath: string, opts: { data: string; beam?: number; json?: boolean }) => {
      await kernelsInUse();
      const { evaluateSpeech } = await load();
      const { model, config } = await loadSpeechModel(modelPath);
      const set = await loadSet(opts.data, 'feature set');
      const r = evaluateSpeech(model, config, set.utterances, { beamWidth: opts.beam ?? 0 });
      const decoder = opts.beam ? `beam ${opts.beam}` : 'greedy';
      if (opts.json) io.out(`${JSON.stringify({ command: 'speech eval', model: modelPath, data: opts.data, decoder, ...r })}\n`);
      else {
        io.out(`PER ${pct(r.phoneErrorRate)} (${decoder}) on ${r.utterances} utterances, ${r.referencePhones} phones: ` +
          `${r.substitutions} substitutions, ${r.deletions} deletions, ${r.insertions} insertions\n`);
      }
    });

  speech
    .command('transcribe')
    .description('the phones in a WAV file (16-bit PCM or float; other sample rates are resampled to the model\'s), with their times')
    .argument('<wav>', 'audio file')
    .option('--model <file>', 'model file from `speech train`', DEFAULT_SPEECH_MODEL)
    .option('--beam <n>', 'CTC prefix beam search of this width (default: greedy best path)', intOption('--beam', 2))
    .option('--json', 'print one JSON object on stdout')
    .action(async (wavPath: string, opts: { model: string; beam?: number; json?: boolean }) => {
      await kernelsInUse();
      requireFile(wavPath, 'WAV file');
      const { readWav, resample, recognize } = await load();
      const { model, config } = await loadSpeechModel(opts.model);
      const wav = readWav(new Uint8Array(readFileSync(wavPath)));
      const sr = config.logmel.sampleRate;
      const samples = wav.sampleRate === sr ? wav.samples : resample(wav.samples, wav.sampleRate, sr);
      if (samples.length < config.logmel.winLength) {
        throw new CliError(`'${wavPath}' holds ${samples.length} samples at ${sr} Hz; at least one 25 ms window (${config.logmel.winLength} samples) is needed.`);
      }
      const r = recognize(model, config, samples, { beamWidth: opts.beam ?? 0 });
      const seconds = samples.length / sr;
      if (opts.json) {
        io.out(`${JSON.stringify({ command: 'speech transcribe', file: wavPath, sampleRate: wav.sampleRate, resampled: wav.sampleRate !== sr, seconds, phones: r.phones, timed: r.timed })}\n`);
        return;
      }
      io.out(`${wavPath}: ${seconds.toFixed(2)} s${wav.sampleRate !== sr ? ` (resampled ${wav.sampleRate} → ${sr} Hz)` : ''}, ${r.phones.length} phones\n`);
      io.out(`${r.phones.join(' ')}\n`);
      if (r.timed !== null) for (const p of r.timed) io.out(`${p.start.toFixed(2)}\t${p.end.toFixed(2)}\t${p.phone}\n`);
    });
}
