// Operational events: hookrelay tells a tenant what happened to its endpoints and deliveries
// by publishing its own events (hookrelay.webhook.disabled, .circuit_opened, .circuit_closed,
// hookrelay.delivery.failed, .recovered) through the normal ingest path, so a tenant alerts on
// them by subscribing a webhook. Events about hookrelay.* deliveries are never published
// (an alerting endpoint that fails must not feed on itself), and a disabled event type
// publishes nothing.
import type { Clock } from '../clock.js';
import type { EventTypeCache } from '../event-types/validator.js';
import type { IngestEvent, Ingestor } from '../events/ingest.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { CompletionReport, DeliveryNote } from '../store/outcomes.js';
import { OPERATIONAL_PREFIX } from '../webhooks/match.js';

export const OPS_TYPES = {
  webhookDisabled: 'hookrelay.webhook.disabled',
  circuitOpened: 'hookrelay.webhook.circuit_opened',
  circuitClosed: 'hookrelay.webhook.circuit_closed',
  deliveryFailed: 'hookrelay.delivery.failed',
  deliveryRecovered: 'hookrelay.delivery.recovered',
} as const;

interface OpsEvent {
  tenantId: string;
  type: string;
  data: Record<string, unknown>;
}

const noteData = (n: DeliveryNote): Record<string, unknown> => ({
  deliveryId: n.deliveryId,
  webhookId: n.webhookId,
  eventId: n.eventId,
  eventType: n.eventType,
  attempts: n.attempts,
  lastStatus: n.lastStatus,
  lastError: n.lastError,
  ...(n.reason === null ? {} : { reason: n.reason }),
});

export class OperationalEvents {
  constructor(
    private readonly ingestor: Ingestor,
    private readonly types: EventTypeCache,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  fromReport(report: CompletionReport): void {
    const events: OpsEvent[] = [];
    for (const s of report.signals) {
      if (s.signal.kind === 'circuit_opened') {
        events.push({ tenantId: s.tenantId, type: OPS_TYPES.circuitOpened, data: { webhookId: s.webhookId, consecutiveFailures: s.signal.consecutiveFailures, nextProbeAt: new Date(s.signal.nextProbeAt).toISOString() } });
      } else if (s.signal.kind === 'circuit_closed') {
        events.push({ tenantId: s.tenantId, type: OPS_TYPES.circuitClosed, data: { webhookId: s.webhookId } });
      }
    }
    for (const d of report.disabled) events.push({ tenantId: d.tenantId, type: OPS_TYPES.webhookDisabled, data: { webhookId: d.webhookId, reason: d.reason, failedDeliveries: d.failedCount } });
    this.publish([...events, ...this.fromNotes(OPS_TYPES.deliveryFailed, report.failed), ...this.fromNotes(OPS_TYPES.deliveryRecovered, report.recovered)]);
  }

  deliveriesFailed(notes: readonly DeliveryNote[]): void {
    this.publish(this.fromNotes(OPS_TYPES.deliveryFailed, notes));
  }

  private fromNotes(type: string, notes: readonly DeliveryNote[]): OpsEvent[] {
    return notes.filter((n) => !n.eventType.startsWith(OPERATIONAL_PREFIX)).map((n) => ({ tenantId: n.tenantId, type, data: noteData(n) }));
  }

  private publish(events: readonly OpsEvent[]): void {
    if (events.length === 0) return;
    void this.submit(events).catch((err: unknown) => this.log.error({ err }, 'publishing operational events failed'));
  }

  private async submit(events: readonly OpsEvent[]): Promise<void> {
    const now = this.clock.now();
    const types = await this.types.get(events.map((e) => e.type));
    // One ingest job per tenant, so a tenant that was disabled meanwhile refuses only its own.
    const byTenant = new Map<string, IngestEvent[]>();
    for (const e of events) {
      if (types.get(e.type)?.type?.enabled === false) continue;
      const list = byTenant.get(e.tenantId) ?? [];
      list.push({ tenantId: e.tenantId, id: newId('event', now), type: e.type, timestamp: now, data: JSON.stringify(e.data), sourceId: null, deliver: true });
      byTenant.set(e.tenantId, list);
    }
    await Promise.all([...byTenant.values()].map((list) => this.ingestor.submit(list, 'ops')));
  }
}
