// Attacks by someone who holds the webhook secret of the bridge serving a device (the bridge
// itself, or whoever stole its secret) but not the device key: what they send must not decide an
// award or another user's leaderboard. Each attack is refused, and the ledger or leaderboard is
// left as it was. Another bridge's secrets: services-bridges.test.ts. SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';
import { precedence, type DayVersion } from '../services/reward/precedence.ts';
import type { DayRecord } from '../shared/record/index.ts';
import { deliver, humanHours, makeRecord, signRecord } from './kits/services.ts';
import { harnessPerSuite, postgresSkipReason, tableCounts, T0, type Backend } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-trust: PostgreSQL tests skipped: ${pgSkip}`);

const MAX_RECORD_VERSION = 2 ** 31 - 1;

describe('precedence of two versions of one device-day', () => {
  const unsigned = (recordVersion: number) => ({ counter: null, recordVersion, closed: true, steps: 9000, epoch: null, keyId: null });
  const signed = (counter: number, recordVersion: number, more: Partial<DayVersion> = {}) => ({ counter, recordVersion, closed: true, steps: 9000, epoch: 7, keyId: 'k1', ...more });

  it('stores the first version of a day', () => {
    expect(precedence(undefined, unsigned(1))).toBe('replace');
    expect(precedence(undefined, signed(3, 1))).toBe('replace');
  });

  it('orders unsigned versions by recordVersion', () => {
    expect(precedence(unsigned(2), unsigned(3))).toBe('replace');
    expect(precedence(unsigned(2), unsigned(2))).toBe('stale');
    expect(precedence(unsigned(2), unsigned(1))).toBe('stale');
  });

  it('lets a signed version replace an unsigned one, whatever the recordVersions', () => {
    expect(precedence(unsigned(MAX_RECORD_VERSION), signed(1, 1))).toBe('replace');
  });

  it('never lets an unsigned version replace a signed one', () => {
    expect(precedence(signed(4, 1), unsigned(MAX_RECORD_VERSION))).toBe('stale');
  });

  it('orders signed versions by the device counter, recordVersion only within one counter', () => {
    expect(precedence(signed(4, 9), signed(5, 1))).toBe('replace');
    expect(precedence(signed(4, 1), signed(4, 2))).toBe('replace');
    expect(precedence(signed(4, 2), signed(4, 2))).toBe('stale');
    expect(precedence(signed(4, 2), signed(3, 1))).toBe('stale');
    expect(precedence(signed(4, 2), signed(3, MAX_RECORD_VERSION))).toBe('older_signature');
  });

  it('one counter covers an open day\'s provisional totals and its closed record: closed wins, then more steps', () => {
    const open = (steps: number, recordVersion: number) => signed(4, recordVersion, { closed: false, steps });
    expect(precedence(open(500, 1), open(800, 2))).toBe('replace');
    expect(precedence(open(800, 2), open(500, MAX_RECORD_VERSION))).toBe('stale'); // a replayed earlier total
    expect(precedence(open(800, 2), signed(4, 1, { steps: 820 }))).toBe('replace');
    expect(precedence(signed(4, 3, { steps: 820 }), open(900, MAX_RECORD_VERSION))).toBe('stale');
  });

  it('versions of two signing sequences (another epoch: a wiped watch; another key) keep the one with more signed steps', () => {
    expect(precedence(signed(40, 5, { steps: 6000, closed: false }), signed(1, 6, { epoch: 8, steps: 1500 }))).toBe('stale');
    expect(precedence(signed(40, 5, { steps: 6000, closed: false }), signed(1, 1, { epoch: 8, steps: 6100 }))).toBe('replace');
    expect(precedence(signed(40, 5, { steps: 6000, closed: false }), signed(1, 1, { epoch: 8, steps: 6000 }))).toBe('replace');
    expect(precedence(signed(40, 5, { steps: 9000 }), signed(1, 1, { keyId: 'k2', steps: 100 }))).toBe('stale'); // never older_signature
    // A day stored before key ids counts as the current key's: the counter decides.
    expect(precedence(signed(40, 5, { keyId: null }), signed(39, 6))).toBe('older_signature');
  });
});

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`trust on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const suite = harnessPerSuite(backend);

    const toReward = (rec: unknown, key?: string) => deliver(suite.h.reward, rec, { secret: suite.h.rewardSecret, nowSec: suite.h.nowSec(), ...(key ? { key } : {}) });
    const toSocial = (rec: unknown) => deliver(suite.h.social, rec, { secret: suite.h.socialSecret, nowSec: suite.h.nowSec() });
    const json = async (path: string): Promise<unknown> => (await fetch(suite.h.url + path, { headers: suite.h.asAdmin })).json();
    const storedDay = async (device: string, date: string) =>
      (await suite.h.db.all<{ steps: number; counter: number | null; status: string; record_version: number }>(
        'SELECT steps, counter, status, record_version FROM reward_days WHERE device_id = $1 AND date = $2',
        [device, date],
      )).map((d) => ({ steps: Number(d.steps), counter: d.counter === null ? null : Number(d.counter), status: d.status, recordVersion: Number(d.record_version) }));

    describe('reward: an unsigned record never outranks a signed one', () => {
      // Mallory holds the reward webhook secret but not bob's device key.
      const forged = () => makeRecord({ user: 'bob', device: 'b1b1b1b1b1b1', date: '2026-11-20', steps: 100, recordVersion: MAX_RECORD_VERSION });
      const genuine = () => signRecord(makeRecord({ user: 'bob', device: 'b1b1b1b1b1b1', date: '2026-11-20', steps: 9000 }), suite.h.keys.b1b1b1b1b1b1, 1);

      it("an unsigned max-recordVersion record sent first does not block bob's signed day or its award", async () => {
        const pre = await toReward(forged(), 'mallory:1');
        expect(pre.body).toMatchObject({ stored: true, status: 'unsigned', award: null });
        const real = await toReward(genuine());
        expect(real.status).toBe(200);
        expect(real.body).toMatchObject({ stored: true, stale: false, status: 'verified', award: { date: '2026-11-20', created: true } });
        expect(await json('/reward/v1/users/bob/awards')).toMatchObject({ totalFen: 88, awards: [{ date: '2026-11-20', steps: 9000, device: 'b1b1b1b1b1b1' }] });
        expect(await storedDay('b1b1b1b1b1b1', '2026-11-20')).toEqual([{ steps: 9000, counter: 1, status: 'verified', recordVersion: 1 }]);
      });

      it('an unsigned max-recordVersion record sent after is stale: the signed day and the ledger stay', async () => {
        const day = { user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-19' };
        expect((await toReward(signRecord(makeRecord({ ...day, steps: 9000 }), suite.h.keys.a1a1a1a1a1a1, 1))).body).toMatchObject({ award: { created: true } });
        const before = await tableCounts(suite.h.db);
        const ledger = await json('/reward/v1/users/alice/awards');
        const late = await toReward(makeRecord({ ...day, steps: 100, recordVersion: MAX_RECORD_VERSION }), 'mallory:2');
        expect(late.status).toBe(200);
        expect(late.body).toMatchObject({ stored: false, stale: true, status: null, award: { created: false } });
        expect(await storedDay('a1a1a1a1a1a1', '2026-11-19')).toEqual([{ steps: 9000, counter: 1, status: 'verified', recordVersion: 1 }]);
        expect(await json('/reward/v1/users/alice/awards')).toEqual(ledger);
        expect(await tableCounts(suite.h.db)).toEqual({ ...before, idempotency_keys: before.idempotency_keys + 1 }); // only the request's own key is new
      });

      it('a newer signature wins over a higher recordVersion (a bridge that lost its numbering)', async () => {
        const carol = (steps: number, counter: number, recordVersion: number) =>
          signRecord(makeRecord({ user: 'carol', device: 'c1c1c1c1c1c1', date: '2026-11-20', steps, recordVersion }), suite.h.keys.c1c1c1c1c1c1, counter);
        expect((await toReward(carol(7000, 5, 7))).body).toMatchObject({ stored: true, status: 'verified', award: null });
        const resigned = await toReward(carol(8200, 6, 1));
        expect(resigned.body).toMatchObject({ stored: true, stale: false, award: { created: true } });
        // The same summary again with a higher recordVersion (unsigned details re-sent) replaces it...
        expect((await toReward(carol(8200, 6, 2))).body).toMatchObject({ stored: true, stale: false });
        // ...and an overtaken summary arriving late is stale, not a replacement.
        expect((await toReward(carol(7000, 5, 2), 'late-bridge:c1:2026-11-20:2')).body).toMatchObject({ stored: false, stale: true });
        expect(await storedDay('c1c1c1c1c1c1', '2026-11-20')).toEqual([{ steps: 8200, counter: 6, status: 'verified', recordVersion: 2 }]);
      });
    });

    describe('reward: the device signature covers the hourly buckets (summary version 2)', () => {
      // Alice's second watch on a phone shaker: 1,000 steps in each of ten hours, which the flag
      // rules catch. Mallory holds the webhook secret, not the device key, and re-sends the same
      // signed summary (a higher recordVersion, so it would replace the stored day) with hours
      // that no flag rule reads or that look human.
      const day = { user: 'alice', device: 'a2a2a2a2a2a2', date: '2026-11-20' };
      const shakerHours = Array.from({ length: 24 }, (_, i) => (i >= 8 && i < 18 ? 1000 : 0));
      const shaker = () => signRecord(makeRecord({ ...day, steps: 10000, hours: shakerHours }), suite.h.keys.a2a2a2a2a2a2, 7);
      const attacks: Array<[string, (r: DayRecord) => DayRecord]> = [
        ['hours: null', (r) => ({ ...r, hours: null })],
        ['human-looking hours of the same total', (r) => ({ ...r, hours: humanHours(r.steps) })],
        ['the not-worn hours changed', (r) => ({ ...r, notWornHours: [0, 1, 2, 3, 4] })],
      ];

      it('the signed shaker day is flagged and earns nothing', async () => {
        const r = await toReward(shaker());
        expect(r.body).toMatchObject({ stored: true, status: 'flagged', award: null, reasons: [{ rule: 'machine_regular' }, { rule: 'steady_hours' }] });
        // The record as the watch signed it: a version 2 summary.
        expect(shaker().summary!.message.slice(0, 2)).toBe('02');
      });

      for (const [i, [what, alter]] of attacks.entries()) {
        it(`the same summary re-sent with ${what} is refused (422 summary_altered); the day and the ledger stay`, async () => {
          const before = await tableCounts(suite.h.db);
          const ledger = await json('/reward/v1/users/alice/awards');
          const attack = await toReward({ ...alter(shaker()), recordVersion: 2 }, `mallory:hours:${i}`);
          expect(attack.status).toBe(422);
          expect(attack.body).toMatchObject({ error: 'summary_altered', fields: ['hours'] });
          expect(await storedDay('a2a2a2a2a2a2', '2026-11-20')).toEqual([{ steps: 10000, counter: 7, status: 'flagged', recordVersion: 1 }]);
          expect(await json('/reward/v1/users/alice/awards')).toEqual(ledger);
          expect((await tableCounts(suite.h.db)).awards).toBe(before.awards);
          expect((await tableCounts(suite.h.db)).reward_days).toBe(before.reward_days);
        });
      }

      it('a version 1 summary (older firmware) still verifies, its hours unsigned and taken as sent', async () => {
        const old = signRecord(makeRecord({ user: 'carol', device: 'c1c1c1c1c1c1', date: '2026-11-19', steps: 9000, hours: null }), suite.h.keys.c1c1c1c1c1c1, 2, { hoursDigest: null });
        expect(old.summary!.message).toHaveLength(38);
        const r = await toReward(old);
        expect(r.body).toMatchObject({ stored: true, status: 'verified', award: { date: '2026-11-19', created: true } });
        expect(await storedDay('c1c1c1c1c1c1', '2026-11-19')).toEqual([{ steps: 9000, counter: 2, status: 'verified', recordVersion: 1 }]);
      });
    });

    describe('social: only registered devices, only days that have started', () => {
      const board = (user: string, date: string) => json(`/social/v1/users/${user}/leaderboard?date=${date}`);

      // [what, date whose board must not change, the record (bob's, 59,999 steps: just under the cap), error]
      const refusals: Array<[string, string, { device: string; date: string }, string]> = [
        ['a device that is not registered', '2026-11-21', { device: 'dddddddddddd', date: '2026-11-21' }, 'unknown_device'],
        ["a device of another user", '2026-11-21', { device: 'a1a1a1a1a1a1', date: '2026-11-21' }, 'device_user_mismatch'],
        ['a day that has not started (2099-01-01)', '2099-01-01', { device: 'b1b1b1b1b1b1', date: '2099-01-01' }, 'future_date'],
      ];
      for (const [what, date, fields, error] of refusals) {
        it(`refuses ${what} (422 ${error}); the leaderboard is unchanged`, async () => {
          const before = await tableCounts(suite.h.db);
          const boardBefore = await board('bob', date);
          const r = await toSocial(makeRecord({ user: 'bob', ...fields, steps: 59_999, hours: null }));
          expect(r.status).toBe(422);
          expect(r.body).toMatchObject({ error });
          expect(await board('bob', date)).toEqual(boardBefore);
          expect(await tableCounts(suite.h.db)).toEqual(before);
        });
      }

      it('both services refuse an impossible syncedAt, and take one from a bridge clock a day off', async () => {
        for (const syncedAt of ['9999-12-31T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z']) {
          const before = await tableCounts(suite.h.db);
          const rec = makeRecord({ user: 'bob', device: 'b1b1b1b1b1b1', date: '2026-11-19', steps: 900, syncedAt });
          for (const send of [toSocial, toReward]) expect((await send(rec)).body).toMatchObject({ error: 'invalid_record', field: 'syncedAt' });
          expect(await tableCounts(suite.h.db)).toEqual(before);
        }
        // T0 is 2026-11-21T02:00Z: a bridge 23 h fast or a day behind is believed.
        for (const [i, syncedAt] of ['2026-11-22T01:00:00.000Z', '2026-11-20T02:00:00.000Z'].entries()) {
          const rec = makeRecord({ user: 'bob', device: 'b1b1b1b1b1b1', date: '2026-11-19', steps: 900, syncedAt, recordVersion: 10 + i });
          for (const send of [toSocial, toReward]) expect((await send(rec)).body).toMatchObject({ stored: true });
        }
      });

      it('takes a day that starts within the hour of clock skew, as the reward service does', async () => {
        // 2026-11-22 in UTC+8 starts at 2026-11-21T16:00Z: 30 minutes after this clock.
        suite.h.clock.now = Date.parse('2026-11-21T15:30:00Z');
        try {
          const early = makeRecord({ user: 'bob', device: 'b1b1b1b1b1b1', date: '2026-11-22', steps: 10, hours: null, closed: false });
          expect((await toSocial(early)).body).toMatchObject({ stored: true, status: 'counted' });
          expect((await toReward(early)).body).toMatchObject({ stored: true, status: 'unsigned' });
          suite.h.clock.now = Date.parse('2026-11-21T14:59:00Z'); // 61 minutes before: too early for both
          const tooEarly = { ...early, recordVersion: 2 };
          expect((await toSocial(tooEarly)).body).toMatchObject({ error: 'future_date' });
          expect((await toReward(tooEarly)).body).toMatchObject({ error: 'future_date' });
        } finally {
          suite.h.clock.now = T0;
        }
      });
    });
  });
}
