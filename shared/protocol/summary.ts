// The signed daily summary. HMAC-SHA256 is built here from a bare SHA-256 because the watch has
// SHA256 but no HMAC. On the watch pass
//   function (b) { return new Uint8Array(require("crypto").SHA256(b)); }
// since require("crypto").SHA256 returns an ArrayBuffer, not a Uint8Array.

import { deviceIdBytes, pack, type Field } from './bytes.ts';
import { Length } from './uuids.ts';

export type Sha256 = (bytes: Uint8Array) => Uint8Array;

/**
 * Versions of the signed message. Version 1 covers the day's total only; version 2 adds a digest
 * of the hourly buckets and the not-worn mask, which the services' flag rules read, so that no
 * unsigned field of a record can change its award.
 */
export enum SummaryVersion {
  TOTAL = 1,
  HOURS = 2,
  /**
   * Version 3 adds the history epoch, so a wiped watch's counters (which start again) are told
   * apart from a replay, and the Day's flags, so a provisional (open) day cannot pass for a
   * closed one.
   */
  EPOCH = 3,
}

export interface SummaryFields {
  /** 12 lower-case hex digits. */
  deviceId: string;
  day: number;
  offsetMin: number;
  steps: number;
  /** Grows by one per signed summary, across reboots, so a replay is recognisable. */
  counter: number;
  /**
   * Version 2: the hours digest (hoursDigest) as 16 hex digits. Null or absent: a version 1
   * message, whose hours and not-worn mask nobody signed.
   */
  hoursDigest?: string | null;
  /** Version 3: the watch's history epoch (Info) the counter counts in. Null or absent: version 1 or 2. */
  epoch?: number | null;
  /** Version 3: the day was closed when signed (false: the open day, a provisional total). */
  closed?: boolean | null;
}

/**
 * The message: version, device id, u16 day, i16 offset, u32 steps, u32 counter (19 bytes,
 * version 1), then with `hoursDigest` its first 8 bytes (27 bytes, version 2), then with `epoch`
 * too the u32 epoch and the u8 flags, bit 0 closed (32 bytes, version 3). Plain arguments,
 * `deviceId` as its 6 bytes: the watch passes numbers or views of its stored day.
 */
export function packSummaryMessage(
  deviceId: Uint8Array, day: Field, offsetMin: Field, steps: Field, counter: Field, hoursDigest?: Uint8Array, epoch?: Field, closed?: number,
): Uint8Array {
  const f = [SummaryVersion.TOTAL as Field, 1, deviceId, Length.DEVICE_ID, day, 2, offsetMin, 2, steps, 4, counter, 4];
  if (hoursDigest) {
    f[0] = SummaryVersion.HOURS;
    f.push(hoursDigest, Length.HOURS_DIGEST);
    if (epoch !== undefined) {
      f[0] = SummaryVersion.EPOCH;
      f.push(epoch, 4, closed ? 1 : 0, 1);
    }
  }
  return pack(f);
}

/**
 * SHA-256 over the first 52 bytes of `notWornAndHours`: the Day's u32 not-worn mask, then its 24
 * hourly counts as u16, all little-endian, exactly the wire Day's bytes 15..67 (and the watch's
 * stored day from DayAt.NOT_WORN: it hashes a view of its record). A version 2 message carries
 * the first 8 bytes of it (packSummaryMessage copies them).
 */
export function hoursDigest(sha256: Sha256, notWornAndHours: Uint8Array): Uint8Array {
  return sha256(notWornAndHours.subarray(0, Length.NOT_WORN_AND_HOURS));
}

/** The same message from its fields, the device id as 12 hex digits. */
export function summaryMessage(f: SummaryFields): Uint8Array {
  const digest = f.hoursDigest ? hexBytes(f.hoursDigest, Length.HOURS_DIGEST) : undefined;
  if (f.epoch != null && !digest) throw new Error('a version 3 message (with an epoch) needs the hours digest');
  return packSummaryMessage(deviceIdBytes(f.deviceId), f.day, f.offsetMin, f.steps, f.counter, digest, f.epoch ?? undefined, f.closed ? 1 : 0);
}

function hexBytes(hex: string, n: number): Uint8Array {
  if (hex.length !== n * 2 || !/^[0-9a-f]+$/.test(hex)) throw new Error('expected ' + n + ' bytes as lower-case hex, got ' + JSON.stringify(hex));
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = parseInt(hex.substr(i * 2, 2), 16);
  return b;
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
