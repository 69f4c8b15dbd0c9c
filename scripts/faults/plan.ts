// A trial's seeded fault plan, in world time: who wears which watches, the faults the bridge
// child injects itself (link faults at every phase, reboots, wipes, stray time and zone writes),
// and those the orchestrator injects (service outages, kills of the bridge and of the services,
// the bridge database deleted, the bridge's clock skew per run).
import { MS_PER_DAY } from '../../shared/days.ts';
import { encodeCurrentTime, utcMsToCurrentTime } from '../../shared/protocol/index.ts';
import { rng } from '../../test/kits/prng.ts';
import type { ChildFault, WatchSpec } from './types.ts';

const HOUR = 3_600_000;
export const OFFSET_MIN = 480;

export interface Plan {
  seed: number;
  watches: WatchSpec[];
  startMs: number;
  /** Faults stop here; the fault-free tail runs to tailEnd. */
  planEnd: number;
  tailEnd: number;
  childFaults: ChildFault[];
  outages: Array<{ from: number; to: number }>;
  /** Requests (counted at the proxy) at which the services are SIGKILLed. */
  serviceKillsAt: number[];
  /** Most bridge kills; each lands a random number of child output lines after the last. */
  bridgeKills: number;
  /** Chance that a bridge kill also deletes the bridge's database (a reinstall). */
  reinstallChance: number;
  random: () => number;
}

const LINKS = ['dropDuringDiscovery', 'dropDuringHistory', 'garbage', 'duplicate', 'reorder', 'truncate'] as const;

export function makePlan(seed: number, days = 3): Plan {
  const random = rng(seed * 7919 + 1);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  // Starts at a local midnight in late 2026, a few hours before the first sync.
  const startMs = Date.UTC(2026, 10, 2 + int(0, 20)) - OFFSET_MIN * 60_000;
  const planEnd = startMs + days * MS_PER_DAY + int(0, 12) * HOUR;
  const tailEnd = planEnd + 40 * HOUR;
  const watches: WatchSpec[] = [{ id: 'c0ffee000100', user: 'ann', board: 'BANGLEJS2', seed: seed * 10 + 1 }];
  if (random() < 0.5) watches.push({ id: 'c0ffee000101', user: 'ann', board: 'BANGLEJS2', seed: seed * 10 + 2 });
  watches.push({ id: 'c0ffee000102', user: 'bo', board: random() < 0.3 ? 'PUCKJS2' : 'BANGLEJS2', seed: seed * 10 + 3 });
  const when = () => startMs + Math.floor(random() * (planEnd - startMs));
  const childFaults: ChildFault[] = [];
  for (let i = int(3, 8); i > 0; i--) childFaults.push({ at: when(), kind: 'link', device: pick(watches).id, link: pick(LINKS), after: int(0, 6) });
  for (let i = int(0, 2); i > 0; i--) childFaults.push({ at: when(), kind: 'reboot', device: pick(watches).id });
  if (random() < 0.25) childFaults.push({ at: when(), kind: 'wipe', device: pick(watches).id });
  for (let i = int(0, 2); i > 0; i--) {
    const at = when();
    // Another central sets the watch's time: near the truth, far off, or bytes out of range.
    const r = random();
    const t = r < 0.4 ? at + int(-120, 120) * 60_000 : r < 0.7 ? at + int(-40, 40) * MS_PER_DAY : 0;
    const currentTime = r < 0.7 ? [...encodeCurrentTime(utcMsToCurrentTime(t, OFFSET_MIN))] : Array.from({ length: 10 }, () => int(0, 255));
    const localTimeInfo = random() < 0.5 ? null : [int(0, 255), int(0, 8)];
    childFaults.push({ at, kind: 'stray', device: pick(watches).id, currentTime: random() < 0.8 ? currentTime : null, localTimeInfo });
  }
  const outages: Plan['outages'] = [];
  for (let i = int(0, 2); i > 0; i--) {
    const from = when();
    const r = random();
    const length = r < 0.4 ? int(1, 120) * 1000 : r < 0.8 ? int(2, 60) * 60_000 : int(1, 6) * HOUR;
    outages.push({ from, to: Math.min(from + length, planEnd) });
  }
  const serviceKillsAt: number[] = [];
  for (let i = int(0, 2), at = 0; i > 0; i--) serviceKillsAt.push((at += int(1, 40)));
  return { seed, watches, startMs, planEnd, tailEnd, childFaults, outages, serviceKillsAt, bridgeKills: int(0, 4), reinstallChance: 0.15, random };
}

/** A bridge run's clock skew: none half the time, else up to a day either way. */
export function skewFor(random: () => number): number {
  return random() < 0.5 ? 0 : Math.round((random() * 2 - 1) * MS_PER_DAY);
}
