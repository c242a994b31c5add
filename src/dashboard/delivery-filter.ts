// The activity and failed-queue filter, read from the query string: webhook, event type,
// state and time (a recent window, or from/to in UTC). Bad values are reported, not fatal —
// the page shows what it could apply and says what it ignored.
import type { FastifyRequest } from 'fastify';
import { DELIVERY_STATES, type DeliveryFilter, type DeliveryState } from '../store/records.js';
import { queryParam } from './router.js';

export const WINDOWS: readonly (readonly [string, string, number])[] = [
  ['15m', 'last 15 minutes', 15 * 60_000],
  ['1h', 'last hour', 3_600_000],
  ['24h', 'last 24 hours', 86_400_000],
  ['7d', 'last 7 days', 7 * 86_400_000],
];

/** What the user typed, echoed back into the form and into pagination links. */
export interface FilterInput {
  webhookId?: string | undefined;
  /** Set by links (a source request's event); kept as a hidden field of the form. */
  eventId?: string | undefined;
  eventType?: string | undefined;
  state?: string | undefined;
  window?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface ReadFilter {
  input: FilterInput;
  filter: DeliveryFilter;
  problems: string[];
}

/** `2026-11-23T10:00` (a datetime-local value, taken as UTC) or a full ISO time → epoch ms. */
export function parseUtc(text: string): number | null {
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text) ? Date.parse(`${text}Z`) : Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

export function readFilter(request: FastifyRequest, now: number, fixedState?: DeliveryState): ReadFilter {
  const input: FilterInput = {
    webhookId: queryParam(request, 'webhookId'),
    // The failed queue's count and bulk retry filter by what the form offers; no event id.
    eventId: fixedState === undefined ? queryParam(request, 'eventId') : undefined,
    eventType: queryParam(request, 'eventType'),
    state: fixedState ?? queryParam(request, 'state'),
    window: queryParam(request, 'window'),
    from: queryParam(request, 'from'),
    to: queryParam(request, 'to'),
  };
  const problems: string[] = [];
  const filter: DeliveryFilter = { webhookId: input.webhookId, eventId: input.eventId, eventType: input.eventType };
  if (input.state !== undefined) {
    if ((DELIVERY_STATES as readonly string[]).includes(input.state)) filter.state = input.state as DeliveryState;
    else problems.push(`Unknown state "${input.state}" ignored.`);
  }
  const win = WINDOWS.find(([key]) => key === input.window);
  if (input.window !== undefined && win === undefined) problems.push(`Unknown time window "${input.window}" ignored.`);
  if (win !== undefined) filter.since = now - win[2];
  for (const [name, key] of [['from', 'since'], ['to', 'until']] as const) {
    const text = input[name];
    if (text === undefined) continue;
    const t = parseUtc(text);
    if (t === null) problems.push(`"${text}" is not a date and time; ${name} ignored.`);
    else filter[key] = key === 'since' && filter.since !== undefined ? Math.max(filter.since, t) : t;
  }
  return { input, filter, problems };
}
