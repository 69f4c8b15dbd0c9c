// The simulator on the real firmware: the built bundle in EspruinoSim, walking on a schedule,
// synced by the bridge through real noble on FakeBindings.
import { describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { createNobleCentral } from '../bridge/ble/noble-central.ts';
import { FakeBindings } from '../sim/wearables/fake-bindings.ts';
import { SimWorld } from '../sim/wearables/world.ts';
import { SimulatedWearable, firmwareFiles } from '../sim/wearables/simulated-wearable.ts';
import { dayTotal, daySchedule, stepsBetween } from '../sim/wearables/schedule.ts';
import { simKey } from '../sim/wearables/fleet.ts';
import { syncDevice, SCAN_SERVICES } from '../bridge/sync/profiles.ts';
import { SyncMetrics } from '../bridge/sync/types.ts';
import { Store } from '../bridge/store/store.ts';
import { silentLogger } from '../bridge/log.ts';
import { dateString, MS_PER_DAY } from '../shared/days.ts';
import { decodeSummaryMessage, recordHoursDigest, verifySummary } from '../shared/protocol/summary-verify.ts';

const H = 3_600_000;

describe('schedule', () => {
  it('is deterministic, spreads around 8,000 and credits pro rata', () => {
    expect(daySchedule(3, 20000)).toEqual(daySchedule(3, 20000));
    const totals = Array.from({ length: 40 }, (_, d) => dayTotal(5, 20000 + d));
    expect(totals.some((t) => t > 8000)).toBe(true);
    expect(totals.some((t) => t < 8000)).toBe(true);
    expect(stepsBetween(5, 20000 * MS_PER_DAY, 20001 * MS_PER_DAY)).toBe(dayTotal(5, 20000));
    expect(stepsBetween(5, 20000 * MS_PER_DAY, 20000 * MS_PER_DAY + 12 * H) + stepsBetween(5, 20000 * MS_PER_DAY + 12 * H, 20001 * MS_PER_DAY)).toBe(dayTotal(5, 20000));
  });
});

describe('SimWorld', () => {
  it('stops at untilMs, however far it is asked to go, and goes on once it is raised', () => {
    const world = new SimWorld(1000, 0);
    const seen: number[] = [];
    world.add('a', { advanceTo: (t: number) => void seen.push(t) } as never);
    world.untilMs = 5000;
    world.advance(10_000);
    expect(world.now).toBe(5000);
    world.advanceTo(7000);
    expect(world.now).toBe(5000);
    world.untilMs = Infinity;
    world.advanceTo(7000);
    expect(world.now).toBe(7000);
    expect(seen).toEqual([1000, 5000, 7000]);
  });
});

describe('SimulatedWearable on the real firmware', () => {
  it('counts scheduled walking and the bridge syncs its days', async () => {
    const fw = await firmwareFiles();
    const offsetMin = 480;
    const start = Date.UTC(2026, 10, 18) - offsetMin * 60_000; // local midnight
    const world = new SimWorld(start, offsetMin);
    const id = 'c0ffee0000a1';
    const watch = new SimulatedWearable({ deviceId: id, seed: 42, startUtcMs: start, offsetMin, key: simKey(id), firmware: fw });
    world.add(id, watch);
    world.advanceTo(start + 2 * 24 * H + 1 * H); // two whole days and an hour
    expect(watch.sim.errors).toEqual([]);
    const bindings = new FakeBindings({ world });
    const central = await createNobleCentral({ bindings });
    const store = Store.open(':memory:', { services: ['svc'] });
    const ctx = { store, clock: world.clock(), log: silentLogger(), metrics: new SyncMetrics() };
    const r = await syncDevice(central, await firstValueFrom(central.scan(SCAN_SERVICES)), ctx);
    expect(r.device).toBe(id);
    const day0 = Math.floor((start + offsetMin * 60_000) / MS_PER_DAY);
    for (const d of [day0, day0 + 1]) {
      const row = store.day(id, dateString(d))!;
      const sent = watch.sent.filter((x) => x.day === d).at(-1)!;
      expect(row.steps).toBe(sent.steps); // exactly what the watch recorded
      expect(row.closed).toBe(true);
      // A version 3 summary: authentic under the watch's key, its digest covers the hours the bridge
      // stored, and it signs the watch's history epoch and that the day is closed.
      const message = Buffer.from(row.summary!.message, 'hex');
      expect(verifySummary(simKey(id), message, Buffer.from(row.summary!.tag, 'hex'))).toBe(true);
      const signed = decodeSummaryMessage(message);
      expect(signed).toMatchObject({ ok: true, value: { deviceId: id, day: d, steps: row.steps } });
      expect(signed.ok && signed.value.hoursDigest).toBe(recordHoursDigest(row.hours, row.notWornHours));
      expect(signed.ok && [signed.value.epoch, signed.value.closed]).toEqual([store.epoch(id), true]);
      expect(Math.abs(row.steps - dayTotal(42, d)) / dayTotal(42, d)).toBeLessThan(0.1); // the pedometer's accuracy
    }
    await central.close();
    bindings.close();
    store.close();
  });

  it('a wiped watch syncs at once: its new epoch restarts the cursor, and the days already stored stay', async () => {
    const fw = await firmwareFiles();
    const offsetMin = 480;
    const start = Date.UTC(2026, 10, 18) - offsetMin * 60_000; // local midnight
    const world = new SimWorld(start, offsetMin);
    const id = 'c0ffee0000a2';
    const watch = new SimulatedWearable({ deviceId: id, seed: 7, startUtcMs: start, offsetMin, key: simKey(id), firmware: fw });
    world.add(id, watch);
    world.advanceTo(start + 3 * 24 * H + 1 * H); // days 0..2 closed
    const bindings = new FakeBindings({ world });
    const central = await createNobleCentral({ bindings });
    const store = Store.open(':memory:', { services: ['svc'] });
    const ctx = { store, clock: world.clock(), log: silentLogger(), metrics: new SyncMetrics() };
    const sync = async () => syncDevice(central, await firstValueFrom(central.scan(SCAN_SERVICES)), ctx);
    const day0 = Math.floor((start + offsetMin * 60_000) / MS_PER_DAY);
    await sync();
    expect(store.cursor(id)).toBe(3);
    const before = store.epoch(id);
    const old = [0, 1, 2].map((d) => store.day(id, dateString(day0 + d))!);
    expect(old.every((row) => row.closed && row.revision === 1)).toBe(true);

    // Factory wipe in the night of day 3, then the watch walks on: days 3 and 4 close under seqs 1 and 2.
    world.advanceTo(start + 3 * 24 * H + 2 * H);
    watch.wipe();
    world.advanceTo(start + 5 * 24 * H + 1 * H);
    const sent = watch.sent.length;
    const r = await sync();
    expect(r.records).toBe(2); // at once, not after seq 3 is passed
    expect(store.cursor(id)).toBe(2);
    expect(store.epoch(id)).not.toBe(before);
    for (const d of [3, 4]) {
      const row = store.day(id, dateString(day0 + d))!;
      expect(row.steps).toBe(watch.sent.slice(sent).find((x) => x.day === day0 + d)!.steps);
      expect(row.closed).toBe(true);
    }
    // The days of the history before the wipe are kept as they were.
    expect([0, 1, 2].map((d) => store.day(id, dateString(day0 + d)))).toEqual(old);
    expect(watch.sim.errors).toEqual([]);
    await central.close();
    bindings.close();
    store.close();
  });
});
