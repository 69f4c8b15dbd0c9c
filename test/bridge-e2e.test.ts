// End to end: simulated wearables (bushu watches running the real built firmware in EspruinoSim,
// a WeChat band, an InfiniTime) → real noble on FakeBindings → the sync engine → the Store →
// the delivery loop → a local HTTP recorder that injects failures. Every fault type at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription } from 'rxjs';
import { createNobleCentral } from '../bridge/ble/noble-central.ts';
import type { Central } from '../bridge/ble/central.ts';
import { createFleet, simKey, type Fleet } from '../sim/wearables/fleet.ts';
import { decodeSummaryMessage, recordHoursDigest, verifySummary } from '../shared/protocol/summary-verify.ts';
import type { DayRecord } from '../shared/record/index.ts';
import { SimulatedWearable, firmwareFiles } from '../sim/wearables/simulated-wearable.ts';
import { Shot } from '../sim/wearables/faults.ts';
import { dayTotal } from '../sim/wearables/schedule.ts';
import { runBridge, type BridgeEvent } from '../bridge/pipeline/bridge.ts';
import { MemoryCounterState } from '../bridge/sync/counter-state.ts';
import { SyncMetrics } from '../bridge/sync/types.ts';
import { Store } from '../bridge/store/store.ts';
import { silentLogger } from '../bridge/log.ts';
import { startRecorder, type Recorder } from './kits/http-recorder.ts';
import { MS_PER_DAY, dateString, localDay } from '../shared/days.ts';

const H = 3_600_000;
const OFFSET = 480;
// The bridge first connects at 10:00 local on 2026-11-21, after two whole days of walking.
const END = Date.UTC(2026, 10, 21, 10) - OFFSET * 60_000;

let fleet: Fleet;
let central: Central;
let store: Store;
let recorder: Recorder;
let sub: Subscription;
const events: BridgeEvent[] = [];
const waiters: Array<() => void> = [];
const metrics = new SyncMetrics();
// World time (events carry the bridge scheduler's time) at the start of each device's current job,
// and of its last successful one: a job that ends after some moment may have read the device
// before it, so "read after" is judged by the start.
const startWorld = new Map<string, number>();
const lastOkStartWorld = new Map<string, number>();

/** Resolves when `pred` holds, checked after every bridge event. */
function until(pred: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (pred() ? resolve() : waiters.push(check));
    check();
  });
}
/**
 * Jumps the world clock an hour at a time, yielding to the event loop between hours, so the
 * simulated walking never blocks the bridge's timers for long.
 */
async function advanceInSteps(to: number): Promise<void> {
  while (fleet.world.now < to) {
    fleet.world.advanceTo(Math.min(to, fleet.world.now + H));
    await new Promise((r) => setImmediate(r));
  }
}
const oks = (device: string) => events.filter((e) => e.kind === 'job' && e.type === 'ok' && e.device === device).length;
const watches = () => fleet.devices.filter((d) => d.kind === 'bushu').map((d) => d.peripheral as SimulatedWearable);

