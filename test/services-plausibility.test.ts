// The plausibility rules and the day-record parser, as pure functions.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../services/config.ts';
import { HttpError } from '../services/http/router.ts';
import { checkPlausibility, dailyCap, hourlyCadence, machineRegular, stepsWhileNotWorn } from '../services/plausibility.ts';
import { localDayEndMs, parseDayRecord } from '../services/record.ts';
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
  const reject = (patch: Record<string, unknown>, field: string) => {
    try {
      parseDayRecord({ ...good, ...patch });
    } catch (err) {
      expect(err).toBeInstanceOf(HttpError);
      expect((err as HttpError).details.field).toBe(field);
      return;
    }
    throw new Error('accepted ' + JSON.stringify(patch));
  };
  it('accepts the documented example shape', () => expect(parseDayRecord({ ...good }).steps).toBe(9000));
  it('rejects each malformed field by name', () => {
    reject({ schema: 2 }, 'schema');
    reject({ user: "alice'; DROP TABLE users; --" }, 'user');
    reject({ device: "a1' OR '1'='1" }, 'device');
    reject({ date: '2026-02-30' }, 'date');
    reject({ utcOffsetMin: 900 }, 'utcOffsetMin');
    reject({ steps: -1 }, 'steps');
    reject({ hours: [1, 2, 3] }, 'hours');
    reject({ steps: 9001 }, 'hours'); // hours no longer add up
    reject({ notWornHours: [24] }, 'notWornHours');
    reject({ summary: { message: 'zz', tag: 'aa' } }, 'summary.message');
    reject({ syncedAt: 'yesterday' }, 'syncedAt');
  });
  it('computes the local end of a day from its offset', () => {
    expect(new Date(localDayEndMs('2026-11-20', 480)).toISOString()).toBe('2026-11-20T16:00:00.000Z');
    expect(new Date(localDayEndMs('2026-11-20', -300)).toISOString()).toBe('2026-11-21T05:00:00.000Z');
  });
});
