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
// Constraints (the same code runs on the watch, in Node and in Lua): bounded work per sample and
// no allocation after construction; the Espruino subset (see ../../shared/ESPRUINO.md); the
// window analysis works on integers (exact everywhere) and thresholds are integer ratios
// (tuning.ts), so that every platform decides exactly alike.
//
// Cost on the watch (firmware/README.md, "CPU cost"): Espruino interprets the source text, so
// every statement on the per-sample path is paid 12.5 times a second. Hence: the heavy loops are
// Espruino's C routines (periodicity.ts); the window's correlation is spread over the samples
// that follow it instead of stalling one; and a wrist at rest (most of a day) is looked at about
// once a second, the caller skipping the other samples with one test (`rest`).

import type { Natives } from './periodicity.ts';
import {
  ENTER_DEN,
  FIRST_LAG,
  GRID_MS,
  HOP,
  HP_DEN,
  HP_NUM,
  LAGS_PER_SLICE,
  MAX_GAP_MS,
  MIN_ENERGY,
  RAW_PER_UNIT,
  REST_ENERGY,
  REST_EVERY,
  RUN_ENERGY,
  STAY_DEN,
  STEP_LAG_MAX_AS_STEP,
  STEP_LAG_MIN,
  STRIDE_LAG_AMBIGUOUS,
  STRIDE_LAG_MAX,
  STRIDE_LAG_RUN,
  STRIDE_LAG_WALK,
  WAKE_COUNTS,
  WINDOW,
} from './tuning.ts';

/**
 * Energies and correlations are kept multiplied by WINDOW^2, which makes them exact integers.
 * Thresholds are compared as `energy / SCALE >= threshold`: dividing by a power of two is exact,
 * and the product would overflow a Lua with 32-bit integers (fengari).
 */
const SCALE = WINDOW * WINDOW;
/** The last lag correlated: the fundamental looks one past the longest stride. */
const LAST_LAG = STRIDE_LAG_MAX + 1;

export class Pedometer {
  /** Steps counted since creation. */
  steps = 0;

  /**
   * -1 while moving. At rest: how many samples push() will still ignore before it looks again.
   * push() ignores a sample by counting this down, so a caller may skip the call instead and count
   * down itself (`if (p.rest > 0) p.rest--; else p.push(...)`): the watch does, and a resting
   * wrist costs it one test per sample. The count is the same either way.
   */
  rest = -1;

  /**
   * Feed one sample. dtMs: milliseconds since the previous sample (ignored for the first);
   * x, y, z: raw counts, 8192 = 1 g. Returns the steps newly counted by this sample (can be more
   * than 1 when a walk is confirmed and its held-back steps are credited).
   * (`this: Pedometer` keeps it a method for typescript-to-lua: Lua calls it as `p:push(...)`.)
   */
  push: (this: Pedometer, dtMs: number, x: number, y: number, z: number) => number;

  /**
   * Completes at once a window analysis still spread over the coming samples: for the end of a
   * recording (the watch never needs it: its next samples finish the work).
   */
  finish: (this: Pedometer) => void;

