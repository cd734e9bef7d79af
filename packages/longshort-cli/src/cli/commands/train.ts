import { CHECKPOINT_OPTION, THREADS_OPTION, type CheckpointEvery } from '../training.js';
import type { ThreadsChoice } from '../threads.js';
// `longshort train data.(jsonl|csv) …`: sequence classification or regression (one label per
// variable-length sequence). Argument parsing and output only; see src/apps/sequences.ts.

import { join } from 'node:path';
import type { Command } from 'commander';
import { CliError, Output, choiceOption, ensureDir, floatOption, getInvocation, intOption, listOption, readText, removeFinishedCheckpoint, requireFile, table } from '../util.js';
import type { sequenceApp } from 'longshort';

type SeqMetrics = sequenceApp.SeqMetrics;

interface TrainOpts {
  threads: ThreadsChoice;
  checkpointEvery?: CheckpointEvery;
  task: 'auto' | 'classify' | 'regress';
  id?: string;
  time?: string;
  label?: string;
  features?: string[];
  hidden: number;
  epochs: number;
  batchSize: number;
  lr: number;
  val: number;
  seed: number;
  out: string;
  resume?: string;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('train')
    .description('train an LSTM to classify sequences (or regress a number per sequence) from JSON Lines or long-format CSV')
    .argument('<data>', '.jsonl ({"sequence": [[…], …], "label": …} per line) or .csv (id,t,features…,label)')
    .option('--task <task>', 'classify, regress, or auto (numbers → regress, else classify)', choiceOption('--task', ['auto', 'classify', 'regress'] as const), 'auto')
    .option('--id <column>', 'CSV: sequence id column (default id)')
    .option('--time <column>', 'CSV: time-step column to order rows (default t, if present)')
    .option('--label <column>', 'CSV: label column (default label)')
    .option('--features <a,b>', 'CSV: feature columns (default: all others)', listOption)
    .option('--hidden <n>', 'LSTM hidden size', intOption('--hidden'), 32)
    .option('--epochs <n>', 'training epochs', intOption('--epochs'), 20)
    .option('--batch-size <n>', 'sequences per mini-batch', intOption('--batch-size'), 32)
    .option('--lr <x>', 'Adam learning rate', floatOption('--lr', 0, 10, true), 0.01)
    .option('--val <fraction>', 'fraction held out (seeded shuffle) for the reported metrics', floatOption('--val', 0, 0.9), 0.2)
    .option('--seed <n>', 'random seed', intOption('--seed', 0), 0)
    .option(...THREADS_OPTION)
    .option(...CHECKPOINT_OPTION)
    .option('--out <dir>', 'output folder', 'out/train')
    .option('--resume <checkpoint>', 'continue an interrupted run from its checkpoint')
    .option('--json', 'print one JSON object on stdout')
    .option('--quiet', 'no progress output')
    .action(async (file: string, o: TrainOpts) => {
      const out = new Output(o.json === true, o.quiet === true);
      const text = readText(file, 'data file');
      if (o.resume !== undefined) requireFile(o.resume, 'checkpoint');
      const { sequenceApp: app, saveModel, loadModelFile } = await import('longshort');
      const data = app.loadSequences(text, file, { id: o.id, time: o.time, label: o.label, features: o.features });
      let config = { task: app.resolveTask(data, o.task), hidden: o.hidden, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, seed: o.seed, val: o.val };
      let resume = null;
      let ckModel = null;
      if (o.resume !== undefined) {
        const ck = await loadModelFile(o.resume);
        const extra = ck.extra as unknown as import('longshort').sequenceApp.SeqExtra;
        if (extra.app !== 'sequences') throw new CliError(`--resume: '${o.resume}' is not a \`longshort train\` checkpoint.`);
        app.checkSeqExtra(ck.extra, `[train] --resume: '${o.resume}':`);
        if (ck.training === null) throw new CliError(`--resume: '${o.resume}' is a finished model, not a checkpoint (it has no training state).`);
        config = app.checkSeqConfig(extra.config, `[train] --resume: '${o.resume}' config`);
        ckModel = ck.model;
        resume = ck.training;
        out.log(`resuming from ${o.resume} after epoch ${resume?.epoch ?? 0} of ${config.epochs}`);
        (await import('../training.js')).warnIfKernelsDiffer(ck.extra, out);
      }
      const p = app.prepareSequences(data, config, ckModel ?? undefined);
      const model = p.model;
      let minLen = Infinity;
      let maxLen = 0;
      for (const l of data.lengths) [minLen, maxLen] = [Math.min(minLen, l), Math.max(maxLen, l)];
      out.log(
        `${data.seqs.length} sequences (${minLen}–${maxLen} steps, ${data.F} feature${data.F === 1 ? '' : 's'}); task ${config.task}` +
          (config.task === 'classify' ? ` with ${p.extra.classes.length} classes (${p.extra.classes.join(', ')})` : '') +
          `; ${p.trainIdx.length} for training, ${p.val?.idx.length ?? 0} held out`,
      );
      ensureDir(o.out);
      const { fitInterruptible } = await import('../training.js');
      const { PaddedBatchExecutor, placeholderRows, evaluateRagged, padBatch } = await import('longshort');
      const loss = config.task === 'classify' ? 'crossEntropy' : 'mse';
      const val = p.val;
      const common = { loss, optimizer: { name: 'adam', lr: config.lr }, epochs: config.epochs, batchSize: config.batchSize, seed: config.seed, clipNorm: 1 } as const;
      let x;
      let options;
      if (typeof o.threads === 'number' && o.threads > 1) {
        // the thread pool shares one tensor with its workers: pad once to the longest sequence, if that stays small
        const all = p.train.idx.map((_, k) => k);
        const steps = p.train.data.lengths.reduce((a, b) => a + b, 0);
        if (all.length * maxLen > 4 * steps + (1 << 20)) {
          throw new CliError(`--threads ${o.threads} pads every sequence to the longest (${maxLen} steps), ${((all.length * maxLen) / steps).toFixed(0)}× the data. Hint: use --threads 1, which pads per batch.`);
        }
        const padded = padBatch(p.train.data, all);
        x = padded.x;
        options = { ...common, lengths: padded.lengths };
      } else {
        // Sequences of different lengths are padded per batch (length-bucketed), never to the longest
        // in the file; fit() runs the batches in order and the executor decides what each one holds.
        x = placeholderRows(p.train.idx.length);
        options = { ...common, shuffle: false, executor: new PaddedBatchExecutor(p.train.data, { batchSize: config.batchSize, seed: config.seed, startEpoch: resume?.epoch ?? 0 }) };
      }
      const fitted = await fitInterruptible({
        threads: o.threads,
        model,
        x,
        y: p.train.y,
        options,
        validate: val === null ? undefined : () => evaluateRagged(model, val.data, val.y, val.idx.map((_, k) => k), loss),
        resume,
        checkpointPath: join(o.out, 'checkpoint.safetensors'),
        checkpointEvery: o.checkpointEvery,
        extra: p.extra as unknown as Record<string, unknown>,
        resumeArgs: getInvocation().filter((_, k, a) => a[k] !== '--resume' && a[k - 1] !== '--resume'),
        out,
      });
      if (fitted.interrupted) return;
      const modelPath = join(o.out, 'model.safetensors');
      await saveModel(modelPath, model, { extra: p.extra as unknown as Record<string, unknown> });
      removeFinishedCheckpoint(join(o.out, 'checkpoint.safetensors'), out);
      const evalIdx = p.val?.idx ?? p.trainIdx;
      const metrics = app.scorePredictions(p.extra, data.labels!, evalIdx, app.predictSequences(model, p.extra, data, evalIdx));
      out.result({
        command: 'train',
        file,
        task: config.task,
        sequences: data.seqs.length,
        classes: p.extra.classes,
        trained: p.trainIdx.length,
        evaluatedOn: p.val ? 'validation' : 'training',
        epochs: fitted.history!.epochs.length,
        finalLoss: fitted.history!.epochs.at(-1)?.loss ?? null,
        finalValLoss: fitted.validation.at(-1)?.loss ?? null,
        metrics,
        files: { model: modelPath },
      });
      if (!out.json) {
        out.print(`metrics on the ${p.val ? `${evalIdx.length} held-out` : `${evalIdx.length} training`} sequences:`);
        out.print(formatMetrics(metrics));
        out.print(`\nwrote ${modelPath}`);
      }
      await fitted.finish();
    });
}

/** Accuracy, confusion matrix and per-class precision/recall (or regression errors) as text. */
export function formatMetrics(m: SeqMetrics): string {
  if (m.regression) {
    return table([
      ['', 'MAE', 'RMSE', 'R²'],
      ['model', m.regression.mae, m.regression.rmse, m.regression.r2],
    ]);
  }
  const c = m.classification!;
  const lines = [`accuracy ${(100 * c.accuracy).toFixed(1)}% (${Math.round(c.accuracy * m.n)} of ${m.n})`, '', 'confusion matrix (rows: true class, columns: predicted):'];
  lines.push(table([['', ...c.classes], ...c.confusion.map((row, k) => [c.classes[k], ...row.map(String)])]));
  lines.push('');
  lines.push(
    table([
      ['class', 'precision', 'recall', 'F1', 'support'],
      ...c.perClass.map((s, k) => [c.classes[k], s.precision, s.recall, s.f1, String(s.support)]),
    ]),
  );
  return lines.join('\n');
}
