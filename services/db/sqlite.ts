// better-sqlite3 adapter. better-sqlite3 is synchronous and this process holds one connection,
// so an async transaction would interleave with other requests' statements on that connection.
// A promise-chain mutex therefore runs one transaction group (or lone statement) at a time; other
// processes on the same file are kept out by BEGIN IMMEDIATE and wait through busy_timeout.
import { closeSync, fsync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Db, Queryable } from './types.ts';

type Statement = Database.Statement<unknown[], unknown>;

export interface SqliteOptions {
  /** fsync(2) of the WAL file; tests hold it to see who waits for it. */
  fsync?: (fd: number, done: (error: Error | null) => void) => void;
}

export function openSqlite(path: string, options: SqliteOptions = {}): Db {
  const raw = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  const wal = switchToWal(raw); // readers in other processes do not block the writer
  raw.pragma('foreign_keys = ON');
  forgetStat4Samples(raw);
  // Nothing is answered before its commit is on disk: a power loss must not roll back an award the
  // service acknowledged (and a payout it queued) while the bridge has been told it is done. SQLite
  // would get there with synchronous=FULL, which fsyncs the WAL inside COMMIT, on the event loop:
  // every request waits for every commit. So commits only write the WAL (NORMAL), and the adapter
  // fsyncs the WAL file itself on libuv's thread pool before answering (`durable`), one fsync
  // covering every commit written before it began. A commit is durable once its WAL frames are on
  // disk, whether SQLite or we sync them; checkpoints sync WAL and database in either mode.
  // (An in-memory database has no WAL: FULL, nothing to sync.)
  raw.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
  const walSync = wal ? walSyncer(`${path}-wal`, options.fsync ?? fsync) : null;
  const durable = (): Promise<void> => (walSync === null ? Promise.resolve() : walSync.sync());
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

  // Group commit. The transactions asked for in one turn of the event loop run together in one
  // database transaction, each in its own SAVEPOINT (a failing one is rolled back alone), and all
  // are answered after the one COMMIT and the fsync that follows it: nobody is told "done" before
  // their writes are on disk, and one commit and one fsync serve them all. The next group runs
  // while this one's fsync is under way.
  // Prepared once: exec would parse these texts again for every transaction.
  const control = {
    begin: raw.prepare('BEGIN IMMEDIATE'),
    savepoint: raw.prepare('SAVEPOINT bushu_tx'),
    release: raw.prepare('RELEASE bushu_tx'),
    rollbackTo: raw.prepare('ROLLBACK TO bushu_tx'),
    commit: raw.prepare('COMMIT'),
  };
  interface Pending {
    fn: (q: Queryable) => Promise<unknown>;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }
  let gathering: Pending[] | null = null;

  async function commitGroup(group: Pending[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      control.begin.run();
      for (const p of group) {
        control.savepoint.run();
        try {
          const value = await p.fn(q);
          control.release.run();
          outcomes.push({ ok: true, value });
        } catch (error) {
          control.rollbackTo.run();
          control.release.run();
          outcomes.push({ ok: false, error });
        }
      }
      control.commit.run();
    } catch (error) {
      if (raw.inTransaction) raw.exec('ROLLBACK');
      for (const p of group) p.reject(error);
      return;
    }
    // Answered off the mutex: the next group's statements run during this fsync.
    durable().then(
      () => group.forEach((p, i) => {
        const o = outcomes[i];
        if (o.ok) p.resolve(o.value);
        else p.reject(o.error);
      }),
      (error: unknown) => group.forEach((p) => p.reject(error)),
    );
  }

  /** A lone statement; one that writes resolves once its commit is on disk. */
  async function lone<T>(sql: string | null, fn: () => Promise<T>): Promise<T> {
    const result = await exclusive(fn);
    if (sql === null || !prepare(sql).stmt.reader) await durable();
    return result;
  }

  return {
    dialect: 'sqlite',
    all: (sql, params) => lone(sql, () => q.all(sql, params)),
    run: (sql, params) => lone(sql, () => q.run(sql, params)),
    exec: (sql) => lone(null, () => q.exec(sql)),
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
      await walSync?.close();
      raw.close();
    },
  };
}

const BUSY_TIMEOUT_MS = 5000;

/**
 * Switching a new file to WAL needs the file to itself. When two processes open one new file at
 * the same moment (two `bushu serve` on a fresh path), each holds a shared lock and wants the other
 * to let go, so SQLite answers one of them SQLITE_BUSY at once rather than wait through
 * busy_timeout (waiting could deadlock). The other finishes within milliseconds: retry the switch
 * for as long as busy_timeout would have waited.
 */
export function switchToWal(raw: Pick<Database.Database, 'pragma'>): boolean {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return raw.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
      Atomics.wait(pause, 0, 0, 10); // at start-up only: nothing else runs on this event loop yet
    }
  }
}

/**
 * better-sqlite3 builds SQLite with SQLITE_ENABLE_STAT4. Once an ANALYZE has stored stat4 samples,
 * every statement whose plan might depend on a bound value (a range on an index after an equality:
 * the counter check's neighbouring days, the histories) is compiled again at each run, as after a
 * schema change, since better-sqlite3 binds its parameters anew each time: the counter check took
 * 97 µs a delivery instead of 9 with a year stored. Every query here walks a key, which stat1's
 * averages plan as well, so the samples are deleted and the statistics reloaded, stat1 kept.
 */
function forgetStat4Samples(raw: Database.Database): void {
  if (raw.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4'").get() === undefined) return;
  if (raw.prepare('SELECT 1 FROM sqlite_stat4 LIMIT 1').get() === undefined) return;
  raw.exec('DELETE FROM sqlite_stat4; ANALYZE sqlite_schema');
}

/**
 * fsync of the WAL file on libuv's thread pool. A caller is resolved by the first fsync that began
 * after its call, so it covers every commit written before the call; callers arriving while one
 * runs share the next. The file is opened at the first call (a commit has created it by then) and
 * stays open with the database, so it is never unlinked under us.
 */
function walSyncer(walPath: string, syncFile: NonNullable<SqliteOptions['fsync']>): { sync(): Promise<void>; close(): Promise<void> } {
  let fd: number | null = null;
  let running = false;
  let queue: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  function start(): void {
    running = true;
    const batch = queue;
    queue = [];
    try {
      fd ??= openSync(walPath, 'r');
    } catch (error) {
      running = false;
      for (const w of batch) w.reject(error);
      return;
    }
    syncFile(fd, (error) => {
      running = false;
      for (const w of batch) (error ? w.reject(error) : w.resolve());
      if (queue.length > 0) start();
    });
  }
  const sync = () => new Promise<void>((resolve, reject) => {
    queue.push({ resolve, reject });
    if (!running) start();
  });
  return {
    sync,
    async close() {
      if (fd === null) return;
      await sync().catch(() => undefined); // the last callers' fsync ends before the file closes
      closeSync(fd);
      fd = null;
    },
  };
}
