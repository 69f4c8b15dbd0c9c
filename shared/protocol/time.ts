// The Bluetooth SIG time characteristics the phone or bridge writes: Current Time (0x2A2B,
// local wall-clock time) and Local Time Information (0x2A0F, zone and DST).

import { daysFromCivil, civilFromDays, isValidDate, localMs, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../days.ts';
import { checkLength, fail, isErr, ok, view, type Result } from './bytes.ts';
import { Length, StatusCode } from './uuids.ts';

export interface CurrentTime {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31, valid for the month */
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
  /** 0 unknown, 1 Monday … 7 Sunday. */
  dayOfWeek: number;
  /** 1/256 s. */
  fractions256: number;
  /** Bluetooth adjust-reason bits (manual, external reference, zone change, DST change). */
  adjustReason: number;
}

export function encodeCurrentTime(t: CurrentTime): Uint8Array {
  const b = new Uint8Array(Length.CURRENT_TIME);
  view(b).setUint16(0, t.year, true);
  b[2] = t.month;
  b[3] = t.day;
  b[4] = t.hours;
  b[5] = t.minutes;
  b[6] = t.seconds;
  b[7] = t.dayOfWeek;
  b[8] = t.fractions256;
  b[9] = t.adjustReason;
  return b;
}

function bad(error: string): Result<never> {
  return fail(StatusCode.BAD_VALUE, 'Current Time: ' + error);
}

/**
 * Rejects anything that is not a real moment: the watch must never set its clock to a date that
 * does not exist. The weekday is range-checked only, since the watch derives its own.
 */
export function decodeCurrentTime(data: unknown): Result<CurrentTime> {
  const b = checkLength(data, 'Current Time', Length.CURRENT_TIME);
  if (isErr(b)) return b;
  const year = view(b).getUint16(0, true);
  // 1970 rather than the specification's 1582: earlier dates have no Unix time to set.
  if (year < 1970 || year > 9999) return bad('year ' + year + ' is outside 1970..9999');
  if (!isValidDate(year, b[2], b[3])) return bad('no such date ' + year + '-' + b[2] + '-' + b[3]);
  if (b[4] > 23 || b[5] > 59 || b[6] > 59) return bad('no such time ' + b[4] + ':' + b[5] + ':' + b[6]);
  if (b[7] > 7) return bad('day of week ' + b[7] + ' is outside 0..7');
  return ok({ year: year, month: b[2], day: b[3], hours: b[4], minutes: b[5], seconds: b[6], dayOfWeek: b[7], fractions256: b[8], adjustReason: b[9] });
}

/** The UTC instant a local Current Time names, given the offset (minutes east) in force. */
export function currentTimeToUtcMs(t: CurrentTime, offsetMin: number): number {
  const local = daysFromCivil(t.year, t.month, t.day) * MS_PER_DAY + t.hours * MS_PER_HOUR + t.minutes * MS_PER_MINUTE + t.seconds * 1000;
  return local + Math.floor((t.fractions256 * 1000) / 256) - offsetMin * MS_PER_MINUTE;
}

/** The local Current Time fields of a UTC instant; adjustReason is 0 (a plain read). */
export function utcMsToCurrentTime(utcMs: number, offsetMin: number): CurrentTime {
  const local = localMs(utcMs, offsetMin);
  const days = Math.floor(local / MS_PER_DAY);
  const ms = local - days * MS_PER_DAY;
  const c = civilFromDays(days);
  // 1970-01-01 was a Thursday (4 in Bluetooth's Monday-first numbering).
  const dow = (((days + 3) % 7) + 7) % 7;
  return {
    year: c.year,
    month: c.month,
    day: c.day,
    hours: Math.floor(ms / MS_PER_HOUR),
    minutes: Math.floor(ms / MS_PER_MINUTE) % 60,
    seconds: Math.floor(ms / 1000) % 60,
    dayOfWeek: dow + 1,
    fractions256: Math.floor(((ms % 1000) * 256) / 1000),
    adjustReason: 0,
  };
}

export interface LocalTimeInfo {
  /** Time zone in 15-minute steps, -48..+56. */
  zone: number;
  /** DST offset in 15-minute steps: 0, 2, 4, 8, or 255 for unknown. */
  dst: number;
}

export function encodeLocalTimeInfo(l: LocalTimeInfo): Uint8Array {
  const b = new Uint8Array(Length.LOCAL_TIME_INFO);
  view(b).setInt8(0, l.zone);
  b[1] = l.dst;
  return b;
}

export function decodeLocalTimeInfo(data: unknown): Result<LocalTimeInfo> {
  const b = checkLength(data, 'Local Time Information', Length.LOCAL_TIME_INFO);
  if (isErr(b)) return b;
  const zone = view(b).getInt8(0);
  const dst = b[1];
  // -128 is the specification's "unknown": refused, because the watch cannot act on it.
  if (zone < -48 || zone > 56) return fail(StatusCode.BAD_VALUE, 'Local Time Information: time zone ' + zone + ' is outside -48..56');
  if (dst !== 0 && dst !== 2 && dst !== 4 && dst !== 8 && dst !== 255)
    return fail(StatusCode.BAD_VALUE, 'Local Time Information: DST offset ' + dst + ' is not 0, 2, 4, 8 or 255');
  return ok({ zone: zone, dst: dst });
}

/** The watch's offset in minutes east: (zone + DST) × 15, an unknown DST read as 0. */
export function localTimeOffsetMin(l: LocalTimeInfo): number {
  return (l.zone + (l.dst === 255 ? 0 : l.dst)) * 15;
}
