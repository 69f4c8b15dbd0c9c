// Synthetic recordings of the failure modes in issue 14, each modelled from its physics (like
// signals.ts) so that a test can state what the detector should do and show that it does not yet.
// Every generator is seeded and returns the true step count with the recording.

import type { Recording } from '../shared/recording/recording.ts';
import {
  BANGLE_SAMPLING,
  G,
  concat,
  gait,
  random,
  sample,
  walk,
  type Generated,
  type Motion,
  type Sampling,
} from './signals.ts';

const COUNTS_PER_G = 8192;

/**
 * Smooth random motion of unit rms with a flat spectrum from lowHz to highHz: a sum of sinusoids
 * of random frequency and phase. Nothing in it repeats, yet any short stretch looks like a wave.
 */
export function smoothRandom(rand: () => number, lowHz: number, highHz: number, components = 24): (t: number) => number {
  const freq: number[] = [];
  const phase: number[] = [];
  for (let i = 0; i < components; i++) {
    freq.push(lowHz + rand() * (highHz - lowHz));
    phase.push(rand() * 2 * Math.PI);
  }
  const scale = Math.sqrt(2 / components);
  return (t) => {
    let v = 0;
    for (let i = 0; i < components; i++) v += Math.sin(2 * Math.PI * freq[i] * t + phase[i]);
    return v * scale;
  };
}

/** Adds a motion (m/s^2, in the watch frame) to a recording's samples from `fromS` to `toS`. */
function overlay(rec: Recording, motion: Motion, fromS: number, toS: number): void {
  const t0 = rec.t.length > 0 ? rec.t[0] : 0;
  for (let i = 0; i < rec.t.length; i++) {
    const t = (rec.t[i] - t0) / 1000;
    if (t < fromS || t >= toS) continue;
    const f = motion(t);
    rec.x[i] += Math.round((f[0] / G) * COUNTS_PER_G);
    rec.y[i] += Math.round((f[1] / G) * COUNTS_PER_G);
    rec.z[i] += Math.round((f[2] / G) * COUNTS_PER_G);
  }
}

/** Rotates a specific force from the body frame (forward, up, left) into a device pitched and rolled. */
function toDevice(forward: number, up: number, left: number, pitch: number, roll: number): [number, number, number] {
  const x = forward * Math.cos(pitch) + up * Math.sin(pitch);
  const across = -forward * Math.sin(pitch) + up * Math.cos(pitch);
  return [x, Math.cos(roll) * left + Math.sin(roll) * across, -Math.sin(roll) * left + Math.cos(roll) * across];
}

// 1. Brisk walking with the device held in the hand.

export interface HandHeld {
  seed: number;
  steps: number;
  cadence: number; // steps per second
  bounceG?: number; // vertical jolt of the hand at each step, in g; default 0.12
  asymmetry?: number; // one step stronger than the other by this fraction; default 0.05
  sampling?: Sampling;
}

/**
 * A device held in front (a phone read while walking, or a watch on the hand that holds it): the
 * arm does not swing, so the hand follows the body, which is jolted at every heel strike. The
 * jolt is sharp, so besides the step rate it has strong 2nd and 3rd harmonics, and the wrist
 * nods with it; both steps look alike but for a small left/right difference. All three axes
 * therefore repeat every step, not every stride as a swinging arm does.
 */
export function handHeldWalk(w: HandHeld): Generated {
  const rand = random(w.seed);
  const jolt = (w.bounceG ?? 0.12) * G;
  const asymmetry = w.asymmetry ?? 0.05;
  const pitch = 0.5 + rand() * 0.4; // screen tilted towards the face
  const roll = (rand() - 0.5) * 0.6;
  const { seconds, at } = gait(rand, w.steps, w.cadence);
  const motion: Motion = (t) => {
    const { phi } = at(t);
    const side = Math.floor(phi / Math.PI) % 2 === 0 ? 1 + asymmetry : 1 - asymmetry;
    const s = 2 * phi; // one cycle per step
    const up = jolt * side * (Math.cos(s) + 0.6 * Math.cos(2 * s + 0.7) + 0.4 * Math.cos(3 * s + 1.9));
    const forward = 0.4 * jolt * side * (Math.sin(s) + 0.5 * Math.sin(2 * s + 0.3));
    const sway = 0.02 * G * Math.sin(phi); // the body's lateral sway, once per stride
    const nod = 0.04 * side * Math.sin(s + 0.9); // the wrist nods with each jolt, radians
    return toDevice(forward, up + G, sway, pitch + nod, roll);
  };
  return { rec: sample(motion, seconds, w.sampling ?? BANGLE_SAMPLING, rand), steps: w.steps };
}

