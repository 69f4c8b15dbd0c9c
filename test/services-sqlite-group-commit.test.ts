// The SQLite adapter's group commit: transactions asked for in one turn of the event loop share one
// COMMIT (one fsync), each in its own savepoint, so a failing one is rolled back alone, and each
// caller is answered only once the group is committed (another connection sees its rows by then).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../services/db/open.ts';
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
