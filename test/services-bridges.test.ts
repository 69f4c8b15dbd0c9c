// Per-bridge credentials (issue 11, failure 6): every bridge signs with its own secrets, every
// device is registered to the bridge that serves it, and a record signed with one bridge's valid
// secret for another bridge's device is refused for good (403 device_not_served) by both
// services, storing nothing. The harness's bridge "home" serves every seed device; "neighbour"
// holds valid secrets but serves none of them. SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';
import { deliver, makeRecord, newWebhookSecret, signRecord } from './kits/services.ts';
import { harnessPerSuite, postgresSkipReason, tableCounts, type Backend } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-bridges: PostgreSQL tests skipped: ${pgSkip}`);

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`per-bridge credentials on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const ctx = harnessPerSuite(backend);
    const send = (service: 'reward' | 'social', secret: string, rec: unknown, key?: string) =>
      deliver(service === 'reward' ? ctx.h.reward : ctx.h.social, rec, { secret, nowSec: ctx.h.nowSec(), ...(key ? { key } : {}) });
    const awards = async (user: string) => (await fetch(`${ctx.h.reward}/v1/users/${user}/awards`, { headers: ctx.h.asAdmin })).json();
    const admin = (path: string, body: unknown) =>
      fetch(`${ctx.h.url}/admin/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.h.adminToken}` }, body: JSON.stringify(body) });

    it("another bridge's valid reward secret cannot post for alice's device: 403, nothing stored, her award still comes", async () => {
      const genuine = signRecord(makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-20', steps: 9000 }), ctx.h.keys.a1a1a1a1a1a1, 1);
      const before = await tableCounts(ctx.h.db);
      const attack = await send('reward', ctx.h.neighbour.reward, { ...genuine, summary: null, recordVersion: 2 ** 31 - 1 });
      expect(attack.status).toBe(403);
      expect(attack.body).toMatchObject({ error: 'device_not_served' });
      // Even the genuine signed bytes, relayed by the wrong bridge, are refused.
      expect((await send('reward', ctx.h.neighbour.reward, genuine, 'relayed')).body).toMatchObject({ error: 'device_not_served' });
      expect(await tableCounts(ctx.h.db)).toEqual(before);
      expect(await awards('alice')).toMatchObject({ totalFen: 0, awards: [] });

      const real = await send('reward', ctx.h.rewardSecret, genuine);
      expect(real.status).toBe(200);
      expect(real.body).toMatchObject({ stored: true, status: 'verified', award: { date: '2026-11-20', created: true } });
    });

    it('a stored response is not replayed to another bridge sending the same bytes and key', async () => {
      const rec = signRecord(makeRecord({ user: 'bob', device: 'b1b1b1b1b1b1', date: '2026-11-20', steps: 9000 }), ctx.h.keys.b1b1b1b1b1b1, 1);
      expect((await send('reward', ctx.h.rewardSecret, rec, 'bob-day')).status).toBe(200);
      const before = await tableCounts(ctx.h.db);
      const copy = await send('reward', ctx.h.neighbour.reward, rec, 'bob-day');
      expect(copy).toMatchObject({ status: 403, replayed: false, body: { error: 'device_not_served' } });
      expect(await tableCounts(ctx.h.db)).toEqual(before);
      // The owner's retry is still answered from its stored response.
      expect(await send('reward', ctx.h.rewardSecret, rec, 'bob-day')).toMatchObject({ status: 200, replayed: true });
    });

    it("the social service refuses likewise: no leaderboard day for another bridge's device", async () => {
      const before = await tableCounts(ctx.h.db);
      const attack = await send('social', ctx.h.neighbour.social, makeRecord({ user: 'carol', device: 'c1c1c1c1c1c1', date: '2026-11-20', steps: 50000 }));
      expect(attack.status).toBe(403);
      expect(attack.body).toMatchObject({ error: 'device_not_served' });
      expect(await tableCounts(ctx.h.db)).toEqual(before);
      const board = (await (await fetch(`${ctx.h.social}/v1/users/alice/leaderboard?date=2026-11-20`, { headers: ctx.h.asAdmin })).json()) as { ranking: Array<{ user: string; steps: number }> };
      expect(board.ranking.find((r) => r.user === 'carol')).toMatchObject({ steps: 0 });
    });

    it("a bridge's secret for one service does not verify at the other", async () => {
      const rec = makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-19', steps: 5000 });
      expect(await send('social', ctx.h.rewardSecret, rec)).toMatchObject({ status: 401, body: { error: 'bad_webhook_signature' } });
      expect(await send('reward', ctx.h.neighbour.social, rec)).toMatchObject({ status: 401, body: { error: 'bad_webhook_signature' } });
      expect(await send('reward', newWebhookSecret(), rec)).toMatchObject({ status: 401, body: { error: 'bad_webhook_signature' } });
    });

    it('the admin API registers a device to a bridge, refuses an unknown bridge, and moves a device between bridges', async () => {
      expect((await admin('users', { id: 'dave', name: 'Dave' })).status).toBe(201);
      const unknown = await admin('devices', { id: 'd1d1d1d1d1d1', user: 'dave', bridge: 'pub', key: null });
      expect(unknown.status).toBe(422);
      expect(await unknown.json()).toMatchObject({ error: 'invalid_registration', field: 'bridge' });
      expect((await admin('devices', { id: 'd1d1d1d1d1d1', user: 'dave', key: null })).status).toBe(422);
      expect((await admin('devices', { id: 'd1d1d1d1d1d1', user: 'dave', bridge: 'neighbour', key: null })).status).toBe(201);

      const day = (date: string) => makeRecord({ user: 'dave', device: 'd1d1d1d1d1d1', date, steps: 7000 });
      expect((await send('social', ctx.h.neighbour.social, day('2026-11-18'))).status).toBe(200);
      expect((await send('social', ctx.h.socialSecret, day('2026-11-19'))).body).toMatchObject({ error: 'device_not_served' });

      // Dave moves his watch to the home bridge: from then on the neighbour is refused.
      expect((await admin('devices', { id: 'd1d1d1d1d1d1', user: 'dave', bridge: 'home', key: null })).status).toBe(201);
      expect((await send('social', ctx.h.socialSecret, day('2026-11-19'))).status).toBe(200);
      expect((await send('social', ctx.h.neighbour.social, day('2026-11-20'))).body).toMatchObject({ error: 'device_not_served' });
    });

    it('a device registered before bridges existed (no bridge) is served by none until registered again', async () => {
      await ctx.h.db.run('INSERT INTO users (id, name, utc_offset_min, created_at) VALUES ($1, $2, 480, 0)', ['erin', 'Erin']);
      await ctx.h.db.run('INSERT INTO device_owners (device_id, user_id) VALUES ($1, $2)', ['e1e1e1e1e1e1', 'erin']);
      await ctx.h.db.run('INSERT INTO devices (id, user_id, key_hex, last_counter, created_at) VALUES ($1, $2, NULL, NULL, 0)', ['e1e1e1e1e1e1', 'erin']);
      const rec = makeRecord({ user: 'erin', device: 'e1e1e1e1e1e1', date: '2026-11-20', steps: 6000 });
      expect((await send('social', ctx.h.socialSecret, rec)).body).toMatchObject({ error: 'device_not_served' });
      expect((await admin('devices', { id: 'e1e1e1e1e1e1', user: 'erin', bridge: 'home', key: null })).status).toBe(201);
      expect((await send('social', ctx.h.socialSecret, rec)).status).toBe(200);
    });
  });
}

describe('a bridge whose secret is being rotated', () => {
  const old = newWebhookSecret();
  const rotated = newWebhookSecret();
  const ctx = harnessPerSuite('sqlite', { bridges: [{ id: 'home', secrets: { reward: [old, rotated], social: [old] } }] });

  it('posts with either secret while both are listed', async () => {
    const day = (date: string, counter: number) => signRecord(makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date, steps: 8500 }), ctx.h.keys.a1a1a1a1a1a1, counter);
    expect(await deliver(ctx.h.reward, day('2026-11-19', 1), { secret: old, nowSec: ctx.h.nowSec() })).toMatchObject({ status: 200, body: { status: 'verified' } });
    expect(await deliver(ctx.h.reward, day('2026-11-20', 2), { secret: rotated, nowSec: ctx.h.nowSec() })).toMatchObject({ status: 200, body: { status: 'verified' } });
    expect(await deliver(ctx.h.social, day('2026-11-20', 2), { secret: rotated, nowSec: ctx.h.nowSec() })).toMatchObject({ status: 401 });
  });
});
