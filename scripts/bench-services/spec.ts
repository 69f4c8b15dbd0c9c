// What the benchmark's child processes are told (as JSON in the file BENCH_SPEC_FILE names): which database to open.
import { readFileSync } from 'node:fs';
import { openDatabase } from '../../services/db/open.ts';
import type { Db, Queryable } from '../../services/db/types.ts';

export interface DbSpec {
  /** postgres://… with a schema, or a SQLite file. */
  databaseUrl?: string;
  schema?: string;
  sqlitePath?: string;
}

export function readSpec<T>(): T {
  const file = process.env.BENCH_SPEC_FILE;
  if (file === undefined) throw new Error('BENCH_SPEC_FILE is not set: this file is started by scripts/bench-services.ts');
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function openSpecDb(spec: DbSpec): Promise<Db> {
  return openDatabase({ databaseUrl: spec.databaseUrl, schema: spec.schema, sqlitePath: spec.sqlitePath, poolSize: 10 });
}

/** The same database with every statement counted (statements per delivery), transactions too. */
export function countingDb(db: Db): { db: Db; counts: { statements: number; transactions: number } } {
  const counts = { statements: 0, transactions: 0 };
  const wrap = (q: Queryable): Queryable => ({
    all: (sql, params) => (counts.statements++, q.all(sql, params)),
    run: (sql, params) => (counts.statements++, q.run(sql, params)),
    exec: (sql) => (counts.statements++, q.exec(sql)),
  });
  const counted: Db = {
    dialect: db.dialect,
    ...wrap(db),
    tx: (fn) => (counts.transactions++, db.tx((q) => fn(wrap(q)))),
    close: () => db.close(),
  };
  return { db: counted, counts };
}
