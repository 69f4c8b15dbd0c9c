// Who walks when, per simulated day: a few bursts of walking at plausible hours, seeded per
// device and day so every run (and every test) sees the same days. Totals spread around the
// 8,000-step goal, so some days pass it and some do not.

import { random } from '../signals.ts';
import { MS_PER_DAY, MS_PER_HOUR } from '../../shared/days.ts';

export interface Burst {
  /** ms after local midnight */
  startMs: number;
  steps: number;
  /** steps per second */
  cadence: number;
}

/** Deterministic bursts for one local day (days since 1970). */
export function daySchedule(seed: number, day: number): Burst[] {
  const rand = random((seed * 7919 + day * 104729) >>> 0);
  const target = Math.round(3000 + rand() * 9000); // 3,000..12,000: about half the days pass 8,000
  const n = 3 + Math.floor(rand() * 4);
  const bursts: Burst[] = [];
  let left = target;
  for (let i = 0; i < n; i++) {
    const steps = i === n - 1 ? left : Math.round((left / (n - i)) * (0.6 + rand() * 0.8));
    left -= steps;
    // 07:00..21:00, in separate slots so bursts never overlap
    const slot = (14 * MS_PER_HOUR) / n;
    bursts.push({ startMs: 7 * MS_PER_HOUR + i * slot + Math.floor(rand() * slot * 0.3), steps, cadence: 1.6 + rand() * 0.4 });
  }
  return bursts;
}

export function dayTotal(seed: number, day: number): number {
  return daySchedule(seed, day).reduce((s, b) => s + b.steps, 0);
}

/**
 * Steps due between two local times (ms since 1970 on the local clock), credited pro rata as
 * each burst progresses, so hourly counts and "midnight during a walk" come out right.
 */
export function stepsBetween(seed: number, fromLocalMs: number, toLocalMs: number): number {
  if (toLocalMs <= fromLocalMs) return 0;
  let total = 0;
  for (let day = Math.floor(fromLocalMs / MS_PER_DAY); day <= Math.floor(toLocalMs / MS_PER_DAY); day++) {
    for (const b of daySchedule(seed, day)) {
      const start = day * MS_PER_DAY + b.startMs;
      const dur = (b.steps / b.cadence) * 1000;
      total += done(b.steps, start, dur, toLocalMs) - done(b.steps, start, dur, fromLocalMs);
    }
  }
  return total;
}

function done(steps: number, start: number, dur: number, t: number): number {
  if (t <= start) return 0;
  if (t >= start + dur) return steps;
  return Math.floor((steps * (t - start)) / dur);
}
