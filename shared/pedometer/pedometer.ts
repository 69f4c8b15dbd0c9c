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
// stay small; thresholds are integer ratios so that every platform compares exactly alike.

import { addAutocorrelation, centre, clear, fundamentalLag, loopLagSum, refineLag, type LagSum } from './periodicity.ts';

/** Internal sample period: 12.5 Hz, the Bangle.js 2 accelerometer rate, ample for a 3 Hz gait. */
const GRID_MS = 80;
/** Analysis window: 64 samples = 5.12 s, at least two strides of the slowest walk (2.5 s stride). */
const WINDOW = 64;
/** Analysis every 32 samples = 2.56 s, so steps appear on the watch within a few seconds. */
const HOP = 32;
/** A gap longer than this (1 s, over two slow steps) breaks the walk: we cannot see what happened. */
const MAX_GAP_MS = 1000;
/** Raw counts are 8192 per g; we work in 1024 per g so squares and sums stay small everywhere. */
const RAW_PER_UNIT = 8;
/** High-pass pole 7/8 at 12.5 Hz: cutoff about 0.28 Hz, below the slowest stride (0.4 Hz). */
const HP_NUM = 7;
const HP_DEN = 8;

/** Stride lags (samples): 0.88 s to 2.56 s covers walking at 0.8 to 2.3 steps per second. */
const STRIDE_LAG_WALK = 11;
const STRIDE_LAG_MAX = 32;
/** Below 1.04 s a period may be a slow walker's step rather than a brisk walker's stride. */
const STRIDE_LAG_AMBIGUOUS = 13;
/** Running (over 2.3 steps per second) is accepted only with running effort: rms of 0.5 g. */
const STRIDE_LAG_RUN = 8;
const RUN_RMS = 512;
/** Step lags for the magnitude: 0.32 s (3 steps/s) upwards; above 0.8 s it is a stride, not a step. */
const STEP_LAG_MIN = 4;
const STEP_LAG_MAX_AS_STEP = 10;
/** Motion below 0.06 g rms (61/1024 g) is sensor noise, typing or a car's hum: never walking. */
const MIN_RMS = 61;
/** Correlation needed to start a walk (1/2) and to carry on walking (1/5). */
const ENTER_NUM = 1;
const ENTER_DEN = 2;
const STAY_NUM = 1;
const STAY_DEN = 5;

const IDLE = 0;
const CANDIDATE = 1;
const WALKING = 2;

export class Pedometer {
  /** Steps counted since creation. */
  steps = 0;

  private credit = 0; // fractional steps credited so far (steps is its integer part)
  private held = 0; // steps of a first periodic window, waiting for confirmation
  private state = IDLE;
  private started = false;
  private phase = 0; // ms from the last grid point to the previous sample
  private px = 0;
  private py = 0;
  private pz = 0;
  // High-pass filter state: last input and output per channel.
  private lx = 0;
  private ly = 0;
  private lz = 0;
  private lm = 0;
  private hx = 0;
  private hy = 0;
  private hz = 0;
  private hm = 0;
  private n = 0; // samples in the window
  private readonly bx = new Int16Array(WINDOW);
  private readonly by = new Int16Array(WINDOW);
  private readonly bz = new Int16Array(WINDOW);
  private readonly bm = new Int16Array(WINDOW);
  // Zero-padded past the window by more than the longest lag: a circular correlation over the
  // whole buffer (Espruino's native E.convolve wraps around) then equals the linear one.
  private readonly scratch = new Float64Array(WINDOW + STRIDE_LAG_MAX + 2);
  private readonly acf = new Float64Array(STRIDE_LAG_MAX + 2);
  private readonly lagSum: LagSum;

  /** lagSum: optional native replacement for the correlation inner loop (see periodicity.ts). */
  constructor(lagSum?: LagSum) {
    this.lagSum = lagSum === undefined ? loopLagSum : lagSum;
  }

  /**
   * Feed one sample. dtMs: milliseconds since the previous sample (ignored for the first);
   * x, y, z: raw counts, 8192 = 1 g. Returns the steps newly counted by this sample (can be more
   * than 1 when a walk is confirmed and its held-back steps are credited).
   */
  push(dtMs: number, x: number, y: number, z: number): number {
    const before = this.steps;
    if (!this.started || dtMs > MAX_GAP_MS) {
      this.restart(x, y, z);
    } else if (dtMs > 0) {
      // Emit every grid point that falls between the previous sample and this one.
      let t = GRID_MS - this.phase;
      while (t <= dtMs) {
        const f = t / dtMs;
        this.grid(this.px + (x - this.px) * f, this.py + (y - this.py) * f, this.pz + (z - this.pz) * f);
        t += GRID_MS;
      }
      this.phase = dtMs - (t - GRID_MS);
    } else {
      return 0; // same or earlier timestamp: a duplicate, not new motion
    }
    this.px = x;
    this.py = y;
    this.pz = z;
    return this.steps - before;
  }

  /** Start afresh after power-up or a long gap: nothing is known about the motion before. */
  private restart(x: number, y: number, z: number): void {
    this.started = true;
    this.state = IDLE;
    this.held = 0;
    this.n = 0;
    this.phase = 0;
    this.lx = x / RAW_PER_UNIT;
    this.ly = y / RAW_PER_UNIT;
    this.lz = z / RAW_PER_UNIT;
    this.lm = Math.sqrt(this.lx * this.lx + this.ly * this.ly + this.lz * this.lz);
    this.hx = 0;
    this.hy = 0;
    this.hz = 0;
    this.hm = 0;
    this.store();
  }

