// Inbound: requests to /in/{sourceId} accepted per second, each one committed (SQLite,
// synchronous=FULL) together with the event it becomes and that event's delivery before its
// 2xx. Three runs against a real `hookrelay serve --no-dispatch` process:
//   1. header-token source, concurrency 64, as fast as it answers (throughput);
//   2. the same source at a steady 1,000 requests/s: time to answer, p50/p99, measured per
//      request in this process (microsecond timer, not autocannon's millisecond histogram);
//   3. an hmac (Standard Webhooks) source at concurrency 64, every request signed here with a
//      fresh webhook-id, so the signature check and the dedup index are on the path.
// CPU per request counts both the server and this load generator (they share the machine).
// Afterwards the database is read to check that stored requests ≥ 2xx answers, one event each.
import { createHmac } from 'node:crypto';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { api, percentile, startHookrelay, tempSqliteUrl } from '../lib/services.js';
import type { Row } from '../lib/report.js';

const TOKEN = 'bench-inbound-token-0123456789';
const SECRET = 'whsec_YmVuY2gtaW5ib3VuZC1zaWduaW5nLWtleS0wMTIzNDU2';

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err: Error | null, result) => (err ? reject(err) : resolve(result)));
  });
}

const cpuOf = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

/** Sends `perSecond` requests per second for `seconds`, returning each answer's latency in ms. */
async function steady(url: string, perSecond: number, seconds: number, headers: Record<string, string>, body: string): Promise<{ latencies: number[]; non2xx: number }> {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: 32 });
  const latencies: number[] = [];
  let non2xx = 0;
  const total = perSecond * seconds;
  const start = performance.now();
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * perSecond));
    while (sent < due) {
      sent += 1;
      const p = (async () => {
        const t0 = performance.now();
        const res = await pool.request({ path: u.pathname, method: 'POST', headers, body });
        await res.body.dump();
        latencies.push(performance.now() - t0);
        if (res.statusCode >= 300) non2xx += 1;
      })();
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  await pool.close();
  return { latencies, non2xx };
}

