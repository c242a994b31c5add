// A real HTTP receiver on 127.0.0.1:0 that a test controls: what status to answer (fixed, or
// per request), how long to wait first, whether to hang, and what headers to send. It records
// every request (method, url, headers, raw body, arrival time) for assertions.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the connection stays open until the client gives up or the test closes). */
  hang?: boolean;
}

export type Behaviour = (req: Received, index: number) => Reply;

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  setBehaviour(b: Behaviour): void;
  /** Resolves once `n` requests have arrived (rejects after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  /** Requests currently being answered (delayed or hanging). */
  open(): number;
  maxOpen(): number;
  close(): Promise<void>;
}

export const always = (status: number, extra: Omit<Reply, 'status'> = {}): Behaviour => () => ({ status, ...extra });
/** Fails the first `n` requests with `status`, then answers 200. */
export const failTimes = (n: number, status = 500): Behaviour => (_req, i) => (i < n ? { status } : { status: 200 });

export async function startReceiver(behaviour: Behaviour = always(200), host = '127.0.0.1'): Promise<Receiver> {
  let current = behaviour;
  const requests: Received[] = [];
  const waiters: { n: number; resolve: (r: Received[]) => void }[] = [];
  const hanging = new Set<ServerResponse>();
  let open = 0;
  let maxOpen = 0;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const index = requests.length;
      requests.push(received);
      for (const w of waiters.filter((x) => requests.length >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(requests.slice());
      }
      const reply = current(received, index);
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      const finish = (): void => {
        open -= 1;
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      };
      if (reply.hang === true) {
        hanging.add(res);
        res.on('close', () => {
          if (hanging.delete(res)) open -= 1;
        });
        return;
      }
      if (reply.delayMs !== undefined && reply.delayMs > 0) setTimeout(finish, reply.delayMs);
      else finish();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shownHost}:${port}`,
    port,
    requests,
    setBehaviour: (b) => {
      current = b;
    },
    waitFor: (n, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        if (requests.length >= n) {
          resolve(requests.slice());
          return;
        }
        const timer = setTimeout(() => reject(new Error(`receiver got ${requests.length} of ${n} requests within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ n, resolve: (r) => { clearTimeout(timer); resolve(r); } });
      }),
    open: () => open,
    maxOpen: () => maxOpen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
