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
//    are its duration divided by the step period. Heel strikes, when the magnitude shows them,
//    decide the period; the arm swing only without them. One such window alone is not trusted (a
//    steering wheel or a brush can repeat for five seconds): steps are held back until the next
//    window confirms at the same cadence, and then credited together; a weaker rhythm that keeps
//    one cadence for four windows starts a walk too. Only a body that moves starts one. Once
//    walking, a weaker rhythm is accepted (hysteresis), because real walks have turns, doors and
//    uneven ground.
//
// Constraints (the same code runs on the watch, in Node and in Lua): constant work per sample and
// no allocation after construction; the Espruino subset (see ../../shared/ESPRUINO.md); integers
// stay small; thresholds are integer ratios (tuning.ts) so that every platform compares exactly alike.

import type { Loops } from './periodicity.ts';
import {
  ENTER_DEN,
  GRID_MS,
  HOP,
  HP_DEN,
  HP_NUM,
  MAX_GAP_MS,
  MIN_ENERGY,
  QUIET_ENERGY,
  RAW_PER_UNIT,
  RUN_ENERGY,
  STAY_DEN,
  WEAK_DEN,
  WEAK_WINDOWS,
  STEP_LAG_MAX_AS_STEP,
  STEP_LAG_RUN,
  STEP_LAG_WALK,
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

  /**
   * loops: the window's heavy loops, `plainLoops` (periodicity.ts) or native ones (E.convolve, E.sum
   * and E.variance on the watch). Required rather than defaulted, so the watch's build does not
   * carry the loops it never runs.
   */
  constructor(loops: Loops) {
    // The detector's state lives in this closure, not in fields: local names minify to one letter
    // and need no `this.`, which makes the firmware bundles about a kilobyte smaller, and on
    // Espruino a closure variable is found at least as fast as a property of a 25-field object
    // (the instance itself keeps only steps and push). The analysis helpers are closures too, so
    // they reach the buffers without parameters (each parameter costs a JsVar per call).
    const sum = loops.lagSum;
    const total = loops.sum;
    const deviation = loops.variance;
    let credit = 0; // fractional steps credited so far
    let count = 0; // its integer part, published as steps
    let n = 0; // samples in the window; 0 only before the first sample, which restarts everything
    // The window, one buffer per channel: the three axes and the magnitude (x, y, z, m). (One
    // factory call is shorter in the bundle than four constructor expressions.)
    const channel = (): Int16Array => new Int16Array(WINDOW);
    const bx = channel();
    const by = channel();
    const bz = channel();
    const bm = channel();
    // Zero-padded past the window by more than the longest lag: a circular correlation over the
    // whole buffer (Espruino's native E.convolve wraps around) then equals the linear one.
    const scratch = new Float64Array(WINDOW + STRIDE_LAG_MAX + 2);
    const acf = new Float64Array(STRIDE_LAG_MAX + 2);
    // Set by every restart before any use (no initial value: that saves bytes in the firmware).
    // held is the whole walking state: -1 not walking; above 0 the steps of a first periodic
    // window, held back until the next window confirms them; 0 walking (a confirmed walk).
    let held: number;
    let previous = 0; // the step period of the previous window, 0 when it had none
    let struck = false; // whether that period came from heel strikes
    // The weak start: windows in the current run, their steps, and the previous one's period.
    let weakRun = 0;
    let weakSteps = 0;
    let weakPrevious = 0;
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

    /** A channel's energy in the window: the sum of its squared deviations from its mean. */
    const energyOf = (src: Int16Array): number => deviation(src, total(src) / WINDOW);

    /** Copies one channel into scratch with its mean removed (see periodicity.ts). */
    const centre = (src: Int16Array): void => {
      const mean = total(src) / WINDOW;
      for (let i = 0; i < WINDOW; i++) scratch[i] = src[i] - mean;
    };

    /** Adds the unbiased autocorrelation of the centred channel in scratch to acf, at every lag. */
    const correlate = (): void => {
      for (let lag = 1; lag < STRIDE_LAG_MAX + 2; lag++) acf[lag] += sum(scratch, WINDOW, lag) / (WINDOW - lag);
    };

    /** The fundamental lag of acf from lo to STRIDE_LAG_MAX (see periodicity.ts). */
    const fundamental = (lo: number): number => {
      let best = acf[lo];
      let bestLag = lo;
      for (let lag = lo + 1; lag <= STRIDE_LAG_MAX; lag++) {
        if (acf[lag] > best) {
          best = acf[lag];
          bestLag = lag;
        }
      }
      for (let lag = lo; lag <= STRIDE_LAG_MAX; lag++) {
        const v = acf[lag];
        if (v >= acf[lag - 1] && v >= acf[lag + 1] && v * 20 >= best * 17) return lag;
      }
      return bestLag;
    };

    /** A lag refined to a fraction of a sample by a parabola through acf's peak (see periodicity.ts). */
    const refine = (lag: number): number => {
      const a = acf[lag - 1];
      const c = acf[lag + 1];
      const curvature = a - 2 * acf[lag] + c;
      const shift = curvature === 0 ? 0 : (a - c) / (2 * curvature);
      return lag + (shift > 0.5 ? 0.5 : shift < -0.5 ? -0.5 : shift);
    };

    // What the last window's analysis found, for stepAt: the energy, fundamental lag, its
    // correlation and refined period of the magnitude (em...) and of the three axes (ax...).
    let em: number;
    let magLag: number;
    let magCorrelation: number;
    let magPeriod: number;
    let axEnergy: number;
    let axCorrelation: number;
    let axPeriod: number;

    /**
     * The window's step period if its rhythm reaches a correlation of 1/den of its energy, else 0.
     * Heel strikes are the direct evidence of steps: when the magnitude repeats at a step's period,
     * that is the step, and the axes are not consulted, because what else swings (a pouch on its
     * cord, a bag, a loose sleeve) keeps a rhythm of its own. Without strikes (soft steps, a wrist
     * that damps them) the arm swing gives the step, one per stride; failing that, a magnitude
     * that repeats at a stride's period. (The tests are `correlation * WINDOW * den >= energy`.)
     */
    const stepAt = (den: number): number => {
      const magRepeats = magPeriod > 0 && magCorrelation * den * WINDOW >= em;
      if (magRepeats && magLag <= STEP_LAG_MAX_AS_STEP) return magPeriod;
      if (axPeriod > 0 && axCorrelation * den * WINDOW >= axEnergy) return axPeriod / 2;
      return magRepeats ? magPeriod / 2 : 0;
    };

    /** Analyses the full window, runs the walking state machine, and slides the window on by HOP. */
    const analyse = (): void => {
      const walking = held === 0;
      // The strictest correlation this window is judged by: a weaker rhythm carries a confirmed
      // walk on (hysteresis); out of a walk, both the start (1/2) and a weak start (1/3) are asked.
      const den = walking ? STAY_DEN : ENTER_DEN;

      // The motion floor: lower while a walk has gone quiet on every channel (see QUIET_RMS). The
      // axes' energy it needs is kept for the arm swing below (-1: not known yet).
      const axes = walking ? energyOf(bx) + energyOf(by) + energyOf(bz) : -1;
      const floor = walking && axes < MIN_ENERGY ? QUIET_ENERGY : MIN_ENERGY;

      // Magnitude: heel strikes, one per step. (Typed-array fill exists on Espruino wherever
      // Array#fill does, and in the Lua shim.)
      acf.fill(0);
      em = energyOf(bm);
      magLag = magCorrelation = magPeriod = 0;
      if (em >= floor) {
        centre(bm);
        correlate();
        magLag = fundamental(em >= RUN_ENERGY ? STEP_LAG_RUN : STEP_LAG_WALK);
        magCorrelation = acf[magLag];
        magPeriod = refine(magLag);
      }

      // The three axes together: the arm swing, one per stride; not needed when the strictest
      // test already finds heel strikes. Energy first, so that a still wrist costs three sums and
      // no correlation.
      axCorrelation = axPeriod = 0;
      const strikes = magPeriod > 0 && magLag <= STEP_LAG_MAX_AS_STEP && magCorrelation * den * WINDOW >= em;
      axEnergy = strikes ? 0 : axes < 0 ? energyOf(bx) + energyOf(by) + energyOf(bz) : axes;
      if (axEnergy >= floor) {
        acf.fill(0);
        centre(bx);
        correlate();
        centre(by);
        correlate();
        centre(bz);
        correlate();
        const shortest = axEnergy >= RUN_ENERGY ? STRIDE_LAG_RUN : STRIDE_LAG_WALK;
        let lag = fundamental(shortest);
        // Whatever repeats every stride also repeats every two strides, and at long lags the
        // unbiased correlation (fewer products) is the noisiest, so two strides can score above
        // one: a lag whose half is itself a peak at least 2/5 as strong is two periods, not one.
        for (;;) {
          let half = Math.round(lag / 2);
          if (half <= shortest) break;
          if (acf[half - 1] > acf[half]) half--;
          else if (acf[half + 1] > acf[half]) half++;
          if (acf[half] < acf[half - 1] || acf[half] < acf[half + 1] || acf[half] * 5 < acf[lag] * 2) break;
          lag = half;
        }
        // A stride is two different half-strides (arm forward, arm back), so the swing anti-correlates
        // at half the lag. A short "stride" whose halves look alike is really one step: look further.
        if (lag < STRIDE_LAG_AMBIGUOUS && acf[Math.round(lag / 2)] > 0) lag = fundamental(lag + 2);
        axCorrelation = acf[lag];
        axPeriod = refine(lag);
      }

      // The walking state machine. One periodic window alone is held back; the next one confirms
      // it (or carries a walk on) and credits its steps. Only a body that moves starts a walk:
      // steering, brushing or waving swing the arm (the axes) with a rhythm but leave the
      // magnitude, which every step jolts, below the motion floor; the arm alone may carry a
      // walk on, never start one. And the two windows must agree on the cadence (within 2/5): a
      // walker's pace does not jump that much in 2.56 s, while unrelated rhythms one after the
      // other do (a lurch into a car seat, then the wheel; typing bridged by a lossy logger);
      // the second then becomes the held window of a walk that may yet start. For the same reason
      // a walk whose heel strikes stop goes on with the arm alone only at its own cadence: arm
      // motion at another rhythm right after a walk (gestures, reaching, fidgeting) is not the
      // walk, and starts afresh as a held window.
      const step = stepAt(den);
      const moving = em >= MIN_ENERGY;
      const offCadence = Math.abs(step - previous) * 5 > previous * 2;
      if (step === 0 || (!walking && !moving)) held = -1;
      else if (walking ? struck && !strikes && offCadence : held < 0 || offCadence) held = WINDOW / step;
      else {
        credit += HOP / step + held;
        held = 0;
      }
      previous = step;
      struck = strikes && step > 0;

      // Out of a walk, the weak start (WEAK_DEN): a run of windows with a weaker rhythm that agree
      // on the cadence and move the body. Its steps (the first window whole, then each newer half)
      // are credited when the run is long enough.
      const weak = held === 0 || !moving ? 0 : stepAt(WEAK_DEN);
      if (weak === 0) weakRun = 0;
      else if (weakRun > 0 && Math.abs(weak - weakPrevious) * 5 <= weakPrevious * 2) {
        weakSteps += HOP / weak;
        if (++weakRun === WEAK_WINDOWS) {
          credit += weakSteps;
          held = weakRun = 0;
        }
      } else {
        weakSteps = WINDOW / weak;
        weakRun = 1;
      }
      weakPrevious = weak;
      this.steps = count = Math.floor(credit);

      // Keep the newer half of the window as the older half of the next one.
      for (let i = 0; i < WINDOW - HOP; i++) {
        bx[i] = bx[i + HOP];
        by[i] = by[i + HOP];
        bz[i] = bz[i + HOP];
        bm[i] = bm[i + HOP];
      }
      n = WINDOW - HOP;
    };

    this.push = (dtMs, x, y, z) => {
      const before = count;
      if (n === 0 || dtMs > MAX_GAP_MS) {
        // Start afresh after power-up or a long gap: nothing is known about the motion before.
        // The filters start at rest on the current posture.
        held = -1;
        weakRun = n = 0;
        lx = x / RAW_PER_UNIT;
        ly = y / RAW_PER_UNIT;
        lz = z / RAW_PER_UNIT;
        lm = Math.sqrt(lx * lx + ly * ly + lz * lz);
        hx = hy = hz = hm = 0;
        // The first grid point is this very sample: seen as 1 ms after a previous sample equal to
        // it, with the grid 1 ms short of it, the loop below interpolates exactly this sample,
        // whose filtered value is 0 on every channel, and leaves the phase at 0.
        px = x;
        py = y;
        pz = z;
        dtMs = 1;
        phase = GRID_MS - 1;
      } else if (!(dtMs > 0)) {
        return 0; // same or earlier timestamp: a duplicate, not new motion
      }
      // Emit every 80 ms grid point that falls between the previous sample and this one.
      let t = GRID_MS - phase;
      while (t <= dtMs) {
        // The sample at this grid point, by linear interpolation, in 1024 per g.
        const f = t / dtMs;
        const ux = (px + (x - px) * f) / RAW_PER_UNIT;
        const uy = (py + (y - py) * f) / RAW_PER_UNIT;
        const uz = (pz + (z - pz) * f) / RAW_PER_UNIT;
        const um = Math.sqrt(ux * ux + uy * uy + uz * uz);
        // High-pass the four channels and store them in the window, analysed whenever it is full.
        hx = ((hx + ux - lx) * HP_NUM) / HP_DEN;
        hy = ((hy + uy - ly) * HP_NUM) / HP_DEN;
        hz = ((hz + uz - lz) * HP_NUM) / HP_DEN;
        hm = ((hm + um - lm) * HP_NUM) / HP_DEN;
        lx = ux;
        ly = uy;
        lz = uz;
        lm = um;
        bx[n] = Math.floor(hx + 0.5);
        by[n] = Math.floor(hy + 0.5);
        bz[n] = Math.floor(hz + 0.5);
        bm[n] = Math.floor(hm + 0.5);
        n++;
        if (n === WINDOW) analyse();
        t += GRID_MS;
      }
      phase = dtMs - (t - GRID_MS);
      px = x;
      py = y;
      pz = z;
      return count - before;
    };
  }
}
