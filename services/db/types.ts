// The one database interface both services use. Two adapters implement it (sqlite.ts, postgres.ts).
// SQL is written once with PostgreSQL-style `$1` placeholders; the SQLite adapter rewrites them.
// Every exactly-once guarantee lives in the schema (UNIQUE, primary keys, ON CONFLICT) and in
// transactions, never in this process's memory, so several processes can share one database.

export type Dialect = 'sqlite' | 'postgres';

export interface Queryable {
  /** Rows of a SELECT, or of an INSERT/UPDATE ... RETURNING. */
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Number of rows an INSERT/UPDATE/DELETE changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Several statements without parameters (migrations only). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly dialect: Dialect;
  /**
   * Run fn in one transaction: committed when fn resolves, rolled back when it throws. The
   * PostgreSQL adapter retries fn on serialization failures and deadlocks, so fn must have no
   * effects outside the database.
   */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** ` FOR UPDATE` where the dialect has row locks; SQLite's write transaction already excludes others. */
export function forUpdate(db: { dialect: Dialect }): string {
  return db.dialect === 'postgres' ? ' FOR UPDATE' : '';
}
