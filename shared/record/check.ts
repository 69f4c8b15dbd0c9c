// The field checks of a day record, for both sides of the wire: the bridge checks a day before it
// stores and queues it, the services check every body they are sent. Each returns the problems,
// field by field in the order of docs/day-record.md; each side wraps the first in its own error
// (the bridge's DayInputError "days[2].hours: ...", the services' 422 invalid_record).
import { dayNumber } from '../days.ts';
import { DAY_RECORD_SCHEMA, dayRecord, isSource, SOURCE_RULE, type DayFields, type DayRecord } from './day-record.ts';
import { DEVICE_ID_RULE, isDeviceId, isUserId, USER_ID_RULE } from './ids.ts';

/** One bad field: `field` is its name (summary.tag for a nested one), `rule` what it must be. */
export interface Problem {
  field: string;
  rule: string;
}

/** Far above any cap: bigger numbers are garbage, not a very keen walker. */
export const MAX_STEPS = 10_000_000;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

type Unchecked<T> = { readonly [K in keyof T]?: unknown };

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * No control characters and no unpaired surrogate: text a database stores as it came (PostgreSQL
 * refuses NUL outright and would store a lone surrogate as U+FFFD, silently another string).
 */
const PRINTABLE = /^(?:[^\x00-\x1f\x7f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;

function isHex(v: unknown, bytes: number): boolean {
  return typeof v === 'string' && v.length === bytes * 2 && /^[0-9a-fA-F]*$/.test(v);
}

/** Problems of the day fields (what the bridge stores); none when the day is sound. */
export function dayProblems(d: Unchecked<DayFields>): Problem[] {
  const out: Problem[] = [];
  const fail = (field: string, rule: string): void => void out.push({ field, rule });
  if (!isDeviceId(d.device)) fail('device', DEVICE_ID_RULE);
  if (!isSource(d.source)) fail('source', SOURCE_RULE);
  try {
    dayNumber(d.date as string);
  } catch (e) {
    fail('date', (e as Error).message);
  }
  if (!isInt(d.utcOffsetMin, -720, 840)) fail('utcOffsetMin', 'must be an integer in -720..840');
  const stepsOk = isInt(d.steps, 0, MAX_STEPS);
  if (!stepsOk) fail('steps', 'must be a non-negative integer, at most ' + MAX_STEPS);
  if (d.hours !== null) {
    if (!Array.isArray(d.hours) || d.hours.length !== 24 || !d.hours.every((h) => isInt(h, 0, MAX_STEPS))) {
      fail('hours', 'must be 24 non-negative integers or null');
    } else if (stepsOk) {
      const sum = (d.hours as number[]).reduce((a, b) => a + b, 0);
      if (sum !== d.steps) fail('hours', `add up to ${sum}, not steps ${d.steps}`);
    }
  }
  const notWorn = d.notWornHours;
  if (!Array.isArray(notWorn) || !notWorn.every((h) => isInt(h, 0, 23)) || new Set(notWorn).size !== notWorn.length) {
    fail('notWornHours', 'must be distinct integers 0..23');
  }
  if (typeof d.closed !== 'boolean') fail('closed', 'must be true or false');
  if (d.summary !== null) {
    const s = d.summary as { message?: unknown; tag?: unknown } | undefined;
    if (typeof s !== 'object' || s === null) fail('summary', 'must be null or {message, tag}');
    else {
      // Version 1 (19 bytes, older firmware), version 2 (27 bytes, covering the hours) or version 3
      // (32 bytes, also the history epoch and the closed flag): docs/protocol.md.
      if (!isHex(s.message, 19) && !isHex(s.message, 27) && !isHex(s.message, 32)) fail('summary.message', 'must be 19, 27 or 32 bytes in hex');
      if (!isHex(s.tag, 16)) fail('summary.tag', 'must be 16 bytes in hex');
    }
  }
  if (d.firmware !== null && (typeof d.firmware !== 'string' || d.firmware.length > 32 || !PRINTABLE.test(d.firmware))) {
    fail('firmware', 'must be null or a string of at most 32 printable characters');
  }
  return out;
}

/** Problems of a whole record as sent to the services: the envelope, then the day fields. */
export function recordProblems(o: Unchecked<DayRecord>): Problem[] {
  const out: Problem[] = [];
  if (o.schema !== DAY_RECORD_SCHEMA) out.push({ field: 'schema', rule: 'must be ' + DAY_RECORD_SCHEMA });
  if (!isInt(o.recordVersion, 1, 2 ** 31 - 1)) out.push({ field: 'recordVersion', rule: 'must be a positive integer' });
  if (!isUserId(o.user)) out.push({ field: 'user', rule: USER_ID_RULE });
  out.push(...dayProblems(o));
  if (typeof o.syncedAt !== 'string' || !ISO_UTC.test(o.syncedAt) || Number.isNaN(Date.parse(o.syncedAt))) {
    out.push({ field: 'syncedAt', rule: 'must be an ISO 8601 UTC time' });
  }
  return out;
}

/**
 * A sound record as the services keep it: only the documented fields, summary hex in lower case
 * (the bridge writes lower case; upper case is accepted). Call after recordProblems found none.
 */
export function normalizedRecord(o: Unchecked<DayRecord>): DayRecord {
  const r = o as DayRecord;
  const summary = r.summary === null ? null : { message: r.summary.message.toLowerCase(), tag: r.summary.tag.toLowerCase() };
  // Object.assign: a spread followed by a property is slow in Node 20's V8, and every delivery is normalised.
  return dayRecord(Object.assign({}, r, { summary }), r);
}
