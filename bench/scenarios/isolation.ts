// Isolation: one healthy webhook receives a steady 1,000 events/s (its tenant's load) and its
// delivered rate and ingest→receipt p99 are measured three times on one server:
//   solo; beside 200 webhooks (another tenant) whose endpoint accepts connections and never
//   answers, fed 2 events/s each; and beside a tenant draining a backlog of deliveries to a
//   fast endpoint. Targets: ≥ 90 % of the solo rate and p99 ≤ 2× the solo p99.
import { preload, steady } from '../lib/load.js';
import { api, percentile, resetSink, sinkStats, startHookrelay, startSink, tempSqliteUrl, until, type Service } from '../lib/services.js';
import type { Row } from '../lib/report.js';

const RATE = 1000;

async function measure(server: Service, sink: Service, seconds: number): Promise<{ rate: number; p99: number; p50: number }> {
  await resetSink(sink);
  const sent = await steady(server.url, RATE, seconds, (t) => ({ tenantId: 'healthy', type: 'healthy.x', data: { t } }));
  await until(async () => ((await sinkStats(sink))['/ok/healthy']?.events ?? 0) >= sent, 120_000, 50);
  const s = (await sinkStats(sink))['/ok/healthy'];
  const lat = s?.latencies ?? [];
  return { rate: sent / Math.max(0.001, ((s?.last ?? 0) - (s?.first ?? 0)) / 1000), p99: percentile(lat, 99), p50: percentile(lat, 50) };
}

export async function isolationBench(quick: boolean): Promise<Row[]> {
  const seconds = quick ? 5 : 10;
  const backlog = quick ? 100_000 : 1_000_000;
  const sink = await startSink({ latency: true });
  const fast = await startSink();
  const hang = await startSink();
  const db = tempSqliteUrl();
  const rows: Row[] = [];
  let server = await startHookrelay(db.url, {}, ['serve', '--no-dispatch']);
  try {
    for (const id of ['healthy', 'dead', 'bulk']) await api(server.url, 'POST', '/api/v1/tenants', { id, name: id });
    await api(server.url, 'POST', '/api/v1/webhooks', { tenantId: 'healthy', name: 'healthy', url: `${sink.url}/ok/healthy`, verify: false, maxConcurrency: 32 });
    for (let i = 0; i < 200; i++) await api(server.url, 'POST', '/api/v1/webhooks', { tenantId: 'dead', name: `dead${i}`, url: `${hang.url}/hang/${i}`, eventTypes: [`dead.${i}`], verify: false });
    await api(server.url, 'POST', '/api/v1/webhooks', { tenantId: 'bulk', name: 'bulk', url: `${fast.url}/ok/bulk`, verify: false, maxConcurrency: 64 });
    await preload(server.url, backlog, (i) => ({ tenantId: 'bulk', type: 'bulk.x', data: { i, note: 'x'.repeat(100) } }));
    await server.stop();

    // Solo: the bulk tenant's backlog is parked by disabling its webhook until its turn.
    server = await startHookrelay(db.url);
    const bulkId = ((await api<{ data: { id: string }[] }>(server.url, 'GET', '/api/v1/webhooks?tenantId=bulk')).data[0]?.id) ?? '';
    await api(server.url, 'PATCH', `/api/v1/webhooks/${bulkId}`, { enabled: false });
    await measure(server, sink, 2); // warm-up (JIT, caches, the first checkpoint), not reported
    const solo = await measure(server, sink, seconds);
    rows.push({ scenario: 'isolation', metric: 'healthy webhook solo: delivered/s', value: solo.rate, unit: 'ev/s', note: `p50 ${solo.p50.toFixed(1)} ms, p99 ${solo.p99.toFixed(1)} ms` });

    // Beside 200 endpoints that never answer (2 events/s each, 5 s timeout).
    let stop = false;
    const feeding = (async () => {
      for (let tick = 0; !stop; tick++) {
        const events = Array.from({ length: 40 }, (_, k) => ({ tenantId: 'dead', type: `dead.${(tick * 40 + k) % 200}`, data: {} }));
        await api(server.url, 'POST', '/api/v1/events', { events });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await new Promise((r) => setTimeout(r, 6000)); // the first requests time out and circuits open
    const dead = await measure(server, sink, seconds);
    stop = true;
    await feeding;
    rows.push({
      scenario: 'isolation', metric: 'beside 200 hanging endpoints: delivered/s', value: dead.rate, unit: 'ev/s',
      target: '≥ 90% of solo', pass: dead.rate >= 0.9 * solo.rate, note: `${((100 * dead.rate) / solo.rate).toFixed(0)}% of solo`,
    });
    rows.push({ scenario: 'isolation', metric: 'beside 200 hanging endpoints: p99', value: dead.p99, unit: 'ms', target: `≤ 2× solo (${(2 * solo.p99).toFixed(1)})`, pass: dead.p99 <= 2 * solo.p99, note: `p50 ${dead.p50.toFixed(1)} ms` });

    // Beside a tenant draining its backlog at full speed.
    await api(server.url, 'PATCH', `/api/v1/webhooks/${bulkId}`, { enabled: true });
    await new Promise((r) => setTimeout(r, 1000));
    const bulk0 = (await sinkStats(fast))['/ok/bulk']?.events ?? 0;
    const busy = await measure(server, sink, seconds);
    const bulk1 = (await sinkStats(fast))['/ok/bulk']?.events ?? 0;
    rows.push({
      scenario: 'isolation', metric: `beside a ${backlog.toLocaleString('en-US')}-delivery backlog: delivered/s`, value: busy.rate, unit: 'ev/s',
      target: '≥ 90% of solo', pass: busy.rate >= 0.9 * solo.rate, note: `${((100 * busy.rate) / solo.rate).toFixed(0)}% of solo; the backlog drained ${Math.round((bulk1 - bulk0) / seconds)}/s meanwhile`,
    });
    rows.push({ scenario: 'isolation', metric: 'beside the backlog: p99', value: busy.p99, unit: 'ms', target: `≤ 2× solo (${(2 * solo.p99).toFixed(1)})`, pass: busy.p99 <= 2 * solo.p99, note: `p50 ${busy.p50.toFixed(1)} ms` });
  } finally {
    await server.stop();
    await Promise.all([sink.stop(), fast.stop(), hang.stop()]);
    db.cleanup();
  }
  return rows;
}
