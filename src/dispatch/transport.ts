// Where HTTP exchanges run. In-process, undici shares the event loop with the database and
// the dispatcher; on a sender thread (transport-worker.ts), request writing, response parsing
// and socket I/O move to another core, and the main thread only posts the prepared request
// and receives the classified outcome. The thread keeps its own undici Agent with the same
// connect-time SSRF guard. Times that drive retries come from the main thread's clock: the
// thread only measures how long the exchange took.
import { Worker } from 'node:worker_threads';
import type { Agent } from 'undici';
import type { Logger } from '../logger.js';
import { parseRetryAfter } from './backoff.js';
import type { PreparedRequest } from './request.js';
import { send, type SendOutcome } from './send.js';

export interface Transport {
  /** Resolves once requests can go out without waiting (a sender thread has booted). */
  start(): Promise<void>;
  send(req: PreparedRequest, timeoutMs: number): Promise<SendOutcome>;
  close(): Promise<void>;
}

/** What crosses to the sender thread: only what the request needs. */
export interface WireRequest {
  id: number;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
}

export type WireReply = { kind: 'ready' } | { kind: 'reply'; id: number; out: SendOutcome };

export function inProcessTransport(agent: Agent, now: () => number): Transport {
  return {
    start: () => Promise.resolve(),
    send: (req, timeoutMs) => send(agent, req, timeoutMs, now),
    close: () => Promise.resolve(),
  };
}

// The thread's module: transport-worker.js once built. Under tsx (tests, `npm run dev`) the
// .ts module is loaded through a small bootstrap that registers tsx in the thread first:
// workers do not inherit the main thread's module hooks on Node 20.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
function workerScript(): { script: URL | string; eval: boolean; entry: string | null; tsx: string | null } {
  if (!FROM_SOURCE) return { script: new URL('./transport-worker.js', import.meta.url), eval: false, entry: null, tsx: null };
  const bootstrap = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((api) => { api.register(); return import(workerData.entry); });`;
  return { script: bootstrap, eval: true, entry: new URL('./transport-worker.ts', import.meta.url).href, tsx: import.meta.resolve('tsx/esm/api') };
}

class ThreadTransport implements Transport {
  /** Started by start() (the engine) or the first request: an API-only node never pays for it. */
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (out: SendOutcome) => void; startedAt: number; started: number }>();
  private nextId = 1;
  private closing = false;
  private ready: Promise<void> = Promise.resolve();

  constructor(private readonly options: { allowPrivateNetworks: boolean }, private readonly now: () => number, private readonly log: Logger) {}

  private spawn(): Worker {
    const w = workerScript();
    // A small young generation: the thread's garbage is short-lived request and response
    // objects, and V8's default let its semi-spaces add ~30 MB to RSS during a drain.
    const worker = new Worker(w.script, { eval: w.eval, workerData: { ...this.options, entry: w.entry, tsx: w.tsx }, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    worker.unref();
    let booted: () => void = () => undefined;
    this.ready = new Promise<void>((resolve) => {
      booted = resolve;
    });
    worker.on('message', (reply: WireReply) => {
      if (reply.kind === 'ready') booted();
      else this.settle(reply.id, reply.out);
    });
    worker.on('error', (err) => this.log.error({ err }, 'sender thread failed'));
    worker.on('exit', (code) => {
      // A thread that fails to boot must not leave start() waiting: the next request starts another.
      booted();
      // Requests it held may or may not have reached their endpoints: they count as failed
      // attempts and are retried (at least once, never lost).
      for (const id of [...this.pending.keys()]) this.fail(id, 'the sender thread stopped before the answer');
      this.worker = null;
      if (!this.closing) this.log.error({ code }, 'sender thread exited; a new one starts with the next request');
    });
    return worker;
  }

  start(): Promise<void> {
    this.worker ??= this.spawn();
    return this.ready;
  }

  send(req: PreparedRequest, timeoutMs: number): Promise<SendOutcome> {
    const id = this.nextId++;
    return new Promise<SendOutcome>((resolve) => {
      this.pending.set(id, { resolve, startedAt: this.now(), started: performance.now() });
      const wire: WireRequest = { id, url: req.url, method: req.method, headers: req.headers, body: req.body, timeoutMs };
      this.worker ??= this.spawn();
      this.worker.postMessage(wire);
    });
  }

  private settle(id: number, out: SendOutcome): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    // Retry timing runs on the main clock (a manual one in tests); the thread measured the exchange.
    const startedAt = p.startedAt;
    if (out.kind === 'error') p.resolve({ ...out, startedAt });
    else p.resolve({ ...out, startedAt, retryAfterMs: parseRetryAfter(out.headers['retry-after'], startedAt + out.durationMs) });
  }

  private fail(id: number, message: string): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.settle(id, { kind: 'error', startedAt: p.startedAt, durationMs: Math.round(performance.now() - p.started), errorClass: 'network', message });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker?.terminate();
  }
}

/** `threads` sender threads, requests spread across them in turn. */
export function threadTransport(threads: number, options: { allowPrivateNetworks: boolean }, now: () => number, log: Logger): Transport {
  const all = Array.from({ length: Math.max(1, threads) }, () => new ThreadTransport(options, now, log));
  let next = 0;
  return {
    start: async () => {
      await Promise.all(all.map((t) => t.start()));
    },
    send: (req, timeoutMs) => {
      const t = all[next++ % all.length] ?? all[0];
      if (t === undefined) throw new Error('no sender thread');
      return t.send(req, timeoutMs);
    },
    close: async () => {
      await Promise.all(all.map((t) => t.close()));
    },
  };
}
