// GET /metrics of `bushu serve`: Prometheus text that a scraper parses, counting answers to the
// bridges by status and reading awards and payouts from the database, on SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';
import { deliver, makeRecord, signRecord } from './kits/services.ts';
import { harnessPerSuite, postgresSkipReason, type Backend } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`services-metrics: PostgreSQL tests skipped: ${pgSkip}`);

/** The value of one sample line, e.g. `bushu_deliveries_total{service="reward",status="200"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`/metrics on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const suite = harnessPerSuite(backend);

    it('counts deliveries by service and status, and reads awards and payouts from the ledger', async () => {
      const h = suite.h;
      const day = (steps: number, counter: number) => signRecord(makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-20', steps }), h.keys.a1a1a1a1a1a1, counter);
      expect((await deliver(h.reward, day(9000, 1), { secret: h.rewardSecret, nowSec: h.nowSec() })).status).toBe(200);
      expect((await deliver(h.reward, day(9000, 1), { secret: 'whsec_' + Buffer.from('not the secret!!').toString('base64'), nowSec: h.nowSec() })).status).toBe(401);
      expect((await deliver(h.social, day(9000, 1), { secret: h.socialSecret, nowSec: h.nowSec() })).status).toBe(200);

      const res = await fetch(`${h.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toContain('# TYPE bushu_deliveries_total counter');
      expect(sample(text, 'bushu_deliveries_total{service="reward",status="200"}')).toBe(1);
      expect(sample(text, 'bushu_deliveries_total{service="reward",status="401"}')).toBe(1);
      expect(sample(text, 'bushu_deliveries_total{service="social",status="200"}')).toBe(1);
      expect(sample(text, 'bushu_awards')).toBe(1);
      expect(sample(text, 'bushu_awarded_fen')).toBe(88);
      expect(sample(text, 'bushu_payouts{state="pending"}')).toBe(1);
      expect(sample(text, 'bushu_payouts{state="paid"}')).toBe(0);
      expect(sample(text, 'bushu_users')).toBe(3);
      expect(sample(text, 'bushu_devices')).toBe(4);
      // aggregate counts only: no user or device named anywhere
      expect(text).not.toMatch(/alice|a1a1a1a1a1a1/);
    });
  });
}
