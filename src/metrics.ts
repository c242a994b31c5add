// Prometheus metrics, one registry per runtime (so tests can run several side by side).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly eventsIngested = new Counter({ name: 'hookrelay_events_ingested_total', help: 'Events accepted and committed', labelNames: ['source'] as const, registers: [this.registry] });
  readonly deliveries = new Counter({ name: 'hookrelay_deliveries_total', help: 'Delivery outcomes after an attempt: delivered, retry scheduled, or failed', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly attempts = new Counter({ name: 'hookrelay_attempts_total', help: 'HTTP requests made to endpoints, by outcome', labelNames: ['outcome', 'error_class'] as const, registers: [this.registry] });
  readonly attemptDuration = new Histogram({
    name: 'hookrelay_attempt_duration_seconds',
    help: 'Duration of HTTP requests to endpoints',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: 'hookrelay_queue_depth', help: 'Deliveries by state', labelNames: ['state'] as const, registers: [this.registry] });
  readonly oldestDueAge = new Gauge({ name: 'hookrelay_oldest_due_delivery_age_seconds', help: 'How long the oldest due delivery has been waiting (0 when none)', registers: [this.registry] });
  readonly inFlight = new Gauge({ name: 'hookrelay_requests_in_flight', help: 'Outbound requests in flight on this node', registers: [this.registry] });
  readonly tokenRequests = new Counter({ name: 'hookrelay_oauth2_token_requests_total', help: 'OAuth2 token requests to token endpoints, by outcome', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly inboundRequests = new Counter({ name: 'hookrelay_inbound_requests_total', help: 'Requests to /in/{sourceId}, by result', labelNames: ['result'] as const, registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'hookrelay_rate_limited_total', help: 'Requests refused with 429, by limit', labelNames: ['limit'] as const, registers: [this.registry] });
  readonly backpressureRefused = new Counter({ name: 'hookrelay_backpressure_refused_total', help: 'Ingest and inbound requests refused with 503 because the delivery backlog was over HOOKRELAY_MAX_BACKLOG', registers: [this.registry] });
  readonly circuitTransitions = new Counter({ name: 'hookrelay_circuit_transitions_total', help: 'Endpoint circuit transitions', labelNames: ['to'] as const, registers: [this.registry] });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'hookrelay_process_' });
  }
}
