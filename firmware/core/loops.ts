// The pedometer's heavy loops as Espruino runs them natively (shared/pedometer/periodicity.ts,
// Loops), defined once for the boards and for the tests that check them against the plain loops.

import type { Loops } from '../../shared/pedometer/periodicity.ts';
import { BLOCK, HOP, STRIDE_LAG_MAX, WINDOW } from '../../shared/pedometer/tuning.ts';

/**
 * E.convolve for the lag sums (the channel buffers are zero past the window, so its circular sum
 * is the linear one) and E.sum, passed as they are (a wrapper would cost a call per lag); views
 * (subarray) for a channel's window and its newer half, so that copies and slides are
 * TypedArray#set; Math.max over a view for the strongest lag's value (a quarter of the loop's
 * instructions; a view made per call, as the slide's, keeps no variables); Math.floor and
 * Math.sqrt as they are. `e` is Espruino's E, or its stand-in in Node.
 */
export function nativeLoops(e: { convolve: Loops['lagSum']; sum: Loops['channelSum'] }): Loops {
  return {
    lagSum: e.convolve,
    channelSum: e.sum,
    // (The view in the parameter's place: a local of its own costs bytes in both builds.)
    blockSquares: (a, from) => e.convolve((a = a.subarray(from, from + BLOCK)), a, 0),
    largest: (a, from) => Math.max.apply(0, a.subarray(from, STRIDE_LAG_MAX + 1) as unknown as number[]),
    head: (buf) => buf.subarray(0, WINDOW),
    copy: (to, from) => to.set(from),
    slide: (buf) => buf.set(buf.subarray(HOP, WINDOW)),
    wholePart: Math.floor,
    squareRoot: Math.sqrt,
  };
}
