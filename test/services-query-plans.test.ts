// Every statement that acceptance, the leaderboard, the 30-day history, the dashboard and the
// payout worker run reads its tables by an index, so their cost does not grow with the data: the
// statements are recorded while the real routes run, then each is EXPLAINed, and a full scan of a
// table that grows with users or days fails the test. SQLite: EXPLAIN QUERY PLAN, where a full
// scan reads "SCAN <table>". PostgreSQL: EXPLAIN with sequential scans disabled, so a "Seq Scan" is
// left only where no index can serve (with these few rows it would otherwise prefer one anyway).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Queryable } from '../services/db/types.ts';
import { deliver, makeRecord, signRecord } from './kits/services.ts';
import { migrate } from '../services/db/migrate.ts';
import { history, ranking } from '../services/social/leaderboard.ts';
import { openTestDb, postgresSkipReason, startHarness, type Backend, type Harness, type TestDb } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-query-plans: PostgreSQL tests skipped: ${pgSkip}`);

/** Tables that grow with users, devices, days or deliveries. */
const BIG = ['users', 'device_owners', 'devices', 'friendships', 'idempotency_keys', 'reward_days', 'social_days', 'awards', 'payouts', 'user_tokens'];

/** 2,000 more users, each with a device, ten friends, 100 days in both services, their awards and payouts, a week of keys and a token. */
const OTHER_USERS = `
  INSERT INTO users (id, name, utc_offset_min, created_at) SELECT 'p' || g, 'P' || g, 480, 0 FROM generate_series(1, 2000) g;
  INSERT INTO device_owners (device_id, user_id) SELECT lpad(to_hex(g), 12, '0'), 'p' || g FROM generate_series(1, 2000) g;
  INSERT INTO devices (id, user_id, created_at) SELECT lpad(to_hex(g), 12, '0'), 'p' || g, 0 FROM generate_series(1, 2000) g;
  INSERT INTO friendships (user_id, friend_id) SELECT 'p' || g, 'p' || (1 + (g + k) % 2000) FROM generate_series(1, 2000) g, generate_series(1, 10) k;
  INSERT INTO reward_days (device_id, date, user_id, record_version, source, utc_offset_min, steps, not_worn, closed, counter, status, reasons, synced_at, received_at)
    SELECT lpad(to_hex(g), 12, '0'), to_char(date '2026-08-15' + x, 'YYYY-MM-DD'), 'p' || g, 1, 'bushu', 480, 5000 + 50 * x, '[]', 1, x + 1, 'verified', '[]', 'x', 0
    FROM generate_series(1, 2000) g, generate_series(0, 99) x;
  INSERT INTO social_days (device_id, date, user_id, record_version, source, utc_offset_min, steps, status, reasons, synced_at, received_at)
    SELECT device_id, date, user_id, 1, 'bushu', 480, steps, 'counted', '[]', 'x', 0 FROM reward_days WHERE user_id LIKE 'p%';
  WITH a AS (INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at)
    SELECT user_id, date, device_id, steps, 88, 0 FROM reward_days WHERE user_id LIKE 'p%' AND steps >= 8000 RETURNING id, user_id)
  INSERT INTO payouts (award_id, user_id, amount_fen, state, created_at) SELECT id, user_id, 88, 'paid', 0 FROM a;
  INSERT INTO idempotency_keys (scope, key, request_hash, state, status, response, locked_at, created_at)
    SELECT 'reward/other', 'k' || g || ':' || x, 'h', 'done', 200, '{}', 0, 0 FROM generate_series(1, 2000) g, generate_series(1, 7) x;
  INSERT INTO user_tokens (token_sha256, user_id, created_at) SELECT md5('t' || g), 'p' || g, 0 FROM generate_series(1, 2000) g;
  ANALYZE users, device_owners, devices, friendships, reward_days, social_days, awards, payouts, idempotency_keys, user_tokens`;

/** The database, with every statement's text and parameters recorded while `on`. */
function recording(db: Db): { db: Db; seen: Map<string, unknown[]>; on: { value: boolean } } {
  const seen = new Map<string, unknown[]>();
  const on = { value: false };
  const note = (sql: string, params: unknown[] = []) => {
    if (on.value && !seen.has(sql)) seen.set(sql, params);
  };
  const wrap = (q: Queryable): Queryable => ({
    all: (sql, params) => (note(sql, params), q.all(sql, params)),
    run: (sql, params) => (note(sql, params), q.run(sql, params)),
    exec: (sql) => q.exec(sql),
  });
  return { db: { dialect: db.dialect, ...wrap(db), tx: (fn) => db.tx((q) => fn(wrap(q))), close: () => db.close() }, seen, on };
}

/** The full scans of big tables in the statement's plan, as "table: plan line". */
/** PostgreSQL: each index of the schema and its leading column (a condition on a later column alone still walks the whole index). */
async function leadingColumns(db: Db): Promise<Map<string, string>> {
  const rows = await db.all<{ name: string; lead: string }>(
    `SELECT c.relname AS name, a.attname AS lead FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
     JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0] WHERE c.relnamespace = CAST(current_schema() AS regnamespace)`,
  );
  return new Map(rows.map((r) => [r.name, r.lead]));
}

/** leading: PostgreSQL's indexes and their leading columns (leadingColumns); unused on SQLite. */
async function fullScans(db: Db, sql: string, params: unknown[], leading: Map<string, string>): Promise<string[]> {
  if (db.dialect === 'sqlite') {
    const rows = await db.all<{ detail: string }>('EXPLAIN QUERY PLAN ' + sql, params);
    // SQLite names a table by its alias in the plan; map aliases back to tables.
    const alias = new Map<string, string>();
    for (const m of sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
      alias.set(m[1], m[1]);
      if (m[2] !== undefined && !/^(WHERE|ON|LEFT|JOIN|GROUP|ORDER|LIMIT|UNION|INNER)$/i.test(m[2])) alias.set(m[2], m[1]);
    }
    return rows
      .map((r) => /^SCAN (\w+)/.exec(r.detail))
      .filter((m): m is RegExpExecArray => m !== null && BIG.includes(alias.get(m[1]) ?? m[1]))
      .map((m) => `${alias.get(m[1]) ?? m[1]}: ${m.input}`);
  }
  return db.tx(async (q) => {
    await q.exec('SET LOCAL enable_seqscan = off');
    const lines = (await q.all<{ 'QUERY PLAN': string }>('EXPLAIN ' + sql, params)).map((r) => r['QUERY PLAN']);
    const scans: string[] = [];
    lines.forEach((line, i) => {
      const seq = /Seq Scan on (\w+)/.exec(line);
      if (seq !== null && BIG.includes(seq[1])) scans.push(`${seq[1]}: ${line.trim()}`);
      // An index walked from end to end reads the table in full as surely as a Seq Scan: an index
      // scan's Index Cond (among its details, the lines up to its first child or sibling) must bound
      // the index's leading column.
      const index = /Index (?:Only )?Scan (?:Backward )?using (\w+) on (\w+)/.exec(line);
      if (index === null || !BIG.includes(index[2])) return;
      // (A node's line starts with its arrow; a condition may hold the JSON operator ->> too.)
      const next = lines.findIndex((l, j) => j > i && /^\s*->\s/.test(l));
      const cond = lines.slice(i + 1, next === -1 ? undefined : next).find((l) => l.includes('Index Cond:')) ?? '';
      const lead = leading.get(index[1]);
      // An index led by the date holds every user's rows of each date (awards, migration 012): a
      // range of dates walks them all, so only equality (one date, or a list of them) bounds it.
      const bound = lead === 'date' ? '=' : '=|<|<=|>|>=';
      if (lead === undefined || !new RegExp(`[(.]${lead} (${bound}) `).test(cond)) scans.push(`${index[2]}: ${line.trim()} (${cond.trim() || 'no Index Cond'})`);
    });
    return scans;
  });
}

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`query plans on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let t: TestDb;
    let h: Harness;
    let rec: ReturnType<typeof recording>;

    beforeAll(async () => {
      t = await openTestDb(backend);
      rec = recording(t.db);
      h = await startHarness(rec.db);
      rec.on.value = true;
      const reward = (date: string, steps: number, counter: number) =>
        deliver(h.reward, signRecord(makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date, steps }), h.keys.a1a1a1a1a1a1, counter), { secret: h.rewardSecret, nowSec: h.nowSec() });
      expect((await reward('2026-11-19', 9000, 1)).status).toBe(200);
      expect((await reward('2026-11-20', 9500, 2)).status).toBe(200); // a neighbour to check the counter against
      expect((await reward('2026-11-20', 9500, 2)).replayed).toBe(true);
      expect((await reward('2026-11-18', 9000, 3)).status).toBe(409); // counter out of order: the neighbour clashes
      const unsigned = makeRecord({ user: 'bob', device: 'b1b1b1b1b1b1', date: '2026-11-20', steps: 8000 });
      expect((await deliver(h.reward, unsigned, { secret: h.rewardSecret, nowSec: h.nowSec() })).status).toBe(200);
      expect((await deliver(h.social, unsigned, { secret: h.socialSecret, nowSec: h.nowSec() })).status).toBe(200);
      const token = ((await (await fetch(`${h.url}/admin/v1/users/alice/tokens`, { method: 'POST', headers: h.asAdmin })).json()) as { token: string }).token;
      for (const [path, auth] of [
        ['/social/v1/users/alice/leaderboard?date=2026-11-20', h.asAdmin],
        ['/social/v1/users/alice/history', h.asAdmin],
        ['/api/users', h.asAdmin],
        ['/api/users?after=alice&limit=1', h.asAdmin],
        ['/api/users', { authorization: `Bearer ${token}` }],
        ['/api/users/alice/overview', { authorization: `Bearer ${token}` }],
        ['/api/users/alice/hours?date=2026-11-20', h.asAdmin],
        ['/reward/v1/users/alice/awards', h.asAdmin],
      ] as const) expect((await fetch(h.url + path, { headers: auth })).status).toBe(200);
      const payouts = await fetch(`${h.url}/admin/v1/payouts/run`, { method: 'POST', headers: { ...h.asAdmin, 'content-type': 'application/json' }, body: '{}' });
      expect(await payouts.json()).toMatchObject({ paid: 2 }) // alice's two days;
      rec.on.value = false;
      // PostgreSQL plans by its statistics: on a handful of rows it may walk an index end to end
      // as readily as probe it. Thousands of other users with months of days make the planner
      // choose as it does on a deployment's tables (the plans below are made after this).
      if (backend === 'postgres') await t.db.exec(OTHER_USERS);
    }, 120_000); // the load takes ~5 s alone, and over 10 s beside the rest of the suite on two cores
    afterAll(async () => {
      await h?.close();
      await t?.drop();
    });

    it('records the statements of every path (a dozen or more)', () => {
      expect(rec.seen.size).toBeGreaterThan(12);
      const text = [...rec.seen.keys()].join('\n');
      for (const table of ['reward_days', 'social_days', 'friendships', 'awards', 'payouts', 'idempotency_keys', 'user_tokens']) expect(text).toContain(table);
    });

    it('scans no big table in full', async () => {
      const leading = backend === 'postgres' ? await leadingColumns(t.db) : new Map<string, string>();
      const scans: string[] = [];
      for (const [sql, params] of rec.seen) {
        if (/^\s*INSERT\b/i.test(sql) && !/\bSELECT\b/i.test(sql)) continue; // a plain insert reads nothing
        for (const s of await fullScans(t.db, sql, params, leading)) scans.push(`${s}\n    in: ${sql.replace(/\s+/g, ' ').slice(0, 240)}`);
      }
      expect(scans).toEqual([]);
    });
  });
}

