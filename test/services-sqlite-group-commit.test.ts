// The SQLite adapter's group commit: transactions asked for in one turn of the event loop share one
// COMMIT (one fsync), each in its own savepoint, so a failing one is rolled back alone, and each
// caller is answered only once the group is committed (another connection sees its rows by then).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../services/db/open.ts';
import { openSqlite, switchToWal } from '../services/db/sqlite.ts';
import type { Db } from '../services/db/types.ts';

describe('SQLite group commit', () => {
  let dir = '';
  let db: Db;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bushu-group-'));
    db = await openDatabase({ sqlitePath: join(dir, 's.db') });
  });
  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const addUser = (id: string) => db.tx(async (q) => q.run('INSERT INTO users (id, name, utc_offset_min, created_at) VALUES ($1, $1, 480, 0)', [id]));

  it('rolls back only the transaction that failed among those committed together', async () => {
    const results = await Promise.allSettled([
      addUser('a'),
      db.tx(async (q) => {
        await q.run('INSERT INTO users (id, name, utc_offset_min, created_at) VALUES ($1, $1, 480, 0)', ['b']);
        throw new Error('refused');
      }),
      addUser('a'), // a constraint violation: its statement fails, the others' rows stay
      addUser('c'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused');
    expect(await db.all('SELECT id FROM users ORDER BY id')).toEqual([{ id: 'a' }, { id: 'c' }]);
  });

  it('answers each transaction after the commit: another connection already sees its row', async () => {
    const other = new Database(join(dir, 's.db'), { readonly: true });
    try {
      const seen = await Promise.all(['x', 'y', 'z'].map(async (id) => {
        await addUser(id);
        return other.prepare('SELECT id FROM users WHERE id = ?').get(id);
      }));
      expect(seen).toEqual([{ id: 'x' }, { id: 'y' }, { id: 'z' }]);
    } finally {
      other.close();
    }
  });

  it('a transaction asked for while a group runs joins the next group, answered after its own commit', async () => {
    const order: string[] = [];
    let later: Promise<unknown> | undefined;
    await db.tx(async (q) => {
      later = addUser('later').then(() => order.push('later committed'));
      await q.run('INSERT INTO users (id, name, utc_offset_min, created_at) VALUES ($1, $1, 480, 0)', ['first']);
    });
    order.push('first committed');
    await later;
    expect(order).toEqual(['first committed', 'later committed']);
    expect(await db.all('SELECT id FROM users ORDER BY id')).toEqual([{ id: 'first' }, { id: 'later' }]);
  });
});

// The WAL's fsync runs off the event loop (synchronous=NORMAL plus the adapter's own fsync): a
// caller is answered only after an fsync that began after its commit, and one fsync serves every
// commit written before it began.
describe('SQLite durability off the event loop', () => {
  let dir = '';
  let db: Db;
  let held: Array<(error: Error | null) => void> = [];
  // Set up and torn down with fsyncs done at once; each test holds them.
  let holding = false;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bushu-fsync-'));
    held = [];
    holding = false;
    db = openSqlite(join(dir, 's.db'), { fsync: (_fd, done) => (holding ? held.push(done) : setImmediate(() => done(null))) });
    await db.exec('CREATE TABLE t (id TEXT PRIMARY KEY)');
    holding = true;
  });
  afterEach(async () => {
    holding = false;
    for (const done of held.splice(0)) done(null);
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };

  it('commits with synchronous=NORMAL in WAL mode, the fsync being its own', async () => {
    expect(await db.all('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await db.all('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
  });

  it('answers a transaction only once the fsync after its commit is done; the rows are committed before', async () => {
    let answered = false;
    const tx = db.tx((q) => q.run('INSERT INTO t (id) VALUES ($1)', ['a'])).then(() => (answered = true));
    await turns(5);
    expect(held).toHaveLength(1);
    expect(answered).toBe(false);
    // Committed (another reader on this connection sees it), not yet answered.
    expect(await db.all('SELECT id FROM t')).toEqual([{ id: 'a' }]);
    held.shift()!(null);
    await tx;
    expect(answered).toBe(true);
  });

  it('one fsync serves the commits written before it began; later ones wait for the next', async () => {
    const done: string[] = [];
    const insert = (id: string) => db.tx((q) => q.run('INSERT INTO t (id) VALUES ($1)', [id])).then(() => done.push(id));
    const first = [insert('a'), insert('b')];
    await turns(5);
    expect(held).toHaveLength(1); // a and b committed together: one fsync under way
    const later = db.run('INSERT INTO t (id) VALUES ($1)', ['c']).then(() => done.push('c')); // a lone write waits too
    await turns(5);
    expect(await db.all('SELECT id FROM t ORDER BY id')).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    expect(held).toHaveLength(1); // c waits for the running fsync to end, then gets its own
    held.shift()!(null);
    await Promise.all(first);
    await turns(5);
    expect(done).toEqual(['a', 'b']);
    expect(held).toHaveLength(1);
    held.shift()!(null);
    await later;
    expect(done).toContain('c');
  });

  it('a failed fsync fails the transactions it was to make durable; reads never wait for one', async () => {
    const tx = db.tx((q) => q.run('INSERT INTO t (id) VALUES ($1)', ['a']));
    await turns(5);
    expect(await db.all('SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 1 }]); // no fsync asked for a read
    expect(held).toHaveLength(1);
    held.shift()!(new Error('EIO: i/o error, fsync'));
    await expect(tx).rejects.toThrow('EIO');
  });
});

// Two `bushu serve` opening one new file at the same moment: SQLite answers one of them
// SQLITE_BUSY at once (not after busy_timeout) when both want to switch the file to WAL. Seen in CI
// as "cannot open the sqlite services.db database: database is locked".
describe('SQLite switch to WAL at open', () => {
  const busy = (): Error => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  afterEach(() => vi.useRealTimers());

  it('retries while another process holds the new file', () => {
    let calls = 0;
    const raw = {
      pragma: (sql: string) => {
        expect(sql).toBe('journal_mode = WAL');
        calls++;
        if (calls < 3) throw busy();
        return 'wal';
      },
    };
    expect(switchToWal(raw as never)).toBe(true);
    expect(calls).toBe(3);
  });

  it('reports a file that cannot take WAL (in memory) as such', () => {
    expect(switchToWal({ pragma: () => 'memory' } as never)).toBe(false);
  });

  it('gives up after busy_timeout, and at once on any other error', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let calls = 0;
    const stuck = {
      pragma: () => {
        calls++;
        vi.setSystemTime(Date.now() + 1000); // each attempt "takes" a second of the 5 s budget
        throw busy();
      },
    };
    expect(() => switchToWal(stuck as never)).toThrow('database is locked');
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThanOrEqual(6);
    let other = 0;
    const broken = {
      pragma: () => {
        other++;
        throw Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' });
      },
    };
    expect(() => switchToWal(broken as never)).toThrow('file is not a database');
    expect(other).toBe(1);
  });
});
