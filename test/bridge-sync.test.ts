// The bushu profile sync: real noble on FakeBindings, a protocol-level fake watch, the real Store.
import { describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { createNobleCentral } from '../bridge/ble/noble-central.ts';
import { FakeBindings } from '../sim/wearables/fake-bindings.ts';
import { SimWorld } from '../sim/wearables/world.ts';
import { ProtoWatch } from '../sim/wearables/proto-watch.ts';
import { Shot, type LinkFaults } from '../sim/wearables/faults.ts';
import { syncDevice, SCAN_SERVICES } from '../bridge/sync/profiles.ts';
import { SyncMetrics, type SyncContext } from '../bridge/sync/types.ts';
import { HistoryCollector } from '../bridge/sync/history-collector.ts';
import { timePayloads } from '../bridge/sync/time-sync.ts';
import { Store } from '../bridge/store/store.ts';
import { silentLogger } from '../bridge/log.ts';
import { dateString } from '../shared/days.ts';
import { encodeDay, encodeEnd, historyCheck, decodeLocalTimeInfo, localTimeOffsetMin, type DayRecord } from '../shared/protocol/index.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 17, 0, 0, 0) - 8 * H; // local midnight in UTC+8
const ID = 'c0ffee000001';

async function rig(faults: LinkFaults = {}) {
  const world = new SimWorld(T0, 480);
  const watch = new ProtoWatch({ deviceId: ID, startUtcMs: T0, offsetMin: 480, key: new Uint8Array(32).fill(7) });
  world.add(ID, watch);
  // three closed days and a bit of today
  for (let d = 0; d < 3; d++) {
    world.advanceTo(T0 + d * 24 * H + 9 * H);
    watch.addSteps(4000 + d * 1500);
    world.advanceTo(T0 + d * 24 * H + 18 * H);
    watch.addSteps(1000 + d);
  }
  world.advanceTo(T0 + 3 * 24 * H + 10 * H);
  watch.addSteps(321);
  const bindings = new FakeBindings({ world, faults: { [ID]: faults } });
  const central = await createNobleCentral({ bindings });
  const store = Store.open(':memory:', { services: ['svc'] });
  const metrics = new SyncMetrics();
  const ctx: SyncContext = { store, clock: world.clock(), log: silentLogger(), metrics };
  const sync = async () => syncDevice(central, await firstValueFrom(central.scan(SCAN_SERVICES)), ctx);
  const done = async () => {
    await central.close();
    bindings.close();
    store.close();
  };
  return { world, watch, bindings, central, store, metrics, ctx, sync, done };
}

function expectStoredAsWatch(r: Awaited<ReturnType<typeof rig>>) {
  for (const d of r.watch.closedDays) {
    const row = r.store.day(ID, dateString(d.day))!;
    expect(row.steps).toBe(d.steps);
    expect(row.hours).toEqual(d.hours);
    expect(row.closed).toBe(true);
    expect(row.summary?.tag).toMatch(/^[0-9a-f]{32}$/);
  }
  const today = r.store.day(ID, dateString(r.watch.closedDays.at(-1)!.day + 1))!;
  expect(today.steps).toBe(r.watch.todaySteps());
  expect(today.closed).toBe(false);
}

describe('bushu profile sync', () => {
  it('syncs every day, then ACKs so the next sync is incremental', async () => {
    const r = await rig();
    const first = await r.sync();
    expect(first.records).toBe(4); // 3 closed Days (each with its Summary) + the open day
    expect(first.days).toBe(4);
    expectStoredAsWatch(r);
    expect(r.store.outbox().length).toBe(4);
    r.watch.addSteps(50);
    const second = await r.sync();
    expect(second.records).toBe(1); // only the grown open day
    expect(second.cursor).toBeGreaterThan(first.cursor);
    expect(r.store.day(ID, dateString(r.watch.closedDays.at(-1)!.day + 1))!.steps).toBe(371);
    await r.done();
  });

  it('drops a duplicated notification and still verifies the transfer', async () => {
    const r = await rig({ duplicate: new Shot(1, 2) });
    await r.sync();
    expect(r.metrics.duplicates).toBe(1);
    expect(r.metrics.restarts).toBe(0);
    expectStoredAsWatch(r);
    await r.done();
  });

  it.each([
    ['garbage', { garbage: new Shot(1, 3) }],
    ['reordered', { reorder: new Shot(1, 2) }],
  ])('a %s notification is counted, the transfer restarts and completes', async (_name, faults) => {
    const r = await rig(faults as LinkFaults);
    await r.sync();
    expect(r.metrics.badPayloads).toBe(1);
    expect(r.metrics.restarts).toBe(1);
    expectStoredAsWatch(r);
    await r.done();
  });

  it('a drop mid-transfer commits nothing, and the next connection resumes from the cursor', async () => {
    const r = await rig({ dropDuringHistory: new Shot(1, 3) });
    await expect(r.sync()).rejects.toThrow(/link dropped/);
    expect(r.store.days().length).toBe(0);
    expect(r.store.cursor(ID)).toBe(0);
    await r.sync();
    expectStoredAsWatch(r);
    await r.done();
  });

  it('bad payloads beyond the restart budget harm nothing already stored', async () => {
    const faults: LinkFaults = {};
    const r = await rig(faults);
    await r.sync();
    const before = JSON.stringify(r.store.days());
    const cursor = r.store.cursor(ID);
    r.world.advance(H);
    r.watch.addSteps(10);
    faults.garbage = new Shot(10);
    await expect(r.sync()).rejects.toThrow(/transfers failed/);
    expect(r.metrics.badPayloads).toBe(4);
    expect(JSON.stringify(r.store.days())).toBe(before);
    expect(r.store.cursor(ID)).toBe(cursor);
    await r.done();
  });

  it('sets the watch clock and zone from the host on connect', async () => {
    const r = await rig();
    r.watch.clockSkewMs = 5 * 60_000;
    r.world.hostOffsetMin = 540; // the host moved a zone east
    await r.sync();
    expect(Math.abs(r.watch.clockSkewMs)).toBeLessThan(1000);
    expect(r.watch.offsetMin).toBe(540);
    expect(r.metrics.timeWrites).toBe(1);
    await r.done();
  });
});

describe('HistoryCollector', () => {
  const day = (seq: number): DayRecord => ({ seq, day: 20000 + seq, offsetMin: 0, steps: seq * 10, closed: true, signed: false, notWornMask: 0, hours: new Array(24).fill(0) });
  const frames = [encodeDay(day(5)), encodeDay(day(6))];
  const end = encodeEnd(2, 6, historyCheck(frames));

  it('accepts a valid transfer after nothing else', () => {
    const c = new HistoryCollector(5);
    expect(c.push(frames[0]).state).toBe('more');
    expect(c.push(frames[1]).state).toBe('more');
    expect(c.push(end)).toMatchObject({ state: 'done' });
  });
  it.each([
    ['garbage', new Uint8Array([9, 9, 9])],
    ['a broken header', Uint8Array.from(frames[0].subarray(0, 30))],
    ['an unknown record type', Uint8Array.of(1, 0x33, 0, 0, 0, 0)],
  ])('rejects %s', (_n, bytes) => {
    expect(new HistoryCollector(5).push(bytes).state).toBe('bad');
  });
  it('rejects a wrong check, a wrong count and a seq before the cursor', () => {
    const c = new HistoryCollector(5);
    c.push(frames[0]);
    c.push(frames[1]);
    expect(c.push(encodeEnd(2, 6, 1)).state).toBe('bad');
    const d = new HistoryCollector(5);
    d.push(frames[0]);
    expect(d.push(end).state).toBe('bad');
    expect(new HistoryCollector(7).push(frames[0]).state).toBe('bad');
  });
});

describe('time payloads', () => {
  it('carry the host offset', () => {
    const p = timePayloads({ now: () => T0, offsetMin: () => 345 });
    const l = decodeLocalTimeInfo(p.localTimeInfo);
    expect(l.ok && localTimeOffsetMin(l.value)).toBe(345);
  });
});
