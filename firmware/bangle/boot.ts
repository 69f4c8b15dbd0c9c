// bushu.boot.js: counts steps whatever app is open. Boot files run on every app load, so this
// re-reads the history file each time (the open day comes back from its checkpoints, saved on
// 'kill' just before the load) and adds the BLE service to the shared `bleServices`. BLE
// requests, signing and compaction are in bushu.ext.js, evaluated on first need.

import { Hardware } from '../../shared/protocol/index.ts';
import { MAX_POLL_MS, startBushu } from '../core/bushu.ts';
import type { ext } from '../core/ext.ts';
import { advertise } from '../core/advert.ts';
import { serviceTable, WECHAT_ADV } from '../core/gatt.ts';
import type { EspruinoE, Nrf } from '../espruino.ts';

declare const Bangle: any;
declare const E: EspruinoE;
declare const NRF: Nrf;
declare const bleServices: any;
declare const bleServiceOptions: any;
declare function getTime(): number;

declare const global: any;

/** Storage name of bangle/ext.ts as built (not imported: that would bundle it here). */
const EXT_FILE = 'bushu.ext.js';

/** The on-demand half of the core lives in its own Storage file, read only when first needed. */
const core = startBushu(Hardware.BANGLEJS2, () => E.getBattery(), (b) => {
  const code = global.require('Storage').read(EXT_FILE);
  // An installation without it is broken: say which file is missing rather than fail obscurely.
  if (code === undefined) throw new Error(EXT_FILE + ' missing: reinstall bushu');
  global.eval(code);
  // It publishes core/ext.ts's factory: typed as such, so the build knows the core stays ours.
  const make: typeof ext = global.bushuExt;
  return make(b);
}, 1024); // the accelerometer's samples in g, passed to the pedometer as they come
// Ours replaces the firmware's counter (2v29+; older firmware ignores the option and would
// count twice: README "Steps for every app"). Other apps still read steps the usual ways, and
// get ours: see share() below.
Bangle.setOptions({ stepCounterDisabled: true });

const table = serviceTable(core, E.getBattery());
if (typeof bleServices === 'undefined') NRF.setServices(table, { uart: true, advertise: [WECHAT_ADV] });
else {
  Object.assign(bleServices, table);
  // 0xFEE7 joins the scan response (with the Nordic UART's UUID): WeChat looks for it. The
  // 128-bit bushu UUID does not fit there too: it has a packet of its own (core/advert.ts).
  const adv = bleServiceOptions.advertise || [];
  adv.push(WECHAT_ADV);
  bleServiceOptions.advertise = adv;
}
// The Bangle's "BLE name" setting off: the boot loader hid the name; so does ours.
advertise((global.require('Storage').readJSON('setting.json', 1) || {}).blename !== false);

const c = core.counter;

/** Health's 10-minute blocks, as Espruino numbers them (UTC ms / 600000). */
const BLOCK_MS = 600000;
let block = Math.floor(Date.now() / BLOCK_MS);
// Steps in this block and in the one before, counted by this boot code (an app switch starts
// it again: the steps before it in that block are in no block, README "Steps for every app").
let blockSteps = 0;
let lastBlock = 0;

/** Moves the 10-minute figures on when a block has ended since the last look. */
function roll(): void {
  const b = Math.floor(Date.now() / BLOCK_MS);
  if (b === block) return;
  lastBlock = b === block + 1 ? blockSteps : 0;
  blockSteps = 0;
  block = b;
}

/**
 * The one count on the watch, where every other app looks for steps: the firmware's step counter
 * (Bangle.getStepCount, which Gadgetbridge reads; kept by the firmware across app switches) grows
 * by ours, the 'step' event says so, and getHealthStatus answers with our day and 10 minutes.
 */
function share(n: number): void {
  roll();
  blockSteps += n;
  const steps = Bangle.getStepCount() + n;
  Bangle.setStepCount(steps);
  Bangle.emit('step', steps);
}
const health = Bangle.getHealthStatus;
Bangle.getHealthStatus = (range?: string) => {
  const o = health(range); // unknown ranges throw there, as before
  roll();
  o.steps = range === 'day' ? c.steps : range === 'last' ? lastBlock : blockSteps;
  return o;
};
// The firmware's 'health' event (the Health app's record of the block that just ended, and what
// Gadgetbridge's android.boot.js sends on): listeners share its object, and ours (a ".0.boot.js"
// file, run first) sets its steps before theirs run.
Bangle.on('health', (h: any) => {
  roll();
  h.steps = lastBlock;
});

// The per-sample path in a scope of its own. Espruino finds a name by going through each scope's
// names in turn, innermost first, and the build's module scope holds every one of its functions:
// from this small scope the handler finds its names at once, and the clock comes in as a
// parameter, since the global getTime is found only after all of the module's names (about 5k
// instructions a sample). Still: 0.080M -> 0.062M a sample (Puck), 0.084M -> 0.069M (Bangle).
const attach = (ped: typeof core.pedometer, counter: typeof c, clock: () => number) => {
  let last = clock();
  /**
   * The per-sample path: the interval, the pedometer, and a flag test. The sample's values go
   * straight into the call, in g as they come (the pedometer's unit, see startBushu); the motion
   * check, which stops once the hour has seen motion, wants raw counts.
   */
  // (Assigned, not declared with its value: esbuild would inline a function used once into the
  // branch below, which Espruino would then read through at every resting sample.)
  let sample: (a: any, t: number) => void;
  sample = (a, t) => {
    const d = (t - last) * 1000;
    last = t;
    const n = ped.push(d > MAX_POLL_MS ? 2000 : d, a.x, a.y, a.z);
    if (n) {
      counter.add(n);
      share(n);
    }
    if (!counter.movedThisHour) counter.motion(a.x * 8192, a.y * 8192, a.z * 8192);
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
    if (!counter.movedThisHour) counter.motion(a.x * 8192, a.y * 8192, a.z * 8192);
  };
  // A resting pedometer looks at every 4th sample only (pedometer.idle): the others cost a
  // countdown here, not the call, and the clock is read only by the one before the look (the look
  // wants its own sample's interval), so a still wrist costs about what an empty handler that
  // reads the clock does. (The clock is read where it is used: a local for it cost a name a
  // sample, and bytes.)
  Bangle.on('accel', (a: any) => {
    if (ped.idle > 1) {
      if (--ped.idle < 2) last = clock();
    } else (ped.idle ? look : sample)(a, clock());
  });
};
attach(core.pedometer, c, getTime);
