// History records (notifications on `history`): Day, Summary and End.

import { asBytes, checkFrame, fail, getInt, getUint, isErr, ok, pack, type Err, type Field, type Fields, type Result } from './bytes.ts';
import { SummaryVersion } from './summary.ts';
import { DayFlag, Length, PROTOCOL_VERSION, RecordType, StatusCode } from './uuids.ts';

export interface DayRecord {
  seq: number;
  day: number;
  offsetMin: number;
  steps: number;
  closed: boolean;
  /** A Summary with the same seq follows. */
  signed: boolean;
  /** Bit h set when local hour h showed no movement at all. */
  notWornMask: number;
  /** 24 hourly step counts, local hours 0..23. */
  hours: number[];
}

export interface SummaryRecord {
  seq: number;
  /** The signed message (see summary.ts): 19 bytes for version 1, 27 for version 2, 32 for version 3. */
  message: Uint8Array;
  /** First 16 bytes of HMAC-SHA256(key, message). */
  tag: Uint8Array;
}

export interface EndRecord {
  /** Day and Summary records sent, End not counted. */
  count: number;
  /** seq of the last record sent, 0 when none. */
  lastSeq: number;
  /** See crc32.ts, historyCheck. */
  check: number;
}

export type HistoryFrame =
  | { kind: 'day'; record: DayRecord }
  | { kind: 'summary'; record: SummaryRecord }
  | { kind: 'end'; record: EndRecord };

/**
 * The Day record's layout, from plain arguments: `flags` is DayFlag bits, `hours` the 24 hourly
 * counts as 48 bytes, each a u16 little-endian. The watch passes views of its stored day
 * (firmware/core/records.ts), which holds these fields as the same bytes.
 */
export function packDay(seq: Field, day: Field, offsetMin: Field, steps: Field, flags: number, notWornMask: Field, hours: Field): Uint8Array {
  return pack([PROTOCOL_VERSION, 1, RecordType.DAY, 1, seq, 4, day, 2, offsetMin, 2, steps, 4, flags, 1, notWornMask, 4, hours, 48]);
}

/** Hourly counts saturate at 65535 rather than wrap: a wrapped hour would look like a quiet one. */
export function encodeDay(d: DayRecord): Uint8Array {
  if (d.hours.length !== 24) throw new Error('Day: hours must have 24 entries, got ' + d.hours.length);
  const hours: Fields = [];
  for (let h = 0; h < 24; h++) hours.push(Math.min(d.hours[h], 65535), 2);
  const flags = (d.closed ? DayFlag.CLOSED : 0) | (d.signed ? DayFlag.SIGNED : 0);
  return packDay(d.seq, d.day, d.offsetMin, d.steps, flags, d.notWornMask, pack(hours));
}

function checkRecord(data: unknown, name: string, type: number, length: number): Uint8Array | Err {
  const b = asBytes(data);
  // Version and type come before the length, so a newer or different record is named as such.
  if (b !== undefined && b.length >= 2 && b[0] === PROTOCOL_VERSION && b[1] !== type)
    return fail(StatusCode.BAD_VALUE, name + ': record type ' + b[1] + ' is not ' + type);
  return checkFrame(data, name, length);
}

export function decodeDay(data: unknown): Result<DayRecord> {
  const b = checkRecord(data, 'Day', RecordType.DAY, Length.DAY);
  if (isErr(b)) return b;
  if (b[14] > (DayFlag.CLOSED | DayFlag.SIGNED)) return fail(StatusCode.BAD_VALUE, 'Day: unknown flags 0x' + b[14].toString(16));
  const hours: number[] = [];
  for (let h = 0; h < 24; h++) hours.push(getUint(b, 19 + h * 2, 2));
  return ok({
    seq: getUint(b, 2, 4),
    day: getUint(b, 6, 2),
    offsetMin: getInt(b, 8, 2),
    steps: getUint(b, 10, 4),
    closed: (b[14] & DayFlag.CLOSED) !== 0,
    signed: (b[14] & DayFlag.SIGNED) !== 0,
    notWornMask: getUint(b, 15, 4),
    hours: hours,
  });
}

/**
 * Plain arguments: `message` (packSummaryMessage, either version) is copied whole and the first
 * 16 bytes of `tag`, so the watch passes views of its stored day. No length checks: they would
 * cost the watch flash, and every caller passes what summary.ts makes.
 */
export function encodeSummary(seq: Field, message: Uint8Array, tag: Uint8Array): Uint8Array {
  return pack([PROTOCOL_VERSION, 1, RecordType.SUMMARY, 1, seq, 4, message, message.length, tag, Length.TAG]);
}

/** 41 bytes around a version 1 message, 49 around a version 2 one, 54 around version 3: the message's version byte says which. */
export function decodeSummary(data: unknown): Result<SummaryRecord> {
  const version = asBytes(data)?.[6];
  const length = version === SummaryVersion.EPOCH ? Length.SUMMARY_V3 : version === SummaryVersion.HOURS ? Length.SUMMARY_V2 : Length.SUMMARY;
  const b = checkRecord(data, 'Summary', RecordType.SUMMARY, length);
  if (isErr(b)) return b;
  if (version !== SummaryVersion.TOTAL && version !== SummaryVersion.HOURS && version !== SummaryVersion.EPOCH) return fail(StatusCode.BAD_VERSION, 'Summary: message version ' + version + ' is not supported');
  const end = b.length - Length.TAG;
  // Copies, so the record does not alias the caller's (reused) notification buffer.
  return ok({ seq: getUint(b, 2, 4), message: new Uint8Array(b.subarray(6, end)), tag: new Uint8Array(b.subarray(end)) });
}

/** Plain arguments: the watch keeps these as running numbers. `check` wraps as pack() does (~register works). */
export function encodeEnd(count: number, lastSeq: number, check: number): Uint8Array {
  return pack([PROTOCOL_VERSION, 1, RecordType.END, 1, count, 2, lastSeq, 4, check, 4]);
}

export function decodeEnd(data: unknown): Result<EndRecord> {
  const b = checkRecord(data, 'End', RecordType.END, Length.END);
  if (isErr(b)) return b;
  return ok({ count: getUint(b, 2, 2), lastSeq: getUint(b, 4, 4), check: getUint(b, 8, 4) });
}

/** Any notification on `history`, by its type byte. */
export function decodeHistoryFrame(data: unknown): Result<HistoryFrame> {
  const b = asBytes(data);
  if (b === undefined) return fail(StatusCode.BAD_LENGTH, 'history: expected bytes (Uint8Array or ArrayBuffer)');
  if (b.length < 2) return fail(StatusCode.BAD_LENGTH, 'history: expected at least 2 bytes, got ' + b.length);
  if (b[0] !== PROTOCOL_VERSION) return fail(StatusCode.BAD_VERSION, 'history: version ' + b[0] + ' is not supported (expected ' + PROTOCOL_VERSION + ')');
  if (b[1] === RecordType.DAY) {
    const d = decodeDay(b);
    return d.ok ? ok({ kind: 'day', record: d.value }) : d;
  }
  if (b[1] === RecordType.SUMMARY) {
    const s = decodeSummary(b);
    return s.ok ? ok({ kind: 'summary', record: s.value }) : s;
  }
  if (b[1] === RecordType.END) {
    const e = decodeEnd(b);
    return e.ok ? ok({ kind: 'end', record: e.value }) : e;
  }
  return fail(StatusCode.BAD_VALUE, 'history: unknown record type 0x' + b[1].toString(16));
}
