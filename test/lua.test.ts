// The Lua build (npm run build:lua) must count exactly what the JavaScript pedometer counts.
// Compiled once with typescript-to-lua, run in fengari (Lua 5.3 in JS) and, where installed, by the
// lua5.4 stdin driver. A stand-in module (test/fixtures/lua-probe.ts) proves the toolchain and the
// typed-array shim number for number, independently of the detector's current state.

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armWave, car, concat, still, typing, walk } from '../sim/signals.ts';
import { buildPedometerLua, compileLua, moduleName, writeLuaFiles, type LuaFiles } from '../scripts/lua/compile.ts';
import { countSteps } from '../shared/pedometer/count.ts';
import { Pedometer } from '../shared/pedometer/pedometer.ts';
import { plainLoops } from '../shared/pedometer/periodicity.ts';
import type { Recording } from '../shared/recording/recording.ts';
import { halfDot, loopDot, Probe } from './fixtures/lua-probe.ts';
import { sineWalks } from './lua/sine-walks.ts';
import { LuaVm } from './lua/vm.ts';

type Mode = 'fast' | 'exact';

interface Detector {
  push(dtMs: number, x: number, y: number, z: number): number;
}

const SIGNALS: Array<{ name: string; rec: Recording }> = [
  ...sineWalks(),
  { name: 'sim walk, 300 steps', rec: walk({ seed: 11, steps: 300, cadence: 1.8 }).rec },
  {
    name: 'sim walk at 25 Hz, gentle swing',
    rec: walk({ seed: 12, steps: 150, cadence: 1.5, swingRad: 0.12, sampling: { rateHz: 25, jitterMs: 3, dropRate: 0.02, noiseCounts: 20 } }).rec,
  },
  {
    name: 'sim walk with 25% dropped polls',
    rec: walk({ seed: 13, steps: 150, cadence: 2.1, sampling: { rateHz: 12.5, jitterMs: 15, dropRate: 0.25, noiseCounts: 40 } }).rec,
  },
  {
    name: 'sim still, car, typing, arm wave, walk',
    rec: concat([still(14, 20), car(15, 30), typing(16, 20), armWave(17, 10), walk({ seed: 18, steps: 80, cadence: 1.6 })]).rec,
  },
];

function signal(name: string): Recording {
  const found = SIGNALS.find((s) => s.name === name);
  if (!found) throw new Error(`no signal named ${name}`);
  return found.rec;
}

/** Per-sample results of push, then the final count: what both languages must agree on. */
function runJs(detector: Detector, count: () => number, rec: Recording): number[] {
  const out: number[] = [];
  let prev = rec.t.length > 0 ? rec.t[0] : 0;
  for (let i = 0; i < rec.t.length; i++) {
    out.push(detector.push(rec.t[i] - prev, rec.x[i], rec.y[i], rec.z[i]));
    prev = rec.t[i];
  }
  out.push(count());
  return out;
}

/** The same in Lua: `ctorArg` is a Lua expression passed to the constructor. */
function luaRunner(o: { module: string; className: string; countField: string; mode: Mode; ctorArg?: string; prelude?: string }): string {
  return `
    require("typedarrays").install(${JSON.stringify(o.mode)})
    ${o.prelude ?? ''}
    local mod = require(${JSON.stringify(o.module)})
    local obj = require("lualib_bundle").__TS__New(mod.${o.className}${o.ctorArg ? `, ${o.ctorArg}` : ''})
    local out, prev = {}, T[1]
    for i = 1, #T do
      out[i] = obj:push(T[i] - prev, X[i], Y[i], Z[i])
      prev = T[i]
    end
    out[#T + 1] = obj.${o.countField}
    return out`;
}

function runLua(vm: LuaVm, chunk: string, rec: Recording): number[] {
  return vm.run(chunk, { T: rec.t, X: rec.x, Y: rec.y, Z: rec.z });
}

/** '' when equal, else where they first differ: easier to act on than two long arrays. */
function difference(lua: number[], js: number[]): string {
  if (lua.length !== js.length) return `lengths differ: lua ${lua.length}, js ${js.length}`;
  const i = lua.findIndex((v, k) => !Object.is(v, js[k]) && !(v === 0 && js[k] === 0));
  if (i < 0) return '';
  const what = i === js.length - 1 ? 'final count' : `sample ${i}`;
  return `${what}: lua ${lua[i]}, js ${js[i]}`;
}

function vmFor(files: LuaFiles): LuaVm {
  return new LuaVm(new Map([...files].map(([path, source]) => [moduleName(path), source])));
}

let pedometerFiles: LuaFiles;
let probeFiles: LuaFiles;

beforeAll(async () => {
  // tstl takes about a second per program: compile each once for the whole file.
  pedometerFiles = await buildPedometerLua();
  probeFiles = compileLua({ entries: ['test/fixtures/lua-probe.ts'], rootDir: 'test/fixtures' });
  probeFiles.set('typedarrays.lua', pedometerFiles.get('typedarrays.lua')!);
});