// 2. Sitting and typing, logged by a logger that loses polls in runs.

/** A logger that misses polls in runs of one to four: gaps of 80 to 400 ms between samples. */
export const LOSSY_LOGGER: Sampling = { rateHz: 12.5, jitterMs: 6, dropRate: 0.3, noiseCounts: 20, dropBurst: 4 };

export interface Typing {
  seed: number;
  seconds: number;
  tapG?: number; // a key tap jolts the wrist by up to half this, either way, in g; default 0.5
  driftRad?: number; // how far (rms) the resting wrist turns as the hand moves between keys; default 0.02
  sampling?: Sampling; // default LOSSY_LOGGER
}

/**
 * Typing at a desk with the wrist resting: key taps jolt the wrist irregularly (a few per second,
 * each shorter than a sample period), and the hand drifts slowly between keys, turning the wrist a
 * little, which tilts gravity across the axes.
 */
export function typingDrift(w: Typing): Generated {
  const rand = random(w.seed);
  const tapG = w.tapG ?? 0.5;
  const drift = w.driftRad ?? 0.02;
  const tilt = smoothRandom(rand, 0.1, 0.8);
  const turn = smoothRandom(rand, 0.1, 0.8);
  const pitch = 0.2 + rand() * 0.3;
  const roll = (rand() - 0.5) * 0.6;
  const motion: Motion = (t) => {
    const tap = rand() < 0.25 ? (rand() - 0.5) * tapG * G : 0;
    return toDevice(0, G + tap, tap * 0.5, pitch + drift * tilt(t), roll + drift * turn(t));
  };
  return { rec: sample(motion, w.seconds, w.sampling ?? LOSSY_LOGGER, rand), steps: 0 };
}

// 3. Irregular wrist motion right after a walk.

/**
 * Irregular wrist motion of walking strength with the arm hanging (the posture a walk ends in):
 * smooth random acceleration, 0.5 to 3 Hz, with no rhythm: gesturing, fumbling for keys.
 */
export function fidget(seed: number, seconds: number, rmsG = 0.2, sampling = BANGLE_SAMPLING): Generated {
  const rand = random(seed);
  const axes = [smoothRandom(rand, 0.5, 3), smoothRandom(rand, 0.5, 3), smoothRandom(rand, 0.5, 3)];
  const a = (rmsG * G) / Math.sqrt(3);
  const motion: Motion = (t) => [-G + a * axes[0](t), a * axes[1](t), a * axes[2](t)];
  return { rec: sample(motion, seconds, sampling, rand), steps: 0 };
}

/** A walk followed by irregular wrist motion: only the walk's steps are true. */
export function walkThenFidget(seed: number, steps = 500, fidgetSeconds = 60, rmsG = 0.2): Generated {
  return concat([walk({ seed, steps, cadence: 1.8 }), fidget(seed + 1, fidgetSeconds, rmsG)]);
}

// 4. Into a car, a drive with steering, and out again.

export interface CarTrip {
  seed: number;
  steps?: number; // steps to the car and from it, each; default 3
  driveSeconds?: number; // default 180
  steerG?: number; // wrist acceleration while steering, in g; default 0.25
}

/**
 * Getting in (a few steps, the body turning and dropping onto the seat), driving, getting out.
 * While driving the hand on the wheel turns it back and forth at about a second per turn for 5 to
 * 15 s at a time (a winding road, parking): the wrist rotates with the rim, which tilts gravity
 * across the axes and swings the hand round the hub. Between bouts, the car's vibration.
 */
