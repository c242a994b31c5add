// Load helpers: preload a backlog through the API, and the raw-undici reference.
import { Pool } from 'undici';
import { ADMIN_KEY } from './services.js';

/** Ingests `total` events in batches of 1000, `parallel` requests at a time. */
export async function preload(base: string, total: number, makeEvent: (i: number) => unknown, parallel = 4): Promise<void> {
  const pool = new Pool(base, { connections: parallel });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const from = next;
      const n = Math.min(1000, total - from);
      next += n;
      const events = Array.from({ length: n }, (_, k) => makeEvent(from + k));
      const res = await pool.request({ path: '/api/v1/events', method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
      const text = await res.body.text();
      if (res.statusCode !== 202) throw new Error(`preload: ${res.statusCode} ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  await pool.close();
}

/** Raw undici POSTs to `url` at `concurrency` for `seconds`: the reference rate. */
export async function rawUndici(url: string, concurrency: number, seconds: number, body: string): Promise<{ requests: number; seconds: number; cpu: number }> {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: concurrency, pipelining: 1 });
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  let requests = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const res = await pool.request({ path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.body.dump();
      requests += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu0);
  await pool.close();
  return { requests, seconds: elapsed, cpu: (used.user + used.system) / 1e6 };
}

/** Sends single events at a steady `perSecond` for `seconds`, each carrying its send time. */
export async function steady(base: string, perSecond: number, seconds: number, makeEvent: (t: number) => unknown): Promise<number> {
  const pool = new Pool(base, { connections: 32 });
  const total = perSecond * seconds;
  const start = performance.now();
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  while (sent < total) {
    const due = Math.floor(((performance.now() - start) / 1000) * perSecond);
    while (sent < Math.min(due, total)) {
      sent += 1;
      const p = (async () => {
        const res = await pool.request({
          path: '/api/v1/events', method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(makeEvent(performance.timeOrigin + performance.now())),
        });
        await res.body.dump();
      })();
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inflight);
  await pool.close();
  return sent;
}
