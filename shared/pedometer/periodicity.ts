// Periodicity of a short window of motion, by autocorrelation: the method behind pedometer.ts.
//
// Walking is the only everyday motion that repeats itself, step after step, for many seconds: the
// arm swings once per stride (two steps), the body is jolted at every heel strike. So instead of
// hunting for individual peaks (which a gentle arm swing barely shows, and which housework and
// driving produce in plenty), we ask of each few-second window: "does it repeat, and how often?"
//
// The analysis itself lives in the pedometer's closure (its helpers share the window buffers
// there instead of taking them as parameters, which makes the firmware smaller). Its steps:
// - centre each channel: remove the window's mean, so that a slow drift of posture does not
//   correlate with itself at every lag and look like a rhythm;
// - add up the unbiased autocorrelations of the channels: several channels added together give
//   the autocorrelation of the vector they form, which does not depend on how the sensor is
//   oriented (left or right wrist, watch face up or down);
// - take the fundamental lag: the FIRST local maximum that reaches 17/20 of the best value in
//   the range. A signal that repeats every P also repeats every 2P and 3P, often just as strongly;
//   taking the shortest strong repeat avoids counting half the steps;
// - refine that lag to a fraction of a sample with a parabola through the peak and its
//   neighbours: at 12.5 Hz one sample is 8% of a typical stride, and without this the step count
//   of a long walk would be off by several percent.
//
// The heavy loops are three routines that Espruino has in C (`E.convolve`, `E.sum`, `E.variance`):
// on the watch the pedometer is given `E` itself; elsewhere `loopNatives`, the same routines as
// plain loops. Over integers (the window's samples) both give exactly the same numbers: every
// sum and product stays an integer below 2^53, so no rounding happens on either side.

type Samples = ArrayLike<number>;

/** The subset of Espruino's `E` the pedometer uses. */
export interface Natives {
  /** Sum of a[i] * b[(i + offset) % b.length] over every i of a. */
  convolve(a: Samples, b: Samples, offset: number): number;
  /** Sum of the elements. */
  sum(a: Samples): number;
  /** Sum of (a[i] - mean)^2 (Espruino's "variance" is not divided by the length). */
  variance(a: Samples, mean: number): number;
}

/**
 * 0 as a float in Lua too: typescript-to-lua keeps a literal 0 an integer, and integer sums would
 * wrap in a Lua with 32-bit integers (fengari) where JavaScript's doubles stay exact.
 */
const ZERO = 0.5 - 0.5;

/** The routines as loops, summing in the same order as Espruino's C (in doubles, from ZERO). */
export const loopNatives: Natives = {
  convolve: (a, b, offset) => {
    let s = ZERO;
    for (let i = 0; i < a.length; i++) s += a[i] * b[(i + offset) % b.length];
    return s;
  },
  sum: (a) => {
    let s = ZERO;
    for (let i = 0; i < a.length; i++) s += a[i];
    return s;
  },
  variance: (a, mean) => {
    let s = ZERO;
    for (let i = 0; i < a.length; i++) s += (a[i] - mean) * (a[i] - mean);
    return s;
  },
};
