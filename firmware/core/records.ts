// The on-flash record layout of the history file (see firmware/README.md, "History file").
// Every record starts on a 16-byte unit, starts with its type byte and ends with a CRC-32 of the
// rest, so a scanner can skip a damaged unit and pick up the next good record: corruption costs
// only the records it touches. The type byte doubles as the format version (0xB1 is "day, v1").

import { put16, put32, u32, type Platform } from './platform.ts';

export const UNIT = 16;
/** File header: [1] format 1, [4..8) generation. */
export const T_FILE = 0xb0;
/** A closed day: [1] flags, [2..4) day, [4..8) seq, [8..10) offset, [12..16) steps,
 * [16..20) not-worn mask, [20..68) 24 hourly u16, [68..72) summary counter, [72..88) tag. */
export const T_DAY = 0xb1;
/** Open-day checkpoint: [1] hour, [2..4) day, [4..6) offset, [6..8) steps in that hour, [8..11) moved mask. */
export const T_CP = 0xb2;
/** Counters: [4..8) seq, [8..12) summary counter, [12..16) acked seq, [16..20) last sync (UTC s). */
export const T_STATE = 0xb3;

export const DAY_BYTES = 96;
export const DAY_UNITS = DAY_BYTES / UNIT;

/** Flags of a day record (the same bits as the protocol's Day record). */
export const CLOSED = 1;
export const SIGNED = 2;

/** Record length in bytes by type byte; 0 for anything else (erased, foreign, damaged). */
export function recordSize(type: number): number {
  if (type === T_DAY) return DAY_BYTES;
  if (type === T_STATE) return 32;
  return type === T_FILE || type === T_CP ? UNIT : 0;
}

/** The size of the valid record at `at`, or 0: unknown type, cut off by `end`, or a CRC mismatch. */
export function validAt(p: Platform, b: Uint8Array, at: number, end: number): number {
  const size = recordSize(b[at]);
  if (size === 0 || at + size > end) return 0;
  return p.crc32(b.subarray(at, at + size - 4)) >>> 0 === u32(b, at + size - 4) ? size : 0;
}

/** Writes the CRC of a record built in `rec`. */
export function seal(p: Platform, rec: Uint8Array, size: number): Uint8Array {
  put32(rec, size - 4, p.crc32(rec.subarray(0, size - 4)));
  return rec.subarray(0, size);
}

/** A unit of 0xFF bytes: never written, so it may be programmed. */
export function erased(b: Uint8Array, at: number): boolean {
  for (let i = at; i < at + UNIT; i++) if (b[i] !== 255) return false;
  return true;
}

/** Starts a record in the scratch buffer: zeroes it and sets the type. */
export function begin(rec: Uint8Array, type: number): Uint8Array {
  for (let i = 0; i < rec.length; i++) rec[i] = 0;
  rec[0] = type;
  return rec;
}

export function checkpoint(p: Platform, rec: Uint8Array, day: number, offsetMin: number, hour: number, steps: number, moved: number): Uint8Array {
  begin(rec, T_CP);
  rec[1] = hour;
  put16(rec, 2, day);
  put16(rec, 4, offsetMin);
  put16(rec, 6, steps > 65535 ? 65535 : steps);
  rec[8] = moved & 255;
  rec[9] = (moved >> 8) & 255;
  rec[10] = (moved >> 16) & 255;
  return seal(p, rec, UNIT);
}

export function stateRecord(p: Platform, rec: Uint8Array, seq: number, counter: number, acked: number, lastSync: number): Uint8Array {
  begin(rec, T_STATE);
  put32(rec, 4, seq);
  put32(rec, 8, counter);
  put32(rec, 12, acked);
  put32(rec, 16, lastSync);
  return seal(p, rec, 32);
}
