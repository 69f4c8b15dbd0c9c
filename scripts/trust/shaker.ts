// Phone-shaker days: the watch strapped to a mechanical shaker, a motorised swing or a
// metronome-like rocker for 6-10 hours, while its owner wears it the rest of the day. A pedometer
// counts the periodic motion as steps at the shaker's rate when that rate is in the gait range
// (1-3 Hz), so the watch records rate x time switched on, per minute. The variants are what a
// cheater can set up, from a plain fixed-rate shaker to one programmed to look less regular.
import type { DayNumbers } from '../../services/plausibility.ts';
import { between, dayNumbers, gaussian } from './day.ts';

export interface ShakerDay {
  variant: string;
  day: DayNumbers;
}

/** Per minute of the run: the rate in Hz and the share of the minute the shaker moved (0-1). */
type Program = (rand: () => number, minutes: number) => Array<{ rate: number; on: number }>;

const LOW_HZ = 1;
const HIGH_HZ = 3;
const clampRate = (r: number): number => Math.min(HIGH_HZ, Math.max(LOW_HZ, r));

const fixed: Program = (rand, minutes) => {
  const rate = between(rand, LOW_HZ, HIGH_HZ);
  return Array.from({ length: minutes }, () => ({ rate, on: 1 }));
};

/** The rate swept slowly from one end to the other over the run. */
const swept: Program = (rand, minutes) => {
  const a = between(rand, LOW_HZ, HIGH_HZ);
  const b = between(rand, LOW_HZ, HIGH_HZ);
  return Array.from({ length: minutes }, (_, m) => ({ rate: a + ((b - a) * m) / minutes, on: 1 }));
};

/** A timer switching it on and off: a period of 10-120 minutes, on 40-80% of it. */
const blocks: Program = (rand, minutes) => {
  const rate = between(rand, LOW_HZ, HIGH_HZ);
  const period = Math.round(between(rand, 10, 120));
  const onFor = Math.max(1, Math.round(period * between(rand, 0.4, 0.8)));
  return Array.from({ length: minutes }, (_, m) => ({ rate, on: m % period < onFor ? 1 : 0 }));
};

/** Adversarial: hours on, hours off (on 1.5-3 h, off 45-90 min), so no long unbroken run. */
const split: Program = (rand, minutes) => {
  const rate = between(rand, LOW_HZ, HIGH_HZ);
  const run: Array<{ rate: number; on: number }> = [];
  while (run.length < minutes) {
    const onFor = Math.round(between(rand, 90, 180));
    const offFor = Math.round(between(rand, 45, 90));
    for (let m = 0; m < onFor + offFor && run.length < minutes; m++) run.push({ rate, on: m < onFor ? 1 : 0 });
  }
  return run;
};

/** Adversarial: a new rate every hour, a few percent (2-5%) off the base. */
const jitter: Program = (rand, minutes) => {
  const base = between(rand, LOW_HZ * 1.05, HIGH_HZ / 1.05);
  const amount = between(rand, 0.02, 0.05);
  let rate = base;
  return Array.from({ length: minutes }, (_, m) => {
    if (m % 60 === 0) rate = base * (1 + amount * between(rand, -1, 1));
    return { rate, on: 1 };
  });
};

/** Adversarial: the rate wanders (a random walk, about 10-30% an hour) within the gait range. */
const wander: Program = (rand, minutes) => {
  let rate = between(rand, LOW_HZ, HIGH_HZ);
  const step = between(rand, 0.1, 0.3) / Math.sqrt(60); // per minute, so per hour ~ 10-30% of 1 Hz-ish
  return Array.from({ length: minutes }, () => {
    rate = clampRate(rate + step * gaussian(rand));
    return { rate, on: 1 };
  });
};

/** Adversarial: a fixed rate with pauses of 1-20 minutes inserted at random, 10-40% of the time. */
const pauses: Program = (rand, minutes) => {
  const rate = between(rand, LOW_HZ, HIGH_HZ);
  return withPauses(rand, Array.from({ length: minutes }, () => ({ rate, on: 1 })));
};

function withPauses(rand: () => number, run: Array<{ rate: number; on: number }>): Array<{ rate: number; on: number }> {
  const offShare = between(rand, 0.1, 0.4);
  // A pause of mean length 10.5 min starts with the probability that gives offShare in the long run.
  const startChance = offShare / (10.5 * (1 - offShare));
  let pausedFor = 0;
  for (const minute of run) {
    if (pausedFor === 0 && rand() < startChance) pausedFor = Math.round(between(rand, 1, 20));
    if (pausedFor > 0) {
      minute.on = 0;
      pausedFor--;
    }
  }
  return run;
}

/** Adversarial, everything at once: a wandering rate, hourly jumps of up to 20% and pauses. */
const combined: Program = (rand, minutes) => {
  const run = wander(rand, minutes);
  let factor = 1;
  run.forEach((minute, m) => {
    if (m % 60 === 0) factor = 1 + 0.2 * between(rand, -1, 1);
    minute.rate = clampRate(minute.rate * factor);
  });
  return withPauses(rand, run);
};

export const VARIANTS: Record<string, Program> = {
  'fixed rate': fixed,
  'swept rate': swept,
  'on/off blocks': blocks,
  'hours on, hours off': split,
  'hourly jitter 2-5%': jitter,
  'wandering rate': wander,
  'random pauses': pauses,
  'wander+jitter 20%+pauses': combined,
};

/**
 * One shaker day of the given variant. ownDay is the owner's own walking that day (a quiet walking
 * day): the hours the shaker runs replace it, since the watch is on the shaker, not on the owner.
 */
export function shakerDay(rand: () => number, variant: string, ownDay: DayNumbers): ShakerDay {
  const program = VARIANTS[variant];
  const minutes = Math.round(between(rand, 6, 10) * 60);
  const start = Math.round(between(rand, 0, 24 * 60 - minutes)); // minute of the day it is switched on
  const counts = new Array<number>(24).fill(0);
  program(rand, minutes).forEach(({ rate, on }, m) => {
    counts[Math.floor((start + m) / 60)] += rate * 60 * on;
  });
  const hours = ownDay.hours!.map((own, h) => {
    const shakerMinutes = Math.max(0, Math.min((h + 1) * 60, start + minutes) - Math.max(h * 60, start));
    // The owner's own steps in the rest of the hour, plus the shaker's counted within 0.5%
    // (a pedometer on a clean periodic signal is close to exact).
    const ownShare = own * (1 - shakerMinutes / 60);
    return Math.max(0, Math.round(ownShare + counts[h] * (1 + 0.005 * gaussian(rand))));
  });
  const notWorn = ownDay.notWornHours.filter((h) => Math.max(0, Math.min((h + 1) * 60, start + minutes) - Math.max(h * 60, start)) === 0);
  return { variant, day: dayNumbers(hours, notWorn) };
}
