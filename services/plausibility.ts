// Plausibility rules: can a human have walked this day? Each rule is a pure function of the
// record's numbers. "reject" rules describe days no person walks (the request fails with 422 and
// nothing is stored); "flag" rules describe days that are possible but suspicious (stored and
// shown, but they earn no hongbao). docs/api.md lists them with their limits.
import type { PlausibilityLimits } from './config.ts';

export interface Finding {
  rule: 'daily_cap' | 'hourly_cadence' | 'steps_while_not_worn' | 'machine_regular' | 'steady_hours' | 'sustained_walking' | 'many_full_hours';
  severity: 'reject' | 'flag';
  detail: string;
}

/** A marathon is about 50,000 steps; more than the cap in one day is not a person walking. */
export function dailyCap(steps: number, cap: number): Finding | null {
  return steps > cap ? { rule: 'daily_cap', severity: 'reject', detail: `${steps} steps is above the daily cap of ${cap}` } : null;
}

/**
 * Sprinters reach about 200 steps a minute but nobody keeps it up for an hour; an hourly bucket
 * above 60 minutes of that is a shaker or a forged record.
 */
export function hourlyCadence(hours: number[] | null, maxPerHour: number): Finding | null {
  if (hours === null) return null;
  // Loops rather than map and filter: every delivery runs these rules, and a day passes them.
  let list = '';
  for (let h = 0; h < hours.length; h++) if (hours[h] > maxPerHour) list += `${list === '' ? '' : ', '}hour ${h}: ${hours[h]}`;
  if (list === '') return null;
  return { rule: 'hourly_cadence', severity: 'reject', detail: `above ${maxPerHour} steps in an hour (${list})` };
}

/** The watch said nobody wore it in these hours (no movement at all), yet it counted steps there. */
export function stepsWhileNotWorn(hours: number[] | null, notWornHours: number[]): Finding | null {
  if (hours === null) return null;
  const bad = notWornHours.filter((h) => hours[h] > 0);
  if (bad.length === 0) return null;
  return { rule: 'steps_while_not_worn', severity: 'flag', detail: `steps in hours reported as not worn: ${bad.join(', ')}` };
}

/**
 * People walk in bursts: their active hours differ a lot. A phone shaker or a motorised swing
 * gives near-identical counts hour after hour. Flag when at least minHours hours have steps and
 * their coefficient of variation (standard deviation / mean) is below maxCv.
 */
export function machineRegular(hours: number[] | null, minHours: number, maxCv: number): Finding | null {
  if (hours === null) return null;
  const active = hours.filter((s) => s > 0);
  if (active.length < minHours) return null;
  const mean = active.reduce((a, b) => a + b, 0) / active.length;
  const variance = active.reduce((a, s) => a + (s - mean) * (s - mean), 0) / active.length;
  const cv = Math.sqrt(variance) / mean;
  if (cv >= maxCv) return null;
  return {
    rule: 'machine_regular',
    severity: 'flag',
    detail: `${active.length} active hours vary by only ${(cv * 100).toFixed(1)}% (below ${(maxCv * 100).toFixed(1)}%)`,
  };
}

// Limits of the rules below, named here until they move to services/config.ts. They come from
// what a walking day looks like hour by hour, not from any generated day: `npm run bench:trust`
// measures them against shaker days and walking days built from real recordings.

/** Five hours of at least 1,000 steps each whose counts agree within +-3%. */
export const STEADY_MIN_HOURS = 5;
export const STEADY_MIN_STEPS = 1000;
export const STEADY_TOLERANCE = 0.03;

/**
 * A human day has hours whose counts differ by tens of percent: the walk to work is not the walk
 * to lunch. A machine at a fixed rate puts the same count in every hour it runs all the way
 * through, whatever the order of those hours and whatever happens in between (the hours it was
 * switched on or off in, the owner's own walking, a break): so look for many hours that agree
 * with each other, not at the whole day's spread as machineRegular does.
 */
