// Real-walk-like days. The step timing comes from the recordings (timing.ts); this file decides
// only when a person walks: awake from 06:00-09:00 to 21:30-24:00, pottering about the house and
// office all day in short bursts, on workdays a commute walk each way, errands, and on active days
// a long walk. A day's target is drawn between 2,000 and 25,000 steps (uniform in log, so quiet
// days are as common as busy ones) and the pieces are sized to reach it.
import type { DayNumbers } from '../../services/plausibility.ts';
import { MS_PER_HOUR, MS_PER_MINUTE, between, bucketHours, dayNumbers } from './day.ts';
import type { Stretch } from './timing.ts';

/** Stretches at least this long are walks; shorter ones are the bursts of pottering about. */
const WALK_STRETCH_STEPS = 300;

export interface WalkingDay {
  variant: string;
  day: DayNumbers;
}

export interface Texture {
  walks: Stretch[];
  bursts: Stretch[];
}

export function texture(all: Stretch[]): Texture {
  const walks = all.filter((s) => s.times.length >= WALK_STRETCH_STEPS);
  const bursts = all.filter((s) => s.times.length < WALK_STRETCH_STEPS);
  if (walks.length === 0 || bursts.length === 0) throw new Error('the recordings hold no long walk or no short burst of steps');
  return { walks, bursts };
}

function pickOne<T>(rand: () => number, list: T[]): T {
  return list[Math.floor(rand() * list.length)];
}

/**
 * `steps` steps of real walking from startMs: read a recorded walk from a random point and, when it
 * ends, carry on with another after a short stop (a crossing, a shop door). Returns the step times.
 */
function walk(rand: () => number, tex: Texture, startMs: number, steps: number): number[] {
  const out: number[] = [];
  let t = startMs;
  while (out.length < steps) {
    const s = pickOne(rand, tex.walks).times;
    const from = Math.floor(rand() * (s.length - 1));
    for (let i = from; i < s.length && out.length < steps; i++) out.push(t + s[i] - s[from]);
    t = out[out.length - 1] + between(rand, 10_000, 90_000);
  }
  return out;
}

/** A whole short burst (a few dozen steps: to the printer, the kitchen, the car). */
function burst(rand: () => number, tex: Texture, startMs: number): number[] {
  return pickOne(rand, tex.bursts).times.map((t) => startMs + t);
}

/** Time a walk of `steps` takes at a slow 70 steps a minute with its stops, for placing it. */
function walkSpan(steps: number): number {
  return (steps / 70) * MS_PER_MINUTE;
}

class Timeline {
  private busy: Array<[number, number]> = [];
  constructor(
    readonly wake: number,
    readonly bed: number,
  ) {}
  free(start: number, span: number): boolean {
    return start >= this.wake && start + span <= this.bed && this.busy.every(([a, b]) => start + span <= a || start >= b);
  }
  take(start: number, span: number): void {
    this.busy.push([start, start + span]);
  }
  /** A free start near `around` (within `spread`), or anywhere free, or null. */
  place(rand: () => number, span: number, around: number | null, spread: number): number | null {
    for (let attempt = 0; attempt < 60; attempt++) {
      const start = around !== null && attempt < 30 ? around + between(rand, -spread, spread) : between(rand, this.wake, this.bed - span);
      if (this.free(start, span)) {
        this.take(start, span);
        return start;
      }
    }
    return null;
  }
}

/** A day with a target between low and high steps (2,000-25,000 for the benchmark's walkers). */
export function walkingDay(rand: () => number, tex: Texture, low: number, high: number): WalkingDay {
  const target = Math.round(Math.exp(between(rand, Math.log(low), Math.log(high))));
  const wake = between(rand, 6, 9) * MS_PER_HOUR;
  const bed = between(rand, 21.5, 24) * MS_PER_HOUR;
  const line = new Timeline(wake, bed);
  const times: number[] = [];
  const workday = rand() < 5 / 7;
  let left = target;
  const addWalk = (steps: number, around: number | null, spread: number): void => {
    steps = Math.min(Math.round(steps), left);
    if (steps < 50) return;
    const start = line.place(rand, walkSpan(steps), around, spread);
    if (start === null) return;
    times.push(...walk(rand, tex, start, steps));
    left -= steps;
  };

  // Pottering: 1,000-4,000 steps a day (at most half the target) in bursts anywhere awake.
  let pottering = Math.min(between(rand, 1000, 4000), target / 2);
  while (pottering > 0) {
    const b = burst(rand, tex, between(rand, wake, bed - 5 * MS_PER_MINUTE));
    times.push(...b);
    pottering -= b.length;
    left -= b.length;
  }
  if (workday) {
    addWalk(between(rand, 300, 2500), wake + between(rand, 0.5, 1.5) * MS_PER_HOUR, 10 * MS_PER_MINUTE);
    addWalk(between(rand, 300, 2500), between(rand, 17, 19.5) * MS_PER_HOUR, 15 * MS_PER_MINUTE);
  }
  // The long walk (or, past 12,000 steps, two: a morning hike and an evening stroll).
  if (left > 3000) {
    const share = between(rand, 0.5, 1) * left;
    if (share > 12000) {
      addWalk(share * between(rand, 0.5, 0.75), null, 0);
      addWalk(left, null, 0);
    } else addWalk(share, null, 0);
  }
  // Errands take what is left.
  for (let tries = 0; left >= 50 && tries < 40; tries++) addWalk(between(rand, 200, 1500), null, 0);

  // The watch comes off for the night: the hours wholly outside the waking day are not worn.
  const notWorn = Array.from({ length: 24 }, (_, h) => h).filter((h) => (h + 1) * MS_PER_HOUR <= wake || h * MS_PER_HOUR >= bed);
  const kind = target < 8000 ? 'quiet (2k-8k)' : target < 15000 ? 'active (8k-15k)' : 'very active (15k-25k)';
  return { variant: kind, day: dayNumbers(bucketHours(times), notWorn) };
}
