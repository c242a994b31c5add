// npm test: every *.test.ts under src/ and test/ on Node's test runner (Node 20 does not
// expand globs itself), with coverage by c8. Extra arguments are passed to node --test, e.g.
// `npm test -- --test-name-pattern=batch`; file paths given narrow the run to those files.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const named = args.filter((a) => a.endsWith('.ts'));
const flags = args.filter((a) => !a.endsWith('.ts'));
const files = named.length > 0 ? named : [...find('src'), ...find('test'), ...(statSyncSafe('sdk/src') ? find('sdk/src') : [])].sort();
const coverage = process.env.HOOKRELAY_TEST_COVERAGE !== '0';

function statSyncSafe(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const nodeArgs = ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-timeout=180000', ...flags, ...files];
const cmd = coverage ? 'npx' : process.execPath;
const cmdArgs = coverage ? ['c8', '--reporter=text-summary', '--include=src/**', '--include=sdk/src/**', '--exclude=**/*.test.ts', process.execPath, ...nodeArgs] : nodeArgs;
const res = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
if ((res.status ?? 1) !== 0 || named.length > 0 || process.env.HOOKRELAY_TEST_DB !== undefined) process.exit(res.status ?? 1);

// Second pass: the delivery engine, flow-control and inbound suites again on PostgreSQL (the store
// contract already runs on both), unless PostgreSQL is absent and not required.
const pgFiles = [...find('test/engine'), ...find('test/flow'), ...find('test/inbound')].sort();
const probe = spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-q']);
if (probe.status !== 0 && process.env.HOOKRELAY_TEST_REQUIRE_PG !== '1') {
  console.log('# skipping the PostgreSQL pass of the engine suites: no server answers at 127.0.0.1:5432');
  process.exit(0);
}
console.log('# engine and flow suites on PostgreSQL');
const pg = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-timeout=180000', ...flags, ...pgFiles], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test', HOOKRELAY_TEST_DB: 'postgres' },
});
process.exit(pg.status ?? 1);
