// Everything a BLE command needs, built once from its options: config, logger, store, central
// (real noble on the platform's adapter, or real noble on bindings made elsewhere: the CLI's
// --simulate passes a simulated fleet's) and the host clock.
// A missing adapter is an AdapterError whose message already explains --simulate.
// The bridge never imports the simulator: it only knows the SimulatedAir shape below.

import { join, resolve } from 'node:path';
import { AdapterError } from '../ble/adapter-state.ts';
import { ConfigError, enabledServices, loadConfig, type BushuConfig } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import { Store } from '../store/store.ts';
import type { EventEmitter } from 'node:events';
import type { Central } from '../ble/central.ts';
import { createNobleCentral } from '../ble/noble-central.ts';
import { FileCounterState, MemoryCounterState } from '../sync/counter-state.ts';
import { SyncMetrics, systemClock, type HostClock, type SyncContext } from '../sync/types.ts';

export interface SessionOptions {
  config?: string;
  db?: string;
  logLevel?: string;
  /**
   * Devices on simulated air instead of the Bluetooth adapter, made once the config and logger
   * exist (the simulated watches log through it).
   */
  simulated?: (log: Logger) => Promise<SimulatedAir>;
}

/** Noble bindings that are not the platform's, with the clock of the world they live in. */
export interface SimulatedAir {
  bindings: EventEmitter;
  clock: HostClock;
  close(): void;
}

export interface Session {
  config: BushuConfig;
  log: Logger;
  store: Store;
  central: Central;
  clock: HostClock;
  ctx: SyncContext;
  close(): Promise<void>;
}

export async function openSession(o: SessionOptions): Promise<Session> {
  const config = loadConfig(o.config);
  const log = createLogger({ level: o.logLevel ?? config.logLevel });
  const air = o.simulated ? await o.simulated(log) : undefined;
  const central = air
    ? await createNobleCentral({ bindings: air.bindings, opTimeoutMs: config.ble.transferTimeoutMs })
    : await createNobleCentral({ opTimeoutMs: config.ble.connectTimeoutMs });
  const clock = air?.clock ?? systemClock;
  // One default for every command, simulated or not (as the demo's): `bushu status` afterwards
  // shows what a `bushu run --simulate` stored.
  const dbPath = o.db !== undefined ? resolve(o.db) : config.db;
  const store = Store.open(dbPath, { services: enabledServices(config), users: config.deviceUsers });
  const counterState = dbPath === ':memory:' ? new MemoryCounterState() : new FileCounterState(join(config.dataDir, 'counters.json'));
  const ctx: SyncContext = { store, clock, log, metrics: new SyncMetrics(), counterState, transferTimeoutMs: config.ble.transferTimeoutMs };
  return {
    config, log, store, central, clock, ctx,
    close: async () => {
      await central.close();
      air?.close();
      store.close();
    },
  };
}

/**
 * openSession for a command: waits for the adapter, and when the command cannot start prints why
 * and returns the exit code: 1 for a bad configuration (one `bushu: file: path: problem` line per
 * problem), 2 for a missing or unusable adapter (the AdapterError's explanation already names
 * `--simulate`). Other errors propagate.
 */
export async function openReadySession(o: SessionOptions, err: NodeJS.WritableStream): Promise<Session | number> {
  let session: Session | undefined;
  try {
    session = await openSession(o);
    await session.central.whenReady();
    return session;
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.lines()) err.write(`bushu: ${line}\n`);
      return 1;
    }
    if (!(e instanceof AdapterError)) throw e;
    err.write(`bushu: ${e.message}\n`);
    await session?.close();
    return 2;
  }
}
