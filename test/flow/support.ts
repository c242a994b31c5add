// Helpers for flow-control tests: the endpoint's health as the API reports it, and a settle
// wait that proves nothing more arrives (used after the clock stops the engine).
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.js';
import type { Receiver } from '../helpers/receiver.js';
import { sleep } from '../engine/support.js';

export interface HealthJson {
  enabled: boolean;
  disabledReason: string | null;
  circuit: { state: string; openedAt: string | null; nextProbeAt: string | null; consecutiveFailures: number };
  concurrency: { max: number; effective: number; inFlight: number };
  pausedUntil: string | null;
  lastStatus: number | null;
  lastError: string | null;
  windows: { window: string; attempts: number; successRate: number | null; p50Ms: number | null; p99Ms: number | null }[];
  queue: { pending: number; retrying: number; delivering: number; failed: number };
  fifo: { blocked: boolean; headDeliveryId: string | null; headState: string | null; headAttempts: number } | null;
}

export async function health(t: TestApp, webhookId: string): Promise<HealthJson> {
  const res = await t.call<HealthJson>('GET', `/api/v1/webhooks/${webhookId}/health`);
  assert.equal(res.status, 200, res.raw);
  return res.body;
}

/** Asserts the receiver's request count stays at `count` for `ms` (the engine is holding back). */
export async function staysAt(r: Receiver, count: number, ms = 300): Promise<void> {
  await sleep(ms);
  assert.equal(r.requests.length, count, `expected the receiver to stay at ${count} requests`);
}

/** The ids of the events a receiver got, in arrival order (single-event bodies). */
export function receivedIds(r: Receiver): string[] {
  return r.requests.map((q) => (JSON.parse(q.body) as { id: string }).id);
}
