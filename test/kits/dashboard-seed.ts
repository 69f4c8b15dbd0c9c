// A week of alice (and today of her friends) that shows every state the dashboard draws, seeded
// over HTTP as the bridge delivers: every record to both services, mallory's keyless watch to the
// social service only. Shared by the read API test and the browser test.
import { expect } from 'vitest';
import type { DayRecord } from '../../shared/record/index.ts';
import { deliver, makeRecord, signRecord } from './services.ts';
import { T0, type Harness } from './services-server.ts';

export const HOSTILE = '<img src=x onerror="window.__xss=1">Mallory</b>';

/**
 * 11-15 nothing; 11-16 a machine's day (flagged, 10,000); 11-17 signed 8,800 after the grace
 * period (late); 11-18 signed 9,200, paid; 11-19 unsigned 8,500; 11-20 a1 signed 9,000 (the
 * hongbao, pending) while a2 counted 10,500 unsigned; 11-21 (today) a1 open with 5,000 and its
 * hours. Today of the others: bob a WeChat counter (6,500, no hours ever), carol a bushu watch
 * whose hours have not come yet (3,000), mallory (hostile name) 7,000.
 */
export async function seedDashboardWeek(h: Harness): Promise<void> {
  const admin = (path: string, body: unknown) =>
    fetch(`${h.url}/admin/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.adminToken}` }, body: JSON.stringify(body) });
  expect((await admin('users', { id: 'mallory', name: HOSTILE })).status).toBe(201);
  expect((await admin('friendships', { a: 'alice', b: 'mallory' })).status).toBe(201);
  expect((await admin('devices', { id: 'eeeeeeeeeeee', user: 'mallory', bridge: 'home', key: null })).status).toBe(201);
  const both = async (rec: DayRecord) => {
    const targets = [[h.social, h.socialSecret], ...(rec.user === 'mallory' ? [] : [[h.reward, h.rewardSecret]])];
    for (const [base, secret] of targets) {
      expect((await deliver(base, rec, { secret, nowSec: h.nowSec() })).status).toBe(200);
    }
  };
  const a1 = (date: string, steps: number, more: Partial<DayRecord> = {}) => makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date, steps, ...more });
  h.clock.now = T0 - 2 * 86_400_000; // in time for 11-18's grace period
  await both(signRecord(a1('2026-11-18', 9200), h.keys.a1a1a1a1a1a1, 2));
  h.clock.now = T0;
  expect((await admin('payouts/run', {})).status).toBe(200);
  await both(signRecord(a1('2026-11-17', 8800), h.keys.a1a1a1a1a1a1, 1));
  await both(a1('2026-11-16', 10_000, { hours: [0, 0, 0, 0, 0, 0, 0, 0, ...Array<number>(10).fill(1000), 0, 0, 0, 0, 0, 0] }));
  await both(a1('2026-11-19', 8500));
  await both(signRecord(a1('2026-11-20', 9000), h.keys.a1a1a1a1a1a1, 3));
  await both(makeRecord({ user: 'alice', device: 'a2a2a2a2a2a2', date: '2026-11-20', steps: 10_500 }));
  await both(a1('2026-11-21', 5000, { closed: false, syncedAt: '2026-11-21T01:30:00.000Z' }));
  await both(makeRecord({ user: 'bob', device: 'b1b1b1b1b1b1', date: '2026-11-21', steps: 6500, closed: false, source: 'wechat', hours: null, notWornHours: [], firmware: null }));
  await both(makeRecord({ user: 'carol', device: 'c1c1c1c1c1c1', date: '2026-11-21', steps: 3000, closed: false, hours: null }));
  await both(makeRecord({ user: 'mallory', device: 'eeeeeeeeeeee', date: '2026-11-21', steps: 7000, closed: false }));
}
