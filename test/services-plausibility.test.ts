// The plausibility rules and the day-record parser, as pure functions.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../services/config.ts';
import { HttpError } from '../services/http/router.ts';
import { checkPlausibility, dailyCap, hourlyCadence, machineRegular, manyFullHours, steadyHours, stepsWhileNotWorn, sustainedWalking } from '../services/plausibility.ts';
import { parseDayRecord } from '../services/record.ts';
import { BAD_DAY_FIELDS, BAD_ENVELOPES } from './kits/bad-records.ts';
import { humanHours, makeRecord } from './kits/services.ts';

const limits = DEFAULT_CONFIG.plausibility;

describe('daily cap', () => {
  it('accepts up to the cap and rejects above it', () => {
    expect(dailyCap(60000, 60000)).toBeNull();
    expect(dailyCap(60001, 60000)).toMatchObject({ rule: 'daily_cap', severity: 'reject' });
  });
});

describe('hourly cadence', () => {
  it('rejects an hour above 200 steps/min sustained, naming the hour', () => {
    const hours = humanHours(9000);
    expect(hourlyCadence(hours, 12000)).toBeNull();
    hours[3] = 12001;
    expect(hourlyCadence(hours, 12000)).toMatchObject({ rule: 'hourly_cadence', severity: 'reject', detail: expect.stringContaining('hour 3: 12001') });
 
    hours[7] = 13000;
    expect(hourlyCadence(hours, 12000)?.detail).toBe('above 12000 steps in an hour (hour 3: 12001, hour 7: 13000)');
  });
  it('has nothing to say without hours', () => expect(hourlyCadence(null, 12000)).toBeNull());
});

describe('steps while not worn', () => {
  it('flags steps in an hour the watch reported as not worn', () => {
    const hours = humanHours(9000); // hours 0-6 are empty
    expect(stepsWhileNotWorn(hours, [0, 1, 2])).toBeNull();
    hours[2] = 50;
    expect(stepsWhileNotWorn(hours, [0, 1, 2])).toMatchObject({ rule: 'steps_while_not_worn', severity: 'flag', detail: expect.stringContaining('2') });
  });
});

describe('machine-regular pattern', () => {
  it('flags many near-identical hours (a phone shaker)', () => {
    const shaker = Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 18 ? 1000 + (h % 2) * 10 : 0));
    expect(machineRegular(shaker, 6, 0.05)).toMatchObject({ rule: 'machine_regular', severity: 'flag' });
  });
  it('leaves a human day alone, and too few active hours', () => {
    expect(machineRegular(humanHours(12000), 6, 0.05)).toBeNull();
    const short = Array.from({ length: 24 }, (_, h) => (h < 5 ? 1000 : 0));
    expect(machineRegular(short, 6, 0.05)).toBeNull();
  });
});

/** 24 hours from a map of hour -> steps. */
const day = (steps: Record<number, number>): number[] => Array.from({ length: 24 }, (_, h) => steps[h] ?? 0);

describe('steady hours', () => {
  it('flags five hours that agree within 3%, in any order and with other hours between', () => {
    // a shaker switched on at 9:20 (hour 9 partial), off for lunch, the owner's own walk at 18
    const hours = day({ 9: 4100, 10: 6120, 11: 6000, 12: 900, 13: 6050, 14: 6190, 15: 6080, 18: 2500 });
    expect(steadyHours(hours)).toMatchObject({ rule: 'steady_hours', severity: 'flag', detail: expect.stringContaining('5 hours of 6000-6190') });
  });
  it('needs five such hours, close enough, and busy enough', () => {
    expect(steadyHours(day({ 10: 6000, 11: 6000, 12: 6000, 13: 6000 }))).toBeNull();
    // 6000 and 6400 are 6.5% apart: a person's hours, not a machine's
    expect(steadyHours(day({ 10: 6000, 11: 6100, 12: 6200, 13: 6300, 14: 6400 }))).toBeNull();
    expect(steadyHours(day({ 10: 900, 11: 900, 12: 900, 13: 900, 14: 900 }))).toBeNull();
    expect(steadyHours(humanHours(20000))).toBeNull();
    expect(steadyHours(null)).toBeNull();
  });
});

