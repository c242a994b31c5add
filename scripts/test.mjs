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
process.exit(res.status ?? 1);
