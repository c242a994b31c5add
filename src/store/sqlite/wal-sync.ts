// Durable commits without blocking the event loop. better-sqlite3 is synchronous, so with
// synchronous=FULL every durable COMMIT holds the only JavaScript thread for an fsync of the
// WAL (0.2–1 ms on local SSDs, far more on network disks): at 1,000 single-event requests/s
// that was a quarter of the thread. Instead the connection commits with synchronous=NORMAL
// (the WAL frames are written, not synced) and a durable transaction then waits for an
// fdatasync of the WAL file on libuv's thread pool. fsync applies to the file, not to the
// descriptor, so a sync that starts after a commit returned makes that commit durable; one
// sync in flight serves every commit that finished before it started (group durability).
//
// Checkpoints stay safe: SQLite syncs the WAL before copying it into the database and syncs
// the database before the WAL is reused, so frames overwritten after a checkpoint were
// already durable in the database file.
import { close, fdatasync, open } from 'node:fs';

export class WalSync {
  private fd: Promise<number> | null = null;
  private running = false;
  private waiting: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private closed = false;
  /** fdatasync calls made so far (for tests and diagnostics). */
  syncs = 0;

  constructor(private readonly walPath: string) {}

  /** Resolves once everything committed before this call is on stable storage. */
  sync(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the database is closed'));
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) this.start();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await new Promise((resolve) => setImmediate(resolve));
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) {
      const n = await fd.catch(() => null);
      if (n !== null) await new Promise<void>((resolve) => close(n, () => resolve()));
    }
  }

  private descriptor(): Promise<number> {
    // The WAL file exists from the first write and is never replaced while a connection is
    // open (it is reset in place after checkpoints), so one descriptor serves for good.
    this.fd ??= new Promise<number>((resolve, reject) => open(this.walPath, 'r+', (err, fd) => (err === null ? resolve(fd) : reject(err))));
    return this.fd;
  }

  private start(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.running = true;
    const done = (err: unknown): void => {
      this.running = false;
      for (const w of batch) {
        if (err === null) w.resolve();
        else w.reject(err);
      }
      if (this.waiting.length > 0) this.start();
    };
    this.descriptor().then(
      (fd) => {
        this.syncs += 1;
        fdatasync(fd, (err) => done(err));
      },
      (err: unknown) => {
        this.fd = null;
        // No WAL file yet means nothing has been written to it: nothing to make durable.
        done(err instanceof Error && 'code' in err && err.code === 'ENOENT' ? null : err);
      },
    );
  }
}
