// `longshort predict MODEL data.(jsonl|csv)`: predictions of a model written by `longshort train`,
// as CSV (id, predicted, one probability per class) on stdout or in --out; with labels in the
// input, the same metrics as training reports.

import type { Command } from 'commander';
import { CliError, Output, ensureDir, listOption, readText, requireFile } from '../util.js';
import { formatMetrics } from './train.js';
import { dirname } from 'node:path';

interface PredictOpts {
  id?: string;
  time?: string;
  label?: string;
  features?: string[];
  out?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('predict')
    .description('predict with a model from `longshort train`; prints CSV (or writes --out); scores the predictions when the input has labels')
    .argument('<model>', 'model file written by `longshort train`')
    .argument('<data>', '.jsonl or long-format .csv, as for train (labels optional)')
    .option('--id <column>', 'CSV: sequence id column (default id)')
    .option('--time <column>', 'CSV: time-step column (default t, if present)')
    .option('--label <column>', 'CSV: label column (default label; optional here)')
    .option('--features <a,b>', 'CSV: feature columns (default: all others)', listOption)
    .option('--out <file>', 'write the predictions CSV here (atomically) instead of stdout')
    .option('--json', 'print one JSON object on stdout')
    .action(async (modelPath: string, file: string, o: PredictOpts) => {
      const out = new Output(o.json === true);
      requireFile(modelPath, 'model file');
      const text = readText(file, 'data file');
      const { sequenceApp: app, loadModelFile } = await import('longshort');
      const f = await loadModelFile(modelPath);
      if (f.extra.app !== 'sequences') throw new CliError(`'${modelPath}' was not written by \`longshort train\` (its extra.app is ${typeof f.extra.app === 'string' ? `'${f.extra.app}'` : typeof f.extra.app}).`);
      const extra = app.checkSeqExtra(f.extra, `[predict] '${modelPath}':`);
      const data = app.loadSequences(text, file, { id: o.id, time: o.time, label: o.label, features: o.features ?? (file.endsWith('.csv') ? extra.featureNames : undefined) }, false);
      const p = app.predictSequences(f.model, extra, data);
      const all = data.seqs.map((_, i) => i);
      const metrics = data.labels !== null ? app.scorePredictions(extra, data.labels, all, p) : null;
      const header = ['id', 'predicted', ...(p.probabilities ? extra.classes.map((c) => `p_${c}`) : [])];
      const rows = data.ids.map((id, n) => [csvField(id), csvField(String(p.predicted[n])), ...(p.probabilities ? p.probabilities[n].map((v) => v.toFixed(4)) : [])].join(','));
      const csv = [header.join(','), ...rows].join('\n') + '\n';
      if (o.out !== undefined) {
        ensureDir(dirname(o.out));
        const { writeFileAtomic } = await import('longshort');
        await writeFileAtomic(o.out, new TextEncoder().encode(csv));
      }
      out.result({
        command: 'predict',
        model: modelPath,
        file,
        predictions: data.ids.map((id, n) => ({ id, predicted: p.predicted[n], ...(p.probabilities ? { probabilities: Object.fromEntries(extra.classes.map((c, k) => [c, p.probabilities![n][k]])) } : {}) })),
        metrics,
        ...(o.out !== undefined ? { files: { csv: o.out } } : {}),
      });
      if (!out.json) {
        if (o.out === undefined) out.print(csv.trimEnd());
        else out.print(`wrote ${data.ids.length} predictions to ${o.out}`);
        if (metrics !== null) (o.out === undefined ? out.log.bind(out) : out.print.bind(out))(formatMetrics(metrics));
      }
    });
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
