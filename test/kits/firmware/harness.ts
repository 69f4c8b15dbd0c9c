// Test and benchmark harness (Node only, never bundled): builds the firmware once into a
// temporary directory and installs the BUILT files into EspruinoSim, the way the App Loader
// and the flasher would write them into Storage.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFirmware } from '../../../scripts/build-firmware.ts';
import { EspruinoSim, type SimStorage } from '../../../sim/espruino/index.ts';
import type { Recording } from '../../../shared/recording/recording.ts';
import { TEST_TMP_ENV } from '../test-tmp.ts';
import { builtNames, evalCore, useBuiltNames } from './names.ts';

export interface Built {
  dir: string;
  bangle: Record<string, Uint8Array>;
  puck: string;
}

let built: Promise<Built> | undefined;

/** The firmware, built once per process. */
export function firmware(): Promise<Built> {
  if (built === undefined) {
    built = (async () => {
      // Read by this process until it ends. Under vitest, in the run's directory, which the global
      // setup removes; elsewhere (bench:firmware), removed at exit.
      const dir = mkdtempSync(join(process.env[TEST_TMP_ENV] ?? tmpdir(), 'bushu-fw-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      await buildFirmware(dir);
      useBuiltNames(builtNames(dir));
      const meta = JSON.parse(readFileSync(join(dir, 'bangle/metadata.json'), 'utf8')) as { storage: { name: string; url: string }[] };
      const bangle: Record<string, Uint8Array> = {};
      for (const s of meta.storage) bangle[s.name] = readFileSync(join(dir, 'bangle', s.url));
      return { dir, bangle, puck: readFileSync(join(dir, 'puck/bushu.js'), 'utf8') };
    })();
  }
  return built;
}

export const ADDRESS = 'c1:23:45:67:89:ab';

export interface SimOpts {
  startTime: number;
  timezoneHours?: number;
  storage?: SimStorage;
}

/** A Bangle.js 2 with the app installed (boot, widget, app) and booted. */
export async function bangle(o: SimOpts): Promise<EspruinoSim> {
  const fw = await firmware();
  const sim = new EspruinoSim({ board: 'BANGLEJS2', startTime: o.startTime, timezoneHours: o.timezoneHours, address: ADDRESS, storage: o.storage });
  if (o.storage === undefined) sim.install(fw.bangle);
  sim.boot();
  return sim;
}

/** A Puck.js v2 with bushu.js as .bootcde, booted. */
export async function puck(o: SimOpts): Promise<EspruinoSim> {
  const fw = await firmware();
  const sim = new EspruinoSim({ board: 'PUCKJS2', startTime: o.startTime, timezoneHours: o.timezoneHours, address: ADDRESS, storage: o.storage });
  if (o.storage === undefined) sim.install({ '.bootcde': fw.puck });
  sim.boot();
  return sim;
}

/** Schedules a recording's samples from wall-clock time t0 (UTC ms), then runs the simulation past them. */
export function play(sim: EspruinoSim, rec: Recording, t0: number): number {
  const samples = [];
  for (let i = 0; i < rec.t.length; i++) samples.push({ t: t0 + rec.t[i], x: rec.x[i], y: rec.y[i], z: rec.z[i] });
  sim.feedAccel(samples);
  const end = t0 + rec.t[rec.t.length - 1];
  sim.advance(end - sim.now() + 1);
  return end + 1;
}

/** Today's steps as the running firmware holds them. */
export function steps(sim: EspruinoSim): number {
  return evalCore(sim, 'bushu.counter.steps') as number;
}
