// better-sqlite3 adapter. better-sqlite3 is synchronous and this process holds one connection,
// so an async transaction would interleave with other requests' statements on that connection.
// A promise-chain mutex therefore runs one transaction group (or lone statement) at a time; other
// processes on the same file are kept out by BEGIN IMMEDIATE and wait through busy_timeout.
import Database from 'better-sqlite3';
import type { Db, Queryable } from './types.ts';

type Statement = Database.Statement<unknown[], unknown>;

export function openSqlite(path: string): Db {
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL'); // readers in other processes do not block the writer
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  // FULL, not NORMAL: in WAL mode NORMAL syncs only at checkpoints, so a power loss can roll back
  // transactions already committed, and an award the service acknowledged (and a payout it queued)
  // would vanish while the bridge has been told it is done. FULL syncs the WAL at every commit; the
  // cost is measured by `npm run bench:services` (docs/api.md, README).
  raw.pragma('synchronous = FULL');
  const cache = new Map<string, { stmt: Statement; order: number[] }>();

  function prepare(sql: string): { stmt: Statement; order: number[] } {
    let hit = cache.get(sql);
    if (hit === undefined) {
      const order: number[] = [];
      const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
        order.push(Number(n) - 1);
        return '?';
      });
      hit = { stmt: raw.prepare(text), order };
      cache.set(sql, hit);
    }
    return hit;
  }

  // SQLite binds numbers, strings, bigints, buffers and null; booleans become 0/1.
  function bind(order: number[], params: unknown[]): unknown[] {
    return order.map((i) => {
      const v = params[i];
      if (v === undefined) return null;
      if (typeof v === 'boolean') return v ? 1 : 0;
      return v;
    });
  }

  const q: Queryable = {
    async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      const { stmt, order } = prepare(sql);
      if (!stmt.reader) {
        stmt.run(...bind(order, params));
        return [];
      }
      return stmt.all(...bind(order, params)) as T[];
    },
    async run(sql: string, params: unknown[] = []): Promise<number> {
      const { stmt, order } = prepare(sql);
      if (stmt.reader) return stmt.all(...bind(order, params)).length;
      return stmt.run(...bind(order, params)).changes;
    },
    async exec(sql: string): Promise<void> {
      raw.exec(sql);
    },
  };

  let chain: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  }

  // Group commit. With synchronous=FULL every COMMIT waits for an fsync, on the event loop, and
  // that wait, not the statements, is most of a delivery's time. So the transactions asked for in
  // one turn of the event loop run together in one database transaction, each in its own
  // SAVEPOINT (a failing one is rolled back alone), and all are answered after the one COMMIT:
  // nobody is told "done" before their writes are on disk, and one fsync serves them all.
  interface Pending {
    fn: (q: Queryable) => Promise<unknown>;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }
  let gathering: Pending[] | null = null;

  async function commitGroup(group: Pending[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    raw.exec('BEGIN IMMEDIATE');
    try {
      for (const p of group) {
        raw.exec('SAVEPOINT bushu_tx');
        try {
          const value = await p.fn(q);
          raw.exec('RELEASE bushu_tx');
          outcomes.push({ ok: true, value });
        } catch (error) {
          raw.exec('ROLLBACK TO bushu_tx');
          raw.exec('RELEASE bushu_tx');
          outcomes.push({ ok: false, error });
        }
      }
      raw.exec('COMMIT');
    } catch (error) {
      if (raw.inTransaction) raw.exec('ROLLBACK');
      for (const p of group) p.reject(error);
      return;
    }
    group.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
  }

  return {
    dialect: 'sqlite',
    all: (sql, params) => exclusive(() => q.all(sql, params)),
    run: (sql, params) => exclusive(() => q.run(sql, params)),
    exec: (sql) => exclusive(() => q.exec(sql)),
    tx<T>(fn: (t: Queryable) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (gathering === null) {
          const group: Pending[] = (gathering = []);
          setImmediate(() => {
            gathering = null;
            void exclusive(() => commitGroup(group));
          });
        }
        gathering.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      });
    },
    async close(): Promise<void> {
      await new Promise((resolve) => setImmediate(resolve)); // a group still gathering joins the chain
      await chain;
      raw.close();
    },
  };
}
