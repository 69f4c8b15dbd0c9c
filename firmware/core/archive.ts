// The history file's rarer operations, kept out of the boot code (they run at midnight, when
// the file is full, or when the bridge ACKs): appending a closed day, compaction, ACK.

import type { History } from './history.ts';
import { FILE_NAMES } from './history.ts';
import { put16, put32, u32 } from './platform.ts';
import { begin, checkpoint, seal, validAt, CLOSED, DAY_BYTES, SIGNED, T_DAY, UNIT } from './records.ts';

/** Days kept at compaction, acknowledged or not (the app shows the last 7, a month is promised). */
export const KEEP_DAYS = 40;
/** Un-acknowledged days kept at most (the Info capacity): beyond, the oldest go, to leave room. */
export const MAX_DAYS = 60;

/** Appends a closed day under the next seq; returns the seq, or 0 when Storage refused it. */
export function addDay(h: History, day: number, offsetMin: number, steps: number, notWorn: number, hours: Uint16Array, counter: number, tag: Uint8Array | undefined): number {
  const r = begin(h.rec, T_DAY);
  const seq = h.seq + 1;
  r[1] = CLOSED | (tag === undefined ? 0 : SIGNED);
  put16(r, 2, day);
  put32(r, 4, seq);
  put16(r, 8, offsetMin);
  put32(r, 12, steps);
  put32(r, 16, notWorn);
  for (let i = 0; i < 24; i++) put16(r, 20 + i * 2, hours[i]);
  put32(r, 68, counter);
  if (tag !== undefined) r.set(tag, 72);
  return h.append(seal(h.p, r, DAY_BYTES)) ? seq : 0;
}

/**
 * Copies the live data into the twin file, then erases the old one. Returns false (and keeps
 * the current file) when Storage refuses: counting goes on in RAM, compaction is retried.
 * Keeps at least KEEP_DAYS days, and every un-acknowledged day up to MAX_DAYS. ACKs are
 * cumulative, so acknowledged days are the oldest and dropping the oldest drops them first.
 */
export function compact(h: History): boolean {
  const p = h.p;
  const src = h.file();
  const old = h.name;
  const hours = new Uint16Array(24);
  const moved = new Int32Array(2);
  const open = h.restore(src, hours, moved);
  let unacked = 0;
  for (let at = h.next(0, T_DAY); at >= 0; at = h.next(at + DAY_BYTES, T_DAY)) if (u32(src, at + 4) > h.acked) unacked++;
  let drop = h.days - Math.min(Math.max(KEEP_DAYS, unacked), MAX_DAYS);
  h.name = FILE_NAMES[old === FILE_NAMES[0] ? 1 : 0];
  p.erase(h.name);
  h.gen++;
  let ok = h.create(h.name) && h.saveState();
  h.days = 0;
  for (let at = 0; ok && at < src.length; ) {
    const size = validAt(p, src, at, src.length);
    if (size === DAY_BYTES && src[at] === T_DAY && drop-- <= 0) ok = h.append(src.subarray(at, at + size));
    at += size > 0 ? size : UNIT;
  }
  // The open day's merged checkpoints; hour 23 always, so its movement mask survives.
  for (let i = 0; ok && open >= 0 && i < 24; i++) {
    if (hours[i] > 0 || i === 23) ok = h.append(checkpoint(p, h.rec, open, moved[1], i, hours[i], moved[0]));
  }
  if (!ok) {
    p.erase(h.name);
    h.name = old;
    h.buf = undefined;
    h.scan();
    return false;
  }
  p.erase(old);
  return true;
}

/** Marks every record with seq <= n as acknowledged. */
export function ack(h: History, n: number, nowSec: number): boolean {
  if (n <= h.acked) return true;
  h.acked = n;
  h.lastSync = nowSec;
  return h.saveState();
}
