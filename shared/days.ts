// Calendar days as the protocol counts them: days since 1970-01-01, local to the watch.
// Integer maths only, because this runs on Espruino, where Date parsing is limited and
// number literals round differently; and a wire day is a u16, so dates run 1970-01-01..2149-06-06.

export const MS_PER_MINUTE = 60000;
export const MS_PER_HOUR = 3600000;
export const MS_PER_DAY = 86400000;
/** The largest day a u16 can carry: 2149-06-06. */
export const MAX_DAY = 65535;

/**
 * Days in a month (1..12): from its first day to the next month's. daysFromCivil takes month 13
 * as January of the next year, and knows the leap years, so no table of month lengths is needed.
 */
export function daysInMonth(year: number, month: number): number {
  return daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1);
}

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Math.floor(x) === x && x - x === 0;
}

/** True when the integers year/month/day name a real date (proleptic Gregorian). */
export function dateExists(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** True when year/month/day are integers that name a real date. */
export function isValidDate(year: number, month: number, day: number): boolean {
  return isInt(year) && isInt(month) && isInt(day) && dateExists(year, month, day);
}

/**
 * Days since 1970-01-01 of a valid date, any year. Counts in 400-year eras (146097 days each)
 * with March as the first month, so the leap day falls at the end of the counting year.
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** The inverse of daysFromCivil. */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day };
}

// Spelled out: Espruino's regular expressions do not support counted quantifiers such as {4}.
const DATE = /^([0-9][0-9][0-9][0-9])-([0-9][0-9])-([0-9][0-9])$/;

/** 'YYYY-MM-DD' to a wire day. Throws RangeError on a malformed, impossible or out-of-range date. */
export function dayNumber(date: string): number {
  const m = typeof date === 'string' ? DATE.exec(date) : null;
  if (m === null) throw new RangeError('date must be YYYY-MM-DD, got ' + JSON.stringify(date));
  const year = parseInt(m[1], 10);
  const month = parseInt(m[2], 10);
  const day = parseInt(m[3], 10);
  if (!isValidDate(year, month, day)) throw new RangeError('no such date: ' + date);
  const n = daysFromCivil(year, month, day);
  if (n < 0 || n > MAX_DAY) throw new RangeError('date out of range 1970-01-01..2149-06-06: ' + date);
  return n;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

/** A wire day to 'YYYY-MM-DD'. Throws RangeError unless day is an integer in 0..65535. */
export function dateString(day: number): string {
  if (!isInt(day) || day < 0 || day > MAX_DAY) throw new RangeError('day must be an integer in 0..' + MAX_DAY + ', got ' + day);
  const c = civilFromDays(day);
  return c.year + '-' + pad2(c.month) + '-' + pad2(c.day);
}

/** Milliseconds since 1970 on the local wall clock. */
export function localMs(utcMs: number, offsetMin: number): number {
  return utcMs + offsetMin * MS_PER_MINUTE;
}

/** The local day (days since 1970-01-01) at utcMs for a UTC offset in minutes east. */
export function localDay(utcMs: number, offsetMin: number): number {
  return Math.floor(localMs(utcMs, offsetMin) / MS_PER_DAY);
}

/** Milliseconds since local midnight, 0..86399999, also before 1970. */
function msIntoLocalDay(utcMs: number, offsetMin: number): number {
  const t = localMs(utcMs, offsetMin) % MS_PER_DAY;
  return t < 0 ? t + MS_PER_DAY : t;
}

/** The local hour 0..23. */
export function localHour(utcMs: number, offsetMin: number): number {
  return Math.floor(msIntoLocalDay(utcMs, offsetMin) / MS_PER_HOUR);
}

/** The local date 'YYYY-MM-DD' at utcMs for a UTC offset in minutes east. */
export function localDate(utcMs: number, offsetMin: number): string {
  return dateString(localDay(utcMs, offsetMin));
}

/** UTC milliseconds at which a local date begins (its local midnight). */
export function localDayStartMs(date: string, offsetMin: number): number {
  return dayNumber(date) * MS_PER_DAY - offsetMin * MS_PER_MINUTE;
}

/** UTC milliseconds at which a local date ends (the next local midnight). */
export function localDayEndMs(date: string, offsetMin: number): number {
  return localDayStartMs(date, offsetMin) + MS_PER_DAY;
}
