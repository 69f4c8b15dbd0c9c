// Signed daily summaries: HMAC-SHA256 (shared/protocol) over Espruino's SHA-256, with a
// per-device key kept in Storage as `bushu.key` (its 32 raw bytes). The key is set once, at flash
// time or by SET_KEY over BLE; SET_KEY is refused while a key exists, and only the watch itself
// (the app's button, a long press on the Puck) can erase it. See the README's trust model.

import { hmacSha256, packSummaryMessage, StatusCode } from '../../shared/protocol/index.ts';
import { erase, read, write } from './io.ts';

declare const global: { require(name: string): any };

export const KEY_FILE = 'bushu.key';

export interface Signer {
  key: Uint8Array | undefined;
  /** The device id's 6 bytes, most significant first (Info, the WeChat address, summaries). */
  readonly id: Uint8Array;
  /** SET_KEY: a status code. Refused while a key is set. */
  setKey(key: Uint8Array): number;
  /** Only called from the watch itself (app button, Puck long press): lets SET_KEY work again. */
  reset(): void;
  /**
   * HMAC-SHA256 of a day's summary message (packSummaryMessage): its first 16 bytes are the tag
   * (signSummary), which is all a record copies of it. Undefined without a key.
   */
  sign(day: number, offsetMin: number, steps: number, counter: number): Uint8Array | undefined;
}

/**
 * bushu.key; anything but exactly 32 bytes means no key (so does a 64-hex-digit file from
 * earlier versions: see the README's trust model).
 */
function load(): Uint8Array | undefined {
  const b = read(KEY_FILE);
  // A copy: read() may be a view of flash, which changes under it when Storage is compacted.
  return b && b.length === 32 ? new Uint8Array(b) : undefined;
}

export function signer(id: Uint8Array): Signer {
  const s: Signer = {
    key: load(),
    id: id,
    setKey: (key) => {
      if (s.key) return StatusCode.REFUSED;
      erase(KEY_FILE);
      // Read back, so a key counts as set only once Storage really holds it.
      s.key = write(KEY_FILE, key, 0, 0) ? load() : undefined;
      return s.key ? StatusCode.OK : StatusCode.BUSY;
    },
    reset: () => {
      erase(KEY_FILE);
      s.key = undefined;
    },
    sign: (day, offsetMin, steps, counter) =>
      s.key && hmacSha256((d) => new Uint8Array(global.require('crypto').SHA256(d)), s.key, packSummaryMessage(id, day, offsetMin, steps, counter)),
  };
  return s;
}
