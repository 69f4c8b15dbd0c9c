// What each device walks during the simulated week: a seeded target per device-day, split into
// walks of 5 to 30 minutes spread over the waking hours. Only walking is generated (no samples
// between walks): the simulator skips idle time, which keeps a week down to seconds.
//
// Targets are picked on either side of the 8,000 goal with a margin (the firmware's count of a
// generated walk is within a percent or two of its steps), so every user has days above and
// below. Alice's Puck.js beats her watch on two days, one of which only the Puck gets over the
// goal: the leaderboard's max-of-devices rule decides that day.
import { random } from '../sim/signals.ts';
import type { DemoDevice } from './roster.ts';
import { localToUtc, type Week } from './week.ts';
import { MS_PER_MINUTE } from '../shared/days.ts';

export interface PlannedWalk {
  startMs: number; // UTC
  steps: number;
  cadence: number; // steps per second
  seed: number; // for the signal generator
}

export interface DayPlan {
  day: number; // wire day
  target: number; // steps planned (the watch counts about this many)
  walks: PlannedWalk[];
}

export interface DevicePlan {
  device: DemoDevice;
  days: DayPlan[];
}

/** `full`: the demo. `light`: fewer samples for tests (days just over the goal, low days low). */
export type Profile = 'full' | 'light';

interface Ranges {
  above: [number, number];
  below: [number, number];
  today: [number, number];
  /** How many more steps the second device counts on the days it beats the main watch. */
  bump: [number, number];
}

const RANGES: Record<Profile, Ranges> = {
  full: { above: [8700, 11500], below: [4500, 7000], today: [2500, 8500], bump: [1500, 3000] },
  light: { above: [8400, 8800], below: [500, 1500], today: [500, 1200], bump: [300, 800] },
};

const WAKE_MIN = 7 * 60; // walks happen between 07:00
const SLEEP_MIN = 21 * 60; // and 21:00 local

function pick(rand: () => number, [lo, hi]: [number, number]): number {
  return Math.round(lo + rand() * (hi - lo));
}

/** Small stable hash so each walk gets its own signal seed. */
function mix(...parts: Array<number | string>): number {
  let h = 2166136261;
  for (const c of parts.join('|')) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/** Per user: which closed days are above the goal; at least two above and two below. */
function aboveDays(rand: () => number, closed: number): boolean[] {
  const above = Array.from({ length: closed }, () => rand() < 0.5);
  const count = (v: boolean) => above.filter((a) => a === v).length;
  // with 6 closed days at most one of these fixes applies, and it cannot undo the other
  if (count(true) < 2) above[1] = above[4] = true;
  if (count(false) < 2) above[0] = above[3] = false;
  return above;
}

export function planWeek(seed: number, week: Week, devices: readonly DemoDevice[], profile: Profile = 'full'): DevicePlan[] {
  const ranges = RANGES[profile];
  const closed = week.days.length - 1;
  const targets = new Map<string, number[]>(); // first device of each user: the main watch
  const plans: DevicePlan[] = [];
  for (const device of devices) {
    const rand = random(mix(seed, device.id));
    let t: number[];
    const main = targets.get(device.user);
    if (main === undefined) {
      const above = aboveDays(rand, closed);
      t = above.map((a) => pick(rand, a ? ranges.above : ranges.below));
      t.push(pick(rand, ranges.today));
      targets.set(device.user, t);
    } else {
      t = secondDevice(rand, main, ranges);
    }
    plans.push({
      device,
      days: week.days.map((day, i) => {
        const last = i === week.days.length - 1;
        const endMin = last ? Math.round((week.endMs - localToUtc(day, 0, week.utcOffsetMin)) / MS_PER_MINUTE) - 30 : SLEEP_MIN;
        return { day, target: t[i], walks: splitIntoWalks(rand, mix(seed, device.id, day), t[i], day, endMin, week.utcOffsetMin) };
      }),
    });
  }
  return plans;
}

/** A second device of the same user: usually fewer steps (a Puck on a keyring stays behind
 * sometimes), but on two closed days more, one of them being a day the main watch missed the goal. */
function secondDevice(rand: () => number, main: number[], ranges: Ranges): number[] {
  const closed = main.length - 1;
  const lowDay = main.findIndex((s, i) => i < closed && s < ranges.above[0]);
  const other = lowDay === 0 ? closed - 1 : 0;
  return main.map((s, i) => {
    if (i === lowDay) return pick(rand, ranges.above);
    if (i === other) return s + pick(rand, ranges.bump);
    return Math.round(s * (0.55 + rand() * 0.3));
  });
}

/** Walks of 700 to 3,000 steps, one per equal slot of the waking window, so they never overlap. */
function splitIntoWalks(rand: () => number, seed: number, target: number, day: number, endMin: number, offsetMin: number): PlannedWalk[] {
  const sizes: number[] = [];
  let left = target;
  while (left > 0) {
    let n = Math.min(left, 700 + Math.round(rand() * 2300));
    if (left - n < 300) n = left; // no tiny tail walk: the pedometer needs a few seconds to lock on
    sizes.push(n);
    left -= n;
  }
  const slot = (endMin - WAKE_MIN) / sizes.length;
  return sizes.map((steps, i) => {
    const cadence = 1.6 + rand() * 0.5;
    const minutes = (steps / cadence) * 1.05 / 60 + 1;
    const startMin = WAKE_MIN + i * slot + rand() * Math.max(0, slot - minutes);
    return { startMs: localToUtc(day, 0, offsetMin) + Math.round(startMin * MS_PER_MINUTE), steps, cadence, seed: mix(seed, i) };
  });
}
