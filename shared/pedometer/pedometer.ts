// bushu's step detector: one instance per wearer, fed every accelerometer sample.
//
// How it counts, in three stages:
// 1. Resample onto a steady 80 ms grid (12.5 Hz), whatever the sensor delivers (12.5 or 25 Hz,
//    jittery timestamps, dropped polls), by linear interpolation between samples.
// 2. Keep a 5.12 s window of four channels: the three axes and the magnitude of acceleration, each
//    high-passed to remove gravity and posture. Every 2.56 s (half a window) ask how periodic the
//    window is (periodicity.ts): the axes reveal the arm swing, which repeats once per stride (two
//    steps); the magnitude reveals heel strikes, which repeat every step and survive a wrist that
//    turns irregularly (a bag, a pocket, a phone in hand).
// 3. A window whose motion repeats strongly enough at a human walking rhythm is walking; its steps
//    are its duration divided by the step period. One such window alone is not trusted (a steering
//    wheel or a brush can repeat for five seconds): steps are held back until the next window
//    confirms, and then credited together. Once walking, a weaker rhythm is accepted (hysteresis),
//    because real walks have turns, doors and uneven ground.
//
// Constraints (the same code runs on the watch, in Node and in Lua): constant work per sample and
// no allocation after construction; the Espruino subset (see ../../shared/ESPRUINO.md); integers
// stay small; thresholds are integer ratios (tuning.ts) so that every platform compares exactly alike.

import { addAutocorrelation, centre, fundamentalLag, loopLagSum, refineLag, type LagSum } from './periodicity.ts';
import {
  ENTER_DEN,
  GRID_MS,
  HOP,
  HP_DEN,
  HP_NUM,
  MAX_GAP_MS,
  MIN_ENERGY,
  RAW_PER_UNIT,
  RUN_ENERGY,
  STAY_DEN,
  STEP_LAG_MAX_AS_STEP,
  STEP_LAG_MIN,
  STRIDE_LAG_AMBIGUOUS,
  STRIDE_LAG_MAX,
  STRIDE_LAG_RUN,
  STRIDE_LAG_WALK,
  WINDOW,
} from './tuning.ts';

export class Pedometer {
  /** Steps counted since creation. */
  steps = 0;

  /**
   * Feed one sample. dtMs: milliseconds since the previous sample (ignored for the first);
   * x, y, z: raw counts, 8192 = 1 g. Returns the steps newly counted by this sample (can be more
   * than 1 when a walk is confirmed and its held-back steps are credited).
   * (`this: Pedometer` keeps it a method for typescript-to-lua: Lua calls it as `p:push(...)`.)
   */
  push: (this: Pedometer, dtMs: number, x: number, y: number, z: number) => number;

