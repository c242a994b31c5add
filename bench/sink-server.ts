// The benchmark sink: a separate process answering webhook requests like a fast (or slow, or
// dead) receiver, counting requests and events per path, and measuring ingest→receipt latency
// from a `t` (epoch ms, fractional) inside each event's data.
//   /ok/<name>     answer 200 after --delay-ms (default 0)
//   /hang/<name>   accept and never answer
//   GET /__stats   counters and latency samples; POST /__reset clears them
import { createServer, type ServerResponse } from 'node:http';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i] ?? '', process.argv[i + 1] ?? '');
const delayMs = Number(args.get('--delay-ms') ?? '0');
const parseLatency = args.get('--latency') === '1';

interface PathStats { requests: number; events: number; latencies: number[]; first: number; last: number }
let stats = new Map<string, PathStats>();
const hanging = new Set<ServerResponse>();
const now = (): number => performance.timeOrigin + performance.now();

function record(path: string, body: string): void {
  let s = stats.get(path);
  const t = now();
  if (s === undefined) {
    s = { requests: 0, events: 0, latencies: [], first: t, last: t };
    stats.set(path, s);
  }
  s.requests += 1;
  s.last = t;
  if (body.length === 0) {
    s.events += 1;
    return;
  }
  if (!parseLatency) {
    // Count events without parsing: one per "tenantId" key in the envelope(s).
    let n = 0;
    for (let i = body.indexOf('"tenantId"'); i !== -1; i = body.indexOf('"tenantId"', i + 10)) n++;
    s.events += Math.max(1, n);
    return;
  }
  const parsed = JSON.parse(body) as { data?: { t?: number } } | { data?: { t?: number } }[];
  const list = Array.isArray(parsed) ? parsed : [parsed];
  s.events += list.length;
  for (const e of list) if (typeof e.data?.t === 'number' && s.latencies.length < 2_000_000) s.latencies.push(t - e.data.t);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = req.url ?? '/';
    if (url === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Object.fromEntries(stats)));
      return;
    }
    if (url === '/__reset') {
      stats = new Map();
      res.writeHead(204);
      res.end();
      return;
    }
    if (url.startsWith('/hang/')) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    record(url.split('?')[0] ?? url, Buffer.concat(chunks).toString('utf8'));
    const answer = (): void => {
      res.writeHead(200, { 'content-length': '0' });
      res.end();
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.maxRequestsPerSocket = 0;
server.listen(Number(args.get('--port') ?? '0'), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof addr === 'object' && addr !== null ? addr.port : 0 })}\n`);
});
