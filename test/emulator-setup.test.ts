// The opt-in emulator suites skip with a reason: what BANGLE_EMULATOR_DIR must point to, and,
// when it points one folder too high (a clone's root), the folder that would do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_FILES, emulatorUnavailable } from './kits/bangle-emulator.ts';

const root = mkdtempSync(join(tmpdir(), 'bushu-emudir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('BANGLE_EMULATOR_DIR', () => {
  it('unset: says what it must name', () => {
    expect(emulatorUnavailable('')).toMatch(/is not set: BANGLE_EMULATOR_DIR must name the folder that holds emulator_banglejs2\.js, emu_banglejs2\.js, common\.js/);
  });

  it('pointing above the files: names the folder one level down', () => {
    mkdirSync(join(root, 'EspruinoWebIDE/emu'), { recursive: true });
    for (const f of EMULATOR_FILES) writeFileSync(join(root, 'EspruinoWebIDE/emu', f), '');
    const why = emulatorUnavailable(join(root, 'EspruinoWebIDE'));
    expect(why).toContain('lacks emulator_banglejs2.js, emu_banglejs2.js, common.js, which are one level down');
    expect(why).toContain(`set BANGLE_EMULATOR_DIR=${join(root, 'EspruinoWebIDE/emu')}`);
    expect(emulatorUnavailable(join(root, 'EspruinoWebIDE/emu'))).toBeUndefined();
  });

  it('a folder with some files missing, or none: lists them and says what it must name', () => {
    mkdirSync(join(root, 'partial'));
    writeFileSync(join(root, 'partial/common.js'), '');
    expect(emulatorUnavailable(join(root, 'partial'))).toMatch(/lacks emulator_banglejs2\.js, emu_banglejs2\.js: BANGLE_EMULATOR_DIR must name the folder/);
    expect(emulatorUnavailable(join(root, 'nowhere'))).toMatch(/is not a readable folder/);
  });
});
