// The bushu profile sync: real noble on FakeBindings, a protocol-level fake watch, the real Store.
import { describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { createNobleCentral } from '../bridge/ble/noble-central.ts';
import { FakeBindings } from '../sim/wearables/fake-bindings.ts';
import { SimWorld } from '../sim/wearables/world.ts';
import { ProtoWatch, type ProtoWatchOptions } from '../sim/wearables/proto-watch.ts';
import { Shot, type LinkFaults } from '../sim/wearables/faults.ts';
import { syncDevice, SCAN_SERVICES } from '../bridge/sync/profiles.ts';
import { SyncMetrics, type SyncContext } from '../bridge/sync/types.ts';
import { HistoryCollector } from '../bridge/sync/history-collector.ts';
import { ClockCheck, timePayloads } from '../bridge/sync/time-sync.ts';
import { readInfo } from '../bridge/sync/bushu-profile.ts';
import { Store } from '../bridge/store/store.ts';
import { statusReport } from '../cli/status.ts';
import { silentLogger } from '../bridge/log.ts';
import { dateString } from '../shared/days.ts';
import { decodeInfo, encodeDay, encodeEnd, historyCheck, decodeLocalTimeInfo, localTimeOffsetMin, type DayRecord } from '../shared/protocol/index.ts';

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
  it('reports progress in records, as the summary counts them, not in frames (a signed record is two)', async () => {
    const r = await rig();
    const seen: Array<{ received: number; expected: number }> = [];
    r.ctx.onProgress = (p) => void seen.push({ received: p.received, expected: p.expected });
    const result = await r.sync();
    expect(result.records).toBe(3);
    expect(seen.at(-1)).toEqual({ received: 3, expected: 3 });
    expect(seen.every((p) => p.received <= p.expected)).toBe(true);
    await r.done();
  });

  it('syncs every day, then ACKs so the next sync is incremental', async () => {
    const r = await rig();
    const first = await r.sync();
    expect(first.records).toBe(3); // 3 closed Days (each with its Summary); the open day is no history record
    expect(first.days).toBe(4); // ... but it is a day
    expectStoredAsWatch(r);
    expect(r.store.outbox().length).toBe(4);
    r.watch.addSteps(50);
    const second = await r.sync();
    expect(second.records).toBe(0); // only the grown open day, which moves no cursor
    expect(second.cursor).toBe(first.cursor);
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

  it('never sets a watch from a host clock no service has confirmed, and sets it by the services\' clock once one has', async () => {
    const r = await rig();
    // The host clock is a day ahead of the world (the watch is right).
    r.ctx.clock = { now: () => r.world.now + 24 * H, offsetMin: () => r.world.hostOffsetMin };
    r.ctx.clockCheck = new ClockCheck();
    await r.sync();
    expect(r.watch.clockSkewMs).toBe(0);
    expect(r.metrics.timeWrites).toBe(0);
    // A service answered with its Date: the host is a day ahead; the next sync writes the service's time.
    r.ctx.clockCheck.observe(r.world.now, r.ctx.clock.now());
    r.watch.clockSkewMs = 7 * 60_000;
    await r.sync();
    expect(Math.abs(r.watch.clockSkewMs)).toBeLessThan(1000);
    expect(r.metrics.timeWrites).toBe(1);
    await r.done();
  });
});

describe('a bad record, a wiped watch', () => {
  /** A watch (the protocol fake) with closed days 0..2 and a bit of day 3; `morning` runs at 9:00 of each of days 0..2. */
  async function watchWith(o: Partial<ProtoWatchOptions>, morning: (day: number, w: ProtoWatch) => void = () => {}) {
    const world = new SimWorld(T0, 480);
    const watch = new ProtoWatch({ deviceId: ID, startUtcMs: T0, offsetMin: 480, key: new Uint8Array(32).fill(7), ...o });
    world.add(ID, watch);
    for (let d = 0; d < 3; d++) {
      world.advanceTo(T0 + d * 24 * H + 9 * H);
      morning(d, watch);
      watch.addSteps(5000 + d * 1000);
    }
    world.advanceTo(T0 + 3 * 24 * H + 1 * H);
    watch.addSteps(100);
    const bindings = new FakeBindings({ world });
    const central = await createNobleCentral({ bindings });
    const store = Store.open(':memory:', { services: ['svc'] });
    const logs: string[] = [];
    const log = silentLogger();
    log.warn = ((o: unknown, msg?: string) => void logs.push(typeof o === 'string' ? o : String(msg))) as typeof log.warn;
    const ctx: SyncContext = { store, clock: world.clock(), log, metrics: new SyncMetrics() };
    const sync = async () => syncDevice(central, await firstValueFrom(central.scan(SCAN_SERVICES)), ctx);
    const done = async () => {
      await central.close();
      bindings.close();
      store.close();
    };
    return { world, watch, store, ctx, logs, sync, done };
  }
  const D0 = dateString(Math.floor((T0 + 8 * H) / (24 * H)));
  const date = (d: number) => dateString(Math.floor((T0 + 8 * H) / (24 * H)) + d);

  it('quarantines a record no service could accept, stores the rest, ACKs past it, and status lists it', async () => {
    // Day 1 closes under +16 h: a zone of +14 h with +2 h DST that firmware before the range check accepted.
    const r = await watchWith({}, (d, w) => {
      if (d === 1) w.offsetMin = 960;
      if (d === 2) w.offsetMin = 480; // day 1 has just closed under +16 h
    });
    const first = await r.sync();
    expect(first.records).toBe(3); // 3 closed days (the open day is no record)
    expect(first.quarantined).toBe(1);
    expect(r.store.day(ID, D0)!.steps).toBe(5000);
    expect(r.store.day(ID, date(1))).toBeUndefined();
    expect(r.store.day(ID, date(2))!.steps).toBe(7000);
    expect(r.store.day(ID, date(3))!.steps).toBe(100);
    expect(r.store.cursor(ID)).toBe(3);
    const [q] = r.store.quarantined();
    expect(q).toMatchObject({ device: ID, seq: 2, date: date(1), reason: 'utcOffsetMin: must be an integer in -720..840' });
    expect(q.raw).toMatch(/^0101020000/); // the Day frame as received (version, type, seq 2), then its Summary (54 bytes: version 3)
    expect(q.raw.length).toBe((67 + 54) * 2);
    expect(r.ctx.metrics.quarantined).toBe(1);
    // The watch was acknowledged up to the end, the quarantined seq included: nothing comes back.
    const second = await r.sync();
    expect(second.records).toBe(0);
    expect(r.store.quarantined().length).toBe(1);
    const report = statusReport(r.store as Store);
    expect(report.quarantined.map((x) => [x.seq, x.date, x.reason])).toEqual([[2, date(1), 'utcOffsetMin: must be an integer in -720..840']]);
    await r.done();
  });

  it('restarts the cursor when the watch reports a new history epoch (a wipe), keeping the days already stored', async () => {
    const r = await watchWith({});
    await r.sync();
    expect(r.store.cursor(ID)).toBe(3);
    const epoch = r.watch.epoch;
    r.watch.wipe();
    r.world.advanceTo(T0 + 3 * 24 * H + 10 * H);
    r.watch.addSteps(2500);
    r.world.advanceTo(T0 + 4 * 24 * H + 9 * H);
    r.watch.addSteps(40);
    const after = await r.sync();
    expect(after.records).toBe(1); // seq 1 (day 3, closed), at once; day 4 comes as the open day
    expect(r.store.cursor(ID)).toBe(1);
    expect(r.store.epoch(ID)).toBe(r.watch.epoch);
    expect(r.watch.epoch).not.toBe(epoch);
    expect(r.logs).toContain('the watch has a new history (wiped or reinstalled): its cursor restarts at 0');
    // The new history's closed record has more steps than the old history's open one: it supersedes it.
    expect(r.store.day(ID, date(3))).toMatchObject({ steps: 2500, closed: true, revision: 2, epoch: r.watch.epoch });
    expect(r.store.day(ID, date(4))!.steps).toBe(40);
    expect([0, 1, 2].map((d) => r.store.day(ID, date(d))!.revision)).toEqual([1, 1, 1]); // the old history's days stay
    await r.done();
  });

  it('a watch wiped during a day: the new history\'s lower total of that day never replaces the old history\'s higher one', async () => {
    const r = await watchWith({});
    r.world.advanceTo(T0 + 3 * 24 * H + 15 * H);
    r.watch.addSteps(6000); // day 3: 6,100 by 15:00, delivered as the open day
    await r.sync();
    expect(r.store.day(ID, date(3))).toMatchObject({ steps: 6100, closed: false, epoch: r.watch.epoch });
    const queued = r.store.outbox().length;
    r.watch.wipe(); // at 15:00: the steps so far are gone from the watch
    r.watch.addSteps(1500);
    await r.sync(); // the new history's open day 3: 1,500
    r.world.advanceTo(T0 + 4 * 24 * H + 9 * H);
    r.watch.addSteps(10);
    await r.sync(); // ... and its closed day 3: 1,500 again
    expect(r.store.day(ID, date(3))).toMatchObject({ steps: 6100, closed: false, revision: 1 });
    expect(r.store.outbox().filter((o) => o.date === date(3)).length).toBe(1); // nothing more queued for day 3
    expect(r.store.outbox().length).toBe(queued + 1); // day 4 only
    await r.done();
  });

  it('older firmware answers SEND_OPEN with UNKNOWN_OPCODE: SEND_FROM, and today from the Today read (no hours)', async () => {
    const r = await watchWith({ noOpenDay: true });
    const first = await r.sync();
    expect(first.quarantined).toBe(0);
    expect(r.store.day(ID, date(2))).toMatchObject({ steps: 7000, closed: true });
    expect(r.store.day(ID, date(3))).toMatchObject({ closed: false, steps: 100 });
    expect(r.ctx.metrics.badPayloads).toBe(0);
    expect(r.ctx.metrics.restarts).toBe(0);
    await r.done();
  });

  it('the open day comes with its hours and its signed provisional summary, superseded by each newer total and then by the closed day', async () => {
    const r = await watchWith({});
    await r.sync();
    const open = r.store.day(ID, date(3))!;
    expect(open.hours![1]).toBe(100);
    expect(open.hours!.reduce((a, b) => a + b, 0)).toBe(100);
    expect(open.summary?.message).toMatch(/^03/); // version 3
    expect(open.summary!.message.slice(-2)).toBe('00'); // signed as open
    r.world.advanceTo(T0 + 3 * 24 * H + 5.5 * H);
    r.watch.addSteps(900);
    await r.sync();
    expect(r.store.day(ID, date(3))).toMatchObject({ steps: 1000, closed: false, revision: 2 });
    expect(r.store.day(ID, date(3))!.hours).toEqual([0, 100, 0, 0, 0, 900, ...new Array(18).fill(0)]);
    r.world.advanceTo(T0 + 4 * 24 * H + 1 * H);
    await r.sync();
    const closed = r.store.day(ID, date(3))!;
    expect(closed).toMatchObject({ steps: 1000, closed: true, revision: 3 });
    expect(closed.summary!.message.slice(-2)).toBe('01');
    // The provisional and the closed summary carry the same counter: the one the day closed with.
    expect(closed.summary!.message.slice(30, 38)).toBe(open.summary!.message.slice(30, 38));
    await r.done();
  });

  it('reads Info without an epoch (older firmware) and keeps the old cursor rule', async () => {
    const r = await watchWith({ legacyInfo: true });
    await r.sync();
    expect(r.store.epoch(ID)).toBeNull();
    expect(r.store.cursor(ID)).toBe(3);
    r.watch.addSteps(5);
    expect((await r.sync()).records).toBe(0);
    expect(r.store.day(ID, date(3))).toMatchObject({ steps: 105, closed: false, epoch: null });
    await r.done();
  });

  it('a watch updated from firmware without epochs and wiped at once: its low seqs restart the cursor', async () => {
    const r = await watchWith({ legacyInfo: true });
    await r.sync();
    const updated = r.watch as unknown as { o: ProtoWatchOptions };
    updated.o.legacyInfo = false;
    r.watch.wipe();
    r.world.advanceTo(T0 + 4 * 24 * H + 1 * H);
    expect((await r.sync()).records).toBe(1); // day 3, closed after the wipe
    expect(r.store.epoch(ID)).toBe(r.watch.epoch);
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
  it('takes the open day (seq 0, not closed) last, outside the records and the last seq, inside the check', () => {
    const open = encodeDay({ ...day(0), day: 20010, closed: false });
    const all = [...frames, open];
    const c = new HistoryCollector(5);
    for (const f of all) expect(c.push(f).state).toBe('more');
    expect(c.push(encodeEnd(3, 6, historyCheck(all)))).toMatchObject({ state: 'done', end: { lastSeq: 6 } });
    expect(c.records.map((r) => r.day.seq)).toEqual([5, 6]);
    expect(c.open?.day).toMatchObject({ seq: 0, day: 20010, closed: false });
    // Nothing after it but End; a closed day under seq 0 is out of order like any seq before the cursor.
    const after = new HistoryCollector(5);
    after.push(open);
    expect(after.push(frames[0])).toMatchObject({ state: 'bad', error: 'Day: seq 5 after the open day' });
    expect(new HistoryCollector(5).push(encodeDay(day(0)))).toMatchObject({ state: 'bad' });
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

describe('readInfo', () => {
  const info = Uint8Array.from([1, 1, 0, 1, 0, 0xc0, 0xff, 0xee, 0, 1, 0, 1, 0, 30, 0, 0, 0, 7]);
  it('reads again while the watch has not filled Info in yet (all zeros), waiting longer each time', async () => {
    const reads = [new Uint8Array(18), new Uint8Array(18), info];
    const waits: number[] = [];
    const got = await readInfo({ read: async () => reads.shift()! }, async (ms) => void waits.push(ms));
    expect(got).toEqual(info);
    expect(waits).toEqual([50, 100]);
  });
  it('gives the zeros to the decoder after its last try, which refuses them', async () => {
    let n = 0;
    const got = await readInfo({ read: async () => (n++, new Uint8Array(18)) }, async () => {}, 4);
    expect(n).toBe(4);
    expect(decodeInfo(got)).toMatchObject({ ok: false });
  });
});
