// The demo's provisioning of a watch's key (demo/watch.ts): fresh flash gets the key's 32
// bytes, saved flash keeps its key, and saved flash from before bushu.key held raw bytes (64 hex
// digits, which the firmware reads as no key) is provisioned again.
import { describe, expect, it } from 'vitest';
import { SimStorage } from '../sim/espruino/index.ts';
import { DemoWatch } from '../demo/watch.ts';
import { DEVICES } from '../demo/roster.ts';
import { FLASH_BYTES } from '../demo/watch-storage.ts';
import { firmware } from './kits/firmware/harness.ts';

const KEY_HEX = '0f'.repeat(16) + 'a0'.repeat(16);
const T0 = Date.UTC(2026, 10, 21, 10, 0);

async function watch(saved: Record<string, Uint8Array> | undefined): Promise<DemoWatch> {
  const fw = await firmware();
  const device = DEVICES[0]!;
  let storage: SimStorage | undefined;
  if (saved) {
    storage = new SimStorage({ bytes: FLASH_BYTES[device.board] });
    for (const [name, bytes] of Object.entries(saved)) storage.write(name, bytes);
  }
  return new DemoWatch({ device, startUtcMs: T0, offsetMin: 480, keyHex: KEY_HEX, firmware: fw, storage });
}

describe('demo watch key provisioning', () => {
  it('writes the key as its 32 bytes on fresh flash', async () => {
    const w = await watch(undefined);
    expect(w.sim.storage.readBytes('bushu.key')).toEqual(new Uint8Array(Buffer.from(KEY_HEX, 'hex')));
  });

  it('keeps the key of saved flash', async () => {
    const other = new Uint8Array(32).fill(7);
    const w = await watch({ 'bushu.key': other });
    expect(w.sim.storage.readBytes('bushu.key')).toEqual(other);
  });

  it('provisions saved flash whose key is in the old 64-hex-digit form again', async () => {
    const w = await watch({ 'bushu.key': Buffer.from(KEY_HEX) });
    expect(w.sim.storage.readBytes('bushu.key')).toEqual(new Uint8Array(Buffer.from(KEY_HEX, 'hex')));
    expect(w.sim.errors).toEqual([]);
  });
});
