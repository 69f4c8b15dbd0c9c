// The social service: day records from several devices, the max rule, friends-only rankings,
// history, and the dashboard read API that reuses them. SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver, makeRecord, signRecord } from './kits/services.ts';
import { openTestDb, postgresSkipReason, startHarness, type Backend, type Harness, type TestDb } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-leaderboard: PostgreSQL tests skipped: ${pgSkip}`);

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`leaderboard on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let t: TestDb;
    let h: Harness;
    const post = (user: string, device: string, date: string, steps: number, extra = {}) =>
      deliver(h.social, makeRecord({ user, device, date, steps, ...extra }), { secret: h.socialSecret, nowSec: h.nowSec() });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of documented JSON
    const get = async (path: string): Promise<any> => (await fetch(h.url + path, { headers: h.asAdmin })).json();

    beforeAll(async () => {
      t = await openTestDb(backend);
      h = await startHarness(t.db);
      const admin = (path: string, body: unknown) =>
        fetch(`${h.url}/admin/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.adminToken}` }, body: JSON.stringify(body) });
      expect((await admin('users', { id: 'dave', name: 'Dave' })).status).toBe(201); // not alice's friend
      expect((await admin('friendships', { a: 'bob', b: 'dave' })).status).toBe(201);
      expect((await admin('devices', { id: 'dddddddddddd', user: 'dave', bridge: 'home', key: null })).status).toBe(201);
      for (const r of [
        await post('alice', 'a1a1a1a1a1a1', '2026-11-21', 3000),
        await post('alice', 'a2a2a2a2a2a2', '2026-11-21', 5000), // alice's second watch: max, not sum
        await post('bob', 'b1b1b1b1b1b1', '2026-11-21', 4000),
        await post('bob', 'b1b1b1b1b1b1', '2026-11-21', 4500, { recordVersion: 2 }),
        await post('carol', 'c1c1c1c1c1c1', '2026-11-21', 4500),
        await post('dave', 'dddddddddddd', '2026-11-21', 20000), // a device registered without a key counts (unsigned days do)
        await post('alice', 'a1a1a1a1a1a1', '2026-11-20', 9000),
        await post('bob', 'b1b1b1b1b1b1', '2026-11-20', 12000),
      ]) expect(r.status).toBe(200);
    });
    afterAll(async () => {
      await h?.close();
      await t?.drop();
    });

    it("ranks today's friends and self by the max over devices, ties sharing a rank", async () => {
      const board = await get('/social/v1/users/alice/leaderboard');
      expect(board.date).toBe('2026-11-21'); // alice's local today (UTC+8) at the harness clock
      expect(board.ranking.map((r: { user: string; steps: number; rank: number }) => [r.rank, r.user, r.steps])).toEqual([
        [1, 'alice', 5000],
        [2, 'bob', 4500],
        [2, 'carol', 4500],
      ]);
      const bobs = await get('/social/v1/users/bob/leaderboard?date=2026-11-21');
      expect(bobs.ranking.map((r: { user: string }) => r.user)).toEqual(['dave', 'alice', 'bob']);
    });

    it('keeps a history of past days with rank', async () => {
      const hist = await get('/social/v1/users/alice/history?from=2026-11-01&to=2026-11-21');
      expect(hist.days).toEqual([
        { date: '2026-11-21', steps: 5000, rank: 1, of: 3, leader: 'alice' },
        { date: '2026-11-20', steps: 9000, rank: 2, of: 3, leader: 'bob' },
      ]);
    });

    it('leaves flagged days out of the ranking', async () => {
      const hours = Array.from({ length: 24 }, (_, i) => (i >= 8 && i < 18 ? 3000 : 0));
      const r = await post('carol', 'c1c1c1c1c1c1', '2026-11-21', 30000, { recordVersion: 2, hours });
      expect(r.body).toMatchObject({ stored: true, status: 'flagged' });
      const board = await get('/social/v1/users/alice/leaderboard');
      expect(board.ranking.find((x: { user: string }) => x.user === 'carol').steps).toBe(0);
    });

    it('serves the dashboard overview and hours', async () => {
      const o = await get('/api/users/alice/overview');
      expect(o.today).toMatchObject({ date: '2026-11-21', steps: 5000, goal: 8000 });
      expect(o.days).toHaveLength(30);
      expect(o.days.at(-2)).toEqual({ date: '2026-11-20', steps: 9000, hongbao: 'unsigned', flaggedSteps: null });
      expect(o.devices.map((d: { id: string }) => d.id)).toEqual(['a1a1a1a1a1a1', 'a2a2a2a2a2a2']);
      const hrs = await get('/api/users/alice/hours?date=2026-11-20');
      expect(hrs.hours.reduce((a: number, b: number) => a + b, 0)).toBe(9000);
      expect((await fetch(h.url + '/api/users/nobody/overview', { headers: h.asAdmin })).status).toBe(404);
      expect((await fetch(h.url + '/api/users/alice/hours?date=2026-13-01', { headers: h.asAdmin })).status).toBe(400);
    });

    it("orders a day's versions by the watch's summary counter, so a reinstalled bridge's versions (from 1 again) are not stale", async () => {
      // The old bridge delivered the open day as version 4; reinstalled, it numbers the closed day 1.
      const open = await post('carol', 'c1c1c1c1c1c1', '2026-11-19', 2216, { recordVersion: 4, closed: false });
      expect(open.body).toMatchObject({ stored: true });
      const closed = signRecord(makeRecord({ user: 'carol', device: 'c1c1c1c1c1c1', date: '2026-11-19', steps: 3963, recordVersion: 1 }), h.keys.c1c1c1c1c1c1, 9);
      expect((await deliver(h.social, closed, { secret: h.socialSecret, nowSec: h.nowSec() })).body).toMatchObject({ stored: true, stale: false });
      const hist = await get('/social/v1/users/carol/history?from=2026-11-19&to=2026-11-19');
      expect(hist.days[0]).toMatchObject({ date: '2026-11-19', steps: 3963 });
      // An unsigned version never replaces the signed day, whatever its recordVersion; an older summary neither.
      expect((await post('carol', 'c1c1c1c1c1c1', '2026-11-19', 2500, { recordVersion: 9, closed: false })).body).toMatchObject({ stored: false, stale: true });
      const older = signRecord(makeRecord({ user: 'carol', device: 'c1c1c1c1c1c1', date: '2026-11-19', steps: 3000, recordVersion: 2 }), h.keys.c1c1c1c1c1c1, 8);
      expect((await deliver(h.social, older, { secret: h.socialSecret, nowSec: h.nowSec() })).body).toMatchObject({ stored: false, stale: true });
      expect((await get('/social/v1/users/carol/history?from=2026-11-19&to=2026-11-19')).days[0].steps).toBe(3963);
    });

    it('pages the users list for the admin, by id', async () => {
      expect(await get('/api/users?limit=2')).toEqual({ users: [{ id: 'alice', name: 'Alice' }, { id: 'bob', name: 'Bob' }], next: 'bob' });
      expect(await get('/api/users?limit=2&after=bob')).toEqual({ users: [{ id: 'carol', name: 'Carol' }, { id: 'dave', name: 'Dave' }], next: null });
      expect((await get('/api/users')).users).toHaveLength(4);
      for (const bad of ['0', '1001', 'x']) expect((await fetch(`${h.url}/api/users?limit=${bad}`, { headers: h.asAdmin })).status).toBe(400);
    });
  });
}
