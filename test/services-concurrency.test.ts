// Many parallel deliveries: exactly one award per user-day and a consistent ledger, on SQLite and
// on PostgreSQL, including two service instances (two pools, two servers) on one database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../services/db/open.ts';
import type { Db } from '../services/db/types.ts';
import { startServices, type RunningServices } from '../services/server.ts';
import { deliver, makeRecord, signRecord } from './kits/services.ts';
import { openTestDb, postgresSkipReason, startHarness, TEST_PG_URL, type Backend, type Harness, type TestDb } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-concurrency: PostgreSQL tests skipped: ${pgSkip}`);

async function ledgerConsistent(db: Db): Promise<void> {
  const perDay = await db.all<{ user_id: string; date: string; n: number }>('SELECT user_id, date, COUNT(*) AS n FROM awards GROUP BY user_id, date');
  for (const r of perDay) expect(Number(r.n)).toBe(1);
  const orphans = await db.all('SELECT a.id FROM awards a LEFT JOIN payouts p ON p.award_id = a.id WHERE p.id IS NULL');
  expect(orphans).toEqual([]);
  const [p] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM payouts');
  expect(Number(p.n)).toBe(perDay.length);
}

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`concurrency on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let t: TestDb;
    let h: Harness;
    let second: { db: Db; services: RunningServices } | undefined;
    beforeAll(async () => {
      t = await openTestDb(backend);
      h = await startHarness(t.db);
      if (backend === 'postgres') {
        // A second process, as behind a load balancer: its own pool and server, same schema, same config.
        const db2 = await openDatabase({ databaseUrl: TEST_PG_URL, schema: t.schema, poolSize: 12 });
        second = { db: db2, services: await startServices({ db: db2, config: h.config, clock: () => h.clock.now, onError: () => undefined }) };
      }
    });
    afterAll(async () => {
      await second?.services.close();
      await second?.db.close();
      await h?.close();
      await t?.drop();
    });
    const bases = () => [h.reward, ...(second ? [second.services.url + '/reward'] : [])];

    it('50 parallel deliveries of one record: one award, the rest replays or 409 in flight', async () => {
      const rec = signRecord(makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-20', steps: 9000 }), h.keys.a1a1a1a1a1a1, 1);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => deliver(bases()[i % bases().length], rec, { secret: h.rewardSecret, nowSec: h.nowSec() })));
      const statuses = results.map((r) => r.status);
      expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
      const created = results.filter((r) => r.status === 200 && (r.body.award as { created?: boolean } | null)?.created === true);
      // Only the original response says created; replays repeat that very response.
      expect(created.filter((r) => !r.replayed)).toHaveLength(1);
      const [n] = await h.db.all<{ n: number }>("SELECT COUNT(*) AS n FROM awards WHERE user_id = 'alice' AND date = '2026-11-20'");
      expect(Number(n.n)).toBe(1);
      await ledgerConsistent(h.db);
    });

    it('versions of one day from two devices of one user, all at once: one award', async () => {
      const sends = [];
      for (let v = 1; v <= 10; v++) {
        for (const device of ['a1a1a1a1a1a1', 'a2a2a2a2a2a2']) {
          // Counters grow with the version; a version that loses the race to a newer one is stale or replayed.
          const rec = signRecord(makeRecord({ user: 'alice', device, date: '2026-11-19', steps: 7000 + v * 300, recordVersion: v }), h.keys[device], 100 + v);
          for (let copy = 0; copy < 3; copy++) sends.push(deliver(bases()[(v + copy) % bases().length], rec, { secret: h.rewardSecret, nowSec: h.nowSec() }));
        }
      }
      const results = await Promise.all(sends);
      expect(results.every((r) => [200, 409].includes(r.status))).toBe(true);
      const [n] = await h.db.all<{ n: number }>("SELECT COUNT(*) AS n FROM awards WHERE user_id = 'alice' AND date = '2026-11-19'");
      expect(Number(n.n)).toBe(1);
      await ledgerConsistent(h.db);
    });

    it('many users and days in parallel: exactly one award per qualifying user-day', async () => {
      const users: Array<[string, string]> = [['alice', 'a1a1a1a1a1a1'], ['bob', 'b1b1b1b1b1b1'], ['carol', 'c1c1c1c1c1c1']];
      const dates = ['2026-11-20', '2026-11-21'];
      // Users in parallel, 8 copies of each record at once; one device's days in counter order,
      // as the bridge delivers them (an older signed day after a newer one is a replay: 409).
      let counter = 1000;
      const expected = new Set<string>();
      const chains = users.map(async ([user, device]) => {
        for (const date of dates) {
          const steps = user === 'carol' ? 5000 : 8000 + date.length * 10;
          if (steps >= 8000) expected.add(`${user}/${date}`);
          const rec = signRecord(makeRecord({ user, device, date, steps, recordVersion: 50 }), h.keys[device], ++counter);
          await Promise.all(Array.from({ length: 8 }, (_, copy) => deliver(bases()[copy % bases().length], rec, { secret: h.rewardSecret, nowSec: h.nowSec() })));
        }
      });
      await Promise.all(chains);
      const rows = await h.db.all<{ user_id: string; date: string }>("SELECT user_id, date FROM awards WHERE date IN ('2026-11-20', '2026-11-21') ORDER BY user_id, date");
      expect(new Set(rows.map((r) => `${r.user_id}/${r.date}`))).toEqual(expected);
      await ledgerConsistent(h.db);
    });
  });
}
