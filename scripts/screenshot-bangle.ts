// npm run screenshot:bangle: firmware/bangle/screenshot.png, the App Loader's picture of the app,
// taken from the real Bangle.js 2 emulator (BANGLE_EMULATOR_DIR, see firmware/EMULATOR.md): the
// built app installed as the App Loader would, a short walk counted, then the app's screen.
// The PNG is committed; run this again when the app's screen changes.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFirmware, REPO_ROOT } from './build-firmware.ts';
import { rgbPng } from './espruino/icon.ts';
import { walk } from '../sim/signals.ts';
import { emulatorUnavailable, loadBangleEmulator } from '../test/kits/bangle-emulator.ts';

const why = emulatorUnavailable();
if (why !== undefined) {
  console.error(`screenshot:bangle needs the emulator: ${why}`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'bushu-shot-'));
try {
  await buildFirmware(dir);
  const meta = JSON.parse(readFileSync(join(dir, 'bangle/metadata.json'), 'utf8')) as { storage: { name: string; url: string }[] };
  const emu = await loadBangleEmulator({ startMs: Date.UTC(2026, 4, 12, 9, 30) });
  for (const s of meta.storage) emu.upload(s.name, readFileSync(join(dir, 'bangle', s.url)));
  emu.upload('bushu.info', readFileSync(join(dir, 'bangle/bushu.info')));
  emu.installBootLoader(meta.storage.filter((s) => s.name.endsWith('.boot.js')).map((s) => s.name));
  emu.eval('load("bushu.app.js")');
  const g = walk({ seed: 3, steps: 40, cadence: 1.9 });
  emu.emitAccel(g.rec.t.map((t, i) => ({ t, x: g.rec.x[i], y: g.rec.y[i], z: g.rec.z[i] })));
  emu.advance(61000); // the app redraws once a minute
  const px = emu.screen();
  const rgb = new Uint8Array(px.length * 3);
  for (let i = 0; i < px.length; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = px[i] & (1 << c) ? 255 : 0;
  const out = join(REPO_ROOT, 'firmware/bangle/screenshot.png');
  writeFileSync(out, rgbPng(176, 176, rgb));
  console.log(`wrote ${out}`);
  emu.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
