// Synthetic accelerometer signals with a known step count, for tests and the wearable simulator.
//
// Walking is modelled from its physics, not from recordings: the arm is a pendulum from the
// shoulder that swings once per stride (two steps); the body bounces up and is jolted at every
// heel strike; the watch sits on the wrist at some roll angle and reads gravity plus all of this
// (a specific force) in its own rotating frame. Non-walking signals (stillness, a car, typing, an
// arm wave) are what a detector must ignore. Everything is seeded, so a test is repeatable.

import type { Recording } from '../shared/recording/recording.ts';

/** Standard gravity, m/s^2. */
export const G = 9.81;
const COUNTS_PER_MS2 = 8192 / G;

/**
 * Seeded PRNG, uniform in [0, 1): a 32-bit linear congruential generator (constants from
 * Numerical Recipes) with the top bits used, which is plenty for shaping test signals.
 */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A standard normal variate (Box-Muller) from the seeded uniform generator. */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** How samples are taken: rate, timing jitter, dropped polls, sensor noise. */
export interface Sampling {
  rateHz: number; // 12.5 (Bangle.js 2) or 25
  jitterMs: number; // +- uniform jitter on each timestamp
  dropRate: number; // probability that a poll is lost (a gap of one or more periods)
  noiseCounts: number; // sensor noise, standard deviation in raw counts (8192 = 1 g)
  // A logger that loses polls in runs (busy writing, a radio slot missed): a run is 1 to
  // dropBurst consecutive polls, uniformly, and the poll after a run is kept, so no gap is longer
  // than dropBurst + 1 periods. Absent: each poll is lost on its own.
  dropBurst?: number;
}

export const BANGLE_SAMPLING: Sampling = { rateHz: 12.5, jitterMs: 4, dropRate: 0.02, noiseCounts: 20 };

/** A specific force in the watch frame (m/s^2) as a function of time in seconds. */
export type Motion = (t: number) => [number, number, number];

/** Samples a motion into a recording, starting `startMs` after the recording began. */
export function sample(motion: Motion, seconds: number, s: Sampling, rand: () => number, startMs = 0): Recording {
  const rec: Recording = { t: [], x: [], y: [], z: [] };
  const period = 1000 / s.rateHz;
  let last = -Infinity;
  let afterRun = false; // the poll after a run of lost ones (dropBurst): always kept
  for (let k = 0; k * period < seconds * 1000; k++) {
    if (!afterRun && rand() < s.dropRate) {
      if (s.dropBurst !== undefined) {
        k += Math.floor(rand() * s.dropBurst);
        afterRun = true;
      }
      continue;
    }
    afterRun = false;
    const t = Math.round(startMs + k * period + (rand() * 2 - 1) * s.jitterMs);
    if (t <= last) continue;
    last = t;
    const f = motion((t - startMs) / 1000);
    rec.t.push(t);
    rec.x.push(Math.round(f[0] * COUNTS_PER_MS2 + gaussian(rand) * s.noiseCounts));
    rec.y.push(Math.round(f[1] * COUNTS_PER_MS2 + gaussian(rand) * s.noiseCounts));
    rec.z.push(Math.round(f[2] * COUNTS_PER_MS2 + gaussian(rand) * s.noiseCounts));
  }
  return rec;
}

export interface Walk {
  seed: number;
  steps: number;
  cadence: number; // steps per second (1.2 to 2.5 for walking)
  swingRad?: number; // arm swing amplitude, radians (0.08 gentle to 0.5 brisk); default 0.3
  bounceG?: number; // vertical body acceleration at each step, in g; default 0.15
  wrist?: 'left' | 'right';
  roll?: number; // how the watch sits on the wrist, radians; default random in +-0.6
  sampling?: Sampling;
}

export interface Generated {
  rec: Recording;
  steps: number;
}

/** Where a gait is at time t: phase phi (pi per step: 0 at the first heel strike) and its rate. */
export interface GaitPhase {
  phi: number;
  rate: number; // phase per second
}

/**
 * The timing of `steps` steps at `cadence` steps per second, each step a few percent longer or
 * shorter than the last, as real steps are. `at(t)` is fastest when t only grows (it keeps its place).
 */
export function gait(rand: () => number, steps: number, cadence: number): { seconds: number; at: (t: number) => GaitPhase } {
  const stepAt: number[] = [0];
  for (let i = 0; i < steps; i++) stepAt.push(stepAt[i] + (1 + (rand() - 0.5) * 0.08) / cadence);
  let idx = 0;
  const at = (t: number): GaitPhase => {
    while (idx < steps - 1 && t >= stepAt[idx + 1]) idx++;
    while (idx > 0 && t < stepAt[idx]) idx--;
    const dur = stepAt[idx + 1] - stepAt[idx];
    return { phi: idx * Math.PI + Math.min(1, Math.max(0, (t - stepAt[idx]) / dur)) * Math.PI, rate: Math.PI / dur };
  };
  return { seconds: stepAt[steps], at };
}

