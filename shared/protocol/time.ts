// The Bluetooth SIG time characteristics the phone or bridge writes: Current Time (0x2A2B,
// local wall-clock time) and Local Time Information (0x2A0F, zone and DST).

import { civilFromDays, daysFromCivil, localMs, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../days.ts';
import { asBytes, getUint, ok, pack, type Result } from './bytes.ts';
import { StatusTarget } from './uuids.ts';
import { checkWrite } from './writes.ts';

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

/** Rejects anything that is not a real moment (writes.ts). */
export function decodeCurrentTime(data: unknown): Result<CurrentTime> {
  const b = asBytes(data);
  const e = checkWrite(StatusTarget.CURRENT_TIME, b);
  if (e) return e;
  const v = b as Uint8Array;
  return ok({ year: getUint(v, 0, 2), month: v[2], day: v[3], hours: v[4], minutes: v[5], seconds: v[6], dayOfWeek: v[7], fractions256: v[8], adjustReason: v[9] });
}

/**
 * The UTC instant a valid Current Time frame names, given the offset (minutes east) in force.
 * The watch converts the frame it was written; the bridge converts fields (below).
 */
export function currentTimeFrameToUtcMs(b: Uint8Array, offsetMin: number): number {
  // Whole seconds first, unit by unit; every step is an exact integer.
  const seconds = ((daysFromCivil(getUint(b, 0, 2), b[2], b[3]) * 24 + b[4]) * 60 + b[5] - offsetMin) * 60 + b[6];
  return seconds * 1000 + Math.floor((b[8] * 1000) / 256);
}

/** The UTC instant a valid Current Time (as decodeCurrentTime returns it) names. */
export function currentTimeToUtcMs(t: CurrentTime, offsetMin: number): number {
  return currentTimeFrameToUtcMs(encodeCurrentTime(t), offsetMin);
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
  const b = asBytes(data);
  const e = checkWrite(StatusTarget.LOCAL_TIME_INFO, b);
  if (e) return e;
  const v = b as Uint8Array;
  return ok({ zone: (v[0] << 24) >> 24, dst: v[1] });
}

/** The offset in minutes east that a valid Local Time Information frame sets: (zone + DST) × 15, an unknown DST read as 0. */
export function localTimeInfoFrameOffsetMin(b: Uint8Array): number {
  return (((b[0] << 24) >> 24) + (b[1] === 255 ? 0 : b[1])) * 15;
}

/** The watch's offset for a valid Local Time Information (as decodeLocalTimeInfo returns it). */
export function localTimeOffsetMin(l: LocalTimeInfo): number {
  return localTimeInfoFrameOffsetMin(encodeLocalTimeInfo(l));
}
