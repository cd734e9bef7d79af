// `longshort convert IN OUT` and `longshort inspect FILE`: move models between longshort model
// files, PyTorch state dicts (safetensors), ONNX and TensorFlow.js Layers models, and describe a
// model file without running it. The format logic lives in src/interop and src/io; this file only
// picks the formats, reads and writes (atomically), and prints.

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { CliError, Output, choiceOption, requireFile, table } from '../util.js';
import { Sequential } from '../../nn/sequential.js';
import { modelFromBytes } from '../../io/model.js';
import { writeFileAtomic, readFileChecked } from '../../io/node.js';
import { exportOnnx, importOnnx, inspectModelFile } from '../../interop/onnx.js';
import { detectPytorchArchitecture, loadPytorchSafetensors, savePytorchSafetensors, type PytorchArchitecture } from '../../interop/pytorch.js';
import { readSafetensorsHeader } from '../../io/safetensors.js';
import { loadTfjsModelFromFile } from '../../interop/tfjs-node.js';

const FROM = ['longshort', 'pytorch', 'onnx', 'tfjs'] as const;
const TO = ['longshort', 'pytorch', 'onnx'] as const;
type From = (typeof FROM)[number];
type To = (typeof TO)[number];

interface ConvertOpts {
  from?: From;
  to?: To;
  arch?: string;
  json?: boolean;
}

/** The input format: the flag, else the extension (and for .safetensors, whether the file carries a longshort architecture). */
function inputKind(path: string, bytes: Uint8Array | null, flag?: From): From {
  if (flag) return flag;
  const ext = extname(path).toLowerCase();
  if (ext === '.onnx') return 'onnx';
  if (ext === '.json') return 'tfjs';
  if (ext === '.safetensors' && bytes !== null) {
    const info = inspectModelFile(bytes, 'safetensors');
    return info.metadata['longshort'] !== undefined ? 'longshort' : 'pytorch';
  }
  throw new CliError(`cannot tell the format of '${path}' from its extension '${ext}'; pass --from ${FROM.join('|')}.`);
}

function outputKind(path: string, flag?: To): To {
  if (flag) return flag;
  const ext = extname(path).toLowerCase();
  if (ext === '.onnx') return 'onnx';
  if (ext === '.safetensors') return 'longshort';
  throw new CliError(`cannot tell the output format of '${path}' from its extension '${ext}'; pass --to ${TO.join('|')}.`);
}

export async function loadAnyModel(path: string, from?: From, archPath?: string): Promise<{ model: Sequential; kind: From }> {
  requireFile(path, 'model');
  if ((from ?? (extname(path).toLowerCase() === '.json' ? 'tfjs' : undefined)) === 'tfjs') return { model: await loadTfjsModelFromFile(path), kind: 'tfjs' };
  const bytes = await readFileChecked(path);
  const kind = inputKind(path, bytes, from);
  switch (kind) {
    case 'onnx':
      return { model: importOnnx(bytes), kind };
    case 'longshort':
      return { model: modelFromBytes(bytes).model, kind };
    case 'pytorch': {
      let arch: PytorchArchitecture | string | undefined;
      if (archPath !== undefined) {
        requireFile(archPath, 'architecture');
        arch = readFileSync(archPath, 'utf8'); // loadPytorchSafetensors reads it with the limited JSON reader
      }
      if (arch === undefined) {
        // read the architecture from names and shapes; the CLI's models are batch-first (B, T, F),
        // whatever PyTorch's default — the layout does not change a single weight
        const header = readSafetensorsHeader(bytes);
        const detected = detectPytorchArchitecture(new Map(header.entries.map((e) => [e.name, { shape: e.shape, data: [] }])));
        arch = { ...detected, lstm: { ...detected.lstm, batch_first: true } };
      }
      return { model: loadPytorchSafetensors(bytes, arch), kind };
    }
    default:
      return { model: await loadTfjsModelFromFile(path), kind };
  }
}

export function register(program: Command): void {
  program
    .command('convert')
    .description('convert a model: longshort/PyTorch .safetensors, .onnx or TensorFlow.js model.json → .safetensors or .onnx')
    .argument('<in>', 'input model file')
    .argument('<out>', 'output model file (written atomically)')
    .option('--from <format>', `input format when the extension is ambiguous: ${FROM.join(', ')}`, choiceOption('--from', FROM))
    .option('--to <format>', `output format: ${TO.join(', ')} (default from the extension; .safetensors = longshort)`, choiceOption('--to', TO))
    .option('--arch <file.json>', 'PyTorch input: the architecture JSON (default: read from tensor names and shapes)')
    .option('--json', 'print one JSON object')
    .action(async (input: string, output: string, opts: ConvertOpts) => {
      const out = new Output(opts.json === true);
      const { model, kind } = await loadAnyModel(input, opts.from, opts.arch);
      const to = outputKind(output, opts.to);
      const bytes = to === 'onnx' ? exportOnnx(model) : to === 'pytorch' ? savePytorchSafetensors(model) : model.toBytes();
      await writeFileAtomic(output, bytes);
      const params = model.params().reduce((s, p) => s + p.value.length, 0);
      out.result({ input, from: kind, output, to, bytes: bytes.length, parameters: params, summary: model.summary() });
      out.print(model.summary());
      out.print(`converted ${input} (${kind}) → ${output} (${to}, ${bytes.length} bytes)`);
    });

  program
    .command('inspect')
    .description('describe a model file (.safetensors or .onnx): architecture, tensor names and shapes, parameter count')
    .argument('<file>', 'model file')
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { json?: boolean }) => {
      const out = new Output(opts.json === true);
      requireFile(file, 'model');
      const bytes = await readFileChecked(file);
      const info = inspectModelFile(bytes);
      out.result(info);
      if (out.json) return;
      out.print(`${file}: ${info.kind}${info.onnx ? ` (opset ${info.onnx.opset}, producer '${info.onnx.producer}', ops ${Object.entries(info.onnx.ops).map(([k, v]) => `${k}×${v}`).join(' ')})` : ''}`);
      if (info.summary) out.print(info.summary);
      else if (info.architecture) out.print(`architecture: ${JSON.stringify(info.architecture)}`);
      if (info.note) out.print(`note: ${info.note}`);
      out.print(table([['tensor', 'shape', 'dtype'], ...info.tensors.map((t) => [t.name, `(${t.shape.join(', ')})`, t.dtype])]));
      out.print(`parameters: ${info.paramCount}`);
    });
}
