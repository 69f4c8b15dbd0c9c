// Opt-in: runs the pedometer and the Bangle.js 2 firmware on the real Bangle.js 2 emulator (the
// Espruino firmware compiled to JavaScript). Set BANGLE_EMULATOR_DIR as firmware/EMULATOR.md
// explains; without it every test here is skipped, and the suite name says why.
//
// The emulator is slow (an interpreter inside wasm2js: tens of ms of host time per sample), so
// the walks are short, just long enough for the pedometer to confirm a walk and count it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { still, walk } from '../sim/signals.ts';
import { Pedometer } from '../shared/pedometer/pedometer.ts';
import { plainLoops, type Loops } from '../shared/pedometer/periodicity.ts';
import type { Recording } from '../shared/recording/recording.ts';
import { DEFAULT_OUT } from '../scripts/build-firmware.ts';
import { emulatorUnavailable, loadBangleEmulator, type AccelSample, type BangleEmulator } from './kits/bangle-emulator.ts';
import { asBuilt, builtNames } from './kits/firmware/names.ts';

const why = emulatorUnavailable();
const suite = why === undefined ? 'on the real Bangle.js 2 emulator' : `on the real Bangle.js 2 emulator (skipped: ${why})`;

function samples(rec: Recording): AccelSample[] {
  return rec.t.map((t, i) => ({ t, x: rec.x[i], y: rec.y[i], z: rec.z[i] }));
}

/** What Node counts for the same samples, fed with the same millisecond gaps. */
function nodeCount(rec: Recording, loops: Loops = plainLoops): number {
  const p = new Pedometer(loops);
  for (let i = 0; i < rec.t.length; i++) p.push(i === 0 ? 0 : rec.t[i] - rec.t[i - 1], rec.x[i], rec.y[i], rec.z[i]);
  return p.steps;
}

async function pedometerBundle(): Promise<string> {
  // The pedometer and the JavaScript lag sum it is given when there is no native one, as the
  // global P (a plain object: esbuild's re-export getters are not what this test is about).
  const contents =
    "import { Pedometer } from './shared/pedometer/pedometer.ts';\nimport { plainLoops } from './shared/pedometer/periodicity.ts';\n" +
    "import { nativeLoops } from './firmware/core/loops.ts';\n" +
    'global.P = { Pedometer: Pedometer, plainLoops: plainLoops, nativeLoops: nativeLoops };\n';
  const r = await build({ stdin: { contents, loader: 'ts', resolveDir: process.cwd() }, bundle: true, format: 'iife', target: 'es2015', minify: true, write: false, tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } } });
  return r.outputFiles[0].text;
}

/** Errors the interpreter printed: an uncaught exception, a parse error, a full memory. */
function problems(out: string): string[] {
  return out.split('\n').filter((l) => /Uncaught|SyntaxError|Interpreter error|Out of Memory|LOW_MEMORY|MEMORY/.test(l));
}

// The handler a bare pedometer gets: the firmware's path in miniature (dt from the clock, raw counts back).
const HANDLER =
  'var last; Bangle.on("accel", function (a) { var t = Date.now(); ped.push(last === undefined ? 0 : t - last, a.x * 8192, a.y * 8192, a.z * 8192); last = t; });';

