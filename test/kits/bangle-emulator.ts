// Drives the real Bangle.js 2 firmware (Espruino compiled to JavaScript by emscripten/wasm2js)
// from Node, for the opt-in emulator tests. Nothing of the emulator lives in this repository: it
// is loaded from the directory named by BANGLE_EMULATOR_DIR, which must hold three files of the
// public repository espruino/EspruinoWebIDE, folder `emu/` (see firmware/EMULATOR.md):
//
//   emulator_banglejs2.js  the firmware itself (interpreter, Storage, Graphics, Bangle, NRF)
//   emu_banglejs2.js       board constants (FLASH_SIZE, DEVICE) and the screen reader
//   common.js              the glue the firmware calls back into (flash, pins, console I/O)
//
// They are evaluated in a fresh `vm` context per emulator, so several can coexist and none leaks
// into the test's globals. We drive the interpreter ourselves (no setTimeout loop): characters are
// pushed into its input queue and its idle loop is pumped until it has nothing left to do.
//
// Time is virtual: the context's Date.now (which the firmware reads as its system clock) returns
// a clock this helper owns. Timers fire only when the clock is advanced (advance, emitAccel), so a
// test never sleeps and runs the same on a slow machine.

import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext, type Context } from 'node:vm';
import { createRequire } from 'node:module';

/** The files BANGLE_EMULATOR_DIR must contain, in load order. */
export const EMULATOR_FILES = ['emulator_banglejs2.js', 'emu_banglejs2.js', 'common.js'] as const;

/** Why the emulator tests cannot run here, or undefined when they can. */
export function emulatorUnavailable(dir = process.env.BANGLE_EMULATOR_DIR): string | undefined {
  const what = `BANGLE_EMULATOR_DIR must name the folder that holds ${EMULATOR_FILES.join(', ')} (from EspruinoWebIDE's emu/, see firmware/EMULATOR.md)`;
  if (!dir) return `BANGLE_EMULATOR_DIR is not set: ${what}`;
  const missing = EMULATOR_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length === 0) return undefined;
  // A common slip: the variable names the folder above the files (a clone's root, say).
  let below: string | undefined;
  try {
    below = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name))
      .find((d) => EMULATOR_FILES.every((f) => existsSync(join(d, f))));
  } catch {
    return `BANGLE_EMULATOR_DIR=${dir} is not a readable folder: ${what}`;
  }
  if (below !== undefined) return `BANGLE_EMULATOR_DIR=${dir} lacks ${missing.join(', ')}, which are one level down: set BANGLE_EMULATOR_DIR=${below}`;
  return `BANGLE_EMULATOR_DIR=${dir} lacks ${missing.join(', ')}: ${what}`;
}

/** One accelerometer sample: t in ms (any origin, increasing), axes in raw counts (8192 = 1 g). */
export interface AccelSample {
  t: number;
  x: number;
  y: number;
  z: number;
}

export interface BangleEmulator {
  /** Runs JavaScript at the REPL (echo off) and returns what it printed, prompts removed. */
  eval(js: string): string;
  /** Writes a Storage file, in chunks, exactly these bytes (a string is taken as UTF-8). */
  upload(name: string, contents: string | Uint8Array): void;
  /** Reads a Storage file's bytes back, or undefined when there is none. */
  download(name: string): Uint8Array | undefined;
  /**
   * Emits `accel` events as the Bangle's poll would, each at its own time: the samples go over in
   * batches (the REPL line and the event queue are small), then the clock is stepped to each
   * sample's time and one event is emitted and handled. Sample times are shifted so that the
   * first falls `startInMs` after the current clock.
   */
  emitAccel(samples: AccelSample[], options?: { batch?: number; startInMs?: number }): void;
  /** Moves the virtual clock forward, running every timer that falls due on the way. */
  advance(ms: number): void;
  /** The virtual clock (UTC ms): what Date.now() and getTime() return in the watch. */
  now(): number;
  /**
   * The Espruino source of the stubs for what the emulator lacks: NRF.updateServices (missing;
   * the stub records the last value of each characteristic in `__emu.ble["svc/char"]` and counts
   * calls in `__emu.updates`) and setTime (ignored by the emulator; the stub moves this helper's
   * virtual clock). Installed at start; put it in `.boot0` (see boot) so it survives load().
   */
  readonly stubs: string;
  /**
   * Writes `.boot0` as the Bangle boot loader (the `boot` app's bootupdate.js) would: the stubs,
   * `var bleServices = {}, bleServiceOptions = {uart:true}`, each boot file's Storage contents
   * (in the order given) followed by `;`, then NRF.setServices(bleServices, bleServiceOptions). `.boot0` runs on every
   * load().
   */
  installBootLoader(bootFiles: string[]): void;
  /** The screen, 176x176 pixels of 3-bit colour (bit 0 red, 1 green, 2 blue), row by row. */
  screen(): Uint8Array;
  /** What the watch printed outside eval (timers, events, errors) since the last call. */
  output(): string;
  /** Host milliseconds spent inside the interpreter so far (for rough per-sample costs). */
  busyMs(): number;
  /** Stops the emulator (its memory is released with the context). */
  close(): void;
}

