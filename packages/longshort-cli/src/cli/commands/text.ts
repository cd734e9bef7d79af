import { CHECKPOINT_OPTION, THREADS_OPTION, type CheckpointEvery } from '../training.js';
import type { ThreadsChoice } from '../threads.js';
// `longshort text train corpus.txt …` and `longshort text generate MODEL --prompt …`: argument
// parsing and output only; the model, the scoring and the stateful sampler are src/apps/text.ts.

import { join } from 'node:path';
import type { Command } from 'commander';
import { CliError, Output, ensureDir, floatOption, getInvocation, intOption, keyValues, readText, removeFinishedCheckpoint, requireFile } from '../util.js';

interface TrainOpts {
  checkpointEvery?: CheckpointEvery;
  threads: ThreadsChoice;
  hidden: number;
  embedding: number;
  epochs: number;
  seqLen: number;
  batchSize: number;
  lr: number;
  seed: number;
  chars?: number;
  out: string;
  resume?: string;
  json?: boolean;
  quiet?: boolean;
}

interface GenerateOpts {
  prompt: string;
  length: number;
  temperature: number;
  topK: number;
  seed: number;
  json?: boolean;
}

export function register(program: Command): void {
  const text = program.command('text').description('character-level language model: train on a text file, generate text');
  text
    .command('train')
    .description('train a character-level LSTM on a text file; report bits per character on the held-out last 10%')
    .argument('<corpus>', 'UTF-8 text file')
    .option('--hidden <n>', 'LSTM hidden size', intOption('--hidden'), 128)
    .option('--embedding <n>', 'character embedding size', intOption('--embedding'), 32)
    .option('--epochs <n>', 'training epochs', intOption('--epochs'), 5)
    .option('--seq-len <n>', 'characters per training sequence (truncated backpropagation length)', intOption('--seq-len', 2), 100)
    .option('--batch-size <n>', 'sequences per mini-batch', intOption('--batch-size'), 32)
    .option('--lr <x>', 'Adam learning rate', floatOption('--lr', 0, 10, true), 0.005)
    .option('--seed <n>', 'random seed', intOption('--seed', 0), 0)
    .option(...THREADS_OPTION)
    .option(...CHECKPOINT_OPTION)
    .option('--chars <n>', 'use only the first n characters of the corpus', intOption('--chars', 20))
    .option('--out <dir>', 'output folder', 'out/text')
    .option('--resume <checkpoint>', 'continue an interrupted run from its checkpoint')
    .option('--json', 'print one JSON object on stdout')
    .option('--quiet', 'no progress output')
    .action(async (corpus: string, o: TrainOpts) => {
      await train(corpus, o);
    });
  text
    .command('generate')
    .description('generate text from a model written by `text train` (stateful: the prompt is read once)')
    .argument('<model>', 'model file (model.safetensors)')
    .requiredOption('--prompt <text>', 'text to start from')
    .option('--length <n>', 'characters to generate', intOption('--length'), 200)
    .option('--temperature <t>', 'sampling temperature (lower = more conservative)', floatOption('--temperature', 0, 100, true), 0.8)
    .option('--top-k <k>', 'sample among the k most likely characters (0 = all)', intOption('--top-k', 0), 0)
    .option('--seed <n>', 'random seed of the sampler', intOption('--seed', 0), 0)
    .option('--json', 'print one JSON object on stdout')
    .action(async (modelPath: string, o: GenerateOpts) => {
      const out = new Output(o.json === true);
      requireFile(modelPath, 'model file');
      const { loadModelFile, textApp: app } = await import('longshort');
      const f = await loadModelFile(modelPath);
      const extra = f.extra as unknown as import('longshort').textApp.TextExtra;
      if (extra.app !== 'text') throw new CliError(`'${modelPath}' is not a text model (written by '${String(extra.app)}'). Hint: train one with \`longshort text train\`.`);
      const vocab = Array.from(extra.vocab);
      const generated = app.generate(f.model, vocab, o.prompt, { length: o.length, temperature: o.temperature, topK: o.topK, seed: o.seed });
      out.result({ command: 'text generate', prompt: o.prompt, text: generated, length: o.length, temperature: o.temperature, topK: o.topK, seed: o.seed });
      if (!out.json) out.print(o.prompt + generated);
    });
}

