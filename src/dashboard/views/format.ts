// Small display helpers shared by the pages: times (UTC, with the exact ISO time on hover),
// durations, and state badges.
import { html, type SafeHtml } from '../html.js';

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** `2026-11-23 10:00:05` UTC in a <time> element with the full ISO time as its title. */
export function time(ms: number | null, empty = '—'): SafeHtml {
  if (ms === null) return html`<span class="muted">${empty}</span>`;
  const iso = isoTime(ms);
  return html`<time datetime="${iso}" title="${iso}">${iso.slice(0, 19).replace('T', ' ')}</time>`;
}

export function duration(ms: number | null): string {
  if (ms === null) return '—';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(abs < 10_000 ? 1 : 0)} s`;
  if (abs < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (abs < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** "3 min ago" / "in 20 s", relative to `now`. */
export function relative(ms: number | null, now: number): string {
  if (ms === null) return '';
  const d = ms - now;
  return d <= 0 ? `${duration(-d)} ago` : `in ${duration(d)}`;
}

const STATE_TONE: Record<string, string> = {
  delivered: 'ok', pending: 'info', delivering: 'info', retrying: 'warn', failed: 'bad', canceled: 'muted',
  success: 'ok', failure: 'bad', closed: 'ok', open: 'bad', half_open: 'warn',
};

export function badge(text: string, tone?: string): SafeHtml {
  return html`<span class="badge ${tone ?? STATE_TONE[text] ?? 'muted'}">${text.replace('_', ' ')}</span>`;
}

export function statusBadge(status: number | null, error?: string | null): SafeHtml {
  if (status === null) return error === undefined || error === null ? html`<span class="muted">—</span>` : html`<span class="badge bad" title="${error}">no response</span>`;
  return html`<span class="badge ${status >= 200 && status < 300 ? 'ok' : status >= 500 ? 'bad' : 'warn'}">${status}</span>`;
}

export function count(n: number, capped = false): string {
  return `${n.toLocaleString('en-US')}${capped ? '+' : ''}`;
}

export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${(ratio * 100).toFixed(ratio >= 0.999 || ratio === 0 ? 0 : 1)}%`;
}

/** JSON text pretty-printed (falls back to the text itself when it does not parse). */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
