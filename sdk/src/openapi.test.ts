// The SDK checked against a running server's /openapi.json: every operation the client calls
// exists with its method, and the TypeScript compiler agrees that the SDK's request and answer
// types match the server's schemas (see testing/schema-to-ts.ts for exactly what is compared).
// The types stay hand-written for readability; this test is what keeps them honest.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OPERATIONS, type OperationName } from './operations.js';
import { contractModule, type SpecOperation } from './testing/schema-to-ts.js';
import { REPO_ROOT, startServer, type TestServer } from './testing/server.js';

type Spec = { paths: Record<string, Record<string, SpecOperation>> };

describe('the SDK against /openapi.json', () => {
  let server: TestServer;
  let spec: Spec;
  before(async () => {
    server = await startServer();
    spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as Spec;
  });
  after(() => server.stop());

  it('calls only operations the server has', () => {
    const missing = (Object.keys(OPERATIONS) as OperationName[]).filter((name) => {
      const [method, path] = OPERATIONS[name];
      return spec.paths[path]?.[method.toLowerCase()] === undefined;
    });
    assert.deepEqual(missing, [], `the server has no ${missing.map((n) => OPERATIONS[n].join(' ')).join(', ')}`);
  });

  it('reports the API operations the SDK does not cover', (t) => {
    const covered = new Set(Object.values(OPERATIONS).map(([m, p]) => `${m} ${p}`));
    const uncovered = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((op) => !covered.has(op));
    t.diagnostic(uncovered.length === 0 ? 'the SDK covers every /api/v1 operation' : `not in the SDK: ${uncovered.join(', ')}`);
  });

  it('has request and answer types the server\'s schemas agree with', () => {
    const checks = (Object.keys(OPERATIONS) as OperationName[]).map((name) => {
      const [method, path] = OPERATIONS[name];
      const op = spec.paths[path]?.[method.toLowerCase()];
      assert.ok(op, `${method} ${path}`);
      return { name, path, op };
    });
    const dir = mkdtempSync(join(tmpdir(), 'hookrelay-sdk-contract-'));
    try {
      const file = join(dir, 'contract.mts');
      const operationsModule = fileURLToPath(new URL('./operations.js', import.meta.url));
      writeFileSync(file, contractModule(operationsModule, checks));
      const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const res = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--exactOptionalPropertyTypes', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--typeRoots', join(REPO_ROOT, 'node_modules', '@types'), file], { encoding: 'utf8', cwd: dir });
      const source = contractModule(operationsModule, checks).split('\n');
      // Each error names a line of the contract module; its comment names the operation and the part.
      const explained = res.stdout.split('\n').filter((l) => l.includes('contract.mts(')).map((l) => {
        const line = Number(/contract\.mts\((\d+),/.exec(l)?.[1] ?? 0);
        return `${source[line - 1]?.split('// ')[1] ?? '?'} disagrees with the server: ${l.split(': error ')[1] ?? l}`;
      });
      assert.equal(res.status, 0, explained.length > 0 ? explained.join('\n') : `${res.stdout}\n${res.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
