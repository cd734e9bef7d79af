// Node-only file access for model files: atomic writes (a crash or error mid-save never leaves a
// half-written model where the old one was) and reads with clear errors. The format itself lives in
// ./safetensors.ts, which works on bytes and runs in browsers; this file is never imported by it.
//
// Atomic write = write a temp file in the target's directory, fsync it, rename it over the target
// (rename within one file system is atomic on POSIX and replaces the target on Windows), then fsync
// the directory so the rename itself survives a power cut. On any error the temp file is removed and
// the target is left as it was.
//
// A process killed mid-save (kill -9, power cut) cannot remove its temp file, so every save first
// sweeps the target's directory for temp files of the same target left by processes that no longer
// run (the writer's pid is in the name: `.model.safetensors.<pid>.<random>.tmp`) and deletes them.
// A temp file of a live writer is kept unless it has not been touched for a day.
//
// Left out: cross-device moves, file locking between concurrent writers (last rename wins, each
// writer's file is whole), preserving the old file's permissions/owner, telling apart writers on
// other machines sharing a network file system (their pids mean nothing here: their temp files are
// swept after a day).

import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { ConfigError, FileError } from '../errors.js';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import {
  decodeSafetensors,
  encodeSafetensors,
  type DecodeOptions,
  type DecodedSafetensors,
  type EncodeOptions,
  type NamedTensor,
  type TensorLike,
} from './safetensors.js';

/** Bytes, or chunks of bytes produced one after another (e.g. a header, then each tensor). */
export type ByteSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Temp files of one target: `.<name>.<pid>.<12 hex>.tmp` (the name cut to 200 characters, so the whole stays below NAME_MAX). */
function tempPrefix(target: string): string {
  return `.${basename(target).slice(0, 200)}.`;
}
const TEMP_TAIL = /^(\d+)\.[0-9a-f]{12}\.tmp$/;

