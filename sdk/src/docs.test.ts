// The sender and receiver examples of the README's SDK section, extracted and run as written against a
// real server: each in its own process, importing '@hookrelay/sdk' as an application would
// (resolved to this repository's sdk/ through a node_modules link, with its source condition).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { HookrelayClient } from './client.js';
import { REPO_ROOT, startServer, type TestServer } from './testing/server.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** The code block that follows `<!-- example: name -->` in the README. */
function example(markdown: string, name: string): string {
  const m = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(markdown);
  if (m?.[1] === undefined) throw new Error(`README.md has no '${name}' example`);
  return m[1];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

interface Proc { child: ChildProcess; out: () => string; exited: Promise<number | null> }

function runExample(dir: string, file: string, env: Record<string, string>): Proc {
  const tsx = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, file], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
  return { child, out: () => out, exited: new Promise((resolve) => child.on('exit', resolve)) };
}

async function waitFor(p: Proc, text: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!p.out().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no '${text}' in:\n${p.out()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('README SDK examples', () => {
  const markdown = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  let server: TestServer;
  let dir = '';
  let receiver: Proc | null = null;
  before(async () => {
    server = await startServer();
    // An application directory: ESM, with @hookrelay/sdk installed (a link to sdk/).
    dir = mkdtempSync(join(tmpdir(), 'hookrelay-docs-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    mkdirSync(join(dir, 'node_modules', '@hookrelay'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'sdk'), join(dir, 'node_modules', '@hookrelay', 'sdk'), 'dir');
  });
  after(async () => {
    receiver?.child.kill('SIGTERM');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are at most 10 lines each', () => {
    for (const name of ['sender', 'receiver']) assert.ok(example(markdown, name).trimEnd().split('\n').length <= 10, name);
  });

  it('run as written: the receiver gets and verifies what the sender publishes', async () => {
    writeFileSync(join(dir, 'sender.ts'), example(markdown, 'sender'));
    writeFileSync(join(dir, 'receiver.ts'), example(markdown, 'receiver'));
    const port = await freePort();
    receiver = runExample(dir, 'receiver.ts', { WEBHOOK_SECRET: SECRET, PORT: String(port) });

    const admin = new HookrelayClient({ url: server.url, apiKey: server.adminKey });
    await admin.tenants.create({ id: 'acme', name: 'Acme' });
    // Creating the webhook sends it a verification event, which also proves the receiver is up.
    for (let i = 0; ; i++) {
      try {
        await admin.webhooks.create({ tenantId: 'acme', name: 'docs', url: `http://127.0.0.1:${port}/`, eventTypes: ['invoice.*'], secret: SECRET });
        break;
      } catch (err) {
        if (i > 100) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await waitFor(receiver, 'received hookrelay.test');

    const key = await admin.apiKeys.create({ name: 'docs', permissions: ['events:write'] });
    const sender = runExample(dir, 'sender.ts', { HOOKRELAY_URL: server.url, HOOKRELAY_KEY: key.key });
    assert.equal(await sender.exited, 0, sender.out());
    assert.match(sender.out(), /^published in_123-paid to 1 webhook\(s\)$/m);
    await waitFor(receiver, 'received invoice.paid in_123-paid {"invoice":"in_123","amount":4200}');
  });
});