export function steadyHours(hours: number[] | null): Finding | null {
  if (hours === null) return null;
  const busy = hours.filter((s) => s >= STEADY_MIN_STEPS);
  if (busy.length < STEADY_MIN_HOURS) return null;
  busy.sort((a, b) => a - b);
  // The largest group whose smallest and largest count are within +-tolerance of its middle: busy[from..to].
  let from = 0;
  let to = -1;
  for (let i = 0, j = 0; i < busy.length; i++) {
    if (j < i) j = i;
    while (j + 1 < busy.length && busy[j + 1] <= (busy[i] * (1 + STEADY_TOLERANCE)) / (1 - STEADY_TOLERANCE)) j++;
    if (j - i > to - from) [from, to] = [i, j];
  }
  const count = to - from + 1;
  if (count < STEADY_MIN_HOURS) return null;
  return {
    rule: 'steady_hours',
    severity: 'flag',
    detail: `${count} hours of ${busy[from]}-${busy[to]} steps agree within ${STEADY_TOLERANCE * 100}% (a machine's rate)`,
  };
}

/** Six hours in a row with at least 1,500 steps each. */
export const SUSTAINED_HOURS = 6;
export const SUSTAINED_MIN_STEPS = 1500;

/**
 * 1,500 steps is about 15 minutes of walking. People who walk a lot still sit down: a meal, a
 * desk, a bus, a film. Walking in every one of six hours in a row without any hour of rest is a
 * hike or a shift on one's feet, and a device left running: flag it (a flag withholds the
 * hongbao for a person to look at; it does not reject the day).
 */
export function sustainedWalking(hours: number[] | null): Finding | null {
  if (hours === null) return null;
  let run = 0;
  for (let h = 0; h < hours.length; h++) {
    run = hours[h] >= SUSTAINED_MIN_STEPS ? run + 1 : 0;
    if (run === SUSTAINED_HOURS) {
      // report the whole run, however long it goes on
      let end = h;
      while (end + 1 < hours.length && hours[end + 1] >= SUSTAINED_MIN_STEPS) end++;
      const start = h - SUSTAINED_HOURS + 1;
      return {
        rule: 'sustained_walking',
        severity: 'flag',
        detail: `at least ${SUSTAINED_MIN_STEPS} steps in every hour from ${start} to ${end} (${end - start + 1} hours without rest)`,
      };
    }
  }
  return null;
}

/** Five hours of at least 3,600 steps each, anywhere in the day. */
export const FULL_HOURS = 5;
export const FULL_HOUR_STEPS = 3600;

/**
 * 3,600 steps in an hour is 60 a minute averaged over the hour: walking for most of it at an
 * ordinary 100-120 steps a minute. An active person has one to three such hours on a long-walk
 * day; five of them (25 km or more of walking) with the hours in between at rest is what a
 * shaker switched on and off by a timer gives.
 */
export function manyFullHours(hours: number[] | null): Finding | null {
  if (hours === null) return null;
  let count = 0;
  for (const s of hours) if (s >= FULL_HOUR_STEPS) count++;
  if (count < FULL_HOURS) return null;
  const full = hours.flatMap((s, h) => (s >= FULL_HOUR_STEPS ? [h] : []));
  return { rule: 'many_full_hours', severity: 'flag', detail: `${count} hours with at least ${FULL_HOUR_STEPS} steps (hours ${full.join(', ')})` };
}

export interface DayNumbers {
  steps: number;
  hours: number[] | null;
  notWornHours: number[];
}

/** Every rule's finding, rejections first. */
export function checkPlausibility(day: DayNumbers, limits: PlausibilityLimits): Finding[] {
  const all = [
    dailyCap(day.steps, limits.dailyCap),
    hourlyCadence(day.hours, limits.maxStepsPerHour),
    stepsWhileNotWorn(day.hours, day.notWornHours),
    machineRegular(day.hours, limits.regularMinHours, limits.regularMaxCv),
    steadyHours(day.hours),
    sustainedWalking(day.hours),
    manyFullHours(day.hours),
  ].filter((f): f is Finding => f !== null);
  return all.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'reject' ? -1 : 1));
}
