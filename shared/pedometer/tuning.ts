// The numbers that define bushu's step detector (pedometer.ts), each with the reason for its value.
//
// They live in their own module, which imports nothing, because esbuild replaces an imported
// constant by its value, while it keeps a module's own constants as variables as soon as that
// module imports anything: in the firmware bundles that is about 100 bytes. Thresholds are
// integer ratios so that every platform compares exactly alike.

/** Internal sample period: 12.5 Hz, the Bangle.js 2 accelerometer rate, ample for a 3 Hz gait. */
export const GRID_MS = 80;
/** Analysis window: 64 samples = 5.12 s, at least two strides of the slowest walk (2.5 s stride). */
export const WINDOW = 64;
/** Analysis every 32 samples = 2.56 s, so steps appear on the watch within a few seconds. */
export const HOP = 32;
/** A gap longer than this (1 s, over two slow steps) breaks the walk: we cannot see what happened. */
export const MAX_GAP_MS = 1000;
/** Raw counts are 8192 per g; we work in 1024 per g so squares and sums stay small everywhere. */
export const RAW_PER_UNIT = 8;
/**
 * High-pass pole 7/8 at 12.5 Hz: cutoff about 0.28 Hz, below the slowest stride (0.4 Hz). The
 * filter is written as the input less a low-pass that follows it by 1/8 (1 - 7/8) of the way at
 * each grid point: the same filter (pole 7/8, zero at 0 Hz, gain 7/8), with one state per channel.
 */
export const HP_NUM = 7;
export const HP_DEN = 8;
/**
 * 1 / RAW_PER_UNIT and (HP_DEN - HP_NUM) / HP_DEN written out: the build folds products but not
 * quotients, and Espruino would divide at every grid point (an operator is about 5k instructions).
 * Both are exact in binary, so every platform computes alike (test/pedometer.test.ts holds them
 * equal).
 */
export const UNIT_PER_RAW = 0.125;
export const HP_FOLLOW = 0.125;

/** Stride lags (samples): 0.88 s to 2.56 s covers walking at 0.8 to 2.3 steps per second. */
export const STRIDE_LAG_WALK = 11;
export const STRIDE_LAG_MAX = 32;
/** Below 1.04 s a period may be a slow walker's step rather than a brisk walker's stride. */
export const STRIDE_LAG_AMBIGUOUS = 13;
/** Running (over 2.3 steps per second) is accepted only with running effort: rms of 0.5 g. */
export const STRIDE_LAG_RUN = 8;
export const RUN_RMS = 512;
/** As the detector compares it: the energy (sum of squares) of a window at that rms. */
export const RUN_ENERGY = RUN_RMS * RUN_RMS * WINDOW;
/**
 * Step lags for the magnitude: 0.4 s (2.5 steps/s, the brisk walker's limit) upwards, and like the
 * stride's, 0.32 s (3 steps/s) only with running effort (RUN_RMS); above 0.8 s it is a stride, not
 * a step. (A 0.32 s "step" at walking effort was the jitter of a walk's last window, credited
 * with twice its steps.)
 */
export const STEP_LAG_WALK = 5;
export const STEP_LAG_RUN = 4;
export const STEP_LAG_MAX_AS_STEP = 10;
/** Motion below 0.06 g rms (61/1024 g) is sensor noise, typing or a car's hum: it never starts a walk (QUIET_RMS: one that goes quiet). */
export const MIN_RMS = 61;
/** As the detector compares it: the energy of a window at that rms. */
export const MIN_ENERGY = MIN_RMS * MIN_RMS * WINDOW;
/**
 * A walk that goes quiet on every channel at once (a gentle stretch with the arm held still, a
 * pouch whose own swing cancels the steps for a few seconds) is still judged down to 0.035 g rms
 * (36/1024 g): the walker has not stopped, and the rhythm test still guards. Only while walking,
 * and only when the axes too are below MIN_RMS: arm motion of walking strength without a rhythm
 * is not a quiet walk.
 */
export const QUIET_RMS = 36;
export const QUIET_ENERGY = QUIET_RMS * QUIET_RMS * WINDOW;
/**
 * Correlation needed to start a walk (1/2 of the energy) and to carry on walking (1/5). Both are
 * 1/n, so only n is kept: the test is `correlation * n >= energy`.
 */
export const ENTER_DEN = 2;
export const STAY_DEN = 5;
/**
 * A weaker rhythm also starts a walk if it lasts: four windows in a row (about 13 s) that each
 * correlate at 1/3, agree on the cadence and move the body. An irregular first stretch of a walk
 * (the arm finding its swing, a bag changing hands) reaches that; fidgeting, housework strokes
 * and typing do not keep one cadence for so long.
 */
export const WEAK_DEN = 3;
export const WEAK_WINDOWS = 4;
/**
 * Where a walk ends within a window's newer half, its steps end too: the half's steps are credited
 * up to its last block of 16 grid points (1.28 s, a stride at 94 steps/min) that the heel strikes
 * still jolt. A block is still when its magnitude stays below the motion floor (MIN_RMS) and its
 * energy is under 1/16 of the window's strongest block (a quarter of its rms): strikes that fade
 * that much have stopped, while a steady walk's blocks differ by a factor of two or three. Without
 * it, a walker who stops just after a window was credited the whole next half as steps, some 2 to
 * 8 steps at every stop (a pocket, a bag, a purse: the body set counted 2% high).
 */
export const BLOCK = 16;
export const STILL_BLOCK_ENERGY = MIN_RMS * MIN_RMS * BLOCK;
export const STILL_RATIO = 16;
/**
 * At rest: a window with no walk in view where the body and the arm both move less than 0.015 g
 * rms (15/1024 g: a wrist on a desk or in bed; the sensor's own noise is a few mg), push becomes
 * a countdown that looks at the magnitude of every 4th sample (0.32 s at 12.5 Hz) and wakes the
 * detector when it has changed by 0.03 g (30/1024 g, half the 0.06 g a walk must reach) since the
 * last look; the window then goes on on its grid, as if the rest had been recorded. As compared:
 * the energy of a window at that rms, and the difference of the squared magnitudes in raw counts
 * (8192 per g), about twice the magnitude times its change. Which looks fall where moves single
 * decisions in the everyday recordings (see README, "bench:accuracy"): resting whenever the body
 * is still (arm or not) rested more of a desk day but lost more of walks' first steps.
 */
export const REST_RMS = 15;
export const REST_ENERGY = REST_RMS * REST_RMS * WINDOW;
export const REST_EVERY = 4;
export const REST_WAKE = 2 * 8192 * 30 * RAW_PER_UNIT;