  /** lagSum: optional native replacement for the correlation inner loop (see periodicity.ts). */
  constructor(lagSum?: LagSum) {
    // The detector's state lives in this closure, not in fields: local names minify to one letter
    // and need no `this.`, which makes the firmware bundles about a kilobyte smaller, and on
    // Espruino a closure variable is found at least as fast as a property of a 25-field object
    // (the instance itself keeps only steps and push).
    const sum = lagSum || loopLagSum;
    let credit = 0; // fractional steps credited so far
    let count = 0; // its integer part, published as steps
    let n = 0; // samples in the window; 0 only before the first sample, which restarts everything
    const bx = new Int16Array(WINDOW);
    const by = new Int16Array(WINDOW);
    const bz = new Int16Array(WINDOW);
    const bm = new Int16Array(WINDOW);
    // Zero-padded past the window by more than the longest lag: a circular correlation over the
    // whole buffer (Espruino's native E.convolve wraps around) then equals the linear one.
    const scratch = new Float64Array(WINDOW + STRIDE_LAG_MAX + 2);
    const acf = new Float64Array(STRIDE_LAG_MAX + 2);
    // Set by every restart before any use (no initial value: that saves bytes in the firmware).
    let held: number; // steps of a first periodic window, waiting for confirmation
    let walking: boolean; // a walk is confirmed: held is then 0
    let phase: number; // ms from the last grid point to the previous sample
    let px: number; // the previous sample
    let py: number;
    let pz: number;
    // High-pass filter state per channel (x, y, z and the magnitude m): last input and output.
    let lx: number;
    let ly: number;
    let lz: number;
    let lm: number;
    let hx: number;
    let hy: number;
    let hz: number;
    let hm: number;

    /** The walking state machine; step is the step period in samples, 0 when not walking. */
    const decide = (step: number): void => {
      if (step === 0) {
        walking = false;
        held = 0;
      } else if (!walking && held === 0) {
        held = WINDOW / step;
      } else {
        // A confirmed walk (then held carries the first window's steps) or one that carries on.
        credit += HOP / step + held;
        held = 0;
        walking = true;
        this.steps = count = Math.floor(credit);
      }
    };

    /** Centres one axis into scratch and adds its autocorrelation to acf. */
    const correlate = (src: Int16Array): void => {
      centre(src, scratch);
      addAutocorrelation(scratch, WINDOW, acf, sum);
    };

    /** Whether the window is walking: its step period in grid samples, or 0. */
    const analyse = (): number => {
      const den = walking ? STAY_DEN : ENTER_DEN;

      // Magnitude: heel strikes, one per step.
      // (Typed-array fill exists on Espruino wherever Array#fill does, and in the Lua shim.)
      acf.fill(0);
      const em = centre(bm, scratch);
      let magStep = 0;
      let magDirect = false; // the magnitude's own period is a step (not a stride assumed halved)
      let magOk = false;
      if (em >= MIN_ENERGY) {
        addAutocorrelation(scratch, WINDOW, acf, sum);
        const lag = fundamentalLag(acf, STEP_LAG_MIN, STRIDE_LAG_MAX);
        const period = refineLag(acf, lag);
        magDirect = lag <= STEP_LAG_MAX_AS_STEP;
        magStep = magDirect ? period : period / 2;
        magOk = acf[lag] * WINDOW * den >= em;
      }

      // The three axes together: the arm swing, one per stride. Energy first, so that a still wrist
      // costs three short loops and no correlation.
      let step = 0;
      const energy = centre(bx, scratch) + centre(by, scratch) + centre(bz, scratch);
      if (energy >= MIN_ENERGY) {
        acf.fill(0);
        correlate(bx);
        correlate(by);
        correlate(bz);
        const lo = energy >= RUN_ENERGY ? STRIDE_LAG_RUN : STRIDE_LAG_WALK;
        let lag = fundamentalLag(acf, lo, STRIDE_LAG_MAX);
        // A stride is two different half-strides (arm forward, arm back), so the swing anti-correlates
        // at half the lag. A short "stride" whose halves look alike is really one step: look further.
        if (lag < STRIDE_LAG_AMBIGUOUS && acf[Math.round(lag / 2)] > 0) lag = fundamentalLag(acf, lag + 2, STRIDE_LAG_MAX);
        if (acf[lag] * WINDOW * den >= energy) {
          step = refineLag(acf, lag) / 2;
          // Both rhythms present, the swing's step twice the strike's: the swing locked on two strides.
          if (magOk && magDirect && Math.abs(step - 2 * magStep) * 20 < step * 3) step = step / 2;
        }
      }
      return step === 0 && magOk ? magStep : step;
    };

    /** Stores the filtered grid sample; analyses the window whenever it is full. */
    const store = (): void => {
      bx[n] = Math.floor(hx + 0.5);
      by[n] = Math.floor(hy + 0.5);
      bz[n] = Math.floor(hz + 0.5);
      bm[n] = Math.floor(hm + 0.5);
      n++;
      if (n === WINDOW) {
        decide(analyse());
        // Keep the newer half of the window as the older half of the next one.
        for (let i = 0; i < WINDOW - HOP; i++) {
          bx[i] = bx[i + HOP];
          by[i] = by[i + HOP];
          bz[i] = bz[i + HOP];
          bm[i] = bm[i + HOP];
        }
        n = WINDOW - HOP;
      }
    };

    this.push = (dtMs, x, y, z) => {
      const before = count;
      if (n === 0 || dtMs > MAX_GAP_MS) {
        // Start afresh after power-up or a long gap: nothing is known about the motion before.
        // The filters start at rest on the current posture.
        walking = false;
        held = 0;
        n = 0;
        phase = 0;
        lx = x / RAW_PER_UNIT;
        ly = y / RAW_PER_UNIT;
        lz = z / RAW_PER_UNIT;
        lm = Math.sqrt(lx * lx + ly * ly + lz * lz);
        hx = hy = hz = hm = 0;
        store();
      } else if (dtMs > 0) {
        // Emit every 80 ms grid point that falls between the previous sample and this one.
        let t = GRID_MS - phase;
        while (t <= dtMs) {
          // The sample at this grid point, by linear interpolation, in 1024 per g.
          const f = t / dtMs;
          const ux = (px + (x - px) * f) / RAW_PER_UNIT;
          const uy = (py + (y - py) * f) / RAW_PER_UNIT;
          const uz = (pz + (z - pz) * f) / RAW_PER_UNIT;
          const um = Math.sqrt(ux * ux + uy * uy + uz * uz);
          // High-pass the four channels and store them in the window.
          hx = ((hx + ux - lx) * HP_NUM) / HP_DEN;
          hy = ((hy + uy - ly) * HP_NUM) / HP_DEN;
          hz = ((hz + uz - lz) * HP_NUM) / HP_DEN;
          hm = ((hm + um - lm) * HP_NUM) / HP_DEN;
          lx = ux;
          ly = uy;
          lz = uz;
          lm = um;
          store();
          t += GRID_MS;
        }
        phase = dtMs - (t - GRID_MS);
      } else {
        return 0; // same or earlier timestamp: a duplicate, not new motion
      }
      px = x;
      py = y;
      pz = z;
      return count - before;
    };
  }
}