  /** native: Espruino's `E` on the watch, `loopNatives` (periodicity.ts) elsewhere. */
  constructor(native: Natives) {
    // The detector's state lives in this closure, not in fields: local names minify to one letter
    // and need no `this.`, which makes the firmware bundles smaller, and on Espruino a closure
    // variable is found at least as fast as a property of a many-field object. The analysis
    // helpers are closures too, so they reach the buffers without parameters (each parameter
    // costs a JsVar per call).
    let credit = 0; // fractional steps credited so far
    let count = 0; // its integer part, published as steps
    let started = false; // false before the first sample and after a rest: the next one restarts
    let full = false; // the older half-window holds samples
    let n = 0; // samples in the newer half-window
    // Each channel (x, y, z and the magnitude m) has two half-windows that swap roles every HOP
    // samples (no copying), and a snapshot of the whole window for the analysis of the samples
    // after it: the window itself, and again zero-padded past the longest lag, so that
    // E.convolve's circular sum is the linear one. (Factories: shorter in the bundle.)
    const half = (): Int16Array => new Int16Array(HOP);
    const snap = (): Int16Array => new Int16Array(WINDOW);
    const pad = (): Int16Array => new Int16Array(WINDOW + LAST_LAG + 1);
    // Halves in analysis order (magnitude, x, y, z), older and newer; the newer ones also by name,
    // for the per-sample stores.
    const older = [half(), half(), half(), half()];
    const newer = [half(), half(), half(), half()];
    let nm = newer[0];
    let nx = newer[1];
    let ny = newer[2];
    let nz = newer[3];
    // Snapshots in analysis order: magnitude, then the three axes.
    const snaps = [snap(), snap(), snap(), snap()];
    const pads = [pad(), pad(), pad(), pad()];
    // Autocorrelation (times SCALE) of the magnitude, then of the axes together.
    const acf = new Float64Array(LAST_LAG + 1);
    // What the magnitude's rhythm says (see decide): its step period, and the same when that is a
    // heel strike's (not a stride's, halved). 0: no rhythm.
    let magStep: number;
    let strike: number;
    let den: number; // see analyse
    // The analysis under way: channel (0 magnitude, 1-3 axes; 4 the decision, -1 none), its
    // buffers and sum, the next lag, and the sum of the window but its last `lag` samples plus the
    // sum of the window but its first `lag` samples.
    let job = -1;
    let first: number; // first channel to correlate (1 when the magnitude is too weak)
    let last: number; // channel after the last one to correlate
    let a: Int16Array;
    let p: Int16Array;
    let s: number;
    let ns: number; // WINDOW * s
    let ss: number; // s * s
    let lag: number;
    let edges: number; // A + B (see slice)
    let em: number; // energies (times SCALE) of the window under analysis: magnitude, axes together
    let ea: number;
    // Set by every restart before any use (no initial value: that saves bytes in the firmware).
    // held is the whole walking state: -1 not walking; above 0 the steps of a first periodic
    // window, held back until the next window confirms them; 0 walking (a confirmed walk).
    let held: number;
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

    /** Starts correlating channel c (skipping those not wanted); after the last, the decision. */
    const begin = (c: number): void => {
      if (c < first) c = first;
      job = c < last ? c : 4;
      if (job === 4) return;
      a = snaps[c];
      p = pads[c];
      p.set(a);
      s = native.sum(a);
      ns = WINDOW * s;
      ss = s * s;
      // Lag 1 is below FIRST_LAG: not correlated, only taken off the edges.
      edges = 2 * s - a[WINDOW - 1] - a[0];
      lag = FIRST_LAG;
      // The magnitude, or the first axis: an empty sum to add to.
      if (c < 2) acf.fill(0);
    };

    /**
     * One grid point's share of the analysis: up to LAGS_PER_SLICE lags of the current channel, or
     * the decision once all are done. The centred lag sum, times SCALE, from the raw one: over
     * i < N - L (N = WINDOW), the sum of (a[i] - s/N)(a[i+L] - s/N) is
     * (N^2 C - N s (A + B) + (N - L) s^2) / N^2, where C is the raw lag sum and A, B the sums of
     * a[i] and a[i+L] over the same i (edges is A + B). All integers below 2^53: exact everywhere.
     */
    const slice = (): void => {
      if (job === 4) {
        decide();
        return;
      }
      // (The lags FIRST_LAG to LAST_LAG make whole slices: see tuning.ts.)
      const stop = lag + LAGS_PER_SLICE;
      for (; lag < stop; lag++) {
        edges -= a[WINDOW - lag] + a[lag - 1];
        acf[lag] += (SCALE * native.convolve(a, p, lag) - ns * edges + (WINDOW - lag) * ss) / (WINDOW - lag);
      }
      if (lag > LAST_LAG) {
        if (job === 0) {
          // The magnitude is correlated: heel strikes, one per step.
          const l = fundamental(STEP_LAG_MIN);
          if (acf[l] * den >= em) {
            const period = refine(l);
            if (l <= STEP_LAG_MAX_AS_STEP) strike = magStep = period;
            else magStep = period / 2;
          }
        }
        begin(job + 1);
      }
    };

    /** The fundamental lag of acf from lo to STRIDE_LAG_MAX (see periodicity.ts). */
    const fundamental = (lo: number): number => {
      let best = acf[lo];
      let bestLag = lo;
      for (let l = lo + 1; l <= STRIDE_LAG_MAX; l++) {
        if (acf[l] > best) {
          best = acf[l];
          bestLag = l;
        }
      }
      for (let l = lo; l <= STRIDE_LAG_MAX; l++) {
        const v = acf[l];
        if (v >= acf[l - 1] && v >= acf[l + 1] && v * 20 >= best * 17) return l;
      }
      return bestLag;
    };

    /** A lag refined to a fraction of a sample by a parabola through acf's peak (see periodicity.ts). */
    const refine = (l: number): number => {
      const before = acf[l - 1];
      const after = acf[l + 1];
      const curvature = before - 2 * acf[l] + after;
      const shift = curvature === 0 ? 0 : (before - after) / (2 * curvature);
      return l + (shift > 0.5 ? 0.5 : shift < -0.5 ? -0.5 : shift);
    };

    /** The window is full: snapshot it, weigh its energy, and start its analysis (or rest). */
    const analyse = (): void => {
      // The previous analysis first, if samples came too sparse to complete it (below 7 Hz).
      this.finish();
      ea = magStep = strike = 0; // (em is set for c = 0 below)
      // Correlation needed: a weaker rhythm carries a confirmed walk on (hysteresis). The tests
      // are `correlation * WINDOW * den >= energy`, with WINDOW folded into den: a power of two,
      // so the product is exactly the same.
      den = held === 0 ? STAY_DEN * WINDOW : ENTER_DEN * WINDOW;
      for (let c = 0; c < 4; c++) {
        // The window: the older half, then the newer.
        const w = snaps[c];
        w.set(older[c]);
        w.set(newer[c], HOP);
        const sum = native.sum(w);
        // N^2 times the centred energy: N (N * sum of squares - sum^2).
        const e = WINDOW * (WINDOW * native.variance(w, 0) - sum * sum);
        if (c === 0) em = e;
        else ea += e;
      }
      // Only channels with motion enough are correlated: a still wrist costs no correlation.
      first = em / SCALE >= MIN_ENERGY ? 0 : 1;
      last = ea / SCALE >= MIN_ENERGY ? 4 : 1;
      if (first >= last) {
        // No motion worth analysing (decided at once: no rhythm); almost none: at rest until the
        // wrist moves.
        decide();
        if (em + ea < REST_ENERGY * WINDOW * WINDOW) this.rest = REST_EVERY - 1;
        return;
      }
      begin(0);
    };

    /** The correlations are complete: find the rhythm and run the walking state machine. */
    const decide = (): void => {
      job = -1;

      // The three axes together: the arm swing, one per stride. Their step, when their rhythm is
      // strong enough, replaces the magnitude's.
      let step = magStep;
      if (last === 4) {
        let l = fundamental(ea / SCALE >= RUN_ENERGY ? STRIDE_LAG_RUN : STRIDE_LAG_WALK);
        // A stride is two different half-strides (arm forward, arm back), so the swing anti-correlates
        // at half the lag (rounded up: lags are integers). A short "stride" whose halves look alike is really one step: look further.
        if (l < STRIDE_LAG_AMBIGUOUS && acf[(l + (l % 2)) / 2] > 0) l = fundamental(l + 2);
        if (acf[l] * den >= ea) {
          step = refine(l) / 2;
          // Both rhythms present, the swing's step twice the strike's: the swing locked on two
          // strides. (With no strike the test is 20 * step < 3 * step: false, as step > 0.)
          if (Math.abs(step - 2 * strike) * 20 < step * 3) step /= 2;
        }
      }

      // The walking state machine. One periodic window alone is held back; the next one confirms
      // it (or carries a walk on) and credits its steps.
      if (step === 0) held = -1;
      else if (held < 0) held = WINDOW / step;
      else {
        credit += HOP / step + held;
        held = 0;
        this.steps = count = Math.floor(credit);
      }
    };

    this.finish = () => {
      while (job >= 0) slice();
    };

    this.push = (dtMs, x, y, z) => {
      const before = count;
      const r = this.rest;
      if (r >= 0) {
        // At rest: ignore all but one sample in REST_EVERY, and wake when that one has moved.
        if (r > 0) {
          this.rest = r - 1;
          return 0;
        }
        if (Math.abs(x - px) + Math.abs(y - py) + Math.abs(z - pz) <= WAKE_COUNTS) {
          px = x;
          py = y;
          pz = z;
          this.rest = REST_EVERY - 1;
          return 0;
        }
        this.rest = -1;
        started = false;
      }
      if (!started || dtMs > MAX_GAP_MS) {
        // Start afresh after power-up, a rest or a long gap: nothing is known about the motion
        // before. An analysis under way completes first: its window was whole. The filters start
        // at rest on the current posture.
        this.finish();
        started = true;
        full = false;
        held = -1;
        n = 0;
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
      // One slice of the previous window's analysis per sample (not per grid point: a sample
      // after a dropped poll fills two), and never in the sample that completes a window.
      if (job >= 0) slice();
      // Emit every 80 ms grid point that falls between the previous sample and this one.
      let t = GRID_MS - phase;
      while (t <= dtMs) {
        // The sample at this grid point, by linear interpolation, in 1024 per g.
        const f = t / dtMs;
        const ux = (px + (x - px) * f) / RAW_PER_UNIT;
        const uy = (py + (y - py) * f) / RAW_PER_UNIT;
        const uz = (pz + (z - pz) * f) / RAW_PER_UNIT;
        const um = Math.sqrt(ux * ux + uy * uy + uz * uz);
        // High-pass the four channels and store them in the newer half-window.
        hx = ((hx + ux - lx) * HP_NUM) / HP_DEN;
        hy = ((hy + uy - ly) * HP_NUM) / HP_DEN;
        hz = ((hz + uz - lz) * HP_NUM) / HP_DEN;
        hm = ((hm + um - lm) * HP_NUM) / HP_DEN;
        lx = ux;
        ly = uy;
        lz = uz;
        lm = um;
        nx[n] = Math.floor(hx + 0.5);
        ny[n] = Math.floor(hy + 0.5);
        nz[n] = Math.floor(hz + 0.5);
        nm[n] = Math.floor(hm + 0.5);
        if (++n === HOP) {
          if (full) analyse();
          // The newer halves become the older; the older are overwritten next (no copying).
          for (let c = 0; c < 4; c++) {
            const swap = older[c];
            older[c] = newer[c];
            newer[c] = swap;
          }
          nm = newer[0];
          nx = newer[1];
          ny = newer[2];
          nz = newer[3];
          n = 0;
          full = true;
        }
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
