// Hostile and broken requests: each is refused with a precise 4xx and JSON error, and nothing of
// it is stored (every table's row count and every device counter unchanged).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../shared/webhook.ts';
import { deliver, makeRecord, newKeyHex, newWebhookSecret, signRecord } from './kits/services.ts';
import { openTestDb, postgresSkipReason, startHarness, tableCounts, type Backend, type Harness, type TestDb } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-security: PostgreSQL tests skipped: ${pgSkip}`);

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`rejections store nothing on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let t: TestDb;
    let h: Harness;
    let before: Record<string, number>;
    beforeAll(async () => {
      t = await openTestDb(backend);
      h = await startHarness(t.db);
      // One accepted day first, so device a1's counter is 5 and replays can be tried.
      const ok = await deliver(h.reward, signRecord(makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-19', steps: 9000 }), h.keys.a1a1a1a1a1a1, 5), { secret: h.rewardSecret, nowSec: h.nowSec() });
      expect(ok.status).toBe(200);
    });
    afterAll(async () => {
      await h?.close();
      await t?.drop();
    });

    const day = () => makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-20', steps: 9000 });
    const cases: Array<[string, () => Promise<{ status: number; body: Record<string, unknown> }>, number, string]> = [
      ['forged webhook signature', () => deliver(h.reward, signRecord(day(), h.keys.a1a1a1a1a1a1, 6), { secret: newWebhookSecret(), nowSec: h.nowSec() }), 401, 'bad_webhook_signature'],
      ['stale webhook timestamp (6 min old)', () => deliver(h.reward, signRecord(day(), h.keys.a1a1a1a1a1a1, 6), { secret: h.rewardSecret, nowSec: h.nowSec() - 360 }), 401, 'bad_webhook_signature'],
      ['replayed summary counter', () => deliver(h.reward, signRecord(day(), h.keys.a1a1a1a1a1a1, 5), { secret: h.rewardSecret, nowSec: h.nowSec() }), 409, 'summary_replayed'],
      ['lower summary counter', () => deliver(h.reward, signRecord(day(), h.keys.a1a1a1a1a1a1, 2), { secret: h.rewardSecret, nowSec: h.nowSec() }), 409, 'summary_replayed'],
      ['summary signed with a wrong device key', () => deliver(h.reward, signRecord(day(), newKeyHex(), 6), { secret: h.rewardSecret, nowSec: h.nowSec() }), 422, 'summary_forged'],
      ['another device\'s key', () => deliver(h.reward, signRecord(day(), h.keys.b1b1b1b1b1b1, 6), { secret: h.rewardSecret, nowSec: h.nowSec() }), 422, 'summary_forged'],
      ['steps altered after signing', () => deliver(h.reward, { ...signRecord(day(), h.keys.a1a1a1a1a1a1, 6, { steps: 4000 }) }, { secret: h.rewardSecret, nowSec: h.nowSec() }), 422, 'summary_altered'],
      ['summary of another date', () => deliver(h.reward, signRecord(day(), h.keys.a1a1a1a1a1a1, 6, { day: 20000 }), { secret: h.rewardSecret, nowSec: h.nowSec() }), 422, 'summary_altered'],
      ['device of another user', () => deliver(h.reward, signRecord({ ...day(), user: 'bob' }, h.keys.a1a1a1a1a1a1, 6), { secret: h.rewardSecret, nowSec: h.nowSec() }), 422, 'device_user_mismatch'],
      ['unregistered device', () => deliver(h.reward, signRecord({ ...day(), device: 'dddddddddddd' }, newKeyHex(), 1), { secret: h.rewardSecret, nowSec: h.nowSec() }), 422, 'unknown_device'],
      ['daily cap exceeded', () => deliver(h.reward, makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-20', steps: 70000, hours: Array.from({ length: 24 }, (_, i) => (i < 7 ? 10000 : 0)) }), { secret: h.rewardSecret, nowSec: h.nowSec() }), 422, 'implausible'],
      ['an hour above human cadence', () => deliver(h.reward, makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-20', steps: 13000, hours: Array.from({ length: 24 }, (_, i) => (i === 9 ? 13000 : 0)) }), { secret: h.rewardSecret, nowSec: h.nowSec() }), 422, 'implausible'],
      ['a future date', () => deliver(h.reward, signRecord({ ...day(), date: '2026-11-23' }, h.keys.a1a1a1a1a1a1, 6), { secret: h.rewardSecret, nowSec: h.nowSec() }), 422, 'future_date'],
      ['SQL-looking user', () => deliver(h.reward, { ...day(), user: "alice' OR '1'='1" }, { secret: h.rewardSecret, nowSec: h.nowSec() }), 422, 'invalid_record'],
      ['SQL-looking device', () => deliver(h.reward, { ...day(), device: "'; DROP TABLE awards; --" }, { secret: h.rewardSecret, nowSec: h.nowSec(), key: 'sql-device' }), 422, 'invalid_record'],
      ['SQL-looking registered-format user that does not exist', () => deliver(h.reward, { ...day(), user: 'x--DROP.TABLE' }, { secret: h.rewardSecret, nowSec: h.nowSec() }), 422, 'unknown_user'],
      ['malformed JSON', () => deliver(h.reward, day(), { secret: h.rewardSecret, nowSec: h.nowSec(), body: '{"schema":1,' }), 400, 'malformed_json'],
      ['a JSON array', () => deliver(h.reward, day(), { secret: h.rewardSecret, nowSec: h.nowSec(), body: '[1,2]' }), 400, 'malformed_json'],
      ['wrong content type', () => deliver(h.reward, day(), { secret: h.rewardSecret, nowSec: h.nowSec(), contentType: 'text/plain' }), 415, 'unsupported_media_type'],
      ['oversized body', () => deliver(h.reward, day(), { secret: h.rewardSecret, nowSec: h.nowSec(), body: JSON.stringify({ ...day(), pad: 'x'.repeat(70_000) }) }), 413, 'body_too_large'],
      ['missing Idempotency-Key', () => deliver(h.reward, signRecord(day(), h.keys.a1a1a1a1a1a1, 6), { secret: h.rewardSecret, nowSec: h.nowSec(), key: null }), 400, 'idempotency_key_missing'],
      ['social service with the reward secret', () => deliver(h.social, day(), { secret: h.rewardSecret, nowSec: h.nowSec() }), 401, 'bad_webhook_signature'],
      ['social: SQL-looking user', () => deliver(h.social, { ...day(), user: "bob'); DELETE FROM social_days; --" }, { secret: h.socialSecret, nowSec: h.nowSec() }), 422, 'invalid_record'],
    ];

    beforeAll(async () => {
      before = await tableCounts(h.db);
    });
    for (const [name, send, status, error] of cases) {
      it(`${name}: ${status} ${error}`, async () => {
        const r = await send();
        expect(r.status).toBe(status);
        expect(r.body).toMatchObject({ error });
        expect(typeof r.body.message).toBe('string');
        expect(await tableCounts(h.db)).toEqual(before);
      });
    }

    it('a chunked body over the limit without Content-Length is cut off with 413', async () => {
      const body = JSON.stringify({ ...day(), pad: 'y'.repeat(100_000) });
      const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(body)); c.close(); } });
      const res = await fetch(`${h.reward}/v1/days`, {
        method: 'POST', body: stream, duplex: 'half',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'chunked', ...signWebhook(h.rewardSecret, 'chunked', h.nowSec(), body) },
      } as RequestInit);
      expect(res.status).toBe(413);
      expect(await tableCounts(h.db)).toEqual(before);
    });

    it('admin endpoints need the bearer token', async () => {
      const post = (auth: string | null) => fetch(`${h.url}/admin/v1/users`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify({ id: 'mallory', name: 'M' }),
      });
      expect((await post(null)).status).toBe(401);
      expect((await post('Bearer wrong-token-wrong-token')).status).toBe(401);
      expect(await tableCounts(h.db)).toEqual(before);
      expect((await post(`Bearer ${h.adminToken}`)).status).toBe(201);
    });
  });
}
