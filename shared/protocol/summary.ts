// The signed daily summary. HMAC-SHA256 is built here from a bare SHA-256 because the watch has
// SHA256 but no HMAC. On the watch pass
//   function (b) { return new Uint8Array(require("crypto").SHA256(b)); }
// since require("crypto").SHA256 returns an ArrayBuffer, not a Uint8Array.

import { frame, view, writeDeviceId } from './bytes.ts';
import { Length } from './uuids.ts';

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

/** The 19-byte message: version, device id, u16 day, i16 offset, u32 steps, u32 counter. */
export function summaryMessage(f: SummaryFields): Uint8Array {
  const b = frame(Length.SUMMARY_MESSAGE);
  writeDeviceId(b, 1, f.deviceId);
  const v = view(b);
  v.setUint16(7, f.day, true);
  v.setInt16(9, f.offsetMin, true);
  v.setUint32(11, f.steps, true);
  v.setUint32(15, f.counter, true);
  return b;
}

const BLOCK = 64;

function padKey(block: Uint8Array, pad: number, extra: number): Uint8Array {
  const b = new Uint8Array(BLOCK + extra);
  for (let i = 0; i < BLOCK; i++) b[i] = block[i] ^ pad;
  return b;
}

/** HMAC-SHA256 (RFC 2104) over an injected SHA-256: 32 bytes. */
export function hmacSha256(sha256: Sha256, key: Uint8Array, message: Uint8Array): Uint8Array {
  // Keys longer than a block are hashed first; shorter ones are zero-padded to the block.
  const block = new Uint8Array(BLOCK);
  block.set(key.length > BLOCK ? sha256(key) : key, 0);
  const inner = padKey(block, 0x36, message.length);
  inner.set(message, BLOCK);
  const innerHash = sha256(inner);
  const outer = padKey(block, 0x5c, innerHash.length);
  outer.set(innerHash, BLOCK);
  return sha256(outer);
}

/** The Summary record's tag: the first 16 bytes of HMAC-SHA256(key, message). */
export function signSummary(sha256: Sha256, key: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(hmacSha256(sha256, key, message).subarray(0, Length.TAG));
}
