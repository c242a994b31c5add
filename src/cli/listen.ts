// `hookrelay listen`: a local webhook receiver for development, in the spirit of `stripe listen`.
// Point a webhook at the printed URL and every delivery is shown — method, path, headers and
// the body as pretty JSON — with the outcome of Standard Webhooks verification when --secret is
// given (and a plain statement that nothing was verified when it is not). It answers --status
// (204) at once, or 401 for a bad signature with --reject-invalid so the sender's retries show.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyDelivery, type Verification } from './verify.js';

export interface ListenOptions {
  port: number;
  host: string;
  secret: string | null;
  status: number;
  rejectInvalid: boolean;
  toleranceSeconds: number;
  json: boolean;
}

interface Shown {
  at: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** true / false when a secret was given; null when nothing was checked. */
  verified: boolean | null;
  reason?: string;
  status: number;
}

const SHOWN_HEADERS = /^(content-type|user-agent|webhook-|authorization|x-)/i;

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return null;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describe(v: Verification | null): string {
  if (v === null) return 'signature: not verified (start with --secret whsec_… to check it)';
  return v.ok ? 'signature: verified ✔' : `signature: DOES NOT VERIFY ✘ ${v.reason}`;
}

function printHuman(s: Shown, verification: Verification | null): void {
  const lines = [`─── ${s.at}  ${s.method} ${s.path}  → ${s.status}`];
  for (const [name, value] of Object.entries(s.headers)) if (SHOWN_HEADERS.test(name)) lines.push(`${name}: ${value}`);
  lines.push(describe(verification));
  if (s.body !== null) lines.push(typeof s.body === 'string' ? s.body : JSON.stringify(s.body, null, 2));
  console.log(`${lines.join('\n')}\n`);
}

/** Starts the receiver; resolves with its URL once it listens. Stops on SIGINT/SIGTERM. */
export async function listen(options: ListenOptions): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const verification = options.secret === null ? null : verifyDelivery(raw, req.headers, options.secret, Math.floor(Date.now() / 1000), options.toleranceSeconds);
      const status = verification !== null && !verification.ok && options.rejectInvalid ? 401 : options.status;
      res.writeHead(status).end();
      const shown: Shown = {
        at: new Date().toISOString(),
        method: req.method ?? '',
        path: req.url ?? '/',
        headers: flatHeaders(req),
        body: parseBody(raw),
        verified: verification === null ? null : verification.ok,
        status,
        ...(verification !== null && !verification.ok ? { reason: verification.reason } : {}),
      };
      if (options.json) console.log(JSON.stringify(shown));
      else printHuman(shown, verification);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  const verifying = options.secret === null ? 'signatures are NOT verified (pass --secret whsec_… to verify them)' : 'signatures are verified with the given secret';
  if (options.json) console.log(JSON.stringify({ listening: url, verifying: options.secret !== null }));
  else console.log(`Ready. Listening for webhooks on ${url} — ${verifying}. Answering ${options.status}. Ctrl-C to stop.\n`);

  const stop = (): void => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return url;
}