  /** One 80 ms grid sample: high-pass the four channels and store them in the window. */
  private grid(x: number, y: number, z: number): void {
    const ux = x / RAW_PER_UNIT;
    const uy = y / RAW_PER_UNIT;
    const uz = z / RAW_PER_UNIT;
    const um = Math.sqrt(ux * ux + uy * uy + uz * uz);
    this.hx = ((this.hx + ux - this.lx) * HP_NUM) / HP_DEN;
    this.hy = ((this.hy + uy - this.ly) * HP_NUM) / HP_DEN;
    this.hz = ((this.hz + uz - this.lz) * HP_NUM) / HP_DEN;
    this.hm = ((this.hm + um - this.lm) * HP_NUM) / HP_DEN;
    this.lx = ux;
    this.ly = uy;
    this.lz = uz;
    this.lm = um;
    this.store();
  }

  private store(): void {
    const i = this.n;
    this.bx[i] = Math.floor(this.hx + 0.5);
    this.by[i] = Math.floor(this.hy + 0.5);
    this.bz[i] = Math.floor(this.hz + 0.5);
    this.bm[i] = Math.floor(this.hm + 0.5);
    this.n = i + 1;
    if (this.n === WINDOW) {
      this.analyse();
      this.slide();
    }
  }

  /** Keep the newer half of the window as the older half of the next one. */
  private slide(): void {
    for (let i = 0; i < WINDOW - HOP; i++) {
      this.bx[i] = this.bx[i + HOP];
      this.by[i] = this.by[i + HOP];
      this.bz[i] = this.bz[i + HOP];
      this.bm[i] = this.bm[i + HOP];
    }
    this.n = WINDOW - HOP;
  }

  /** Decide whether the window is walking, and at what step period (in grid samples). */
  private analyse(): void {
    const walking = this.state === WALKING;
    const num = walking ? STAY_NUM : ENTER_NUM;
    const den = walking ? STAY_DEN : ENTER_DEN;
    const acf = this.acf;
    const buf = this.scratch;

    // Magnitude: heel strikes, one per step.
    clear(acf);
    const em = centre(this.bm, buf, WINDOW);
    let magStep = 0;
    let magDirect = false; // the magnitude's own period is a step (not a stride assumed halved)
    let magOk = false;
    if (em >= MIN_RMS * MIN_RMS * WINDOW) {
      addAutocorrelation(buf, WINDOW, STRIDE_LAG_MAX, acf, this.lagSum);
      const lag = fundamentalLag(acf, STEP_LAG_MIN, STRIDE_LAG_MAX);
      const period = refineLag(acf, lag);
      magDirect = lag <= STEP_LAG_MAX_AS_STEP;
      magStep = magDirect ? period : period / 2;
      magOk = acf[lag] * WINDOW * den >= em * num;
    }

    // The three axes together: the arm swing, one per stride. Energy first, so that a still wrist
    // costs three short loops and no correlation.
    let step = 0;
    const energy = centre(this.bx, buf, WINDOW) + centre(this.by, buf, WINDOW) + centre(this.bz, buf, WINDOW);
    if (energy >= MIN_RMS * MIN_RMS * WINDOW) {
      clear(acf);
      centre(this.bx, buf, WINDOW);
      addAutocorrelation(buf, WINDOW, STRIDE_LAG_MAX, acf, this.lagSum);
      centre(this.by, buf, WINDOW);
      addAutocorrelation(buf, WINDOW, STRIDE_LAG_MAX, acf, this.lagSum);
      centre(this.bz, buf, WINDOW);
      addAutocorrelation(buf, WINDOW, STRIDE_LAG_MAX, acf, this.lagSum);
      const lo = energy >= RUN_RMS * RUN_RMS * WINDOW ? STRIDE_LAG_RUN : STRIDE_LAG_WALK;
      let lag = fundamentalLag(acf, lo, STRIDE_LAG_MAX);
      // A stride is two different half-strides (arm forward, arm back), so the swing anti-correlates
      // at half the lag. A short "stride" whose halves look alike is really one step: look further.
      if (lag < STRIDE_LAG_AMBIGUOUS && acf[Math.floor(lag / 2 + 0.5)] > 0) lag = fundamentalLag(acf, lag + 2, STRIDE_LAG_MAX);
      if (acf[lag] * WINDOW * den >= energy * num) {
        step = refineLag(acf, lag) / 2;
        // Both rhythms present, the swing's step twice the strike's: the swing locked on two strides.
        if (magOk && magDirect && Math.abs(step - 2 * magStep) * 20 < step * 3) step = step / 2;
      }
    }
    if (step === 0 && magOk) step = magStep;
    this.decide(step);
  }

  /** The walking state machine; step is the step period in samples, 0 when not walking. */
  private decide(step: number): void {
    if (step === 0) {
      this.state = IDLE;
      this.held = 0;
      return;
    }
    if (this.state === IDLE) {
      this.held = WINDOW / step;
      this.state = CANDIDATE;
      return;
    }
    let gain = HOP / step;
    if (this.state === CANDIDATE) {
      gain += this.held;
      this.held = 0;
      this.state = WALKING;
    }
    this.credit += gain;
    this.steps = Math.floor(this.credit);
  }
}
