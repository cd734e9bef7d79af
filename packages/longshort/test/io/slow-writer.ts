// Child process for test/io/node.test.ts: starts an atomic write of `target` from a source that
// yields one chunk, announces it on stdout, then never finishes, so the parent can SIGKILL it
// mid-write (a real crash, not a simulated one).
import { writeFileAtomic } from '../../src/io/node.js';

const target = process.argv[2];
async function* source(): AsyncGenerator<Uint8Array> {
  yield new Uint8Array(4096).fill(0x41);
  process.stdout.write('wrote-first-chunk\n');
  await new Promise(() => setInterval(() => {}, 1000)); // stay alive (and mid-write) until killed
}
await writeFileAtomic(target, source());
