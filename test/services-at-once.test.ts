// The reward service's two-round-trip acceptance on PostgreSQL (services/reward/at-once.ts): it
// reads, decides in this process, then writes in one statement that stores nothing if a row it
// decided on changed in between. Each race is staged here between its read and its write: the
// path gives way (null, nothing stored) and the transactional path, run next, settles it.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ServicesConfig } from '../services/config.ts';
import type { Db } from '../services/db/types.ts';
import type { Response } from '../services/http/router.ts';
import type { Delivery } from '../services/ingest.ts';
import { atOnceBatcher, ingestRewardDaysAtOnce, KEY_ID_SQL, READ, WRITE, type KeyOptions } from '../services/reward/at-once.ts';
import { DAY_AND_NEIGHBOURS } from '../services/reward/ingest.ts';
import { keyId } from '../services/reward/trust.ts';
import { harnessPerSuite, openTestDb, postgresSkipReason, tableCounts } from './kits/services-server.ts';
import { makeRecord, signRecord } from './kits/services.ts';

const skip = await postgresSkipReason();

/** One delivery alone, a batch of one: its answer, null when it gives way; a refusal is thrown. */
async function ingestRewardDayAtOnce(db: Db, config: ServicesConfig, delivery: Delivery, nowMs: number, key: KeyOptions): Promise<Response | null> {
  const [result] = await ingestRewardDaysAtOnce(db, config, [{ delivery, nowMs, key }]);
  if (result === null) return null;
  if ('refused' in result) throw result.refused;
  return result.answer;
}

