// Every setting hookrelay reads, in one schema: environment variable, type, default, unit
// (in the name) and a one-line description. `loadConfig` validates everything at once and
// returns a frozen object; a bad value stops start-up with a message naming the variable, the
// value and what is allowed. Only src/cli reads process.env and passes it in here.

type Kind =
  | { type: 'int'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'string'; pattern?: RegExp; allowed?: string }
  | { type: 'enum'; values: readonly string[] };

interface Setting<T> {
  env: string;
  doc: string;
  kind: Kind;
  default: T;
  /** Never echoed back in error messages. */
  secret?: boolean;
}

const int = (env: string, def: number, min: number, max: number, doc: string): Setting<number> => ({
  env,
  doc,
  kind: { type: 'int', min, max },
  default: def,
});
const bool = (env: string, def: boolean, doc: string): Setting<boolean> => ({ env, doc, kind: { type: 'bool' }, default: def });
const str = (env: string, def: string, doc: string, pattern?: RegExp, allowed?: string): Setting<string> => ({
  env,
  doc,
  kind: pattern === undefined ? { type: 'string' } : { type: 'string', pattern, ...(allowed === undefined ? {} : { allowed }) },
  default: def,
});
const oneOf = <const V extends readonly string[]>(env: string, def: V[number], values: V, doc: string): Setting<V[number]> => ({
  env,
  doc,
  kind: { type: 'enum', values },
  default: def,
});

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const SETTINGS = {
  port: int('HOOKRELAY_PORT', 8080, 0, 65535, 'TCP port of the HTTP server (API, dashboard, inbound).'),
  host: str('HOOKRELAY_HOST', '0.0.0.0', 'Address the HTTP server binds to.'),
  databaseUrl: str(
    'HOOKRELAY_DATABASE_URL',
    'sqlite:./data/hookrelay.db',
    'sqlite:<path> (embedded, one node) or postgres://… (many nodes).',
    /^(sqlite:.+|postgres(ql)?:\/\/.+)$/,
    'sqlite:<path> or postgres://user@host:port/db',
  ),
  adminKey: {
    ...str('HOOKRELAY_ADMIN_KEY', '', 'First admin API key (at least 24 characters). Generated and printed once if unset.', /^(|[A-Za-z0-9_\-.~]{24,200})$/, 'empty, or 24 to 200 characters of A-Z a-z 0-9 _ - . ~'),
    secret: true,
  },
  allowHttp: bool('HOOKRELAY_ALLOW_HTTP', false, 'Allow webhook URLs with plain http:// (development only).'),
  allowPrivateNetworks: bool('HOOKRELAY_ALLOW_PRIVATE_NETWORKS', false, 'Allow destinations on private, loopback, link-local and metadata addresses.'),
  pollIntervalMs: int('HOOKRELAY_POLL_INTERVAL_MS', 1000, 10, 60000, 'How often idle workers look for due work they were not woken for.'),
  logLevel: oneOf('HOOKRELAY_LOG_LEVEL', 'info', LOG_LEVELS, 'Log level.'),
  sqliteSynchronous: oneOf('HOOKRELAY_SQLITE_SYNCHRONOUS', 'FULL', ['FULL', 'NORMAL'] as const, 'SQLite fsync policy for commits that acknowledge requests: FULL survives power loss, NORMAL survives process crashes.'),
  leaseGraceMs: int('HOOKRELAY_LEASE_GRACE_MS', 15000, 1000, 600000, 'A claimed delivery is leased for its webhook timeout plus this grace; a dead node\'s work returns after it.'),
  shutdownTimeoutMs: int('HOOKRELAY_SHUTDOWN_TIMEOUT_MS', 10000, 0, 600000, 'On SIGTERM, how long in-flight deliveries may finish before leases are released.'),
  maxInFlight: int('HOOKRELAY_MAX_IN_FLIGHT', 4096, 1, 100000, 'Upper bound on outbound requests in flight per node, shared fairly across tenants.'),
  senderThreads: int('HOOKRELAY_SENDER_THREADS', 1, 0, 16, 'Threads that make outbound HTTP requests, off the event loop that runs the API and the database (0 = on the event loop).'),
  circuitFailureThreshold: int('HOOKRELAY_CIRCUIT_FAILURE_THRESHOLD', 10, 1, 10000, 'Consecutive failed attempts after which an endpoint\'s circuit opens.'),
  retentionDeliveredHours: int('HOOKRELAY_RETENTION_DELIVERED_HOURS', 168, 1, 87600, 'Delivered deliveries, their attempts, events and received inbound requests are purged after this many hours.'),
  retentionFailedHours: int('HOOKRELAY_RETENTION_FAILED_HOURS', 720, 1, 87600, 'Failed and canceled deliveries are kept this many hours.'),
  rateLimitPerSecond: int('HOOKRELAY_RATE_LIMIT_PER_SECOND', 1000, 0, 1000000, 'API requests per second per API key on this node (0 = unlimited).'),
  globalRateLimitPerSecond: int('HOOKRELAY_GLOBAL_RATE_LIMIT_PER_SECOND', 20000, 0, 10000000, 'Requests per second across all clients on this node, API and inbound (0 = unlimited).'),
  maxBacklog: int('HOOKRELAY_MAX_BACKLOG', 5000000, 0, 1000000000, 'Undelivered deliveries above which ingest answers 503 with Retry-After (0 = unbounded).'),
} as const;

