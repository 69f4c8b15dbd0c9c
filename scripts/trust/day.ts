// A generated day as the watch would report it: step times bucketed into the 24 local hours,
// with the hours in which the watch saw no movement at all (not worn).
import type { DayNumbers } from '../../services/plausibility.ts';

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

/** Steps per hour from step times (ms from local midnight); steps outside the day are dropped. */
export function bucketHours(times: Iterable<number>): number[] {
  const hours = new Array<number>(24).fill(0);
  for (const t of times) if (t >= 0 && t < MS_PER_DAY) hours[Math.floor(t / MS_PER_HOUR)]++;
  return hours;
}

/** The day's numbers: hours that the watch spent off the wrist must be step-free. */
export function dayNumbers(hours: number[], notWornHours: number[]): DayNumbers {
  return { steps: hours.reduce((a, b) => a + b, 0), hours, notWornHours: notWornHours.filter((h) => hours[h] === 0) };
}

/** Uniform in [lo, hi). */
export function between(rand: () => number, lo: number, hi: number): number {
  return lo + rand() * (hi - lo);
}

/** Standard normal, by Box-Muller. */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}
