// The day record delivered to services (docs/day-record.md), and the checks a DayInput must pass
// before it is stored. The body is built once, when a version is queued, and kept in the outbox:
// a retry then sends the very bytes the first attempt sent, even if the day changed meanwhile.
import { dayNumber } from '../../shared/days.ts';
import { SOURCES, type DayInput } from './types.ts';

export const DAY_RECORD_SCHEMA = 1;

export class DayInputError extends Error {}

export function dayRecordBody(day: DayInput, user: string, recordVersion: number, syncedAt: number): string {
  // Fields in the order of docs/day-record.md, so stored bodies read like the contract.
  return JSON.stringify({
    schema: DAY_RECORD_SCHEMA,
    recordVersion,
    user,
    device: day.device,
    source: day.source,
    date: day.date,
    utcOffsetMin: day.utcOffsetMin,
    steps: day.steps,
    hours: day.hours,
    notWornHours: day.notWornHours,
    closed: day.closed,
    summary: day.summary,
    firmware: day.firmware,
    syncedAt: new Date(syncedAt).toISOString(),
  });
}

const HEX12 = /^[0-9a-f]{12}$/;

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

/** Throws DayInputError naming the first bad field, e.g. "days[2].hours: must be 24 counts or null". */
export function checkDeviceId(id: unknown, where: string): void {
  if (typeof id !== 'string' || !HEX12.test(id)) {
    throw new DayInputError(`${where}: must be 12 lower-case hex digits, got ${JSON.stringify(id)}`);
  }
}

export function checkDay(d: DayInput, where: string): void {
  const fail = (field: string, what: string): never => {
    throw new DayInputError(`${where}.${field}: ${what}`);
  };
  checkDeviceId(d.device, `${where}.device`);
  try {
    dayNumber(d.date);
  } catch (e) {
    fail('date', (e as Error).message);
  }
  if (!Number.isInteger(d.utcOffsetMin) || d.utcOffsetMin < -720 || d.utcOffsetMin > 840) fail('utcOffsetMin', 'must be an integer in -720..840');
  if (!isCount(d.steps)) fail('steps', 'must be a non-negative integer');
  if (d.hours !== null && (!Array.isArray(d.hours) || d.hours.length !== 24 || !d.hours.every(isCount))) {
    fail('hours', 'must be 24 non-negative integers or null');
  }
  if (!Array.isArray(d.notWornHours) || !d.notWornHours.every((h) => Number.isInteger(h) && h >= 0 && h <= 23)) {
    fail('notWornHours', 'must be a list of hours 0..23');
  }
  if (typeof d.closed !== 'boolean') fail('closed', 'must be true or false');
  if (!SOURCES.includes(d.source)) fail('source', `must be one of ${SOURCES.join(', ')}`);
  if (d.summary !== null) {
    const s = d.summary;
    if (typeof s !== 'object' || !/^[0-9a-f]{38}$/.test(s.message) || !/^[0-9a-f]{32}$/.test(s.tag)) {
      fail('summary', 'must be null or {message: 38 hex digits, tag: 32 hex digits}');
    }
  }
  if (d.firmware !== null && typeof d.firmware !== 'string') fail('firmware', 'must be a string or null');
}

/** True when two versions of a day would produce the same record (syncedAt aside). */
export function sameTotals(a: DayInput, b: DayInput): boolean {
  return (
    a.utcOffsetMin === b.utcOffsetMin &&
    a.steps === b.steps &&
    JSON.stringify(a.hours) === JSON.stringify(b.hours) &&
    JSON.stringify(a.notWornHours) === JSON.stringify(b.notWornHours) &&
    a.closed === b.closed &&
    a.source === b.source &&
    JSON.stringify(a.summary) === JSON.stringify(b.summary) &&
    a.firmware === b.firmware
  );
}