async function train(corpus: string, o: TrainOpts): Promise<void> {
  const out = new Output(o.json === true, o.quiet === true);
  let raw = readText(corpus, 'corpus');
  if (o.chars !== undefined) raw = raw.slice(0, o.chars);
  if (raw.length < 20) throw new CliError(`the corpus '${corpus}' has ${raw.length} characters; at least 20 are needed (90% to train, 10% held out).`);
  if (o.resume !== undefined) requireFile(o.resume, 'checkpoint');
  const { textApp: app, saveModel, loadModelFile } = await import('longshort');
  let vocab = app.buildVocab(raw);
  let config: import('longshort').textApp.TextConfig = {
    hidden: o.hidden,
    embedding: o.embedding,
    seqLen: o.seqLen,
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    seed: o.seed,
  };
  let model;
  let resume = null;
  if (o.resume !== undefined) {
    const ck = await loadModelFile(o.resume);
    const extra = ck.extra as unknown as import('longshort').textApp.TextExtra;
    if (extra.app !== 'text') throw new CliError(`--resume: '${o.resume}' is not a text checkpoint.`);
    if (extra.vocab !== vocab.join('')) throw new CliError(`--resume: the corpus' characters differ from the checkpoint's; resume with the same corpus and --chars.`);
    vocab = Array.from(extra.vocab);
    config = extra.config;
    model = ck.model;
    resume = ck.training;
    out.log(`resuming from ${o.resume} after epoch ${resume?.epoch ?? 0} of ${config.epochs}`);
    (await import('../training.js')).warnIfKernelsDiffer(ck.extra, out);
  } else {
    model = app.buildTextModel(vocab.length, config);
  }
  const ids = app.encode(raw, vocab);
  const { train: trainIds, heldOut } = app.splitCorpus(ids);
  const { x, y } = app.sequences(trainIds, config.seqLen);
  const extra: import('longshort').textApp.TextExtra = { app: 'text', vocab: vocab.join(''), config, trainChars: trainIds.length, heldOutChars: heldOut.length };
  out.log(`${ids.length} characters, ${vocab.length} distinct; training on ${trainIds.length} (${x.shape[0]} sequences of ${config.seqLen}), holding out the last ${heldOut.length}`);
  ensureDir(o.out);
  const { fitInterruptible } = await import('../training.js');
  const fitted = await fitInterruptible({
    threads: o.threads,
    model,
    x,
    y,
    options: { loss: 'crossEntropy', optimizer: { name: 'adam', lr: config.lr }, epochs: config.epochs, batchSize: config.batchSize, seed: config.seed, clipNorm: 1 },
    resume,
    checkpointPath: join(o.out, 'checkpoint.safetensors'),
    checkpointEvery: o.checkpointEvery,
    extra: extra as unknown as Record<string, unknown>,
    resumeArgs: getInvocation().filter((_, k, a) => a[k] !== '--resume' && a[k - 1] !== '--resume'),
    out,
  });
  if (fitted.interrupted) return;
  const modelPath = join(o.out, 'model.safetensors');
  await saveModel(modelPath, model, { extra: extra as unknown as Record<string, unknown> });
  removeFinishedCheckpoint(join(o.out, 'checkpoint.safetensors'), out);
  const bpc = app.bitsPerChar(model, heldOut);
  const unigram = app.unigramEntropy(trainIds, vocab.length);
  const trainBpc = fitted.history!.epochs.at(-1)!.loss / Math.LN2;
  const prompt = Array.from(raw).slice(0, Math.min(20, trainIds.length)).join('');
  const sample = app.generate(model, vocab, prompt, { length: 120, temperature: 0.7, topK: 0, seed: config.seed });
  out.result({
    command: 'text train',
    corpus,
    characters: ids.length,
    vocabulary: vocab.length,
    heldOutChars: heldOut.length,
    heldOutBitsPerChar: bpc,
    unigramEntropyBits: unigram,
    trainBitsPerChar: trainBpc,
    epochs: fitted.history!.epochs.length,
    sample: { prompt, text: sample },
    files: { model: modelPath },
  });
  if (!out.json) {
    out.print(
      keyValues([
        ['held-out bits/char', `${bpc.toFixed(3)} (last ${heldOut.length} characters)`],
        ['unigram entropy', `${unigram.toFixed(3)} bits/char (character frequencies alone)`],
        ['training bits/char', `${trainBpc.toFixed(3)} (last epoch)`],
        ['sample', JSON.stringify(prompt + sample)],
        ['model', modelPath],
      ]),
    );
  }
  await fitted.finish();
}