describe('Lua build of the pedometer, in fengari', () => {
  const chunk = (mode: Mode) => luaRunner({ module: 'pedometer', className: 'Pedometer', countField: 'steps', mode, ctorArg: 'require("periodicity").plainLoops' });
  let vm: LuaVm;
  beforeAll(() => {
    vm = vmFor(pedometerFiles);
  });

  it.each(SIGNALS)('$name: counts exactly like JavaScript', ({ rec }) => {
    const p = new Pedometer(plainLoops);
    expect(difference(runLua(vm, chunk('fast'), rec), runJs(p, () => p.steps, rec))).toBe('');
  });

  it('counts the same with JS-exact typed arrays (so no stored value depends on conversion)', () => {
    const rec = signal('sim walk with 25% dropped polls'); // exact mode is ~6x slower: a short one
    const p = new Pedometer(plainLoops);
    expect(difference(runLua(vm, chunk('exact'), rec), runJs(p, () => p.steps, rec))).toBe('');
  });
});

describe('Lua toolchain on a probe module, in fengari', () => {
  const probeChunk = (mode: Mode, ctorArg?: string, prelude?: string) =>
    luaRunner({ module: 'lua-probe', className: 'Probe', countField: 'events', mode, ctorArg, prelude });
  const jsProbe = (rec: Recording, dot?: typeof loopDot) => {
    const p = new Probe(dot);
    return runJs(p, () => p.events, rec);
  };
  const signals = SIGNALS.filter((s) =>
    ['sine 0.9 Hz 0.3 g, gaps', 'sine 1.0 Hz 0.25 g at 25 Hz', 'sim walk with 25% dropped polls'].includes(s.name),
  );
  let vm: LuaVm;
  beforeAll(() => {
    vm = vmFor(probeFiles);
  });

  it.each(signals)('$name: identical numbers in both typed-array modes', ({ rec }) => {
    const js = jsProbe(rec);
    expect(js.at(-1)).toBeGreaterThan(0); // the probe's events are exercised
    expect(difference(runLua(vm, probeChunk('fast'), rec), js)).toBe('');
    expect(difference(runLua(vm, probeChunk('exact'), rec), js)).toBe('');
  });

  it('calls a helper passed to the constructor without a self argument, compiled or native Lua', () => {
    const rec = signals[0].rec;
    expect(difference(runLua(vm, probeChunk('fast', 'mod.halfDot'), rec), jsProbe(rec, halfDot))).toBe('');
    // A Lua function standing in for a native routine (Espruino's E.convolve on the watch).
    const native = 'function(a, b, n) local s = 0 for i = 0, n - 1 do s = s + a[i] * b[i] end return s end';
    expect(difference(runLua(vm, probeChunk('fast', native), rec), jsProbe(rec, loopDot))).toBe('');
    expect(jsProbe(rec, halfDot)).not.toEqual(jsProbe(rec, loopDot));
  });

  it('can fail: single-precision Float64Array makes the probe disagree', () => {
    const rec = signals[0].rec;
    const sabotaged = probeChunk('exact', undefined, 'Float64Array = Float32Array');
    expect(difference(runLua(vm, sabotaged, rec), jsProbe(rec))).not.toBe('');
  });
});

describe('typed-array shim', () => {
  const KINDS: Record<string, new (length: number) => { [i: number]: number } & Iterable<number>> = {
    Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array,
  };
  const VALUES = [0, -0, 1, -1, 1.5, -1.5, 2.7, -2.7, 0.1, 1 / 3, 127, 128, -129, 255, 256, 32767, 32768, -32769, 40000, 65535,
    65536, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5.5, 1e300, -1e300, NaN, Infinity, -Infinity];
  let vm: LuaVm;
  beforeAll(() => {
    vm = vmFor(pedometerFiles);
  });
  const newArray = 'local function new(c, ...) return require("lualib_bundle").__TS__New(c, ...) end';

  it.each(Object.keys(KINDS))('exact mode stores values like a JS %s', (kind) => {
    const lua = vm.run(`require("typedarrays").install("exact") ${newArray}
      local a, out = new(${kind}, #V), {}
      for i = 1, #V do a[i - 1] = V[i] end
      for i = 1, #V do out[i] = a[i - 1] end
      return out`, { V: VALUES });
    const js = new KINDS[kind](VALUES.length);
    VALUES.forEach((v, i) => (js[i] = v));
    expect(lua).toEqual([...js]);
  });

  it('fast mode stores values unchanged and, like JS, ignores writes outside the array', () => {
    const out = vm.run(`require("typedarrays").install("fast") ${newArray}
      local a = new(Int16Array, 3)
      a[0] = 40000; a[3] = 7; a[-1] = 7; a[1.5] = 7
      local b = new(Float64Array, {1, 2, 3}):fill(9, 1)
      return { a.length, a[0], a[1], a[2], rawget(a, 3) or -1, rawget(a, -1) or -1, b[0], b[1], b[2] }`);
    expect(out).toEqual([3, 40000, 0, 0, -1, -1, 1, 9, 9]);
  });

  it.each<Mode>(['fast', 'exact'])('%s mode rejects members it does not implement (subarray, for...of)', (mode) => {
    const access = (member: string) => `require("typedarrays").install("${mode}") ${newArray}
      local a = new(Int16Array, 2) local _ = a.${member} return {}`;
    expect(() => vm.run(access('subarray'))).toThrow(/Int16Array: 'subarray' is not supported/);
    // tstl's for...of helper probes this member first; without the error it would skip index 0.
    expect(() => vm.run(access('____coroutine'))).toThrow(/not supported/);
  });

  it('fengari integers wrap at 32 bits, unlike lua5.4: the detector must scale raw counts before squaring', () => {
    expect(vm.run('return { 50000 * 50000, 50000 / 1 * 50000 }')).toEqual([-1794967296, 2.5e9]);
  });
});

