import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialKey, REFRESH_MARGIN_MS, refreshTime } from './oauth2.js';

const HOUR = 3_600_000;

test('a token is refreshed 30 minutes before it expires when it lives an hour or more', () => {
  assert.equal(refreshTime(0, HOUR), HOUR - REFRESH_MARGIN_MS);
  assert.equal(refreshTime(1000, 24 * HOUR), 1000 + 24 * HOUR - 30 * 60_000);
});

test('a shorter-lived token is refreshed at half its life', () => {
  assert.equal(refreshTime(0, 10 * 60_000), 5 * 60_000);
  assert.equal(refreshTime(500, 60_000), 500 + 30_000);
});

test('one cache entry per credential set, never shared across different credentials', () => {
  const base = { type: 'oauth2' as const, tokenUrl: 'https://a/token', clientId: 'c', clientSecret: 's', clientAuth: 'basic' as const };
  assert.equal(credentialKey(base), credentialKey({ ...base }));
  assert.notEqual(credentialKey(base), credentialKey({ ...base, clientSecret: 't' }));
  assert.notEqual(credentialKey(base), credentialKey({ ...base, scope: 'x' }));
  assert.notEqual(credentialKey(base), credentialKey({ ...base, audience: 'x' }));
  assert.notEqual(credentialKey(base), credentialKey({ ...base, clientAuth: 'post' }));
  assert.doesNotMatch(credentialKey(base), /s$|c:s/, 'the key is a hash, not the credentials');
});
