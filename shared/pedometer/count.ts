import type { Recording } from '../recording/recording.ts';
import { Pedometer } from './pedometer.ts';
import { loopNatives } from './periodicity.ts';

/** Count the steps of a whole recording with a fresh pedometer. */
export function countSteps(rec: Recording): number {
  const p = new Pedometer(loopNatives);
  let prev = rec.t.length > 0 ? rec.t[0] : 0;
  for (let i = 0; i < rec.t.length; i++) {
    p.push(rec.t[i] - prev, rec.x[i], rec.y[i], rec.z[i]);
    prev = rec.t[i];
  }
  // The watch would finish the last window's analysis on its next samples: do it now.
  p.finish();
  return p.steps;
}
