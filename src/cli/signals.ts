// Graceful shutdown on SIGTERM/SIGINT: the given steps run once (each step logs and carries
// on if it fails); a second signal exits at once.
import type { Logger } from '../logger.js';

export function onShutdownSignals(log: Logger, timeoutMs: number, shutdown: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal, timeoutMs }, 'shutting down');
    // A hard stop if the orderly one hangs: in-flight work beyond this is left to its leases.
    const guard = setTimeout(() => {
      log.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, timeoutMs + 10_000);
    guard.unref();
    shutdown().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