function tempPathFor(target: string): string {
  // Same directory as the target so that rename() never crosses a file system. Hidden, and named
  // after the target and the writer's pid so a leftover from a killed process can be attributed.
  return join(dirname(target), `${tempPrefix(target)}${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Temp files this process is writing now (never swept). */
const inFlight = new Set<string>();
/** A live writer's temp file untouched for this long is a leftover too (pid reused, or another machine). */
const STALE_MS = 24 * 3600 * 1000;

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Leftover temp files of `target` (from killed writers) among the directory entries `names`. */
function staleTemps(target: string, names: readonly string[], mtimeOf: (path: string) => number | null): string[] {
  const prefix = tempPrefix(target);
  const dir = dirname(target);
  const out: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = TEMP_TAIL.exec(name.slice(prefix.length));
    if (m === null) continue;
    const path = join(dir, name);
    if (inFlight.has(path)) continue;
    const pid = Number(m[1]);
    const leftover = pid === process.pid || !pidAlive(pid) || (() => {
      const t = mtimeOf(path);
      return t !== null && Date.now() - t > STALE_MS;
    })();
    if (leftover) out.push(path);
  }
  return out;
}

/**
 * Delete temp files that interrupted saves to `path` left behind (writers killed mid-save). Every
 * save does this first; call it yourself to tidy a directory. Returns the paths removed.
 */
export async function removeStaleTempFiles(path: string): Promise<string[]> {
  const target = resolve(path);
  let names: string[];
  try {
    names = await readdir(dirname(target));
  } catch {
    return []; // no directory (the save will say so) or not readable
  }
  const mtimes = new Map<string, number>();
  for (const n of names) {
    if (!n.startsWith(tempPrefix(target))) continue;
    const st = await stat(join(dirname(target), n)).catch(() => null);
    if (st !== null) mtimes.set(join(dirname(target), n), st.mtimeMs);
  }
  const removed: string[] = [];
  for (const p of staleTemps(target, names, (q) => mtimes.get(q) ?? null)) {
    try {
      await unlink(p);
      removed.push(p);
    } catch {
      /* gone already (another save swept it) */
    }
  }
  return removed;
}

/** Synchronous removeStaleTempFiles. */
export function removeStaleTempFilesSync(path: string): string[] {
  const target = resolve(path);
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return [];
  }
  const removed: string[] = [];
  const mtime = (q: string): number | null => {
    try {
      return statSync(q).mtimeMs;
    } catch {
      return null;
    }
  };
  for (const p of staleTemps(target, names, mtime)) {
    try {
      unlinkSync(p);
      removed.push(p);
    } catch {
      /* gone already */
    }
  }
  return removed;
}

function ioError(where: string, what: string, path: string, err: unknown, hint: string): FileError {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const detail = err instanceof Error ? err.message : String(err);
  return new FileError(`[${where}] ${what} '${path}'${code ? ` (${code})` : ''}: ${detail}.${hint ? ` Hint: ${hint}` : ''}`, { code, path, cause: err });
}

function hintFor(code: string | undefined, path: string): string {
  switch (code) {
    case 'ENOENT':
      return `the directory '${dirname(path)}' must exist; create it first.`;
    case 'EACCES':
    case 'EPERM':
      return 'check the permissions of the file and its directory.';
    case 'EISDIR':
      return 'the path names a directory; give a file name.';
    case 'ENOSPC':
      return 'the disk is full.';
    default:
      return '';
  }
}

/** fsync a directory so a rename inside it is durable. Not possible on Windows (and some FUSE file systems): skipped there. */
async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES') throw err;
  } finally {
    await fh?.close().catch(() => {});
  }
}

function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES') throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Write `data` to `path` atomically: readers see either the old file or the complete new one.
 * If anything fails (including `data` throwing part-way), the temp file is removed, the old file at
 * `path` is untouched, and the error is rethrown with the path in its message.
 */
export async function writeFileAtomic(path: string, data: ByteSource): Promise<void> {
  const target = resolve(path);
  await removeStaleTempFiles(target);
  const tmp = tempPathFor(target);
  inFlight.add(tmp);
  let fh;
  let stage = 'create a temp file next to';
  try {
    fh = await open(tmp, 'wx', 0o666);
    stage = 'write';
    const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = data instanceof Uint8Array ? [data] : data;
    for await (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array)) {
        throw new ConfigError(`each chunk must be a Uint8Array; received ${chunk === null ? 'null' : typeof chunk}`);
      }
      let off = 0;
      while (off < chunk.length) {
        const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
        off += bytesWritten;
      }
    }
    stage = 'flush to disk';
    await fh.sync();
    await fh.close();
    fh = undefined;
    stage = 'replace';
    await rename(tmp, target);
  } catch (err) {
    await fh?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    inFlight.delete(tmp);
    if (err instanceof ConfigError) throw err; // the caller's data, not the file system
    const code = (err as NodeJS.ErrnoException).code;
    throw ioError('writeFileAtomic', `could not ${stage}`, target, err, hintFor(code, target));
  }
  inFlight.delete(tmp);
  await fsyncDir(dirname(target));
}

/** Synchronous writeFileAtomic, for CLIs and exit handlers. Same guarantees; `data` must be bytes or a sync iterable. */
export function writeFileAtomicSync(path: string, data: Uint8Array | Iterable<Uint8Array>): void {
  const target = resolve(path);
  removeStaleTempFilesSync(target);
  const tmp = tempPathFor(target);
  let fd: number | undefined;
  let stage = 'create a temp file next to';
  try {
    fd = openSync(tmp, 'wx', 0o666);
    stage = 'write';
    const chunks: Iterable<Uint8Array> = data instanceof Uint8Array ? [data] : data;
    for (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array)) {
        throw new ConfigError(`each chunk must be a Uint8Array; received ${chunk === null ? 'null' : typeof chunk}`);
      }
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    }
    stage = 'flush to disk';
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    stage = 'replace';
    renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing; the original error matters */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already gone */
    }
    if (err instanceof ConfigError) throw err; // the caller's data, not the file system
    const code = (err as NodeJS.ErrnoException).code;
    throw ioError('writeFileAtomicSync', `could not ${stage}`, target, err, hintFor(code, target));
  }
  fsyncDirSync(dirname(target));
}

function readHint(code: string | undefined, path: string): string {
  if (code === 'ENOENT') return `no file exists at '${path}'; check the path (relative paths are resolved against ${process.cwd()}).`;
  return hintFor(code, path);
}

/** Read a whole file; a missing file, a directory or a permission problem gives an error naming the path. */
export async function readFileChecked(path: string): Promise<Uint8Array> {
  const target = resolve(path);
  try {
    const buf = await readFile(target);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw ioError('readFileChecked', 'could not read', target, err, readHint(code, target));
  }
}

/** Synchronous readFileChecked. */
export function readFileCheckedSync(path: string): Uint8Array {
  const target = resolve(path);
  try {
    const buf = readFileSync(target);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw ioError('readFileCheckedSync', 'could not read', target, err, readHint(code, target));
  }
}

/** Encode tensors to safetensors and write them atomically to `path`. */
export async function saveSafetensors(
  path: string,
  tensors: readonly NamedTensor[] | Readonly<Record<string, TensorLike>>,
  metadata?: Readonly<Record<string, string>>,
  opts?: EncodeOptions,
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata, opts));
}

/** Read and decode a safetensors file. FormatError messages are prefixed with the path. */
export async function loadSafetensors(path: string, opts?: DecodeOptions): Promise<DecodedSafetensors> {
  const bytes = await readFileChecked(path);
  try {
    return decodeSafetensors(bytes, opts);
  } catch (err) {
    if (err instanceof Error) err.message = `${err.message} (file: '${resolve(path)}')`;
    throw err;
  }
}
