// A private PostgreSQL server for tests that must stop or restart the database (the shared
// server on :5432 serves other test files at the same time). initdb into a temp directory,
// start on a free port as the postgres user, trust auth. Skips, saying why, where that is
// impossible (no PostgreSQL binaries, or not allowed to switch to the postgres user).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../engine/support.js';

export interface PrivatePostgres {
  url: string;
  restart(): void;
  stop(): void;
  start(): void;
  cleanup(): void;
}

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort();
  const v = versions.at(-1);
  return v === undefined ? null : join(root, v, 'bin');
}

/** Why a private server cannot be started here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  const bin = binDir();
  if (bin === null || !existsSync(join(bin, 'initdb'))) return 'no PostgreSQL server binaries under /usr/lib/postgresql';
  const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'true']);
  if (probe.status !== 0) return 'cannot run commands as the postgres user (needs root)';
  return null;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (bin === null) throw new Error('no PostgreSQL binaries');
  const dir = mkdtempSync(join(tmpdir(), 'hookrelay-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  const asPostgres = (cmd: string, args: string[]): void => {
    execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' });
  };
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const ctl = (action: string, extra: string[] = []): void =>
    asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, ...extra, action]);
  ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => ctl('restart', ['-m', 'fast']),
    stop: () => ctl('stop', ['-m', 'immediate']),
    start: () => ctl('start'),
    cleanup: () => {
      try {
        ctl('stop', ['-m', 'immediate']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
