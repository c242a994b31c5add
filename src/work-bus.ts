// "This webhook has new work": raised after a commit that created or rescheduled deliveries,
// heard by the dispatcher of this process at once and, on PostgreSQL, by every other node
// through NOTIFY. Losing a notification only delays work until the next poll.
import type { Logger } from './logger.js';
import type { Store } from './store/store.js';

export const WORK_CHANNEL = 'hookrelay_work';

export class WorkBus {
  private readonly listeners: ((webhookIds: readonly string[]) => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  /** Starts hearing other nodes (PostgreSQL only). */
  async start(): Promise<void> {
    if (this.store.dialect !== 'postgres') return;
    await this.store.listen(WORK_CHANNEL, (payload) => this.emitLocal(payload === '' ? [] : payload.split(',')));
  }

  onWork(listener: (webhookIds: readonly string[]) => void): void {
    this.listeners.push(listener);
  }

  announce(webhookIds: readonly string[]): void {
    if (webhookIds.length === 0) return;
    this.emitLocal(webhookIds);
    if (this.store.dialect === 'postgres') {
      // NOTIFY payloads are limited to 8000 bytes; an empty payload means "poll now".
      const payload = webhookIds.join(',');
      void this.store.notify(WORK_CHANNEL, payload.length > 7000 ? '' : payload).catch((err: unknown) => this.log.warn({ err }, 'work notification failed'));
    }
  }

  private emitLocal(webhookIds: readonly string[]): void {
    for (const l of this.listeners) l(webhookIds);
  }
}
