// The `hookrelay` CLI as a real child process (node --import tsx src/main.ts …) with an
// environment free of the machine's HOOKRELAY_* settings, for tests against a running server.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIMIT_MS = 60_000;

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  done: Promise<Finished>;
  /** Resolves with the first stdout line matching `test` (rejects if the process exits first). */
  line(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(): Promise<Finished>;
}

export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOOKRELAY_')));
  return { ...env, ...extra };
}

export function start(args: string[], env: Record<string, string> = {}, input?: string): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: cleanEnv(env), stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.stdin?.end(input);
  const output = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
    for (const l of listeners) l();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const done = new Promise<Finished>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hookrelay ${args.join(' ')} did not finish within ${LIMIT_MS} ms\n${output.stdout}\n${output.stderr}`));
    }, LIMIT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      // 'exit' can precede the last 'data' events; 'close' follows them.
      child.on('close', () => resolve({ code, ...output }));
    });
  });
  const line = (test: (l: string) => boolean, timeoutMs = 20_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no matching line within ${timeoutMs} ms:\n${output.stdout}\n${output.stderr}`));
      }, timeoutMs);
      function check(): void {
        const found = output.stdout.split('\n').find(test);
        if (found === undefined) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve(found);
      }
      listeners.add(check);
      void done.then((f) => reject(new Error(`exited (${f.code}) first:\n${f.stdout}\n${f.stderr}`)), reject);
      check();
    });
  return {
    child,
    output,
    done,
    line,
    stop: () => {
      child.kill('SIGINT');
      return done;
    },
  };
}

export const run = (args: string[], env: Record<string, string> = {}, input?: string): Promise<Finished> => start(args, env, input).done;

/** Parses stdout as JSON, failing with the output when it is not. */
export function json(f: Finished): unknown {
  try {
    return JSON.parse(f.stdout) as unknown;
  } catch {
    throw new Error(`stdout is not JSON (exit ${f.code}):\n${f.stdout}\n${f.stderr}`);
  }
}
