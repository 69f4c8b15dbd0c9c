// The dashboard's read API without a browser, on SQLite and PostgreSQL: one number per user-day
// (max over devices and services, flagged records out), what each day earned, the ledger's day
// totals beside the awarding record's steps, and why a day has no hours.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DayRecord } from '../shared/record/index.ts';
import { seedDashboardWeek } from './kits/dashboard-seed.ts';
import { deliver, makeRecord } from './kits/services.ts';
import { openTestDb, postgresSkipReason, startHarness, type Backend, type Harness, type TestDb } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-read: PostgreSQL tests skipped: ${pgSkip}`);

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`dashboard read API on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let t: TestDb;
    let h: Harness;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of documented JSON
    const get = async (path: string): Promise<any> => (await fetch(h.url + path, { headers: h.asAdmin })).json();

    beforeAll(async () => {
      t = await openTestDb(backend);
      h = await startHarness(t.db);
      await seedDashboardWeek(h);
    });
    afterAll(async () => {
      await h?.close();
      await t?.drop();
    });

    it('gives each day one number and what it earned', async () => {
      const o = await get('/api/users/alice/overview');
      expect(o.days).toHaveLength(30);
      expect(o.days.slice(-7)).toEqual([
        { date: '2026-11-15', steps: 0, hongbao: 'below', flaggedSteps: null },
        { date: '2026-11-16', steps: 0, hongbao: 'below', flaggedSteps: 10_000 },
        { date: '2026-11-17', steps: 8800, hongbao: 'late', flaggedSteps: null },
        { date: '2026-11-18', steps: 9200, hongbao: 'paid', flaggedSteps: null },
        { date: '2026-11-19', steps: 8500, hongbao: 'unsigned', flaggedSteps: null },
        { date: '2026-11-20', steps: 10_500, hongbao: 'pending', flaggedSteps: null },
        { date: '2026-11-21', steps: 5000, hongbao: 'below', flaggedSteps: null },
      ]);
      expect(o.today).toEqual({ date: '2026-11-21', steps: 5000, goal: 8000, progress: 0.625, reached: false, hongbao: 'below' });
      expect(o.leaderboard.find((r: { self: boolean }) => r.self).steps).toBe(o.today.steps);
    });

    it("lists each award with the day's number beside the steps that earned it", async () => {
      const o = await get('/api/users/alice/overview');
      expect(o.ledger.map((e: Record<string, unknown>) => [e.date, e.dayTotal, e.steps, e.device, (e.payout as { state: string }).state])).toEqual([
        ['2026-11-20', 10_500, 9000, 'a1a1a1a1a1a1', 'pending'],
        ['2026-11-18', 9200, 9200, 'a1a1a1a1a1a1', 'paid'],
      ]);
    });

    it("serves today's hours, and says why a day has none", async () => {
      const today = await get('/api/users/alice/hours');
      expect(today).toMatchObject({ date: '2026-11-21', steps: 5000, device: 'a1a1a1a1a1a1', source: 'bushu', flagged: false, noHours: null });
      expect(today.hours.reduce((a: number, b: number) => a + b, 0)).toBe(5000);
      expect(await get('/api/users/bob/hours')).toMatchObject({ steps: 6500, source: 'wechat', hours: null, noHours: 'totals_only' });
      expect(await get('/api/users/carol/hours')).toMatchObject({ steps: 3000, source: 'bushu', hours: null, noHours: 'next_sync' });
      expect(await get('/api/users/alice/hours?date=2026-11-15')).toMatchObject({ steps: 0, device: null, hours: null, noHours: 'no_steps' });
      const flagged = await get('/api/users/alice/hours?date=2026-11-16');
      expect(flagged).toMatchObject({ steps: 10_000, flagged: true, noHours: null });
      expect((await get('/api/users/alice/hours?date=2026-11-20')).device).toBe('a2a2a2a2a2a2');
    });

    // Last: it changes the seeded days.
    it("calls a goal reached on a day still open 'open', and a closed day without hours 'not_sent'", async () => {
      const send = async (rec: DayRecord) => {
        for (const [base, secret] of [[h.reward, h.rewardSecret], [h.social, h.socialSecret]]) {
          expect((await deliver(base, rec, { secret, nowSec: h.nowSec() })).status).toBe(200);
        }
      };
      await send(makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-21', steps: 8400, closed: false, recordVersion: 2 }));
      const o = await get('/api/users/alice/overview');
      expect(o.today).toMatchObject({ steps: 8400, reached: true, hongbao: 'open' });
      expect(o.days.at(-1)).toMatchObject({ steps: 8400, hongbao: 'open' });
      await send(makeRecord({ user: 'carol', device: 'c1c1c1c1c1c1', date: '2026-11-20', steps: 4000, hours: null }));
      expect(await get('/api/users/carol/hours?date=2026-11-20')).toMatchObject({ steps: 4000, source: 'bushu', hours: null, noHours: 'not_sent' });
    });
  });
}
