// Plausibility rules: can a human have walked this day? Each rule is a pure function of the
// record's numbers. "reject" rules describe days no person walks (the request fails with 422 and
// nothing is stored); "flag" rules describe days that are possible but suspicious (stored and
// shown, but they earn no hongbao). docs/api.md lists them with their limits.
import type { PlausibilityLimits } from './config.ts';

export interface Finding {
  rule: 'daily_cap' | 'hourly_cadence' | 'steps_while_not_worn' | 'machine_regular';
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
  const over = hours.map((s, h) => ({ s, h })).filter((x) => x.s > maxPerHour);
  if (over.length === 0) return null;
  const list = over.map((x) => `hour ${x.h}: ${x.s}`).join(', ');
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
  ].filter((f): f is Finding => f !== null);
  return all.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'reject' ? -1 : 1));
}
