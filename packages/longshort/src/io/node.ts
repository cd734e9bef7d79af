// Node-only file access for model files: atomic writes (a crash or error mid-save never leaves a
// half-written model where the old one was) and reads with clear errors. The format itself lives in
// ./safetensors.ts, which works on bytes and runs in browsers; this file is never imported by it.
//
// Atomic write = write a temp file in the target's directory, fsync it, rename it over the target
// (rename within one file system is atomic on POSIX and replaces the target on Windows), then fsync
// the directory so the rename itself survives a power cut. On any error the temp file is removed and
// the target is left as it was.
//
// Left out: cross-device moves, file locking between concurrent writers (last rename wins, each
// writer's file is whole), preserving the old file's permissions/owner.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
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

function tempPathFor(target: string): string {
  // Same directory as the target so that rename() never crosses a file system. Hidden, and named
  // after the target so a leftover from a killed process is easy to attribute.
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function ioError(where: string, what: string, path: string, err: unknown, hint: string): Error {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ? ` (${e.code})` : '';
  const out = new Error(`[${where}] ${what} '${path}'${code}: ${e?.message ?? String(err)}.${hint ? ` Hint: ${hint}` : ''}`, {
    cause: err,
  });
  (out as NodeJS.ErrnoException).code = e?.code;
  return out;
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
  const tmp = tempPathFor(target);
  let fh;
  let stage = 'create a temp file next to';
  try {
    fh = await open(tmp, 'wx', 0o666);
    stage = 'write';
    const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = data instanceof Uint8Array ? [data] : data;
    for await (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`each chunk must be a Uint8Array; received ${chunk === null ? 'null' : typeof chunk}`);
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
    const code = (err as NodeJS.ErrnoException).code;
    throw ioError('writeFileAtomic', `could not ${stage}`, target, err, hintFor(code, target));
  }
  await fsyncDir(dirname(target));
}

/** Synchronous writeFileAtomic, for CLIs and exit handlers. Same guarantees; `data` must be bytes or a sync iterable. */
export function writeFileAtomicSync(path: string, data: Uint8Array | Iterable<Uint8Array>): void {
  const target = resolve(path);
  const tmp = tempPathFor(target);
  let fd: number | undefined;
  let stage = 'create a temp file next to';
  try {
    fd = openSync(tmp, 'wx', 0o666);
    stage = 'write';
    const chunks: Iterable<Uint8Array> = data instanceof Uint8Array ? [data] : data;
    for (const chunk of chunks) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`each chunk must be a Uint8Array; received ${chunk === null ? 'null' : typeof chunk}`);
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