/** A walk of exactly `steps` steps, with cadence wandering a few percent from step to step. */
export function walk(w: Walk): Generated {
  const rand = random(w.seed);
  const swing = w.swingRad ?? 0.3;
  const bounce = (w.bounceG ?? 0.15) * G;
  const arm = 0.65; // shoulder to wrist, metres
  const mirror = w.wrist === 'right' ? -1 : 1;
  const drawn = (rand() - 0.5) * 1.2; // drawn even when given, so a seed gives the same steps
  const roll = w.roll ?? drawn; // how the watch sits on the wrist
  const { seconds, at } = gait(rand, w.steps, w.cadence);
  const motion: Motion = (t) => {
    const { phi, rate } = at(t);
    const th = swing * Math.sin(phi);
    const thd = swing * Math.cos(phi) * rate;
    const thdd = -swing * Math.sin(phi) * rate * rate;
    // Body: bounce and heel-strike jolt once per step (2*phi), a little forward surge, lateral sway.
    const up = bounce * (Math.cos(2 * phi) + 0.4 * Math.cos(4 * phi + 0.5));
    const fwd = 0.3 * bounce * Math.sin(2 * phi);
    const lat = 0.05 * G * Math.sin(phi) * mirror;
    const fFwd = arm * thdd * Math.cos(th) - arm * thd * thd * Math.sin(th) + fwd;
    const fUp = arm * thdd * Math.sin(th) + arm * thd * thd * Math.cos(th) + up + G;
    // Into the arm frame: u along the arm (pointing down), v along the swing.
    const fu = fFwd * Math.sin(th) - fUp * Math.cos(th);
    const fv = fFwd * Math.cos(th) + fUp * Math.sin(th);
    return [fu, Math.cos(roll) * fv + Math.sin(roll) * lat, -Math.sin(roll) * fv + Math.cos(roll) * lat];
  };
  return { rec: sample(motion, seconds, w.sampling ?? BANGLE_SAMPLING, rand), steps: w.steps };
}

/** A random orientation of gravity, for a wrist at rest in some posture. */
export function posture(rand: () => number): [number, number, number] {
  const a = rand() * Math.PI;
  const b = rand() * 2 * Math.PI;
  return [G * Math.sin(a) * Math.cos(b), G * Math.sin(a) * Math.sin(b), G * Math.cos(a)];
}

/** A wrist lying still: gravity and sensor noise only. */
export function still(seed: number, seconds: number, sampling = BANGLE_SAMPLING): Generated {
  const rand = random(seed);
  const g = posture(rand);
  return { rec: sample(() => g, seconds, sampling, rand), steps: 0 };
}

/** Driving: engine and road vibration, bumps, and slow sway in bends. */
export function car(seed: number, seconds: number, sampling = BANGLE_SAMPLING): Generated {
  const rand = random(seed);
  const g = posture(rand);
  const motion: Motion = (t) => {
    const sway = 0.08 * G * Math.sin(2 * Math.PI * 0.15 * t);
    const bump = rand() < 0.02 ? (rand() - 0.5) * 0.4 * G : 0;
    const buzz = () => (rand() - 0.5) * 0.06 * G;
    return [g[0] + sway + buzz(), g[1] + buzz() + bump, g[2] + buzz() + bump];
  };
  return { rec: sample(motion, seconds, sampling, rand), steps: 0 };
}

/** Typing at a desk: small irregular taps on a wrist that otherwise rests. */
export function typing(seed: number, seconds: number, sampling = BANGLE_SAMPLING): Generated {
  const rand = random(seed);
  const g = posture(rand);
  const motion: Motion = () => {
    const tap = rand() < 0.3 ? (rand() - 0.5) * 0.1 * G : 0;
    return [g[0] + tap, g[1] + tap * 0.5, g[2] - tap];
  };
  return { rec: sample(motion, seconds, sampling, rand), steps: 0 };
}

/** A single wave of the arm (three big swings in about three seconds), then rest. */
export function armWave(seed: number, seconds: number, sampling = BANGLE_SAMPLING): Generated {
  const rand = random(seed);
  const motion: Motion = (t) => {
    const th = t > 1 && t < 4 ? 1.0 * Math.sin(2 * Math.PI * (t - 1)) : 0;
    return [G * Math.cos(th), G * Math.sin(th), 0];
  };
  return { rec: sample(motion, seconds, sampling, rand), steps: 0 };
}

/** Joins recordings end to end, each continuing 80 ms after the previous one ends. */
export function concat(parts: Generated[]): Generated {
  const rec: Recording = { t: [], x: [], y: [], z: [] };
  let offset = 0;
  let steps = 0;
  for (const p of parts) {
    const n = p.rec.t.length;
    for (let i = 0; i < n; i++) {
      rec.t.push(p.rec.t[i] + offset);
      rec.x.push(p.rec.x[i]);
      rec.y.push(p.rec.y[i]);
      rec.z.push(p.rec.z[i]);
    }
    if (n > 0) offset = rec.t[rec.t.length - 1] + 80;
    steps += p.steps;
  }
  return { rec, steps };
}

/** A recording as CSV in the project's recording format. */
export function toCsv(rec: Recording): string {
  const lines = ['Time (ms),X,Y,Z'];
  for (let i = 0; i < rec.t.length; i++) lines.push(`${rec.t[i]},${rec.x[i]},${rec.y[i]},${rec.z[i]}`);
  return lines.join('\n') + '\n';
}
