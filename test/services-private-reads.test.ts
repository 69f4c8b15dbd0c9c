// Step data is health data: every read needs a credential, a user reads only their own data
// (and their friends' totals on their own leaderboard), the admin token reads everything, and a
// login link turns a user token into the dashboard's session cookie. On SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';
import { deliver, makeRecord, signRecord } from './kits/services.ts';
import { harnessPerSuite, postgresSkipReason, type Backend } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-private-reads: PostgreSQL tests skipped: ${pgSkip}`);

const READS = (user: string) => [
  `/api/users/${user}/overview`,
  `/api/users/${user}/hours?date=2026-11-20`,
  `/reward/v1/users/${user}/awards`,
  `/social/v1/users/${user}/leaderboard?date=2026-11-20`,
  `/social/v1/users/${user}/history`,
];

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`private reads on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const suite = harnessPerSuite(backend);
    const tokenFor = async (user: string) => {
      const res = await fetch(`${suite.h.url}/admin/v1/users/${user}/tokens`, { method: 'POST', headers: { ...suite.h.asAdmin, 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(201);
      return (await res.json()) as { token: string; loginPath: string };
    };
    const get = (path: string, headers: Record<string, string> = {}) => fetch(suite.h.url + path, { headers, redirect: 'manual' });

    it('refuses every read without a credential, or with a wrong one: 401', async () => {
      for (const path of [...READS('alice'), '/api/users']) {
        expect((await get(path)).status, path).toBe(401);
        expect((await get(path, { authorization: 'Bearer bsu_not-a-token' })).status, path).toBe(401);
        expect((await get(path, { cookie: 'bushu_session=bsu_forged' })).status, path).toBe(401);
      }
    });

    it("a user reads their own data and no one else's (403), and is the only user listed", async () => {
      const h = suite.h;
      await deliver(h.social, signRecord(makeRecord({ user: 'bob', device: 'b1b1b1b1b1b1', date: '2026-11-20', steps: 6000 }), h.keys.b1b1b1b1b1b1, 1), { secret: h.socialSecret, nowSec: h.nowSec() });
      const { token } = await tokenFor('alice');
      const alice = { authorization: `Bearer ${token}` };
      for (const path of READS('alice')) expect((await get(path, alice)).status, path).toBe(200);
      for (const path of READS('bob')) expect((await get(path, alice)).status, path).toBe(403);
      expect(await (await get('/api/users', alice)).json()).toEqual({ users: [{ id: 'alice', name: 'Alice' }], next: null });
      // her leaderboard shows her friend bob's day total, not his hours or devices
      const board = (await (await get('/social/v1/users/alice/leaderboard?date=2026-11-20', alice)).json()) as { ranking: Array<{ user: string; steps: number }> };
      expect(board.ranking.find((r) => r.user === 'bob')).toMatchObject({ steps: 6000 });
      // the admin token reads everyone
      expect(((await (await get('/api/users', h.asAdmin)).json()) as { users: unknown[] }).users).toHaveLength(3);
      for (const path of READS('bob')) expect((await get(path, h.asAdmin)).status, path).toBe(200);
    });

    it('a login link sets an HttpOnly session cookie the dashboard reads with; revoking ends it', async () => {
      const { loginPath } = await tokenFor('carol');
      const login = await get(loginPath);
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe('/?user=carol');
      const setCookie = login.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^bushu_session=bsu_[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
      const cookie = setCookie.split(';')[0];
      expect((await get('/api/users/carol/overview', { cookie })).status).toBe(200);
      expect((await get('/api/users/alice/overview', { cookie })).status).toBe(403);
      expect((await get('/login?token=bsu_forged')).status).toBe(401);
      const revoked = await fetch(`${suite.h.url}/admin/v1/users/carol/tokens`, { method: 'DELETE', headers: suite.h.asAdmin });
      expect(await revoked.json()).toEqual({ user: 'carol', revoked: 1 });
      expect((await get('/api/users/carol/overview', { cookie })).status).toBe(401);
    });

    it('only the admin makes login links', async () => {
      const res = await fetch(`${suite.h.url}/admin/v1/users/alice/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(401);
      const unknown = await fetch(`${suite.h.url}/admin/v1/users/nobody/tokens`, { method: 'POST', headers: { ...suite.h.asAdmin, 'content-type': 'application/json' }, body: '{}' });
      expect(unknown.status).toBe(404);
    });
  });
}
