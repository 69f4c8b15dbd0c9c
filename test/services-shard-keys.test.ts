// The schema is keyed so that a PostgreSQL-compatible distributed database could shard it by user
// (docs/api.md, "Distribution key"). Such a database (Citus, for one) enforces a primary key, a
// unique constraint or a unique index of a sharded table only if it holds the shard key, and a
// foreign key only within one shard: between tables sharded by the same key, on that key, or to a
// reference table (a copy on every node); never from a reference table to a sharded one. This test
// reads the PostgreSQL catalog and holds every table to the plan below, so a new table or key has
// to take a side. It also migrates a database holding data to the user keys, on both dialects.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../services/db/migrate.ts';
import { openPostgres } from '../services/db/postgres.ts';
import { openSqlite } from '../services/db/sqlite.ts';
import type { Db } from '../services/db/types.ts';
import { registerDevice, upsertUser } from '../services/registry.ts';
import { openTestDb, postgresSkipReason, TEST_PG_URL, type Backend } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-shard-keys: PostgreSQL tests skipped: ${pgSkip}`);

/** How each table would be distributed: a copy on every node, or sharded by a column (tables sharded by user_id share shards). */
const PLAN: Record<string, { reference: true } | { shardKey: string }> = {
  schema_migrations: { reference: true },
  users: { reference: true },
  device_owners: { reference: true },
  devices: { shardKey: 'user_id' },
  friendships: { shardKey: 'user_id' },
  reward_days: { shardKey: 'user_id' },
  social_days: { shardKey: 'user_id' },
  awards: { shardKey: 'user_id' },
  payouts: { shardKey: 'user_id' },
  // Looked up by their own key, which names no user: sharded by it (docs/api.md says which statements cross).
  idempotency_keys: { shardKey: 'key' },
  user_tokens: { shardKey: 'token_sha256' },
};

interface ForeignKey { name: string; from: string; to: string; columns: string[]; referenced: string[] }

/** Why the schema could not be sharded by the plan: one line per problem. */
async function shardingProblems(db: Db): Promise<string[]> {
  const problems: string[] = [];
  const tables = (await db.all<{ name: string }>(`SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = CAST(current_schema() AS regnamespace) AND c.relkind = 'r'`)).map((t) => t.name);
  for (const t of tables) if (!(t in PLAN)) problems.push(`${t}: not in the distribution plan`);
  const uniques = await db.all<{ table_name: string; index_name: string; columns: string[] }>(
    `SELECT t.relname AS table_name, i.relname AS index_name,
       ARRAY(SELECT CAST(a.attname AS TEXT) FROM unnest(x.indkey[0:x.indnkeyatts - 1]) k JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k) AS columns
     FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
     WHERE x.indisunique AND t.relnamespace = CAST(current_schema() AS regnamespace)`,
  );
  for (const u of uniques) {
    const plan = PLAN[u.table_name];
    if (plan !== undefined && 'shardKey' in plan && !u.columns.includes(plan.shardKey)) {
      problems.push(`${u.table_name}: unique ${u.index_name} (${u.columns.join(', ')}) lacks the shard key ${plan.shardKey}`);
    }
  }
  const keys = await db.all<ForeignKey>(
    `SELECT c.conname AS name, f.relname AS "from", t.relname AS "to",
       ARRAY(SELECT CAST(a.attname AS TEXT) FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
       ARRAY(SELECT CAST(a.attname AS TEXT) FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS referenced
     FROM pg_constraint c JOIN pg_class f ON f.oid = c.conrelid JOIN pg_class t ON t.oid = c.confrelid
     WHERE c.contype = 'f' AND c.connamespace = CAST(current_schema() AS regnamespace)`,
  );
  for (const k of keys) {
    const from = PLAN[k.from];
    const to = PLAN[k.to];
    if (from === undefined || to === undefined || 'reference' in to) continue; // to a copy on every node: always local
    if ('reference' in from) {
      problems.push(`${k.from}: ${k.name} points from a reference table to the sharded ${k.to}`);
      continue;
    }
    const at = k.columns.indexOf(from.shardKey);
    if (from.shardKey !== to.shardKey || at < 0 || k.referenced[at] !== to.shardKey) {
      problems.push(`${k.from}: ${k.name} (${k.columns.join(', ')}) -> ${k.to} (${k.referenced.join(', ')}) crosses shards`);
    }
  }
  return problems;
}

describe.skipIf(pgSkip !== null)(`the PostgreSQL schema against the distribution plan${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, () => {
  it('every unique key of a sharded table holds its shard key, and every foreign key stays on one shard', async () => {
    const t = await openTestDb('postgres');
    try {
      expect(await shardingProblems(t.db)).toEqual([]);
    } finally {
      await t.drop();
    }
  });

  it('the check finds the keys migration 011 replaced', async () => {
    // The schema as it was before 011: the check must name each key a distributed database refuses.
    const t = await openBefore('postgres', 11);
    try {
      expect((await shardingProblems(t.db)).sort()).toEqual([
        'awards: unique awards_pkey (id) lacks the shard key user_id',
        'devices: unique devices_pkey (id) lacks the shard key user_id',
        'payouts: payouts_award_id_fkey (award_id) -> awards (id) crosses shards',
        'payouts: unique payouts_award_id_key (award_id) lacks the shard key user_id',
        'payouts: unique payouts_pkey (id) lacks the shard key user_id',
        'reward_days: reward_days_device_id_fkey (device_id) -> devices (id) crosses shards',
        'reward_days: unique reward_days_pkey (device_id, date) lacks the shard key user_id',
        'social_days: unique social_days_pkey (device_id, date) lacks the shard key user_id',
      ]);
    } finally {
      await t.drop();
    }
  });
});

/** A database migrated up to (not including) `version`, on a fresh schema or in-memory file. */
async function openBefore(backend: Backend, version: number): Promise<{ db: Db; drop(): Promise<void> }> {
  const schema = `bushu_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const db = backend === 'sqlite' ? openSqlite(':memory:') : await openPostgres({ url: TEST_PG_URL, schema, max: 4 });
  await migrate(db, () => 0, version);
  return {
    db,
    async drop() {
      if (backend === 'postgres') await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.close();
    },
  };
}

const DAY_COLUMNS = 'device_id, date, user_id, record_version, source, utc_offset_min, steps, not_worn, closed, counter, status, reasons, synced_at, received_at';

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`migrations 011 and 012 on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let open: { db: Db; drop(): Promise<void> } | null = null;
    afterEach(async () => {
      await open?.drop();
      open = null;
    });

    it('keeps every stored row, records each device owner, and still refuses a second day or a device id for another user', async () => {
      open = await openBefore(backend, 11);
      const { db } = open;
      await db.exec(`INSERT INTO users (id, name, created_at) VALUES ('alice', 'Alice', 0), ('bob', 'Bob', 0);
        INSERT INTO devices (id, user_id, bridge_id, key_hex, last_counter, created_at) VALUES ('a1a1a1a1a1a1', 'alice', 'home', NULL, 2, 0), ('b1b1b1b1b1b1', 'bob', 'home', NULL, NULL, 0);
        INSERT INTO reward_days (${DAY_COLUMNS}, key_id, epoch) VALUES
          ('a1a1a1a1a1a1', '2026-11-19', 'alice', 1, 'bushu', 480, 9000, '[]', 1, 1, 'verified', '[]', 'x', 0, 'k', 7),
          ('a1a1a1a1a1a1', '2026-11-20', 'alice', 2, 'bushu', 480, 4000, '[]', 0, 2, 'verified', '[]', 'x', 0, 'k', 7);
        INSERT INTO social_days (device_id, date, user_id, record_version, source, utc_offset_min, steps, status, reasons, synced_at, received_at, epoch, counter)
          VALUES ('b1b1b1b1b1b1', '2026-11-20', 'bob', 1, 'bushu', 480, 3000, 'counted', '[]', 'x', 0, 7, 5);
        INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at) VALUES ('alice', '2026-11-19', 'a1a1a1a1a1a1', 9000, 88, 0);
        INSERT INTO payouts (award_id, user_id, amount_fen, state, created_at) SELECT id, user_id, 88, 'pending', 0 FROM awards`);
      expect(await migrate(db, undefined, 12)).toEqual([11]);

      expect(await db.all('SELECT device_id, user_id FROM device_owners ORDER BY device_id')).toEqual([
        { device_id: 'a1a1a1a1a1a1', user_id: 'alice' }, { device_id: 'b1b1b1b1b1b1', user_id: 'bob' },
      ]);
      const days = await db.all<Record<string, unknown>>('SELECT date, steps, closed, counter, key_id, epoch FROM reward_days ORDER BY date');
      expect(days.map((d) => [d.date, Number(d.steps), Number(d.closed), Number(d.counter), d.key_id, Number(d.epoch)])).toEqual([
        ['2026-11-19', 9000, 1, 1, 'k', 7], ['2026-11-20', 4000, 0, 2, 'k', 7],
      ]);
      const social = await db.all<Record<string, unknown>>('SELECT user_id, steps, epoch, counter FROM social_days');
      expect(social.map((d) => [d.user_id, Number(d.steps), Number(d.epoch), Number(d.counter)])).toEqual([['bob', 3000, 7, 5]]);
      expect((await db.all('SELECT p.state FROM payouts p JOIN awards a ON a.id = p.award_id AND a.user_id = p.user_id'))).toEqual([{ state: 'pending' }]);

      // The keys the shared statements name: a newer version of a day replaces it (ON CONFLICT on the new key).
      await db.run(`INSERT INTO reward_days (${DAY_COLUMNS}) VALUES ('a1a1a1a1a1a1', '2026-11-20', 'alice', 3, 'bushu', 480, 8800, '[]', 1, 3, 'verified', '[]', 'x', 0)
        ON CONFLICT (device_id, date, user_id) DO UPDATE SET steps = excluded.steps`);
      expect(Number((await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM reward_days'))[0].n)).toBe(2);
      // A device id is one user's: its owner row cannot be taken, and (PostgreSQL, where devices is
      // keyed by device and user) no row of it can be added under another user.
      await expect(db.run(`INSERT INTO device_owners (device_id, user_id) VALUES ('a1a1a1a1a1a1', 'bob')`)).rejects.toThrow(/unique|UNIQUE|duplicate/);
      await expect(db.run(`INSERT INTO devices (id, user_id, created_at) VALUES ('a1a1a1a1a1a1', 'bob', 0)`)).rejects.toThrow(/foreign key|FOREIGN KEY|unique|UNIQUE/);
      // A day of a device under a user it does not belong to (PostgreSQL: the device's key; SQLite: its own id key).
      if (backend === 'postgres') {
        await expect(db.run(`INSERT INTO reward_days (${DAY_COLUMNS}) VALUES ('a1a1a1a1a1a1', '2026-11-21', 'bob', 1, 'bushu', 480, 1, '[]', 1, NULL, 'unsigned', '[]', 'x', 0)`))
          .rejects.toThrow(/foreign key/);
      }
    });

    it('migration 012 keys awards by date and user, keeps every award and payout with its id, and numbers on from them', async () => {
      open = await openBefore(backend, 12);
      const { db } = open;
      await db.exec(`INSERT INTO users (id, name, created_at) VALUES ('alice', 'Alice', 0), ('bob', 'Bob', 0);
        INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at) VALUES
          ('alice', '2026-11-19', 'a1a1a1a1a1a1', 9000, 88, 1), ('bob', '2026-11-19', 'b1b1b1b1b1b1', 8100, 88, 2), ('alice', '2026-11-20', 'a1a1a1a1a1a1', 8500, 88, 3);
        INSERT INTO payouts (award_id, user_id, amount_fen, state, attempts, paid_at, created_at) SELECT id, user_id, 88, CASE WHEN user_id = 'bob' THEN 'paid' ELSE 'pending' END, 1, NULL, created_at FROM awards`);
      const before = await db.all('SELECT a.id, a.user_id, a.date, a.steps, p.id AS payout, p.state, p.attempts FROM awards a JOIN payouts p ON p.award_id = a.id ORDER BY a.id');
      expect(before).toHaveLength(3);
      expect(await migrate(db)).toEqual([12]);
      expect(await db.all('SELECT a.id, a.user_id, a.date, a.steps, p.id AS payout, p.state, p.attempts FROM awards a JOIN payouts p ON p.award_id = a.id ORDER BY a.id')).toEqual(before);
      // Still one award per user-day, whichever order a statement names the key's columns in.
      await expect(db.run(`INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at) VALUES ('alice', '2026-11-20', 'a1a1a1a1a1a1', 9999, 88, 4)`)).rejects.toThrow(/unique|UNIQUE|duplicate/);
      expect(await db.all(`INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at) VALUES ('alice', '2026-11-20', 'a1a1a1a1a1a1', 9999, 88, 4) ON CONFLICT (user_id, date) DO NOTHING RETURNING id`)).toEqual([]);
      // New rows number on after the copied ones, and a payout still needs its award.
      const [next] = await db.all<{ id: number }>(`INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at) VALUES ('bob', '2026-11-21', 'b1b1b1b1b1b1', 8000, 88, 5) RETURNING id`);
      expect(Number(next.id)).toBeGreaterThan(Math.max(...before.map((r) => Number((r as { id: number }).id))));
      await expect(db.run(`INSERT INTO payouts (award_id, user_id, amount_fen, state, created_at) VALUES (9999, 'bob', 88, 'pending', 0)`)).rejects.toThrow(/foreign key|FOREIGN KEY/);
      if (backend === 'sqlite') expect(await db.all('PRAGMA foreign_key_check')).toEqual([]);
    });

    it('two registrations of one new device for two users at once: one is refused', async () => {
      open = await openTestDb(backend);
      const { db } = open;
      await upsertUser(db, { id: 'alice', name: 'Alice' }, 0);
      await upsertUser(db, { id: 'bob', name: 'Bob' }, 0);
      const results = await Promise.allSettled(['alice', 'bob'].map((user) => registerDevice(db, { id: 'cafecafecafe', user, bridge: 'home', key: null }, ['home'], 0)));
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ status: 409, code: 'device_taken' });
      const owner = await db.all<{ user_id: string }>('SELECT user_id FROM device_owners WHERE device_id = $1', ['cafecafecafe']);
      expect(await db.all('SELECT user_id FROM devices WHERE id = $1', ['cafecafecafe'])).toEqual(owner);
      expect(owner).toHaveLength(1);
    });
  });
}
