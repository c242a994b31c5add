import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, describeSettings, loadConfig, SETTINGS, testConfig } from './config.js';

/** Asserts loadConfig refuses, with a message naming each of `parts`. */
function refuses(env: Record<string, string>, overrides: Parameters<typeof loadConfig>[1], ...parts: string[]): ConfigError {
  let caught: unknown;
  try {
    loadConfig(env, overrides);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError for ${JSON.stringify({ env, overrides })}`);
  for (const part of parts) assert.ok(caught.message.includes(part), `message names ${JSON.stringify(part)}:\n${caught.message}`);
  return caught;
}

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.databaseUrl, 'sqlite:./data/hookrelay.db');
    assert.equal(c.adminKey, '');
    assert.equal(c.allowHttp, false);
    assert.equal(c.allowPrivateNetworks, false);
    assert.equal(c.pollIntervalMs, 1000);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.sqliteSynchronous, 'FULL');
    for (const [key, setting] of Object.entries(SETTINGS)) assert.equal(c[key as keyof typeof c], setting.default, key);
    assert.deepEqual(Object.keys(c).sort(), Object.keys(SETTINGS).sort());
  });

  it('reads every kind of value from the environment', () => {
    const c = loadConfig({
      HOOKRELAY_PORT: '9090',
      HOOKRELAY_HOST: '127.0.0.1',
      HOOKRELAY_DATABASE_URL: 'postgres://hookrelay@db:5432/hookrelay',
      HOOKRELAY_ALLOW_HTTP: 'true',
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'YES',
      HOOKRELAY_LOG_LEVEL: 'debug',
      HOOKRELAY_POLL_INTERVAL_MS: ' 250 ',
      HOOKRELAY_ADMIN_KEY: 'a'.repeat(24),
      UNRELATED: 'ignored',
    });
    assert.deepEqual(
      [c.port, c.host, c.databaseUrl, c.allowHttp, c.allowPrivateNetworks, c.logLevel, c.pollIntervalMs, c.adminKey],
      [9090, '127.0.0.1', 'postgres://hookrelay@db:5432/hookrelay', true, true, 'debug', 250, 'a'.repeat(24)],
    );
    assert.equal(loadConfig({ HOOKRELAY_DATABASE_URL: 'postgresql://h/db' }).databaseUrl, 'postgresql://h/db');
    assert.equal(loadConfig({ HOOKRELAY_PORT: '0' }).port, 0);
  });

  it('accepts the usual spellings of booleans', () => {
    for (const yes of ['1', 'true', 'TRUE', 'yes', 'on']) assert.equal(loadConfig({ HOOKRELAY_ALLOW_HTTP: yes }).allowHttp, true, yes);
    for (const no of ['0', 'false', 'No', 'off', '']) assert.equal(loadConfig({ HOOKRELAY_ALLOW_HTTP: no }).allowHttp, false, no);
  });

  it('flag overrides beat the environment', () => {
    const c = loadConfig({ HOOKRELAY_PORT: '9090', HOOKRELAY_LOG_LEVEL: 'warn', HOOKRELAY_ALLOW_HTTP: 'true' }, { port: '7070', allowHttp: 'false' });
    assert.deepEqual([c.port, c.logLevel, c.allowHttp], [7070, 'warn', false]);
  });

  it('a bad flag is reported as the flag and its variable, even when the variable is fine', () => {
    refuses({ HOOKRELAY_PORT: '9090' }, { port: 'eighty' }, '--port (HOOKRELAY_PORT)', '"eighty"', 'an integer from 0 to 65535');
    refuses({}, { pollIntervalMs: '5' }, '--poll-interval-ms (HOOKRELAY_POLL_INTERVAL_MS)', '"5"', 'from 10 to 60000');
  });

  const bad: [string, string, string, string][] = [
    ['a non-integer', 'HOOKRELAY_PORT', 'abc', 'an integer from 0 to 65535'],
    ['a fraction', 'HOOKRELAY_PORT', '80.5', 'an integer from 0 to 65535'],
    ['exponent notation', 'HOOKRELAY_POLL_INTERVAL_MS', '1e3', 'an integer from 10 to 60000'],
    ['an empty integer', 'HOOKRELAY_PORT', '', 'an integer from 0 to 65535'],
    ['a number above the range', 'HOOKRELAY_PORT', '65536', 'an integer from 0 to 65535'],
    ['a number below the range', 'HOOKRELAY_POLL_INTERVAL_MS', '9', 'an integer from 10 to 60000'],
    ['a negative number', 'HOOKRELAY_RETENTION_FAILED_HOURS', '-1', 'an integer from 1 to 87600'],
    ['a huge number', 'HOOKRELAY_MAX_IN_FLIGHT', '99999999999999999999', 'an integer from 1 to 100000'],
    ['a bad enum', 'HOOKRELAY_LOG_LEVEL', 'verbose', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['an enum in the wrong case', 'HOOKRELAY_SQLITE_SYNCHRONOUS', 'full', 'one of FULL, NORMAL'],
    ['a bad boolean', 'HOOKRELAY_ALLOW_HTTP', 'maybe', 'true or false'],
    ['an unsupported database', 'HOOKRELAY_DATABASE_URL', 'mysql://root@localhost/db', 'sqlite:<path> or postgres://'],
    ['a database URL without a path', 'HOOKRELAY_DATABASE_URL', 'sqlite:', 'sqlite:<path> or postgres://'],
    ['a bare path as database URL', 'HOOKRELAY_DATABASE_URL', './data/hookrelay.db', 'sqlite:<path> or postgres://'],
  ];
  for (const [what, variable, value, allowed] of bad) {
    it(`${what} (${variable}=${JSON.stringify(value)}) stops start-up naming the variable, the value and what is allowed`, () => {
      const err = refuses({ [variable]: value }, {}, variable, JSON.stringify(value), allowed);
      assert.equal(err.problems.length, 1);
      assert.equal(err.name, 'ConfigError');
    });
  }

  it('reports every bad value at once', () => {
    const err = refuses({ HOOKRELAY_PORT: 'x', HOOKRELAY_LOG_LEVEL: 'loud', HOOKRELAY_ALLOW_HTTP: 'perhaps' }, {}, 'HOOKRELAY_PORT', 'HOOKRELAY_LOG_LEVEL', 'HOOKRELAY_ALLOW_HTTP');
    assert.equal(err.problems.length, 3);
  });

  it('a short admin key stops start-up naming the variable and the rule, but never echoes the key', () => {
    const bad = 'short-secret-value';
    const err = refuses({ HOOKRELAY_ADMIN_KEY: bad }, {}, 'HOOKRELAY_ADMIN_KEY', '24 to 200 characters');
    assert.match(err.message, /HOOKRELAY_ADMIN_KEY=<18 characters, not shown>/);
    assert.doesNotMatch(err.message, /short-secret-value/);
  });

  it('returns a frozen object', () => {
    const c = loadConfig({ HOOKRELAY_PORT: '1234' });
    assert.ok(Object.isFrozen(c));
    assert.equal(Reflect.set(c, 'port', 1), false);
    assert.throws(() => Object.assign(c, { port: 1 }), TypeError);
    assert.equal(c.port, 1234);
    assert.ok(Object.isFrozen(testConfig({ port: 1 })));
  });

  it('documents every setting with its variable and default', () => {
    const table = describeSettings();
    for (const s of Object.values(SETTINGS)) assert.ok(table.includes(`\`${s.env}\``), s.env);
    assert.equal(new Set(Object.values(SETTINGS).map((s) => s.env)).size, Object.keys(SETTINGS).length, 'one variable per setting');
    assert.ok(Object.values(SETTINGS).every((s) => s.env.startsWith('HOOKRELAY_') && s.doc.length > 0));
  });
});
