// The outbound HTTP client: one undici Agent per node (keep-alive pools per origin), whose
// connector enforces the private-network rule on the address actually connected to.
import { Agent, buildConnector } from 'undici';
import { BlockedAddressError, guardedLookup, isPrivateAddress } from './ssrf.js';

export function createAgent(options: { allowPrivateNetworks: boolean }): Agent {
  const base = buildConnector(options.allowPrivateNetworks ? {} : { lookup: guardedLookup });
  const connect: buildConnector.connector = (opts, callback) => {
    if (!options.allowPrivateNetworks && isPrivateAddress(opts.hostname)) {
      callback(new BlockedAddressError(opts.hostname, opts.hostname), null);
      return;
    }
    base(opts, callback);
  };
  return new Agent({
    connect,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    pipelining: 1,
    // Deadlines are enforced per request with an AbortSignal (exact, unlike undici's ~1 s timers).
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}
