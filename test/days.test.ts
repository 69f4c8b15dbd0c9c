import { describe, expect, it } from 'vitest';
import { civilFromDays, dateString, dayNumber, localDate, localDay, localDayEndMs, localDayStartMs, localHour, MS_PER_DAY } from '../shared/days.ts';
import { currentTimeToUtcMs, decodeCurrentTime, encodeCurrentTime, utcMsToCurrentTime } from '../shared/protocol/time.ts';
import { GOAL_STEPS } from '../shared/rewards.ts';

/** Date is the reference here only; the code under test never uses it. */
const isoDate = (day: number) => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);

describe('dayNumber and dateString', () => {
  it('match the protocol example and the edges of a u16 day', () => {
    expect(dayNumber('2026-11-21')).toBe(20778);
    expect(dateString(20778)).toBe('2026-11-21');
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dateString(65535)).toBe('2149-06-06');
  });

  it('round-trip every day 1970..2149 and agree with Date', () => {
    const wrong: number[] = [];
    for (let d = 0; d <= 65535; d++) {
      const s = dateString(d);
      if (s !== isoDate(d) || dayNumber(s) !== d) wrong.push(d);
    }
    expect(wrong).toEqual([]);
  });

  it('know the leap days', () => {
    expect(dateString(dayNumber('2024-02-29') + 1)).toBe('2024-03-01');
    expect(dayNumber('2000-02-29')).toBe(11016);
    expect(() => dayNumber('2100-02-29')).toThrow('no such date: 2100-02-29');
    expect(() => dayNumber('2023-02-29')).toThrow(RangeError);
    expect(dayNumber('2100-03-01') - dayNumber('2100-02-28')).toBe(1);
  });

  it('reject malformed, impossible and out-of-range input', () => {
    for (const bad of ['2026-13-01', '2026-00-10', '2026-04-31', '2026-01-00', '2026-1-01', '20260101', ' 2026-01-01', '2026-01-01T00:00', '1969-12-31', '2149-06-07', ''])
      expect(() => dayNumber(bad), bad).toThrow(RangeError);
    expect(() => dayNumber(20778 as unknown as string)).toThrow('date must be YYYY-MM-DD, got 20778');
    for (const bad of [-1, 65536, 1.5, NaN, Infinity]) expect(() => dateString(bad), String(bad)).toThrow(RangeError);
  });

  it('civilFromDays also works before 1970, for clock conversions', () => {
    for (let d = -800000; d < 800000; d += 997) {
      const c = civilFromDays(d);
      const iso = new Date(d * MS_PER_DAY);
      expect([c.year, c.month, c.day]).toEqual([iso.getUTCFullYear(), iso.getUTCMonth() + 1, iso.getUTCDate()]);
    }
  });
});

describe('local day, hour and midnight', () => {
  const utc = (s: string) => Date.parse(s);

  it('follow the offset across midnight, east and west', () => {
    // 23:59:59.999 on the 20th in UTC-5, then midnight of the 21st.
    const before = utc('2026-11-21T04:59:59.999Z');
    expect(localDay(before, -300)).toBe(dayNumber('2026-11-20'));
    expect(localHour(before, -300)).toBe(23);
    expect(localDayEndMs(localDate(before, -300), -300) - before).toBe(1);
    expect(localDay(before + 1, -300)).toBe(dayNumber('2026-11-21'));
    expect(localHour(before + 1, -300)).toBe(0);
    expect(localDayStartMs(localDate(before + 1, -300), -300)).toBe(before + 1);
    // UTC+8: 16:00Z is already tomorrow's midnight.
    expect(localDay(utc('2026-11-20T16:00:00Z'), 480)).toBe(dayNumber('2026-11-21'));
    expect(localDay(utc('2026-11-20T15:59:59Z'), 480)).toBe(dayNumber('2026-11-20'));
    // Near the epoch a negative offset gives a local time before 1970.
    expect(localDay(0, -60)).toBe(-1);
    expect(localHour(0, -60)).toBe(23);
  });

  it('give the UTC bounds of a local date, east and west', () => {
    expect(new Date(localDayStartMs('2026-11-20', 480)).toISOString()).toBe('2026-11-19T16:00:00.000Z');
    expect(new Date(localDayEndMs('2026-11-20', 480)).toISOString()).toBe('2026-11-20T16:00:00.000Z');
    expect(new Date(localDayEndMs('2026-11-20', -300)).toISOString()).toBe('2026-11-21T05:00:00.000Z');
    expect(localDate(Date.parse('2026-11-20T16:00:00Z'), 480)).toBe('2026-11-21');
    expect(localDate(Date.parse('2026-11-21T04:59:59Z'), -300)).toBe('2026-11-20');
  });

  it('agree with a Date reference over many instants and offsets', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      const t = rand(2 ** 31) * 1000 + rand(1000);
      const offset = rand(26 * 60 + 1) - 12 * 60;
      const local = new Date(t + offset * 60000);
      expect(localDay(t, offset)).toBe(Math.floor(local.getTime() / MS_PER_DAY));
      expect(localHour(t, offset)).toBe(local.getUTCHours());
      const next = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1);
      expect(localDayEndMs(localDate(t, offset), offset) - t).toBe(next - local.getTime());
    }
  });
});

describe('Current Time conversions', () => {
  it('local fields to UTC and back, with the weekday', () => {
    const t = utcMsToCurrentTime(Date.parse('2026-11-21T00:30:15.500Z'), 480);
    expect(t).toEqual({ year: 2026, month: 11, day: 21, hours: 8, minutes: 30, seconds: 15, dayOfWeek: 6, fractions256: 128, adjustReason: 0 });
    expect(currentTimeToUtcMs(t, 480)).toBe(Date.parse('2026-11-21T00:30:15.500Z'));
    expect(utcMsToCurrentTime(0, 0).dayOfWeek).toBe(4); // a Thursday
  });

  it('round-trip whole seconds over many years and offsets, through the wire', () => {
    // Through 2099, with a step that visits every hour and weekday over the run.
    for (let s = 720 * 60; s < 4102444800; s += 86399 * 31 + 3601) {
      for (const offset of [-720, -300, 0, 330, 840]) {
        const t = utcMsToCurrentTime(s * 1000, offset);
        expect(currentTimeToUtcMs(t, offset)).toBe(s * 1000);
        // The wire carries the years 2020..2099 only (writes.ts): earlier clocks are refused.
        const wire = decodeCurrentTime(encodeCurrentTime(t));
        if (t.year >= 2020) expect(wire.ok && currentTimeToUtcMs(wire.value, offset)).toBe(s * 1000);
        else expect(wire).toMatchObject({ ok: false, status: 3 });
        expect(t.dayOfWeek).toBe(((new Date((s + offset * 60) * 1000).getUTCDay() + 6) % 7) + 1);
      }
    }
  });
});

describe('rewards', () => {
  it('the daily goal is 8000 steps', () => expect(GOAL_STEPS).toBe(8000));
});
