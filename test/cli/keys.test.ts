// `hookrelay keys create|list|revoke`, both ways: through a running server's API (--url, or
// HOOKRELAY_URL) and directly in its database (the default, and always with --database-url).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { http, servedApp, type Served } from '../protection/support.js';
import { json, run } from './support.js';

interface Created { id: string; key: string; permissions: string[]; tenantId: string | null }
interface Listed { id: string; name: string; keyPrefix: string; permissions: string[]; tenantId: string | null }

describe('hookrelay keys', () => {
  let s: Served;
  before(async () => {
    s = await servedApp();
    assert.equal((await http(`${s.url}/api/v1/tenants`, { method: 'POST', key: s.adminKey, body: { id: 'acme', name: 'Acme' } })).status, 201);
  });
  after(() => s.close());

  const works = async (key: string): Promise<number> => (await http(`${s.url}/api/v1/events?tenantId=acme`, { key })).status;

  it('through the API: create prints the key once, list shows it without the key, revoke ends it', async () => {
    const env = { HOOKRELAY_URL: s.url, HOOKRELAY_KEY: s.adminKey };
    const created = json(await run(['keys', 'create', '--permissions', 'events:read,events:write', '--tenant', 'acme', '--name', 'billing', '--json'], env)) as Created;
    assert.match(created.key, /^hr_/);
    assert.deepEqual([created.permissions, created.tenantId], [['events:read', 'events:write'], 'acme']);
    assert.equal(await works(created.key), 200);

    const listed = await run(['keys', 'list', '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const mine = (json(listed) as Listed[]).find((k) => k.id === created.id);
    assert.equal(mine?.name, 'billing');
    assert.ok(!listed.stdout.includes(created.key), 'the key itself is never listed');

    const table = await run(['keys', 'list'], env);
    assert.match(table.stdout, /^ID\s+NAME\s+KEY\s+PERMISSIONS\s+TENANT/m);

    const revoked = await run(['keys', 'revoke', created.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`Revoked API key ${created.id}\\.`));
    assert.equal(await works(created.key), 401);
    const again = await run(['keys', 'revoke', created.id], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /404/);
  });

  it('a key without api-keys:write is refused by the server (exit code 1)', async () => {
    const weak = await s.key(['events:read']);
    const r = await run(['keys', 'create', '--permissions', 'admin', '--url', s.url, '--key', weak]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /403 .*api-keys:write/);
  });

  it('directly in the database: the same commands without a server address', async () => {
    const env = { HOOKRELAY_DATABASE_URL: s.db.url, HOOKRELAY_SQLITE_SYNCHRONOUS: 'NORMAL' };
    const created = json(await run(['keys', 'create', '--permissions', 'events:read', '--json'], env)) as Created;
    assert.equal(await works(created.key), 200, 'a key made in the database works on the running server');
    const listed = json(await run(['keys', 'list', '--json'], env)) as Listed[];
    assert.ok(listed.some((k) => k.id === created.id));

    // --database-url wins over HOOKRELAY_URL: the database is used even when a server is named.
    const revoked = await run(['keys', 'revoke', created.id, '--database-url', s.db.url], { ...env, HOOKRELAY_URL: 'http://127.0.0.1:9' });
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /within 5 seconds/);
    const gone = await run(['keys', 'revoke', created.id], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no active API key/);
  });
});
