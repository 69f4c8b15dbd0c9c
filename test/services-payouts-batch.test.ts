// The payout worker in batches: a run claims its batch in one statement and marks the paid ones in
// another, so a few statements pay a hundred payouts; two workers racing still pay each once, and
// a payout whose payment failed goes back to pending alone. SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db, Queryable } from '../services/db/types.ts';
import { runPayouts, type Payout } from '../services/reward/payouts.ts';
import { openTestDb, postgresSkipReason, T0, type Backend, type TestDb } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-payouts-batch: PostgreSQL tests skipped: ${pgSkip}`);

/** The database with its statements counted. */
function counting(db: Db): { db: Db; count: { n: number } } {
  const count = { n: 0 };
  const wrap = (q: Queryable): Queryable => ({
    all: (sql, p) => (count.n++, q.all(sql, p)),
    run: (sql, p) => (count.n++, q.run(sql, p)),
    exec: (sql) => (count.n++, q.exec(sql)),
  });
  return { db: { dialect: db.dialect, ...wrap(db), tx: (fn) => db.tx((q) => fn(wrap(q))), close: () => db.close() }, count };
}

async function seedAwards(db: Db, n: number): Promise<void> {
  await db.run('INSERT INTO users (id, name, utc_offset_min, created_at) VALUES ($1, $2, 480, $3)', ['alice', 'Alice', T0]);
  await db.tx(async (q) => {
    for (let i = 0; i < n; i++) {
      const date = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      const [a] = await q.all<{ id: number }>('INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at) VALUES ($1, $2, $3, 9000, 888, $4) RETURNING id', ['alice', date, 'a1a1a1a1a1a1', T0]);
      await q.run(`INSERT INTO payouts (award_id, user_id, amount_fen, state, created_at) VALUES ($1, 'alice', 888, 'pending', $2)`, [a.id, T0]);
    }
  });
}

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`payouts in batches on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let t: TestDb;
    beforeEach(async () => {
      t = await openTestDb(backend);
    });
    afterEach(async () => {
      await t?.drop();
    });

    it('pays a batch of 100 payouts in two statements, and 250 each once with two workers racing', async () => {
      await seedAwards(t.db, 250);
      const { db, count } = counting(t.db);
      const paid: number[] = [];
      const payer = { pay: async (p: Payout) => void paid.push(p.id) };
      const solo = await runPayouts(db, payer, T0, { limit: 100 });
      expect(solo).toEqual({ paid: 100, failed: 0 });
      expect(count.n).toBe(2);
      let total = solo.paid;
      for (;;) {
        const runs = await Promise.all([runPayouts(db, payer, T0, { limit: 100 }), runPayouts(db, payer, T0, { limit: 100 })]);
        const n = runs.reduce((a, r) => a + r.paid, 0);
        if (n === 0) break;
        total += n;
      }
      expect(total).toBe(250);
      expect(paid).toHaveLength(250);
      expect(new Set(paid).size).toBe(250);
      const [left] = await t.db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM payouts WHERE state <> 'paid' OR paid_at IS NULL`);
      expect(Number(left.n)).toBe(0);
    });

    it('puts back only the payouts whose payment failed', async () => {
      await seedAwards(t.db, 5);
      const payer = { pay: async (p: Payout) => (p.id % 2 === 0 ? Promise.reject(new Error('bank down')) : undefined) };
      expect(await runPayouts(t.db, payer, T0)).toEqual({ paid: 3, failed: 2 });
      const rows = await t.db.all<{ id: number; state: string; last_error: string | null; attempts: number }>('SELECT id, state, last_error, attempts FROM payouts ORDER BY id');
      expect(rows.map((r) => [Number(r.id), r.state, r.last_error, Number(r.attempts)])).toEqual([
        [1, 'paid', null, 1], [2, 'pending', 'bank down', 1], [3, 'paid', null, 1], [4, 'pending', 'bank down', 1], [5, 'paid', null, 1],
      ]);
      expect(await runPayouts(t.db, { pay: async () => undefined }, T0 + 1)).toEqual({ paid: 2, failed: 0 });
    });

    it('takes over a claim older than the claim TTL, and leaves a fresh one alone', async () => {
      await seedAwards(t.db, 2);
      await t.db.run(`UPDATE payouts SET state = 'paying', claimed_at = $1 WHERE id = 1`, [T0 - 600_000]); // a worker died mid-payment
      await t.db.run(`UPDATE payouts SET state = 'paying', claimed_at = $1 WHERE id = 2`, [T0 - 1_000]); // one still paying
      const paid: number[] = [];
      expect(await runPayouts(t.db, { pay: async (p: Payout) => void paid.push(p.id) }, T0)).toEqual({ paid: 1, failed: 0 });
      expect(paid).toEqual([1]);
    });
  });
}

describe.skipIf(pgSkip !== null)(`the claim on postgres with thousands of due payouts${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, () => {
  it('reads only the batch it claims, by the primary key, not every due payout', async () => {
    const t = await openTestDb('postgres');
    try {
      await t.db.exec(`INSERT INTO users (id, name, created_at) SELECT 'u' || g, 'U', 0 FROM generate_series(1, 500) g;
        WITH a AS (INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at)
          SELECT 'u' || g, to_char(date '2026-01-01' + x, 'YYYY-MM-DD'), 'd', 9000, 88, 0 FROM generate_series(1, 500) g, generate_series(0, 9) x RETURNING id, user_id)
        INSERT INTO payouts (award_id, user_id, amount_fen, state, created_at) SELECT id, user_id, 88, 'pending', 0 FROM a;
        ANALYZE awards, payouts`);
      const seen: Array<[string, unknown[]]> = [];
      const explaining: Db = { ...t.db, all: (sql, params) => (seen.push([sql, params ?? []]), t.db.all(sql, params)), run: (sql, params) => (seen.push([sql, params ?? []]), t.db.run(sql, params)) };
      expect(await runPayouts(explaining, { pay: async () => undefined }, T0, { limit: 100 })).toEqual({ paid: 100, failed: 0 });
      expect(seen).toHaveLength(2);
      for (const [sql, params] of seen) {
        const plan = (await t.db.all<{ 'QUERY PLAN': string }>('EXPLAIN ' + sql, params)).map((r) => r['QUERY PLAN']).join('\n');
        // With the primary key (id, user_id) (migration 011), `id IN (subquery)` was planned as a hash join over a bitmap scan of all 5,000.
        expect(plan).not.toMatch(/Hash|Bitmap Heap Scan|Seq Scan/);
        expect(plan).toMatch(/Index Scan using payouts_(pkey|due) on payouts\s/);
      }
    } finally {
      await t.drop();
    }
  });
});
