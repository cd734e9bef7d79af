// `longshort convert IN OUT` and `longshort inspect FILE`: move models between longshort model
// files, PyTorch state dicts (safetensors), ONNX and TensorFlow.js Layers models, and describe a
// model file without running it. The format logic lives in src/interop and src/io; this file only
// picks the formats, reads and writes (atomically), and prints.

import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, Output, choiceOption, ensureDir, requireFile, table } from '../util.js';
import {
  Sequential, modelFromBytes, type TrainingState, writeFileAtomic, readFileChecked, exportOnnx, importOnnx, inspectModelFile,
  detectPytorchArchitecture, loadPytorchSafetensors, savePytorchSafetensors, readSafetensorsHeader, loadTfjsModelFromFile,
  type PytorchArchitecture,
} from 'longshort';

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

/** A model read by loadAnyModel; a longshort file also brings what it keeps besides the weights. */
export interface AnyModel {
  model: Sequential;
  kind: From;
  /** The application's data (scalers, vocabularies, settings): longshort files only, {} otherwise. */
  extra: Record<string, unknown>;
  /** A checkpoint's training state (longshort files only). */
  training: TrainingState | null;
}

/** What the application data is, in a few words: "app 'forecast': app, config, scalers". */
function describeExtra(extra: Record<string, unknown>): string {
  const app = typeof extra.app === 'string' ? `app '${extra.app}': ` : '';
  return `${app}${Object.keys(extra).filter((k) => k !== 'app').join(', ')}`;
}

/**
 * The format of a file from its first bytes, or null: safetensors starts with its header's length
 * (8 bytes, little-endian) and then the JSON header's '{'; ONNX is a protobuf ModelProto, whose
 * first byte is the tag of one of its fields (ir_version, field 1, in files from every exporter we know).
 */
export function sniffModelFormat(bytes: Uint8Array): 'safetensors' | 'onnx' | null {
  if (bytes.length > 9 && bytes[8] === 0x7b) {
    const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (n > 0n && n <= BigInt(bytes.length - 8)) return 'safetensors';
  }
  // ModelProto fields: 1 ir_version and 5 model_version (varint); 2–4, 6–8, 14, 20, 25 (length-delimited)
  const tag = bytes[0];
  const field = tag >> 3, wire = tag & 7;
  if (bytes.length > 2 && ((wire === 0 && (field === 1 || field === 5)) || (wire === 2 && [2, 3, 4, 6, 7, 8, 14, 20, 25].includes(field)))) return 'onnx';
  return null;
}

/** The start of a file, for an error message: printable text as text, else hex bytes. */
function preview(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 24);
  const text = head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  if (head.length === 0) return 'nothing (the file is empty)';
  return text ? `the text ${JSON.stringify(new TextDecoder().decode(head) + (bytes.length > 24 ? '…' : ''))}` : `the bytes ${Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}…`;
}

function notAModel(path: string, bytes: Uint8Array): CliError {
  const tfjs = extname(path).toLowerCase() === '.json' ? " For a TensorFlow.js model.json, convert it first: longshort convert model.json model.safetensors." : '';
  return new CliError(
    `'${path}' is not a model file longshort can read: it is neither safetensors (an 8-byte header length, then a JSON header) nor ONNX (a protobuf ModelProto); it starts with ${preview(bytes)}. Hint: inspect reads .safetensors and .onnx files.${tfjs}`,
  );
}

export async function loadAnyModel(path: string, from?: From, archPath?: string): Promise<AnyModel> {
  const plain = (model: Sequential, kind: From): AnyModel => ({ model, kind, extra: {}, training: null });
  requireFile(path, 'model');
  if ((from ?? (extname(path).toLowerCase() === '.json' ? 'tfjs' : undefined)) === 'tfjs') return plain(await loadTfjsModelFromFile(path), 'tfjs');
  const bytes = await readFileChecked(path);
  // a file that is no model at all: say so, rather than what the ONNX or safetensors reader trips on
  if (sniffModelFormat(bytes) === null && (from !== undefined || ['.onnx', '.safetensors'].includes(extname(path).toLowerCase()))) throw notAModel(path, bytes);
  const kind = inputKind(path, bytes, from);
  switch (kind) {
    case 'onnx':
      return plain(importOnnx(bytes), kind);
    case 'longshort': {
      const f = modelFromBytes(bytes);
      return { model: f.model, kind, extra: f.extra, training: f.training };
    }
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
      return plain(loadPytorchSafetensors(bytes, arch), kind);
    }
    default:
      return plain(await loadTfjsModelFromFile(path), kind);
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
      const { model, kind, extra, training } = await loadAnyModel(input, opts.from, opts.arch);
      const to = outputKind(output, opts.to);
      // a longshort file keeps the application's data (and a checkpoint its training state) besides
      // the weights; longshort → longshort keeps them, the other formats have no place for them
      const appData = Object.keys(extra).length > 0 || training !== null;
      if (appData && to !== 'longshort' && resolve(input) === resolve(output)) {
        throw new CliError(
          `writing ${to} over '${input}' would lose what the file keeps besides the weights (${describeExtra(extra)}${training !== null ? ', training state' : ''}): ${to} files hold the weights and the architecture only. Hint: write to another file.`,
        );
      }
      const bytes = to === 'onnx' ? exportOnnx(model) : to === 'pytorch' ? savePytorchSafetensors(model) : model.toBytes({ extra, ...(training !== null ? { training } : {}) });
      ensureDir(dirname(output));
      await writeFileAtomic(output, bytes);
      const params = model.params().reduce((s, p) => s + p.value.length, 0);
      const kept = to === 'longshort' && appData;
      out.result({ input, from: kind, output, to, bytes: bytes.length, parameters: params, summary: model.summary(), extra: kept ? Object.keys(extra) : [], training: to === 'longshort' && training !== null });
      out.print(model.summary());
      out.print(`converted ${input} (${kind}) → ${output} (${to}, ${bytes.length} bytes)${kept ? `; kept its application data (${describeExtra(extra)})${training !== null ? ' and training state' : ''}` : ''}`);
      if (appData && to !== 'longshort') {
        out.log(`note: ${output} has the weights only; the application data of ${input} (${describeExtra(extra)}) has no place in ${to} files. Keep ${input} for the longshort commands that need it.`);
      }
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
      const format = sniffModelFormat(bytes);
      if (format === null) throw notAModel(file, bytes);
      const info = inspectModelFile(bytes, format);
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