// A new deployment, or users just imported: PostgreSQL has no statistics on the tables until
// autovacuum analyzes them, and a named statement's generic plan is then made on guesses. The
// friends' statements must probe users and days by key even so: joined to users, the leaderboard
// read the whole users table (2.7 ms at 10,000 users, growing with them).
describe.skipIf(pgSkip !== null)(`friends' statements before any statistics on postgres${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, () => {
  it('read users, friendships and days by key in their generic plans', async () => {
    const t = await openTestDb('postgres');
    try {
      await migrate(t.db);
      // Autovacuum off for these tables, so that nothing analyzes them during the test.
      for (const table of ['users', 'friendships', 'social_days']) await t.db.exec(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
      await t.db.exec(`
        INSERT INTO users (id, name, utc_offset_min, created_at) SELECT 'p' || g, 'P' || g, 480, 0 FROM generate_series(1, 5000) g;
        INSERT INTO friendships (user_id, friend_id) SELECT 'p' || g, 'p' || (1 + (g + k) % 5000) FROM generate_series(1, 5000) g, generate_series(1, 10) k;
        INSERT INTO social_days (device_id, date, user_id, record_version, source, utc_offset_min, steps, status, reasons, synced_at, received_at)
          SELECT lpad(to_hex(g), 12, '0'), to_char(date '2026-10-01' + x, 'YYYY-MM-DD'), 'p' || g, 1, 'bushu', 480, 5000, 'counted', '[]', 'x', 0
          FROM generate_series(1, 5000) g, generate_series(0, 29) x`);
      const rec = recording(t.db);
      rec.on.value = true;
      expect((await ranking(rec.db, 'p7', '2026-10-20')).map((r) => r.user)).toHaveLength(11);
      expect(await history(rec.db, 'p7', '2026-10-01', '2026-10-30')).toHaveLength(30);
      rec.on.value = false;
      expect(rec.seen.size).toBe(3);
      const scans = await t.db.tx(async (q) => {
        await q.exec('SET LOCAL plan_cache_mode = force_generic_plan');
        const found: string[] = [];
        let n = 0;
        for (const [sql, params] of rec.seen) {
          await q.exec(`PREPARE friends_${++n} AS ${sql}`);
          const values = params.map((p) => `'${String(p).replace(/'/g, "''")}'`).join(', ');
          const plan = (await q.all<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE friends_${n}(${values})`)).map((r) => r['QUERY PLAN']);
          for (const line of plan) if (/Seq Scan on (users|friendships|social_days)\b/.test(line)) found.push(`${line.trim()}\n    in: ${sql.replace(/\s+/g, ' ')}`);
        }
        return found;
      });
      expect(scans).toEqual([]);
    } finally {
      await t.drop();
    }
  }, 60_000);
});
