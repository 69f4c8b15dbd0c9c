// The history file's rarer operations: recovering the file when it is not simply there (first
// start, someone else's file of that name, a compaction cut short) and damage after the last
// state record (both run by the boot), appending a closed day, compaction, ACK (on demand).

import { pack, DayFlag, type Fields } from '../../shared/protocol/index.ts';
import type { Core } from './bushu.ts';
import { FILE_BYTES, FILE_NAMES, type History } from './history.ts';
import { erase, read, write } from './io.ts';
import { checkpoint, record, u32, validAt, DayAt, FileAt, DAY_BYTES, DAY_UNITS, SIGNED_EPOCH, SIGNED_HOURS, STATE_BYTES, T_DAY, T_FILE, T_STATE, UNIT } from './records.ts';
import type { Signer } from './signer.ts';

/** Days kept at compaction, acknowledged or not (the app shows the last 7, a month is promised). */
export const KEEP_DAYS = 40;
/** Un-acknowledged days kept at most (the Info capacity): beyond, the oldest go, to leave room. */
export const MAX_DAYS = 60;

/** Ranks of a file that is not a history file, and of no file, above every u32 generation. */
const FOREIGN = 1e10;
const NO_FILE = 2e10;

/** The counters as a state record. */
function state(h: History): Uint8Array {
  return record(STATE_BYTES, [T_STATE, 1, 0, 3, h.seq, 4, h.summaryCounter, 4, h.acked, 4, h.lastSync, 4]);
}

/** A file's first record: format 1, its generation and the history's epoch. */
function header(gen: number, epoch: number): Uint8Array {
  return record(UNIT, [T_FILE, 1, 1, 1, 0, 2, gen, 4, epoch, 4]);
}

/**
 * Picks the live file, at boot (the scan then reads it). Usually there is exactly one, of the
 * right size, and nothing to do. Both files present means a compaction was cut short: the older
 * one is complete (the old file is erased only after the copy), so the newer is dropped and the
 * compaction redone when space runs out again. A missing file, or someone else's of that name,
 * is started afresh.
 */
export function recover(h: History): void {
  const files = FILE_NAMES.map(read);
  // Per file, lower is better: a history file by its generation, then a foreign one (replaced
  // below), then none. Of two files after a cut compaction, the older (complete) one wins.
  const rank = files.map((b) => (!b ? NO_FILE : b[0] === T_FILE && validAt(b, 0, b.length) ? u32(b, FileAt.GENERATION) : FOREIGN));
  const use = rank[1] < rank[0] ? 1 : 0;
  const live = files[use];
  // The other file exists only when both do.
  if (rank[1 - use] < NO_FILE) erase(FILE_NAMES[1 - use]);
  h.name = FILE_NAMES[use];
  h.mapped = undefined;
  // Writing at offset 0 replaces whatever file has that name. A history starting afresh (first
  // install, a wiped Storage, a foreign file) gets a new random epoch: its seqs start again at 1,
  // and the epoch in Info tells the bridge that its cursor belongs to the history before. (pack
  // keeps the low 32 bits of the random number.)
  if (!live || live.length !== FILE_BYTES) write(h.name, header(h.gen, Math.random() * 4294967296), 0, FILE_BYTES);
}

/**
 * Damaged units after the last state record may have held the highest seq or counter: skip past
 * any they could have used (one per day record's size: a gap, never a repeat), and persist that.
 */
export function damaged(h: History): void {
  const lost = Math.ceil(h.bad / DAY_UNITS);
  h.seq += lost;
  h.summaryCounter += lost;
  h.append(state(h));
}

/**
 * The open day as a sealed day record under `seq`, `closed` (DayFlag.CLOSED) or not, signed (a
 * version 3 summary, `counter`) when the watch has a key. Closing a day appends it; a SEND_OPEN
 * transfer sends it unclosed under seq 0 and the counter the day will close with, and forgets it.
 */
export function dayRecord(b: Core, seq: number, closed: number, counter: number, signer: Signer): Uint8Array {
  const c = b.counter;
  // Bytes [10..12) are unused; the not-worn mask is the hours without movement. The flags are
  // set before signing: the message reads its version and the closed bit from them.
  const f: Fields = [T_DAY, 1, closed | (signer.key ? DayFlag.SIGNED | SIGNED_HOURS | SIGNED_EPOCH : 0), 1, c.day, 2, seq, 4, c.offset, 2, 0, 2, c.steps, 4, ~c.moved & 0xffffff, 4];
  for (let i = 0; i < 24; i++) f.push(c.hours[i], 2);
  // Signed from the record's own bytes, which every transfer rebuilds the message from.
  const day = pack(f);
  const tag = signer.sign(day, counter);
  return record(DAY_BYTES, tag ? [day, DayAt.SUMMARY_COUNTER, counter, 4, tag, 16] : [day, DayAt.SUMMARY_COUNTER]);
}

/** Appends the open day as closed under the next seq. */
export function addDay(b: Core, counter: number, signer: Signer): void {
  b.historyFile.append(dayRecord(b, b.historyFile.seq + 1, DayFlag.CLOSED, counter, signer));
}

/**
 * Writes the live data into the twin file (a new generation), then erases the old one. Returns
 * false (and keeps the current file) when Storage refuses: counting goes on in RAM, compaction
 * is retried. Keeps the newest KEEP_DAYS days, and the un-acknowledged ones among the newest
 * MAX_DAYS. ACKs are cumulative, so acknowledged days are the oldest: they go first.
 * The open day is written from the counter, one checkpoint per hour (it is never behind the
 * file's checkpoints: an hour only grows); hour 23 always, so its movement mask survives.
 * The copy is written directly, not through h.append: `h` describes the old file until the
 * new one is complete, so a failure leaves nothing to undo.
 */
export function compact(b: Core): boolean {
  const h = b.historyFile;
  const c = b.counter;
  const src = h.file();
  const old = h.name;
  const name = FILE_NAMES[old === FILE_NAMES[0] ? 1 : 0];
  let end = 0;
  let ok = true;
  let left = h.days; // days from this one to the newest
  let kept = 0;
  // The first write (the header) creates the file at its full size, replacing any leftover.
  const add = (r: Uint8Array) => {
    ok = ok && write(name, r, end, end ? 0 : FILE_BYTES);
    end += r.length;
  };
  add(header(h.gen + 1, h.epoch));
  add(state(h));
  for (let at = h.next(0, T_DAY); at >= 0; at = h.next(at + DAY_BYTES, T_DAY), left--) {
    if (left <= KEEP_DAYS || (left <= MAX_DAYS && u32(src, at + DayAt.SEQ) > h.acked)) {
      add(src.subarray(at, at + DAY_BYTES));
      kept++;
    }
  }
  // (Not when the counter holds no open day yet: a compaction during the boot's own recovery.)
  for (let i = 0; c.day > h.lastDay && i < 24; i++) if (c.hours[i] || i === 23) add(checkpoint(c, i));
  erase(ok ? old : name);
  if (ok) {
    h.name = name;
    h.gen++;
    h.days = kept;
    h.end = end;
    h.bad = 0;
  }
  h.mapped = undefined;
  return ok;
}

/** Marks every record with seq <= n as acknowledged. */
export function ack(h: History, n: number, nowSec: number): boolean {
  if (n <= h.acked) return true;
  h.acked = n;
  h.lastSync = nowSec;
  return h.append(state(h));
}
