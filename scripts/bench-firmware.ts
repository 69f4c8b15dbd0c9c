// npm run bench:firmware [-- --json]: builds the firmware, prints each file's minified size
// against its budget, then runs the built firmware in EspruinoSim: JsVars after boot and after
// an hour of walking (Bangle.js 2 with its widget loaded, Puck.js v2), and the flash bytes
// programmed per hour of walking. With BANGLE_EMULATOR_DIR set (firmware/EMULATOR.md) it also
// measures both builds' JsVars on the real interpreter. Exits 1 when a budget is exceeded.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { EspruinoSim } from '../sim/espruino/index.ts';
import { walk } from '../sim/signals.ts';
import { bangle, play, puck, steps } from '../test/kits/firmware/harness.ts';
import { firmware } from '../test/kits/firmware/harness.ts';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BUDGETS } from './build-firmware.ts';
import { bangleMemoryOnEmulator, puckMemoryOnEmulator } from '../test/kits/firmware/real-memory.ts';
import { emulatorUnavailable } from '../test/kits/bangle-emulator.ts';

/** JsVars budgets: the Puck.js v2 has 2630 in all and must keep room to spare. */
export const MEMORY_BUDGETS: Record<string, number> = { BANGLEJS2: 3000, PUCKJS2: 1600 };

export interface Row {
  name: string;
  value: number;
  budget?: number;
  unit: string;
}

async function run(make: typeof bangle, widgets: boolean): Promise<{ boot: number; walked: number; flashPerHour: number; steps: number }> {
  const sim: EspruinoSim = await make({ startTime: Date.UTC(2026, 10, 21, 9, 0) });
  if (widgets) sim.eval('Bangle.loadWidgets(); Bangle.drawWidgets();');
  sim.advance(1000);
  const boot = sim.memory().usage;
  const flash0 = sim.storage.stats.bytesProgrammed;
  const t0 = sim.now();
  const w = walk({ seed: 42, steps: 6200, cadence: 1.75 });
  play(sim, w.rec, t0 + 100);
  sim.advance(t0 + 3600000 - sim.now());
  const flashPerHour = sim.storage.stats.bytesProgrammed - flash0;
  if (sim.errors.length > 0) throw new Error(`firmware errors: ${sim.errors.map((e) => e.message).join('; ')}`);
  return { boot, walked: sim.memory().usage, flashPerHour, steps: steps(sim) };
}

export async function benchFirmware(): Promise<Row[]> {
  const fw = await firmware();
  const rows: Row[] = [];
  for (const board of ['bangle', 'puck']) {
    for (const f of readdirSync(join(fw.dir, board))) {
      const path = `${board}/${f}`;
      if (!f.endsWith('.js')) continue;
      rows.push({ name: path, value: statSync(join(fw.dir, path)).size, budget: BUDGETS[path], unit: 'bytes' });
    }
  }
  const b = await run(bangle, true);
  const p = await run(puck, false);
  rows.push({ name: 'Bangle.js 2 JsVars after boot (boot + widget)', value: b.boot, budget: MEMORY_BUDGETS.BANGLEJS2, unit: 'JsVars' });
  rows.push({ name: 'Bangle.js 2 JsVars after 1 h walking', value: b.walked, budget: MEMORY_BUDGETS.BANGLEJS2, unit: 'JsVars' });
  rows.push({ name: 'Puck.js v2 JsVars after boot', value: p.boot, budget: MEMORY_BUDGETS.PUCKJS2, unit: 'JsVars' });
  rows.push({ name: 'Puck.js v2 JsVars after 1 h walking', value: p.walked, budget: MEMORY_BUDGETS.PUCKJS2, unit: 'JsVars' });
  // The simulator's JsVars are an estimate; the real interpreter, when there is one, settles it.
  const emulatorDir = process.env.BANGLE_EMULATOR_DIR;
  if (emulatorDir && emulatorUnavailable(emulatorDir) === undefined) {
    const real = await puckMemoryOnEmulator(fw.dir, emulatorDir);
    if (real.problems.length > 0) throw new Error(`Puck build on the real interpreter: ${real.problems.join('; ')}`);
    rows.push({ name: 'Puck.js v2 JsVars after boot (real interpreter)', value: real.boot, budget: MEMORY_BUDGETS.PUCKJS2, unit: 'JsVars' });
    rows.push({ name: 'Puck.js v2 JsVars after walking (real interpreter)', value: real.walked, budget: MEMORY_BUDGETS.PUCKJS2, unit: 'JsVars' });
    const bangleReal = await bangleMemoryOnEmulator(fw.dir, emulatorDir);
    if (bangleReal.problems.length > 0) throw new Error(`Bangle build on the real interpreter: ${bangleReal.problems.join('; ')}`);
    rows.push({ name: 'Bangle.js 2 JsVars, boot file (real interpreter)', value: bangleReal.boot, budget: MEMORY_BUDGETS.BANGLEJS2, unit: 'JsVars' });
    rows.push({ name: 'Bangle.js 2 JsVars, + widget (real interpreter)', value: bangleReal.widget, budget: MEMORY_BUDGETS.BANGLEJS2, unit: 'JsVars' });
  }
  rows.push({ name: 'Bangle.js 2 flash programmed per hour walking', value: b.flashPerHour, unit: 'bytes' });
  rows.push({ name: 'Puck.js v2 flash programmed per hour walking', value: p.flashPerHour, unit: 'bytes' });
  rows.push({ name: 'steps counted in that hour (6200 walked)', value: b.steps, unit: 'steps' });
  return rows;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const rows = await benchFirmware();
    const failed = rows.filter((r) => r.budget !== undefined && r.value > r.budget);
    if (process.argv.includes('--json')) console.log(JSON.stringify({ rows, ok: failed.length === 0 }, null, 2));
    else {
      console.log(`${'what'.padEnd(48)} ${'value'.padStart(8)} ${'budget'.padStart(8)}  result`);
      for (const r of rows) {
        const verdict = r.budget === undefined ? '' : r.value <= r.budget ? 'pass' : 'FAIL';
        console.log(`${r.name.padEnd(48)} ${String(r.value).padStart(8)} ${(r.budget === undefined ? '' : String(r.budget)).padStart(8)}  ${verdict}`);
      }
    }
    if (failed.length > 0) process.exitCode = 1;
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
