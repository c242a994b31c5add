// The dashboard's side of webhooks: the operations themselves are src/webhooks/operations.ts
// (the same ones the API routes call); here is only what the pages add, such as one word for
// an endpoint's condition.
import type { EndpointState, Webhook } from '../store/records.js';

/** One word for a webhook's condition, from its endpoint state. */
export function healthWord(w: Webhook, s: EndpointState | undefined, now: number): { word: string; tone: string; detail: string } {
  if (!w.enabled) return { word: 'disabled', tone: 'muted', detail: w.disabledReason ?? 'disabled' };
  if (s === undefined) return { word: 'unknown', tone: 'muted', detail: '' };
  if (s.circuit === 'open') return { word: 'circuit open', tone: 'bad', detail: `${s.consecutiveFailures} consecutive failures` };
  if (s.circuit === 'half_open') return { word: 'probing', tone: 'warn', detail: 'circuit half-open' };
  if (s.pausedUntil !== null && s.pausedUntil > now) return { word: 'backing off', tone: 'warn', detail: 'paused after 429/503' };
  if (s.consecutiveFailures > 0) return { word: 'failing', tone: 'warn', detail: `${s.consecutiveFailures} consecutive failures` };
  if (s.lastSuccessAt === null) return { word: 'no traffic', tone: 'muted', detail: 'nothing delivered yet' };
  return { word: 'healthy', tone: 'ok', detail: '' };
}