type SettingValue<S> = S extends Setting<infer T> ? T : never;
export type Config = { readonly [K in keyof typeof SETTINGS]: SettingValue<(typeof SETTINGS)[K]> };
export type ConfigKey = keyof typeof SETTINGS;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function parseValue(setting: Setting<unknown>, raw: string): { ok: true; value: unknown } | { ok: false; allowed: string } {
  const kind = setting.kind;
  switch (kind.type) {
    case 'int': {
      const allowed = `an integer from ${kind.min} to ${kind.max}`;
      if (!/^-?\d+$/.test(raw.trim())) return { ok: false, allowed };
      const n = Number(raw.trim());
      return n >= kind.min && n <= kind.max ? { ok: true, value: n } : { ok: false, allowed };
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return { ok: true, value: true };
      if (['0', 'false', 'no', 'off', ''].includes(v)) return { ok: true, value: false };
      return { ok: false, allowed: 'true or false (also 1/0, yes/no, on/off)' };
    }
    case 'enum':
      return kind.values.includes(raw) ? { ok: true, value: raw } : { ok: false, allowed: `one of ${kind.values.join(', ')}` };
    case 'string':
      if (kind.pattern !== undefined && !kind.pattern.test(raw)) return { ok: false, allowed: kind.allowed ?? `a value matching ${String(kind.pattern)}` };
      return { ok: true, value: raw };
  }
}

/**
 * Builds the frozen configuration from environment variables and flag overrides (flags win).
 * Overrides use the setting keys (`port`, `databaseUrl`, …) and raw string values.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, overrides: Partial<Record<ConfigKey, string>> = {}): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [ConfigKey, Setting<unknown>][]) {
    const fromFlag = overrides[key];
    const raw = fromFlag ?? env[setting.env];
    if (raw === undefined) {
      out[key] = setting.default;
      continue;
    }
    const parsed = parseValue(setting, raw);
    if (parsed.ok) out[key] = parsed.value;
    else {
      const source = fromFlag === undefined ? setting.env : `--${kebab(key)} (${setting.env})`;
      const shown = setting.secret === true ? `<${raw.length} characters, not shown>` : JSON.stringify(raw);
      problems.push(`${source}=${shown} is not allowed: expected ${parsed.allowed}.`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as Config;
}

/** The defaults alone, for tests and tools; `overrides` are typed values. */
export function testConfig(overrides: Partial<{ -readonly [K in ConfigKey]: Config[K] }> = {}): Config {
  const base = loadConfig({});
  return Object.freeze({ ...base, ...overrides });
}

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Markdown table of every setting, for the README and `hookrelay config`. */
export function describeSettings(): string {
  const rows = Object.values(SETTINGS).map((s) => `| \`${s.env}\` | \`${String(s.default)}\` | ${s.doc} |`);
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