export function carTrip(c: CarTrip): Generated {
  const rand = random(c.seed);
  const steps = c.steps ?? 3;
  const driveSeconds = c.driveSeconds ?? 180;
  const steer = (c.steerG ?? 0.25) * G;
  // The wrist on the wheel: the rim stands about 60 degrees from horizontal; gravity lies mostly
  // along the forearm, some of it across the watch face.
  const wheel: [number, number, number] = [-0.75 * G, 0.35 * G, 0.56 * G];
  const bouts: { start: number; end: number; hz: number }[] = [];
  for (let t = 5 + rand() * 20; t < driveSeconds - 15; t += 20 + rand() * 40) {
    const length = 5 + rand() * 10;
    bouts.push({ start: t, end: t + length, hz: 0.8 + rand() * 0.4 });
    t += length;
  }
  const lurch = [smoothRandom(rand, 0.3, 2), smoothRandom(rand, 0.3, 2), smoothRandom(rand, 0.3, 2)];
  // Sitting down or standing up: the arm turns from hanging to the wheel (or back) over the
  // seconds it takes, with lurches of the body as it drops onto or rises from the seat.
  const seat = (into: boolean): Motion => (t) => {
    const k = Math.min(1, Math.max(0, t / 4));
    const blend = into ? k : 1 - k;
    const hanging = [-G, 0, 0];
    const strength = 0.3 * G * Math.sin(Math.PI * k);
    return [0, 1, 2].map((i) => hanging[i] * (1 - blend) + wheel[i] * blend + strength * lurch[i](t)) as [number, number, number];
  };
  const drive: Motion = (t) => {
    const buzz = () => (rand() - 0.5) * 0.05 * G;
    const bump = rand() < 0.02 ? (rand() - 0.5) * 0.3 * G : 0;
    let f: [number, number, number] = [wheel[0] + buzz(), wheel[1] + buzz(), wheel[2] + buzz() + bump];
    for (const b of bouts) {
      if (t < b.start || t >= b.end) continue;
      // Eased in and out: the turns grow and fade over the first and last second.
      const ease = Math.min(1, t - b.start, b.end - t);
      const a = steer * ease * Math.sin(2 * Math.PI * b.hz * (t - b.start));
      const tangential = steer * 0.6 * ease * Math.cos(2 * Math.PI * b.hz * (t - b.start));
      f = [f[0] + 0.3 * a, f[1] + a, f[2] - 0.5 * a + tangential];
    }
    return f;
  };
  return concat([
    walk({ seed: c.seed + 1, steps, cadence: 1.6 }),
    { rec: sample(seat(true), 4, BANGLE_SAMPLING, rand), steps: 0 },
    { rec: sample(drive, driveSeconds, BANGLE_SAMPLING, rand), steps: 0 },
    { rec: sample(seat(false), 4, BANGLE_SAMPLING, rand), steps: 0 },
    walk({ seed: c.seed + 2, steps, cadence: 1.6 }),
  ]);
}

// 5. Gentle stretches inside a walk, and an irregular start.

/**
 * A walk whose middle `gentleSteps` are gentle (carrying a cup, a crowded pavement): the arm
 * barely swings and the steps are soft, so the wrist moves only about 0.04 g rms, yet it is
 * still walking. The watch stays where it sits on the wrist throughout.
 */
export function walkWithGentleStretch(seed: number, steps = 150, gentleSteps = 40, cadence = 1.7): Generated {
  const roll = (random(seed)() - 0.5) * 1.2;
  const before = Math.round((steps - gentleSteps) / 4) * 2; // even, so the arm is mid-swing at each join
  return concat([
    walk({ seed, steps: before, cadence, roll }),
    walk({ seed: seed + 1, steps: gentleSteps, cadence, roll, swingRad: 0.04, bounceG: 0.025 }),
    walk({ seed: seed + 2, steps: steps - before - gentleSteps, cadence, roll }),
  ]);
}

/**
 * A walk whose first `irregularSeconds` have an irregular arm (adjusting a bag strap, looking at
 * the watch, gesturing): the arm does not swing as a pendulum but moves at random, while the
 * heel strikes go on every step.
 */
export function walkWithIrregularStart(seed: number, steps = 150, irregularSeconds = 20, cadence = 1.7, rmsG = 0.3): Generated {
  const roll = (random(seed)() - 0.5) * 1.2;
  const early = Math.round((irregularSeconds * cadence) / 2) * 2;
  const first = walk({ seed, steps: early, cadence, roll, swingRad: 0.05 });
  const rand = random(seed + 7);
  const axes = [smoothRandom(rand, 0.5, 3), smoothRandom(rand, 0.5, 3), smoothRandom(rand, 0.5, 3)];
  const a = (rmsG * G) / Math.sqrt(3);
  overlay(first.rec, (t) => [a * axes[0](t), a * axes[1](t), a * axes[2](t)], 0, Infinity);
  return concat([first, walk({ seed: seed + 1, steps: steps - early, cadence, roll })]);
}

// 6. Carried in a pocket or hanging from the neck.

export interface Carried {
  seed: number;
  steps: number;
  cadence: number;
  sampling?: Sampling;
}

/**
 * In a front trouser pocket: the thigh swings forward and back once per stride, carrying the
 * device round the hip and tilting gravity through it; each heel strike jolts it, the one on its
 * own side (through the thigh) much more than the other (through the pelvis).
 */
