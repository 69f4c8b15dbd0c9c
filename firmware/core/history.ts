// The history file: a pre-allocated Storage file that is only ever appended to, in 16-byte
// units (records.ts). Flash can only turn 1 bits into 0, so nothing is rewritten in place:
// closed days, open-day checkpoints and counter states are appended into erased bytes. This part
// runs at every boot (every app load on a Bangle); the rarer operations (closing a day,
// compaction, ACK) are in archive.ts, loaded on demand.

import { u16, u32, put32, type Platform } from './platform.ts';
import { begin, erased, seal, stateRecord, validAt, DAY_BYTES, DAY_UNITS, SIGNED, T_CP, T_DAY, T_FILE, T_STATE, UNIT } from './records.ts';

export const FILE_NAMES = ['bushu.hist0', 'bushu.hist1'];
/** 512 units: 40 days (240 units) leave room for about 20 hours of walking's checkpoints. */
export const FILE_BYTES = 8192;

export class History {
  seq = 0;
  counter = 0;
  acked = 0;
  lastSync = 0;
  /** Newest closed day (local day number), -1 when none. */
  lastDay = -1;
  /** Day records in the file. */
  days = 0;
  /** Damaged units found by the last scan (not counting erased ones). */
  bad = 0;
  name = FILE_NAMES[0];
  /** Append position: after the last unit that is not erased. */
  end = 0;
  gen = 0;
  buf: Uint8Array | undefined;
  private badSinceState = 0;
  /** Makes room when the file is full (archive.ts compact, loaded on demand). False: no room. */
  full: () => boolean = () => false;
  /** Scratch for building records: no allocation per write. */
  readonly rec = new Uint8Array(DAY_BYTES);
  readonly p: Platform;

  constructor(p: Platform) {
    this.p = p;
  }

  /** The mapped file. Re-mapped after every write, since a copy (the simulator's) goes stale. */
  file(): Uint8Array {
    if (this.buf === undefined) this.buf = this.p.map(this.name);
    return this.buf === undefined ? new Uint8Array(0) : this.buf;
  }

  /** Drops the mapped file: on Espruino a view of flash costs nothing, in a simulator it is a copy. */
  release(): void {
    this.buf = undefined;
  }

  private generation(name: string): number {
    const b = this.p.map(name);
    if (b === undefined) return -2;
    return b.length > UNIT && b[0] === T_FILE && validAt(this.p, b, 0, b.length) ? u32(b, 4) : -1;
  }

  /**
   * Finds the live file and reads the counters. Both files present means a compaction was cut
   * short: the older one is complete (the old file is erased only after the copy), so the newer
   * is dropped and the compaction redone when space runs out again.
   */
  open(): void {
    const g0 = this.generation(FILE_NAMES[0]);
    const g1 = this.generation(FILE_NAMES[1]);
    let use = g1 > -2 && (g0 === -2 || (g1 >= 0 && (g0 < 0 || g1 < g0))) ? 1 : 0;
    if (g0 > -2 && g1 > -2) this.p.erase(FILE_NAMES[1 - use]);
    this.name = FILE_NAMES[use];
    this.buf = undefined;
    const b = this.file();
    if (b.length !== FILE_BYTES) {
      // Missing, or someone else's file of that name: start afresh (nothing of ours is in it).
      this.p.erase(this.name);
      this.create(this.name);
    }
    this.scan();
  }

  create(name: string): boolean {
    const r = begin(this.rec, T_FILE);
    r[1] = 1;
    put32(r, 4, this.gen);
    const ok = this.p.write(name, seal(this.p, r, UNIT), 0, FILE_BYTES);
    this.buf = undefined;
    this.end = UNIT;
    return ok;
  }

