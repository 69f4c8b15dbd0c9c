// The plausibility rules and the day-record parser, as pure functions.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../services/config.ts';
import { HttpError } from '../services/http/router.ts';
import { checkPlausibility, dailyCap, hourlyCadence, machineRegular, stepsWhileNotWorn } from '../services/plausibility.ts';
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

describe('checkPlausibility', () => {
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