export function pocketWalk(w: Carried & { swingRad?: number; nearG?: number; farG?: number }): Generated {
  const rand = random(w.seed);
  const swing = w.swingRad ?? 0.4;
  const near = (w.nearG ?? 0.6) * G;
  const far = (w.farG ?? 0.2) * G;
  const radius = 0.2; // hip to pocket, metres
  const roll = (rand() - 0.5) * 1.2; // how the device lies in the pocket
  const { seconds, at } = gait(rand, w.steps, w.cadence);
  const motion: Motion = (t) => {
    const { phi, rate } = at(t);
    // Thigh forward at the device side's heel strike (phi = 0, 2pi, ...), back at the other's.
    const th = swing * Math.cos(phi);
    const thd = -swing * Math.sin(phi) * rate;
    const thdd = -swing * Math.cos(phi) * rate * rate;
    // The jolt: a short pulse (about 0.1 s) after each heel strike, then the body's bounce.
    const inStep = (phi % Math.PI) / rate; // seconds since the heel strike
    const own = Math.floor(phi / Math.PI) % 2 === 0;
    const pulse = inStep < 0.1 ? Math.sin((Math.PI * inStep) / 0.1) : 0;
    const up = (own ? near : far) * pulse + 0.05 * G * Math.cos(2 * phi);
    const fFwd = radius * thdd * Math.cos(th) - radius * thd * thd * Math.sin(th);
    const fUp = radius * thdd * Math.sin(th) + radius * thd * thd * Math.cos(th) + up + G;
    // Into the thigh's frame: u along the thigh (down), v along its swing.
    const fu = fFwd * Math.sin(th) - fUp * Math.cos(th);
    const fv = fFwd * Math.cos(th) + fUp * Math.sin(th);
    return [fu, Math.cos(roll) * fv, -Math.sin(roll) * fv];
  };
  return { rec: sample(motion, seconds, w.sampling ?? BANGLE_SAMPLING, rand), steps: w.steps };
}

/**
 * Hanging from the neck in a pouch (or from the shoulder in a purse): a pendulum whose pivot the
 * body moves, up and down at every step, forward and back with each step's surge, side to side
 * once per stride. The pendulum swings at its own rhythm too (sqrt(g / L) / 2 pi: about 0.9 Hz
 * for 0.3 m), kicked by the gait and slowly damped. An ideal pendulum feels only its string's
 * tension, so the device reads that along the string, plus the drag across it.
 */
export function pouchWalk(w: Carried & { lengthM?: number; bounceG?: number; damping?: number }): Generated {
  const rand = random(w.seed);
  const length = w.lengthM ?? 0.3;
  const bounce = (w.bounceG ?? 0.15) * G;
  const damping = w.damping ?? 0.4; // per second
  const { seconds, at } = gait(rand, w.steps, w.cadence);
  // The string's direction in the device frame: the pouch hangs in any orientation.
  const a = rand() * Math.PI;
  const b = rand() * 2 * Math.PI;
  const along = [Math.sin(a) * Math.cos(b), Math.sin(a) * Math.sin(b), Math.cos(a)];
  const across = [Math.cos(a) * Math.cos(b), Math.cos(a) * Math.sin(b), -Math.sin(a)];
  const side = [-Math.sin(b), Math.cos(b), 0];
  let swing = 0.2 * (rand() - 0.5); // fore-aft angle, radians
  let swingRate = 0;
  let sway = 0.2 * (rand() - 0.5); // side to side
  let swayRate = 0;
  let now = 0;
  const dt = 0.002;
  const pivot = (t: number): [number, number, number] => {
    const { phi } = at(t);
    return [0.3 * bounce * Math.sin(2 * phi), bounce * Math.cos(2 * phi), 0.05 * G * Math.sin(phi)];
  };
  const motion: Motion = (t) => {
    // Integrate the two swings up to t (semi-implicit Euler, 2 ms steps).
    for (; now < t; now += dt) {
      const [forward, up, left] = pivot(now);
      swingRate += (-((G + up) * Math.sin(swing) + forward * Math.cos(swing)) / length - damping * swingRate) * dt;
      swing += swingRate * dt;
      swayRate += (-((G + up) * Math.sin(sway) + left * Math.cos(sway)) / length - damping * swayRate) * dt;
      sway += swayRate * dt;
    }
    const [forward, up, left] = pivot(t);
    const tension =
      (G + up) * Math.cos(swing) * Math.cos(sway) + forward * Math.sin(swing) + left * Math.sin(sway) + length * (swingRate ** 2 + swayRate ** 2);
    const dragAcross = length * damping * swingRate;
    const dragSide = length * damping * swayRate;
    return [0, 1, 2].map((i) => tension * along[i] + dragAcross * across[i] + dragSide * side[i]) as [number, number, number];
  };
  return { rec: sample(motion, seconds, w.sampling ?? BANGLE_SAMPLING, rand), steps: w.steps };
}
