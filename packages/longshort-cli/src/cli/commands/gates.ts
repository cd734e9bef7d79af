// `longshort gates MODEL --input FILE`: a heatmap (SVG and PNG) of the first LSTM layer's input,
// forget and output gates and its cell state over the time steps of one sequence.

import { join } from 'node:path';
import type { Command } from 'commander';
import { Output, ensureDir, intOption, plural, readText, requireFile } from '../util.js';

interface GatesOpts {
  input: string;
  index?: number;
  units: number;
  out: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('gates')
    .description("heatmap of an LSTM's input/forget/output gates and cell state over one sequence (SVG and PNG)")
    .argument('<model>', 'model file (from forecast, train, text train, or any Sequential with an LSTM)')
    .requiredOption('--input <file>', 'forecast model: the data CSV; train model: .jsonl/.csv; text model: a text file; other models: a CSV with one row per step')
    .option('--index <n>', 'train models: which sequence (default 0, the first); forecast models: the row the window ends before (default: the end of the data)', intOption('--index', 0))
    .option('--units <n>', 'show the first n hidden units (more than the model has: all, with a note)', intOption('--units'), 8)
    .option('--out <dir>', 'output folder', 'out/gates')
    .option('--json', 'print one JSON object on stdout')
    .action(async (modelPath: string, o: GatesOpts) => {
      const out = new Output(o.json === true);
      requireFile(modelPath, 'model file');
      const text = readText(o.input, 'input file');
      const { loadModelFile, gatesApp: { gateInput, gateRows } } = await import('longshort');
      const f = await loadModelFile(modelPath);
      const input = gateInput(f.extra, text, o.input, o.index ?? 0, f.model);
      const g = gateRows(f.model, input, o.units);
      if (o.units > g.hidden) out.log(`note: --units ${o.units} is more than the model's ${plural(g.hidden, 'hidden unit')}; showing all ${g.hidden}.`);
      const { heatmapChart } = await import('../../plot/charts.js');
      const { svgToPng } = await import('../../plot/node.js');
      const { writeFileAtomic } = await import('longshort');
      const svg = await heatmapChart({
        rows: g.rows,
        title: `LSTM gates i, f, o and cell state c (clamped to [-1, 1]) of units 0–${g.units.length - 1} of ${g.hidden}: ${input.description}`,
        domain: [-1, 1],
      });
      ensureDir(o.out);
      const files = { svg: join(o.out, 'gates.svg'), png: join(o.out, 'gates.png') };
      await writeFileAtomic(files.svg, new TextEncoder().encode(svg));
      await writeFileAtomic(files.png, new Uint8Array(svgToPng(svg)));
      const mean = (label: string): number => {
        const rs = g.rows.filter((r) => r.group === label);
        let s = 0;
        let n = 0;
        for (const r of rs) for (let t = 0; t < r.values.length; t++, n++) s += r.values[t];
        return s / n;
      };
      const summary = { i: mean('i'), f: mean('f'), o: mean('o'), c: mean('c') };
      out.result({ command: 'gates', model: modelPath, input: o.input, steps: g.T, hidden: g.hidden, units: g.units, unitsAsked: o.units, meanActivation: summary, files });
      if (!out.json) {
        out.print(`${plural(g.T, 'step')} (${input.description}); units ${g.units.length} of ${g.hidden}`);
        out.print(`mean activation: input ${summary.i.toFixed(3)}, forget ${summary.f.toFixed(3)}, output ${summary.o.toFixed(3)}, cell ${summary.c.toFixed(3)}`);
        out.print(`wrote ${files.svg}, ${files.png}`);
      }
    });
}
