// A real `hookrelay serve` child process on a SQLite file and a fixed loopback port, so it can
// be killed and restarted at the same address (test/helpers/hookrelay-process.ts does the work).
import { startHookrelayProcess, type HookrelayProcess } from '../helpers/hookrelay-process.js';

export { ensureStopped, freePort, PROCESS_ADMIN_KEY, type HookrelayProcess } from '../helpers/hookrelay-process.js';

export function startHookrelay(databasePath: string, port: number, env: Record<string, string> = {}): Promise<HookrelayProcess> {
  return startHookrelayProcess({ databaseUrl: `sqlite:${databasePath}`, port, env: { HOOKRELAY_POLL_INTERVAL_MS: '100', ...env } });
}
