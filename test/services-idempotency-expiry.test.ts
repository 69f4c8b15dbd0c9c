// Idempotency keys expire at the services (idempotencyKeyTtlHours): a repeat within the TTL is a
// replay, after it the key is gone and the request is processed again, harmlessly (stale).
import { describe, expect, it } from 'vitest';
import { PURGE_EVERY_MS } from '../services/idempotency.ts';
import { deliver, makeRecord } from './kits/services.ts';
import { harnessPerTest } from './kits/services-server.ts';

const HOUR = 3_600_000;
const ctx = harnessPerTest();

const keys = async () => (await ctx.h.db.all<{ key: string }>('SELECT key FROM idempotency_keys ORDER BY key')).map((r) => r.key);
const send = (date: string, key: string) =>
  deliver(ctx.h.social, makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date, steps: 5000 }), { secret: ctx.h.socialSecret, nowSec: ctx.h.nowSec(), key });

describe('idempotency key expiry', () => {
  it('keeps a key for 7 days by default, then forgets it; a repeat after that is processed again as stale', async () => {
    expect(ctx.h.config.idempotencyKeyTtlHours).toBe(168);
    expect((await send('2026-11-20', 'k-old')).replayed).toBe(false);
    ctx.h.clock.now += 167 * HOUR;
    expect((await send('2026-11-19', 'k-mid')).replayed).toBe(false);
    expect((await send('2026-11-20', 'k-old')).replayed).toBe(true);
    expect(await keys()).toEqual(['k-mid', 'k-old']);
    ctx.h.clock.now += 2 * HOUR; // 169 h after k-old, 2 h after k-mid
    const again = await send('2026-11-20', 'k-old');
    expect(again).toMatchObject({ status: 200, replayed: false, body: { stale: true, stored: false } });
    expect(await keys()).toEqual(['k-mid', 'k-old']); // k-old purged, then claimed anew
    const [row] = await ctx.h.db.all<{ created_at: number }>("SELECT created_at FROM idempotency_keys WHERE key = 'k-old'");
    expect(Number(row.created_at)).toBe(ctx.h.clock.now);
  });

  it('purges at most once per hour, by an index on created_at', async () => {
    await send('2026-11-20', 'k-1');
    ctx.h.clock.now += 168 * HOUR + 1;
    await send('2026-11-19', 'k-2'); // purges k-1
    expect(await keys()).toEqual(['k-2']);
    await send('2026-11-18', 'k-3');
    ctx.h.clock.now += PURGE_EVERY_MS - 1;
    await ctx.h.db.run("UPDATE idempotency_keys SET created_at = 0 WHERE key = 'k-2'");
    await send('2026-11-17', 'k-4'); // within the hour: no purge
    expect(await keys()).toEqual(['k-2', 'k-3', 'k-4']);
    ctx.h.clock.now += 1;
    await send('2026-11-16', 'k-5');
    expect(await keys()).toEqual(['k-3', 'k-4', 'k-5']);
    const indexes = await ctx.h.db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'idempotency_keys'");
    expect(indexes.map((i) => i.name)).toContain('idempotency_keys_created');
  });
});
