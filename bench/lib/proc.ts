// Child processes for benchmarks: spawn, wait for a ready line, and read CPU time and RSS
// from /proc so the table can report CPU per delivery across all processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const CLK_TCK = 100;

export interface Proc {
  child: ChildProcess;
  pid: number;
  /** CPU seconds (user + system) used so far. */
  cpu(): number;
  rssMb(): number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] === undefined ? 0 : Number(m[1]) / 1024;
  } catch {
    return 0;
  }
}

export function launch(cmd: string, args: string[], env: Record<string, string>, ready: (line: string) => boolean, timeoutMs = 30_000): Promise<{ proc: Proc; line: string }> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid ?? 0;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: Proc = {
    child,
    pid,
    cpu: () => cpuSeconds(pid),
    rssMb: () => rssMb(pid),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    if (process.env.BENCH_SHOW_STDERR === '1') process.stderr.write(d);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(' ')} not ready in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    const rl = createInterface({ input: child.stdout ?? process.stdin });
    rl.on('line', (line) => {
      if (ready(line)) {
        clearTimeout(timer);
        resolve({ proc, line });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited with ${code}; stderr: ${stderr}`));
    });
  });
}
