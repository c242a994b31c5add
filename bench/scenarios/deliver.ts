// Delivery: in one run against one sink process —
//   1. the reference: raw undici POSTs to the sink at concurrency 64;
//   2. hookrelay draining a preloaded backlog with batch = 1 (maxConcurrency 64), and with
//      batch = 100, reporting deliveries/s, CPU per delivery across hookrelay + sink, and peak RSS;
//   3. ingest→receipt latency p50/p99 at a steady 1,000 events/s.
import { preload, rawUndici, steady } from '../lib/load.js';
import { api, percentile, resetSink, sinkStats, startHookrelay, startSink, tempSqliteUrl, until, type Service } from '../lib/services.js';
import type { Row } from '../lib/report.js';

const EVENT = (i: number): unknown => ({ tenantId: 'bench', type: 'bench.deliver', data: { i, order: 'ord_123', amount: 4200, note: 'x'.repeat(100) } });

async function drain(sink: Service, label: string, total: number, webhook: Record<string, unknown>, pathName: string, extraEnv: Record<string, string> = {}): Promise<{ rate: number; cpuMs: number; rss: number; seconds: number }> {
  const db = tempSqliteUrl();
  let server = await startHookrelay(db.url, extraEnv, ['serve', '--no-dispatch']);
  try {
    await api(server.url, 'POST', '/api/v1/tenants', { id: 'bench', name: 'Bench' });
    await api(server.url, 'POST', '/api/v1/webhooks', { tenantId: 'bench', name: label, url: `${sink.url}/ok/${pathName}`, verify: false, ...webhook });
    await preload(server.url, total, EVENT);
    await server.stop();
    await resetSink(sink);
    server = await startHookrelay(db.url, extraEnv);
    const cpu0 = server.proc.cpu() + sink.proc.cpu();
    let rss = 0;
    const start = performance.now();
    await until(async () => {
      rss = Math.max(rss, server.proc.rssMb());
      const s = (await sinkStats(sink))[`/ok/${pathName}`];
      return (s?.events ?? 0) >= total;
    }, 600_000, 100);
    const s = (await sinkStats(sink))[`/ok/${pathName}`];
    const seconds = s === undefined ? (performance.now() - start) / 1000 : (s.last - s.first) / 1000;
    const cpu = server.proc.cpu() + sink.proc.cpu() - cpu0;
    return { rate: total / Math.max(seconds, 0.001), cpuMs: (cpu * 1000) / total, rss, seconds };
  } finally {
    await server.stop();
    db.cleanup();
  }
}

export async function deliverBench(quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const sink = await startSink();
  try {
    const body = JSON.stringify({ id: 'evt_0123456789', type: 'bench.deliver', timestamp: new Date().toISOString(), tenantId: 'bench', data: { i: 1, order: 'ord_123', amount: 4200, note: 'x'.repeat(100) } });
    const sinkCpu0 = sink.proc.cpu();
    const ref = await rawUndici(`${sink.url}/ok/reference`, 64, quick ? 5 : 10, body);
    const refRate = ref.requests / ref.seconds;
    rows.push({ scenario: 'deliver', metric: 'reference: raw undici POSTs/s (c=64)', value: refRate, unit: 'req/s', cpuMsPerOp: ((ref.cpu + sink.proc.cpu() - sinkCpu0) * 1000) / ref.requests, note: 'same sink, same body size' });

    const n1 = quick ? 50_000 : 200_000;
    const b1 = await drain(sink, 'batch1', n1, { maxConcurrency: 64 }, 'b1');
    rows.push({
      scenario: 'deliver', metric: `batch=1 deliveries/s (drain ${n1.toLocaleString('en-US')})`, value: b1.rate, unit: 'dlv/s',
      target: `≥ 50% of reference (${Math.round(refRate / 2).toLocaleString('en-US')})`, pass: b1.rate >= refRate / 2, cpuMsPerOp: b1.cpuMs,
      note: `${((100 * b1.rate) / refRate).toFixed(0)}% of reference; peak RSS ${Math.round(b1.rss)} MB`,
    });

    const n100 = quick ? 200_000 : 1_000_000;
    const b100 = await drain(sink, 'batch100', n100, { maxConcurrency: 16, batch: { maxEvents: 100, maxWaitMs: 1000 } }, 'b100');
    rows.push({ scenario: 'deliver', metric: `batch=100 events/s (drain ${n100.toLocaleString('en-US')})`, value: b100.rate, unit: 'ev/s', target: '≥ 100,000', pass: b100.rate >= 100_000, cpuMsPerOp: b100.cpuMs, note: `peak RSS ${Math.round(b100.rss)} MB` });
    rows.push({ scenario: 'deliver', metric: `peak RSS draining ${n100.toLocaleString('en-US')} (batch=100)`, value: b100.rss, unit: 'MB', target: '≤ 300', pass: b100.rss <= 300 });
  } finally {
    await sink.stop();
  }

  // Latency needs the sink to parse each event's send time.
  const lsink = await startSink({ latency: true });
  const db = tempSqliteUrl();
  const server = await startHookrelay(db.url);
  try {
    await api(server.url, 'POST', '/api/v1/tenants', { id: 'bench', name: 'Bench' });
    await api(server.url, 'POST', '/api/v1/webhooks', { tenantId: 'bench', name: 'latency', url: `${lsink.url}/ok/latency`, verify: false, maxConcurrency: 32 });
    const seconds = quick ? 5 : 10;
    // Warm-up, not reported: a server that just started runs unoptimised code (JIT) and would
    // queue its first second's requests; "steady" means a server that has been running.
    const warm = await steady(server.url, 1000, 2, (t) => ({ tenantId: 'bench', type: 'bench.latency', data: { t } }));
    await until(async () => ((await sinkStats(lsink))['/ok/latency']?.events ?? 0) >= warm, 60_000);
    await resetSink(lsink);
    const sent = await steady(server.url, 1000, seconds, (t) => ({ tenantId: 'bench', type: 'bench.latency', data: { t } }));
    await until(async () => ((await sinkStats(lsink))['/ok/latency']?.events ?? 0) >= sent, 60_000);
    const lat = (await sinkStats(lsink))['/ok/latency']?.latencies ?? [];
    const p50 = percentile(lat, 50);
    const p99 = percentile(lat, 99);
    rows.push({ scenario: 'deliver', metric: 'ingest→receipt p50 at 1,000 ev/s', value: p50, unit: 'ms' });
    rows.push({ scenario: 'deliver', metric: 'ingest→receipt p99 at 1,000 ev/s', value: p99, unit: 'ms', target: '≤ 50', pass: p99 <= 50, note: `${sent} events over ${seconds} s` });
  } finally {
    await server.stop();
    await lsink.stop();
    db.cleanup();
  }
  return rows;
}
