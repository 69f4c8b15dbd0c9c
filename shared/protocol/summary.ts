// The signed daily summary. HMAC-SHA256 is built here from a bare SHA-256 because the watch has
// SHA256 but no HMAC. On the watch pass
//   function (b) { return new Uint8Array(require("crypto").SHA256(b)); }
// since require("crypto").SHA256 returns an ArrayBuffer, not a Uint8Array.

import { deviceIdBytes, pack, type Field } from './bytes.ts';
import { Length, PROTOCOL_VERSION } from './uuids.ts';

export type Sha256 = (bytes: Uint8Array) => Uint8Array;

export interface SummaryFields {
  /** 12 lower-case hex digits. */
  deviceId: string;
  day: number;
  offsetMin: number;
  steps: number;
  /** Grows by one per signed summary, across reboots, so a replay is recognisable. */
  counter: number;
}

/**
 * The 19-byte message: version, device id, u16 day, i16 offset, u32 steps, u32 counter. Plain
 * arguments, `deviceId` as its 6 bytes: the watch passes numbers or views of its stored day.
 */
export function packSummaryMessage(deviceId: Uint8Array, day: Field, offsetMin: Field, steps: Field, counter: Field): Uint8Array {
  return pack([PROTOCOL_VERSION, 1, deviceId, Length.DEVICE_ID, day, 2, offsetMin, 2, steps, 4, counter, 4]);
}

/** The same message from its fields, the device id as 12 hex digits. */
export function summaryMessage(f: SummaryFields): Uint8Array {
  return packSummaryMessage(deviceIdBytes(f.deviceId), f.day, f.offsetMin, f.steps, f.counter);
}

const BLOCK = 64;

/** HMAC-SHA256 (RFC 2104) over an injected SHA-256: 32 bytes. */
export function hmacSha256(sha256: Sha256, key: Uint8Array, message: Uint8Array): Uint8Array {
  // Keys longer than a block are hashed first; shorter ones are zero-padded to the block.
  const block = new Uint8Array(BLOCK);
  block.set(key.length > BLOCK ? sha256(key) : key, 0);
  // Two rounds, sha256((block ^ pad) ++ tail): the inner one over the message with 0x36, the
  // outer one over the inner hash with 0x5c. A loop rather than a helper: one function less.
  let tail = message;
  for (const pad of [0x36, 0x5c]) {
    const b = new Uint8Array(BLOCK + tail.length);
    for (let i = 0; i < BLOCK; i++) b[i] = block[i] ^ pad;
    b.set(tail, BLOCK);
    tail = sha256(b);
  }
  return tail;
}

/** The Summary record's tag: the first 16 bytes of HMAC-SHA256(key, message). */
export function signSummary(sha256: Sha256, key: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(hmacSha256(sha256, key, message).subarray(0, Length.TAG));
}