beforeAll(async () => {
  const fw = await firmwareFiles();
  fleet = createFleet({
    devices: 4, // two bushu watches (real firmware), a WeChat band, an InfiniTime
    days: 2,
    endUtcMs: END,
    offsetMin: OFFSET,
    makeWatch: (o) => new SimulatedWearable({ ...o, firmware: fw }),
    faults: {
      c0ffee000100: { dropDuringDiscovery: new Shot(1), dropDuringHistory: new Shot(1, 2), garbage: new Shot(1, 1) },
      c0ffee000101: { duplicate: new Shot(1, 1), reorder: new Shot(1, 2), hangDuringDiscovery: new Shot(1) },
    },
  });
  central = await createNobleCentral({ bindings: fleet.bindings, opTimeoutMs: 3000 });
  // The service lives in the world's time too: its Date header is what the bridge checks its clock by.
  recorder = await startRecorder({ clock: () => fleet.world.now });
  for (const f of [{ kind: 'status', status: 500 }, { kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { kind: 'drop' }, { kind: 'accept-then-drop' }, { kind: 'hang' }, { kind: 'status', status: 503 }] as const)
    recorder.inject(f);
  const services = [{ name: 'rewards', url: recorder.url, secret: 'whsec_' + Buffer.from('e2e-secret-key-bytes').toString('base64'), timeoutMs: 300, enabled: true }];
  store = Store.open(':memory:', { services: ['rewards'] });
  const ctx = { store, clock: fleet.world.clock(), log: silentLogger(), metrics, counterState: new MemoryCounterState(), transferTimeoutMs: 1000 };
  sub = runBridge({
    central, store, ctx, deliver: true, concurrency: 2, restMs: 0, backoff: { baseMs: 20, maxMs: 200 }, offsetCheckMs: 20,
    config: { services, delivery: { baseDelayMs: 10, maxDelayMs: 100, retryForHours: 1, deadRetryHours: 1, concurrency: 2 }, ble: { scanSeconds: 10, connectTimeoutMs: 1000, transferTimeoutMs: 1000, syncIntervalSeconds: 0 } },
  }).subscribe((e) => {
    events.push(e);
    if (e.kind === 'job' && e.type === 'start') startWorld.set(e.device, fleet.world.now);
    if (e.kind === 'job' && e.type === 'ok') lastOkStartWorld.set(e.device, startWorld.get(e.device) ?? 0);
    waiters.splice(0).forEach((w) => w());
  });
}, 120_000);

afterAll(async () => {
  if (process.env.E2E_DEBUG) {
    const fails = events.filter((e) => e.kind === 'job' && e.type === 'fail').slice(-8).map((e) => e.kind === 'job' && e.type === 'fail' && `${e.device} ${(e.error as Error).message}`);
    console.log({ fails, oks: fleet.devices.map((d) => [d.id, oks(d.id)]), world: new Date(fleet.world.now).toISOString(), metrics });
  }
  sub?.unsubscribe();
  await central?.close();
  fleet?.close();
  store?.close();
  await recorder?.close();
});

describe('bridge end to end', () => {
  it('syncs the history of every device despite link faults, restarting after bad payloads', async () => {
    await until(() => fleet.devices.every((d) => oks(d.id) >= 1));
    expect(metrics.badPayloads).toBeGreaterThanOrEqual(2); // the garbage frame and the reordered pair
    expect(metrics.duplicates).toBeGreaterThanOrEqual(1);
    expect(events.some((e) => e.kind === 'job' && e.type === 'fail' && /dropped/.test(String((e.error as Error).message)))).toBe(true);
    expect(events.some((e) => e.kind === 'job' && e.type === 'fail' && /no answer/.test(String((e.error as Error).message)))).toBe(true);
  }, 120_000);

  it('survives a reboot, clock skew, a midnight during a sync and a time zone change', async () => {
    const step = (s: string) => process.env.E2E_DEBUG && console.log('phase', s, new Date(fleet.world.now).toISOString());
    const midnight = (localDay(fleet.world.now, OFFSET) + 1) * MS_PER_DAY - OFFSET * 60_000;
    // Walking ends by 22:30. A band only tells today's count, so its day is whole only if it is
    // read after the last walk: the world waits there until each band was read (the bridge's
    // real-time waits would otherwise let it run on, past midnight on a loaded machine).
    const lateEvening = midnight - 90 * 60_000;
    fleet.world.untilMs = lateEvening;
    await advanceInSteps(lateEvening);
    const bands = fleet.devices.filter((d) => d.kind !== 'bushu');
    await until(() => bands.every((b) => (lastOkStartWorld.get(b.id) ?? 0) >= lateEvening));
    fleet.world.untilMs = Infinity;
    const [w0, w1] = watches();
    w0.skewClock(7 * 60_000);
    const n0 = oks(w0.deviceId);
    await until(() => oks(w0.deviceId) > n0);
    expect(Math.abs(w0.sim.now() - fleet.world.now)).toBeLessThan(2000); // the bridge set the clock
    step('skew done');
    // Just before local midnight, then let syncs run across it.
    await advanceInSteps(midnight - 10 * 60_000);
    const before = events.length;
    await until(() => fleet.world.now > midnight + 5000 && fleet.devices.every((d) => events.slice(before).filter((e) => e.kind === 'job' && e.type === 'ok' && e.device === d.id).length >= 2));
    // Syncs run back to back across midnight, so some start before it and finish after; the
    // totals checked in the last test must come out right regardless.
    step('midnight done');
    // A reboot (no walking at this hour), then the host moves a zone east; every watch gets
    // the new offset, seen in today's record by mid-morning.
    w1.reboot();
    fleet.world.hostOffsetMin = 540;
    await advanceInSteps(fleet.world.now + 10 * H);
    step('advanced');
    const mark = events.length;
    await until(() => watches().every((w) => events.slice(mark).filter((e) => e.kind === 'job' && e.type === 'ok' && e.device === w.deviceId).length >= 2));
    // Today's record (from the Today read) carries the offset the watch now uses.
    const today = dateString(localDay(fleet.world.now, 540));
    for (const w of watches()) expect(store.day(w.deviceId, today)?.utcOffsetMin).toBe(540);
  }, 120_000);

  it('delivers each device-day with the watch\'s totals, exactly once per idempotency key', async () => {
    await until(() => store.outboxCounts().pending === 0);
    // Every key's retries carried identical bytes, and each key was accepted once.
    const bodies = new Map<string, Set<string>>();
    for (const r of recorder.requests) if (r.key) bodies.set(r.key, (bodies.get(r.key) ?? new Set()).add(r.body));
    for (const [, b] of bodies) expect(b.size).toBe(1);
    for (const [, a] of recorder.accepted) expect(a.count).toBe(1);
    expect(store.outboxCounts().dead).toBe(0);
    // The newest accepted version of every device-day equals the store, which equals the watch.
    const newest = new Map<string, DayRecord>();
    for (const [, a] of recorder.accepted) {
      const rec = JSON.parse(a.body) as DayRecord;
      const k = rec.device + '/' + rec.date;
      if ((newest.get(k)?.recordVersion ?? 0) < rec.recordVersion) newest.set(k, rec);
    }
    const days = store.days();
    expect(newest.size).toBe(days.length);
    for (const d of days) expect(newest.get(d.device + '/' + d.date)?.steps).toBe(d.steps);
    for (const w of watches()) {
      const lastByDay = new Map<number, number>();
      for (const r of w.sent) lastByDay.set(r.day, r.steps);
      for (const [day, steps] of lastByDay) expect(store.day(w.deviceId, dateString(day))?.steps).toBe(steps);
      // closed days: within the pedometer's accuracy of what was walked
      for (const d of days.filter((x) => x.device === w.deviceId && x.closed)) {
        const want = dayTotal(fleet.devices.find((x) => x.id === w.deviceId)!.seed, localDay(Date.parse(d.date + 'T12:00:00Z'), 0));
        expect(Math.abs(d.steps - want) / want, `${w.deviceId} ${d.date}: ${d.steps} counted, ${want} walked`).toBeLessThan(0.1);
      }
    }
    // Every closed watch day reached the service with a version 3 summary that is authentic under
    // the watch's key, covers the delivered hours and not-worn hours, and signs it closed.
    const signedDays = [...newest.values()].filter((r) => watches().some((w) => w.deviceId === r.device) && r.closed) ;
    expect(signedDays.length).toBeGreaterThanOrEqual(2);
    for (const r of signedDays) {
      const message = Buffer.from(r.summary!.message, 'hex');
      expect(verifySummary(simKey(r.device), message, Buffer.from(r.summary!.tag, 'hex')), `${r.device} ${r.date}`).toBe(true);
      const signed = decodeSummaryMessage(message);
      expect(signed.ok && signed.value.hoursDigest, `${r.device} ${r.date}`).toBe(recordHoursDigest(r.hours, r.notWornHours));
      expect(signed.ok && signed.value.closed, `${r.device} ${r.date}`).toBe(true);
    }
    // The counter bands' day that closed while the bridge watched equals the walking schedule.
    for (const band of fleet.devices.filter((d) => d.kind !== 'bushu')) {
      const closed = days.filter((x) => x.device === band.id && x.closed);
      expect(closed.length).toBeGreaterThanOrEqual(1);
      for (const d of closed) expect(d.steps, `${band.id} ${d.date}`).toBe(dayTotal(band.seed, localDay(Date.parse(d.date + 'T12:00:00Z'), 0)));
    }
  }, 120_000);
});
