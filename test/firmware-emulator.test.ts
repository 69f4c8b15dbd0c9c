// Opt-in (BANGLE_EMULATOR_DIR, see firmware/EMULATOR.md): the on-demand half of the Bangle
// firmware on the real Espruino interpreter (the Bangle.js 2 emulator). test/emulator.test.ts
// covers boot, widget and app; this covers what only runs later: bushu.ext.js evaluated through
// global.eval, BLE handlers, a bad write, SET_KEY, closing and signing days, and a transfer.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OUT } from '../scripts/build-firmware.ts';
import { decodeSummary } from '../shared/protocol/index.ts';
import { emulatorUnavailable, loadBangleEmulator, type BangleEmulator } from './kits/bangle-emulator.ts';
import { asBuilt, builtNames } from './kits/firmware/names.ts';

const why = emulatorUnavailable();
const suite = why === undefined ? 'firmware on-demand half on the real emulator' : `firmware on-demand half on the real emulator (skipped: ${why})`;
const KEY = Array.from({ length: 32 }, (_, i) => (i * 7 + 1) & 255);
const HISTORY = 'b5750004-7e4e-4b8a-9c2f-5a1d3e6f0b01';

function problems(out: string): string[] {
  return out.split('\n').filter((l) => /Uncaught|SyntaxError|Interpreter error|Out of Memory|MEMORY/.test(l));
}

describe.skipIf(why !== undefined)(suite, () => {
  let emu: BangleEmulator;
  // The tests' global setup has built dist/firmware (building again here took longer than a hook may).
  const dir = DEFAULT_OUT;
  let names: Record<string, string>;
  beforeAll(async () => {
    names = builtNames(dir).bangle;
    emu = await loadBangleEmulator({ startMs: Date.UTC(2026, 10, 21, 10, 0) });
    const meta = JSON.parse(readFileSync(join(dir, 'bangle/metadata.json'), 'utf8')) as { storage: { name: string; url: string }[] };
    for (const s of meta.storage) emu.upload(s.name, readFileSync(join(dir, 'bangle', s.url)));
    emu.installBootLoader(meta.storage.filter((s) => s.name.endsWith('.boot.js')).map((s) => s.name));
    emu.eval('load("bushu.app.js")');
    emu.advance(200);
  }, 120_000);
  afterAll(() => emu?.close());

  it('loads bushu.ext.js, answers writes, signs closed days and streams them', () => {
    expect(problems(emu.output())).toEqual([]);
    expect(emu.eval(asBuilt(names, 'print(typeof bushu.onDemand().bleService, typeof bushu.onDemand().signer)'))).toBe('object object');
    // every history notification, as "type/seq" (the stub keeps only the last value)
    emu.eval(`global.frames = []; NRF.updateServices = (function (u) { return function (s) {
      var h = s["b5750001-7e4e-4b8a-9c2f-5a1d3e6f0b01"]; if (h && h["${HISTORY}"]) frames.push([].slice.call(h["${HISTORY}"].value).join(","));
      u(s); }; })(NRF.updateServices);`);
    emu.eval(asBuilt(names, 'bushu.onDemand().bleService.write(1, new Uint8Array([1, 9]).buffer)'));
    expect(emu.eval('print([].slice.call(__emu.ble["b5750001-7e4e-4b8a-9c2f-5a1d3e6f0b01/b5750005-7e4e-4b8a-9c2f-5a1d3e6f0b01"]).join())')).toBe('1,1,9,2');
    emu.eval(asBuilt(names, `bushu.onDemand().bleService.write(1, new Uint8Array([1, 3, ${KEY.join(',')}]).buffer)`));
    expect(emu.eval('print([].slice.call(new Uint8Array(require("Storage").readArrayBuffer("bushu.key"))).join())')).toBe(KEY.join()); // the 32 raw bytes
    // Two days closed by handing the counter a later time (the helper's setTime steps its clock
    // second by second through a whole day, far too slow here).
    for (let d = 1; d <= 2; d++) emu.eval(asBuilt(names, `bushu.counter.add(${500 + d}); bushu.counter.sync(Date.now() + ${d * 86400000});`));
    emu.eval(asBuilt(names, 'bushu.onDemand().bleService.write(1, new Uint8Array([1, 1, 0, 0, 0, 0]).buffer)'));
    emu.advance(5000);
    const frames = emu.eval('print(frames.join("|"))').split('|').map((f) => Uint8Array.from(f.split(',').map(Number)));
    expect(frames.map((f) => f[1])).toEqual([1, 2, 1, 2, 0x7f]);
    for (const frame of [frames[1], frames[3]]) {
      // The message's version says its length (version 2 carries the hours digest).
      const sum = decodeSummary(frame);
      if (!sum.ok) throw new Error(sum.error);
      const tag = createHmac('sha256', Buffer.from(KEY)).update(sum.value.message).digest().subarray(0, 16);
      expect(Buffer.from(sum.value.tag).equals(tag)).toBe(true);
    }
    expect(problems(emu.output())).toEqual([]);
  }, 300_000);
});
