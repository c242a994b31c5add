// Benchmark results: rows printed as a table and saved as JSON for BENCHMARKS.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface Row {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** e.g. '≥ 5000' */
  target?: string;
  pass?: boolean;
  /** CPU milliseconds per operation across the measured processes. */
  cpuMsPerOp?: number;
  note?: string;
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function table(rows: readonly Row[]): string {
  const header = '| scenario | metric | value | target | CPU ms/op | note |';
  const sep = '| --- | --- | ---: | --- | ---: | --- |';
  const lines = rows.map((r) => {
    const target = r.target === undefined ? '' : `${r.target} ${r.pass === undefined ? '' : r.pass ? '✅' : '❌'}`;
    return `| ${r.scenario} | ${r.metric} | ${fmt(r.value)} ${r.unit} | ${target} | ${r.cpuMsPerOp === undefined ? '' : r.cpuMsPerOp.toFixed(3)} | ${r.note ?? ''} |`;
  });
  return [header, sep, ...lines].join('\n');
}

export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

export function save(name: string, rows: readonly Row[]): string {
  mkdirSync('bench/results', { recursive: true });
  const path = `bench/results/${name}.json`;
  writeFileSync(path, JSON.stringify({ at: new Date().toISOString(), machine: machine(), rows }, null, 2));
  return path;
}
