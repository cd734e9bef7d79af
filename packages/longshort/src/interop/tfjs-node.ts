// Node-only: read a TensorFlow.js Layers model from disk (model.json and the weight shards it lists)
// and hand the bytes to the browser-safe converter in ./tfjs.ts. The one job here is file access
// that cannot be abused: a shard path from model.json must resolve — after following symlinks — to
// a regular file inside model.json's own directory, and no file is read past the size the manifest
// says it needs, so a hostile model.json cannot make the loader read /etc/passwd or a 10 GB file.
//
// Left out: http(s) URLs (fetch the files and call loadTfjsModel), and the Python converter's
// SavedModel/HDF5 inputs (convert to tfjs_layers_model first).

import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { FormatError } from '../errors.js';
import { parseJson } from '../io/json.js';
import type { Sequential } from '../nn/sequential.js';
import { loadTfjsModel, readTfjsManifest, type LoadTfjsOptions } from './tfjs.js';

const WHERE = 'loadTfjsModelFromFile';
/** A model.json is topology and a manifest; more than this is not one. */
const MAX_JSON_BYTES = 64 * 2 ** 20;

/** Read `path` (a model.json written by `model.save('file://dir')` or tensorflowjs_converter) and its shards → Sequential. */
export function loadTfjsModelFromFile(path: string, options: LoadTfjsOptions = {}): Sequential {
  const jsonPath = resolve(path);
  const st = statOrThrow(jsonPath, `model.json '${path}'`);
  if (st.isDirectory()) {
    throw new FormatError(`[${WHERE}] path must be a model.json file; received the directory '${path}'. Hint: pass '${join(path, 'model.json')}'.`);
  }
  if (!st.isFile()) throw new FormatError(`[${WHERE}] path must be a regular model.json file; received a special file '${path}'.`);
  if (st.size > MAX_JSON_BYTES) throw new FormatError(`[${WHERE}] '${path}' is ${st.size} bytes; a model.json is at most ${MAX_JSON_BYTES}. Hint: pass the model.json, not a weight shard.`);
  // The limited reader: a model.json nests about a dozen levels; 20 000 would overflow the code that walks it.
  const json = parseJson(readFileSync(jsonPath, 'utf8'), `[${WHERE}] '${path}' (a TensorFlow.js model.json)`, { maxDepth: 64, maxLength: MAX_JSON_BYTES });
  const manifest = readTfjsManifest(json); // validates names, dtypes, shapes and shard path syntax
  const dir = realpathSync(dirname(jsonPath));
  const chunks: Uint8Array[] = [];
  manifest.groups.forEach((group, gi) => {
    const files = group.paths.map((p) => {
      const full = resolve(dir, p);
      const real = realpathOrThrow(full, `shard '${p}' listed in ${path} (weightsManifest[${gi}])`);
      if (!real.startsWith(dir + sep)) {
        throw new FormatError(
          `[${WHERE}] shard '${p}' listed in ${path} must stay inside the model's directory ${dir}; it resolves to ${real}. Hint: shards must sit beside model.json or below it (no symlinks out).`,
        );
      }
      const s = statSync(real);
      if (!s.isFile()) throw new FormatError(`[${WHERE}] shard '${p}' listed in ${path} must be a regular file; received a ${s.isDirectory() ? 'directory' : 'special file'}.`);
      return { p, real, size: s.size };
    });
    const total = files.reduce((n, f) => n + f.size, 0);
    if (total !== group.byteLength) {
      const list = files.map((f) => `${f.p} (${f.size} bytes)`).join(', ');
      throw new FormatError(
        `[${WHERE}] weightsManifest[${gi}] needs ${group.byteLength} bytes for its ${group.weights.length} float32 weight(s); its shard(s) ${list} hold ${total}.` +
          (total < group.byteLength ? ' Hint: a shard is truncated or from an older save; save or download the model again.' : ' Hint: the shards do not belong to this model.json.'),
      );
    }
    // sizes are known to match, so each read is bounded by what the manifest needs
    for (const f of files) {
      const c = readFileSync(f.real);
      if (c.byteLength !== f.size) throw new FormatError(`[${WHERE}] shard '${f.p}' changed size while being read (${f.size} → ${c.byteLength} bytes); try again.`);
      chunks.push(c);
    }
  });
  const bytes = new Uint8Array(manifest.byteLength);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return loadTfjsModel(json, bytes, options);
}

function statOrThrow(p: string, what: string) {
  try {
    return statSync(p);
  } catch (e) {
    throw new FormatError(`[${WHERE}] cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}

function realpathOrThrow(p: string, what: string): string {
  try {
    return realpathSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FormatError(`[${WHERE}] cannot read ${what}: ${code === 'ENOENT' ? `no file at ${p}` : code ?? (e as Error).message}. Hint: copy every shard named in weightsManifest next to model.json.`);
  }
}
