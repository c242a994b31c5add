// WAL checkpoints off the event loop. A checkpoint copies committed pages from the WAL into
// the database file and fsyncs it; done by SQLite automatically inside a commit, that stalls
// every request for tens of milliseconds. Here a worker thread with its own connection runs
// PASSIVE checkpoints (they never block writers) on an interval, and the main connection's
// automatic checkpoints are turned off.
import { Worker } from 'node:worker_threads';

const INTERVAL_MS = 100;

// The worker's code, inline so it works the same from src/ (tsx) and dist/.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'close') {
    clearInterval(timer);
    try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch {}
    db.close();
    parentPort.postMessage({ closed: true });
  }
});
`;

export interface Checkpointer {
  close(): Promise<void>;
}

export function startCheckpointer(path: string, betterSqlitePath: string, onError: (message: string) => void): Checkpointer {
  const worker = new Worker(SOURCE, { eval: true, workerData: { path, module: betterSqlitePath, intervalMs: INTERVAL_MS } });
  worker.unref();
  worker.on('message', (m: { error?: string }) => {
    if (m.error !== undefined) onError(m.error);
  });
  worker.on('error', (err) => onError(err.message));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          void worker.terminate().then(() => resolve());
        };
        const timer = setTimeout(done, 5000);
        worker.once('message', () => {
          clearTimeout(timer);
          done();
        });
        worker.postMessage('close');
      }),
  };
}
