// The history file: a pre-allocated Storage file that is only ever appended to, in 16-byte
// units (records.ts). Flash can only turn 1 bits into 0, so nothing is rewritten in place:
// closed days, open-day checkpoints and counter states are appended into erased bytes. This part
// runs at every boot (every app load on a Bangle): one scan, and appending. The rare operations
// (recovering a missing or doubled file, damage after the last state record, closing a day,
// compaction, ACK) are in archive.ts; the boot uses its recovery, the rest is loaded on demand.

import { DayFlag } from '../../shared/protocol/index.ts';
import type { Counter } from './counter.ts';
import { read, write } from './io.ts';
import { u16, u32, validAt, CheckpointAt, DayAt, FileAt, StateAt, T_CP, T_FILE, T_STATE, UNIT } from './records.ts';

export const FILE_NAMES = ['bushu.hist0', 'bushu.hist1'];
/** 512 units: 40 days (240 units) leave room for about 20 hours of walking's checkpoints. */
export const FILE_BYTES = 8192;

export interface History {
  /** The live file, one of FILE_NAMES. */
  name: string;
  /** Counters: the maximum over all records, so they never go backwards. */
  seq: number;
  summaryCounter: number;
  acked: number;
  lastSync: number;
  /** Newest closed day (local day number), -1 when none. */
  lastDay: number;
  /** Day records in the file. */
  days: number;
  gen: number;
  /** The history's epoch (records.ts FileAt.EPOCH): a new one only when the file starts afresh. */
  epoch: number;
  /** Append position: after the last unit that is not erased. */
  end: number;
  /** Damaged units after the last state record (they may have held a higher seq or counter). */
  bad: number;
  /** The mapped file, dropped after every write (a simulator's copy goes stale). */
  mapped?: Uint8Array;
  file(): Uint8Array;
  /** Offset of the next valid record of `type` at or after `at`, or -1. */
  next(at: number, type: number): number;
  /** Appends a sealed record and takes in its counters; compacts first when it does not fit. False when Storage refused. */
  append(r: Uint8Array): boolean;
}

/** `full` makes room when a record does not fit (compaction, on demand); false: no room. */
export function history(full: () => boolean): History {
  const h: History = {
    name: '',
    seq: 0,
    summaryCounter: 0,
    acked: 0,
    lastSync: 0,
    lastDay: -1,
    days: 0,
    gen: 0,
    epoch: 0,
    end: 0,
    bad: 0,
    file: () => h.mapped || (h.mapped = read(h.name) || new Uint8Array(0)),
    next: (at, type) => {
      const b = h.file();
      while (at < h.end) {
        const size = validAt(b, at, h.end);
        if (size && b[at] === type) return at;
        at += size || UNIT;
      }
      return -1;
    },
    append: (r) => {
      if (h.end + r.length > FILE_BYTES && !full()) return false;
      const ok = write(h.name, r, h.end, 0);
      h.mapped = undefined;
      // Records are whole units. A failed write may have programmed part of them: never write there again.
      h.end += r.length;
      if (ok) take(h, r, 0);
      return ok;
    },
  };
  return h;
}

/** Counters and position from one record (the scan, and every append). */
export function take(h: History, b: Uint8Array, at: number): void {
  const t = b[at];
  // The u32 field at `offset`, or `v` when that is higher: counters never go backwards.
  const max = (v: number, offset: number) => Math.max(v, u32(b, at + offset));
  if (t === T_FILE) {
    h.gen = u32(b, at + FileAt.GENERATION);
    h.epoch = u32(b, at + FileAt.EPOCH);
  }
  else if (t !== T_CP) {
    // A day or the counters: both hold a seq, at the same offset.
    h.seq = max(h.seq, DayAt.SEQ);
    if (t === T_STATE) {
      h.summaryCounter = max(h.summaryCounter, StateAt.SUMMARY_COUNTER);
      h.acked = max(h.acked, StateAt.ACKED);
      h.lastSync = max(h.lastSync, StateAt.LAST_SYNC);
      h.bad = 0;
    } else {
      if (b[at + DayAt.FLAGS] & DayFlag.SIGNED) h.summaryCounter = max(h.summaryCounter, DayAt.SUMMARY_COUNTER);
      h.lastDay = Math.max(h.lastDay, u16(b, at + DayAt.DAY));
      h.days++;
    }
  }
}

/**
 * The boot's one pass over the file: the counters, the append position, damaged units, and the
 * open day. Its checkpoints (those of the newest checkpointed day) are merged into the counter,
 * max per hour since later checkpoints of an hour only grow; the steps since the last one are
 * lost. When that day is already closed, nothing is restored: a reboot after midnight, before
 * the first step, would otherwise carry them into the next day.
 */
export function scan(h: History, c: Counter): void {
  const b = h.file();
  const hours = c.hours;
  for (let at = 0; at < b.length; ) {
    let size = validAt(b, at, b.length);
    if (size) {
      take(h, b, at);
      if (b[at] === T_CP) {
        const d = u16(b, at + CheckpointAt.DAY);
        if (d > c.day) c.newDay(d);
        if (d === c.day) {
          const hr = b[at + CheckpointAt.HOUR];
          const n = u16(b, at + CheckpointAt.STEPS);
          if (n > hours[hr]) hours[hr] = n; // (an hour past 23 reads undefined: never)
          c.moved |= u32(b, at + CheckpointAt.MOVED); // a u24: the byte after it is zero
          c.offset = (u16(b, at + CheckpointAt.OFFSET) << 16) >> 16;
        }
      }
    } else {
      // Neither a record nor erased: damage (or foreign bytes), and only this unit is lost.
      for (let i = at; i < at + UNIT; i++) if (b[i] !== 255) size = UNIT;
      if (!size) {
        at += UNIT;
        continue;
      }
      h.bad++;
    }
    at += size;
    h.end = at;
  }
  if (c.day > h.lastDay) {
    for (let i = 0; i < 24; i++) {
      c.steps += hours[i];
      if (hours[i]) c.hour = i; // kept if the clock is now behind the open day
    }
  } else c.newDay(-1);
}
