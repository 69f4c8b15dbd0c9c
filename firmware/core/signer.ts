// Signed daily summaries: HMAC-SHA256 (shared/protocol) over Espruino's SHA-256, with a
// per-device key kept in Storage as `bushu.key` (its 32 raw bytes). The key is set once, at flash
// time or by SET_KEY over BLE; SET_KEY is refused while a key exists, and only the watch itself
// (the app's button, a long press on the Puck) can erase it. See the README's trust model.

import { hmacSha256, type Field, hoursDigest, packSummaryMessage, DayFlag, StatusCode } from '../../shared/protocol/index.ts';
import type { History } from './history.ts';
import { erase, read, write } from './io.ts';
import { DayAt, SIGNED_EPOCH, SIGNED_HOURS } from './records.ts';

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
   * The summary message of a stored day: `day` is a view from its type byte (records.ts DayAt,
   * up to the hours at least), `counter` its summary counter. Its flags say the version: 3 with
   * SIGNED_EPOCH (the history's epoch and the closed flag), 2 with SIGNED_HOURS only (days signed
   * by firmware before the epoch), else 1. The same bytes at signing and at every transfer, since
   * both read them from the record (and a history keeps its epoch for life).
   */
  message(day: Uint8Array, counter: Field): Uint8Array;
  /**
   * HMAC-SHA256 of message(day, counter): its first 16 bytes are the tag (signSummary), which is
   * all a record copies of it. Undefined without a key.
   */
  sign(day: Uint8Array, counter: number): Uint8Array | undefined;
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

// require("crypto").SHA256 returns an ArrayBuffer.
const sha256 = (d: Uint8Array) => new Uint8Array(global.require('crypto').SHA256(d));

export function signer(id: Uint8Array, h: History): Signer {
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
    message: (day, counter) => {
      const f = day[DayAt.FLAGS];
      return packSummaryMessage(id, day.subarray(DayAt.DAY), day.subarray(DayAt.OFFSET), day.subarray(DayAt.STEPS), counter,
        f & SIGNED_HOURS ? hoursDigest(sha256, day.subarray(DayAt.NOT_WORN)) : undefined, f & SIGNED_EPOCH ? h.epoch : undefined, f & DayFlag.CLOSED);
    },
    sign: (day, counter) => s.key && hmacSha256(sha256, s.key, s.message(day, counter)),
  };
  return s;
}
