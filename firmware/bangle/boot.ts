// bushu.boot.js: counts steps whatever app is open. Boot files run on every app load, so this
// re-reads the history file each time (the open day comes back from its checkpoints, saved on
// 'kill' just before the load) and adds the BLE service to the shared `bleServices`. BLE
// requests, signing and compaction are in bushu.ext.js, evaluated on first need.

import { Hardware } from '../../shared/protocol/index.ts';
import { MAX_POLL_MS, startBushu } from '../core/bushu.ts';
import type { ext } from '../core/ext.ts';
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
});
// Ours replaces the firmware's counter (2v29+); older firmware ignores the option.
Bangle.setOptions({ stepCounterDisabled: true });

const table = serviceTable(core, E.getBattery());
if (typeof bleServices === 'undefined') NRF.setServices(table, { uart: true, advertise: [WECHAT_ADV] });
else {
  Object.assign(bleServices, table);
  // WeChat finds wristbands by 0xFEE7 in the advertisement. The 128-bit bushu UUID is not
  // advertised: with the name it would overflow the 31-byte packet (the bridge goes by name).
  const adv = bleServiceOptions.advertise || [];
  adv.push(WECHAT_ADV);
  bleServiceOptions.advertise = adv;
}

const ped = core.pedometer;
const c = core.counter;
let last = getTime();
// The per-sample path: one clock read, three scalings, the pedometer, and a flag test; at rest, one test.
Bangle.on('accel', (a: any) => {
  // A wrist at rest: the pedometer looks at one sample in a dozen; the others cost this test only.
  if (ped.rest > 0) {
    ped.rest--;
    return;
  }
  const t = getTime();
  const dt = (t - last) * 1000;
  last = t;
  // The sample's fields are scaled where used, not into locals: the motion test rarely runs
  // (only until this hour's first movement), and every statement here is paid 12.5 times a second.
  const n = ped.push(dt > MAX_POLL_MS ? 2000 : dt, a.x * 8192, a.y * 8192, a.z * 8192);
  if (n) c.add(n);
  if (!c.movedThisHour) c.motion(a.x * 8192, a.y * 8192, a.z * 8192);
});
