// bushu's step detector: one instance per wearer, fed every accelerometer sample.
//
// How it counts, in three stages, and how it rests:
// 1. Resample onto a steady 80 ms grid (12.5 Hz), whatever the sensor delivers (12.5 or 25 Hz,
//    jittery timestamps, dropped polls), by linear interpolation between samples.
// 2. Keep a 5.12 s window of four channels: the three axes and the magnitude of acceleration, each
//    high-passed to remove gravity and posture. Every 2.56 s (half a window) ask how periodic the
//    window is (periodicity.ts): the axes reveal the arm swing, which repeats once per stride (two
//    steps); the magnitude reveals heel strikes, which repeat every step and survive a wrist that
//    turns irregularly (a bag, a pocket, a phone in hand).
// 3. A window whose motion repeats strongly enough at a human walking rhythm is walking; its steps
//    are its duration divided by the step period (up to where the heel strikes stop: BLOCK,
//    tuning.ts). Heel strikes, when the magnitude shows them, decide the period; the arm swing
//    only without them. One such window alone is not trusted (a steering wheel or a brush can
//    repeat for five seconds): steps are held back until the next window confirms at the same
//    cadence, and then credited together; a weaker rhythm that keeps one cadence for four windows
//    starts a walk too. Only a body that moves starts one. Once walking, a weaker rhythm is
//    accepted (hysteresis) while the body is jolted, because real walks have turns, doors and
//    uneven ground.
// 4. A still wrist rests (REST_EVERY, tuning.ts): with no walk in view and no motion above
//    0.015 g, push becomes a countdown that looks at the magnitude of every 4th sample, and a
//    change of 0.03 g wakes the detector on the window grid it had. Most of a day costs that.
//
// Constraints (the same code runs on the watch, in Node and in Lua): bounded work per sample and
// no allocation after construction, but for the short-lived views the watch's native loops take
// of a buffer (firmware/core/loops.ts) (on the watch, a window's analysis is spread over the six
// samples after it fills, one stage each, so that no sample stalls the UI and the radio); the
// Espruino subset (see ../../shared/ESPRUINO.md); integers stay small; thresholds are integer
// ratios (tuning.ts) so that every platform compares exactly alike.

import type { Loops } from './periodicity.ts';
import {
  BLOCK,
  ENTER_DEN,
  GRID_MS,
  HOP,
  HP_FOLLOW,
  MAX_GAP_MS,
  MIN_ENERGY,
  QUIET_ENERGY,
  RAW_PER_UNIT,
  REST_ENERGY,
  REST_EVERY,
  REST_WAKE,
  RUN_ENERGY,
  STAY_DEN,
  STILL_BLOCK_ENERGY,
  STILL_RATIO,
  WEAK_DEN,
  WEAK_WINDOWS,
  STEP_LAG_MAX_AS_STEP,
  STEP_LAG_RUN,
  STEP_LAG_WALK,
  STRIDE_LAG_AMBIGUOUS,
  STRIDE_LAG_MAX,
  STRIDE_LAG_RUN,
  STRIDE_LAG_WALK,
  UNIT_PER_RAW,
  WINDOW,
} from './tuning.ts';

export class Pedometer {
  /** Steps counted since creation. */
  steps = 0;

  /**
   * At rest, the samples to come that the detector will not look at (0 when awake). A caller may
   * skip push for a sample while idle is above 1 by decrementing idle instead, and call look for
   * the sample that finds idle at 1: the detector ends where push would have left it (the boards
   * do, to spare the calls at rest).
   */
  idle = 0;

  /**
   * At rest, push for the sample that finds idle at 1 (the look at the magnitude, see REST_EVERY):
   * one call where push would make two. Returns what push would, which is always 0: a look that
   * wakes the detector starts its window afresh, and no window's analysis ends within that sample
   * (the boards rely on it and drop the value).
   */
  look: (this: Pedometer, dtMs: number, x: number, y: number, z: number) => number;

  /**
   * Feed one sample. dtMs: milliseconds since the previous sample (ignored for the first);
   * x, y, z: the acceleration in the constructor's unit (raw counts, 8192 = 1 g, by default).
   * Returns the steps newly counted by this sample (can be more than 1 when a walk is confirmed
   * and its held-back steps are credited). A resting detector replaces it with a cheaper one, so
   * call it as `p.push(...)` every time, never a copy of it. (`this: Pedometer` keeps it a method
   * for typescript-to-lua: Lua calls it as `p:push(...)`.)
   */
  push: (this: Pedometer, dtMs: number, x: number, y: number, z: number) => number;

