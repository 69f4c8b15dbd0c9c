// Opt-in (BANGLE_EMULATOR_DIR, see firmware/EMULATOR.md): the Puck.js build on the real Espruino
// interpreter, to measure what it holds in JsVars there (test/kits/firmware/real-memory.ts). The
// simulator only estimates JsVars; the Puck.js v2 has 2630 in all. The Bangle boot file's too.
import { describe, expect, it } from 'vitest';
import { DEFAULT_OUT } from '../scripts/build-firmware.ts';
import { MEMORY_BUDGETS } from '../scripts/bench-firmware.ts';
import { bangleMemoryOnEmulator, puckMemoryOnEmulator } from './kits/firmware/real-memory.ts';
import { emulatorUnavailable } from './kits/bangle-emulator.ts';

const why = emulatorUnavailable();
const suite = why === undefined ? 'the Puck.js build on the real interpreter' : `the Puck.js build on the real interpreter (skipped: ${why})`;

describe.skipIf(why !== undefined)(suite, () => {
  // The build is the tests' global setup's (dist/firmware): building again here took longer than
  // a hook may on two cores.
  it('boots, counts a walk and stays within the Puck memory budget', async () => {
    const m = await puckMemoryOnEmulator(DEFAULT_OUT, process.env.BANGLE_EMULATOR_DIR as string);
    console.info(`Puck build on the real interpreter: ${m.boot} JsVars after boot, ${m.walked} after walking (${m.steps} steps)`);
    expect(m.problems).toEqual([]);
    expect(m.steps).toBeGreaterThan(45);
    expect(m.walked).toBeLessThan(MEMORY_BUDGETS.PUCKJS2);
  }, 300_000);

  it('the Bangle boot file\'s JsVars on the same interpreter (firmware/README.md, Budgets)', async () => {
    const m = await bangleMemoryOnEmulator(DEFAULT_OUT, process.env.BANGLE_EMULATOR_DIR as string);
    console.info(`Bangle build on the real interpreter: ${m.boot} JsVars for the boot file, ${m.widget} with the widget`);
    expect(m.problems).toEqual([]);
    expect(m.boot).toBeGreaterThan(300); // the core is there
    expect(m.widget).toBeGreaterThan(m.boot);
    expect(m.widget).toBeLessThan(MEMORY_BUDGETS.BANGLEJS2);
  }, 300_000);
});
