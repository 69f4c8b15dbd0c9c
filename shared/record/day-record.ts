// The day record as the bridge delivers it to every service (docs/day-record.md): its type, its
// sources and how it is built. Checked by ./check.ts on both sides.

export type Source = 'bushu' | 'wechat' | 'infinitime';
export const SOURCES: readonly Source[] = ['bushu', 'wechat', 'infinitime'];
export const SOURCE_RULE = 'must be one of ' + SOURCES.join(', ');

export function isSource(x: unknown): x is Source {
  return (SOURCES as readonly unknown[]).includes(x);
}

/** The layout of the record object; a changed layout gets a new number. */
export const DAY_RECORD_SCHEMA = 1;

/** What a record says about one local day of one device: everything but the envelope. */
export interface DayFields {
  device: string; // 12 lower-case hex digits
  date: string; // YYYY-MM-DD, the watch's local date
  utcOffsetMin: number;
  steps: number;
  hours: number[] | null; // 24 hourly counts, or null when the source has none
  notWornHours: number[];
  closed: boolean;
  source: Source;
  summary: { message: string; tag: string } | null;
  firmware: string | null;
}

/** The envelope: which layout, which version of this device-day, whose, and when it was read. */
export interface DayRecord extends DayFields {
  schema: typeof DAY_RECORD_SCHEMA;
  recordVersion: number;
  user: string;
  syncedAt: string; // ISO 8601 UTC
}

/**
 * The record of a day, fields in the order of docs/day-record.md so a serialized record reads
 * like the contract. Picks the day fields one by one: `day` may be a wider row.
 */
export function dayRecord(day: DayFields, envelope: { user: string; recordVersion: number; syncedAt: string }): DayRecord {
  return {
    schema: DAY_RECORD_SCHEMA,
    recordVersion: envelope.recordVersion,
    user: envelope.user,
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
    syncedAt: envelope.syncedAt,
  };
}
