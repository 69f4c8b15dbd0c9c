import type { Recording } from '../recording/recording.ts';
import { Pedometer } from './pedometer.ts';
import { plainLoops } from './periodicity.ts';

/** Count the steps of a whole recording with a fresh pedometer. */
export function countSteps(rec: Recording): number {
  const p = new Pedometer(plainLoops);
  let prev = rec.t.length > 0 ? rec.t[0] : 0;
  for (let i = 0; i < rec.t.length; i++) {
    p.push(rec.t[i] - prev, rec.x[i], rec.y[i], rec.z[i]);
    prev = rec.t[i];
  }
  p.finish();
  return p.steps;
}
