// The Platform of a real Espruino board (Bangle.js 2 and Puck.js v2 alike): Storage, the clock,
// E.CRC32, require("crypto").SHA256 and NRF.updateServices. Every call that can throw on the
// device (a full Storage, a BLE stack busy) is caught here: the core sees `false` or nothing.

import { UUID } from '../../shared/protocol/index.ts';
import type { Platform } from '../core/platform.ts';
import type { EspruinoE, Nrf, StorageModule } from '../espruino.ts';

// Through `global`: a bare require() makes esbuild inject a shim that needs Proxy. The build
// turns it back into a plain require() call (scripts/build-firmware.ts).
declare const global: { require(name: string): any };
declare const E: EspruinoE;
declare const NRF: Nrf;
declare function setTime(seconds: number): void;

/** 16-bit UUIDs as numbers, which Espruino's NRF reads as short UUIDs on every version. */
export function uuidKey(u: string): string | number {
  return u.length === 6 ? parseInt(u, 16) : u;
}

/** [service, characteristic, indicate] of each core characteristic number (see Char). */
const CHARS: (string | boolean)[][] = [
  [],
  [UUID.SERVICE, UUID.TODAY, false],
  [UUID.SERVICE, UUID.HISTORY, false],
  [UUID.SERVICE, UUID.STATUS, false],
  [UUID.SERVICE, UUID.INFO, false],
  [UUID.WECHAT_SERVICE, UUID.WECHAT_STEPS, true],
  [UUID.WECHAT_SERVICE, UUID.WECHAT_TARGET, true],
  [UUID.BATTERY_SERVICE, UUID.BATTERY_LEVEL, false],
];
export const BATTERY_CHAR = 7;

export function espruinoPlatform(): Platform {
  const S: StorageModule = global.require('Storage');
  return {
    now: () => Date.now(),
    offsetMin: () => -new Date().getTimezoneOffset(),
    setClock: (utcMs, offsetMin) => {
      E.setTimeZone(offsetMin / 60);
      setTime(utcMs / 1000);
    },
    map: (name) => {
      const b = S.readArrayBuffer(name);
      return b === undefined ? undefined : new Uint8Array(b);
    },
    write: (name, data, offset, size) => {
      // A copy with its own buffer: Storage then sees exactly these bytes, whatever the view.
      const d = new Uint8Array(data);
      try {
        return (size > 0 ? S.write(name, d, offset, size) : offset > 0 ? S.write(name, d, offset) : S.write(name, d)) !== false;
      } catch (e) {
        return false;
      }
    },
    erase: (name) => {
      try {
        S.erase(name);
      } catch (e) {
        // nothing to erase
      }
    },
    crc32: (data) => E.CRC32(data) >>> 0,
    sha256: (data) => new Uint8Array(global.require('crypto').SHA256(data)),
    update: (char, data, notify) => {
      const c = CHARS[char];
      const svc: any = {};
      const chr: any = {};
      chr[uuidKey(c[1] as string)] = c[2] ? { value: data, indicate: notify } : { value: data, notify: notify };
      svc[uuidKey(c[0] as string)] = chr;
      try {
        NRF.updateServices(svc);
      } catch (e) {
        // not connected yet, or the stack is busy: the value is refreshed on the next tick
      }
    },
    later: (fn, ms) => {
      setTimeout(fn, ms);
    },
  };
}
