// The bridge's real delivery loop against the real services (in process, real HTTP on port 0),
// in simulated time: the loop's timers run on a VirtualTimeScheduler that the test advances one
// due time at a time, and the services' clock follows it. No sleeps: hours pass in milliseconds.
// Each test is one of issue 11's delivery failures.
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DELIVERY_DEFAULTS, type ServiceConfig } from '../bridge/config/sections.ts';
import { postRecord } from '../bridge/delivery/http.ts';
import { deliveryLoop, type DeliveryEvent } from '../bridge/delivery/loop.ts';
import { Store } from '../bridge/store/store.ts';
import type { DayInput } from '../bridge/store/types.ts';
import { dayInput } from './kits/days.ts';
import { deliver, makeRecord, signRecord } from './kits/services.ts';
import { harnessPerTest, T0 } from './kits/services-server.ts';

const HOUR = 3_600_000;
const DEVICE = 'a1a1a1a1a1a1';

const ctx = harnessPerTest();

function newStore(): Store {
  return Store.open(':memory:', { services: ['reward'], users: { [DEVICE]: 'alice' } });
}

/** A day of alice's watch, with a summary signed by its registered key at `counter` (or unsigned). */
function day(date: string, steps: number, counter: number | null): DayInput {
  const r = makeRecord({ user: 'alice', device: DEVICE, date, steps });
  const summary = counter === null ? null : signRecord(r, ctx.h.keys[DEVICE], counter).summary;
  // The hours the summary signs (version 2), as the watch sends them with it.
  return dayInput({ device: DEVICE, date, steps, hours: r.hours, notWornHours: r.notWornHours, closed: true, summary });
}

/**
 * Run the delivery loop with the default delivery settings for `forMs` of simulated time from T0.
 * `down(serverNow)`: the services cannot be reached then. `aheadMs`: the bridge clock's error.
 */
async function runDelivery(store: Store, o: { forMs: number; down?: (serverNow: number) => boolean; aheadMs?: number }) {
  const scheduler = new VirtualTimeScheduler(VirtualAction, 0);
  const serverNow = () => T0 + scheduler.now();
  const bridgeNow = () => serverNow() + (o.aheadMs ?? 0);
  const service: ServiceConfig = { name: 'reward', url: ctx.h.reward, secret: ctx.h.rewardSecret, timeoutMs: 5000, enabled: true };
  const refused: typeof fetch = async () => {
    throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  };
  let inFlight = 0;
  const statuses: (number | null)[] = [];
  const send = (row: Parameters<typeof postRecord>[0], target: ServiceConfig, signAt?: number) => {
    inFlight++;
    ctx.h.clock.now = serverNow();
    const fetchFn = o.down?.(serverNow()) ? refused : undefined;
    return postRecord(row, target, { now: signAt ?? bridgeNow(), fetch: fetchFn }).then((r) => {
      statuses.push(r.kind === 'response' ? r.status : null);
      inFlight--;
      return r;
    });
  };
  const events: DeliveryEvent[] = [];
  const sub = deliveryLoop({ store, config: { services: [service], delivery: DELIVERY_DEFAULTS }, scheduler, clock: bridgeNow, send, random: () => 0.5 }).subscribe((e) => events.push(e));
  // Let every answer arrive and be recorded, then jump to the next timer, until none is left in the window.
  for (;;) {
    do await new Promise((r) => setImmediate(r));
    while (inFlight > 0);
    const next = scheduler.actions[0];
    if (next === undefined || next.delay > o.forMs) break;
    scheduler.maxFrames = next.delay;
    ctx.h.clock.now = T0 + next.delay;
    scheduler.flush();
  }
  sub.unsubscribe();
  return { events, statuses };
}

async function awards(): Promise<{ date: string }[]> {
  return ((await (await fetch(`${ctx.h.reward}/v1/users/alice/awards`, { headers: ctx.h.asAdmin })).json()) as { awards: { date: string }[] }).awards;
}

describe('delivery against the real services (issue 11)', () => {
  it('1: a 30 h outage does not lose the award: delivery outlasts it, within the 48 h grace', async () => {
    const store = newStore();
    store.commitSync(DEVICE, [day('2026-11-20', 9000, 1)], 1, T0);
    const { statuses } = await runDelivery(store, { forMs: 40 * HOUR, down: (now) => now < T0 + 30 * HOUR });
    expect(store.outbox()).toMatchObject([{ state: 'delivered', httpStatus: 200 }]);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.slice(0, -1).every((s) => s === null)).toBe(true);
    expect(await awards()).toMatchObject([{ date: '2026-11-20' }]);
    store.close();
  });

  it('2: a bridge clock 10 min fast still delivers every day: it signs by the service clock after one refusal', async () => {
    const store = newStore();
    const dates = Array.from({ length: 14 }, (_, i) => `2026-11-${String(7 + i).padStart(2, '0')}`);
    store.commitSync(DEVICE, dates.map((d) => day(d, 5000, null)), 14, T0 + 10 * 60_000);
    const { statuses } = await runDelivery(store, { forMs: HOUR, aheadMs: 10 * 60_000 });
    expect(store.outbox().map((r) => r.state)).toEqual(dates.map(() => 'delivered'));
    // Only the first wave (up to `concurrency` requests) is refused.
    expect(statuses[0]).toBe(401);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(DELIVERY_DEFAULTS.concurrency);
    const [n] = await ctx.h.db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM reward_days WHERE device_id = '${DEVICE}'`);
    expect(Number(n.n)).toBe(14);
    store.close();
  });

  it('3: a reinstalled bridge (new database, versions from 1 again) is not refused for reusing a key', async () => {
    const before = newStore();
    before.commitSync(DEVICE, [day('2026-11-20', 5000, 1)], 1, T0);
    await runDelivery(before, { forMs: HOUR });
    expect(before.outbox()).toMatchObject([{ state: 'delivered', recordVersion: 1 }]);
    before.close();
    const after = newStore();
    after.commitSync(DEVICE, [day('2026-11-20', 6000, 2)], 1, T0 + HOUR);
    const { statuses } = await runDelivery(after, { forMs: 4 * HOUR });
    expect(after.outbox()).toMatchObject([{ state: 'delivered', recordVersion: 1, httpStatus: 200 }]);
    expect(statuses).toEqual([200]);
    after.close();
  });

  it('11: 409 summary_replayed is final: one attempt, dead letter with the reason, never retried', async () => {
    // The services already accepted counter 5 for the 20th (from another bridge, say).
    const accepted = await deliver(ctx.h.reward, signRecord(makeRecord({ user: 'alice', device: DEVICE, date: '2026-11-20', steps: 9000 }), ctx.h.keys[DEVICE], 5), { secret: ctx.h.rewardSecret, nowSec: ctx.h.nowSec() });
    expect(accepted.status).toBe(200);
    const store = newStore();
    store.commitSync(DEVICE, [day('2026-11-19', 9000, 7)], 1, T0);
    const { statuses, events } = await runDelivery(store, { forMs: 100 * HOUR });
    expect(statuses).toEqual([409]);
    expect(events).toMatchObject([{ type: 'dead', nextAt: null }]);
    expect(store.outbox()).toMatchObject([{ state: 'dead', attempts: 1, deadRetry: false, deadReason: expect.stringContaining('summary_replayed') }]);
    store.close();
  });
});
