// A ThreadPool worker thread in Node: feeds ./threads.ts's worker logic its messages.
import { parentPort } from 'node:worker_threads';
import { createPoolWorker, type PoolRequest } from './threads.js';

const port = parentPort!;
const handle = createPoolWorker((m) => port.postMessage(m), () => port.close());
port.on('message', (m: PoolRequest) => handle(m));
