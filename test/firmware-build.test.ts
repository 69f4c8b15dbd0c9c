// The firmware build: every built file passes the Espruino subset check, the Bangle folder is
// an App Loader app, and the stripped diagnostics leave the protocol's logic alone.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEspruinoSubset } from '../scripts/espruino/subset.ts';
import { stripDiagnostics } from '../scripts/espruino/strip-diagnostics.ts';
import { firmware } from './kits/firmware/harness.ts';

describe('firmware build', () => {
  it('builds every file, and each one passes the Espruino subset check', async () => {
    const fw = await firmware();
    const js = ['bangle', 'puck'].flatMap((d) => readdirSync(join(fw.dir, d)).filter((f) => f.endsWith('.js')).map((f) => `${d}/${f}`));
    expect(js.sort()).toEqual(['bangle/bushu.app.js', 'bangle/bushu.boot.js', 'bangle/bushu.ext.js', 'bangle/bushu.wid.js', 'puck/bushu.js']);
    for (const f of js) {
      const code = readFileSync(join(fw.dir, f), 'utf8');
      expect(code.length, f).toBeGreaterThan(100);
      expect(checkEspruinoSubset(code), f).toEqual([]);
      expect(code.includes('global.require('), f).toBe(false); // Espruino's own require("Storage") form
    }
  });

  it('the Bangle folder: storage list, icon, and the flasher\'s info file beside it (the App Loader rules: apploader.test.ts)', async () => {
    const fw = await firmware();
    const meta = JSON.parse(readFileSync(join(fw.dir, 'bangle/metadata.json'), 'utf8'));
    expect(meta).toMatchObject({ id: 'bushu', type: 'app', supports: ['BANGLEJS2'] });
    const names = meta.storage.map((s: { name: string }) => s.name);
    // The boot file runs before other apps' boot code (".0."): see firmware/README.md, "Steps for every app".
    expect(names).toEqual(['bushu.0.boot.js', 'bushu.ext.js', 'bushu.wid.js', 'bushu.app.js', 'bushu.img']);
    for (const s of meta.storage) expect(fw.bangle[s.name].length, s.name).toBeGreaterThan(0);
    const img = fw.bangle['bushu.img'];
    expect([img[0], img[1], img[2], img.length]).toEqual([48, 48, 1, 3 + 288]);
    const info = JSON.parse(readFileSync(join(fw.dir, 'bangle/bushu.info'), 'utf8'));
    expect(info).toMatchObject({ id: 'bushu', src: 'bushu.app.js', icon: 'bushu.img', version: meta.version });
    expect(info.files.split(',')).toEqual(['bushu.info', ...names]);
  });

  it('strips only the message arguments of diagnostics', () => {
    const src = "export function f(b: Uint8Array) { if (b.length < 2) return fail(StatusCode.BAD_LENGTH, 'x: ' + b.length); throw new Error('no ' + b[0]); }";
    const out = stripDiagnostics(src, 'f.ts');
    expect(out).toContain('fail(StatusCode.BAD_LENGTH, "")');
    expect(out).toContain('throw new Error("")');
    expect(out).toContain('b.length < 2');
  });
});
