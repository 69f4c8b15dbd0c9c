// A simulated fleet for `bushu run --simulate N`, `bushu sync --simulate N`, the e2e tests
// and the benchmark: N wearables in one world, hosted by FakeBindings for real noble.
// Mix: mostly bushu watches, plus one WeChat band and one InfiniTime when N >= 4.
// Each bushu watch is the real firmware in EspruinoSim when `firmware` is given (see
// simulated-wearable.ts), else the protocol-level fake (fast, no accelerometer).

import { createHash } from 'node:crypto';
import { MS_PER_DAY } from '../../shared/days.ts';
import { FakeBindings, type FakeBindingsOptions } from './fake-bindings.ts';
import { SimulatedInfiniTime, SimulatedWeChatBand } from './counter-bands.ts';
import type { LinkFaults } from './faults.ts';
import type { SimPeripheral } from './peripheral.ts';
import { ProtoWatch } from './proto-watch.ts';
import { SimWorld } from './world.ts';

export interface FleetOptions {
  devices: number;
  /** Days of walking already on the watches before the bridge first connects. */
  days: number;
  /** UTC ms at which the bridge starts (the history ends here). */
  endUtcMs?: number;
  offsetMin?: number;
  seed?: number;
  /** Only bushu watches (the benchmark); otherwise one WeChat band and one InfiniTime join at N >= 4. */
  bushuOnly?: boolean;
  faults?: Record<string, LinkFaults>;
  bindings?: Partial<FakeBindingsOptions>;
  /** Builds a bushu watch some other way (the real firmware); the protocol fake by default. */
  makeWatch?: (o: { deviceId: string; seed: number; startUtcMs: number; offsetMin: number; key: Uint8Array }) => SimPeripheral;
}

export interface Fleet {
  world: SimWorld;
  bindings: FakeBindings;
  devices: Array<{ id: string; kind: 'bushu' | 'wechat' | 'infinitime'; peripheral: SimPeripheral; seed: number }>;
  close(): void;
}

export function deviceIdFor(i: number): string {
  return 'c0ffee' + (0x100 + i).toString(16).padStart(6, '0');
}

/** The key a simulated watch gets at flash time: derived from its id, so tests can verify tags. */
export function simKey(deviceId: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update('bushu-sim-key:' + deviceId).digest());
}

export function createFleet(o: FleetOptions): Fleet {
  const offsetMin = o.offsetMin ?? 480;
  const end = o.endUtcMs ?? Date.UTC(2026, 10, 21, 1, 0, 0);
  // Start at a local midnight, so the first simulated day is whole.
  const start = Math.floor((end + offsetMin * 60_000) / MS_PER_DAY - o.days) * MS_PER_DAY - offsetMin * 60_000;
  const world = new SimWorld(start, offsetMin);
  const devices: Fleet['devices'] = [];
  for (let i = 0; i < o.devices; i++) {
    const id = deviceIdFor(i);
    const seed = (o.seed ?? 1) * 1000 + i;
    const kind = !o.bushuOnly && o.devices >= 4 && i === o.devices - 1 ? 'infinitime' : !o.bushuOnly && o.devices >= 4 && i === o.devices - 2 ? 'wechat' : 'bushu';
    const common = { deviceId: id, seed, startUtcMs: start, offsetMin };
    const peripheral =
      kind === 'wechat' ? new SimulatedWeChatBand(common)
      : kind === 'infinitime' ? new SimulatedInfiniTime(common)
      : o.makeWatch ? o.makeWatch({ ...common, key: simKey(id) })
      : new ProtoWatch({ ...common, key: simKey(id) });
    world.add(id, peripheral);
    devices.push({ id, kind, peripheral, seed });
  }
  world.advanceTo(end);
  const bindings = new FakeBindings({ world, faults: o.faults, ...o.bindings });
  return { world, bindings, devices, close: () => bindings.close() };
}
