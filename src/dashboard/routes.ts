// The dashboard at / (issue: dashboard). Registered by app.ts; filled in by its own module.
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.js';

export function registerDashboard(_app: FastifyInstance, _rt: Runtime): Promise<void> {
  return Promise.resolve(); // not built yet
}
