// `npm run bench:device`: the CPU cost per sample of the pedometer and of each board's whole
// per-sample path, in x86 instructions on the real Espruino interpreter (see callgrind.ts), above
// an empty handler. Walking and still are counted apart (most of a day is not walking), and the
// dearest single sample of a walk is reported too: a burst is a stall for BLE and the display.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { still, walk } from '../../sim/signals.ts';
import { buildFirmware } from '../build-firmware.ts';
import { builtNames } from '../../test/kits/firmware/names.ts';
import { callgrind, findTools, type Tools } from './callgrind.ts';
import { encodeSamples, script, SAMPLES_FILE, type Plan, type Target } from './program.ts';

/** The goals of issue 12, instructions per sample above the empty handler. */
export const TARGETS = { walking: 300_000, still: 50_000, peak: 8_000_000 };

export interface Cost {
  walking: number;
  still: number;
  peak: number;
}

export interface DeviceFigures {
  /** The empty handler in itself: the call, the sample's fields and the clock read. */
  empty: number;
  pedometer: Cost;
  puck: Cost;
  bangle: Cost;
}

interface Measured extends Cost {
  trace: number[];
}

function measure(intervals: number[], plan: Plan): Measured {
  const trace = intervals.slice(0, plan.traced);
  const walked = trace.reduce((s, v) => s + v, 0) + intervals[plan.traced];
  return { walking: walked / plan.walked, still: intervals[plan.traced + 2] / plan.stilled, peak: Math.max(...trace), trace };
}

/** Above the empty handler; the peak sample against the empty handler's same sample. */
function above(m: Measured, empty: Measured): Cost {
  return {
    walking: Math.round(m.walking - empty.walking),
    still: Math.round(m.still - empty.still),
    peak: Math.max(...m.trace.map((v, i) => v - empty.trace[i])),
  };
}

/** Everything a run needs, from a buildFirmware() output directory. */
export interface Prepared {
  /** The Puck's .bootcde and the Bangle's boot file, as built. */
  puck: string;
  bangle: string;
  /** Targets, by what they measure. */
  targets: Record<'none' | 'empty' | 'pedometer' | 'board', Target>;
  /** The samples file, by name, and how many samples of each kind it holds. */
  files: Record<string, Uint8Array>;
  walkCount: number;
  stillCount: number;
}

export function prepare(dir: string, plan: Plan): Prepared {
  const names = builtNames(dir);
  // A walk at 12.5 Hz long enough for the plan, and a wrist at rest, both as the Bangle samples.
  const seconds = (plan.settle + plan.walked) / 12.5 + 20;
  const w = walk({ seed: 12, steps: Math.ceil(seconds * 1.8), cadence: 1.8 });
  const s = still(12, 45);
  const samples = encodeSamples(w.rec, s.rec, plan);
  return {
    puck: readFileSync(join(dir, 'puck/bushu.js'), 'utf8'),
    bangle: readFileSync(join(dir, 'bangle/bushu.boot.js'), 'utf8'),
    // Built name of the core's pedometer (kept as spelled when not renamed).
    targets: { none: { kind: 'none' }, empty: { kind: 'empty' }, pedometer: { kind: 'pedometer', pedometer: names.puck.pedometer ?? 'pedometer' }, board: { kind: 'board' } },
    files: { [SAMPLES_FILE]: samples.data },
    walkCount: samples.walkCount,
    stillCount: samples.stillCount,
  };
}

export async function benchDevice(tools: Tools, plan: Plan, log: (line: string) => void, trace = false): Promise<DeviceFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bushu-firmware-'));
  try {
    await buildFirmware(dir);
    const p = prepare(dir, plan);
    const run = async (name: string, firmware: string, target: Target): Promise<Measured> => {
      log(`bench-device: ${name}...`);
      const r = await callgrind(tools, script(firmware, target, plan, p.walkCount, p.stillCount), p.files);
      // One interval per traced sample, then the rest of the walk, the still settling, the still counted.
      if (r.intervals.length !== plan.traced + 3) throw new Error(`${name}: ${r.intervals.length} counted stretches, ${plan.traced + 3} expected`);
      return measure(r.intervals, plan);
    };
    const none = await run('the loop alone', p.puck, p.targets.none);
    const empty = await run('empty handler', p.puck, p.targets.empty);
    const ped = await run('pedometer', p.puck, p.targets.pedometer);
    if (trace) log(`pedometer, k instructions above empty, walking sample by sample: ${ped.trace.map((v, i) => Math.round((v - empty.trace[i]) / 1000)).join(' ')}`);
    const puckPath = await run('Puck.js per-sample path', p.puck, p.targets.board);
    const banglePath = await run('Bangle.js 2 per-sample path', p.bangle, p.targets.board);
    return {
      empty: Math.round(empty.walking - none.walking),
      pedometer: above(ped, empty),
      puck: above(puckPath, empty),
      bangle: above(banglePath, empty),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const M = (n: number): string => `${(n / 1e6).toFixed(3)}M`;

export function table(f: DeviceFigures): string {
  const rows: string[][] = [['per sample, above the empty handler', 'walking', 'still', 'peak sample']];
  const mark = (v: number, target: number): string => `${M(v)}${v > target ? ' (over)' : ''}`;
  for (const [name, c] of [
    ['pedometer', f.pedometer],
    ['Puck.js v2 whole path', f.puck],
    ['Bangle.js 2 whole path', f.bangle],
  ] as const) {
    rows.push([name, mark(c.walking, TARGETS.walking), mark(c.still, TARGETS.still), mark(c.peak, TARGETS.peak)]);
  }
  rows.push(['target', `<= ${M(TARGETS.walking)}`, `<= ${M(TARGETS.still)}`, `<= ${M(TARGETS.peak)}`]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `empty handler in itself (call, {x,y,z}, clock read): ${M(f.empty)} per sample`,
    '',
    line(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ].join('\n');
}

export function met(f: DeviceFigures): boolean {
  return [f.pedometer, f.puck, f.bangle].every((c) => c.walking <= TARGETS.walking && c.still <= TARGETS.still && c.peak <= TARGETS.peak);
}

const USAGE = 'usage: npm run bench:device -- [--samples N] [--json] [--check] [--trace]';

/** The command: returns the exit code. */
export async function deviceCli(args: string[], env: NodeJS.ProcessEnv, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let json = false;
  let check = false;
  let trace = false;
  let samples = 2000;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') json = true;
    else if (a === '--check') check = true;
    else if (a === '--trace') trace = true;
    else if (a === '--samples') {
      samples = Number(args[++i]);
      if (!Number.isInteger(samples) || samples < 200 || samples > 4000) {
        err.write(`bench-device: --samples wants an integer from 200 to 4000\n${USAGE}\n`);
        return 2;
      }
    } else {
      err.write(`bench-device: unknown argument ${a}\n${USAGE}\n`);
      return 2;
    }
  }
  const tools = findTools(env);
  if (typeof tools === 'string') {
    out.write(`bench-device: skipped: ${tools}\n`);
    return 0;
  }
  const plan: Plan = { settle: 256, walked: samples, traced: 128, stilled: samples };
  const f = await benchDevice(tools, plan, (l) => err.write(`${l}\n`), trace);
  out.write(json ? `${JSON.stringify(f, null, 2)}\n` : `${table(f)}\n`);
  return check && !met(f) ? 1 : 0;
}
