// runDemo: the reference services, the bridge and four simulated wearables (three users) in one
// process, a week of walking in accelerated time, and the services' view of it at the end.
// Everything persistent lives in the data directory:
//   demo.json      the seed and the simulated week (and how far it got), so runs replay the same world
//   services.db    the reward and social services (SQLite)
//   bushu.db       the bridge's store and outbox (where `bushu status` looks by default)
//   watches/       the simulated watches' flash
import { FakeBindings } from '../sim/wearables/fake-bindings.ts';
import { firmwareFiles, type FirmwareFiles } from '../sim/wearables/simulated-wearable.ts';
import { SimWorld } from '../sim/wearables/world.ts';
import { BridgeHost } from './bridge-host.ts';
import { DemoClock } from './clock.ts';
import { DemoError, prepareDataDir } from './data-dir.ts';
import { adminToken, deviceKeyHex } from './keys.ts';
import { planWeek, type Profile } from './plan.ts';
import { Printer } from './printer.ts';
import { DEVICES, USERS, friendships } from './roster.ts';
import { ServicesClient } from './services-client.ts';
import { startDemoServices } from './services-host.ts';
import { simulateWeek } from './simulate.ts';
import { readState, stateFor, stateWeek, writeState } from './state.ts';
import { table, toJson, type DemoSummary } from './summary.ts';
import { openFleet, saveFleet } from './fleet.ts';
import { chooseWeek, weekDates, weekStartMs } from './week.ts';

export interface DemoOptions {
  dataDir: string;
  /** Simulate, print the summary and stop; otherwise keep serving the dashboard until `stop`. */
  once?: boolean;
  /** The summary as JSON on `out`; progress lines then go to `log` only. */
  json?: boolean;
  port?: number;
  /** Seed of a new data directory; must match an existing one's (default: its own, else 1). */
  seed?: number;
  /** Progress lines (syncs, awards, the table). Default: stdout, or stderr with json. */
  log?: (line: string) => void;
  /** The JSON summary. Default: stdout. */
  out?: (text: string) => void;
  /** 'light': less walking, for tests. Fixed when the data directory is created. */
  profile?: Profile;
  /** The real clock: picks the simulated week of a new data directory. */
  realNow?: () => number;
  /** Without once: resolves when the demo should shut down (default: SIGINT or SIGTERM). */
  stop?: Promise<unknown>;
  /** Test hook: simulate at most this many daily rounds, as if interrupted, then summarize. */
  maxRounds?: number;
  /** The firmware the watches run; default: the package's build (dist/firmware). */
  firmware?: FirmwareFiles;
}

export interface DemoResult {
  summary: DemoSummary;
  /** Awards created by this run (0 on a re-run). */
  awardedNew: number;
  /** Awards in the ledger after this run. */
  awardsTotal: number;
  url: string;
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const log = o.log ?? ((l: string) => (o.json ? process.stderr : process.stdout).write(l + '\n'));
  const out = o.out ?? ((t: string) => process.stdout.write(t));
  const paths = prepareDataDir(o.dataDir);

  let state = readState(paths.dir);
  if (state !== undefined && o.seed !== undefined && o.seed !== state.seed) {
    throw new DemoError(`${paths.dir} was created with seed ${state.seed}, not ${o.seed}: use --seed ${state.seed}, or delete the directory to start over`);
  }
  if (state !== undefined && o.profile !== undefined && o.profile !== state.profile) {
    throw new DemoError(`${paths.dir} was created with the ${state.profile} walking profile, not ${o.profile}`);
  }
  if (state === undefined) {
    state = stateFor(o.seed ?? 1, o.profile ?? 'full', chooseWeek((o.realNow ?? Date.now)()));
    writeState(paths.dir, state);
  }
  const seed = state.seed;
  const week = stateWeek(state);
  const dates = weekDates(week);
  const printer = new Printer(log, week.utcOffsetMin);
  const startAt = state.simulatedUntil ?? weekStartMs(week);

  const firmware = o.firmware ?? (await loadFirmware());

  const world = new SimWorld(startAt, week.utcOffsetMin);
  const clock = new DemoClock(world);
  const closers: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const services = await startDemoServices({
      dbPath: paths.services,
      port: o.port ?? 8080,
      seed,
      clock: clock.now,
      onError: (e) => log(`services error: ${(e as Error).stack ?? e}`),
      // While serving, the reference payout worker "pays" the hongbao (it only logs them).
      payoutEveryMs: o.once ? 0 : 5000,
      log,
    });
    closers.push(() => services.close());
    if (services.busyPort !== undefined) log(`port ${services.busyPort} is busy: using ${services.port} instead`);
    log(`bushu demo: services on ${services.url} (data in ${paths.dir})`);
    log(`simulated week ${dates[0]} .. ${dates[dates.length - 1]} (UTC${week.utcOffsetMin >= 0 ? '+' : '-'}${Math.abs(week.utcOffsetMin) / 60}), seed ${seed}, ${USERS.length} users, ${DEVICES.length} wearables running the built firmware`);

    const client = new ServicesClient(services.url, adminToken(seed));
    await client.register(USERS, DEVICES, (d) => deviceKeyHex(seed, d.id), friendships(), week.utcOffsetMin);
    const before = await client.allAwards(USERS);

    const watches = openFleet({ dir: paths.dir, devices: DEVICES, seed, offsetMin: week.utcOffsetMin, firmware, startAt, resumed: state.simulatedUntil !== null });
    for (const [id, w] of watches) world.add(id, w);

    const bindings = new FakeBindings({ world, mode: 'free' });
    closers.push(() => bindings.close());
    const bridge = await BridgeHost.open({
      storePath: paths.bridge,
      servicesUrl: services.url,
      seed,
      devices: DEVICES,
      bindings,
      clock: world.clock(),
      warn: log,
    });
    closers.push(() => bridge.close());

    const st = state;
    await simulateWeek({
      week,
      world,
      watches,
      plans: planWeek(seed, week, DEVICES, state.profile),
      bridge,
      client,
      printer,
      awarded: new Set(before.map((a) => a.user + '|' + a.date)),
      checkpoint: (at) => {
        saveFleet(paths.dir, watches, at);
        st.simulatedUntil = at;
        writeState(paths.dir, st);
      },
      drain: () => bridge.drain(world),
      maxRounds: o.maxRounds,
    });
    for (const [id, w] of watches) {
      const errs = w.errors();
      if (errs.length > 0) log(`warning: watch ${id} firmware threw ${errs.length} time(s), first: ${errs[0].message}`);
    }

    const after = await client.allAwards(USERS);
    const summary: DemoSummary = { days: await client.summary(USERS, dates) };
    const result: DemoResult = { summary, awardedNew: after.length - before.length, awardsTotal: after.length, url: services.url };
    if (o.json) out(toJson(summary) + '\n');
    else log('\n' + table(summary, services.config.reward.goalSteps) + '\n');
    log(`awarded ${result.awardedNew} new (${result.awardsTotal} hongbao in the ledger)`);

    if (!o.once) {
      clock.goLive();
      log(`dashboard: ${services.url}/  (Ctrl-C to stop)`);
      // Reads are private: each user signs in with a link of their own.
      for (const u of USERS) log(`  ${u}: ${await client.loginUrl(u)}`);
      await (o.stop ?? signal());
      log('stopping');
    }
    return result;
  } finally {
    await closeAll();
  }
}

function signal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

async function loadFirmware(): Promise<FirmwareFiles> {
  try {
    return await firmwareFiles();
  } catch (e) {
    throw new DemoError((e as Error).message);
  }
}
