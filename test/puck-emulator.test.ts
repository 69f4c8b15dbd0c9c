// Opt-in (BANGLE_EMULATOR_DIR, see firmware/EMULATOR.md): the Puck.js build on the real Espruino
// interpreter, to measure what it holds in JsVars there. The simulator only estimates JsVars;
// the Puck.js v2 has 2630 in all, so its budget is checked on the real thing. There is no Puck
// emulator: the Bangle.js 2 emulator runs the same interpreter (nRF52, 16-bit JsVar references),
// with a stand-in `Puck` object whose accelerometer events are fed from the Bangle's.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walk } from '../bridge/sim/signals.ts';
import { buildFirmware } from '../scripts/build-firmware.ts';
import { MEMORY_BUDGETS } from '../scripts/bench-firmware.ts';
import { emulatorUnavailable, loadBangleEmulator, type BangleEmulator } from './helpers/bangle-emulator.ts';

const why = emulatorUnavailable();
const suite = why === undefined ? 'the Puck.js build on the real interpreter' : `the Puck.js build on the real interpreter (skipped: ${why})`;

function problems(out: string): string[] {
  return out.split('\n').filter((l) => /Uncaught|SyntaxError|Interpreter error|Out of Memory|MEMORY/.test(l));
}

/** What the Puck has and the Bangle lacks; accel events arrive as the Puck's raw {acc:{x,y,z}}. */
const PUCK_STANDIN = [
  // on() keeps the handler to call it directly: a queued emit() would run after the clock moved.
  'global.Puck = {accelOn: function () {}, getBatteryPercentage: function () { return 80; }, on: function (e, f) { if (e === "accel") Puck.onAccel = f; }};',
  'if (typeof LED1 === "undefined") { global.LED1 = D1; global.LED2 = D2; }',
  'Bangle.on("accel", function (a) { if (Puck.onAccel) Puck.onAccel({acc: {x: Math.round(a.x * 8192), y: Math.round(a.y * 8192), z: Math.round(a.z * 8192)}}); });',
].join('\n');

describe.skipIf(why !== undefined)(suite, () => {
  let emu: BangleEmulator;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bushu-emu-puck-'));
    await buildFirmware(dir);
    emu = await loadBangleEmulator({ startMs: Date.UTC(2026, 10, 21, 10, 0) });
    emu.upload('bushu.js', readFileSync(join(dir, 'puck/bushu.js')));
  }, 120_000);
  afterAll(() => {
    emu?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('boots, counts a walk and stays within the Puck memory budget', () => {
    // Both runs boot the same way (the stand-in, then the firmware or nothing, from .boot0 as
    // the Puck runs .bootcde from Storage, so the code stays in flash): the difference in
    // JsVars after garbage collection (process.memory() collects first) is what bushu holds.
    emu.upload('standin.js', PUCK_STANDIN);
    const usage = (files: string[]): number => {
      emu.installBootLoader(files);
      emu.eval('load()');
      emu.advance(1000);
      expect(problems(emu.output())).toEqual([]);
      return Number(emu.eval('print(process.memory().usage)'));
    };
    const base = usage(['standin.js']);
    const boot = usage(['standin.js', 'bushu.js']) - base;

    const w = walk({ seed: 7, steps: 60, cadence: 1.8 });
    emu.emitAccel(w.rec.t.map((t, i) => ({ t, x: w.rec.x[i], y: w.rec.y[i], z: w.rec.z[i] })));
    emu.advance(61_000);
    const steps = Number(emu.eval('print(bushu.c.steps)'));
    expect(steps).toBeGreaterThan(45);
    expect(problems(emu.output())).toEqual([]);
    const walked = Number(emu.eval('print(process.memory().usage)')) - base;
    console.info(`Puck build on the real interpreter: ${boot} JsVars after boot, ${walked} after walking (${steps} steps)`);
    expect(walked).toBeLessThan(MEMORY_BUDGETS.PUCKJS2);
  }, 300_000);
});
