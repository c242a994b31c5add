// The `hookrelay` command line, spawned as a real process: help, configuration errors (exit
// code 2), migrate, key creation, and the first-start admin key of `serve`.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createRuntime } from '../src/runtime.js';
import { loadMigrations } from '../src/store/migrate.js';
import { tempSqlite, type TempDb } from './helpers/db.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIMIT_MS = 20_000;

interface Finished { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** The environment without any HOOKRELAY_* setting of the machine running the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOOKRELAY_')));
  return { ...env, HOOKRELAY_LOG_LEVEL: 'info', ...extra };
}

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: { stdout: string; stderr: string }; done: Promise<Finished> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const done = new Promise<Finished>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hookrelay ${args.join(' ')} did not finish within ${LIMIT_MS} ms\n${output.stdout}\n${output.stderr}`));
    }, LIMIT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // 'exit' can precede the last 'data' events; 'close' follows them.
      child.on('close', () => resolve({ code, signal, ...output }));
    });
  });
  return { child, output, done };
}

const run = (args: string[], env: Record<string, string> = {}): Promise<Finished> => start(args, env).done;

/** Resolves once stdout contains `text`; rejects if the process exits first or LIMIT_MS passes. */
function waitFor(proc: ReturnType<typeof start>, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${text}' within ${LIMIT_MS} ms:\n${proc.output.stdout}\n${proc.output.stderr}`)), LIMIT_MS);
    const check = (): void => {
      if (!proc.output.stdout.includes(text)) return;
      clearTimeout(timer);
      resolve();
    };
    proc.child.stdout?.on('data', check);
    proc.done.then((f) => reject(new Error(`exited (${f.code}) before '${text}':\n${f.stdout}\n${f.stderr}`)), reject);
    check();
  });
}

let db: TempDb;
before(() => {
  db = tempSqlite();
});
after(() => db.cleanup());

describe('hookrelay CLI', () => {
  it('--help exits 0 and lists the commands', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const command of ['serve', 'migrate', 'keys']) assert.match(r.stdout, new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('serve --help lists the settings as flags with their variables', async () => {
    const r = await run(['serve', '--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const text of ['--port <value>', 'HOOKRELAY_PORT', '--database-url <value>', 'HOOKRELAY_DATABASE_URL', '--no-dispatch']) assert.ok(r.stdout.includes(text), text);
  });

  it('a bad HOOKRELAY_PORT stops serve with exit code 2, naming the variable and the value', async () => {
    const r = await run(['serve'], { HOOKRELAY_PORT: 'abc', HOOKRELAY_DATABASE_URL: db.url });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /HOOKRELAY_PORT="abc"/);
    assert.match(r.stderr, /integer from 0 to 65535/);
    assert.doesNotMatch(r.stdout, /serving/);
  });

  it('migrate applies the migrations once and says which', async () => {
    const names = loadMigrations('sqlite').map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`);
    const first = await run(['migrate'], { HOOKRELAY_DATABASE_URL: db.url });
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.stdout.includes(`Applied ${names.join(', ')}`), first.stdout);
    const again = await run(['migrate'], { HOOKRELAY_DATABASE_URL: db.url });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Schema is current/);
  });

  it('keys create prints a key that authenticates with exactly its permissions', async () => {
    const r = await run(['keys', 'create', '--permissions', 'events:write', '--json', '--name', 'ci'], { HOOKRELAY_DATABASE_URL: db.url });
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as { id: string; key: string; permissions: string[]; tenantId: string | null };
    assert.match(printed.key, /^hr_[A-Za-z0-9_-]{40,}$/);
    assert.deepEqual([printed.permissions, printed.tenantId], [['events:write'], null]);

    const rt = await createRuntime(testConfig({ databaseUrl: db.url, logLevel: 'silent', sqliteSynchronous: 'NORMAL' }), { log: createLogger('silent'), role: 'test' });
    const app = await buildApp(rt);
    try {
      await rt.store.tenants.insertTenant({ id: 'acme', name: 'Acme', enabled: true, createdAt: 0, updatedAt: 0 });
      const headers = { authorization: `Bearer ${printed.key}`, 'content-type': 'application/json' };
      const publish = await app.inject({ method: 'POST', url: '/api/v1/events', headers, payload: JSON.stringify({ tenantId: 'acme', type: 'cli.test', data: {} }) });
      assert.equal(publish.statusCode, 202, publish.body);
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/tenants', headers })).statusCode, 403);
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/tenants', headers: { authorization: 'Bearer hr_not-that-key' } })).statusCode, 401);
    } finally {
      await app.close();
      await rt.close();
    }
  });

  it('keys create refuses an unknown permission with exit code 2', async () => {
    const r = await run(['keys', 'create', '--permissions', 'events:write,root'], { HOOKRELAY_DATABASE_URL: db.url });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown root/);
    assert.match(r.stderr, /events:write/);
    assert.doesNotMatch(r.stdout, /hr_/);
  });

  it('serve prints a generated admin key on the first start only', async () => {
    const fresh = tempSqlite();
    try {
      const env = { HOOKRELAY_DATABASE_URL: fresh.url, HOOKRELAY_PORT: '0', HOOKRELAY_HOST: '127.0.0.1', HOOKRELAY_SQLITE_SYNCHRONOUS: 'NORMAL' };
      const first = start(['serve'], env);
      await waitFor(first, 'hookrelay is serving');
      const key = /^\s+(hr_[A-Za-z0-9_-]+)\s*$/m.exec(first.output.stdout)?.[1];
      assert.ok(key, `a key was printed:\n${first.output.stdout}`);
      const serving = first.output.stdout.split('\n').find((l) => l.includes('hookrelay is serving')) ?? '';
      const address = (JSON.parse(serving) as { address: string }).address;
      const res = await fetch(`${address}/api/v1/tenants`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(res.status, 200, 'the printed key is an admin key of this server');
      first.child.kill('SIGTERM');
      const ended = await first.done;
      assert.equal(ended.code, 0, ended.stderr);
      assert.equal(ended.stdout.split(key).length - 1, 1, 'the key is printed exactly once');

      const second = start(['serve'], env);
      await waitFor(second, 'hookrelay is serving');
      second.child.kill('SIGTERM');
      const ended2 = await second.done;
      assert.equal(ended2.code, 0, ended2.stderr);
      assert.doesNotMatch(ended2.stdout, /hr_/);
      assert.doesNotMatch(ended2.stdout, /generated the first admin API key/);
    } finally {
      await fresh.cleanup();
    }
  });
});
