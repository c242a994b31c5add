// The sender thread (see transport.ts): runs HTTP exchanges with its own SSRF-guarded undici
// Agent and posts back each classified outcome.
import { parentPort, workerData } from 'node:worker_threads';
import { createAgent } from './http-client.js';
import { send, type SendOutcome } from './send.js';
import type { WireReply, WireRequest } from './transport.js';

const options = workerData as { allowPrivateNetworks: boolean };
const agent = createAgent({ allowPrivateNetworks: options.allowPrivateNetworks });
const port = parentPort;

port?.on('message', (req: WireRequest) => {
  const started = performance.now();
  send(agent, { url: req.url, method: req.method, headers: req.headers, loggedHeaders: {}, body: req.body, msgId: '' }, req.timeoutMs, Date.now).then(
    (out) => port.postMessage({ kind: 'reply', id: req.id, out } satisfies WireReply),
    (err: unknown) => {
      const out: SendOutcome = { kind: 'error', startedAt: Date.now(), durationMs: Math.round(performance.now() - started), errorClass: 'network', message: err instanceof Error ? err.message : String(err) };
      port.postMessage({ kind: 'reply', id: req.id, out } satisfies WireReply);
    },
  );
});
port?.postMessage({ kind: 'ready' } satisfies WireReply);
