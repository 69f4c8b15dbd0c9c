// The reward service end to end over real HTTP (port 0), on SQLite and on PostgreSQL.
import { describe, expect, it } from 'vitest';
import { claim } from '../services/idempotency.ts';
import { migrate } from '../services/db/migrate.ts';
import { runPayouts, type Payout } from '../services/reward/payouts.ts';
import { deliver, makeRecord, signRecord } from './kits/services.ts';
import { harnessPerSuite, postgresSkipReason, T0, type Backend } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-reward: PostgreSQL tests skipped: ${pgSkip}`);

const backends: Array<[Backend, string | null]> = [['sqlite', null], ['postgres', pgSkip]];

for (const [backend, skip] of backends) {
  describe.skipIf(skip !== null)(`reward service on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const suite = harnessPerSuite(backend);
    const signed = (device: string, date: string, steps: number, counter: number, extra = {}) =>
      signRecord(makeRecord({ user: device.startsWith('a') ? 'alice' : device.startsWith('b') ? 'bob' : 'carol', device, date, steps, ...extra }), suite.h.keys[device], counter);
    const send = (rec: unknown, opts: { key?: string | null; body?: string } = {}) => deliver(suite.h.reward, rec, { secret: suite.h.rewardSecret, nowSec: suite.h.nowSec(), ...opts });

    it('migrations are recorded and a second run applies nothing', async () => {
      expect(await migrate(suite.t.db)).toEqual([]);
      expect(await suite.t.db.all('SELECT version FROM schema_migrations ORDER BY version')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((version) => ({ version })));
    });

    it('credits one hongbao for a verified day at the goal, and reports it', async () => {
      const r = await send(signed('a1a1a1a1a1a1', '2026-11-20', 8000, 1));
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ stored: true, status: 'verified', late: false, award: { date: '2026-11-20', amountFen: 88, created: true } });
      const ledger = await (await fetch(`${suite.h.reward}/v1/users/alice/awards`, { headers: suite.h.asAdmin })).json();
      expect(ledger).toMatchObject({ totalFen: 88, awards: [{ date: '2026-11-20', steps: 8000, payout: { state: 'pending' } }] });
    });

    it('a day below the goal earns nothing; a later version that reaches it does', async () => {
      const v1 = await send(signed('b1b1b1b1b1b1', '2026-11-20', 7999, 11));
      expect(v1.body).toMatchObject({ status: 'verified', award: null });
      const v2 = await send(signed('b1b1b1b1b1b1', '2026-11-20', 9100, 12, { recordVersion: 2 }));
      expect(v2.body).toMatchObject({ award: { created: true } });
      // Version 1 again (its summary, counter 11), arriving late under a different key (another bridge): overtaken, ignored.
      const stale = await send(signed('b1b1b1b1b1b1', '2026-11-20', 7999, 11, { recordVersion: 1 }), { key: 'other-bridge:b1:2026-11-20:1' });
      expect(stale.body).toMatchObject({ stored: false, stale: true, award: { created: false } });
      const [day] = await suite.h.db.all<{ steps: number; record_version: number }>("SELECT steps, record_version FROM reward_days WHERE device_id = 'b1b1b1b1b1b1'");
      expect(day).toEqual({ steps: 9100, record_version: 2 });
    });

    it('a second device of the same user on the same day gets no second award', async () => {
      const r = await send(signed('a2a2a2a2a2a2', '2026-11-20', 12000, 1));
      expect(r.body).toMatchObject({ stored: true, status: 'verified', award: { created: false } });
      const [n] = await suite.h.db.all<{ n: number }>("SELECT COUNT(*) AS n FROM awards WHERE user_id = 'alice'");
      expect(Number(n.n)).toBe(1);
    });

    it('unsigned days are stored but earn nothing; flagged days say why', async () => {
      const unsigned = await send(makeRecord({ user: 'carol', device: 'c1c1c1c1c1c1', date: '2026-11-19', steps: 15000 }));
      expect(unsigned.body).toMatchObject({ stored: true, status: 'unsigned', award: null, reasons: [{ rule: 'unsigned' }] });
      const hours = Array.from({ length: 24 }, (_, i) => (i >= 8 && i < 18 ? 1000 : 0));
      const shaker = await send(signed('c1c1c1c1c1c1', '2026-11-20', 10000, 10, { hours }));
      expect(shaker.body).toMatchObject({ stored: true, status: 'flagged', award: null, reasons: [{ rule: 'machine_regular' }, { rule: 'steady_hours' }] });
    });

    it('grace period: data after date end + 48 h is stored but awards nothing', async () => {
      // 2026-11-17 in UTC+8 ends 2026-11-17T16:00Z; + 48 h = 2026-11-19T16:00Z, before T0.
      const late = await send(signed('c1c1c1c1c1c1', '2026-11-17', 9000, 2));
      expect(late.body).toMatchObject({ stored: true, late: true, award: null, reasons: [{ rule: 'grace_period' }] });
      // Just inside: move the clock to one second before the 2026-11-19 deadline (2026-11-21T16:00Z).
      suite.h.clock.now = Date.parse('2026-11-21T15:59:59Z');
      const inTime = await send(signed('c1c1c1c1c1c1', '2026-11-19', 9000, 5, { recordVersion: 2 }));
      expect(inTime.body).toMatchObject({ late: false, award: { created: true } });
      suite.h.clock.now = T0;
    });

    it('replays a retried request with the same Idempotency-Key, with the replay header', async () => {
      const rec = signed('b1b1b1b1b1b1', '2026-11-19', 8500, 8);
      const first = await send(rec);
      suite.h.clock.now += 60_000; // a later attempt: new webhook timestamp, same body
      const again = await send(rec);
      suite.h.clock.now = T0;
      expect(first.replayed).toBe(false);
      expect(again.replayed).toBe(true);
      expect(again.status).toBe(first.status);
      expect(again.body).toEqual(first.body); // including award.created: true, the original answer
    });

    it('same key with a different body is 422; a key in flight is 409; no key is 400', async () => {
      const rec = signed('b1b1b1b1b1b1', '2026-11-18', 8500, 6);
      expect((await send(rec, { key: 'k-422' })).status).toBe(200);
      const other = await send({ ...rec, syncedAt: '2026-11-21T01:05:00.000Z' }, { key: 'k-422' });
      expect(other).toMatchObject({ status: 422, body: { error: 'idempotency_key_reused' } });

      await claim(suite.h.db, 'reward/home', 'k-409', (await import('../services/idempotency.ts')).requestHash('/reward/v1/days', Buffer.from(JSON.stringify(rec))), suite.h.clock.now, 60_000);
      expect(await send(rec, { key: 'k-409' })).toMatchObject({ status: 409, body: { error: 'idempotency_key_in_flight' } });
      expect(await send(rec, { key: null })).toMatchObject({ status: 400, body: { error: 'idempotency_key_missing' } });
    });

    it('the payout worker pays each award once, however many workers run', async () => {
      const paid: Payout[] = [];
      const payer = { pay: async (p: Payout) => void paid.push(p) };
      const results = await Promise.all([runPayouts(suite.h.db, payer, suite.h.clock.now), runPayouts(suite.h.db, payer, suite.h.clock.now), runPayouts(suite.h.db, payer, suite.h.clock.now)]);
      const [awards] = await suite.h.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM awards');
      expect(results.reduce((a, r) => a + r.paid, 0)).toBe(Number(awards.n));
      expect(new Set(paid.map((p) => p.id)).size).toBe(paid.length);
      expect((await runPayouts(suite.h.db, payer, suite.h.clock.now)).paid).toBe(0);
      const ledger = (await (await fetch(`${suite.h.reward}/v1/users/alice/awards`, { headers: suite.h.asAdmin })).json()) as { awards: Array<{ payout: { state: string } }> };
      expect(ledger.awards[0].payout.state).toBe('paid');
    });

    it('accepts one device\'s signed days out of order, but not a counter that breaks their order', async () => {
      // (Below the goal, so the payout tests that follow see no extra awards.)
      suite.h.clock.now = Date.parse('2026-11-23T10:00:00Z');
      // The watch signed 2026-11-21 (counter 40) before 2026-11-22 (41); the bridge delivered them the other way round.
      expect((await send(signed('a2a2a2a2a2a2', '2026-11-22', 7100, 41))).body).toMatchObject({ stored: true, status: 'verified' });
      expect((await send(signed('a2a2a2a2a2a2', '2026-11-21', 7200, 40))).body).toMatchObject({ stored: true, status: 'verified' });
      // A summary of 2026-11-21 whose counter is above the later day's cannot come from that watch's sequence.
      const swapped = await send(signed('a2a2a2a2a2a2', '2026-11-21', 7300, 42, { recordVersion: 2 }));
      expect(swapped.status).toBe(409);
      expect(swapped.body).toMatchObject({ error: 'summary_replayed' });
      // Nor can an older summary of a day that already has a newer one.
      const older = await send(signed('a2a2a2a2a2a2', '2026-11-22', 7000, 39, { recordVersion: 2 }));
      expect(older.status).toBe(409);
      const days = await suite.h.db.all<{ date: string; steps: number }>("SELECT date, steps FROM reward_days WHERE device_id = 'a2a2a2a2a2a2' AND date > '2026-11-20' ORDER BY date");
      expect(days).toEqual([{ date: '2026-11-21', steps: 7200 }, { date: '2026-11-22', steps: 7100 }]);
      // The device's counter is the highest accepted, not the last one delivered.
      const [device] = await suite.h.db.all<{ last_counter: number }>("SELECT last_counter FROM devices WHERE id = 'a2a2a2a2a2a2'");
      expect(Number(device.last_counter)).toBe(41);
      suite.h.clock.now = T0;
    });

    it('a failing payer leaves the payout pending for the next run', async () => {
      await send(signed('b1b1b1b1b1b1', '2026-11-16', 8500, 3));
      suite.h.clock.now = Date.parse('2026-11-17T10:00:00Z'); // within 2026-11-16's grace period
      await send(signed('b1b1b1b1b1b1', '2026-11-16', 8600, 4, { recordVersion: 2, syncedAt: '2026-11-17T09:00:00.000Z' }));
      suite.h.clock.now = T0;
      const failing = { pay: async () => Promise.reject(new Error('bank down')) };
      expect(await runPayouts(suite.h.db, failing, suite.h.clock.now)).toEqual({ paid: 0, failed: 1 });
      expect(await runPayouts(suite.h.db, { pay: async () => undefined }, suite.h.clock.now)).toEqual({ paid: 1, failed: 0 });
    });
  });
}