describe.skipIf(skip !== null)(`reward acceptance in two round trips on postgres${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const suite = harnessPerSuite('postgres');
  let n = 0;
  let date = '';
  beforeEach(() => {
    // A fresh day for each test, so they share the suite's database without meeting.
    date = `2026-11-${String(10 + n++).padStart(2, '0')}`;
  });
  const day = (device: string, steps: number, counter: number) =>
    signRecord(makeRecord({ user: device.startsWith('a') ? 'alice' : 'bob', device, date, steps, syncedAt: `${date}T16:30:00.000Z` }), suite.h.keys[device], counter);
  /** Just after the day ended in UTC+8, well within its grace period. */
  const now = () => Date.parse(`${date}T17:00:00Z`);
  const keyFor = (device: string, version = 1): KeyOptions => ({ scope: 'reward/home', key: `test:${device}:${date}:${version}`, hash: `hash-${device}-${date}-${version}` });
  const config = () => suite.h.config;

  /** The database, with `between` run after the read and before the write. */
  const racing = (between: (db: Db) => Promise<void>): Db => {
    const db = suite.h.db;
    let calls = 0;
    return {
      ...db,
      async all<T>(sql: string, params?: unknown[]): Promise<T[]> {
        if (calls++ === 1) await between(db);
        return db.all<T>(sql, params);
      },
    };
  };
  const storedFor = async (device: string) => ({
    day: await suite.h.db.all('SELECT steps FROM reward_days WHERE device_id = $1 AND date = $2', [device, date]),
    award: await suite.h.db.all('SELECT device_id FROM awards WHERE user_id = $1 AND date = $2', [device.startsWith('a') ? 'alice' : 'bob', date]),
  });

  it('computes the key id in SQL exactly as trust.ts does', async () => {
    for (const hex of [suite.h.keys.a1a1a1a1a1a1, suite.h.keys.b1b1b1b1b1b1.toUpperCase()]) {
      const [row] = await suite.h.db.all<{ id: string }>(`SELECT ${KEY_ID_SQL('$1')} AS id`, [hex]);
      expect(row.id).toBe(keyId(hex));
    }
  });

  it('stores the day, the award and its payout, and under the key the very answer it gave', async () => {
    const key = keyFor('a1a1a1a1a1a1');
    const answer = await ingestRewardDayAtOnce(suite.h.db, config(), { record: day('a1a1a1a1a1a1', 9000, 1), bridge: 'home' }, now(), key);
    expect(answer).toMatchObject({ status: 200, json: { stored: true, status: 'verified', award: { created: true } } });
    const award = (answer!.json as { award: { id: number } }).award;
    expect(award.id).toBeGreaterThan(0);
    const [stored] = await suite.h.db.all<{ state: string; status: number; response: string }>('SELECT state, status, response FROM idempotency_keys WHERE scope = $1 AND key = $2', [key.scope, key.key]);
    expect(stored).toMatchObject({ state: 'done', status: 200 });
    expect(stored.response).toBe(JSON.stringify(answer!.json));
    // The body sent is that very text, serialised once (its award id filled in as the statement did).
    expect(answer!.raw).toEqual({ contentType: 'application/json; charset=utf-8', data: stored.response });
    expect(await suite.h.db.all('SELECT award_id, state FROM payouts WHERE award_id = $1', [award.id])).toEqual([{ award_id: award.id, state: 'pending' }]);
    // The same key again: the stored answer, marked replayed, nothing written.
    const before = await tableCounts(suite.h.db);
    const replay = await ingestRewardDayAtOnce(suite.h.db, config(), { record: day('a1a1a1a1a1a1', 9000, 1), bridge: 'home' }, now(), key);
    expect(replay).toEqual({ status: answer!.status, json: answer!.json, headers: { 'idempotent-replayed': 'true' } });
    expect(await tableCounts(suite.h.db)).toEqual(before);
  });

  it('gives way, storing nothing, when the device was written between its read and its write', async () => {
    const before = await tableCounts(suite.h.db);
    const db = racing((raw) => raw.run('UPDATE devices SET revision = revision + 1 WHERE id = $1', ['b1b1b1b1b1b1']).then(() => undefined));
    expect(await ingestRewardDayAtOnce(db, config(), { record: day('b1b1b1b1b1b1', 9000, 50), bridge: 'home' }, now(), keyFor('b1b1b1b1b1b1'))).toBeNull();
    expect(await tableCounts(suite.h.db)).toEqual(before);
  });

  it('gives way when another device of the user was credited the day in between', async () => {
    const before = await tableCounts(suite.h.db);
    const db = racing(async (raw) => {
      await raw.run(`INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at) VALUES ('alice', $1, 'a2a2a2a2a2a2', 9100, 100, 0)`, [date]);
    });
    expect(await ingestRewardDayAtOnce(db, config(), { record: day('a1a1a1a1a1a1', 9000, 60), bridge: 'home' }, now(), keyFor('a1a1a1a1a1a1'))).toBeNull();
    expect(await storedFor('a1a1a1a1a1a1')).toEqual({ day: [], award: [{ device_id: 'a2a2a2a2a2a2' }] });
    expect(await tableCounts(suite.h.db)).toEqual({ ...before, awards: before.awards + 1 });
  });

  it('gives way when the same key was answered in between, and its answer is then replayed', async () => {
    const key = keyFor('b1b1b1b1b1b1', 2);
    const record = day('b1b1b1b1b1b1', 9500, 70);
    const db = racing(async (raw) => {
      const first = await ingestRewardDayAtOnce(raw, config(), { record, bridge: 'home' }, now(), key);
      expect(first).toMatchObject({ status: 200, json: { award: { created: true } } });
    });
    expect(await ingestRewardDayAtOnce(db, config(), { record, bridge: 'home' }, now(), key)).toBeNull();
    const replay = await ingestRewardDayAtOnce(suite.h.db, config(), { record, bridge: 'home' }, now(), key);
    expect(replay).toMatchObject({ headers: { 'idempotent-replayed': 'true' }, json: { award: { created: true } } });
    expect(await storedFor('b1b1b1b1b1b1')).toEqual({ day: [{ steps: 9500 }], award: [{ device_id: 'b1b1b1b1b1b1' }] });
  });

  it('decides a batch in one read and one write: each delivery gets its own answer or refusal', async () => {
    const replayKey = keyFor('a2a2a2a2a2a2');
    const first = await ingestRewardDayAtOnce(suite.h.db, config(), { record: day('a2a2a2a2a2a2', 8100, 80), bridge: 'home' }, now(), replayKey);
    const alicesAward = (first!.json as { award: { id: number } }).award.id;
    const before = await tableCounts(suite.h.db);
    const items = [
      { record: day('a1a1a1a1a1a1', 9000, 90), key: keyFor('a1a1a1a1a1a1') }, // alice earns
      { record: day('b1b1b1b1b1b1', 12000, 91), key: keyFor('b1b1b1b1b1b1') }, // bob earns
      { record: day('a2a2a2a2a2a2', 8100, 80), key: replayKey }, // a replay
      { record: { ...day('c1c1c1c1c1c1', 9000, 92), user: 'bob' }, key: keyFor('c1c1c1c1c1c1') }, // carol's device for bob: gives way
      { record: { ...day('a1a1a1a1a1a1', 9000, 93), device: 'dddddddddddd', user: 'nobody' }, key: keyFor('dddddddddddd') }, // no such user: refused
    ].map(({ record, key }) => ({ delivery: { record, bridge: 'home' }, nowMs: now(), key }));
    const results = await ingestRewardDaysAtOnce(suite.h.db, config(), items);
    // a2 credited alice's day first: a1's day is stored and answered with that award.
    expect(results[0]).toMatchObject({ answer: { json: { user: 'alice', stored: true, award: { id: alicesAward, created: false } } } });
    expect(results[1]).toMatchObject({ answer: { json: { user: 'bob', stored: true, award: { created: true } } } });
    expect(results[2]).toMatchObject({ answer: { headers: { 'idempotent-replayed': 'true' }, json: { award: { created: true } } } });
    // The device is read under the delivery's user (its key, migration 011), so another user's
    // device is not found: the transactional path reads it under any user and says which refusal.
    expect(results[3]).toBeNull();
    expect(results[4]).toMatchObject({ refused: { status: 422, code: 'unknown_user' } });
    expect(await tableCounts(suite.h.db)).toMatchObject({ reward_days: before.reward_days + 2, awards: before.awards + 1, payouts: before.payouts + 1, idempotency_keys: before.idempotency_keys + 2 });
    // Each stored answer is the one given, the new award's id filled in.
    for (const [i, item] of [[0, items[0]], [1, items[1]]] as const) {
      const [k] = await suite.h.db.all<{ response: string }>('SELECT response FROM idempotency_keys WHERE scope = $1 AND key = $2', [item.key.scope, item.key.key]);
      expect(JSON.parse(k.response)).toEqual((results[i] as { answer: { json: unknown } }).answer.json);
      expect(k.response).toBe((results[i] as { answer: { raw: { data: string } } }).answer.raw.data);
    }
  });

  it('gives way for the whole batch when one delivery lost a race: none of it is stored', async () => {
    const before = await tableCounts(suite.h.db);
    const db = racing((raw) => raw.run('UPDATE devices SET revision = revision + 1 WHERE id = $1', ['b1b1b1b1b1b1']).then(() => undefined));
    const items = ['a1a1a1a1a1a1', 'b1b1b1b1b1b1'].map((device, i) => ({ delivery: { record: day(device, 9000, 100 + i), bridge: 'home' }, nowMs: now(), key: keyFor(device) }));
    const reported: unknown[] = [];
    expect(await ingestRewardDaysAtOnce(db, config(), items, (err) => reported.push(err))).toEqual([null, null]);
    expect(await tableCounts(suite.h.db)).toEqual(before);
    expect(reported).toEqual([]); // a lost race is routine, not an error
  });

  it('gives way for the whole batch when the database refuses a write, so one bad delivery fails alone', async () => {
    // A row the database will not take (a trigger stands in for whatever a constraint or an
    // encoding may refuse): with the batch's statement refused, every delivery goes the
    // transactional way, where only the refused one fails.
    const db = suite.h.db;
    await db.exec(`CREATE FUNCTION refuse_4242() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.steps = 4242 THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_4242 BEFORE INSERT ON reward_days FOR EACH ROW EXECUTE FUNCTION refuse_4242()`);
    try {
      const before = await tableCounts(db);
      const items = [['a1a1a1a1a1a1', 9000], ['b1b1b1b1b1b1', 4242]].map(([device, steps], i) => ({
        delivery: { record: day(device as string, steps as number, 130 + i), bridge: 'home' }, nowMs: now(), key: keyFor(device as string),
      }));
      const reported: unknown[] = [];
      expect(await ingestRewardDaysAtOnce(db, config(), items, (err) => reported.push(err))).toEqual([null, null]);
      expect(await tableCounts(db)).toEqual(before);
      // Not a lost race: said, so that a statement at fault does not go unnoticed.
      expect(reported).toHaveLength(1);
      expect((reported[0] as Error).message).toContain('refused by the test');
    } finally {
      await db.exec('DROP TRIGGER refuse_4242 ON reward_days; DROP FUNCTION refuse_4242()');
    }
  });

  it('the batcher puts one delivery per device, key and user-day in a batch; a repeat waits for that batch to end', async () => {
    const batches: number[] = [];
    const db = suite.h.db;
    const counting: Db = { ...db, all: (sql, params) => (sql === READ && batches.push((params![0] as unknown[]).length), db.all(sql, params)) };
    const submit = atOnceBatcher(counting, config());
    const a = { delivery: { record: day('a1a1a1a1a1a1', 9000, 110), bridge: 'home' }, nowMs: now(), key: keyFor('a1a1a1a1a1a1') };
    const b = { delivery: { record: day('b1b1b1b1b1b1', 9000, 111), bridge: 'home' }, nowMs: now(), key: keyFor('b1b1b1b1b1b1') };
    const results = await Promise.all([submit(a), submit(b), submit(a)]);
    expect(batches).toEqual([2, 1]);
    expect(results[0]).toMatchObject({ answer: { json: { award: { created: true } } } });
    expect(results[2]).toMatchObject({ answer: { headers: { 'idempotent-replayed': 'true' }, json: results[0] !== null && 'answer' in results[0] ? results[0].answer.json : {} } });
  });

  it('the batcher runs one batch at a time: deliveries arriving meanwhile wait and go together in the next', async () => {
    const batches: number[] = [];
    const db = suite.h.db;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held: Db = {
      ...db,
      async all<T>(sql: string, params?: unknown[]): Promise<T[]> {
        if (sql === READ) {
          batches.push((params![0] as unknown[]).length);
          if (batches.length === 1) await gate; // the first batch holds until both others have arrived
        }
        return db.all<T>(sql, params);
      },
    };
    const submit = atOnceBatcher(held, config());
    const item = (user: string, device: string, counter: number) => ({
      delivery: { record: signRecord(makeRecord({ user, device, date, steps: 9000, syncedAt: `${date}T16:30:00.000Z` }), suite.h.keys[device], counter), bridge: 'home' },
      nowMs: now(),
      key: keyFor(device),
    });
    const first = submit(item('alice', 'a1a1a1a1a1a1', 120));
    await new Promise((resolve) => setImmediate(resolve));
    const second = submit(item('bob', 'b1b1b1b1b1b1', 121));
    await new Promise((resolve) => setImmediate(resolve));
    const third = submit(item('carol', 'c1c1c1c1c1c1', 122));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([1]);
    open();
    const results = await Promise.all([first, second, third]);
    expect(batches).toEqual([1, 2]);
    for (const r of results) expect(r).toMatchObject({ answer: { status: 200 } });
  });
});

describe.skipIf(skip !== null)(`the batched read on postgres with many devices${skip ? ` (skipped: ${skip})` : ''}`, () => {
  // Enough rows, with statistics, for the planner to weigh a hash join against index lookups, and
  // a hundred signed days per device to weigh reading them all against walking to the nearest.
  const seeded = async () => {
    const t = await openTestDb('postgres');
    await t.db.exec(`INSERT INTO users (id, name, created_at) SELECT 'u' || g, 'U', 0 FROM generate_series(1, 3000) g;
      INSERT INTO device_owners (device_id, user_id) SELECT lpad(to_hex(g), 12, '0'), 'u' || g FROM generate_series(1, 3000) g;
      INSERT INTO devices (id, user_id, key_hex, created_at) SELECT lpad(to_hex(g), 12, '0'), 'u' || g, repeat('ab', 16), 0 FROM generate_series(1, 3000) g;
      INSERT INTO reward_days (device_id, date, user_id, record_version, source, utc_offset_min, steps, not_worn, closed, counter, status, reasons, synced_at, received_at, key_id)
        SELECT lpad(to_hex(g), 12, '0'), to_char(date '2026-08-01' + x, 'YYYY-MM-DD'), 'u' || g, 1, 'bushu', 480, 5000, '[]', 1, x + 1, 'verified', '[]', 'x', 0, 'abcdef0123456789'
        FROM generate_series(1, 3000) g, generate_series(0, 99) x;
      ANALYZE`);
    return t;
  };
  const planOf = async (t: Awaited<ReturnType<typeof seeded>>, sql: string, params: unknown[]) =>
    (await t.db.all<{ 'QUERY PLAN': string }>('EXPLAIN ' + sql, params)).map((r) => r['QUERY PLAN']).join('\n');

  it('looks each delivery up by index and walks to the nearest signed days, whatever the planner thinks of the tables', async () => {
    const t = await seeded();
    try {
      const batch = Array.from({ length: 30 }, (_, i) => i * 97 + 1);
      const plan = await planOf(t, READ, [
        batch.map((g) => g.toString(16).padStart(12, '0')), batch.map((g) => `u${g}`), batch.map(() => '2026-11-20'), batch.map(() => null),
        batch.map(() => 'reward/home'), batch.map((g) => `key-${g}`),
      ]);
      expect(plan).not.toMatch(/Seq Scan on (devices|users|reward_days)\b/);
      expect(plan).not.toMatch(/hashed SubPlan/);
      expect(plan).toMatch(/Index Scan using devices_pkey/);
      // Each neighbour: the primary key walked from the date, never every day of the device read and
      // sorted; and from the key alone, which carries what the decision needs (migration 010), so a
      // year-old device's last day is not one more page to fetch from the table.
      expect(plan).not.toMatch(/Bitmap Heap Scan on reward_days|Sort Key: r(_\d)?\.date/);
      expect(plan.match(/Index Only Scan (Backward )?using reward_days_pkey on reward_days r/g)).toHaveLength(2);
      // The transactional path's read of one delivery, the statement it runs.
      const one = await planOf(t, DAY_AND_NEIGHBOURS, ['000000000001', '2026-11-20', 'u1', 'abcdef0123456789', null]);
      expect(one).not.toMatch(/Bitmap Heap Scan on reward_days|Sort Key: r(_\d)?\.date/);
    } finally {
      await t.drop();
    }
  });
  it('writes a batch by index: each device by its key, never a scan of them all', async () => {
    const t = await seeded();
    try {
      const batch = Array.from({ length: 20 }, (_, i) => i * 97 + 1);
      const device = (g: number) => g.toString(16).padStart(12, '0');
      const json = (rows: unknown[][]) => JSON.stringify(rows);
      const plan = await planOf(t, WRITE, [
        json(batch.map((g) => [device(g), 0, 101, `u${g}`])),
        json(batch.map((g) => [device(g), '2026-11-20', `u${g}`, 1, 'bushu', 480, 9000, '[]', '[]', 1, 101, 'verified', '[]', '0.2.0', '2026-11-20T16:30:00.000Z', 0, 'abcdef0123456789', null])),
        json(batch.map((g) => [`u${g}`, '2026-11-20', device(g), 9000, 888, 0])),
        json(batch.map((g) => [device(g), 'reward/home', `key-${g}`, 'hash', '{}', true, `u${g}`, '2026-11-20', 0])),
        batch.length,
      ]);
      expect(plan).toMatch(/Tid Scan on devices d\b/);
      expect(plan).not.toMatch(/Seq Scan on (devices|users|reward_days|awards|payouts|idempotency_keys)\b/);
    } finally {
      await t.drop();
    }
  });
});
