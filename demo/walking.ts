// Accelerometer samples for planned walks, stamped with absolute UTC times, in the form
// EspruinoSim.feedAccel takes. Samples are made one walk at a time, just before the simulator
// needs them, so a week never sits in memory at once.
import { walk } from '../sim/signals.ts';
import type { AccelSample } from '../sim/espruino/index.ts';
import type { PlannedWalk } from './plan.ts';

export function walkSamples(w: PlannedWalk, wrist: 'left' | 'right' = 'left'): AccelSample[] {
  const { rec } = walk({ seed: w.seed, steps: w.steps, cadence: w.cadence, wrist });
  const out: AccelSample[] = new Array(rec.t.length);
  for (let i = 0; i < rec.t.length; i++) out[i] = { t: w.startMs + rec.t[i], x: rec.x[i], y: rec.y[i], z: rec.z[i] };
  return out;
}
