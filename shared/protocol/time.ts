// The Bluetooth SIG time characteristics the phone or bridge writes: Current Time (0x2A2B,
// local wall-clock time) and Local Time Information (0x2A0F, zone and DST).

import { civilFromDays, dateExists, daysFromCivil, localMs, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../days.ts';
import { checkLength, fail, getUint, isErr, ok, pack, type Result } from './bytes.ts';
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
  return pack([
    t.year, 2, t.month, 1, t.day, 1, t.hours, 1, t.minutes, 1, t.seconds, 1,
    t.dayOfWeek, 1, t.fractions256, 1, t.adjustReason, 1,
  ]);
}

/**
 * Rejects anything that is not a real moment: the watch must never set its clock to a date that
 * does not exist. The weekday is range-checked only, since the watch derives its own.
 */
export function decodeCurrentTime(data: unknown): Result<CurrentTime> {
  const b = checkLength(data, 'Current Time', Length.CURRENT_TIME);
  if (isErr(b)) return b;
  const year = getUint(b, 0, 2);
  // 1970 rather than the specification's 1582: earlier dates have no Unix time to set.
  if (year < 1970 || year > 9999) return fail(StatusCode.BAD_VALUE, 'Current Time: year ' + year + ' is outside 1970..9999');
  if (!dateExists(year, b[2], b[3])) return fail(StatusCode.BAD_VALUE, 'Current Time: no such date ' + year + '-' + b[2] + '-' + b[3]);
  if (b[4] > 23 || b[5] > 59 || b[6] > 59) return fail(StatusCode.BAD_VALUE, 'Current Time: no such time ' + b[4] + ':' + b[5] + ':' + b[6]);
  if (b[7] > 7) return fail(StatusCode.BAD_VALUE, 'Current Time: day of week ' + b[7] + ' is outside 0..7');
  return ok({ year: year, month: b[2], day: b[3], hours: b[4], minutes: b[5], seconds: b[6], dayOfWeek: b[7], fractions256: b[8], adjustReason: b[9] });
}

/** The UTC instant a local Current Time names, given the offset (minutes east) in force. */
export function currentTimeToUtcMs(t: CurrentTime, offsetMin: number): number {
  // Whole seconds first, unit by unit; every step is an exact integer.
  const seconds = ((daysFromCivil(t.year, t.month, t.day) * 24 + t.hours) * 60 + t.minutes - offsetMin) * 60 + t.seconds;
  return seconds * 1000 + Math.floor((t.fractions256 * 1000) / 256);
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
  return pack([l.zone, 1, l.dst, 1]);
}

export function decodeLocalTimeInfo(data: unknown): Result<LocalTimeInfo> {
  const b = checkLength(data, 'Local Time Information', Length.LOCAL_TIME_INFO);
  if (isErr(b)) return b;
  const zone = (b[0] << 24) >> 24; // the byte as a signed number
  const dst = b[1];
  // -128 is the specification's "unknown": refused, because the watch cannot act on it.
  if (zone < -48 || zone > 56) return fail(StatusCode.BAD_VALUE, 'Local Time Information: time zone ' + zone + ' is outside -48..56');
  if ([0, 2, 4, 8, 255].indexOf(dst) < 0)
    return fail(StatusCode.BAD_VALUE, 'Local Time Information: DST offset ' + dst + ' is not 0, 2, 4, 8 or 255');
  return ok({ zone: zone, dst: dst });
}

/** The watch's offset in minutes east: (zone + DST) × 15, an unknown DST read as 0. */
export function localTimeOffsetMin(l: LocalTimeInfo): number {
  return (l.zone + (l.dst === 255 ? 0 : l.dst)) * 15;
}
