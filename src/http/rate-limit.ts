// Rate limits and back-pressure (issue: protection). Registered first by app.ts.
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.js';

export function registerRateLimits(_app: FastifyInstance, _rt: Runtime): Promise<void> {
  return Promise.resolve(); // not built yet
}
