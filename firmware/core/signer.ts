// Signed daily summaries: HMAC-SHA256 (shared/protocol) over the platform's SHA-256, with a
// per-device key kept in Storage as `bushu.key` (64 hex digits). The key is set once, at flash
// time or by SET_KEY over BLE; SET_KEY is refused while a key exists, and only the watch itself
// (the app's menu, a long press on the Puck) can erase it. See the README's trust model.

import { signSummary, summaryMessage, StatusCode } from '../../shared/protocol/index.ts';
import type { Platform } from './platform.ts';

export const KEY_FILE = 'bushu.key';
const HEX = '0123456789abcdef';

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export class Signer {
  key: Uint8Array | undefined;
  private readonly p: Platform;
  readonly deviceId: string;

  constructor(p: Platform, deviceId: string) {
    this.p = p;
    this.deviceId = deviceId;
    this.load();
  }

  /** Reads bushu.key; anything but 64 hex digits (trailing newline allowed) means no key. */
  load(): void {
    this.key = undefined;
    const b = this.p.map(KEY_FILE);
    if (b === undefined || b.length < 64 || b.length > 65) return;
    const k = new Uint8Array(32);
    for (let i = 0; i < 32; i++) {
      const hi = nibble(b[i * 2]);
      const lo = nibble(b[i * 2 + 1]);
      if (hi < 0 || lo < 0) return;
      k[i] = hi * 16 + lo;
    }
    this.key = k;
  }

  /** SET_KEY: a status code. Refused while a key is set. */
  setKey(key: Uint8Array): number {
    if (this.key !== undefined) return StatusCode.REFUSED;
    const hex = new Uint8Array(64);
    for (let i = 0; i < 32; i++) {
      hex[i * 2] = HEX.charCodeAt(key[i] >> 4);
      hex[i * 2 + 1] = HEX.charCodeAt(key[i] & 15);
    }
    this.p.erase(KEY_FILE);
    if (!this.p.write(KEY_FILE, hex, 0, 0)) return StatusCode.BUSY;
    this.load();
    return this.key === undefined ? StatusCode.BUSY : StatusCode.OK;
  }

  /** Only called from the watch itself (menu, button): lets SET_KEY work again. */
  reset(): void {
    this.p.erase(KEY_FILE);
    this.key = undefined;
  }

  /** The 16-byte tag of a day's summary message. Undefined without a key. */
  sign(day: number, offsetMin: number, steps: number, counter: number): Uint8Array | undefined {
    if (this.key === undefined) return undefined;
    const msg = summaryMessage({ deviceId: this.deviceId, day: day, offsetMin: offsetMin, steps: steps, counter: counter });
    return signSummary(this.p.sha256, this.key, msg);
  }
}
