// The day record the store queues for the services, and the checks a DayInput must pass before it
// is stored. Both come from the contract in shared/record; the store only adds its error type
// and the place of the bad value ("days[2].hours: ..."). The body is built once, when a version
// is queued, and kept in the outbox: a retry then sends the very bytes the first attempt sent,
// even if the day changed meanwhile.
import { dayProblems, dayRecord, DEVICE_ID_RULE, isDeviceId } from '../../shared/record/index.ts';
import type { DayInput } from './types.ts';

export class DayInputError extends Error {}

export function dayRecordBody(day: DayInput, user: string, recordVersion: number, syncedAt: number): string {
  return JSON.stringify(dayRecord(day, { user, recordVersion, syncedAt: new Date(syncedAt).toISOString() }));
}

/** Throws DayInputError unless id is a device id, e.g. "device.id: must be 12 lower-case hex digits, got ...". */
export function checkDeviceId(id: unknown, where: string): void {
  if (!isDeviceId(id)) throw new DayInputError(`${where}: ${DEVICE_ID_RULE}, got ${JSON.stringify(id)}`);
}

/** Throws DayInputError naming the first bad field, e.g. "days[2].hours: must be 24 non-negative integers or null". */
export function checkDay(d: DayInput, where: string): void {
  const [problem] = dayProblems(d);
  if (problem !== undefined) throw new DayInputError(`${where}.${problem.field}: ${problem.rule}`);
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
