// The on-flash record layout of the history file (see firmware/README.md, "History file"), and
// the little-endian byte helpers it is read and written with. Every record starts on a 16-byte
// unit, starts with its type byte and ends with a CRC-32 of the rest, so a scanner can skip a
// damaged unit and pick up the next good record: corruption costs only the records it touches.
// The type byte doubles as the format version (0xB1 is "day, v1").

import { getUint, pack, type Fields } from '../../shared/protocol/bytes.ts';
import type { Counter } from './counter.ts';
import { crc } from './io.ts';

export const UNIT = 16;
/** File header: FileAt. */
export const T_FILE = 0xb0;
/** A closed day: DayAt. */
export const T_DAY = 0xb1;
/** Open-day checkpoint: CheckpointAt. */
export const T_CP = 0xb2;
/** Counters: StateAt. */
export const T_STATE = 0xb3;

// Where each field of a record starts, counted from its type byte (little-endian numbers; the
// builders in archive.ts and checkpoint() below write them in this order). Const enums: the
// build inlines every use as the number.

/**
 * File header: format (1), generation (u32), epoch (u32: random, drawn when the file is created
 * and copied by every compaction; a header written before epochs existed holds 0 there).
 */
export const enum FileAt {
  FORMAT = 1,
  GENERATION = 4,
  EPOCH = 8,
}

/**
 * A closed day: flags (the wire Day's DayFlag bits), day (u16), seq (u32), offset (i16), 2 unused
 * bytes, steps (u32), not-worn mask (u32), 24 hourly u16, then when signed the summary counter
 * (u32) and the tag (16 bytes). From SEQ to the hours, the wire Day's fields as the same bytes.
 */
export const enum DayAt {
  FLAGS = 1,
  DAY = 2,
  SEQ = 4,
  OFFSET = 8,
  STEPS = 12,
  NOT_WORN = 16,
  HOURS = 20,
  SUMMARY_COUNTER = 68,
  TAG = 72,
}

/**
 * A stored day's flag beside the wire's DayFlag bits, never sent: its tag signs the version 2
 * summary message (with the hours digest). Days signed by firmware before it carry a version 1
 * tag, and are sent with a version 1 message so their tag still verifies.
 */
export const SIGNED_HOURS = 4;

/**
 * Beside SIGNED_HOURS: the tag signs the version 3 message, which adds the history epoch and the
 * closed flag. Set on every day this firmware signs.
 */
export const SIGNED_EPOCH = 8;

/** Open-day checkpoint: hour (u8), day (u16), offset (i16), steps in that hour (u16), moved mask (u24). */
export const enum CheckpointAt {
  HOUR = 1,
  DAY = 2,
  OFFSET = 4,
  STEPS = 6,
  MOVED = 8,
}

/** Counters: seq (u32, where a day holds its own), summary counter, acked seq, last sync (UTC s). */
export const enum StateAt {
  SEQ = 4,
  SUMMARY_COUNTER = 8,
  ACKED = 12,
  LAST_SYNC = 16,
}

export const DAY_BYTES = 96;
export const DAY_UNITS = DAY_BYTES / UNIT;
export const STATE_BYTES = 32;

/** Little-endian u32 and u16 reads: the protocol's reader, named for the record fields. */
export function u32(b: Uint8Array, at: number): number {
  return getUint(b, at, 4);
}

export function u16(b: Uint8Array, at: number): number {
  return getUint(b, at, 2);
}

/** Writes the low `bytes` bytes of v, little-endian (2 for a u16, 3 for a u24, 4 for a u32). */
export function put(b: Uint8Array, at: number, v: number, bytes: number): void {
  b.set(pack([v, bytes]), at);
}

/** The size of the valid record at `at`, or 0: unknown type, cut off by `end`, or a CRC mismatch. */
export function validAt(b: Uint8Array, at: number, end: number): number {
  // Sizes by type, T_FILE to T_STATE; any other type byte reads undefined, which is not > 0.
  const size = [UNIT, DAY_BYTES, UNIT, STATE_BYTES][b[at] - T_FILE];
  return size > 0 && at + size <= end && crc(b.subarray(at, at + size - 4)) === u32(b, at + size - 4) ? size : 0;
}

/**
 * A sealed record of `size` bytes: `fields` (the protocol's value/size pairs, type byte first)
 * from its start, zeros up to the last 4 bytes, and there the CRC of everything before. Every
 * record is built here, in a new array: a write never sees a buffer that is reused meanwhile.
 */
export function record(size: number, fields: Fields): Uint8Array {
  const r = new Uint8Array(size);
  r.set(pack(fields));
  put(r, size - 4, crc(r.subarray(0, size - 4)), 4);
  return r;
}

/** The open day's hour `hour` as it stands in the counter (an hour never exceeds a u16: Uint16Array). */
export function checkpoint(c: Counter, hour: number): Uint8Array {
  return record(UNIT, [T_CP, 1, hour, 1, c.day, 2, c.offset, 2, c.hours[hour], 2, c.moved, 3]);
}
