// Opt-in (BANGLE_EMULATOR_DIR, see firmware/EMULATOR.md): the Puck.js build on the real Espruino
// interpreter, to measure what it holds in JsVars there (test/kits/firmware/real-memory.ts). The
// simulator only estimates JsVars; the Puck.js v2 has 2630 in all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFirmware } from '../scripts/build-firmware.ts';
import { MEMORY_BUDGETS } from '../scripts/bench-firmware.ts';
import { puckMemoryOnEmulator } from './kits/firmware/real-memory.ts';
import { emulatorUnavailable } from './kits/bangle-emulator.ts';

const why = emulatorUnavailable();
const suite = why === undefined ? 'the Puck.js build on the real interpreter' : `the Puck.js build on the real interpreter (skipped: ${why})`;

describe.skipIf(why !== undefined)(suite, () => {
  it('boots, counts a walk and stays within the Puck memory budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bushu-emu-puck-'));
    try {
      await buildFirmware(dir);
      const m = await puckMemoryOnEmulator(dir, process.env.BANGLE_EMULATOR_DIR as string);
      console.info(`Puck build on the real interpreter: ${m.boot} JsVars after boot, ${m.walked} after walking (${m.steps} steps)`);
      expect(m.problems).toEqual([]);
      expect(m.steps).toBeGreaterThan(45);
      expect(m.walked).toBeLessThan(MEMORY_BUDGETS.PUCKJS2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
