// A training thread of the demo (a Web Worker started by the training worker when the page is
// cross-origin isolated): runs the thread pool's worker logic from src/train/threads.ts.
import { createPoolWorker, type PoolRequest } from 'longshort';

const handle = createPoolWorker((m) => (self as unknown as Worker).postMessage(m), () => self.close());
self.onmessage = (e: MessageEvent<PoolRequest>) => handle(e.data);
