// Trust in a day record, beyond the webhook signature (which only proves the bridge sent it):
// the device's own signed summary, checked against the key in the device registry. The counter
// check needs the device row locked, so it happens inside the ingest transaction (ingest.ts).
import { dayNumber } from '../../shared/days.ts';
import { decodeSummaryMessage, recordHoursDigest, verifySummary } from '../../shared/protocol/summary-verify.ts';
import { sha256Hex } from '../../shared/sha256.ts';
import { HttpError } from '../http/router.ts';
import type { DayRecord } from '../../shared/record/index.ts';
import type { DeviceRow } from '../ingest.ts';

/** What a verified summary says beyond the record's fields: its place in the device's signing order. */
export interface Signed {
  counter: number;
  /** The watch history epoch it signs (version 3), null before. */
  epoch: number | null;
  /** The registered key it verified under, as the first 16 hex digits of SHA-256 of its hex. */
  keyId: string;
}

/** A key's id: the first 16 hex digits of SHA-256 of its (lower-case) hex. */
export function keyId(keyHex: string): string {
  return sha256Hex(keyHex.toLowerCase()).slice(0, 16);
}

/**
 * The summary's counter, epoch and key when the summary is authentic and matches the record; else
 * a 422. `decoded` is the summary message's decoding when the caller has made it already.
 */
export function verifyRecordSummary(record: DayRecord, device: DeviceRow, decoded?: ReturnType<typeof decodeSummaryMessage>): Signed {
  const summary = record.summary;
  if (summary === null) throw new Error('verifyRecordSummary: record has no summary');
  if (device.key_hex === null) {
    throw new HttpError(422, 'device_has_no_key', `device ${device.id} has no registered key, so its summary cannot be verified`);
  }
  const message = Buffer.from(summary.message, 'hex');
  // A tag that does not verify is a forgery, a wrong key or an altered message: we cannot tell which.
  if (!verifySummary(Buffer.from(device.key_hex, 'hex'), message, Buffer.from(summary.tag, 'hex'))) {
    throw new HttpError(422, 'summary_forged', 'the summary tag does not verify under the registered device key');
  }
  decoded ??= decodeSummaryMessage(message);
  if (!decoded.ok) throw new HttpError(422, 'summary_malformed', decoded.error);
  const m = decoded.value;
  // Authentic, but for other numbers than the record's: the record was altered after signing.
  const mismatches: string[] = [];
  if (m.deviceId !== record.device) mismatches.push('device');
  if (m.day !== dayNumber(record.date)) mismatches.push('date');
  if (m.offsetMin !== record.utcOffsetMin) mismatches.push('utcOffsetMin');
  if (m.steps !== record.steps) mismatches.push('steps');
  // Version 2 signs a digest of the hours and not-worn hours, which the flag rules read: missing
  // (null) or altered hours cannot match it. A version 1 summary (older firmware) signs neither,
  // so its hours are taken as sent: docs/api.md, trust model.
  if (m.hoursDigest !== null && m.hoursDigest !== recordHoursDigest(record.hours, record.notWornHours)) mismatches.push('hours');
  // Version 3 signs whether the day was closed: a provisional (open) day, which earns nothing, cannot
  // be passed off as closed. Firmware before it signed closed days only, so their summaries say closed.
  if (m.closed !== record.closed) mismatches.push('closed');
  if (mismatches.length > 0) {
    throw new HttpError(422, 'summary_altered', `the record's ${mismatches.join(', ')} differ from the signed summary`, { fields: mismatches });
  }
  return { counter: m.counter, epoch: m.epoch, keyId: keyId(device.key_hex) };
}
