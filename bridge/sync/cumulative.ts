// Day totals from a counter that only knows "steps today": WeChat 0xFEE7 FEA1 and InfiniTime's
// motion service. A pure function of (state, reading), so it is tested by tables.
//
// Rules (dates are the host's local dates at the time of the reading):
// - Within a day, the count going down is a reset (reboot, battery): a new segment starts and
//   adds to what the day already had. today = base + (count - segmentStart).
// - At the first reading of a new date, yesterday's total is final (closed) and a "stale" phase
//   starts. A band resets at its own midnight, which can lag ours (its clock drifts, or it only
//   resets on its next wake-up). For STALE_WINDOW_MS (10 min) after midnight, a reading that is
//   still >= yesterday's last count is yesterday's count: it is credited to yesterday (its total
//   becomes that count) and never to today. The phase ends when the count drops (the band reset:
//   today counts from 0), or when the window passes without a drop (the band does not reset by
//   itself: today counts on from yesterday's last count, so yesterday is never counted twice).
// - The first reading ever is credited to today, except inside the window, where it is taken as
//   possibly stale and only becomes the baseline.

import { MS_PER_DAY, MS_PER_MINUTE, dateString, localDay, localMs } from '../../shared/days.ts';

export const STALE_WINDOW_MS = 10 * MS_PER_MINUTE;

export interface CounterState {
  /** Local day (days since 1970) the state is about, or -1 before the first reading. */
  day: number;
  /** Steps of `day` from segments that ended in a reset. */
  base: number;
  /** Raw count where the current segment started. */
  segmentStart: number;
  /** Last raw count seen, or null when none today. */
  last: number | null;
  /** True until the count has dropped (or the window passed) after midnight. */
  stale: boolean;
  /** Yesterday's credited total (updated by stale readings). */
  yesterday: number;
}

export const EMPTY_COUNTER: CounterState = { day: -1, base: 0, segmentStart: 0, last: null, stale: false, yesterday: 0 };

export interface Reading {
  count: number;
  utcMs: number;
  /** Host UTC offset in minutes east at the reading. */
  offsetMin: number;
}

export interface DayTotal {
  date: string;
  steps: number;
  closed: boolean;
  utcOffsetMin: number;
}

export function applyReading(prev: CounterState, r: Reading): { state: CounterState; totals: DayTotal[] } {
  const day = localDay(r.utcMs, r.offsetMin);
  const sinceMidnight = localMs(r.utcMs, r.offsetMin) - day * MS_PER_DAY;
  const inWindow = sinceMidnight < STALE_WINDOW_MS;
  const totals: DayTotal[] = [];
  let s = { ...prev };

  if (s.day === -1) {
    s = inWindow ? { day, base: 0, segmentStart: r.count, last: r.count, stale: true, yesterday: 0 } : { day, base: 0, segmentStart: 0, last: r.count, stale: false, yesterday: 0 };
    totals.push(total(s, day, r));
    return { state: s, totals };
  }
  if (day < s.day) return { state: s, totals }; // the host clock went back past midnight: ignore until it catches up

  if (day > s.day) {
    const final = today(s);
    if (s.last !== null || s.base > 0) totals.push({ date: dateString(s.day), steps: final, closed: true, utcOffsetMin: r.offsetMin });
    const lastCount = s.last ?? s.segmentStart;
    // More than a day passed without readings: nothing is known of the days between.
    s = { day, base: 0, segmentStart: lastCount, last: null, stale: day === prev.day + 1, yesterday: final };
    if (!s.stale) s.segmentStart = 0;
  }

  if (s.stale) {
    if (r.count >= s.segmentStart && inWindow) {
      // Still yesterday's count: yesterday grows, today stays at 0.
      const grown = s.yesterday + (r.count - s.segmentStart);
      if (grown !== s.yesterday) totals.push({ date: dateString(day - 1), steps: grown, closed: true, utcOffsetMin: r.offsetMin });
      s.yesterday = grown;
      s.segmentStart = r.count;
      s.last = null;
      totals.push(total(s, day, r));
      return { state: s, totals };
    }
    s.stale = false;
    if (r.count < s.segmentStart) s.segmentStart = 0; // it reset: today counts from 0
    // else the window passed without a reset: today counts on from yesterday's last count
  } else if (s.last !== null && r.count < s.last) {
    s.base += s.last - s.segmentStart; // a reset within the day: close the segment
    s.segmentStart = 0;
  }
  s.last = r.count;
  totals.push(total(s, day, r));
  return { state: s, totals };
}

function today(s: CounterState): number {
  return s.base + (s.last === null ? 0 : s.last - s.segmentStart);
}

function total(s: CounterState, day: number, r: Reading): DayTotal {
  return { date: dateString(day), steps: today(s), closed: false, utcOffsetMin: r.offsetMin };
}
