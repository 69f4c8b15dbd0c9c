// Today's steps in local hours, and the day rollover. Steps belong to the local day of the
// watch's clock and offset. The rule when time moves (documented in firmware/README.md):
// - forwards past midnight (midnight itself, a clock set forwards, a zone moved east): the open
//   day closes into the history file under the offset then in force, and the new day opens;
//   days skipped over get no record;
// - backwards (clock set back, zone moved west, a clock reset by battery-out): the open day never
//   goes back. Steps keep going to the newest day opened, in its last hour bucket, until the
//   clock reaches it again; so no day is credited twice and no closed day reopens.

import { localDay, localHour, localMs, MS_PER_HOUR } from '../../shared/days.ts';
import type { History } from './history.ts';
import { checkpoint } from './records.ts';
import type { Platform } from './platform.ts';

/** Sum of absolute per-axis changes (raw counts) that counts as movement: about 0.05 g. */
const MOVED_COUNTS = 400;

export class Counter {
  /** Open local day, -1 before start(). */
  day = -1;
  offset = 0;
  hour = 0;
  steps = 0;
  /** Bit h: movement seen in hour h. */
  moved = 0;
  /** Movement seen in the current hour: the per-sample path looks only at this flag. */
  m = false;
  /** Bit h: hour h changed since the last checkpoint. */
  private dirty = 0;
  readonly hours = new Uint16Array(24);
  private hourStart = 0;
  private hourEnd = -1;
  private lx = 0;
  private ly = 0;
  private lz = 0;
  goal: number;
  onGoal: (() => void) | undefined;
  /** Signs and stores the open day (ext.ts, loaded on demand). */
  closer: () => void = () => {};
  private readonly p: Platform;
  private readonly h: History;

  constructor(p: Platform, h: History, goal: number) {
    this.p = p;
    this.h = h;
    this.goal = goal;
  }

  /** Restores the open day from the checkpoints (the steps since the last one are lost). */
  start(): void {
    const moved = new Int32Array(2);
    this.day = this.h.restore(this.h.file(), this.hours, moved);
    this.steps = 0;
    if (this.day >= 0) {
      for (let i = 0; i < 24; i++) {
        this.steps += this.hours[i];
        if (this.hours[i] > 0) this.hour = i; // kept if the clock is now behind the open day
      }
      this.moved = moved[0];
      this.offset = moved[1];
    } else {
      // restore() may have merged the checkpoints of a day that is already closed into `hours`:
      // they belong to that day, not to the one about to open (a reboot after midnight, before
      // the first step, would otherwise carry them into the next closed day).
      for (let i = 0; i < 24; i++) this.hours[i] = 0;
    }
    this.sync(this.p.now());
  }

  /** New steps from the pedometer. */
  add(n: number): void {
    const t = this.p.now();
    if (t >= this.hourEnd || t < this.hourStart) this.sync(t);
    const before = this.steps;
    this.hours[this.hour] += n;
    this.steps = before + n;
    this.dirty |= 1 << this.hour;
    if (before < this.goal && this.steps >= this.goal && this.onGoal !== undefined) this.onGoal();
  }

  /** Called per sample only until movement is seen in this hour. */
  motion(x: number, y: number, z: number): void {
    if (Math.abs(x - this.lx) + Math.abs(y - this.ly) + Math.abs(z - this.lz) > MOVED_COUNTS && this.lx !== 0) {
      this.m = true;
      this.moved |= 1 << this.hour;
      this.dirty |= 1 << this.hour;
    }
    this.lx = x;
    this.ly = y;
    this.lz = z;
  }

  /** Re-derives day and hour from the clock; closes the open day when the local day moved on. */
  sync(t: number): void {
    const off = this.p.offsetMin();
    const d = localDay(t, off);
    if (this.day < 0) this.day = Math.max(d, this.h.lastDay + 1);
    else if (d > this.day) {
      this.offset = off;
      this.close();
      this.day = d;
    }
    this.offset = off;
    const hour = d < this.day ? this.hour : localHour(t, off);
    if (hour !== this.hour) this.m = false;
    this.hour = hour;
    let into = localMs(t, off) % MS_PER_HOUR;
    if (into < 0) into += MS_PER_HOUR;
    this.hourStart = t - into;
    this.hourEnd = this.hourStart + MS_PER_HOUR;
  }

  /** Writes the open day to history (signed when a key is set) and starts an empty one. */
  private close(): void {
    this.closer();
    for (let i = 0; i < 24; i++) this.hours[i] = 0;
    this.steps = 0;
    this.moved = 0;
    this.dirty = 0;
    this.m = false;
  }

  /** Appends a checkpoint for every hour changed since the last one (one 16-byte unit each). */
  checkpoint(): void {
    for (let i = 0; i < 24; i++) {
      if (this.dirty & (1 << i)) this.h.append(checkpoint(this.p, this.h.rec, this.day, this.offset, i, this.hours[i], this.moved));
    }
    this.dirty = 0;
  }
}
