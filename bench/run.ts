// npm run bench -- [ingest|deliver|isolation|inbound|cluster|oauth2|all] [--quick]
// Runs the named scenarios against real processes (hookrelay from dist/, a sink process),
// prints one table and saves bench/results/<scenario>.json. Build first (npm run bench does).
import { ingestBench } from './scenarios/ingest.js';
import { deliverBench } from './scenarios/deliver.js';
import { clusterBench } from './scenarios/cluster.js';
import { oauth2Bench } from './scenarios/oauth2.js';
import { isolationBench } from './scenarios/isolation.js';
import { inboundBench } from './scenarios/inbound.js';
import { machine, save, table, type Row } from './lib/report.js';

const SCENARIOS: Record<string, (quick: boolean) => Promise<Row[]>> = {
  ingest: ingestBench,
  deliver: deliverBench,
  cluster: clusterBench,
  isolation: isolationBench,
  oauth2: oauth2Bench,
  inbound: inboundBench,
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((a) => !a.startsWith('--'));
const chosen = named.length === 0 || named.includes('all') ? Object.keys(SCENARIOS) : named;
const unknown = chosen.filter((n) => SCENARIOS[n] === undefined);
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; choose from ${Object.keys(SCENARIOS).join(', ')}, all`);
  process.exit(2);
}

console.log(`hookrelay benchmarks on ${machine()}${quick ? ' (quick)' : ''}\n`);
const all: Row[] = [];
for (const name of chosen) {
  const fn = SCENARIOS[name];
  if (fn === undefined) continue;
  console.log(`== ${name}`);
  const rows = await fn(quick);
  console.log(table(rows));
  console.log(`saved ${save(name, rows)}\n`);
  all.push(...rows);
}
console.log(table(all));