  /** Reads every record: counters are the max over all records, so they never go backwards. */
  scan(): void {
    const b = this.file();
    this.end = 0;
    this.days = 0;
    this.bad = 0;
    this.badSinceState = 0;
    for (let at = 0; at < b.length; ) {
      const size = validAt(this.p, b, at, b.length);
      if (size > 0) {
        this.apply(b, at);
        at += size;
        this.end = at;
      } else {
        if (!erased(b, at)) {
          this.bad++;
          this.badSinceState++;
          this.end = at + UNIT;
        }
        at += UNIT;
      }
    }
    if (this.badSinceState > 0) {
      // A damaged record after the last state may have held the highest seq or counter: skip
      // past any it could have used (a gap, never a repeat), and persist that.
      const lost = Math.ceil(this.badSinceState / DAY_UNITS);
      this.seq += lost;
      this.counter += lost;
      this.saveState();
    }
  }

  private apply(b: Uint8Array, at: number): void {
    const t = b[at];
    if (t === T_DAY) {
      this.seq = Math.max(this.seq, u32(b, at + 4));
      if (b[at + 1] & SIGNED) this.counter = Math.max(this.counter, u32(b, at + 68));
      this.lastDay = Math.max(this.lastDay, u16(b, at + 2));
      this.days++;
    } else if (t === T_STATE) {
      this.seq = Math.max(this.seq, u32(b, at + 4));
      this.counter = Math.max(this.counter, u32(b, at + 8));
      this.acked = Math.max(this.acked, u32(b, at + 12));
      this.lastSync = Math.max(this.lastSync, u32(b, at + 16));
      this.badSinceState = 0;
    } else if (t === T_FILE) {
      this.gen = u32(b, at + 4);
    }
  }

  /** Offset of the next valid record of `type` at or after `at`, or -1. */
  next(at: number, type: number): number {
    const b = this.file();
    while (at < this.end) {
      const size = validAt(this.p, b, at, this.end);
      if (size > 0 && b[at] === type) return at;
      at += size > 0 ? size : UNIT;
    }
    return -1;
  }

  /**
   * Merges the checkpoints of the newest checkpointed day into `hours` (max per hour: later
   * checkpoints of an hour only grow) and returns that day, or -1 when it is already closed.
   * `moved` receives the movement mask in moved[0], the offset in moved[1].
   */
  restore(b: Uint8Array, hours: Uint16Array, moved: Int32Array): number {
    let day = -1;
    for (let at = 0; at < b.length; ) {
      const size = validAt(this.p, b, at, b.length);
      if (size > 0 && b[at] === T_CP) {
        const d = u16(b, at + 2);
        if (d > day) {
          day = d;
          for (let h = 0; h < 24; h++) hours[h] = 0;
          moved[0] = 0;
        }
        if (d === day) {
          const h = b[at + 1];
          if (h < 24 && u16(b, at + 6) > hours[h]) hours[h] = u16(b, at + 6);
          moved[0] |= b[at + 8] | (b[at + 9] << 8) | (b[at + 10] << 16);
          moved[1] = u16(b, at + 4) > 32767 ? u16(b, at + 4) - 65536 : u16(b, at + 4);
        }
      }
      at += size > 0 ? size : UNIT;
    }
    return day > this.lastDay ? day : -1;
  }

  /** Appends a sealed record; compacts first when it does not fit. False when Storage refused. */
  append(r: Uint8Array): boolean {
    if (this.end + r.length > FILE_BYTES) {
      r = new Uint8Array(r); // compaction reuses the scratch buffer this record may be built in
      if (!this.full()) return false;
    }
    const ok = this.p.write(this.name, r, this.end, 0);
    this.buf = undefined;
    // A failed write may have programmed part of the unit: never write there again.
    this.end += ok ? r.length : UNIT * Math.ceil(r.length / UNIT);
    if (ok) this.apply(r, 0);
    return ok;
  }

  saveState(): boolean {
    return this.append(stateRecord(this.p, this.rec, this.seq, this.counter, this.acked, this.lastSync));
  }
}
