// The process the fault harness kills: the real bridge (runBridge with delivery, its store file
// in the trial directory, real noble on FakeBindings) and the simulated watches it syncs, which
// run the real built firmware. Everything runs in one simulated time: the world clock, which
// this process owns and publishes in the clock file for the services' clock shim.
//
// The watches must outlive this process, as real watches outlive a killed bridge: each watch's
// flash is saved (write, then rename) the moment it changes, before anything the watch sends can
// reach the bridge, and a restarted child boots each watch again on its saved flash (a reboot:
// what the firmware held only in RAM is gone, as it would be). Every closed day a watch writes
// is appended to its truth log first: the oracle's "what the watch recorded".
//
// Prints one line per bridge event (and per flash save), so the harness can SIGKILL it at a
// random point; exits 0 when the world reaches untilMs. Bundled by esbuild (trial.ts) and run
// with BUSHU_FAULTS_CHILD=1 and the JSON ChildArgs.
import { appendFileSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { readClock } from './clock-file.ts';
import { join } from 'node:path';
import { VirtualTimeScheduler } from 'rxjs';
import { createNobleCentral } from '../../bridge/ble/noble-central.ts';
import { silentLogger } from '../../bridge/log.ts';
import { runBridge } from '../../bridge/pipeline/bridge.ts';
import { MemoryCounterState } from '../../bridge/sync/counter-state.ts';
import { SyncMetrics, type HostClock } from '../../bridge/sync/types.ts';
import { Store } from '../../bridge/store/store.ts';
import { dateString } from '../../shared/days.ts';
import { NOBLE_UUID, normUuid } from '../../shared/protocol/index.ts';
import { FakeBindings } from '../../sim/wearables/fake-bindings.ts';
import { Shot, type LinkFaults } from '../../sim/wearables/faults.ts';
import { simKey } from '../../sim/wearables/fleet.ts';
import { SimulatedWearable, firmwareFiles, type WatchSnapshot } from '../../sim/wearables/simulated-wearable.ts';
import { SimWorld } from '../../sim/wearables/world.ts';
import type { ChildArgs, ClockSetBy, TruthLine } from './types.ts';
import { readFlashHistory } from './watch-flash.ts';

const HOUR = 3_600_000;
const say = (line: string) => process.stdout.write(line + '\n');

async function main(a: ChildArgs): Promise<void> {
  const fw = await firmwareFiles(a.firmwareDir);
  const snapFile = (id: string) => join(a.dir, `watch-${id}.json`);
  const truthFile = (id: string) => join(a.dir, `truth-${id}.jsonl`);
  type Saved = WatchSnapshot & { clockSetBy: ClockSetBy };
  const snaps = new Map<string, Saved>();
  for (const w of a.watches) if (existsSync(snapFile(w.id))) snaps.set(w.id, JSON.parse(readFileSync(snapFile(w.id), 'utf8')) as Saved);
  // Who last set each watch's clock: a watch closing a day on a clock the bridge set wrong files
  // its steps under the wrong date, which the oracle counts as misdated.
  const setBy = new Map<string, ClockSetBy>([...snaps].map(([id, s]) => [id, s.clockSetBy]));
  const start = Math.max(a.startMs, readClock(a.clockFile), ...[...snaps.values()].map((s) => s.worldMs));
  const world = new SimWorld(start, a.offsetMin);

  // The clock file: 8 bytes rewritten in place (never truncated, so a reader never sees it empty).
  const clockFd = openSync(a.clockFile, existsSync(a.clockFile) ? 'r+' : 'w+');
  const clockBuf = Buffer.alloc(8);
  let published = -Infinity;
  const publish = () => {
    clockBuf.writeDoubleLE(world.now, 0);
    writeSync(clockFd, clockBuf, 0, 8, 0);
    published = world.now;
  };
  // Every virtual second at most (a connection interval is 30 ms), and before every request.
  const advanceTo = world.advanceTo.bind(world);
  world.advanceTo = (t: number, stepMs?: number) => {
    advanceTo(t, stepMs);
    if (world.now - published >= 1000) publish();
  };
  publish();

  // Closed days already in each truth log (epoch/seq), so a restart appends only new ones.
  const logged = new Map<string, Set<string>>();
  for (const w of a.watches) {
    const seen = new Set<string>();
    if (existsSync(truthFile(w.id)))
      for (const line of readFileSync(truthFile(w.id), 'utf8').split('\n')) {
        if (line === '') continue;
        const t = JSON.parse(line) as TruthLine;
        if (t.kind === 'day') seen.add(`${t.epoch}/${t.seq}`);
      }
    logged.set(w.id, seen);
  }
  const saveWatch = (w: SimulatedWearable) => {
    const h = readFlashHistory(w.sim.storage);
    const seen = logged.get(w.deviceId)!;
    let lines = '';
    for (const d of h.days) {
      const k = `${h.epoch}/${d.seq}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const t: TruthLine = { kind: 'day', day: d.day, date: dateString(d.day), seq: d.seq, epoch: h.epoch, steps: d.steps, signed: d.signed, offsetMin: d.offsetMin, at: world.now, clockOffMs: w.sim.now() - world.now, clockSetBy: setBy.get(w.deviceId) ?? 'flash' };
      lines += JSON.stringify(t) + '\n';
    }
    if (lines !== '') appendFileSync(truthFile(w.deviceId), lines);
    writeFileSync(snapFile(w.deviceId) + '.tmp', JSON.stringify({ ...w.snapshot(), clockSetBy: setBy.get(w.deviceId) ?? 'flash' }));
    renameSync(snapFile(w.deviceId) + '.tmp', snapFile(w.deviceId));
    say('f');
  };

  // The bridge set this watch's clock (a stray central writes outside these connections): only a
  // Current Time write counts, not a successful sync, which may have written no time at all.
  const noteTimeWrite = (w: SimulatedWearable, characteristic: string) => {
    if (normUuid(characteristic) === NOBLE_UUID.CURRENT_TIME) setBy.set(w.deviceId, 'bridge');
  };

  const watches = new Map<string, SimulatedWearable>();
  for (const spec of a.watches) {
    const common = { deviceId: spec.id, seed: spec.seed, offsetMin: a.offsetMin, key: simKey(spec.id), firmware: fw, onFlash: saveWatch, onWrite: noteTimeWrite, walkUntilMs: a.walkUntilMs };
    const snap = snaps.get(spec.id);
    const w = snap ? SimulatedWearable.restore(common, snap) : new SimulatedWearable({ ...common, board: spec.board, startUtcMs: world.now });
    watches.set(spec.id, w);
    world.add(spec.id, w);
    saveWatch(w);
  }

  const faults: Record<string, LinkFaults> = {};
  const bindings = new FakeBindings({ world, faults, advanceWhenIdle: false });
  // Real-time timeouts (the bridge's BLE timeouts use setTimeout): short, since a connection
  // interval is a few microseconds of real time here.
  const central = await createNobleCentral({ bindings, opTimeoutMs: 1500 });
  const store = Store.open(join(a.dir, 'bridge.db'), { services: ['reward', 'social'], users: Object.fromEntries(a.watches.map((w) => [w.id, w.user])) });
  const clock: HostClock = { now: () => world.now + a.skewMs, offsetMin: () => world.hostOffsetMin };
  const vts = new VirtualTimeScheduler();
  vts.now = () => world.now + a.skewMs;
  const syncFrame = () => (vts.frame = world.now + a.skewMs);
  syncFrame();

  // Requests in flight keep the world still: the services answer in real time.
  let inFlight = 0;
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    inFlight++;
    publish();
    try {
      return await realFetch(...args);
    } finally {
      inFlight--;
    }
  };

  const ctx = { store, clock, log: silentLogger(), metrics: new SyncMetrics(), counterState: new MemoryCounterState(), transferTimeoutMs: 300 };
  const url = a.servicesUrl;
  const sub = runBridge({
    central, store, ctx, deliver: true, concurrency: 2, restMs: HOUR, scheduler: vts, offsetCheckMs: HOUR,
    config: {
      services: [
        { name: 'reward', url: `${url}/reward`, secret: a.secrets.reward, timeoutMs: 5000, enabled: true },
        { name: 'social', url: `${url}/social`, secret: a.secrets.social, timeoutMs: 5000, enabled: true },
      ],
      delivery: { baseDelayMs: 1000, maxDelayMs: HOUR, retryForHours: 72, deadRetryHours: 6, concurrency: 2 },
      ble: { scanSeconds: 10, connectTimeoutMs: 5000, transferTimeoutMs: 3000, syncIntervalSeconds: 3600 },
    },
  }).subscribe({
    next: (e) => {
      say(e.kind === 'job' ? `job ${e.type} ${e.device}` : `delivery ${e.type} ${e.key}`);
    },
    error: (e: unknown) => {
      process.stderr.write(`bridge stopped: ${String((e as Error).stack ?? e)}\n`);
      process.exit(3);
    },
  });

  const pending = a.faults.filter((f) => f.at >= world.now).sort((x, y) => x.at - y.at);
  const apply = () => {
    while (pending.length > 0 && pending[0].at <= world.now) {
      const f = pending.shift()!;
      const w = watches.get(f.device);
      if (w === undefined) continue;
      say(`fault ${f.kind} ${f.device}`);
      if (f.kind === 'link') (faults[f.device] ??= {})[f.link] = new Shot(1, f.after);
      else if (f.kind === 'reboot') w.reboot();
      else if (f.kind === 'wipe') wipe(w);
      else if (f.kind === 'stray' && w.advertising() !== null) {
        // Another central (not while the bridge is connected: then it never gets its turn).
        const c = w.sim.ble.connect();
        if (f.localTimeInfo) c.write(NOBLE_UUID.SERVICE, NOBLE_UUID.LOCAL_TIME_INFO, Uint8Array.from(f.localTimeInfo));
        if (f.currentTime) c.write(NOBLE_UUID.SERVICE, NOBLE_UUID.CURRENT_TIME, Uint8Array.from(f.currentTime));
        c.disconnect();
        setBy.set(f.device, 'stray');
        w.flashChanged();
      }
    }
  };
  const wipe = (w: SimulatedWearable) => {
    const h = readFlashHistory(w.sim.storage);
    const unacked = h.days.filter((d) => d.seq > h.acked).map((d) => ({ day: d.day, date: dateString(d.day), seq: d.seq, steps: d.steps }));
    const line: TruthLine = { kind: 'wipe', at: world.now, unacked };
    appendFileSync(truthFile(w.deviceId), JSON.stringify(line) + '\n');
    w.wipe();
  };

  const next = () => {
    const due = (vts.actions[0] as { delay?: number } | undefined)?.delay;
    const dueWorld = due === undefined ? Infinity : due - a.skewMs;
    return Math.min(dueWorld, pending[0]?.at ?? Infinity, world.now + HOUR, a.untilMs);
  };
  let idle = 0;
  for (;;) {
    await new Promise((r) => setImmediate(r));
    vts.maxFrames = world.now + a.skewMs;
    vts.flush();
    syncFrame();
    apply();
    if (bindings.busy() || inFlight > 0) {
      idle = 0;
      continue;
    }
    // Quiet: give the scan a few connection intervals to report an advertisement (one per
    // virtual second of scanning, i.e. every ~34 ticks: one tick per turn of this loop), then jump to the next due time.
    if (++idle < 40) continue;
    idle = 0;
    if (world.now >= a.untilMs) break;
    world.advanceTo(Math.max(next(), world.now + 1));
  }
  sub.unsubscribe();
  say('done');
  bindings.close();
  store.close();
}

if (process.env.BUSHU_FAULTS_CHILD === '1') {
  main(JSON.parse(process.argv[2]) as ChildArgs).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(String((e as Error).stack ?? e) + '\n');
      process.exit(2);
    },
  );
}
