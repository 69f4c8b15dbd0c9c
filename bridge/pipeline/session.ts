// Everything a BLE command needs, built once from its options: config, logger, store, central
// (real noble, or real noble on a simulated fleet with --simulate N) and the host clock.
// A missing adapter is an AdapterError whose message already explains --simulate.

import { join, resolve } from 'node:path';
import { AdapterError } from '../ble/adapter-state.ts';
import { enabledServices, loadConfig, type BushuConfig } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import { Store } from '../store/store.ts';
import type { Central } from '../ble/central.ts';
import { createNobleCentral } from '../ble/noble-central.ts';
import { createFleet, type Fleet } from '../sim/wearables/fleet.ts';
import { FileCounterState, MemoryCounterState } from '../sync/counter-state.ts';
import { SyncMetrics, systemClock, type HostClock, type SyncContext } from '../sync/types.ts';
import { firmwareFiles, makeFirmwareWatch } from '../sim/wearables/simulated-wearable.ts';

export interface SessionOptions {
  config?: string;
  db?: string;
  logLevel?: string;
  /** Simulated wearables instead of the Bluetooth adapter. */
  simulate?: number;
  /** Days of history on simulated wearables. */
  days?: number;
  /** 'paced' for the daemon (the caller moves the world clock), 'free' otherwise. */
  simMode?: 'free' | 'paced';
  /** Simulated bushu watches run the real firmware when it is built (default), or the protocol fake. */
  simFirmware?: 'real' | 'fake';
}

export interface Session {
  config: BushuConfig;
  log: Logger;
  store: Store;
  central: Central;
  clock: HostClock;
  ctx: SyncContext;
  fleet?: Fleet;
  close(): Promise<void>;
}

export async function openSession(o: SessionOptions): Promise<Session> {
  const config = loadConfig(o.config);
  const log = createLogger({ level: o.logLevel ?? config.logLevel });
  let fleet: Fleet | undefined;
  let central: Central;
  let clock: HostClock = systemClock;
  if (o.simulate !== undefined) {
    let makeWatch;
    if (o.simFirmware !== 'fake') {
      try {
        makeWatch = makeFirmwareWatch(log, await firmwareFiles());
      } catch (e) {
        log.warn({ error: (e as Error).message }, 'cannot load or build the firmware: simulated watches use the protocol fake');
      }
    }
    fleet = createFleet({ devices: o.simulate, days: o.days ?? 7, endUtcMs: Date.now(), offsetMin: systemClock.offsetMin(), makeWatch, bindings: { mode: o.simMode ?? 'free' } });
    central = await createNobleCentral({ bindings: fleet.bindings, opTimeoutMs: config.ble.transferTimeoutMs });
    clock = fleet.world.clock();
  } else {
    central = await createNobleCentral({ opTimeoutMs: config.ble.connectTimeoutMs });
  }
  // Simulated devices never go into the real database unless --db says so.
  const dbPath = o.db !== undefined ? resolve(o.db) : o.simulate !== undefined ? ':memory:' : config.db;
  const store = Store.open(dbPath, { services: enabledServices(config), users: config.deviceUsers });
  const counterState = dbPath === ':memory:' ? new MemoryCounterState() : new FileCounterState(join(config.dataDir, 'counters.json'));
  const ctx: SyncContext = { store, clock, log, metrics: new SyncMetrics(), counterState, transferTimeoutMs: config.ble.transferTimeoutMs };
  return {
    config, log, store, central, clock, ctx, fleet,
    close: async () => {
      await central.close();
      fleet?.close();
      store.close();
    },
  };
}

/**
 * openSession for a command: waits for the adapter, and when it is missing or unusable prints the
 * AdapterError's explanation (which already names `--simulate`) and returns undefined, so the
 * command exits 2. Other errors propagate.
 */
export async function openReadySession(o: SessionOptions, err: NodeJS.WritableStream): Promise<Session | undefined> {
  let session: Session | undefined;
  try {
    session = await openSession(o);
    await session.central.whenReady();
    return session;
  } catch (e) {
    if (!(e instanceof AdapterError)) throw e;
    err.write(`bushu: ${e.message}\n`);
    await session?.close();
    return undefined;
  }
}
