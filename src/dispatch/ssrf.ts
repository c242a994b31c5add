// Which network destinations hookrelay may connect to. Unless private networks are allowed,
// addresses in private, loopback, link-local (cloud metadata lives at 169.254.169.254),
// carrier-grade NAT, multicast and reserved ranges are refused, for IPv4, IPv6 and
// IPv4-mapped IPv6. The check runs on the resolved address at connect time (guardedLookup), so
// a DNS name that resolves, or later re-resolves, to such an address is refused too.
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
blocked.addAddress('255.255.255.255', 'ipv4');
for (const [net, prefix] of [
  // ::/96 holds :: and ::1 and the deprecated IPv4-compatible form (::7f00:1 is 127.0.0.1);
  // 6to4 (2002::/16) and local-use NAT64 (64:ff9b:1::/48) can also reach IPv4 space.
  ['::', 96], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['2001:db8::', 32], ['100::', 64], ['2001::', 23],
  ['2002::', 16], ['64:ff9b:1::', 48],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d), NAT64 or compatible IPv6 address. */
function embeddedIPv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::|::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1] !== undefined) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] !== undefined && hex[2] !== undefined) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

/** True when `address` (an IP literal) is in a range hookrelay refuses by default. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIPv4(bare);
    if (v4 !== null) return blocked.check(v4, 'ipv4');
    return blocked.check(bare, 'ipv6');
  }
  return false;
}

export class BlockedAddressError extends Error {
  readonly code = 'EHOOKRELAY_PRIVATE_ADDRESS';
  constructor(readonly host: string, readonly address: string) {
    super(`refused to connect to ${host} (${address}): private, loopback, link-local or reserved address`);
    this.name = 'BlockedAddressError';
  }
}

/**
 * A dns.lookup replacement for net/tls.connect that refuses hosts resolving to a blocked
 * address. Every resolved address must be allowed: a name with one private address among
 * public ones is refused, so a resolver cannot steer a retry towards it.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) {
      callback(err, []);
      return;
    }
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad !== undefined) {
      callback(new BlockedAddressError(hostname, bad.address), []);
      return;
    }
    const first = addresses[0];
    if (options.all === true) callback(null, addresses);
    else if (first === undefined) callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    else callback(null, first.address, first.family);
  });
};

/** Resolves a host name the way a connection would, for checks when a webhook is saved. */
export async function resolveHost(hostname: string): Promise<string[]> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return [bare];
  return new Promise((resolve, reject) => {
    dnsLookup(bare, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses.map((a) => a.address))));
  });
}
