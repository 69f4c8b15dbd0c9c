// pg adapter: a pool per service process. Several processes (or several pools in one test) may
// share one database; correctness comes from constraints and row locks, and transactions that
// lose a serialization race or a deadlock are simply run again.
import pg from 'pg';
import type { Db, Queryable } from './types.ts';

const INT8_OID = 20;
/** SQLSTATEs of a transaction that lost a race and may simply run again: serialization_failure, deadlock_detected. */
export const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 8;
const MAX_NAMED = 500;

export interface PostgresOptions {
  url: string;
  /** A schema to create and use (tests use one per run); default: the server's search_path. */
  schema?: string;
  max?: number;
}

export async function openPostgres(opts: PostgresOptions): Promise<Db> {
  const schema = opts.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('bad schema name: ' + schema);
  if (schema !== undefined) {
    const c = new pg.Client({ connectionString: opts.url });
    await c.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (err) {
      // Two pools creating the same schema at once: the loser sees a unique violation; the schema exists.
      if ((err as { code?: string }).code !== '23505') throw err;
    } finally {
      await c.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
    // Counters and millisecond times are BIGINT; they fit a double exactly, so read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', () => undefined); // an idle client lost its connection: the pool replaces it

  // Named statements: each connection parses and plans a statement once, then only binds and runs
  // it. The services' SQL is a fixed set of texts; past MAX_NAMED (SQL built at run time) the rest
  // go unnamed rather than filling the server's memory.
  const names = new Map<string, string>();
  function query(sql: string, params: unknown[]): pg.QueryConfig {
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_NAMED) names.set(sql, (name = `bushu_${names.size}`));
    return { text: sql, values: params, ...(name !== undefined ? { name } : {}) };
  }

  function on(client: pg.Pool | pg.PoolClient): Queryable {
    return {
      async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
        return (await client.query(query(sql, params))).rows as T[];
      },
      async run(sql: string, params: unknown[] = []): Promise<number> {
        return (await client.query(query(sql, params))).rowCount ?? 0;
      },
      async exec(sql: string): Promise<void> {
        await client.query(sql);
      },
    };
  }
  const direct = on(pool);

  return {
    dialect: 'postgres',
    ...direct,
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn(on(client));
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          const code = (err as { code?: string }).code;
          if (code === undefined || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw err;
        } finally {
          client.release();
        }
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}

/** True when a PostgreSQL server answers at url within timeoutMs (tests and the bench use it to skip). */
export async function postgresReachable(url: string, timeoutMs = 1500): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}
