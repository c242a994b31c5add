// The narrow driver port every Store query runs on. SQL is written once with `?`
// placeholders; the PostgreSQL driver renumbers them. Where the dialects really differ
// (row locks, SKIP LOCKED, notifications) the store branches on `dialect`.

export type SqlValue = string | number | bigint | null | Buffer;
export type Dialect = 'sqlite' | 'postgres';

export interface SqlExecutor {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface TransactionOptions {
  /**
   * false: the commit need not survive a power loss (it does survive a process crash). For the
   * engine's own bookkeeping — claims and outcomes — where a lost commit means at most a
   * resend; anything acknowledged to a client commits durably (the default).
   */
  durable?: boolean;
}

export interface Db extends SqlExecutor {
  /**
   * Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. On SQLite
   * the write lock is taken up front (BEGIN IMMEDIATE), so transactions never deadlock.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Subscribes to cross-process wake-ups (PostgreSQL LISTEN); a no-op on SQLite. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<void>;
  /** Sends a wake-up to other processes after commit (PostgreSQL NOTIFY); a no-op on SQLite. */
  notify(channel: string, payload: string): Promise<void>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const LIFECYCLE_INDEX = { pending: 'deliveries_pending', retrying: 'deliveries_retrying', delivering: 'deliveries_inflight', failed: 'deliveries_failed' } as const;

/**
 * `deliveries`, pinned on SQLite to the partial index of one lifecycle state. Without it
 * SQLite's planner may walk (webhook_id, seq) through every delivered row of a webhook;
 * PostgreSQL's planner chooses the partial index by itself.
 */
export function deliveriesIn(db: { readonly dialect: Dialect }, state: keyof typeof LIFECYCLE_INDEX): string {
  return db.dialect === 'sqlite' ? `deliveries INDEXED BY ${LIFECYCLE_INDEX[state]}` : 'deliveries';
}

/**
 * A WHERE clause built one condition at a time, for the list queries: `when` skips a condition
 * whose value is undefined, so optional filters read as one line each.
 */
export class Where {
  private readonly clauses: string[] = [];
  readonly params: SqlValue[] = [];

  /** Adds `clause` with its values. */
  add(clause: string, ...values: SqlValue[]): this {
    this.clauses.push(clause);
    this.params.push(...values);
    return this;
  }

  /** Adds `clause` with `value` unless the value is undefined. */
  when(clause: string, value: SqlValue | undefined): this {
    return value === undefined ? this : this.add(clause, value);
  }

  get sql(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }
}

/** `(?, ?, ?)` for n values. */
export function placeholders(n: number): string {
  return `(${new Array<string>(n).fill('?').join(', ')})`;
}

const valuesCache = new Map<string, string>();
/** `(?, ?), (?, ?)` for `rows` rows of `columns` values, cached: multi-row inserts reuse it. */
export function valuesList(columns: number, rows: number): string {
  const key = `${columns}x${rows}`;
  let sql = valuesCache.get(key);
  if (sql === undefined) {
    sql = new Array<string>(rows).fill(placeholders(columns)).join(', ');
    if (valuesCache.size > 2000) valuesCache.clear();
    valuesCache.set(key, sql);
  }
  return sql;
}

/** Splits `items` into chunks of at most `size`: parameter lists stay under driver limits. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function toBool(v: unknown): boolean {
  return v === 1 || v === true || v === '1';
}

export function fromBool(v: boolean): number {
  return v ? 1 : 0;
}
