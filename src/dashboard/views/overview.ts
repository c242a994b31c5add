// The overview panel: headline figures, throughput and latency charts, and the queue. The
// panel polls itself every few seconds (htmx), so an open overview stays current.
import { html, type SafeHtml } from '../html.js';
import type { Overview } from '../overview-data.js';
import { CHART_MINUTES } from '../overview-data.js';
import { legend, lines, stackedBars, type Series } from './charts.js';
import { count, duration, percent } from './format.js';

export const OVERVIEW_POLL = 'every 5s';

function card(label: string, value: string, note: string | SafeHtml = '', tone = ''): SafeHtml {
  return html`<div class="card ${tone}"><div class="label">${label}</div><div class="value">${value}</div><div class="note">${note}</div></div>`;
}

export function overviewPanel(o: Overview): SafeHtml {
  const labels = o.minutes.map((m) => new Date(m.at).toISOString().slice(11, 16));
  const throughput: Series[] = [
    { label: 'delivered', tone: 'ok', values: o.minutes.map((m) => m.delivered) },
    { label: 'HTTP error', tone: 'warn', values: o.minutes.map((m) => m.httpError) },
    { label: 'no response', tone: 'bad', values: o.minutes.map((m) => m.noResponse) },
  ];
  const latency: Series[] = [
    { label: 'p50', tone: 'info', values: o.minutes.map((m) => m.p50) },
    { label: 'p99', tone: 'warn', values: o.minutes.map((m) => m.p99) },
  ];
  const recent = o.windows[0];
  const q = o.queue;
  const shown = (state: 'pending' | 'retrying' | 'delivering' | 'failed'): string => count(q[state], q.capped.includes(state));
  const oldest = q.oldestDueAt === null ? null : Math.max(0, o.now - q.oldestDueAt);
  const total = o.minutes.reduce((sum, m) => sum + m.delivered + m.httpError + m.noResponse, 0);
  return html`<section id="overview-panel" hx-get="/overview/panel" hx-trigger="${OVERVIEW_POLL}" hx-swap="outerHTML">
  <div class="cards">
    ${card('Success rate', percent(recent?.successRate ?? null), `${count(recent?.attempts ?? 0)} attempts, last 5 min`, (recent?.successRate ?? 1) < 0.9 ? 'bad' : '')}
    ${card('Latency p50 / p99', `${duration(recent?.p50 ?? null)} / ${duration(recent?.p99 ?? null)}`, 'attempts, last 5 min')}
    ${card(`Deliveries, ${CHART_MINUTES} min`, count(total), 'attempted, all outcomes')}
    ${card('Oldest due', oldest === null ? 'none waiting' : duration(oldest), 'age of the longest-waiting due delivery', oldest !== null && oldest > 60_000 ? 'warn' : '')}
  </div>
  <div class="grid-2">
    <figure class="panel">
      <figcaption>Deliveries per minute by outcome (UTC)</figcaption>
      ${stackedBars(throughput, labels, 'Deliveries per minute by outcome')}
      ${legend(throughput)}
    </figure>
    <figure class="panel">
      <figcaption>Attempt latency per minute, p50 and p99</figcaption>
      ${lines(latency, labels, 'Attempt latency p50 and p99', (v) => duration(v))}
      ${legend(latency)}
    </figure>
  </div>
  <div class="grid-2">
    <div class="panel">
      <h2>Queue</h2>
      <table class="compact" aria-label="Queue depth by state">
        <tbody>
          <tr><th>pending</th><td class="num">${shown('pending')}</td></tr>
          <tr><th>retrying</th><td class="num">${shown('retrying')}</td></tr>
          <tr><th>delivering</th><td class="num">${shown('delivering')}</td></tr>
          <tr><th><a href="/failed">failed</a></th><td class="num">${shown('failed')}</td></tr>
        </tbody>
      </table>
    </div>
    <div class="panel">
      <h2>Recent windows</h2>
      <table class="compact" aria-label="Attempts over recent windows">
        <thead><tr><th>window</th><th class="num">attempts</th><th class="num">success</th><th class="num">p50</th><th class="num">p99</th></tr></thead>
        <tbody>${o.windows.map((w) => html`<tr><td>${w.label}</td><td class="num">${count(w.attempts)}</td><td class="num">${percent(w.successRate)}</td><td class="num">${duration(w.p50)}</td><td class="num">${duration(w.p99)}</td></tr>`)}</tbody>
      </table>
      ${o.sampled ? html`<p class="muted small">Very busy: figures are computed from a sample of the window's attempts.</p>` : ''}
    </div>
  </div>
  <p class="muted small">Updated ${new Date(o.now).toISOString().slice(11, 19)} UTC · refreshes every 5 seconds. Percentiles are estimated from latency buckets.</p>
</section>`;
}
