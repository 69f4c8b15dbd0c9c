// Bridge and service side of the signed summary (Node only: uses node:crypto, never bundled
// into the firmware).

import { createHmac, timingSafeEqual } from 'node:crypto';
import { sha256 } from '../sha256.ts';
import { asBytes, fail, getInt, getUint, ok, toHex, type Result } from './bytes.ts';
import { hoursDigest, SummaryVersion, type SummaryFields } from './summary.ts';
import { Length, StatusCode } from './uuids.ts';

/** True when `tag` is the 16-byte tag of `message` under `key`, compared in constant time. */
export function verifySummary(key: Uint8Array, message: Uint8Array, tag: Uint8Array): boolean {
  if (tag.length !== Length.TAG) return false;
  const expected = createHmac('sha256', key).update(message).digest().subarray(0, Length.TAG);
  return timingSafeEqual(expected, tag);
}

/**
 * The fields of a signed message: 19 bytes for version 1 (hoursDigest null), 27 for version 2,
 * 32 for version 3. `epoch` is null before version 3, and `closed` true: firmware before it
 * signed closed days only.
 */
export function decodeSummaryMessage(data: unknown): Result<SummaryFields & { hoursDigest: string | null; epoch: number | null; closed: boolean }> {
  const b = asBytes(data);
  if (b === undefined) return fail(StatusCode.BAD_LENGTH, 'summary message: expected bytes (Uint8Array or ArrayBuffer)');
  if (b.length === 0) return fail(StatusCode.BAD_LENGTH, 'summary message: empty');
  const length = [0, Length.SUMMARY_MESSAGE, Length.SUMMARY_MESSAGE_V2, Length.SUMMARY_MESSAGE_V3][b[0]];
  if (!length) return fail(StatusCode.BAD_VERSION, 'summary message: version ' + b[0] + ' is not supported (expected 1, 2 or 3)');
  if (b.length !== length) return fail(StatusCode.BAD_LENGTH, 'summary message: expected ' + length + ' bytes, got ' + b.length);
  const v3 = b[0] === SummaryVersion.EPOCH;
  if (v3 && b[31] > 1) return fail(StatusCode.BAD_VALUE, 'summary message: unknown flags 0x' + b[31].toString(16));
  return ok({
    deviceId: toHex(b, 1, 6),
    day: getUint(b, 7, 2),
    offsetMin: getInt(b, 9, 2),
    steps: getUint(b, 11, 4),
    counter: getUint(b, 15, 4),
    hoursDigest: b[0] !== SummaryVersion.TOTAL ? toHex(b, 19, Length.HOURS_DIGEST) : null,
    epoch: v3 ? getUint(b, 27, 4) : null,
    closed: v3 ? b[31] === 1 : true,
  });
}

/**
 * The 8-byte hours digest of a day from its numbers (the bridge, the services, the simulated
 * watches). Each hour must fit a u16, as on the wire: a larger count has no digest.
 */
export function dayHoursDigest(notWornMask: number, hours: readonly number[]): Uint8Array {
  if (hours.length !== 24 || hours.some((h) => !Number.isInteger(h) || h < 0 || h > 65535)) throw new Error('hours digest: expected 24 counts of 0..65535');
  return digestOf(notWornMask, hours);
}

/**
 * The digest of hours already checked: the not-worn mask (u32) and 24 hours (u16), little-endian
 * as a wire Day holds them, written straight into one buffer. The services verify one for every
 * signed delivery, and this is about a fifth of the cost of packing a list of fields.
 */
function digestOf(notWornMask: number, hours: readonly number[]): Uint8Array {
  const bytes = Buffer.allocUnsafe(Length.NOT_WORN_AND_HOURS);
  bytes.writeUInt32LE(notWornMask, 0);
  for (let i = 0; i < 24; i++) bytes.writeUInt16LE(hours[i], 4 + 2 * i);
  return hoursDigest(sha256, bytes).subarray(0, Length.HOURS_DIGEST);
}

/**
 * The hours digest (16 hex digits) a version 2 message must carry for a record's `hours` and
 * `notWornHours`; null when the record has no hours or an hour no wire Day can hold, which no
 * signed digest matches.
 */
export function recordHoursDigest(hours: readonly number[] | null, notWornHours: readonly number[]): string | null {
  if (hours === null || hours.length !== 24 || hours.some((h) => !Number.isInteger(h) || h < 0 || h > 65535)) return null;
  let mask = 0;
  for (const h of notWornHours) {
    if (!Number.isInteger(h) || h < 0 || h > 23) return null;
    mask |= 1 << h; // a repeated hour sets its bit once
  }
  const digest = digestOf(mask >>> 0, hours);
  return toHex(digest, 0, digest.length);
}
