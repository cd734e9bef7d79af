// Fuzz target for the command line, run in-process (runCli with its output captured): train on
// damaged JSON Lines / CSV files with odd option values, resume from damaged checkpoints, predict
// with damaged models and data, convert and inspect damaged model files of every format, forecast
// from damaged series. A run must end with exit code 0, or 1 with one `error: …` line (the
// library's or the CLI's own message); a stack trace on stderr is a finding.
// Training runs are kept short (1–2 epochs, small hidden sizes): the target is the input handling.
// (When the CLI moves to its own package, this file moves with test/cli.)

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../packages/longshort-cli/dist/cli/main.js';
import { io } from '../../../packages/longshort-cli/dist/cli/util.js';
import { parseJsonl, prepareSequences } from '../../../packages/longshort/dist/apps/sequences.js';
import { PaddedBatchExecutor, placeholderRows } from '../../../packages/longshort/dist/data/sequences.js';
import type { Rng } from '../../../packages/longshort/dist/util/rng.js';
import { jsonl, longCsv, onnxFiles, pytorchFiles, seriesCsv, tfjsModels } from '../corpus.js';
import { mutateBytes, mutateJson, mutateSafetensors, mutateText, pick, toJson } from '../mutate.js';
import type { FuzzTarget } from '../target.js';

let root = '';
let seeds: { model: Uint8Array; checkpoint: Uint8Array; tfjs: { json: string; weights: Uint8Array } } | null = null;
let caseNo = 0;

/** A value for a numeric option: mostly small and valid, sometimes not a valid value at all. */
function opt(rng: Rng, valid: string[]): string {
  return rng.int(4) === 0 ? pick(rng, ['0', '-1', '1.5', 'abc', '', '2147483648', '1e3', 'NaN', '9007199254740993', '0x10']) : pick(rng, valid);
}

async function run(args: string[]): Promise<void> {
  const saved = { out: io.out, err: io.err, tty: io.errIsTTY };
  let stderr = '';
  io.out = () => {};
  io.err = (s) => void (stderr += s);
  io.errIsTTY = () => false;
  let code: number;
  try {
    code = await runCli(args);
  } finally {
    Object.assign(io, { out: saved.out, err: saved.err, errIsTTY: saved.tty });
  }
  if (code === 0) return;
  const crashed = /\n\s+at /.test(stderr) || (code !== 1 && code !== 130);
  if (crashed) throw new Error(`CLI exit ${code} with a stack trace: ${stderr.slice(0, 2000)}`);
  throw Object.assign(new Error(stderr.trim().split('\n').pop() ?? ''), { name: 'CliUserError' });
}

