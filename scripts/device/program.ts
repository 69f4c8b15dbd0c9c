// The script each measurement runs on Espruino: stand-ins for what the Linux build lacks (the
// boards' objects, BLE, a clock that follows the samples), the samples, the firmware, and a loop
// that hands the samples to one handler with marker calls around the stretches to count.

import type { Recording } from '../../shared/recording/recording.ts';
import { MARKER_CALL } from './callgrind.ts';

/** File name of the samples beside the script. */
export const SAMPLES_FILE = 'samples.bin';

/**
 * One measured run: `walk` samples (the first `settle` to reach a steady state, then the ones
 * counted; the first `traced` of those one by one), then `still` samples: the first `settle` to
 * calm down after the walk, then the ones counted. The still recording is short and repeated:
 * a wrist at rest costs the same whichever second of rest it is.
 */
export interface Plan {
  settle: number;
  walked: number;
  traced: number;
  stilled: number;
}

/**
 * Samples as 16-bit words, four per sample: milliseconds since the previous one, then x, y, z in
 * raw counts. Loaded into one flat string: a script with the data written into it would fill
 * the Linux build's 4,096 variables before it ran.
 */
export function encodeSamples(walk: Recording, still: Recording, plan: Plan): { data: Uint8Array; walkCount: number; stillCount: number } {
  const walkCount = plan.settle + plan.walked;
  const stillCount = Math.min(still.t.length, 512);
  if (walk.t.length < walkCount + 1) throw new Error(`the walk has ${walk.t.length} samples, ${walkCount + 1} needed`);
  const words = new Int16Array((walkCount + stillCount) * 4);
  let k = 0;
  const put = (rec: Recording, from: number, count: number, firstDt: number): void => {
    for (let i = from; i < from + count; i++) {
      words[k++] = i === from ? firstDt : rec.t[i] - rec.t[i - 1];
      words[k++] = rec.x[i];
      words[k++] = rec.y[i];
      words[k++] = rec.z[i];
    }
  };
  put(walk, 1, walkCount, 80);
  put(still, 1, stillCount, 80);
  return { data: new Uint8Array(words.buffer), walkCount, stillCount };
}

/** What the script hands each sample to. The firmware boots in every case, so that every run
 * holds the same globals (a global's lookup costs more the more there are). */
export type Target =
  | { kind: 'none' } // the loop alone
  | { kind: 'empty' } // a handler that reads the clock and the sample and does nothing
  | { kind: 'pedometer'; pedometer: string } // the firmware's pedometer, every sample pushed directly, as the boards do
  | { kind: 'board' }; // the board's own 'accel' handler, the whole per-sample path

/**
 * Stand-ins for the boards and BLE: enough for both builds to boot on the Linux interpreter.
 * getTime() follows the samples (the host clock would make every sample a few microseconds
 * apart); the handler either board registers for 'accel' is kept in H. The Bangle's boot code
 * moves the firmware's step count on and emits 'step' when steps are credited: S stands for
 * that count.
 */
const STANDINS = `
var T = 1764000000, D = 80, H, S = 0;
global.getTime = function () { return T; };
global.Puck = { accelOn: function () {}, getBatteryPercentage: function () { return 80; }, on: function (e, f) { if (e === 'accel') H = f; } };
global.Bangle = {
  setOptions: function () {}, on: function (e, f) { if (e === 'accel') H = f; }, emit: function () {},
  getStepCount: function () { return S; }, setStepCount: function (n) { S = n; },
  getHealthStatus: function () { return { steps: S, bpm: 0, movement: 0 }; }
};
E.getBattery = function () { return 80; };
global.NRF = { setServices: function () {}, updateServices: function () {}, on: function () {}, getAddress: function () { return 'c1:23:45:67:89:ab public'; } };
global.LED1 = D1; global.LED2 = D2; global.BTN = D3;
`;

/**
 * The script: stand-ins, samples, firmware, then the loop. Markers go before sample `settle`, before
 * each traced sample after it, before the end of the walk, before the counted still samples and
 * after them; so the intervals are: the traced samples one by one, the rest of the walk, the
 * still samples settling, the still samples counted.
 */
export function script(firmware: string, target: Target, plan: Plan, walkCount: number, stillCount: number): string {
  const total = walkCount + plan.settle + plan.stilled;
  const marks = new Set<number>();
  for (let i = 0; i <= plan.traced; i++) marks.add(plan.settle + i);
  marks.add(walkCount);
  marks.add(walkCount + plan.settle);
  marks.add(total);
  const call =
    target.kind === 'none'
      ? ''
      : target.kind === 'empty'
        ? 'H(G);'
        : target.kind === 'pedometer'
          ? 'P.push(D, R.x, R.y, R.z);'
          : 'H(G);';
  const handler =
    target.kind === 'empty'
      ? 'H = function (a) { var t = getTime(); var x = a.x, y = a.y, z = a.z; };'
      : target.kind === 'pedometer'
        ? `var P = bushu.${target.pedometer};`
        : '';
  return `${STANDINS}
var Q = new Int16Array(E.toArrayBuffer(require('fs').readFileSync('${SAMPLES_FILE}')));
var M = new Uint8Array(${total + 1});
${[...marks].map((i) => `M[${i}] = 1;`).join(' ')}
${firmware}
${handler}
var R = { x: 0, y: 0, z: 0 };
var G = { x: 0, y: 0, z: 0, acc: R };
for (var i = 0; i <= ${total}; i++) {
  if (M[i]) ${MARKER_CALL};
  if (i === ${total}) break;
  var k = (i < ${walkCount} ? i : ${walkCount} + (i - ${walkCount}) % ${stillCount}) * 4;
  D = Q[k]; T += D / 1000;
  R.x = Q[k + 1]; R.y = Q[k + 2]; R.z = Q[k + 3];
  G.x = R.x / 8192; G.y = R.y / 8192; G.z = R.z / 8192;
  ${call}
}
print('done');
setTimeout(function () { quit(); }, 1);
`;
}
