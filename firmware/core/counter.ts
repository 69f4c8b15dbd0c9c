// Today's steps in local hours, and the day rollover. Steps belong to the local day of the
// watch's clock and offset. The rule when time moves (documented in firmware/README.md):
// - forwards past midnight (midnight itself, a clock set forwards, a zone moved east): the open
//   day closes into the history file under the offset then in force, and the new day opens;
//   days skipped over get no record;
// - backwards (clock set back, zone moved west, a clock reset by battery-out): the open day never
//   goes back. Steps keep going to the newest day opened, in its last hour bucket, until the
//   clock reaches it again; so no day is credited twice and no closed day reopens.

import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../../shared/days.ts';
import type { History } from './history.ts';
import { offsetMin } from './io.ts';
import { checkpoint } from './records.ts';

/** Sum of absolute per-axis changes (raw counts) that counts as movement: about 0.05 g. */
const MOVED_COUNTS = 400;

export interface Counter {
  /** Open local day, -1 before the first sync. */
  day: number;
  /** UTC offset in force, minutes east. */
  offset: number;
  hour: number;
  steps: number;
  /** Bit h: movement seen in hour h. */
  moved: number;
  /** Movement seen in the current hour: the per-sample path looks only at this flag. */
  movedThisHour: boolean;
  readonly hours: Uint16Array;
  /** When the current local hour ends (ms, on the clock of the last sync): the tick fires just after. */
  end: number;
  goal: number;
  onGoal?: () => void;
  /** New steps from the pedometer. */
  add(n: number): void;
  /** Called per sample only until movement is seen in this hour. */
  motion(x: number, y: number, z: number): void;
  /** Empties the counter for day `d` (-1: no open day). */
  newDay(d: number): void;
  /** Re-derives day and hour from the clock; closes the open day when the local day moved on. */
  sync(t: number): void;
  /** Appends a checkpoint for every hour changed since the last one (one 16-byte unit each). */
  checkpoint(): void;
}

/** `close` signs and stores the open day (the on-demand half), before it is emptied. */
export function counter(h: History, goal: number, close: () => void): Counter {
  // Per-sample and per-hour state nobody else reads stays in this closure.
  let dirty = 0; // bit h: hour h changed since the last checkpoint
  let hourStart = 0;
  let lx = 0;
  let ly = 0;
  let lz = 0;
  const c: Counter = {
    day: -1,
    offset: 0,
    hour: 0,
    steps: 0,
    moved: 0,
    movedThisHour: false,
    hours: new Uint16Array(24),
    end: -1,
    goal: goal,
    add: (n) => {
      const t = Date.now();
      if (t >= c.end || t < hourStart) c.sync(t);
      const before = c.steps;
      const g = c.goal;
      c.hours[c.hour] += n;
      c.steps = before + n;
      dirty |= 1 << c.hour;
      if (before < g && c.steps >= g && c.onGoal) c.onGoal();
    },
    motion: (x, y, z) => {
      if ((x > lx ? x - lx : lx - x) + (y > ly ? y - ly : ly - y) + (z > lz ? z - lz : lz - z) > MOVED_COUNTS && lx !== 0) {
        c.movedThisHour = true;
        c.moved |= 1 << c.hour;
        dirty |= 1 << c.hour;
      }
      lx = x;
      ly = y;
      lz = z;
    },
    newDay: (d) => {
      c.hours.fill(0);
      c.steps = 0;
      c.moved = 0;
      dirty = 0;
      c.movedThisHour = false;
      c.day = d;
    },
    sync: (t) => {
      const off = offsetMin();
      const local = t + off * MS_PER_MINUTE; // localMs, written out: one call fewer per sync
      const d = Math.floor(local / MS_PER_DAY);
      const into = local - d * MS_PER_DAY; // since local midnight: never negative, also before 1970
      c.offset = off;
      if (c.day < 0) c.day = Math.max(d, h.lastDay + 1);
      else if (d > c.day) {
        close();
        c.newDay(d);
      }
      const hour = d < c.day ? c.hour : Math.floor(into / MS_PER_HOUR);
      if (hour !== c.hour) c.movedThisHour = false;
      c.hour = hour;
      hourStart = t - (into % MS_PER_HOUR);
      c.end = hourStart + MS_PER_HOUR;
    },
    checkpoint: () => {
      for (let i = 0; i < 24; i++) if (dirty & (1 << i)) h.append(checkpoint(c, i));
      dirty = 0;
    },
  };
  return c;
}