export const cliTarget: FuzzTarget = {
  name: 'cli',
  about: 'the longshort command: train / resume / predict / convert / inspect / forecast on damaged files and odd option values (in-process)',
  weight: 0.25,
  async setup() {
    if (seeds !== null) return;
    root = mkdtempSync(join(tmpdir(), 'longshort-fuzz-cli-'));
    // a `longshort train` model and a checkpoint of the same run, made through the library
    const data = parseJsonl(jsonl(1));
    const config = { task: 'classify' as const, hidden: 3, epochs: 3, batchSize: 4, lr: 0.01, seed: 1, val: 0.2 };
    const p = prepareSequences(data, config);
    const h = await p.model.fit(placeholderRows(p.train.idx.length), p.train.y, {
      loss: 'crossEntropy', epochs: 1, batchSize: 4, shuffle: false, executor: new PaddedBatchExecutor(p.train.data, { batchSize: 4, seed: 1 }),
    });
    const extra = p.extra as unknown as Record<string, unknown>;
    const t = (await tfjsModels())[0];
    seeds = { model: p.model.toBytes({ extra }), checkpoint: p.model.toBytes({ extra, training: h.state }), tfjs: { json: toJson(t.json), weights: t.weights } };
    // one good run of each command first, so that loading modules (plotting, WebAssembly kernels)
    // happens here and not inside the first measured case
    const warm = join(root, 'warm');
    mkdirSync(warm, { recursive: true });
    writeFileSync(join(warm, 'data.jsonl'), jsonl(1));
    writeFileSync(join(warm, 'model.safetensors'), seeds.model);
    writeFileSync(join(warm, 'series.csv'), seriesCsv(60, 'month'));
    for (const args of [
      ['train', join(warm, 'data.jsonl'), '--epochs', '1', '--hidden', '2', '--out', join(warm, 'o1'), '--quiet'],
      ['predict', join(warm, 'model.safetensors'), join(warm, 'data.jsonl'), '--out', join(warm, 'p.csv')],
      ['convert', join(warm, 'model.safetensors'), join(warm, 'm.onnx')],
      ['inspect', join(warm, 'm.onnx')],
      ['forecast', join(warm, 'series.csv'), '--target', 'v', '--date', 'date', '--horizon', '2', '--season', '1', '--lookback', '4', '--epochs', '1', '--hidden', '2', '--out', join(warm, 'o2'), '--quiet'],
    ]) {
      await run(args);
    }
    rmSync(warm, { recursive: true, force: true });
  },
  make(rng: Rng) {
    const s = seeds!;
    const dir = join(root, `c${caseNo++ % 1000}`);
    const files: Record<string, Uint8Array | string> = {};
    const out = join(dir, 'out');
    let args: string[];
    const kind = rng.int(6);
    switch (kind) {
      case 0: {
        const csv = rng.int(3) === 0;
        files[csv ? 'data.csv' : 'data.jsonl'] = mutateText(csv ? longCsv(1 + rng.int(3)) : jsonl(1 + rng.int(3), rng.int(3) === 0), rng);
        args = ['train', join(dir, csv ? 'data.csv' : 'data.jsonl'), '--epochs', opt(rng, ['1', '2']), '--hidden', opt(rng, ['2', '3']), '--batch-size', opt(rng, ['1', '4', '64']), '--val', opt(rng, ['0', '0.2', '0.5']), '--out', out, '--quiet'];
        if (rng.int(3) === 0) args.push('--task', pick(rng, ['auto', 'classify', 'regress', 'bogus']));
        if (rng.int(3) === 0) args.push('--checkpoint-every', pick(rng, ['1', 'auto', 'off', '1s', '0', 'x', '-1', '2h']));
        if (rng.int(4) === 0) args.push('--threads', pick(rng, ['1', '2', '0']));
        break;
      }
      case 1:
        files['data.jsonl'] = jsonl(1);
        // the run's epoch count is left alone: a checkpoint that asks for 10 000 epochs gets them
        files['ck.safetensors'] = mutateSafetensors(s.checkpoint, rng, 'longshort', /^(config|hidden|batchSize|epoch|history|optimizer|s|spare|classes|featureNames|featureScaler|task|inputSize|hiddenSize|layers|lr|val|seed)$/, /^epochs$/);
        args = ['train', join(dir, 'data.jsonl'), '--resume', join(dir, 'ck.safetensors'), '--out', out, '--quiet'];
        break;
      case 2:
        files['model.safetensors'] = rng.int(2) === 0 ? mutateSafetensors(s.model, rng, 'longshort', /classes|featureNames|featureScaler|targetScaler|task|app|mean|std|Size|layers/) : s.model;
        files['data.jsonl'] = rng.int(2) === 0 ? mutateText(jsonl(2), rng) : jsonl(2);
        args = ['predict', join(dir, 'model.safetensors'), join(dir, 'data.jsonl')];
        if (rng.int(2) === 0) args.push('--out', join(out, 'p.csv'));
        break;
      case 3:
      case 4: {
        const from = pick(rng, ['longshort', 'pytorch', 'onnx', 'tfjs'] as const);
        let input: string;
        if (from === 'tfjs') {
          files['model.json'] = rng.int(2) === 0 ? toJson(mutateJson(JSON.parse(s.tfjs.json), rng, /units|shape|paths|class_name/)) : s.tfjs.json;
          files['weights.bin'] = rng.int(3) === 0 ? mutateBytes(s.tfjs.weights, rng) : s.tfjs.weights;
          input = 'model.json';
        } else if (from === 'onnx') {
          files['model.onnx'] = mutateBytes(pick(rng, onnxFiles()), rng);
          input = 'model.onnx';
        } else if (from === 'pytorch') {
          const f = pick(rng, pytorchFiles());
          files['model.safetensors'] = mutateSafetensors(f.bytes, rng, 'longshort.architecture');
          if (f.arch !== null && rng.int(2) === 0) files['arch.json'] = rng.int(2) === 0 ? toJson(mutateJson(JSON.parse(f.arch), rng, /size|layers|features/)) : f.arch;
          input = 'model.safetensors';
        } else {
          files['model.safetensors'] = mutateSafetensors(s.model, rng, 'longshort', /Size|size|layers|dtype|shape/);
          input = 'model.safetensors';
        }
        if (kind === 3) {
          args = ['convert', join(dir, input), join(out, pick(rng, ['m.onnx', 'm.safetensors', 'm.bin'])), ...(rng.int(3) === 0 ? ['--from', pick(rng, ['longshort', 'pytorch', 'onnx', 'tfjs', 'x'])] : [])];
          if (files['arch.json'] !== undefined) args.push('--arch', join(dir, 'arch.json'));
        } else args = ['inspect', join(dir, input), ...(rng.int(2) === 0 ? ['--json'] : [])];
        break;
      }
      default: {
        files['series.csv'] = mutateText(seriesCsv(80, pick(rng, ['day', 'month'] as const)), rng);
        args = ['forecast', join(dir, 'series.csv'), '--target', pick(rng, ['v', 'w', 'nope']), '--horizon', opt(rng, ['2', '3']), '--epochs', '1', '--hidden', opt(rng, ['2', '3']), '--missing', pick(rng, ['error', 'interpolate', 'ffill', 'drop']), '--out', out, '--quiet'];
        if (rng.int(4) > 0) args.push('--date', 'date');
        if (rng.int(3) === 0) args.push('--lookback', opt(rng, ['3', '4']), '--season', opt(rng, ['1', '2']));
      }
    }
    const bytes = Object.values(files).reduce((n, f) => n + (typeof f === 'string' ? f.length : f.length), 0);
    return {
      bytes,
      label: `${args[0]} ${Object.keys(files).join(' ')}`,
      run: async () => {
        mkdirSync(dir, { recursive: true });
        for (const [name, f] of Object.entries(files)) writeFileSync(join(dir, name), f);
        try {
          await run(args);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  },
};