export async function inboundBench(quick: boolean): Promise<Row[]> {
  const db = tempSqliteUrl();
  const server = await startHookrelay(db.url, {}, ['serve', '--no-dispatch']);
  const rows: Row[] = [];
  const duration = quick ? 5 : 10;
  let accepted = 0;
  try {
    await api(server.url, 'POST', '/api/v1/tenants', { id: 'bench', name: 'Bench' });
    await api(server.url, 'POST', '/api/v1/webhooks', { tenantId: 'bench', name: 'sink', url: 'http://127.0.0.1:9/x', verify: false });
    const plain = await api<{ id: string }>(server.url, 'POST', '/api/v1/sources', {
      tenantId: 'bench', name: 'header token', auth: { type: 'header', headerName: 'X-Token', token: TOKEN }, eventTypePointer: '/type', eventType: 'bench.inbound',
    });
    const signed = await api<{ id: string }>(server.url, 'POST', '/api/v1/sources', {
      tenantId: 'bench', name: 'hmac', auth: { type: 'hmac', secret: SECRET }, eventTypePointer: '/type', eventType: 'bench.inbound', response: { status: 202 },
    });
    const body = JSON.stringify({ type: 'order.created', order: 'ord_123', amount: 4200, currency: 'EUR', note: 'x'.repeat(120) });
    const headers = { 'content-type': 'application/json', 'x-token': TOKEN };

    // 1. Throughput at concurrency 64.
    let cpu0 = server.proc.cpu();
    let own0 = process.cpuUsage();
    const burst = await run({ url: `${server.url}/in/${plain.id}`, method: 'POST', headers, body, connections: 64, duration });
    let serverCpu = server.proc.cpu() - cpu0;
    let benchCpu = cpuOf(process.cpuUsage(own0));
    const ok = burst['2xx'];
    accepted += ok;
    rows.push({
      scenario: 'inbound', metric: 'accepted requests/s, header token (c=64, durable)', value: ok / duration, unit: 'req/s', target: '≥ 5,000', pass: ok / duration >= 5000,
      cpuMsPerOp: ((serverCpu + benchCpu) * 1000) / Math.max(1, ok),
      note: `p50 ${burst.latency.p50} ms, p99 ${burst.latency.p99} ms; server CPU ${((serverCpu * 1000) / Math.max(1, ok)).toFixed(3)} ms/req; non-2xx ${burst.non2xx}`,
    });

    // 2. Time to answer at a steady 1,000 requests/s.
    cpu0 = server.proc.cpu();
    own0 = process.cpuUsage();
    const paced = await steady(`${server.url}/in/${plain.id}`, 1000, duration, headers, body);
    serverCpu = server.proc.cpu() - cpu0;
    benchCpu = cpuOf(process.cpuUsage(own0));
    const pacedOk = paced.latencies.length - paced.non2xx;
    accepted += pacedOk;
    const p50 = percentile(paced.latencies, 50);
    const p99 = percentile(paced.latencies, 99);
    rows.push({
      scenario: 'inbound', metric: 'time to answer p50 at 1,000 req/s', value: p50, unit: 'ms',
      cpuMsPerOp: ((serverCpu + benchCpu) * 1000) / Math.max(1, pacedOk),
      note: `${paced.latencies.length} requests, non-2xx ${paced.non2xx}; server CPU ${((serverCpu * 1000) / Math.max(1, pacedOk)).toFixed(3)} ms/req`,
    });
    rows.push({ scenario: 'inbound', metric: 'time to answer p99 at 1,000 req/s', value: p99, unit: 'ms', target: '≤ 20 ms', pass: p99 <= 20, note: `max ${Math.max(...paced.latencies).toFixed(1)} ms` });

    // 3. Signed requests, a fresh webhook-id each (signature check + dedup index on the path).
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    let n = 0;
    cpu0 = server.proc.cpu();
    own0 = process.cpuUsage();
    const hmac = await run({
      url: `${server.url}/in/${signed.id}`, method: 'POST', connections: 64, duration,
      requests: [{
        setupRequest: (req) => {
          n += 1;
          const id = `msg_${n}`;
          const ts = Math.floor(Date.now() / 1000);
          const sig = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
          return { ...req, body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` } };
        },
      }],
    });
    serverCpu = server.proc.cpu() - cpu0;
    benchCpu = cpuOf(process.cpuUsage(own0));
    const signedOk = hmac['2xx'];
    accepted += signedOk;
    rows.push({
      scenario: 'inbound', metric: 'accepted requests/s, hmac-signed, unique webhook-id (c=64)', value: signedOk / duration, unit: 'req/s', target: '≥ 5,000', pass: signedOk / duration >= 5000,
      cpuMsPerOp: ((serverCpu + benchCpu) * 1000) / Math.max(1, signedOk),
      note: `p99 ${hmac.latency.p99} ms; server CPU ${((serverCpu * 1000) / Math.max(1, signedOk)).toFixed(3)} ms/req; non-2xx ${hmac.non2xx}`,
    });

    await server.stop();
    const check = new Database(db.url.slice('sqlite:'.length), { readonly: true });
    const stored = (check.prepare('SELECT COUNT(*) AS n FROM inbound_requests').get() as { n: number }).n;
    const events = (check.prepare('SELECT COUNT(*) AS n FROM events WHERE source_id IS NOT NULL').get() as { n: number }).n;
    check.close();
    rows.push({
      scenario: 'inbound', metric: 'requests stored (≥ 2xx answers), one event each', value: stored, unit: 'requests', target: `≥ ${accepted.toLocaleString('en-US')}`,
      pass: stored >= accepted && events === stored, note: `${events} events; ${stored - accepted} committed while the load generator was stopping`,
    });
  } finally {
    await server.stop();
    db.cleanup();
  }
  return rows;
}