  /**
   * Ends a window's analysis still under way (see the stages below: on the watch, the next six
   * samples end it) and returns the steps it credited. Counting a recording calls it after the
   * last sample, so that the count is the one the watch shows a moment later.
   */
  finish: (this: Pedometer) => number;

  /**
   * loops: the window's heavy loops, `plainLoops` (periodicity.ts) or native ones (E.convolve, E.sum
   * and views of the window on the watch). Required rather than defaulted, so the watch's build does not
   * carry the loops it never runs. scale: the samples' unit in 1/1024 g, a power of two: 1/8 for raw
   * counts (UNIT_PER_RAW, when it is left out), 1024 for g (the Bangle.js 2 delivers g: scaling its
   * samples to raw counts first cost three multiplications a sample). Every sum, product and
   * comparison is then the raw one times a power of two, so every platform counts alike in either
   * unit. (Not a default parameter: Espruino has none.)
   */
  constructor(loops: Loops, scale?: number) {
    // The detector's state lives in this closure, not in fields: local names minify to one or two
    // letters and need no `this.`, which makes the firmware bundles about a kilobyte smaller. On
    // Espruino a closure's variables are searched in the order they were declared, so the
    // per-sample ones come first, those of the rest path (see REST_EVERY) before all. The analysis
    // helpers are closures too, so they reach the buffers without parameters (each parameter
    // costs a JsVar per call).
    // At rest (see REST_EVERY): the squared magnitude (in the samples' unit) at the last look. (Declared without a value, set when
    // a rest begins: the build puts declarations without one first, and on Espruino those are found first.)
    let rest: number;
    let elapsed: number; // ms since the rest began, as the looks saw it (each look's gap times REST_EVERY)
    let rested: Pedometer['push'];
    let count = 0; // the integer part of credit, published as steps
    let fresh = 0; // the steps credited since the current sample came in (push returns them)
    let n = 0; // samples in the window; 0 only before the first sample, which restarts everything
    // The analysis stage to run at the next sample (0: none; see next).
    let stage = 0;
    let due: number; // ms from the previous sample to the next grid point
    let unit: number; // the samples' unit in 1/1024 g (scale)
    let px: number; // the previous sample
    let py: number;
    let pz: number;
    // High-pass filter state per channel (x, y, z and the magnitude m): the low-pass it subtracts
    // (see HP_FOLLOW), the posture.
    let lx: number;
    let ly: number;
    let lz: number;
    let lm: number;
    unit = scale || UNIT_PER_RAW;
    // REST_WAKE in the samples' unit, squared, and squared again (see look). (In two steps: the
    // square of REST_WAKE alone overflows the 32-bit integers of Lua in fengari.)
    const wakeLimit = REST_WAKE / (unit * unit * (RAW_PER_UNIT * RAW_PER_UNIT));
    const wakeSquared = wakeLimit * wakeLimit;
    // Math's functions as the closure's own (see Loops): on Espruino a global is found only after
    // every closure name, and Math.sqrt cost 20k more per call than this (one per grid point).
    const mathFloor = loops.wholePart;
    const mathSqrt = loops.squareRoot;
    // The window, one buffer per channel: the three axes and the magnitude (x, y, z, m), zero past
    // the window by more than the longest lag (see Loops). A full window is copied to the analysed
    // buffers (a...), whose analysis may run over the next few samples while the live ones fill on.
    // (One factory call is shorter in the bundle than eight constructor expressions.)
    const channel = (): Int16Array => new Int16Array(WINDOW + STRIDE_LAG_MAX + 2);
    const bx = channel();
    const by = channel();
    const bz = channel();
    const bm = channel();
    const ax = channel();
    const ay = channel();
    const az = channel();
    const am = channel();
    const sum = loops.lagSum;
    const total = loops.channelSum;
    const copy = loops.copy;
    const slide = loops.slide;
    const head = loops.head;
    const largest = loops.largest;
    const blockSquares = loops.blockSquares;
    const hbx = head(bx);
    const hby = head(by);
    const hbz = head(bz);
    const hbm = head(bm);
    const hax = head(ax);
    const hay = head(ay);
    const haz = head(az);
    const ham = head(am);
    const acf = new Float64Array(STRIDE_LAG_MAX + 2);
    // The magnitude's correlation, kept by its analysis for the arm swing's (see swing), which
    // writes acf over: swing reads the lags where a brisk step falls (3 to 7). (All of it, as one
    // native copy on Espruino, shorter in the bundle than a loop over those five.)
    const strikeAcf = new Float64Array(STRIDE_LAG_MAX + 2);
    let credit = 0; // fractional steps credited so far
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
    let restN = 0; // the window's length when the rest began
    let wake = 0; // on waking, the window's length as if it had gone on
    // The analysed window's channel sums (for their means).
    let sm: number;
    let sx: number;
    let sy: number;
    let sz: number;

    /** A channel's energy in the window, the sum of its squared deviations from its mean, from its sum s. */
    const energyOf = (h: Int16Array, buf: Int16Array, s: number): number => sum(h, buf, 0) - (s * s) / WINDOW;

    /**
     * Adds (keep 1) or writes (keep 0) the unbiased autocorrelation of one channel, whose sum is
     * s, into acf at every lag the analysis reads. The channel is not centred (that copy would cost
     * more than the correlation): its deviations from the mean m correlate at a lag as its own
     * values do, less m times the values in the products (all but the lag's first and last ones,
     * twice over), plus m squared once per product; that correction, c, changes from one lag to
     * the next by m times the two values that leave the products, less m squared. Every term is a
     * multiple of 1/4096 below 2^40, so the result is exact: what centring first would give, to
     * the bit.
     */
    const correlate = (h: Int16Array, buf: Int16Array, s: number, keep: number): void => {
      const m = s / WINDOW;
      const square = m * m;
      let c = (WINDOW - 2) * square - m * (2 * s - buf[0] - buf[1] - buf[WINDOW - 2] - buf[WINDOW - 1]);
      // (One statement per lag, and the keep test outside the loop: on Espruino every statement
      // and operator costs, and this is 0.6M instructions a channel fewer than two statements and
      // a product by keep. One loop that adds, into acf zeroed first, is 55 bytes shorter and
      // 0.2M dearer.)
      let lag = 2;
      if (keep > 0) while (++lag < STRIDE_LAG_MAX + 2) acf[lag] += (sum(h, buf, lag) + (c += m * (buf[lag - 1] + buf[WINDOW - lag]) - square)) / (WINDOW - lag);
      else while (++lag < STRIDE_LAG_MAX + 2) acf[lag] = (sum(h, buf, lag) + (c += m * (buf[lag - 1] + buf[WINDOW - lag]) - square)) / (WINDOW - lag);
    };

    /** The fundamental lag of acf from lo to STRIDE_LAG_MAX (see periodicity.ts). */
    const fundamental = (lo: number): number => {
      const best = largest(acf, lo);
      for (let lag = lo; lag <= STRIDE_LAG_MAX; lag++) {
        const v = acf[lag];
        if (v >= acf[lag - 1] && v >= acf[lag + 1] && v * 20 >= best * 17) return lag;
      }
      // No peak: the best is at an end of the range (a best lag inside it is a peak), the first
      // end that reaches it.
      return acf[lo] < best ? STRIDE_LAG_MAX : lo;
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

    // The window's verdict, carried from the first stage of its analysis to the last.
    let walking: boolean;
    let den: number;
    let floor: number;
    let strikes: boolean;
    let axes: number;

    /**
     * The start of a full window's analysis, at the sample that fills it: copies it to the
     * analysed buffers, slides the live ones on by HOP, and correlates the magnitude. The rest
     * runs in stages at the next samples (see next), so that no sample carries the whole
     * analysis: on the watch that would stall the UI and the radio for most of a second.
     */
    // (Assigned, not declared with its value: esbuild would inline a function used once into the
    // grid point's test for a full window, which Espruino would then read through at every point.)
    let analyse: () => void;
    analyse = () => {
      settle(); // only when a sample brought more grid points than a hop
      copy(ax, hbx);
      copy(ay, hby);
      copy(az, hbz);
      copy(am, hbm);
      slide(bx);
      slide(by);
      slide(bz);
      slide(bm);
      n = WINDOW - HOP;

      walking = held === 0;

      // Magnitude: heel strikes, one per step.
      sm = total(ham);
      em = energyOf(ham, am, sm);

      // The motion floor: lower while a walk, or a first periodic window waiting for the next to
      // confirm it, has gone quiet on every channel (see QUIET_RMS: a pouch whose own swing
      // cancels the steps for a few seconds can do that right after the first window). The axes'
      // energy it needs is kept for the arm swing (-1: not known yet). A magnitude above the
      // higher floor is above either, so until the arm swing is needed (next, stage 2) the axes
      // can wait: a walk with heel strikes never sums them (0.7M instructions a window on Espruino).
      axes = -1;
      floor = MIN_ENERGY;
      if (held >= 0 && em < MIN_ENERGY) quiet();
      // The strictest correlation this window is judged by: a weaker rhythm carries a confirmed
      // walk on (hysteresis) while the body is still jolted; out of a walk, both the start (1/2)
      // and a weak start (1/3) are asked. So is a walk whose jolts have stopped (the magnitude
      // under the floor) while the arm or the pocket still moves: after a walk that is gestures,
      // a shift of weight, a turn on the spot, whose loose rhythm 1/5 let carry the walk on for
      // windows after its end; a wrist that swings on without jolts (soft steps) swings clearly.
      den = walking && em >= floor ? STAY_DEN : ENTER_DEN;
      stage = 1;
    };

    /**
     * The analysis's later stages, one per sample: 1 the magnitude's correlation; 2 its period;
     * 3 to 5 the correlation of one axis each; 6 the arm swing's stride. The last one decides.
     */
    const next = (): void => {
      if (stage === 1) {
        if (em >= floor) correlate(ham, am, sm, 0);
      } else if (stage === 2) {
        magLag = magCorrelation = magPeriod = 0;
        if (em >= floor) {
          magLag = fundamental(em >= RUN_ENERGY ? STEP_LAG_RUN : STEP_LAG_WALK);
          magCorrelation = acf[magLag];
          magPeriod = refine(magLag);
          copy(strikeAcf, acf);
        }
        // The three axes together: the arm swing, one per stride; not needed when the strictest
        // test already finds heel strikes. Energy first, so that a still wrist costs three sums
        // and no correlation.
        axCorrelation = axPeriod = 0;
        strikes = magPeriod > 0 && magLag <= STEP_LAG_MAX_AS_STEP && magCorrelation * den * WINDOW >= em;
        if (!strikes && axes < 0) quiet();
        axEnergy = strikes ? 0 : axes;
        if (axEnergy < floor) return decide();
      } else if (stage === 3) correlate(hax, ax, sx, 0);
      else if (stage === 4) correlate(hay, ay, sy, 1);
      else if (stage === 5) correlate(haz, az, sz, 1);
      else {
        swing();
        return decide();
      }
      stage++;
    };

    /** The axes' energy (axes), and the floor it lowers (see analyse). */
    const quiet = (): void => {
      axes = axesEnergy();
      if (held >= 0 && axes < MIN_ENERGY) floor = QUIET_ENERGY;
    };

    /** Ends a window's analysis still under way. */
    const settle = (): void => {
      while (stage > 0) next();
    };

    /** The three axes' energy (and their sums, for their correlations). */
    const axesEnergy = (): number => {
      sx = total(hax);
      sy = total(hay);
      sz = total(haz);
      return energyOf(hax, ax, sx) + energyOf(hay, ay, sy) + energyOf(haz, az, sz);
    };

    /** Whether the magnitude's correlation kept by its analysis (strikeAcf) peaks at lag k, above 0. */
    const strikesAt = (k: number): boolean => strikeAcf[k] > 0 && strikeAcf[k] >= strikeAcf[k - 1] && strikeAcf[k] >= strikeAcf[k + 1];

    /** The arm swing's stride from the three axes' correlation in acf. */
    const swing = (): void => {
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
      // Unless the heel strikes (the magnitude) repeat at half of it and what is further is its
      // double or one and a half times it (a signal that repeats every half lag repeats there
      // too): then the halves look alike because every step jolts the device (a pocket, a hand),
      // and the short lag is a brisk walker's stride. A slow walker's step does not jolt half-way
      // to the next one. (Above 130 steps/min three steps come before four in the search.)
      const mid = Math.round(lag / 2);
      if (lag < STRIDE_LAG_AMBIGUOUS && acf[mid] > 0) {
        const further = fundamental(lag + 2);
        const repeatsAtHalf = Math.abs(further - 2 * lag) <= 2 || Math.abs(2 * further - 3 * lag) <= 2;
        if (!(repeatsAtHalf && magPeriod > 0 && (strikesAt(mid) || strikesAt(lag - mid)))) lag = further;
      }
      axCorrelation = acf[lag];
      axPeriod = refine(lag);
    };

    /**
     * The grid points of the window's newer half that the walk filled: up to the end of its last
     * block that is not still (see BLOCK).
     */
    const walked = (): number => {
      let end = WINDOW;
      let strongest = 0;
      let from = 0;
      let q: number;
      let s: number;
      // The window's strongest block only once a block is under the floor: a walk's last block
      // seldom is, and every block costs a view and a sum on the watch.
      while (end > HOP && (q = blockSquares(am, end - BLOCK)) < STILL_BLOCK_ENERGY) {
        for (; from < WINDOW; from += BLOCK) if ((s = blockSquares(am, from)) > strongest) strongest = s;
        if (q * STILL_RATIO >= strongest) break;
        end -= BLOCK;
      }
      return end - HOP;
    };

    /**
     * The walking state machine, at the end of a window's analysis. One periodic window alone is
     * held back; the next one confirms it (or carries a walk on) and credits its steps.
     */
    const decide = (): void => {
      stage = 0;
      // Only a body that moves starts a walk:
      // steering, brushing or waving swing the arm (the axes) with a rhythm but leave the
      // magnitude, which every step jolts, below the motion floor; the arm alone may carry a
      // walk on, never start one (the window that confirms a first one is held to that one's
      // floor, the quiet one when every channel has gone quiet: the first window moved the
      // body). And the two windows must agree on the cadence (within 2/5): a
      // walker's pace does not jump that much in 2.56 s, while unrelated rhythms one after the
      // other do (a lurch into a car seat, then the wheel; typing bridged by a lossy logger);
      // the second then becomes the held window of a walk that may yet start. For the same reason
      // a walk whose heel strikes stop goes on with the arm alone only at its own cadence: arm
      // motion at another rhythm right after a walk (gestures, reaching, fidgeting) is not the
      // walk, and starts afresh as a held window.
      const step = stepAt(den);
      const moving = em >= floor;
      const offCadence = Math.abs(step - previous) * 5 > previous * 2;
      if (step === 0 || (!walking && !moving)) held = -1;
      else if (walking ? struck && !strikes && offCadence : held < 0 || offCadence) held = WINDOW / step;
      else {
        credit += walked() / step + held;
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
      const whole = mathFloor(credit);
      fresh += whole - count;
      this.steps = count = whole;

      // A body at rest with no walk in view rests too (see REST_EVERY).
      if (held < 0 && weakRun === 0 && em < REST_ENERGY && axEnergy < REST_ENERGY) {
        this.push = rested;
        rest = (lm * lm) / (unit * unit);
        this.idle = REST_EVERY;
        restN = n;
        elapsed = 0;
      }
    };

    this.finish = () => {
      fresh = 0;
      settle();
      return fresh;
    };

    // On Espruino a function is read to its end even after a return, and a loop's body is read
    // once more to leave it: so the per-sample path keeps its rare parts (the restart, the rest)
    // in functions of their own, and the rest swaps in a push of its own. The grid point stays in
    // the loop: reading its body once more costs less than a call with four arguments per point
    // (Puck walking 1.014M -> 1.001M on callgrind, session 12).

    /** Starts afresh on this sample; returns the gap to take it as (see below). */
    // (Assigned, not declared with its value: esbuild would inline a function used once into the
    // branch that calls it, which Espruino would then read through at every sample.)
    let restart: (x: number, y: number, z: number) => number;
    restart = (x, y, z) => {
      // After power-up, a long gap or a rest nothing is known about the motion before. A
      // window's analysis still under way ends first. The filters start at rest on the current
      // posture. After a rest the window goes on at the length it would have had, its older
      // part still holding the last window before the rest: motion too small to tell from the
      // rest's.
      settle();
      held = -1;
      weakRun = 0;
      n = wake;
      wake = 0;
      lx = x * unit;
      ly = y * unit;
      lz = z * unit;
      lm = mathSqrt(lx * lx + ly * ly + lz * lz);
      // The first grid point is this very sample: seen as 1 ms after a previous sample equal to
      // it, with the grid 1 ms short of it, the loop interpolates exactly this sample, whose
      // filtered value is 0 on every channel, and leaves the next grid point 80 ms after it.
      px = x;
      py = y;
      pz = z;
      due = 1;
      return 1;
    };

    /** push while awake. */
    const take: Pedometer['push'] = (dtMs, x, y, z) => {
      fresh = 0;
      // One stage of a window's analysis per sample, whatever the sample's grid points.
      if (stage > 0) next();
      if (n === 0 || dtMs > MAX_GAP_MS) dtMs = restart(x, y, z);
      // Same or earlier timestamp: a duplicate, not new motion (but the stage above may have ended
      // a window's analysis, whose steps are returned like any others).
      else if (!(dtMs > 0)) return fresh;
      // Every 80 ms grid point that falls between the previous sample and this one.
      // (Kept as the time to the next grid point, not since the last one: two operators fewer a
      // sample on Espruino.)
      let t = due;
      for (; t <= dtMs; t += GRID_MS) {
        // A grid point, a fraction f of the way from the previous sample to this one.
        const f = t / dtMs;
        // The sample at this grid point, by linear interpolation, in 1024 per g. (The unit is a
        // power of two, which scales a rounded result without rounding it again: 1/8 for raw
        // counts, a multiplication, which on Espruino is cheaper than the quotient by 8.)
        const ux = (px + (x - px) * f) * unit;
        const uy = (py + (y - py) * f) * unit;
        const uz = (pz + (z - pz) * f) * unit;
        const um = mathSqrt(ux * ux + uy * uy + uz * uz);
        // High-pass the four channels and store them in the window, analysed whenever it is full:
        // one statement a channel (on Espruino each statement and each name read costs; the
        // filter with an output state of its own took four assignments more, 60k instructions a
        // grid point).
        // The store truncates towards zero (the typed array does it, on every platform alike):
        // rounding first cost a call and an addition per channel, 44k of Espruino's instructions
        // per grid point, for a difference of under 1/1024 g.
        bx[n] = ux - (lx += (ux - lx) * HP_FOLLOW);
        by[n] = uy - (ly += (uy - ly) * HP_FOLLOW);
        bz[n] = uz - (lz += (uz - lz) * HP_FOLLOW);
        bm[n] = um - (lm += (um - lm) * HP_FOLLOW);
        if (++n === WINDOW) analyse();
      }
      due = t - dtMs;
      px = x;
      py = y;
      pz = z;
      return fresh;
    };

    /**
     * A look at rest, every REST_EVERY samples: the magnitude alone, its change since the last
     * look (the first one compares with the last grid point before the rest).
     */
    this.look = (dtMs, x, y, z) => {
      this.idle = REST_EVERY;
      // (A gap that is no interval, infinite or over a second, says nothing about the grid.)
      if (dtMs <= MAX_GAP_MS) elapsed += dtMs;
      const change = x * x + y * y + z * z - rest;
      rest += change;
      // (The change's square against the limit's: one product and one comparison where two
      // comparisons, a negation and an or cost 7k more a look on Espruino. The same verdict but
      // within a rounding of the limit, and the same on every platform and in either unit.)
      return change * change > wakeSquared ? wakeUp(dtMs, x, y, z) : 0;
    };

    /** Wakes the detector, which takes this sample awake, on the grid it had, as if the rest had been recorded. */
    const wakeUp = (dtMs: number, x: number, y: number, z: number): number => {
      wake = HOP + ((restN - HOP + Math.round(elapsed > 0 ? (elapsed * REST_EVERY) / GRID_MS : 0)) % HOP);
      n = this.idle = 0;
      this.push = take;
      return this.push(dtMs, x, y, z);
    };

    /** push at rest (see REST_EVERY): a countdown, and a look at its end. */
    rested = (dtMs, x, y, z) => (--this.idle > 0 ? 0 : this.look(dtMs, x, y, z));

    this.push = take;
  }
}
