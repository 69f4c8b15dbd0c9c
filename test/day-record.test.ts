// The day-record contract both sides share (shared/record): every bad field is named, the record
// is built in the documented order, and the identifiers are checked in one place.
import { describe, expect, it } from 'vitest';
import { dayProblems, dayRecord, isDeviceId, isUserId, normalizedRecord, recordProblems, type DayFields } from '../shared/record/index.ts';
import { BAD_DAY_FIELDS, BAD_ENVELOPES } from './kits/bad-records.ts';
import { makeRecord } from './kits/services.ts';

const good = makeRecord({ user: 'alice', device: 'a1a1a1a1a1a1', date: '2026-11-20', steps: 9000 });
const { schema, recordVersion, user, syncedAt, ...day } = good;

describe('recordProblems', () => {
  it('finds nothing wrong with a sound record', () => {
    expect(recordProblems(good)).toEqual([]);
    expect(recordProblems({ ...good, hours: null, summary: { message: 'AB'.repeat(19), tag: 'cd'.repeat(16) }, firmware: null })).toEqual([]);
    expect(recordProblems({ ...good, firmware: 'v2 β ✓ 🚶' })).toEqual([]);
  });

  it.each([...BAD_ENVELOPES, ...BAD_DAY_FIELDS])('names the field: %s', (_, patch, field) => {
    const problems = recordProblems({ ...good, ...patch });
    expect(problems.map((p) => p.field)).toEqual([field]);
    expect(problems[0].rule).toMatch(/\S/);
  });

  it('returns every problem, in the order of the documented fields', () => {
    const problems = recordProblems({ ...good, schema: 2, date: '2026-13-01', steps: -5, syncedAt: 7 });
    expect(problems.map((p) => p.field)).toEqual(['schema', 'date', 'steps', 'syncedAt']);
    expect(problems[2]).toEqual({ field: 'steps', rule: 'must be a non-negative integer, at most 10000000' });
  });

  it('reports missing fields too', () => {
    expect(recordProblems({}).map((p) => p.field)).toEqual([
      'schema', 'recordVersion', 'user', 'device', 'source', 'date', 'utcOffsetMin', 'steps', 'hours', 'notWornHours', 'closed', 'summary', 'firmware', 'syncedAt',
    ]);
  });
});

describe('dayProblems', () => {
  it.each(BAD_DAY_FIELDS)('names the field of a day: %s', (_, patch, field) => {
    expect(dayProblems({ ...day, ...patch }).map((p) => p.field)).toEqual([field]);
  });

  it('leaves the envelope to the services', () => expect(dayProblems({ ...day, user: "x'", schema: 9 } as DayFields)).toEqual([]));

  it('says why a date is wrong', () => {
    expect(dayProblems({ ...day, date: '2026-02-30' })).toEqual([{ field: 'date', rule: 'no such date: 2026-02-30' }]);
  });
});

describe('dayRecord', () => {
  it('builds the fields in the order of docs/day-record.md, from a wider row', () => {
    const row = { ...day, revision: 4, syncedAt: 5 };
    const record = dayRecord(row, { user: 'alice', recordVersion: 3, syncedAt: '2026-11-21T17:02:03.000Z' });
    expect(Object.keys(record)).toEqual([
      'schema', 'recordVersion', 'user', 'device', 'source', 'date', 'utcOffsetMin', 'steps', 'hours', 'notWornHours', 'closed', 'summary', 'firmware', 'syncedAt',
    ]);
    expect(record).toMatchObject({ schema: 1, recordVersion: 3, user: 'alice', steps: 9000, syncedAt: '2026-11-21T17:02:03.000Z' });
    expect(recordProblems(record)).toEqual([]);
  });

  it('normalizedRecord keeps only documented fields and lower-cases the summary', () => {
    const sent = { ...good, summary: { message: 'AB'.repeat(19), tag: 'CD'.repeat(16) }, extra: 'dropped' };
    expect(normalizedRecord(sent)).toEqual({ ...good, summary: { message: 'ab'.repeat(19), tag: 'cd'.repeat(16) } });
  });
});

describe('identifiers', () => {
  it('a device id is 12 lower-case hex digits', () => {
    expect(isDeviceId('c0ffee000001')).toBe(true);
    for (const bad of ['C0FFEE000001', 'c0ffee00001', 'c0ffee0000011', 'c0:ff:ee:00:00:01', 12, null]) expect(isDeviceId(bad)).toBe(false);
  });

  it('a user id is 1-64 safe characters starting with a letter or digit', () => {
    for (const ok of ['alice', 'a', 'bob.smith@example.com', '7-x_y', 'a'.repeat(64)]) expect(isUserId(ok)).toBe(true);
    for (const bad of ['', '_alice', 'a'.repeat(65), "alice'", 'al ice', 42]) expect(isUserId(bad)).toBe(false);
  });
});