describe.skipIf(why !== undefined)(suite, () => {
  describe('the pedometer bundle', () => {
    let emu: BangleEmulator;
    beforeAll(async () => {
      emu = await loadBangleEmulator();
      emu.upload('ped.js', await pedometerBundle());
      // A freshly started emulator drops the first accel events it is given (its idle loop is still
      // settling; not understood further). Warm it up with a few seconds of stillness first.
      emu.eval('Bangle.on("accel", function () {});');
      emu.emitAccel(samples(still(1, 5).rec));
      emu.eval('Bangle.removeAllListeners("accel");');
    });
    afterAll(() => emu?.close());

    it('parses and runs without an error', () => {
      const out = emu.eval('eval(require("Storage").read("ped.js")); print(typeof P.Pedometer)');
      expect(problems(out)).toEqual([]);
      expect(out).toBe('function');
    });

    it('counts a walk exactly as Node does (JavaScript correlation loop)', () => {
      const g = walk({ seed: 11, steps: 30, cadence: 2 });
      const expected = nodeCount(g.rec);
      expect(expected).toBeGreaterThan(20); // a walk long enough to be confirmed and counted
      expect(emu.eval('Bangle.removeAllListeners("accel"); var ped = new P.Pedometer(P.plainLoops); ' + HANDLER)).toBe('');
      emu.emitAccel(samples(g.rec));
      // Integer gaps and raw counts exactly representable (x/8192*8192): the same arithmetic as Node.
      expect(emu.eval('print(ped.steps)')).toBe(String(expected));
      expect(problems(emu.output())).toEqual([]);
    });

    it('counts a walk exactly as Node does with E.convolve as the lag sum', () => {
      const g = walk({ seed: 12, steps: 40, cadence: 1.8, wrist: 'right' });
      const expected = nodeCount(g.rec);
      expect(expected).toBeGreaterThan(30);
      // The window is zero-padded past the longest lag, so the circular E.convolve is the linear
      // sum; the firmware's loops (firmware/core/loops.ts): views of the window, set, Math's own.
      emu.eval(
        'Bangle.removeAllListeners("accel"); var ped = new P.Pedometer(P.nativeLoops(E)); ' + HANDLER,
      );
      emu.emitAccel(samples(g.rec));
      expect(emu.eval('print(ped.steps)')).toBe(String(expected));
      expect(problems(emu.output())).toEqual([]);
    });
  });

  describe('the Bangle.js 2 firmware (dist/firmware/bangle)', () => {
    let emu: BangleEmulator;
    // The tests' global setup has built dist/firmware: building it again here took longer than a
    // hook may (10 s) on two cores.
    const dir = DEFAULT_OUT;
    let names: Record<string, string>;
    const meta = () => JSON.parse(readFileSync(join(dir, 'bangle/metadata.json'), 'utf8')) as { storage: { name: string; url: string }[] };
    /** A built file by its Storage name, as the App Loader would write it. */
    const file = (name: string) => readFileSync(join(dir, 'bangle', name === 'bushu.info' ? name : meta().storage.find((s) => s.name === name)!.url));
    const BOOT = 'bushu.0.boot.js';
    beforeAll(async () => {
      names = builtNames(dir).bangle;
      emu = await loadBangleEmulator();
    });
    afterAll(() => emu?.close());

    it('each built file runs without an uncaught error (boot, then widget, then app)', () => {
      const out: string[] = [];
      // Installed as the App Loader would: the boot file loads the on-demand half on a first start.
      emu.upload('bushu.ext.js', file('bushu.ext.js'));
      for (const name of [BOOT, 'bushu.wid.js', 'bushu.app.js']) {
        emu.upload(name, file(name));
        const o = emu.eval(`global.WIDGETS = global.WIDGETS || {}; eval(require("Storage").read(${JSON.stringify(name)}))`);
        out.push(...problems(o).map((l) => `${name}: ${l}`));
      }
      emu.advance(100);
      out.push(...problems(emu.output()));
      expect(out).toEqual([]);
    });

    it('boots as the boot loader would, counts a walk as Node does, stores it and draws its widget', () => {
      for (const name of [BOOT, 'bushu.ext.js', 'bushu.wid.js', 'bushu.app.js', 'bushu.img', 'bushu.info']) emu.upload(name, file(name));
      emu.installBootLoader([BOOT]);
      const loaded = emu.eval('load("bushu.app.js")');
      emu.advance(100); // the boot file starts its core 10 ms after the boot code
      expect(problems(loaded + '\n' + emu.output())).toEqual([]);
      expect(emu.eval(asBuilt(names, 'print(typeof global.bushu, bushu.counter.steps)'))).toBe('object 0');
      const memBoot = Number(emu.eval('print(process.memory().usage)'));

      // The widget bar (top 24 rows) shows the count: it differs from a plain background.
      const bar = (px: Uint8Array) => px.subarray(0, 176 * 24);
      const before = bar(emu.screen()).slice();
      expect(before.some((p) => p !== before[0])).toBe(true);

      const g = walk({ seed: 21, steps: 40, cadence: 1.8 });
      const expected = nodeCount(g.rec);
      expect(expected).toBeGreaterThan(30);
      const busy = emu.busyMs();
      emu.emitAccel(samples(g.rec));
      const perSample = (emu.busyMs() - busy) / g.rec.t.length;
      expect(emu.eval(asBuilt(names, 'print(bushu.counter.steps)'))).toBe(String(expected));
      const memWalk = Number(emu.eval('print(process.memory().usage)'));

      // The minute tick checkpoints the day into the history file; load() saves on 'kill' and the
      // boot file reads it back.
      emu.advance(61_000);
      expect(emu.eval(asBuilt(names, 'print(bushu.counter.steps)'))).toBe(String(expected));
      expect(emu.download('bushu.hist0')?.length ?? 0).toBeGreaterThan(0);
      emu.eval('load("bushu.app.js")');
      emu.advance(100);
      expect(emu.eval(asBuilt(names, 'print(bushu.counter.steps)'))).toBe(String(expected));
      expect(problems(emu.output())).toEqual([]);

      emu.eval('WIDGETS.bushu.draw(WIDGETS.bushu)');
      const after = bar(emu.screen());
      expect(after.some((p, i) => p !== before[i])).toBe(true); // "0" became the count

      console.info(`emulator: ${memBoot} JsVars after boot, ${memWalk} after walking; ${perSample.toFixed(1)} host ms per accel sample`);
    });

    it('a third-party step reader and a Gadgetbridge-like boot file see bushu\'s steps', () => {
      // A reader app as any clock or widget writes one: public Bangle API only. It shows the
      // day's steps and keeps what it showed and the step events it got.
      emu.upload('reader.app.js', [
        'global.seen = {events: []};',
        'Bangle.on("step", function (n) { seen.events.push(n); });',
        'function show() { seen.day = Bangle.getHealthStatus("day").steps; seen.total = Bangle.getStepCount();',
        '  g.clear(); g.setFont("6x8", 3).drawString("" + seen.day, 20, 80); g.flip(); }',
        'Bangle.setUI({mode: "custom", back: function () { load(); }});',
        'show(); setInterval(show, 1000);',
      ].join('\n'));
      // What Gadgetbridge's android.boot.js does with the firmware's 'health' event.
      emu.upload('android.boot.js', 'global.gbSent = []; Bangle.on("health", function (h) { gbSent.push(h.steps); });');
      // The boot loader's order: numbered boot files first, so bushu's runs before android's.
      emu.installBootLoader([BOOT, 'android.boot.js']);
      emu.eval('load("reader.app.js")');
      emu.advance(100);
      const before = Number(emu.eval(asBuilt(names, 'print(bushu.counter.steps)')));
      expect(emu.eval('print(Bangle.getOptions().stepCounterDisabled)')).toBe('true');

      const g = walk({ seed: 23, steps: 40, cadence: 1.8 });
      const expected = nodeCount(g.rec);
      emu.emitAccel(samples(g.rec));
      emu.advance(1500);
      const now = before + expected;
      expect(emu.eval(asBuilt(names, 'print(bushu.counter.steps)'))).toBe(String(now));
      expect(emu.eval('print(seen.day, Bangle.getHealthStatus("day").steps)')).toBe(`${now} ${now}`);
      expect(emu.eval('print(seen.total === Bangle.getStepCount())')).toBe('true');
      const events = emu.eval('print(seen.events.join())').split(',').map(Number);
      expect(events.length).toBeGreaterThan(0);
      expect(events[events.length - 1]).toBe(Number(emu.eval('print(Bangle.getStepCount())')));
      // The firmware's health event, as it sends one when the 10-minute block ends: the listeners
      // share its object, and bushu's runs first.
      const blockSteps = Number(emu.eval('print(Bangle.getHealthStatus().steps)'));
      expect(blockSteps).toBeGreaterThanOrEqual(expected);
      emu.advance(600_000);
      emu.eval('Bangle.emit("health", {movement: 0, steps: 0, bpm: 0, bpmConfidence: 0})');
      emu.advance(100);
      expect(emu.eval('print(gbSent.join())')).toBe(String(blockSteps));
      expect(problems(emu.output())).toEqual([]);
    });

    it('the app erases the key only through its menu and a Yes (E.showMenu, E.showPrompt of the real firmware)', () => {
      emu.upload('bushu.key', new Uint8Array(32).fill(7));
      emu.installBootLoader([BOOT]);
      emu.eval('load("bushu.app.js")');
      emu.advance(200);
      const keySet = () => emu.eval('print(require("Storage").read("bushu.key") !== undefined)');
      // Taps as the touchscreen sends them: the screen, the menu's first item, a prompt button.
      const tap = (x: number, y: number) => {
        emu.eval(`Bangle.emit("touch", 1, {x: ${x}, y: ${y}, type: 0})`);
        emu.advance(300);
      };
      tap(88, 88); // the main screen: the menu
      tap(88, 60); // "Erase key": the prompt
      tap(44, 150); // "No"
      expect(keySet()).toBe('true');
      tap(88, 88);
      tap(88, 60);
      tap(132, 150); // "Yes"
      expect(keySet()).toBe('false');
      expect(problems(emu.output())).toEqual([]);
    });
  });
});
