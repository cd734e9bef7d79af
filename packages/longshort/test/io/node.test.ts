// Node edge of the model files: atomic writes that leave the old file whole when a write fails
// part-way (a throwing source, a rename that fails, a killed process), checked reads with clear
// errors, and save/load of safetensors files.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  loadSafetensors,
  readFileChecked,
  readFileCheckedSync,
  saveSafetensors,
  writeFileAtomic,
  writeFileAtomicSync,
} from '../../src/io/node.js';
import { FormatError } from '../../src/errors.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'longshort-io-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const OLD = new TextEncoder().encode('old model, must survive');
const tempFiles = (d: string): string[] => readdirSync(d).filter((f) => f.endsWith('.tmp'));

describe('writeFileAtomic', () => {
  test('writes bytes and chunk sequences, replaces an existing file, leaves no temp file', async () => {
    const p = join(dir, 'a.bin');
    await writeFileAtomic(p, OLD);
    assert.deepEqual(new Uint8Array(readFileSync(p)), OLD);
    await writeFileAtomic(p, [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])]);
    assert.deepEqual(Array.from(readFileSync(p)), [1, 2, 3]);
    async function* gen(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100; i++) yield new Uint8Array(1000).fill(i);
    }
    await writeFileAtomic(p, gen());
    const got = readFileSync(p);
    assert.equal(got.length, 100_000);
    assert.equal(got[99_999], 99);
    writeFileAtomicSync(p, new Uint8Array([9]));
    assert.deepEqual(Array.from(readFileSync(p)), [9]);
    assert.deepEqual(tempFiles(dir), []);
  });

  test('a source that throws mid-way: old file intact, temp file removed, error names the path', async () => {
    const p = join(dir, 'model.safetensors');
    writeFileSync(p, OLD);
    let yielded = 0;
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(65536).fill(7);
      yielded++;
      yield new Uint8Array(65536).fill(8);
      yielded++;
      throw new Error('disk source broke');
    }
    await assert.rejects(writeFileAtomic(p, failing()), (e: Error) => {
      assert.match(e.message, /^\[writeFileAtomic\] could not write '.*model\.safetensors': disk source broke/);
      assert.equal((e.cause as Error).message, 'disk source broke');
      return true;
    });
    assert.equal(yielded, 2, 'two chunks (128 KiB) reached the temp file before the failure');
    assert.deepEqual(new Uint8Array(readFileSync(p)), OLD);
    assert.deepEqual(tempFiles(dir), []);

    // same with the sync variant and a throwing iterator
    function* failingSync(): Generator<Uint8Array> {
      yield new Uint8Array(1000);
      throw new RangeError('out of data');
    }
    assert.throws(() => writeFileAtomicSync(p, failingSync()), /\[writeFileAtomicSync\] could not write .*: out of data/);
    assert.deepEqual(new Uint8Array(readFileSync(p)), OLD);
    assert.deepEqual(tempFiles(dir), []);

    // a chunk of the wrong type is refused the same way
    await assert.rejects(writeFileAtomic(p, ['text' as unknown as Uint8Array]), /each chunk must be a Uint8Array; received string/);
    assert.deepEqual(new Uint8Array(readFileSync(p)), OLD);
    assert.deepEqual(tempFiles(dir), []);
  });

  test('rename fails after the temp file is complete (target is a directory): temp removed, target untouched', async () => {
    const p = join(dir, 'is-a-dir');
    mkdirSync(p);
    writeFileSync(join(p, 'inside'), 'x');
    await assert.rejects(writeFileAtomic(p, new Uint8Array(100)), (e: NodeJS.ErrnoException) => {
      assert.match(e.message, /^\[writeFileAtomic\] could not replace '.*is-a-dir' \((EISDIR|ENOTEMPTY|EEXIST|EPERM)\)/);
      return true;
    });
    assert.ok(statSync(p).isDirectory());
    assert.equal(readFileSync(join(p, 'inside'), 'utf8'), 'x');
    assert.deepEqual(tempFiles(dir), []);
    assert.throws(() => writeFileAtomicSync(p, new Uint8Array(100)), /could not replace/);
    assert.deepEqual(tempFiles(dir), []);
  });

  test('missing directory: clear error with a hint, nothing created', async () => {
    const p = join(dir, 'no', 'such', 'dir', 'm.safetensors');
    await assert.rejects(writeFileAtomic(p, OLD), /could not create a temp file next to '.*m\.safetensors' \(ENOENT\).*Hint: the directory '.*dir' must exist/);
    assert.equal(existsSync(join(dir, 'no')), false);
  });

  test('a writer killed (SIGKILL) mid-write leaves the old file whole', async () => {
    const sub = join(dir, 'killed');
    mkdirSync(sub);
    const p = join(sub, 'model.safetensors');
    writeFileSync(p, OLD);
    const script = fileURLToPath(new URL('./slow-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, p], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('wrote-first-chunk')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    });
    // mid-write: the temp file exists and holds the first chunk; the target is still the old file
    const tmp = tempFiles(sub);
    assert.equal(tmp.length, 1);
    assert.match(tmp[0], /^\.model\.safetensors\.\d+\.[0-9a-f]{12}\.tmp$/);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.deepEqual(new Uint8Array(readFileSync(p)), OLD);
    // a killed process cannot clean up: its temp file stays, hidden and named after the target
    assert.equal(statSync(join(sub, tmp[0])).size, 4096);
  });

  test('concurrent writers: the file ends up equal to one of them, whole', async () => {
    const p = join(dir, 'race.bin');
    const a = new Uint8Array(200_000).fill(1);
    const b = new Uint8Array(300_000).fill(2);
    await Promise.all([writeFileAtomic(p, a), writeFileAtomic(p, b), writeFileAtomic(p, a), writeFileAtomic(p, b)]);
    const got = new Uint8Array(readFileSync(p));
    assert.ok((got.length === a.length && got.every((x) => x === 1)) || (got.length === b.length && got.every((x) => x === 2)));
    assert.deepEqual(tempFiles(dir), []);
  });
});

