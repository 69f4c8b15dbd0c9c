// Choose the adapter: PostgreSQL when a URL is given (DATABASE_URL), otherwise a SQLite file.
import { migrate } from './migrate.ts';
import { openPostgres } from './postgres.ts';
import { openSqlite } from './sqlite.ts';
import type { Db } from './types.ts';

export interface OpenOptions {
  /** postgres://… ; wins over sqlitePath. */
  databaseUrl?: string;
  /** A file path or ':memory:'. */
  sqlitePath?: string;
  /** PostgreSQL schema (tests: one per run). */
  schema?: string;
  poolSize?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  const db = opts.databaseUrl
    ? await openPostgres({ url: opts.databaseUrl, schema: opts.schema, max: opts.poolSize })
    : openSqlite(opts.sqlitePath ?? 'bushu.db');
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/** A URL names a database; anything else is a SQLite path. */
export function describeDatabase(opts: OpenOptions): string {
  if (opts.databaseUrl) return 'postgresql ' + opts.databaseUrl.replace(/\/\/[^@/]*@/, '//…@');
  return 'sqlite ' + (opts.sqlitePath ?? 'bushu.db');
}
