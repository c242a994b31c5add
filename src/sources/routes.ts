// The sources API under /api/v1 (issue: inbound sources).
import type { Api } from '../http/schemas.js';
import type { Runtime } from '../runtime.js';

export function sourceRoutes(_api: Api, _rt: Runtime): void {
  // not built yet
}
