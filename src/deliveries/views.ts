import { iso, isoOrNull } from '../http/schemas.js';
import type { Attempt, Delivery } from '../store/records.js';

export function deliveryView(d: Delivery) {
  return {
    id: d.id,
    eventId: d.eventId,
    webhookId: d.webhookId,
    tenantId: d.tenantId,
    eventType: d.eventType,
    state: d.state,
    attempts: d.attempts,
    occurredAt: iso(d.occurredAt),
    createdAt: iso(d.createdAt),
    firstAttemptAt: isoOrNull(d.firstAttemptAt),
    lastAttemptAt: isoOrNull(d.lastAttemptAt),
    nextAttemptAt: d.state === 'pending' || d.state === 'retrying' ? isoOrNull(d.nextAttemptAt) : null,
    deliveredAt: isoOrNull(d.deliveredAt),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    failedReason: d.failedReason,
    batchId: d.batchId,
    links: [
      { rel: 'self', href: `/api/v1/deliveries/${d.id}`, method: ['GET'] },
      { rel: 'retry', href: `/api/v1/deliveries/${d.id}/retry`, method: ['POST'] },
      { rel: 'webhook', href: `/api/v1/webhooks/${d.webhookId}`, method: ['GET'] },
      { rel: 'event', href: `/api/v1/events/${encodeURIComponent(d.eventId)}?tenantId=${encodeURIComponent(d.tenantId)}`, method: ['GET'] },
    ],
  };
}

export function attemptView(a: Attempt) {
  return {
    id: a.id,
    webhookId: a.webhookId,
    batchId: a.batchId,
    eventCount: a.eventCount,
    startedAt: iso(a.startedAt),
    durationMs: a.durationMs,
    status: a.status,
    outcome: a.outcome,
    error: a.error,
    errorClass: a.errorClass,
    url: a.url,
    method: a.method,
    requestHeaders: a.requestHeaders,
    responseHeaders: a.responseHeaders,
    responseExcerpt: a.responseExcerpt,
  };
}
