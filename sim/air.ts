// `--simulate N` for scan, sync and run: a fleet of simulated wearables on fake noble bindings,
// handed to the bridge's session as SimulatedAir. The CLI loads this module with import() only
// when the flag is given, so the bushu command never loads the simulator otherwise.

import type { SimulatedAir } from '../bridge/pipeline/session.ts';
import type { Logger } from '../bridge/log.ts';
import { systemClock } from '../bridge/sync/types.ts';
import { createFleet, type Fleet } from './wearables/fleet.ts';
import { firmwareFiles, makeFirmwareWatch } from './wearables/simulated-wearable.ts';

export interface SimulateOptions {
  devices: number;
  /** Days of history on the watches. */
  days?: number;
  /** 'paced' for the daemon (the caller moves the world clock), 'free' otherwise. */
  mode?: 'free' | 'paced';
  /** bushu watches run the built firmware (default, when dist/firmware exists) or the protocol fake. */
  firmware?: 'real' | 'fake';
  /** Told what takes a while (walking the days of history), before it starts. */
  announce?: (line: string) => void;
}

/** A simulated fleet, made when the session opens; `fleet` is there from then on. */
export class Simulation {
  fleet: Fleet | undefined;

  constructor(private readonly o: SimulateOptions) {}

  /** The session's `simulated` option. */
  readonly open = async (log: Logger): Promise<SimulatedAir> => {
    let makeWatch;
    if (this.o.firmware !== 'fake') {
      try {
        makeWatch = makeFirmwareWatch(log, await firmwareFiles());
      } catch (e) {
        log.warn({ error: (e as Error).message }, 'cannot load the built firmware: simulated watches use the protocol fake');
      }
    }
    this.o.announce?.(`simulating ${this.o.devices} wearable(s) walking ${this.o.days ?? 7} day(s) of history…`);
    const fleet = createFleet({ devices: this.o.devices, days: this.o.days ?? 7, endUtcMs: Date.now(), offsetMin: systemClock.offsetMin(), makeWatch, bindings: { mode: this.o.mode ?? 'free' } });
    this.fleet = fleet;
    return { bindings: fleet.bindings, clock: fleet.world.clock(), close: () => fleet.close() };
  };
}