/** Marker the setTime stub prints, read and removed from the output by this helper. */
const SET_TIME_MARK = '\u0001emu:setTime ';

const STUBS = [
  'global.__emu = {updates: 0, ble: {}};',
  'NRF.updateServices = function (s) { __emu.updates++; for (var v in s) for (var c in s[v]) __emu.ble[v + "/" + c] = s[v][c].value; };',
  `global.setTime = function (t) { print(${JSON.stringify(SET_TIME_MARK)} + t); };`,
].join('\n');

/** A JavaScript string literal that Espruino reads back as exactly these bytes. */
export function byteLiteral(bytes: Uint8Array): string {
  let s = '"';
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0');
  }
  return s + '"';
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

interface EmscriptenModule {
  ccall(name: string, ret: string, types: string[], args: number[]): number;
}

/** Loads a fresh emulator (about a second): factory-fresh Storage, clock at `startMs`. */
export async function loadBangleEmulator(options: { dir?: string; startMs?: number } = {}): Promise<BangleEmulator> {
  const dir = options.dir ?? process.env.BANGLE_EMULATOR_DIR;
  const why = emulatorUnavailable(dir);
  if (why !== undefined || dir === undefined) throw new Error(why);
  let clock = options.startMs ?? Date.UTC(2026, 0, 5, 9, 0, 0);
  let busy = 0;

  // Terminal model: the REPL redraws its prompt with CR and ESC[J (clear to end of line).
  const lines: string[] = [];
  const background: string[] = []; // printed outside eval: by timers, events, load()
  let line = '';
  let col = 0;
  let esc = '';
  const rx = (c: number) => {
    const ch = String.fromCharCode(c);
    if (esc !== '') {
      esc += ch;
      if (/[A-Za-z]/.test(ch) && esc.length > 1 && !(esc.length === 2 && ch === '[')) {
        if (esc.endsWith('J')) line = line.slice(0, col);
        esc = '';
      }
      return;
    }
    if (ch === '\u001b') esc = ch;
    else if (ch === '\r') col = 0;
    else if (ch === '\n') {
      if (line.startsWith(SET_TIME_MARK)) clock = Math.round(Number(line.slice(SET_TIME_MARK.length)) * 1000);
      else lines.push(line);
      line = '';
      col = 0;
    } else {
      line = line.slice(0, col) + ch + line.slice(col + 1);
      col++;
    }
  };

  let ready!: () => void;
  const initialised = new Promise<void>((r) => (ready = r));
  const ctx: Context = createContext({
    console: { log: () => {}, warn: () => {}, error: (...a: unknown[]) => lines.push('EMULATOR: ' + a.join(' ')) },
    // The glue reschedules its idle loop with setTimeout: we pump it ourselves instead.
    setTimeout: () => 0,
    clearTimeout: () => {},
    process,
    require: createRequire(join(dir, 'emulator_banglejs2.js')),
    __dirname: dir,
    Buffer,
    URL,
    TextDecoder,
    TextEncoder,
    Module: { onRuntimeInitialized: () => ready() },
    onConsoleOutput: () => {},
    __clock: () => clock,
  });
  runInContext('Date.now = function () { return __clock(); };', ctx);
  for (const f of EMULATOR_FILES) runInContext(readFileSync(join(dir, f), 'utf8'), ctx, { filename: f });
  await initialised; // wasm2js instantiates asynchronously, in a few microtasks
  ctx.jsUpdateGfx = () => {};
  ctx.jsRXCallback = rx;
  const M = ctx.Module as EmscriptenModule;
  const device = ctx.DEVICE as number;
  const handleIO = ctx.jsHandleIO as () => void;

  /** Runs the interpreter until it would sleep (jsIdle returns -1 while there is more to do). */
  const pump = () => {
    const t0 = performance.now();
    for (let i = 0; ; i++) {
      const ms = M.ccall('jsIdle', 'number', [], []);
      handleIO();
      if (ms !== -1) break;
      if (i > 100000) throw new Error('emulator: still busy after 100000 idle loops');
    }
    busy += performance.now() - t0;
  };
  const send = (text: string) => {
    // The input queue holds a few hundred characters: let the REPL drain it every 256.
    for (let i = 0; i < text.length; i++) {
      M.ccall('jshPushIOCharEvent', 'number', ['number', 'number'], [device, text.charCodeAt(i) & 255]);
      if (i % 256 === 255) pump();
    }
    pump();
  };

  runInContext('jsInit();', ctx);
  pump();

  const emulator: BangleEmulator = {
    eval(js) {
      background.push(...lines);
      lines.length = 0;
      line = '';
      col = 0;
      // DLE (0x10) turns echo off for the line; eval of a literal keeps multi-line code one line,
      // so an unfinished statement cannot leave the REPL waiting for more.
      send('\u0010eval(' + byteLiteral(utf8(js)) + ')\n');
      const out = lines.slice();
      lines.length = 0;
      if (line !== '' && line !== '>') out.push(line);
      return out.map((l) => l.replace(/^>/, '')).join('\n');
    },
    upload(name, contents) {
      const bytes = typeof contents === 'string' ? utf8(contents) : contents;
      const chunk = 512;
      if (bytes.length === 0) return void emulator.eval(`require("Storage").write(${JSON.stringify(name)}, "")`);
      for (let at = 0; at < bytes.length; at += chunk) {
        const part = byteLiteral(bytes.subarray(at, at + chunk));
        const args = at === 0 ? `0, ${bytes.length}` : `${at}`;
        const out = emulator.eval(`if (!require("Storage").write(${JSON.stringify(name)}, ${part}, ${args})) print("WRITE FAILED")`);
        if (out !== '') throw new Error(`upload ${name} at ${at}: ${out}`);
      }
    },
    download(name) {
      const out = emulator.eval(`(function(b){ print(b === undefined ? "-" : btoa(b)); })(require("Storage").read(${JSON.stringify(name)}))`);
      if (out === '-') return undefined;
      return new Uint8Array(Buffer.from(out.replace(/\s/g, ''), 'base64'));
    },
    emitAccel(samples, opts = {}) {
      if (samples.length === 0) return;
      const batch = opts.batch ?? 16;
      const shift = clock + (opts.startInMs ?? 80) - samples[0].t;
      for (let k = 0; k < samples.length; k += batch) {
        const part = samples.slice(k, k + batch);
        send(`\u0010__emu.feed([${part.map((s) => `${s.x},${s.y},${s.z}`).join(',')}])\n`);
        for (const s of part) {
          clock = Math.max(clock, s.t + shift);
          send('\u0010__emu.next()\n');
        }
      }
      const left = emulator.eval('print(__emu.q.length - __emu.i)');
      if (left !== '0') throw new Error(`emitAccel: ${left} samples were not emitted`);
    },
    advance(ms) {
      // Step through in 1 s hops so that interval timers run at about their times.
      const end = clock + ms;
      while (clock < end) {
        clock = Math.min(end, clock + 1000);
        pump();
      }
    },
    now: () => clock,
    stubs: STUBS + '\n' + FEEDER,
    installBootLoader(bootFiles) {
      const parts: Uint8Array[] = [utf8(emulator.stubs + '\nvar bleServices = {}, bleServiceOptions = {uart: true};\n')];
      for (const f of bootFiles) {
        const bytes = emulator.download(f);
        if (bytes === undefined) throw new Error(`installBootLoader: no ${f} in Storage`);
        parts.push(utf8(`//${f}\n`), bytes, utf8(';\n'));
      }
      parts.push(utf8('NRF.setServices(bleServices, bleServiceOptions); delete bleServices, bleServiceOptions;\n'));
      emulator.upload('.boot0', Buffer.concat(parts));
    },
    screen() {
      const w = ctx.GFX_WIDTH as number;
      const h = ctx.GFX_HEIGHT as number;
      const rgba = new Uint8Array(w * h * 4);
      (ctx.jsGetGfxContents as (b: Uint8Array) => void)(rgba);
      const px = new Uint8Array(w * h);
      for (let i = 0; i < px.length; i++) px[i] = (rgba[4 * i] ? 1 : 0) | (rgba[4 * i + 1] ? 2 : 0) | (rgba[4 * i + 2] ? 4 : 0);
      return px;
    },
    busyMs: () => busy,
    output() {
      const out = background.concat(lines);
      background.length = 0;
      lines.length = 0;
      return out.map((l) => l.replace(/^>/, '')).join('\n');
    },
    close() {
      ctx.jsRXCallback = () => {};
    },
  };
  const stubOut = emulator.eval(emulator.stubs);
  if (stubOut !== '') throw new Error('emulator stubs: ' + stubOut);
  return emulator;
}

/**
 * The watch side of emitAccel: a queue of samples, and `next` to emit the next one as a real
 * Bangle.js 2 accel event, {x, y, z, mag, diff} in g. One short REPL line per sample gives each
 * event its own clock reading. (A chain of setTimeout in the watch would be lighter, but in this
 * emulator a timer set before a REPL line runs does not fire on time after it: see EMULATOR.md.)
 */
const FEEDER = [
  '__emu.q = []; __emu.i = 0; __emu.mag = 1;',
  '__emu.feed = function (q) { __emu.q = q; __emu.i = 0; };',
  '__emu.next = function () {',
  '  var q = __emu.q, i = __emu.i, x = q[i] / 8192, y = q[i + 1] / 8192, z = q[i + 2] / 8192, m = Math.sqrt(x * x + y * y + z * z);',
  '  __emu.i = i + 3; Bangle.emit("accel", {x: x, y: y, z: z, mag: m, diff: Math.abs(m - __emu.mag)}); __emu.mag = m;',
  '};',
].join('\n');
