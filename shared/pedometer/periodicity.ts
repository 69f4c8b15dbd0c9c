// Periodicity of a short window of motion, by autocorrelation.
//
// Walking is the only everyday motion that repeats itself, step after step, for many seconds: the
// arm swings once per stride (two steps), the body is jolted at every heel strike. So instead of
// hunting for individual peaks (which a gentle arm swing barely shows, and which housework and
// driving produce in plenty), we ask of each few-second window: "does it repeat, and how often?"
// The answer (how strongly, at what lag) drives the step state machine in pedometer.ts.
//
// Runs once per window (every 2.56 s), never per sample. Written in the Espruino/Lua subset: no
// allocation, plain loops, integer-ratio thresholds (Espruino parses decimal literals inexactly).

/**
 * Sums buf[i] * buf[i + lag] for i < n - lag. Replaceable by a native routine: the pedometer's buffer
 * holds zeros from n to its end, more than the longest lag, so Espruino's circular
 * `E.convolve(buf, buf, lag)` gives exactly this sum.
 */
export type LagSum = (buf: Float64Array, n: number, lag: number) => number;

export function loopLagSum(buf: Float64Array, n: number, lag: number): number {
  let s = 0;
  for (let i = 0; i + lag < n; i++) s += buf[i] * buf[i + lag];
  return s;
}

/**
 * Copies all of `src` into the start of `dst` with the mean removed and returns the remaining
 * energy (sum of squares). The mean must go: a slow drift of posture inside the window would
 * otherwise correlate with itself at every lag and look like a rhythm.
 */
export function centre(src: Int16Array, dst: Float64Array): number {
  const n = src.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += src[i];
  const mean = sum / n;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const v = src[i] - mean;
    dst[i] = v;
    energy += v * v;
  }
  return energy;
}

/**
 * Adds the unbiased autocorrelation of one centred channel (`buf[0..n)`) to `acf[lag]` for every
 * lag from 1 to the end of `acf`. Several channels added together give the autocorrelation of the
 * vector they form, which does not depend on how the sensor is oriented (left or right wrist,
 * watch face up or down).
 */
export function addAutocorrelation(buf: Float64Array, n: number, acf: Float64Array, lagSum: LagSum): void {
  for (let lag = 1; lag < acf.length; lag++) acf[lag] += lagSum(buf, n, lag) / (n - lag);
}

/**
 * The fundamental period in [lo, hi] lags: the FIRST local maximum that reaches 17/20 of the best
 * value in the range. A signal that repeats every P also repeats every 2P and 3P, often just as
 * strongly; taking the shortest strong repeat avoids counting half the steps.
 */
export function fundamentalLag(acf: Float64Array, lo: number, hi: number): number {
  let best = acf[lo];
  let bestLag = lo;
  for (let lag = lo + 1; lag <= hi; lag++) {
    if (acf[lag] > best) {
      best = acf[lag];
      bestLag = lag;
    }
  }
  for (let lag = lo; lag <= hi; lag++) {
    const v = acf[lag];
    if (v >= acf[lag - 1] && v >= acf[lag + 1] && v * 20 >= best * 17) return lag;
  }
  return bestLag;
}

/**
 * Refines an integer lag to a fraction of a sample by fitting a parabola through the peak and its
 * neighbours. At 12.5 Hz one sample is 8% of a typical stride; without this the step count of a
 * long walk would be off by several percent.
 */
export function refineLag(acf: Float64Array, lag: number): number {
  const a = acf[lag - 1];
  const b = acf[lag];
  const c = acf[lag + 1];
  const curvature = a - 2 * b + c;
  if (curvature === 0) return lag;
  let shift = (a - c) / (2 * curvature);
  if (shift > 0.5) shift = 0.5;
  if (shift < -0.5) shift = -0.5;
  return lag + shift;
}
