// Record: completions are committed in groups — everything that finished during one turn of
// the event loop goes into one transaction (store/outcomes.ts). A failed commit (database
// unreachable) keeps the completions and tries again; until then their deliveries stay leased,
// so a crash in the meantime means a resend, never a loss.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Completion, CompletionReport } from '../store/outcomes.js';
import type { Store } from '../store/store.js';

// Bounded so one commit never holds the event loop for long.
const MAX_GROUP = 500;
const RETRY_MS = 1000;

export class Recorder {
  private buffer: Completion[] = [];
  private scheduled = false;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly log: Logger,
    private readonly onRecorded: (completions: readonly Completion[], report: CompletionReport) => void,
  ) {}

  get pending(): number {
    return this.buffer.length;
  }

  add(completion: Completion): void {
    this.buffer.push(completion);
    this.schedule(0);
  }

  /** Commits everything buffered now (used when draining). */
  async drain(): Promise<void> {
    while (this.buffer.length > 0 || this.flushing !== null) {
      if (this.flushing !== null) await this.flushing;
      else await this.flush();
    }
  }

  private schedule(delayMs: number): void {
    if (this.scheduled || this.flushing !== null || this.buffer.length === 0) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      void this.flush();
    };
    if (delayMs === 0) setImmediate(run);
    else setTimeout(run, delayMs).unref();
  }

  private flush(): Promise<void> {
    if (this.flushing !== null) return this.flushing;
    const group = this.buffer.splice(0, MAX_GROUP);
    if (group.length === 0) return Promise.resolve();
    this.flushing = (async () => {
      let failed = false;
      try {
        const now = this.clock.now();
        const report = await this.store.transaction((tx) => tx.dispatch.recordCompletions(group, now, this.random), { durable: false });
        if (report.stale > 0) this.log.warn({ stale: report.stale }, 'outcomes for deliveries whose lease had passed to another node were not applied');
        this.onRecorded(group, report);
      } catch (err) {
        failed = true;
        this.buffer.unshift(...group);
        this.log.error({ err, completions: group.length }, 'recording outcomes failed; retrying');
      } finally {
        this.flushing = null;
        this.schedule(failed ? RETRY_MS : 0);
      }
    })();
    return this.flushing;
  }
}
