// `longshort experiment <name>`: runs one of the research experiments of src/experiments (adding,
// temporal-order, gates) over several seeds, writes results.json, results.md and SVG charts into
// --out, and with --json prints the report as one JSON object on stdout. Argument handling and
// files only; the experiments themselves live in src/experiments.

import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CliError, Output, choiceOption, ensureDir, intOption, listOption, readText } from '../util.js';

const NAMES = ['adding', 'temporal-order', 'gates'] as const;
const SIZES = ['tiny', 'small', 'paper'] as const;

interface Opts {
  seeds: number;
  firstSeed: number;
  out?: string;
  json?: boolean;
  size: (typeof SIZES)[number];
  length?: number;
  models?: string[];
  maxSequences?: number;
  tasks?: string[];
  dataDir?: string;
  plots: boolean;
}

/** data/ of the repository, found from this file (src/cli/commands → ../../../data). */
function defaultDataDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data');
}

export function register(program: Command): void {
  program
    .command('experiment')
    .description('run a research experiment: adding | temporal-order (Hochreiter & Schmidhuber 1997, LSTM vs a plain RNN) | gates (which LSTM gate matters)')
    .argument('<name>', `experiment: ${NAMES.join(', ')}`, choiceOption('<name>', NAMES))
    .option('--seeds <n>', 'number of seeds (runs per model or configuration)', intOption('--seeds'), 3)
    .option('--first-seed <n>', 'first seed; runs use n, n+1, …', intOption('--first-seed', 0), 1)
    .option('--size <size>', 'budget: tiny (seconds, smoke test), small (minutes), paper (hours)', choiceOption('--size', SIZES), 'small')
    .option('--out <dir>', 'write results.json, results.md and charts (*.svg) here')
    .option('--json', 'print the report as one JSON object on stdout')
    .option('--length <T>', 'adding / temporal-order: sequence length T (default 100; tiny: 10)', intOption('--length', 10))
    .option('--models <list>', 'adding / temporal-order: comma-separated, from lstm, lstm-forget, elman (default lstm,elman)', listOption)
    .option('--max-sequences <n>', 'adding / temporal-order: training budget per run (overrides --size)', intOption('--max-sequences'))
    .option('--tasks <list>', 'gates: comma-separated, from adding, charlm, co2 (default all)', listOption)
    .option('--data-dir <dir>', "gates: folder holding lincoln-annual-messages-1861-1864.txt and co2-concentration.csv (default the package's data/)")
    .option('--no-plots', 'do not render charts')
    .action(async (name: (typeof NAMES)[number], opts: Opts) => {
      const out = new Output(opts.json === true);
      const ex = (await import('longshort')).experiments;
      const models = opts.models as ('lstm' | 'lstm-forget' | 'elman')[] | undefined;
      if (models !== undefined) {
        for (const m of models) if (!ex.MODEL_KINDS.includes(m)) throw new CliError(`--models must list names from ${ex.MODEL_KINDS.join(', ')}; received '${m}'.`);
        if (models.length === 0) throw new CliError('--models must name at least one model; received an empty list.');
      }
      const tasks = opts.tasks as ('adding' | 'charlm' | 'co2')[] | undefined;
      if (tasks !== undefined) for (const t of tasks) if (!ex.GATE_TASKS.includes(t)) throw new CliError(`--tasks must list names from ${ex.GATE_TASKS.join(', ')}; received '${t}'.`);
      if (name === 'gates' && (opts.length !== undefined || opts.models !== undefined || opts.maxSequences !== undefined)) {
        throw new CliError('--length, --models and --max-sequences apply to adding and temporal-order, not gates. Hint: gates sizes come from --size.');
      }
      if (name !== 'gates' && (opts.tasks !== undefined || opts.dataDir !== undefined)) {
        throw new CliError(`--tasks and --data-dir apply to gates, not ${name}.`);
      }
      let data: { text: string; co2Csv: string } | undefined;
      if (name === 'gates') {
        const dir = opts.dataDir ?? defaultDataDir();
        data = {
          text: readText(join(dir, 'lincoln-annual-messages-1861-1864.txt'), 'character-model corpus'),
          co2Csv: readText(join(dir, 'co2-concentration.csv'), 'CO₂ series'),
        };
      }
      const report = ex.runExperiment(name, {
        size: opts.size,
        seeds: opts.seeds,
        firstSeed: opts.firstSeed,
        T: opts.length,
        models,
        maxSequences: opts.maxSequences,
        tasks,
        data,
        log: (line) => out.log(line),
      });
      const { markdown, charts, ...json } = report;
      const files: string[] = [];
      if (opts.out !== undefined) {
        const { writeFileAtomicSync } = await import('longshort');
        const writeFileSync = (path: string, text: string): void => writeFileAtomicSync(path, new TextEncoder().encode(text)); // never half-written
        ensureDir(opts.out);
        const jsonPath = join(opts.out, 'results.json');
        writeFileSync(jsonPath, JSON.stringify(json, null, 1) + '\n');
        const mdPath = join(opts.out, 'results.md');
        writeFileSync(mdPath, `${markdown}\nMachine time: ${report.seconds.toFixed(0)} s.\n`);
        files.push(jsonPath, mdPath);
        if (opts.plots) {
          const { renderSvg } = await import('../../plot/render.js');
          const { writeChart } = await import('../../plot/node.js');
          for (const [base, spec] of Object.entries(charts)) {
            const p = join(opts.out, `${base}.svg`);
            // the library builds the specs as plain JSON; vega-lite checks them when it compiles
            writeChart(p, await renderSvg(spec as unknown as import('../../plot/render.js').TopLevelSpec));
            files.push(p);
          }
        }
      }
      out.result({ ...json, files });
      if (!out.json) {
        out.print(markdown);
        out.print(`Machine time: ${report.seconds.toFixed(1)} s.${files.length > 0 ? ` Wrote ${files.join(', ')}.` : ''}`);
      }
    });
}
