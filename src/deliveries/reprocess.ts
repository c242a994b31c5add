// Reprocessing the failed queue in bulk: the matching deliveries are requeued in chunks, each
// its own short transaction, yielding to the event loop between chunks, so requeueing 100,000
// deliveries never holds the database or the dispatcher for long.
import type { DeliveryFilter, Scope } from '../store/records.js';
import type { Runtime } from '../runtime.js';

const CHUNK = 1000;

export async function requeueAll(
  rt: Runtime,
  scope: Scope,
  filter: DeliveryFilter,
  onProgress?: (requeued: number) => void,
): Promise<number> {
  let beforeSeq: number | null = null;
  let total = 0;
  for (;;) {
    const now = rt.clock.now();
    const step = await rt.store.transaction(async (tx) => {
      const res = await tx.deliveries.requeueMatching(scope, filter, beforeSeq, CHUNK, now);
      await tx.dispatch.bumpDue(res.webhookIds, now);
      return res;
    });
    total += step.count;
    rt.work.announce(step.webhookIds);
    onProgress?.(total);
    if (step.scanned < CHUNK || step.lastSeq === null) return total;
    beforeSeq = step.lastSeq;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
