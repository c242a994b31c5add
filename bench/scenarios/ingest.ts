// Ingest: accepted events per second, every one committed (SQLite, synchronous=FULL) before
// its 202. Single-event requests at concurrency 64, then 100-event batches. One webhook is
// subscribed, so each event also creates its delivery in the same transaction; the server
// runs with --no-dispatch so only ingest is measured. Afterwards the database is read to check
// that the number of stored events equals the number of 202 answers.
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { api, ADMIN_KEY, startHookrelay, tempSqliteUrl } from '../lib/services.js';
import type { Row } from '../lib/report.js';

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err: Error | null, result) => (err ? reject(err) : resolve(result)));
  });
}

export async function ingestBench(quick: boolean): Promise<Row[]> {
  const db = tempSqliteUrl();
  const server = await startHookrelay(db.url, {}, ['serve', '--no-dispatch']);
  const rows: Row[] = [];
  try {
    await api(server.url, 'POST', '/api/v1/tenants', { id: 'bench', name: 'Bench' });
    await api(server.url, 'POST', '/api/v1/webhooks', { tenantId: 'bench', name: 'sink', url: 'http://127.0.0.1:9/x', verify: false });
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const event = { tenantId: 'bench', type: 'bench.ingest', data: { order: 'ord_123', amount: 4200, currency: 'EUR', note: 'x'.repeat(120) } };
    const duration = quick ? 5 : 10;

    let cpu0 = server.proc.cpu();
    const bench0 = process.cpuUsage();
    const single = await run({ url: `${server.url}/api/v1/events`, method: 'POST', headers, body: JSON.stringify(event), connections: 64, duration });
    let cpu = server.proc.cpu() - cpu0;
    let benchCpu = (process.cpuUsage(bench0).user + process.cpuUsage(bench0).system) / 1e6;
    const singleOk = single['2xx'];
    rows.push({
      scenario: 'ingest', metric: 'single-event requests/s (c=64)', value: singleOk / duration, unit: 'req/s', target: '≥ 5,000', pass: singleOk / duration >= 5000,
      cpuMsPerOp: ((cpu + benchCpu) * 1000) / Math.max(1, singleOk),
      note: `p99 ${single.latency.p99} ms; server CPU ${((cpu * 1000) / Math.max(1, singleOk)).toFixed(3)} ms/req; non-2xx ${single.non2xx}`,
    });

    const batch = { events: Array.from({ length: 100 }, () => event) };
    cpu0 = server.proc.cpu();
    const b0 = process.cpuUsage();
    const batched = await run({ url: `${server.url}/api/v1/events`, method: 'POST', headers, body: JSON.stringify(batch), connections: 16, duration });
    cpu = server.proc.cpu() - cpu0;
    benchCpu = (process.cpuUsage(b0).user + process.cpuUsage(b0).system) / 1e6;
    const events = batched['2xx'] * 100;
    rows.push({
      scenario: 'ingest', metric: '100-event batches: events/s (c=16)', value: events / duration, unit: 'ev/s', target: '≥ 50,000', pass: events / duration >= 50000,
      cpuMsPerOp: ((cpu + benchCpu) * 1000) / Math.max(1, events),
      note: `${Math.round(batched['2xx'] / duration)} req/s, p99 ${batched.latency.p99} ms; non-2xx ${batched.non2xx}`,
    });

    await server.stop();
    const check = new Database(db.url.slice('sqlite:'.length), { readonly: true });
    const stored = (check.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    check.close();
    const accepted = singleOk + events;
    // Requests still in flight when the load generator stopped were committed without being counted.
    rows.push({ scenario: 'ingest', metric: 'events stored (≥ events acknowledged)', value: stored, unit: 'events', target: `≥ ${accepted.toLocaleString('en-US')}`, pass: stored >= accepted, note: `${stored - accepted} committed while the load generator was stopping` });
  } finally {
    await server.stop();
    db.cleanup();
  }
  return rows;
}