describe('readFileChecked', () => {
  test('reads bytes; a missing file or a directory gives an error naming the absolute path', async () => {
    const p = join(dir, 'r.bin');
    writeFileSync(p, new Uint8Array([5, 6, 7]));
    assert.deepEqual(Array.from(await readFileChecked(p)), [5, 6, 7]);
    assert.deepEqual(Array.from(readFileCheckedSync(p)), [5, 6, 7]);
    const missing = join(dir, 'missing.safetensors');
    await assert.rejects(readFileChecked(missing), (e: NodeJS.ErrnoException) => {
      assert.ok(e.message.includes(`'${missing}' (ENOENT)`), e.message);
      assert.match(e.message, /Hint: no file exists at '.*missing\.safetensors'; check the path/);
      assert.equal(e.code, 'ENOENT');
      return true;
    });
    assert.throws(() => readFileCheckedSync(missing), /\[readFileCheckedSync\] could not read '.*missing\.safetensors' \(ENOENT\)/);
    await assert.rejects(readFileChecked(dir), /\(EISDIR\).*Hint: the path names a directory/);
  });
});

describe('saveSafetensors / loadSafetensors', () => {
  test('round trip through a file, and a corrupt file is a FormatError that names the file', async () => {
    const p = join(dir, 'm.safetensors');
    await saveSafetensors(p, [{ name: 'w', shape: [2], data: new Float32Array([1.5, -2]) }], { longshort: '{"v":1}' });
    const { tensors, metadata } = await loadSafetensors(p);
    assert.deepEqual(Array.from(tensors.get('w')!.data), [1.5, -2]);
    assert.equal(metadata.longshort, '{"v":1}');
    const bytes = readFileSync(p);
    writeFileSync(p, bytes.subarray(0, bytes.length - 1));
    await assert.rejects(loadSafetensors(p), (e: Error) => {
      assert.ok(e instanceof FormatError);
      assert.match(e.message, /tensor 'w': data_offsets \[0, 8\] must lie inside the data section of 7 bytes.*\(file: '.*m\.safetensors'\)$/);
      return true;
    });
  });
});
