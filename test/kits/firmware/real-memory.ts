// The Puck.js build's JsVars on the real Espruino interpreter. There is no Puck emulator, but the
// Bangle.js 2 emulator (the real nRF52 firmware compiled to JavaScript, see firmware/EMULATOR.md)
// runs the same interpreter with the same 16-bit JsVar references. A stand-in `Puck` object gets
// its accelerometer events from the Bangle's. Used by test/puck-emulator.test.ts and by
// `npm run bench:firmware` when BANGLE_EMULATOR_DIR is set.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { walk } from '../../../sim/signals.ts';
import { loadBangleEmulator } from '../bangle-emulator.ts';
import { asBuilt, builtNames } from './names.ts';

/** What the Puck has and the Bangle lacks; accel events arrive as the Puck's raw {acc:{x,y,z}}. */
const PUCK_STANDIN = [
  // on() keeps the handler to call it directly: a queued emit() would run after the clock moved.
  'global.Puck = {accelOn: function () {}, getBatteryPercentage: function () { return 80; }, on: function (e, f) { if (e === "accel") Puck.onAccel = f; }};',
  'if (typeof LED1 === "undefined") { global.LED1 = D1; global.LED2 = D2; }',
  'Bangle.on("accel", function (a) { if (Puck.onAccel) Puck.onAccel({acc: {x: Math.round(a.x * 8192), y: Math.round(a.y * 8192), z: Math.round(a.z * 8192)}}); });',
].join('\n');

export interface RealMemory {
  /** JsVars the firmware holds after boot, and after a walk and a minute's tick. */
  boot: number;
  walked: number;
  steps: number;
  /** Errors the interpreter printed (uncaught exceptions, out of memory). */
  problems: string[];
}

function problems(out: string): string[] {
  return out.split('\n').filter((l) => /Uncaught|SyntaxError|Interpreter error|Out of Memory|MEMORY/.test(l));
}

/** firmwareDir: a buildFirmware() output; emulatorDir: see firmware/EMULATOR.md. */
export async function puckMemoryOnEmulator(firmwareDir: string, emulatorDir: string): Promise<RealMemory> {
  const emu = await loadBangleEmulator({ dir: emulatorDir, startMs: Date.UTC(2026, 10, 21, 10, 0) });
  try {
    const found: string[] = [];
    emu.upload('standin.js', PUCK_STANDIN);
    emu.upload('bushu.js', readFileSync(join(firmwareDir, 'puck/bushu.js')));
    // Both runs boot the same way, from .boot0 as the Puck runs .bootcde from Storage (so the
    // code stays in flash); process.memory() collects garbage first, so the difference is what
    // the firmware holds.
    const usage = (files: string[]): number => {
      emu.installBootLoader(files);
      emu.eval('load()');
      emu.advance(1000);
      found.push(...problems(emu.output()));
      return Number(emu.eval('print(process.memory().usage)'));
    };
    const base = usage(['standin.js']);
    const boot = usage(['standin.js', 'bushu.js']) - base;
    const w = walk({ seed: 7, steps: 60, cadence: 1.8 });
    emu.emitAccel(w.rec.t.map((t, i) => ({ t, x: w.rec.x[i], y: w.rec.y[i], z: w.rec.z[i] })));
    emu.advance(61_000);
    const steps = Number(emu.eval(asBuilt(builtNames(firmwareDir).puck, 'print(bushu.counter.steps)')));
    found.push(...problems(emu.output()));
    const walked = Number(emu.eval('print(process.memory().usage)')) - base;
    return { boot, walked, steps, problems: found };
  } finally {
    emu.close();
  }
}

export interface BangleRealMemory {
  /** JsVars the boot file holds after boot (what every app load pays), and with the widget loaded too. */
  boot: number;
  widget: number;
  problems: string[];
}

/**
 * The Bangle build's JsVars on the real interpreter: booted through `.boot0` as the boot loader
 * builds it (the boot file stays in flash), with and without bushu's boot file, the difference
 * after garbage collection; then bushu's widget loaded in the app.
 */
export async function bangleMemoryOnEmulator(firmwareDir: string, emulatorDir: string): Promise<BangleRealMemory> {
  const emu = await loadBangleEmulator({ dir: emulatorDir, startMs: Date.UTC(2026, 10, 21, 10, 0) });
  try {
    const found: string[] = [];
    const meta = JSON.parse(readFileSync(join(firmwareDir, 'bangle/metadata.json'), 'utf8')) as { storage: { name: string; url: string }[] };
    for (const s of meta.storage) emu.upload(s.name, readFileSync(join(firmwareDir, 'bangle', s.url)));
    const bootFile = meta.storage.find((s) => s.name.endsWith('.boot.js'))!.name;
    const usage = (files: string[], after = ''): number => {
      emu.installBootLoader(files);
      emu.eval('load()');
      emu.advance(1000);
      if (after) emu.eval(after);
      found.push(...problems(emu.output()));
      return Number(emu.eval('print(process.memory().usage)'));
    };
    const base = usage([]);
    const boot = usage([bootFile]) - base;
    const widget = usage([bootFile], 'Bangle.loadWidgets()') - base;
    return { boot, widget, problems: found };
  } finally {
    emu.close();
  }
}
