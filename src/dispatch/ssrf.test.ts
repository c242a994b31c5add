// Which destinations are refused unless private networks are allowed: IPv4, IPv6,
// IPv4-mapped and NAT64 forms of private, loopback, link-local (metadata) and reserved ranges;
// and the connect-time lookup guard that refuses names resolving to them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BlockedAddressError, guardedLookup, isPrivateAddress, resolveHost } from './ssrf.js';

const check = (list: readonly string[], expected: boolean): void => {
  const wrong = list.filter((a) => isPrivateAddress(a) !== expected);
  assert.deepEqual(wrong, [], `expected isPrivateAddress = ${expected} for these`);
};

describe('isPrivateAddress', () => {
  test('IPv4 private, loopback, link-local, metadata, CGNAT, multicast and reserved ranges', () => {
    check([
      '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.254', '192.168.1.1', '127.0.0.1', '127.8.9.10', '169.254.169.254',
      '169.254.0.1', '100.64.0.1', '100.127.255.255', '0.0.0.0', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255',
      '192.0.2.10', '198.51.100.7', '203.0.113.9', '198.18.0.1',
    ], true);
  });

  test('public IPv4 addresses, including neighbours of the blocked ranges', () => {
    check(['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '11.0.0.1', '169.253.255.255', '192.169.0.1'], false);
  });

  test('IPv6 loopback, unspecified, unique-local, link-local, multicast and documentation ranges', () => {
    check(['::1', '::', '0:0:0:0:0:0:0:1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1', '2001:db8::1', '[::1]', 'FD00::ABCD'], true);
  });

  test('public IPv6 addresses', () => {
    check(['2606:4700:4700::1111', '2001:4860:4860::8888', '2a00:1450:4001:82b::200e', '[2606:4700:4700::1001]'], false);
  });

  test('IPv4-mapped IPv6, dotted and hex, is judged by its IPv4 address', () => {
    check(['::ffff:127.0.0.1', '::ffff:7f00:1', '::FFFF:7F00:0001', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '[::ffff:169.254.169.254]', '0:0:0:0:0:ffff:7f00:1', '::ffff:192.168.0.1'], true);
    check(['::ffff:8.8.8.8', '::ffff:808:808', '::ffff:5db8:d822'], false);
  });

  test('NAT64 (64:ff9b::/96) addresses are judged by the embedded IPv4 address', () => {
    check(['64:ff9b::a9fe:a9fe', '64:ff9b::169.254.169.254', '64:ff9b::10.0.0.1', '64:ff9b::7f00:1'], true);
    check(['64:ff9b::808:808', '64:ff9b::8.8.8.8'], false);
  });

  test('IPv4-compatible ::a.b.c.d is judged by the IPv4 address', () => {
    check(['::127.0.0.1', '::10.1.2.3'], true);
  });

  test('host names and garbage are not IP literals (names are checked when resolved)', () => {
    check(['localhost', 'example.com', '', 'not an ip', '999.1.1.1'], false);
  });
});

describe('guardedLookup', () => {
  const lookup = (host: string): Promise<{ err: NodeJS.ErrnoException | null; address: unknown }> =>
    new Promise((resolve) => {
      guardedLookup(host, { family: 0 }, (err, address) => resolve({ err, address }));
    });

  test('refuses a name that resolves to loopback with BlockedAddressError', async () => {
    const { err } = await lookup('localhost');
    assert.ok(err instanceof BlockedAddressError, `got ${String(err)}`);
    assert.equal(err.code, 'EHOOKRELAY_PRIVATE_ADDRESS');
    assert.equal(err.host, 'localhost');
    assert.ok(isPrivateAddress(err.address));
    assert.match(err.message, /localhost/);
  });

  test('passes resolver errors through', async () => {
    const { err } = await lookup('does-not-exist.invalid');
    assert.ok(err !== null);
    assert.ok(!(err instanceof BlockedAddressError));
  });
});

test('resolveHost returns IP literals as they are (without brackets) and resolves names', async () => {
  assert.deepEqual(await resolveHost('127.0.0.1'), ['127.0.0.1']);
  assert.deepEqual(await resolveHost('[::1]'), ['::1']);
  const local = await resolveHost('localhost');
  assert.ok(local.length > 0 && local.every((a) => isPrivateAddress(a)), `localhost resolved to ${local.join(', ')}`);
});
