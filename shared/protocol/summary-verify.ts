// Bridge and service side of the signed summary (Node only: uses node:crypto, never bundled
// into the firmware).

import { createHmac, timingSafeEqual } from 'node:crypto';
import { asBytes, fail, getInt, getUint, ok, toHex, type Result } from './bytes.ts';
import type { SummaryFields } from './summary.ts';
import { Length, PROTOCOL_VERSION, StatusCode } from './uuids.ts';

/** True when `tag` is the 16-byte tag of `message` under `key`, compared in constant time. */
export function verifySummary(key: Uint8Array, message: Uint8Array, tag: Uint8Array): boolean {
  if (tag.length !== Length.TAG) return false;
  const expected = createHmac('sha256', key).update(message).digest().subarray(0, Length.TAG);
  return timingSafeEqual(expected, tag);
}

/** The fields of a 19-byte signed message. */
export function decodeSummaryMessage(data: unknown): Result<SummaryFields> {
  const b = asBytes(data);
  if (b === undefined) return fail(StatusCode.BAD_LENGTH, 'summary message: expected bytes (Uint8Array or ArrayBuffer)');
  if (b.length === 0) return fail(StatusCode.BAD_LENGTH, 'summary message: empty');
  if (b[0] !== PROTOCOL_VERSION) return fail(StatusCode.BAD_VERSION, 'summary message: version ' + b[0] + ' is not supported (expected 1)');
  if (b.length !== Length.SUMMARY_MESSAGE) return fail(StatusCode.BAD_LENGTH, 'summary message: expected 19 bytes, got ' + b.length);
  return ok({
    deviceId: toHex(b, 1, 6),
    day: getUint(b, 7, 2),
    offsetMin: getInt(b, 9, 2),
    steps: getUint(b, 11, 4),
    counter: getUint(b, 15, 4),
  });
}