describe('sustained walking', () => {
  it('flags six hours in a row with at least 1,500 steps each, naming the whole run', () => {
    const hours = day({ 8: 1500, 9: 4000, 10: 2000, 11: 3000, 12: 1800, 13: 1600, 14: 1700, 15: 200 });
    expect(sustainedWalking(hours)).toMatchObject({ rule: 'sustained_walking', severity: 'flag', detail: expect.stringContaining('from 8 to 14 (7 hours') });
  });
  it('leaves a day with an hour of rest in every six alone', () => {
    expect(sustainedWalking(day({ 8: 5000, 9: 5000, 10: 5000, 11: 1499, 12: 5000, 13: 5000, 14: 5000, 15: 5000, 16: 5000 }))).toBeNull();
    expect(sustainedWalking(humanHours(25000))).toBeNull();
    expect(sustainedWalking(null)).toBeNull();
  });
});

describe('many full hours', () => {
  it('flags five hours of at least 3,600 steps anywhere in the day', () => {
    const hours = day({ 7: 3600, 9: 7000, 12: 7100, 15: 6900, 19: 4000 });
    expect(manyFullHours(hours)).toMatchObject({ rule: 'many_full_hours', severity: 'flag', detail: expect.stringContaining('hours 7, 9, 12, 15, 19') });
  });
  it('accepts four, as on a long-walk day', () => {
    expect(manyFullHours(day({ 7: 3600, 9: 7000, 12: 7100, 15: 6900, 19: 3599 }))).toBeNull();
    expect(manyFullHours(null)).toBeNull();
  });
});

describe('checkPlausibility', () => {
  it('leaves the kit\'s human days alone, quiet to very active', () => {
    for (const steps of [2000, 8000, 15000, 25000]) expect(checkPlausibility({ steps, hours: humanHours(steps), notWornHours: [0, 1] }, limits)).toEqual([]);
  });
  it('catches a fixed-rate shaker running 08:30-16:30 by three rules', () => {
    const hours = day({ 8: 3240, 9: 6480, 10: 6480, 11: 6480, 12: 6480, 13: 6480, 14: 6480, 15: 6480, 16: 3240 });
    const f = checkPlausibility({ steps: hours.reduce((a, b) => a + b, 0), hours, notWornHours: [] }, limits);
    expect(f.map((x) => x.rule)).toEqual(['steady_hours', 'sustained_walking', 'many_full_hours']);
  });
  it('lists rejections before flags', () => {
    const hours = humanHours(9000);
    hours[0] = 13000;
    const f = checkPlausibility({ steps: hours.reduce((a, b) => a + b, 0), hours, notWornHours: [0] }, limits);
    expect(f.map((x) => x.rule)).toEqual(['hourly_cadence', 'steps_while_not_worn']);
  });
});

describe('parseDayRecord', () => {
  const good = makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-20', steps: 9000 });
  it('accepts the documented example shape', () => expect(parseDayRecord({ ...good }).steps).toBe(9000));
  it('rejects the total that no longer matches its hours', () => {
    expect(() => parseDayRecord({ ...good, steps: 9001 })).toThrow('hours: add up to 9000, not steps 9001');
  });
  // The table is the contract's (test/day-record.test.ts); here: each problem is a 422 naming the field.
  it.each([...BAD_ENVELOPES, ...BAD_DAY_FIELDS])('rejects by name: %s', (_, patch, field) => {
    let thrown: unknown;
    try {
      parseDayRecord({ ...good, ...patch });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect(thrown).toMatchObject({ status: 422, code: 'invalid_record', details: { field } });
    expect((thrown as HttpError).message.startsWith(field + ': ')).toBe(true);
  });
});
