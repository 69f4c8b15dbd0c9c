// End to end on the real firmware: a simulated watch (the built bundle in EspruinoSim, walking on
// a schedule) → real noble on FakeBindings → the sync engine → the Store → its outbox rows posted
// to the real services (HTTP on port 0), on SQLite and PostgreSQL. Today's hours reach the services
// as a provisional day, the closed day supersedes it and earns the hongbao; after a factory wipe
// (a new history epoch, counters from 1 again) the next days are stored and awarded at once.
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createNobleCentral } from '../bridge/ble/noble-central.ts';
import { postRecord } from '../bridge/delivery/http.ts';
import { silentLogger } from '../bridge/log.ts';
import { Store } from '../bridge/store/store.ts';
import { syncDevice, SCAN_SERVICES } from '../bridge/sync/profiles.ts';
import { SyncMetrics } from '../bridge/sync/types.ts';
import { dateString, MS_PER_DAY } from '../shared/days.ts';
import { FakeBindings } from '../sim/wearables/fake-bindings.ts';
import { simKey } from '../sim/wearables/fleet.ts';
import { dayTotal } from '../sim/wearables/schedule.ts';
import { SimulatedWearable, firmwareFiles } from '../sim/wearables/simulated-wearable.ts';
import { SimWorld } from '../sim/wearables/world.ts';
import { harnessPerSuite, postgresSkipReason, type Backend } from './kits/services-server.ts';

const pgSkip = await postgresSkipReason();
if (pgSkip) console.warn(`bridge-services-open-day: PostgreSQL tests skipped: ${pgSkip}`);

const H = 3_600_000;
const OFFSET = 480;
const ID = 'c0ffee0000d1';
const SEED = 3; // walks 9,201 steps on 2026-11-18, 5,493 on the 19th, 10,785 on the 20th
const START = Date.UTC(2026, 10, 15) - OFFSET * 60_000; // local midnight, 2026-11-15
const DAY0 = Math.floor((START + OFFSET * 60_000) / MS_PER_DAY);
const at = (day: number, hour: number) => START + day * 24 * H + hour * H;
const date = (day: number) => dateString(DAY0 + day);

for (const [backend, skip] of [['sqlite', null], ['postgres', pgSkip]] as Array<[Backend, string | null]>) {
  describe.skipIf(skip !== null)(`watch → bridge → services: the open day and a wipe, on ${backend}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const suite = harnessPerSuite(backend, {
      seed: { users: [{ id: 'alice', name: 'Alice', utcOffsetMin: OFFSET }], devices: [{ id: ID, user: 'alice', bridge: 'home', key: Buffer.from(simKey(ID)).toString('hex') }] },
    });

    it('shows today\'s hours at the services, supersedes them with the closed day, and awards the days after a wipe at once', async () => {
      expect([dayTotal(SEED, DAY0 + 3), dayTotal(SEED, DAY0 + 4), dayTotal(SEED, DAY0 + 5)]).toEqual([9201, 5493, 10785]);
      const world = new SimWorld(START, OFFSET);
      const watch = new SimulatedWearable({ deviceId: ID, seed: SEED, startUtcMs: START, offsetMin: OFFSET, key: simKey(ID), firmware: await firmwareFiles() });
      world.add(ID, watch);
      const bindings = new FakeBindings({ world });
      const central = await createNobleCentral({ bindings });
      const store = Store.open(':memory:', { services: ['reward'], users: { [ID]: 'alice' } });
      const ctx = { store, clock: world.clock(), log: silentLogger(), metrics: new SyncMetrics() };
      const service = { name: 'reward', url: suite.h.reward, secret: suite.h.rewardSecret, timeoutMs: 5000, enabled: true };
      /** Sync at `t`, then post every queued row to the reward service; their answers' bodies. */
      const syncAt = async (t: number) => {
        world.advanceTo(t);
        await syncDevice(central, await firstValueFrom(central.scan(SCAN_SERVICES)), ctx);
        const now = world.now; // the sync took a moment of simulated time
        suite.h.clock.now = now;
        const answers: Array<{ date: string; stored: boolean; award: unknown; reasons: Array<{ rule: string }> }> = [];
        for (const row of store.dueDeliveries(now, 100)) {
          const r = await postRecord(row, service, { now });
          expect(r.kind === 'response' && [r.status, r.text]).toEqual([200, expect.any(String)]);
          store.markDelivered(row.id, 200, now);
          if (r.kind === 'response') answers.push(JSON.parse(r.text));
        }
        return answers;
      };
      const hoursAt = async (day: number) => (await fetch(`${suite.h.url}/api/users/alice/hours?date=${date(day)}`, { headers: suite.h.asAdmin })).json();
      const awards = async () => ((await (await fetch(`${suite.h.reward}/v1/users/alice/awards`, { headers: suite.h.asAdmin })).json()) as { awards: Array<{ date: string; steps: number }> }).awards;

      // 15:00 on day 3: days 0..2 closed (counters 1..3), and day 3 open with its hours so far.
      const first = await syncAt(at(3, 15));
      const open = store.day(ID, date(3))!;
      expect(open.closed).toBe(false);
      expect(open.steps).toBeGreaterThan(3000);
      expect(open.hours!.reduce((a, b) => a + b, 0)).toBe(open.steps);
      expect(first.find((a) => a.date === date(3))).toMatchObject({ stored: true, award: null });
      expect(first.find((a) => a.date === date(3))!.reasons.map((r) => r.rule)).toContain('provisional');
      expect(await hoursAt(3)).toMatchObject({ date: date(3), steps: open.steps, device: ID, hours: open.hours });
      expect(await awards()).toEqual([]); // days 0..2 arrived after their grace; day 3 is still open

      // 01:00 on day 4: day 3 closed, with the counter its provisional summaries carried: it supersedes them and earns.
      const second = await syncAt(at(4, 1));
      const closed = store.day(ID, date(3))!;
      expect(closed).toMatchObject({ closed: true, revision: 2 });
      expect(closed.summary!.message.slice(30, 38)).toBe(open.summary!.message.slice(30, 38));
      expect(second.find((a) => a.date === date(3))).toMatchObject({ stored: true, award: { date: date(3), created: true } });
      expect(await hoursAt(3)).toMatchObject({ date: date(3), steps: closed.steps, device: ID, hours: closed.hours });
      expect(Math.abs(closed.steps - 9201) / 9201).toBeLessThan(0.1);

      // A factory wipe at 02:00 on day 4: a new history, its counters from 1 again.
      world.advanceTo(at(4, 2));
      const epoch = store.epoch(ID);
      watch.wipe();
      await syncAt(at(5, 1)); // day 4 closed under the new epoch (counter 1): below the goal
      expect(store.epoch(ID)).not.toBe(epoch);
      expect(store.day(ID, date(4))).toMatchObject({ closed: true, epoch: store.epoch(ID) });
      const third = await syncAt(at(6, 1)); // day 5 closed (counter 2, below the old history's 2..4)
      expect(third.find((a) => a.date === date(5))).toMatchObject({ stored: true, award: { date: date(5), created: true } });
      expect((await awards()).map((a) => a.date)).toEqual([date(5), date(3)]);
      expect(watch.sim.errors).toEqual([]);
      await central.close();
      bindings.close();
      store.close();
    }, 120_000);
  });
}
