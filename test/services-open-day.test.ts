// The open day and wiped watches at the reward service, over real HTTP, on SQLite and PostgreSQL:
// a provisional (open) day signed with summary version 3 is stored and shown but never awarded,
// its closed record is; a wiped watch's new counters (a new epoch) are a sequence of their own,
// while a replay within one sequence is still refused; and a day the watch was wiped on keeps the
// history with more signed steps.
import { describe, expect, it } from 'vitest';
import { deliver, makeRecord, signRecord } from './kits/services.ts';
import { harnessPerSuite, postgresSkipReason, type Backend } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-open-day: PostgreSQL tests skipped: ${pgSkip}`);

const E1 = 0xcafe0102;
const E2 = 0x0badf00d;
/** Steps in hours 8..10 only: a day no flag rule touches. */
const hours = (...counts: number[]) => new Array(24).fill(0).map((_, h) => (h >= 8 && h - 8 < counts.length ? counts[h - 8] : 0));

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`open days and wiped watches on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const suite = harnessPerSuite(backend);
    const send = (rec: unknown) => deliver(suite.h.reward, rec, { secret: suite.h.rewardSecret, nowSec: suite.h.nowSec() });
    /** A day of device `device` (alice's a1/a2, bob's b1), signed version 3 under `epoch` with `counter`. */
    const day = (device: string, date: string, counts: number[], counter: number, epoch: number, o: { closed?: boolean; recordVersion?: number } = {}) => {
      const h = hours(...counts);
      const steps = h.reduce((a, b) => a + b, 0);
      const user = device.startsWith('a') ? 'alice' : 'bob';
      const rec = makeRecord({ user, device, date, steps, hours: h, notWornHours: [], closed: o.closed ?? true, recordVersion: o.recordVersion ?? 1 });
      return signRecord(rec, suite.h.keys[device], counter, { epoch });
    };
    const stored = async (device: string, date: string) =>
      (await suite.h.db.all<{ steps: number; closed: number; counter: number; epoch: number | null }>(
        'SELECT steps, closed, counter, epoch FROM reward_days WHERE device_id = $1 AND date = $2', [device, date],
      )).map((d) => ({ steps: Number(d.steps), closed: Number(d.closed) === 1, counter: Number(d.counter), epoch: d.epoch === null ? null : Number(d.epoch) }));

    it('an open day is stored and shown with its hours, never awarded; its closed record supersedes it and is', async () => {
      // 2026-11-21 is today (T0 is 10:00 in UTC+8): the watch sends it open, signed with the counter it will close with.
      const morning = await send(day('a1a1a1a1a1a1', '2026-11-21', [4000, 4500], 12, E1, { closed: false }));
      expect(morning.status).toBe(200);
      expect(morning.body).toMatchObject({ stored: true, status: 'verified', award: null });
      expect((morning.body as { reasons: Array<{ rule: string }> }).reasons.map((r) => r.rule)).toContain('provisional');
      const hoursNow = await (await fetch(`${suite.h.url}/api/users/alice/hours?date=2026-11-21`, { headers: suite.h.asAdmin })).json();
      expect(hoursNow).toMatchObject({ date: '2026-11-21', steps: 8500, device: 'a1a1a1a1a1a1', hours: hours(4000, 4500), noHours: null });
      // A later provisional total supersedes it; a replay of the earlier one (higher recordVersion) does not.
      expect((await send(day('a1a1a1a1a1a1', '2026-11-21', [4000, 4500, 300], 12, E1, { closed: false, recordVersion: 2 }))).body).toMatchObject({ stored: true, award: null });
      expect((await send(day('a1a1a1a1a1a1', '2026-11-21', [4000, 4500], 12, E1, { closed: false, recordVersion: 3 }))).body).toMatchObject({ stale: true });
      expect(await stored('a1a1a1a1a1a1', '2026-11-21')).toEqual([{ steps: 8800, closed: false, counter: 12, epoch: E1 }]);
      // The bridge cannot call it closed: the closed flag is signed.
      const lie = { ...day('a1a1a1a1a1a1', '2026-11-21', [4000, 4500, 300], 12, E1, { closed: false, recordVersion: 4 }), closed: true };
      const refused = await send(lie);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ error: 'summary_altered', fields: ['closed'] });
      // The closed record, same counter: the award.
      suite.h.clock.now = Date.parse('2026-11-21T17:00:00Z'); // 01:00 the next day in UTC+8
      const closed = await send(day('a1a1a1a1a1a1', '2026-11-21', [4000, 4500, 600], 12, E1, { recordVersion: 5 }));
      expect(closed.body).toMatchObject({ stored: true, status: 'verified', award: { date: '2026-11-21', created: true } });
      // A provisional total arriving late never reopens it.
      expect((await send(day('a1a1a1a1a1a1', '2026-11-21', [4000, 4500, 600, 1], 12, E1, { closed: false, recordVersion: 6 }))).body).toMatchObject({ stale: true });
      expect(await stored('a1a1a1a1a1a1', '2026-11-21')).toEqual([{ steps: 9100, closed: true, counter: 12, epoch: E1 }]);
    });

    it('a wiped watch (new epoch, counters from 1) is awarded at once; a replay under the old epoch is still refused', async () => {
      suite.h.clock.now = Date.parse('2026-11-20T17:00:00Z');
      expect((await send(day('b1b1b1b1b1b1', '2026-11-19', [3000], 40, E1))).status).toBe(200);
      expect((await send(day('b1b1b1b1b1b1', '2026-11-20', [3000], 41, E1))).status).toBe(200);
      // Wiped on 2026-11-21: its first closed day carries counter 1 under epoch E2.
      suite.h.clock.now = Date.parse('2026-11-21T17:00:00Z');
      const fresh = await send(day('b1b1b1b1b1b1', '2026-11-21', [4000, 4200], 1, E2));
      expect(fresh.status).toBe(200);
      expect(fresh.body).toMatchObject({ stored: true, status: 'verified', award: { date: '2026-11-21', created: true } });
      // Within one epoch the order still holds: an E1 summary of 2026-11-19 with a counter above 2026-11-20's is a replay or a swap.
      const swapped = await send(day('b1b1b1b1b1b1', '2026-11-19', [3100], 42, E1, { recordVersion: 2 }));
      expect(swapped.status).toBe(409);
      expect(swapped.body).toMatchObject({ error: 'summary_replayed' });
      const [row] = await stored('b1b1b1b1b1b1', '2026-11-21');
      expect(row).toEqual({ steps: 8200, closed: true, counter: 1, epoch: E2 });
    });

    it('a day the watch was wiped on keeps the history with more signed steps', async () => {
      suite.h.clock.now = Date.parse('2026-11-22T07:00:00Z'); // 15:00 on 2026-11-22 in UTC+8
      expect((await send(day('a2a2a2a2a2a2', '2026-11-22', [3000, 3000], 8, E1, { closed: false }))).body).toMatchObject({ stored: true });
      // Wiped at 15:00: the new history counts 1,500 more and closes the day with them alone.
      suite.h.clock.now = Date.parse('2026-11-22T17:00:00Z');
      const low = await send(day('a2a2a2a2a2a2', '2026-11-22', [0, 0, 1500], 1, E2, { recordVersion: 2 }));
      expect(low.status).toBe(200);
      expect(low.body).toMatchObject({ stored: false, stale: true, award: null });
      expect(await stored('a2a2a2a2a2a2', '2026-11-22')).toEqual([{ steps: 6000, closed: false, counter: 8, epoch: E1 }]);
      // More steps after the wipe than before it: that history's closed record is kept, and awarded.
      const high = await send(day('a2a2a2a2a2a2', '2026-11-22', [0, 0, 4000, 4000], 1, E2, { recordVersion: 3 }));
      expect(high.body).toMatchObject({ stored: true, status: 'verified', award: { date: '2026-11-22', created: true } });
      expect(await stored('a2a2a2a2a2a2', '2026-11-22')).toEqual([{ steps: 8000, closed: true, counter: 1, epoch: E2 }]);
    });

    it('the leaderboard shows today\'s provisional total; for a wipe day it keeps the history with more steps', async () => {
      const toSocial = (rec: unknown) => deliver(suite.h.social, rec, { secret: suite.h.socialSecret, nowSec: suite.h.nowSec() });
      suite.h.clock.now = Date.parse('2026-11-23T07:00:00Z'); // 15:00 on 2026-11-23 in UTC+8
      expect((await toSocial(day('b1b1b1b1b1b1', '2026-11-23', [3000, 3000], 50, E1, { closed: false }))).body).toMatchObject({ stored: true, status: 'counted' });
      const board = async () => (await (await fetch(`${suite.h.social}/v1/users/bob/leaderboard?date=2026-11-23`, { headers: suite.h.asAdmin })).json()) as { ranking: Array<{ user: string; steps: number }> };
      expect((await board()).ranking.find((r) => r.user === 'bob')?.steps).toBe(6000);
      // Wiped at 15:00: the new history's lower total of the day, however new its recordVersion, is stale.
      suite.h.clock.now = Date.parse('2026-11-23T17:00:00Z');
      expect((await toSocial(day('b1b1b1b1b1b1', '2026-11-23', [0, 0, 1500], 1, E2, { recordVersion: 9 }))).body).toMatchObject({ stale: true });
      expect((await board()).ranking.find((r) => r.user === 'bob')?.steps).toBe(6000);
      expect((await toSocial(day('b1b1b1b1b1b1', '2026-11-23', [0, 0, 7000], 1, E2, { recordVersion: 10 }))).body).toMatchObject({ stored: true });
      expect((await board()).ranking.find((r) => r.user === 'bob')?.steps).toBe(7000);
    });
  });
}
