// The inbound endpoint /in/{sourceId} (issue: inbound sources). Registered at the root by
// app.ts, in its own scope, so it can accept content types the management API refuses.
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.js';

export function registerInbound(_app: FastifyInstance, _rt: Runtime): Promise<void> {
  return Promise.resolve(); // not built yet
}
