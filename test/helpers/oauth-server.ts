// Starts test/helpers/oauth-server-process.ts as a child process and talks to its control port.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./oauth-server-process.ts', import.meta.url));

export interface OAuthServer {
  /** The issuer: http://127.0.0.1:PORT (token endpoint /token, keys /jwks). */
  issuer: string;
  tokenUrl: string;
  jwksUrl: string;
  setMode(mode: 'ok' | 'invalid_client' | 'error', expiresIn?: number): Promise<void>;
  stats(): Promise<{ tokenRequests: number; basicAuth: number; postAuth: number; audiences: string[] }>;
  stop(): Promise<void>;
}

export async function startOAuthServer(): Promise<OAuthServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('oauth2 server did not start')), 20_000);
    createInterface({ input: child.stdout ?? process.stdin }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`oauth2 server exited with ${String(code)}`)));
  });
  const { port, control } = JSON.parse(line) as { port: number; control: number };
  const issuer = `http://127.0.0.1:${port}`;
  const ctl = `http://127.0.0.1:${control}`;
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    jwksUrl: `${issuer}/jwks`,
    async setMode(mode, expiresIn) {
      await fetch(`${ctl}/__mode`, { method: 'POST', body: JSON.stringify({ mode, expiresIn }) });
    },
    async stats() {
      return (await (await fetch(`${ctl}/__stats`)).json()) as { tokenRequests: number; basicAuth: number; postAuth: number; audiences: string[] };
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