const LUA54 = spawnSync('lua5.4', ['-v']).status === 0;

// Skipped, with the reason in its name, where lua5.4 is not installed (apt-get install lua5.4).
describe.skipIf(!LUA54)(`lua5.4 stdin driver${LUA54 ? '' : ' (skipped: lua5.4 is not on PATH)'}`, () => {
  let dir = '';
  const count = (csv: string) => spawnSync('lua5.4', [join(dir, 'lua', 'count.lua')], { input: csv, encoding: 'utf8' });
  const toCsv = (rec: Recording) => `Time (ms),X,Y,Z\n${rec.t.map((t, i) => `${t},${rec.x[i]},${rec.y[i]},${rec.z[i]}`).join('\n')}\n`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bushu-lua-'));
    await writeLuaFiles(pedometerFiles, join(dir, 'lua'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints the same count as JavaScript for every signal', () => {
    for (const { name, rec } of SIGNALS) {
      const r = count(toCsv(rec));
      expect({ name, stderr: r.stderr, stdout: r.stdout }).toEqual({ name, stderr: '', stdout: `${countSteps(rec)}\n` });
    }
  });

  it('counts a recording that ends inside a window\'s analysis as JavaScript does (the pending steps too)', () => {
    // The analysis of a full window runs over the six samples after it; countSteps ends it with
    // finish(), and so must the driver. Cut a walk at each of 40 ends: some fall inside.
    const whole = walk({ seed: 25, steps: 120, cadence: 1.8 }).rec;
    let pending = 0;
    for (let cut = whole.t.length - 40; cut < whole.t.length; cut++) {
      const rec = { t: whole.t.slice(0, cut), x: whole.x.slice(0, cut), y: whole.y.slice(0, cut), z: whole.z.slice(0, cut) };
      const r = count(toCsv(rec));
      expect({ cut, stdout: r.stdout }).toEqual({ cut, stdout: `${countSteps(rec)}\n` });
      const p = new Pedometer(plainLoops);
      for (let i = 0; i < rec.t.length; i++) p.push(i === 0 ? 0 : rec.t[i] - rec.t[i - 1], rec.x[i], rec.y[i], rec.z[i]);
      if (p.steps !== countSteps(rec)) pending++;
    }
    expect(pending).toBeGreaterThan(0);
  });

  it('accepts CRLF, a byte order mark, blank lines and any time column name like the JS parser', () => {
    const r = count('\uFEFF\r\n t , x , y , z \r\n85,917,-1278,-8159\r\n\r\n165.5, 769 ,-1132,-7985\r\n');
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '0\n', '']);
  });

  it.each([
    ['Time (ms),X,Y,Z\n85,1,2,3\n\n165,1,oops,3\n', 'stdin:4: Y is not an integer: "oops"'],
    ['Time (ms),X,Y,Z\n85,1,2,3\n85,1,2,3\n', "stdin:3: time 85 repeats the previous sample's time 85 (line 2)"],
    ['Time (ms),X,Y,Z\n85,1,2\n', 'stdin:2: expected 4 values (time,X,Y,Z), found 3'],
    ['Time (ms),X,Y,Z\n85,1,2,1e3\n', 'stdin:2: Z is not an integer: "1e3"'],
    ['85,1,2,3\n', 'stdin:1: expected header "Time (ms),X,Y,Z", found "85,1,2,3"'],
    ['', 'stdin:1: empty file: expected header "Time (ms),X,Y,Z"'],
  ])('rejects %j on stderr with its line number', (csv, message) => {
    const r = count(csv);
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', `${message}\n`]);
  });
});
