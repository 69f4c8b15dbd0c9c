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

/**
 * Sums buf[i] * buf[i + lag] for i < n - lag. Replaceable by a native routine: the pedometer's buffer
 * holds zeros from n to its end, more than the longest lag, so Espruino's circular
 * `E.convolve(buf, buf, lag)` gives exactly this sum.
 */
export type LagSum = (buf: Float64Array, n: number, lag: number) => number;

/** The plain lag sum, used when no native one is given. */
export function loopLagSum(buf: Float64Array, n: number, lag: number): number {
  let s = 0;
  for (let i = 0; i + lag < n; i++) s += buf[i] * buf[i + lag];
  return s;
}

/**
 * The window's loops over a channel that a platform may run natively: the lag sum, the sum of a
 * channel (Espruino's E.sum) and the sum of its squared deviations from a mean (E.variance, which
 * despite its name returns the sum, not the mean). A channel holds integers, so every one of these
 * sums is exact and the native and plain versions agree to the bit in any order.
 */
export interface Loops {
  lagSum: LagSum;
  sum: (this: void, channel: Int16Array) => number;
  variance: (this: void, channel: Int16Array, mean: number) => number;
}

/** Sum of a channel's values, as E.sum. */
export function loopSum(channel: Int16Array): number {
  let s = 0;
  for (let i = 0; i < channel.length; i++) s += channel[i];
  return s;
}

/** Sum of the squared deviations of a channel's values from mean, as E.variance. */
export function loopVariance(channel: Int16Array, mean: number): number {
  let s = 0;
  for (let i = 0; i < channel.length; i++) {
    const v = channel[i] - mean;
    s += v * v;
  }
  return s;
}

/** The plain loops, for every platform without native ones (Node, Lua, the tests). */
export const plainLoops: Loops = { lagSum: loopLagSum, sum: loopSum, variance: loopVariance };
