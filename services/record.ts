// The day record the bridge POSTs (docs/day-record.md), checked field by field. Anything that
// does not fit is a 400 (not JSON / wrong shape) or 422 (well formed but impossible), with the
// field named. Identifiers are restricted to safe alphabets, so hostile strings never reach SQL
// or the dashboard as ids (they are bound as parameters anyway).
import { dayNumber } from '../shared/days.ts';
import { HttpError } from './http/router.ts';

export interface DayRecord {
  schema: 1;
  recordVersion: number;
  user: string;
  device: string;
  source: 'bushu' | 'wechat' | 'infinitime';
  date: string;
  utcOffsetMin: number;
  steps: number;
  hours: number[] | null;
  notWornHours: number[];
  closed: boolean;
  summary: { message: string; tag: string } | null;
  firmware: string | null;
  syncedAt: string;
}

export const USER_ID = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
export const DEVICE_ID = /^[0-9a-f]{12}$/;
const SOURCES = ['bushu', 'wechat', 'infinitime'] as const;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
/** Far above any cap: bigger numbers are garbage, not a very keen walker. */
const MAX_STEPS = 10_000_000;

function bad(field: string, why: string): HttpError {
  return new HttpError(422, 'invalid_record', `${field}: ${why}`, { field });
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

export function parseDayRecord(o: Record<string, unknown>): DayRecord {
  if (o.schema !== 1) throw bad('schema', 'must be 1');
  if (!isInt(o.recordVersion, 1, 2 ** 31 - 1)) throw bad('recordVersion', 'must be a positive integer');
  if (typeof o.user !== 'string' || !USER_ID.test(o.user)) throw bad('user', 'must be 1-64 letters, digits, "_", ".", "@" or "-"');
  if (typeof o.device !== 'string' || !DEVICE_ID.test(o.device)) throw bad('device', 'must be 12 lower-case hex digits');
  if (typeof o.source !== 'string' || !(SOURCES as readonly string[]).includes(o.source)) throw bad('source', 'must be one of ' + SOURCES.join(', '));
  if (typeof o.date !== 'string') throw bad('date', 'must be YYYY-MM-DD');
  try {
    dayNumber(o.date);
  } catch (err) {
    throw bad('date', (err as Error).message);
  }
  if (!isInt(o.utcOffsetMin, -720, 840)) throw bad('utcOffsetMin', 'must be an integer in -720..840');
  if (!isInt(o.steps, 0, MAX_STEPS)) throw bad('steps', 'must be an integer in 0..' + MAX_STEPS);
  let hours: number[] | null = null;
  if (o.hours !== null) {
    if (!Array.isArray(o.hours) || o.hours.length !== 24 || !o.hours.every((h) => isInt(h, 0, MAX_STEPS))) {
      throw bad('hours', 'must be null or 24 non-negative integers');
    }
    hours = o.hours as number[];
    const sum = hours.reduce((a, b) => a + b, 0);
    if (sum !== o.steps) throw bad('hours', `add up to ${sum}, not steps ${o.steps}`);
  }
  if (!Array.isArray(o.notWornHours) || !o.notWornHours.every((h) => isInt(h, 0, 23)) || new Set(o.notWornHours).size !== o.notWornHours.length) {
    throw bad('notWornHours', 'must be distinct integers 0..23');
  }
  if (typeof o.closed !== 'boolean') throw bad('closed', 'must be a boolean');
  let summary: DayRecord['summary'] = null;
  if (o.summary !== null) {
    const s = o.summary as Record<string, unknown> | undefined;
    if (typeof s !== 'object' || s === null || typeof s.message !== 'string' || typeof s.tag !== 'string') {
      throw bad('summary', 'must be null or {message, tag}');
    }
    if (!/^[0-9a-fA-F]{38}$/.test(s.message)) throw bad('summary.message', 'must be 19 bytes in hex');
    if (!/^[0-9a-fA-F]{32}$/.test(s.tag)) throw bad('summary.tag', 'must be 16 bytes in hex');
    summary = { message: s.message.toLowerCase(), tag: s.tag.toLowerCase() };
  }
  if (o.firmware !== null && (typeof o.firmware !== 'string' || o.firmware.length > 32)) throw bad('firmware', 'must be null or a short string');
  if (typeof o.syncedAt !== 'string' || !ISO_UTC.test(o.syncedAt) || Number.isNaN(Date.parse(o.syncedAt))) {
    throw bad('syncedAt', 'must be an ISO 8601 UTC time');
  }
  return {
    schema: 1,
    recordVersion: o.recordVersion,
    user: o.user,
    device: o.device,
    source: o.source as DayRecord['source'],
    date: o.date,
    utcOffsetMin: o.utcOffsetMin,
    steps: o.steps,
    hours,
    notWornHours: o.notWornHours as number[],
    closed: o.closed,
    summary,
    firmware: (o.firmware as string | null) ?? null,
    syncedAt: o.syncedAt,
  };
}

/** UTC milliseconds at which the record's local date ends (its next local midnight). */
export function localDayEndMs(date: string, utcOffsetMin: number): number {
  return (dayNumber(date) + 1) * 86_400_000 - utcOffsetMin * 60_000;
}

/** The local date at utcMs for a UTC offset, as YYYY-MM-DD. */
export function localDate(utcMs: number, utcOffsetMin: number): string {
  return new Date(utcMs + utcOffsetMin * 60_000).toISOString().slice(0, 10);
}
