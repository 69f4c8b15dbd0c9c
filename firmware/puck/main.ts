// Puck.js v2 (.bootcde): the same core on Puck.accelOn(12.5), no display. The LEDs say what
// matters: a green blink when the day's goal is reached (once per day, since the count only
// crosses the goal once), a red blink when a long press (3 s or more) erases the signing key.

import { Hardware } from '../../shared/protocol/index.ts';
import { MAX_POLL_MS, startBushu } from '../core/bushu.ts';
import { ext } from '../core/ext.ts';
import { advertise } from '../core/advert.ts';
import { serviceTable, WECHAT_ADV } from '../core/gatt.ts';
import type { Nrf, WatchEvent } from '../espruino.ts';

declare const Puck: any;
declare const NRF: Nrf;
declare const BTN: unknown;
declare const LED1: unknown;
declare const LED2: unknown;
declare function getTime(): number;
declare function digitalPulse(pin: unknown, value: boolean, ms: number[]): void;
declare function setWatch(fn: (e: WatchEvent) => void, pin: unknown, opts: unknown): number;

const LONG_PRESS_S = 3;

const core = startBushu(Hardware.PUCKJS2, Puck.getBatteryPercentage, ext);
NRF.setServices(serviceTable(core, Puck.getBatteryPercentage()), { uart: true, advertise: [WECHAT_ADV] });
advertise(true);
core.counter.onGoal = () => digitalPulse(LED2, true, [300, 200, 300, 200, 300]);

// Infinitely late until the first press: a release without one (held through a reset) is no long press.
let pressed = Infinity;
setWatch(
  (e) => {
    if (e.state) pressed = e.time;
    else if (e.time - pressed >= LONG_PRESS_S) {
      core.onDemand().resetKey();
      digitalPulse(LED1, true, [500]);
    }
  },
  BTN,
  { repeat: true, debounce: 50 }, // both edges (the default),
);

// The per-sample path in a scope of its own. Espruino finds a name by going through each scope's
// names in turn, innermost first, and the build's module scope holds every one of its functions:
// from this small scope the handler finds its names at once, and the clock comes in as a
// parameter, since the global getTime is found only after all of the module's names (about 5k
// instructions a sample). Still: 0.080M -> 0.062M a sample (Puck), 0.084M -> 0.069M (Bangle).
const attach = (ped: typeof core.pedometer, c: typeof core.counter, clock: () => number) => {
  let last = clock();
  /**
   * The per-sample path: the interval, the pedometer, and the hour's motion flag. (The sample's
   * values go straight into the call: three locals for them cost 16k a sample.)
   */
  // (Assigned, not declared with its value: esbuild would inline a function used once into the
  // branch below, which Espruino would then read through at every resting sample.)
  let sample: (a: any, t: number) => void;
  sample = (a, t) => {
    const d = (t - last) * 1000;
    last = t;
    const n = ped.push(d > MAX_POLL_MS ? 2000 : d, a.x, a.y, a.z);
    if (n) c.add(n);
    if (!c.movedThisHour) c.motion(a.x, a.y, a.z);
  };
  /**
   * At rest (the handler below counted idle down to 1): the look, in one call where push makes
   * two, and its interval as it is (only push interpolates across a slow poll). A function of its
   * own, so that a look reads no push and a walking sample no look; it credits nothing (see
   * Pedometer.look).
   */
  let look: (a: any, t: number) => void;
  look = (a, t) => {
    ped.look((t - last) * 1000, a.x, a.y, a.z);
    last = t;
    if (!c.movedThisHour) c.motion(a.x, a.y, a.z);
  };
  // A resting pedometer looks at every 4th sample only (pedometer.idle): the others cost a
  // countdown here, not the call, and the clock is read only by the one before the look (the look
  // wants its own sample's interval), so a still Puck costs about what an empty handler that
  // reads the clock does. (The clock is read where it is used: a local for it cost a name a
  // sample, and bytes.)
  Puck.on('accel', (e: any) => {
    if (ped.idle > 1) {
      if (--ped.idle < 2) last = clock();
    } else (ped.idle ? look : sample)(e.acc, clock());
  });
};
Puck.accelOn(); // 12.5 Hz, its default
attach(core.pedometer, core.counter, getTime);
