// The core's only contact with Espruino's Storage and CRC: plain byte arrays in and out. A write
// that can throw on the device (a full Storage, a missing file) is caught here, so the core
// sees `false` and degrades (keeps counting in RAM) instead of crashing. The BLE
// side is gatt.ts. These are module functions rather than an injected interface: the tests run
// the built bundle in a simulated Espruino, so nothing gains from the indirection.

import type { EspruinoE, StorageModule } from '../espruino.ts';

// Through `global`: a bare require() makes esbuild inject a shim that needs Proxy. The build
// turns it back into a plain require() call (scripts/build-firmware.ts).
declare const global: { require(name: string): any };
declare const E: EspruinoE;

/** The step goal set over WeChat FEA2 (u32 LE), kept across app loads and reboots. */
export const GOAL_FILE = 'bushu.goal';

const S: StorageModule = global.require('Storage');

/** The whole Storage file, or undefined when there is none. May be a view of flash: never written to. */
export function read(name: string): Uint8Array | undefined {
  const b = S.readArrayBuffer(name);
  return b && new Uint8Array(b);
}

/**
 * Storage.write: offset 0 replaces the file, and a size (> 0) makes it that big (0xFF filled);
 * an offset > 0 writes into the existing file. Espruino takes 0 for an omitted offset or size.
 * False on failure.
 */
export function write(name: string, data: Uint8Array, offset: number, size: number): boolean {
  // A copy with its own buffer: Storage then sees exactly these bytes, whatever the view.
  const d = new Uint8Array(data);
  try {
    return S.write(name, d, offset, size) !== false;
  } catch (e) {
    return false;
  }
}

/** Erasing a file that is not there is no error (it throws only on a bad name). */
export function erase(name: string): void {
  S.erase(name);
}

/** The UTC offset in force, minutes east (E.setTimeZone sets it). */
export function offsetMin(): number {
  return -new Date().getTimezoneOffset();
}

/** CRC-32 as an unsigned number (E.CRC32 is present on every Bangle.js 2 and Puck.js v2). */
export function crc(data: Uint8Array): number {
  return E.CRC32(data) >>> 0;
}
