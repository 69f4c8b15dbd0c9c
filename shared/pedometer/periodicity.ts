// Periodicity of a short window of motion, by autocorrelation: the method behind pedometer.ts.
//
// Walking is the only everyday motion that repeats itself, step after step, for many seconds: the
// arm swings once per stride (two steps), the body is jolted at every heel strike. So instead of
// hunting for individual peaks (which a gentle arm swing barely shows, and which housework and
// driving produce in plenty), we ask of each few-second window: "does it repeat, and how often?"
//
// The analysis itself lives in the pedometer's closure (its helpers share the window buffers
// there instead of taking them as parameters, which makes the firmware smaller). Its steps:
// - centre each channel: correlate its deviations from the window's mean, so that a slow drift of
//   posture does not correlate with itself at every lag and look like a rhythm (the pedometer
//   does this in the arithmetic, from the channel's own lag sums, exactly and without a copy);
// - add up the unbiased autocorrelations of the channels: several channels added together give
//   the autocorrelation of the vector they form, which does not depend on how the sensor is
//   oriented (left or right wrist, watch face up or down);
// - take the fundamental lag: the FIRST local maximum that reaches 17/20 of the best value in
//   the range. A signal that repeats every P also repeats every 2P and 3P, often just as strongly;
//   taking the shortest strong repeat avoids counting half the steps;
// - refine that lag to a fraction of a sample with a parabola through the peak and its
//   neighbours: at 12.5 Hz one sample is 8% of a typical stride, and without this the step count
//   of a long walk would be off by several percent.

import { BLOCK, HOP, STRIDE_LAG_MAX, WINDOW } from './tuning.ts';

/**
 * The window's loops that a platform may run natively. Each channel lives in a buffer whose values
 * past the window (WINDOW, tuning.ts) are zeros, more of them than the longest lag, so the
 * circular lag sum of Espruino's E.convolve equals the linear one; the analysis passes the
 * channel's `head` (its first WINDOW values) as the first array. Every value is an integer, so
 * every sum is exact and the native and plain versions agree to the bit in any order.
 */
export interface Loops {
  /** E.convolve: the sum over every i < a.length of a[i] * b[(i + lag) % b.length]. */
  lagSum: (this: void, a: Int16Array, b: Int16Array, lag: number) => number;
  /** E.sum: the sum of the values. */
  channelSum: (this: void, a: Int16Array) => number;
  /** The sum of the squares of a[from] to a[from + BLOCK - 1] (E.convolve of a view with itself on Espruino). */
  blockSquares: (this: void, a: Int16Array, from: number) => number;
  /** The largest of a[from] to a[STRIDE_LAG_MAX] (Math.max over a view on Espruino). */
  largest: (this: void, a: Float64Array, from: number) => number;
  /** The first WINDOW values of a channel buffer: a view on Espruino, made once per buffer. */
  head: (this: void, buf: Int16Array) => Int16Array;
  /** Copies every value of `from` into `to` from index 0 (TypedArray#set), arrays of one type. */
  copy: <T extends Int16Array | Float64Array>(this: void, to: T, from: T) => void;
  /** Moves the window's newer half (HOP to WINDOW) down to its start. */
  slide: (this: void, buf: Int16Array) => void;
  /**
   * Math.floor and Math.sqrt (the grid point's magnitude), as the closure's own names: on Espruino
   * a closure's own name is found before any global (passed as they are, 20k instructions fewer per call).
   */
  wholePart: (this: void, v: number) => number;
  squareRoot: (this: void, v: number) => number;
}

/** E.convolve's sum as a loop (the zeros past a channel's window cost nothing here but a test). */
export function loopLagSum(a: Int16Array, b: Int16Array, lag: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) s += a[i] * b[(i + lag) % b.length];
  return s;
}

/** The sum of the squares of a block of a channel, as E.convolve of its view with itself. */
export function loopBlockSquares(a: Int16Array, from: number): number {
  let s = 0;
  for (let i = from; i < from + BLOCK; i++) s += a[i] * a[i];
  return s;
}

/** The largest of a[from] to a[STRIDE_LAG_MAX], as Math.max. */
export function loopLargest(a: Float64Array, from: number): number {
  let best = a[from];
  for (let i = from + 1; i <= STRIDE_LAG_MAX; i++) if (a[i] > best) best = a[i];
  return best;
}

/** Sum of a channel's values, as E.sum. */
export function loopSum(a: Int16Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Copies from into to, as to.set(from). */
export function loopCopy<T extends Int16Array | Float64Array>(to: T, from: T): void {
  for (let i = 0; i < from.length; i++) to[i] = from[i];
}

/** Moves buf[HOP .. WINDOW) to buf[0 .. WINDOW - HOP). */
export function loopSlide(buf: Int16Array): void {
  for (let i = 0; i < WINDOW - HOP; i++) buf[i] = buf[i + HOP];
}

/**
 * The plain loops, for every platform without native ones (Node, Lua, the tests). Without views,
 * a channel's head is its whole buffer: the zeros past the window add nothing to a sum.
 */
export const plainLoops: Loops = {
  lagSum: loopLagSum,
  channelSum: loopSum,
  blockSquares: loopBlockSquares,
  largest: loopLargest,
  head: (buf) => buf,
  copy: loopCopy,
  slide: loopSlide,
  wholePart: (v) => Math.floor(v),
  squareRoot: (v) => Math.sqrt(v),
};
