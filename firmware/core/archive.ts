// The history file's rarer operations, kept out of the boot code: recovering the file when it is
// not simply there (first start, someone else's file of that name, a compaction cut short),
// damage after the last state record, appending a closed day, compaction, ACK.

import type { Core } from './bushu.ts';
import { FILE_BYTES, FILE_NAMES, type History } from './history.ts';
import { erase, read, write } from './io.ts';
import { begin, checkpoint, put, seal, u32, validAt, CLOSED, DAY_BYTES, DAY_UNITS, SIGNED, STATE_BYTES, T_DAY, T_FILE, T_STATE, UNIT } from './records.ts';

/** Days kept at compaction, acknowledged or not (the app shows the last 7, a month is promised). */
export const KEEP_DAYS = 40;
/** Un-acknowledged days kept at most (the Info capacity): beyond, the oldest go, to leave room. */
export const MAX_DAYS = 60;

export function saveState(h: History): boolean {
  const r = begin(T_STATE);
  put(r, 4, h.seq, 4);
  put(r, 8, h.counter, 4);
  put(r, 12, h.acked, 4);
  put(r, 16, h.lastSync, 4);
  return h.append(seal(STATE_BYTES));
}

/** A new, empty history file: its header under the current generation. */
function create(h: History, name: string): boolean {
  const r = begin(T_FILE);
  r[1] = 1;
  put(r, 4, h.gen, 4);
  const ok = write(name, seal(UNIT), 0, FILE_BYTES);
  h.buf = undefined;
  h.end = UNIT;
  return ok;
}

/** -2: no file; -1: not a history file; else its generation. */
function generation(name: string): number {
  const b = read(name);
  if (!b) return -2;
  return b.length > UNIT && b[0] === T_FILE && validAt(b, 0, b.length) ? u32(b, 4) : -1;
}

/**
 * Picks the live file when the boot did not find exactly one of the right size. Both files
 * present means a compaction was cut short: the older one is complete (the old file is erased
 * only after the copy), so the newer is dropped and the compaction redone when space runs out
 * again. A missing file, or someone else's of that name, is started afresh.
 */
export function recover(h: History): void {
  const g0 = generation(FILE_NAMES[0]);
  const g1 = generation(FILE_NAMES[1]);
  const use = g1 > -2 && (g0 === -2 || (g1 >= 0 && (g0 < 0 || g1 < g0))) ? 1 : 0;
  if (g0 > -2 && g1 > -2) erase(FILE_NAMES[1 - use]);
  h.name = FILE_NAMES[use];
  h.buf = undefined;
  if (h.file().length !== FILE_BYTES) {
    erase(h.name);
    create(h, h.name);
  }
}

/**
 * Damaged units after the last state record may have held the highest seq or counter: skip past
 * any they could have used (one per day record's size: a gap, never a repeat), and persist that.
 */
export function damaged(h: History): void {
  const lost = Math.ceil(h.bad / DAY_UNITS);
  h.seq += lost;
  h.counter += lost;
  saveState(h);
}

/** Appends the open day as closed under the next seq, signed when `tag` is given. */
export function addDay(b: Core, counter: number, tag: Uint8Array | undefined): void {
  const c = b.c;
  const r = begin(T_DAY);
  r[1] = CLOSED | (tag ? SIGNED : 0);
  put(r, 2, c.day, 2);
  put(r, 4, b.h.seq + 1, 4);
  put(r, 8, c.offset, 2);
  put(r, 12, c.steps, 4);
  put(r, 16, ~c.moved & 0xffffff, 4); // not-worn: the hours without movement
  for (let i = 0; i < 24; i++) put(r, 20 + i * 2, c.hours[i], 2);
  if (tag) {
    put(r, 68, counter, 4);
    r.set(tag, 72);
  }
  b.h.append(seal(DAY_BYTES));
}

/**
 * Copies the live data into the twin file, then erases the old one. Returns false (and keeps
 * the current file) when Storage refuses: counting goes on in RAM, compaction is retried.
 * Keeps at least KEEP_DAYS days, and every un-acknowledged day up to MAX_DAYS. ACKs are
 * cumulative, so acknowledged days are the oldest and dropping the oldest drops them first.
 * The open day is written from the counter, one checkpoint per hour (it is never behind the
 * file's checkpoints: an hour only grows); hour 23 always, so its movement mask survives.
 */
export function compact(b: Core): boolean {
  const h = b.h;
  const c = b.c;
  const src = h.file();
  const old = h.name;
  const before = Object.assign({}, h);
  let unacked = 0;
  for (let at = h.next(0, T_DAY); at >= 0; at = h.next(at + DAY_BYTES, T_DAY)) if (u32(src, at + 4) > h.acked) unacked++;
  let drop = h.days - Math.min(Math.max(KEEP_DAYS, unacked), MAX_DAYS);
  h.name = FILE_NAMES[old === FILE_NAMES[0] ? 1 : 0];
  erase(h.name);
  h.gen++;
  let ok = create(h, h.name) && saveState(h);
  h.days = 0;
  for (let at = 0; ok && at < src.length; ) {
    const size = validAt(src, at, src.length);
    if (size === DAY_BYTES && drop-- <= 0) ok = h.append(src.subarray(at, at + size));
    at += size || UNIT;
  }
  // (Not when the counter holds no open day yet: a compaction during the boot's own recovery.)
  for (let i = 0; ok && c.day > h.lastDay && i < 24; i++) {
    if (c.hours[i] || i === 23) ok = h.append(checkpoint(c.day, c.offset, i, c.hours[i], c.moved));
  }
  if (!ok) {
    erase(h.name);
    Object.assign(h, before);
    h.buf = undefined;
    return false;
  }
  erase(old);
  return true;
}

/** Marks every record with seq <= n as acknowledged. */
export function ack(h: History, n: number, nowSec: number): boolean {
  if (n <= h.acked) return true;
  h.acked = n;
  h.lastSync = nowSec;
  return saveState(h);
}
