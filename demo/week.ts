// The simulated week: seven local days ending with "today", which is still in progress when the
// simulation stops (at END_LOCAL_HOUR). Chosen once, from the real date of the first run, and
// saved in DATA/demo.json so every later run replays exactly the same dates.
import { dateString, localDay, MS_PER_DAY, MS_PER_MINUTE } from '../shared/days.ts';

export const WEEK_DAYS = 7;
/** UTC+8: the watches' zone. A fixed zone keeps the demo independent of the host's zone. */
export const DEMO_UTC_OFFSET_MIN = 480;
/** Local hour at which the simulation stops on the last day ("today", still open). */
export const END_LOCAL_HOUR = 18;

export interface Week {
  utcOffsetMin: number;
  days: number[]; // wire days (days since 1970-01-01, local), oldest first; the last is today
  endMs: number; // UTC ms at which the simulation stops, inside the last day
}

export function chooseWeek(realNowMs: number, utcOffsetMin = DEMO_UTC_OFFSET_MIN): Week {
  const today = localDay(realNowMs, utcOffsetMin);
  return weekEnding(today, utcOffsetMin);
}

export function weekEnding(today: number, utcOffsetMin: number): Week {
  const days: number[] = [];
  for (let d = today - WEEK_DAYS + 1; d <= today; d++) days.push(d);
  return { utcOffsetMin, days, endMs: localToUtc(today, END_LOCAL_HOUR * 60, utcOffsetMin) };
}

/** UTC ms of a local wall time (minutes after local midnight) on a wire day. */
export function localToUtc(day: number, minuteOfDay: number, utcOffsetMin: number): number {
  return day * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE - utcOffsetMin * MS_PER_MINUTE;
}

export function weekDates(week: Week): string[] {
  return week.days.map(dateString);
}

/** Start of the first simulated day, local midnight, as UTC ms. */
export function weekStartMs(week: Week): number {
  return localToUtc(week.days[0], 0, week.utcOffsetMin);
}
