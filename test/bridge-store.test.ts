import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../bridge/store/schema.ts';
import { DayInputError, Store, StoreError, type DayInput } from '../bridge/store/store.ts';
import { BAD_DAY_FIELDS } from './kits/bad-records.ts';
import { DEV_A, DEV_B, dayInput } from './kits/days.ts';

let dir = '';
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bushu-store-'));
  store = Store.open(join(dir, 'nested', 'bushu.db'), { services: ['walkcoin'], users: { [DEV_A]: 'alice', [DEV_B]: 'alice' } });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Store.open', () => {
  it('creates directories, uses WAL and records the schema version', () => {
    expect(store.journalMode()).toBe('wal');
    const db = new Database(join(dir, 'nested', 'bushu.db'), { readonly: true });
    expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({ version: MIGRATIONS.length });
    db.close();
  });

  it('remembers the users the config named, for commands run without it', () => {
    const path = join(dir, 'nested', 'bushu.db');
    store.commitSync(DEV_A, [dayInput()], 3, 1000);
    store.close();
    // --db without a config (or a config naming no users): the mapping last configured
    store = Store.open(path, { services: ['walkcoin'], users: {} });
    expect(store.userDays('alice').map((d) => d.device)).toEqual([DEV_A]);
    expect(store.devices().map((d) => d.user)).toEqual(['alice']);
    store.close();
    // a config that names users replaces it
    store = Store.open(path, { services: ['walkcoin'], users: { [DEV_A]: 'bao' } });
    store.close();
    store = Store.open(path, { services: ['walkcoin'] });
    expect(store.devices().map((d) => d.user)).toEqual(['bao']);
    expect(() => store.userDays('alice')).toThrow(/unknown user "alice"/);
  });

  it('works in memory', () => {
    const mem = Store.open(':memory:', { services: ['a'] });
    expect(mem.commitSync(DEV_A, [dayInput()], 3, 1000)).toEqual({ changedDays: 1, queued: 1 });
    mem.close();
  });

  it('reopens an existing file, keeping data, and runs only the new migrations', () => {
    const path = join(dir, 'nested', 'bushu.db');
    store.commitSync(DEV_A, [dayInput()], 3, 1000);
    store.close();
    const db = new Database(path);
    let ran = 0;
    const extra = [...MIGRATIONS, (d: Database.Database) => (ran++, d.exec('ALTER TABLE devices ADD COLUMN note TEXT'))];
    expect(migrate(db, extra)).toBe(MIGRATIONS.length + 1);
    expect(migrate(db, extra)).toBe(MIGRATIONS.length + 1);
    expect(ran).toBe(1);
    db.close();
    // The newer file is refused by this bridge, with a clear message.
    expect(() => Store.open(path)).toThrow(`schema version ${MIGRATIONS.length + 1} is newer than this bridge understands (${MIGRATIONS.length})`);
    store = Store.open(':memory:');
  });

  it('gives a clear error for a file that is not a database', () => {
    const path = join(dir, 'junk.db');
    writeFileSync(path, 'this is not sqlite, not at all, no, not even close'.repeat(50));
    expect(() => Store.open(path)).toThrow(StoreError);
    expect(() => Store.open(path)).toThrow(/cannot open database .*junk\.db: file is not a database/);
  });
});

describe('commitSync', () => {
  it('stores days, queues one row per service and advances the cursor, in one transaction', () => {
    store.configure({ services: ['walkcoin', 'stepbank'] });
    expect(store.commitSync(DEV_A, [dayInput(), dayInput({ date: '2026-11-21', steps: 5 })], 7, 5000)).toEqual({ changedDays: 2, queued: 4 });
    expect(store.cursor(DEV_A)).toBe(7);
    expect(store.devices()[0]).toMatchObject({ id: DEV_A, lastSyncAt: 5000, cursor: 7, user: 'alice', firmware: '0.2.0' });
    // Each key ends with the digest of its own body (deliveryKey).
    expect(store.outbox().map((r) => r.key)).toEqual([
      `bushu:walkcoin:${DEV_A}:2026-11-20:1`,
      `bushu:stepbank:${DEV_A}:2026-11-20:1`,
      `bushu:walkcoin:${DEV_A}:2026-11-21:1`,
      `bushu:stepbank:${DEV_A}:2026-11-21:1`,
    ].map((prefix, i) => `${prefix}:${createHash('sha256').update(store.outbox()[i].body).digest('hex').slice(0, 16)}`));
    const body = JSON.parse(store.outbox()[0].body);
    expect(body).toEqual({
      schema: 1, recordVersion: 1, user: 'alice', device: DEV_A, source: 'bushu', date: '2026-11-20', utcOffsetMin: 480, steps: 1000,
      hours: null, notWornHours: [], closed: false, summary: null, firmware: '0.2.0', syncedAt: '1970-01-01T00:00:05.000Z',
    });
  });

  it('rolls everything back when one day is bad', () => {
    expect(() => store.commitSync(DEV_A, [dayInput(), dayInput({ steps: -1 })], 9, 1)).toThrow('days[1].steps: must be a non-negative integer');
    expect(() => store.commitSync(DEV_A, [dayInput({ device: DEV_B })], 9, 1)).toThrow(DayInputError);
    expect(() => store.commitSync(DEV_A, [dayInput({ hours: [1, 2] })], 9, 1)).toThrow('days[0].hours: must be 24 non-negative integers or null');
    expect(() => store.commitSync(DEV_A, [dayInput({ date: '2026-02-30' })], 9, 1)).toThrow('days[0].date: no such date: 2026-02-30');
    expect(store.cursor(DEV_A)).toBe(0);
    expect(store.day(DEV_A, '2026-11-20')).toBeUndefined();
    expect(store.outbox()).toEqual([]);
  });

  // The table is the contract's (test/day-record.test.ts); here: each problem is a DayInputError naming where.
  it.each(BAD_DAY_FIELDS)('refuses a day by field: %s', (_, patch, field) => {
    const bad = dayInput(patch as Partial<DayInput>);
    expect(() => store.commitSync(DEV_A, [dayInput(), bad], 9, 1)).toThrow(DayInputError);
    expect(() => store.commitSync(DEV_A, [dayInput(), bad], 9, 1)).toThrow(new RegExp(`^days\\[1\\]\\.${field.replace('.', '\\.')}: `));
    expect(store.day(DEV_A, '2026-11-20')).toBeUndefined();
  });

  it('never moves the cursor backwards', () => {
    store.commitSync(DEV_A, [], 10, 1);
    store.commitSync(DEV_A, [], 4, 2);
    store.commitSync(DEV_A, [], null, 3);
    expect(store.cursor(DEV_A)).toBe(10);
    expect(store.devices()[0].lastSyncAt).toBe(3);
  });

  it('restarts the cursor only with a new epoch, and keeps the days stored', () => {
    store.commitSync(DEV_A, [dayInput()], 10, 1);
    expect(store.epoch(DEV_A)).toBeNull();
    store.setEpoch(DEV_A, 0xfeedbeef, false);
    expect([store.epoch(DEV_A), store.cursor(DEV_A)]).toEqual([0xfeedbeef, 10]);
    store.setEpoch(DEV_A, 7, true);
    expect([store.epoch(DEV_A), store.cursor(DEV_A)]).toEqual([7, 0]);
    expect(store.devices()[0]).toMatchObject({ epoch: 7, cursor: 0 });
    expect(store.day(DEV_A, '2026-11-20')!.steps).toBe(dayInput().steps);
    store.commitSync(DEV_A, [], 2, 2);
    expect(store.cursor(DEV_A)).toBe(2);
    expect(() => store.setEpoch(DEV_B, 1, true)).toThrow(StoreError);
    expect(() => store.setEpoch(DEV_A, -1, true)).toThrow(DayInputError);
    expect(() => store.setEpoch(DEV_A, 2 ** 32, true)).toThrow(DayInputError);
  });

  it('keeps quarantined records once, with the epoch in force, in the same transaction as the cursor', () => {
    store.commitSync(DEV_A, [], 0, 1);
    store.setEpoch(DEV_A, 5, false);
    const q = { seq: 3, date: '2026-11-20', raw: '0101030000', reason: 'hours: add up to 1, not steps 2' };
    store.commitSync(DEV_A, [dayInput()], 4, 2, [q]);
    store.commitSync(DEV_A, [], 4, 3, [q]); // re-sent after a crash before the ACK
    expect(store.quarantined()).toEqual([{ id: 1, device: DEV_A, epoch: 5, ...q, quarantinedAt: 2 }]);
    expect(() => store.commitSync(DEV_A, [], 9, 4, [{ ...q, seq: -1 }])).toThrow(DayInputError);
    expect(() => store.commitSync(DEV_A, [], 9, 4, [{ ...q, reason: '' }])).toThrow(DayInputError);
    expect(store.cursor(DEV_A)).toBe(4);
  });

  it('queues nothing for a day that did not change', () => {
    store.commitSync(DEV_A, [dayInput()], 1, 1);
    expect(store.commitSync(DEV_A, [dayInput()], 2, 2)).toEqual({ changedDays: 0, queued: 0 });
    expect(store.outbox()).toHaveLength(1);
  });

  it('never reopens a closed day', () => {
    store.commitSync(DEV_A, [dayInput({ steps: 900, closed: true })], 1, 1);
    expect(store.commitSync(DEV_A, [dayInput({ steps: 950, closed: false })], 2, 2).changedDays).toBe(0);
    expect(store.day(DEV_A, '2026-11-20')).toMatchObject({ steps: 900, closed: true });
  });

  it('the open day: each newer provisional total supersedes the older, the closed record supersedes them all', () => {
    const hours = (h: number, n: number) => new Array(24).fill(0).map((_, i) => (i === h ? n : 0));
    store.commitSync(DEV_A, [dayInput({ steps: 300, hours: hours(8, 300), closed: false })], null, 1, [], 7);
    store.commitSync(DEV_A, [dayInput({ steps: 500, hours: hours(8, 500), closed: false })], null, 2, [], 7);
    expect(store.day(DEV_A, '2026-11-20')).toMatchObject({ steps: 500, hours: hours(8, 500), closed: false, revision: 2, epoch: 7 });
    store.commitSync(DEV_A, [dayInput({ steps: 520, hours: hours(8, 520), closed: true })], 1, 3, [], 7);
    expect(store.day(DEV_A, '2026-11-20')).toMatchObject({ steps: 520, closed: true, revision: 3 });
    // A late provisional total (a crash re-sent it) never reopens it.
    expect(store.commitSync(DEV_A, [dayInput({ steps: 500, hours: hours(8, 500), closed: false })], null, 4, [], 7).changedDays).toBe(0);
    expect(store.outbox().map((o) => o.recordVersion)).toEqual([1]); // nobody tried to send: one row, rewritten in place
    expect(JSON.parse(store.outbox()[0].body)).toMatchObject({ steps: 520, closed: true });
  });

  it('a day of two watch histories (wiped that day) keeps the one with more steps, whichever is newer', () => {
    store.commitSync(DEV_A, [dayInput({ steps: 6000, closed: false })], null, 1, [], 7);
    // The new history (epoch 8) counts only the steps after the wipe: its lower totals, open or closed, are not stored.
    expect(store.commitSync(DEV_A, [dayInput({ steps: 1500, closed: false })], null, 2, [], 8).changedDays).toBe(0);
    expect(store.commitSync(DEV_A, [dayInput({ steps: 1800, closed: true })], 1, 3, [], 8).changedDays).toBe(0);
    expect(store.day(DEV_A, '2026-11-20')).toMatchObject({ steps: 6000, closed: false, epoch: 7, revision: 1 });
    // The old history's closed total is never overwritten by the new one's lower steps either.
    store.commitSync(DEV_A, [dayInput({ date: '2026-11-21', steps: 9000, closed: true })], 2, 4, [], 7);
    expect(store.commitSync(DEV_A, [dayInput({ date: '2026-11-21', steps: 40, closed: true })], 1, 5, [], 8).changedDays).toBe(0);
    expect(store.day(DEV_A, '2026-11-21')).toMatchObject({ steps: 9000, epoch: 7 });
    // More steps in the new history: it is kept, open or closed; equal steps: a closed record over an open one.
    expect(store.commitSync(DEV_A, [dayInput({ steps: 6001, closed: false })], null, 6, [], 8).changedDays).toBe(1);
    expect(store.day(DEV_A, '2026-11-20')).toMatchObject({ steps: 6001, epoch: 8 });
    store.commitSync(DEV_A, [dayInput({ date: '2026-11-22', steps: 700, closed: false })], null, 7, [], 8);
    expect(store.commitSync(DEV_A, [dayInput({ date: '2026-11-22', steps: 700, closed: true })], null, 8, [], 9).changedDays).toBe(1);
    // An unknown epoch (firmware before epochs, other sources) keeps the plain rules.
    expect(store.commitSync(DEV_A, [dayInput({ date: '2026-11-21', steps: 10, closed: true })], null, 9, [], null).changedDays).toBe(1);
  });
});

describe('outbox coalescing', () => {
  it('rewrites a pending row nobody tried to send, keeping its version', () => {
    store.commitSync(DEV_A, [dayInput({ steps: 10 })], 1, 1);
    store.commitSync(DEV_A, [dayInput({ steps: 20 }), dayInput({ steps: 30 })], 3, 2);
    const rows = store.outbox();
    expect(rows).toHaveLength(1);
    expect(rows[0].recordVersion).toBe(1);
    expect(JSON.parse(rows[0].body).steps).toBe(30);
  });

  it('adds a new version once the pending one was attempted, superseding it', () => {
    store.commitSync(DEV_A, [dayInput({ steps: 10 })], 1, 1);
    const first = store.beginAttempt(store.outbox()[0].id)!;
    store.commitSync(DEV_A, [dayInput({ steps: 20 })], 2, 2);
    const [a, b] = store.outbox();
    expect(a).toMatchObject({ id: first.id, state: 'superseded', body: first.body });
    expect(b).toMatchObject({ state: 'pending', recordVersion: 2, key: expect.stringMatching(new RegExp(`^bushu:walkcoin:${DEV_A}:2026-11-20:2:[0-9a-f]{16}$`)) });
    // The old request still answering 200 is recorded as delivered; a retry mark is ignored.
    store.markRetry(a.id, 99, 'late');
    store.markDelivered(a.id, 200, 5);
    expect(store.outboxRow(a.id)).toMatchObject({ state: 'delivered', httpStatus: 200 });
  });

  it('keeps giving new versions after delivery', () => {
    store.commitSync(DEV_A, [dayInput({ steps: 10 })], 1, 1);
    const id = store.outbox()[0].id;
    store.beginAttempt(id);
    store.markDelivered(id, 200, 2);
    store.commitSync(DEV_A, [dayInput({ steps: 20 })], 2, 3);
    expect(store.outbox().map((r) => [r.recordVersion, r.state])).toEqual([[1, 'delivered'], [2, 'pending']]);
  });

  it('gives a service added to the config rows for new changes only', () => {
    store.commitSync(DEV_A, [dayInput({ steps: 10 })], 1, 1);
    store.configure({ services: ['walkcoin', 'stepbank'] });
    store.commitSync(DEV_A, [dayInput({ steps: 20 })], 2, 2);
    expect(store.outbox().map((r) => `${r.service}:${r.recordVersion}`)).toEqual(['walkcoin:1', 'stepbank:1']);
  });
});

describe('outbox states', () => {
  it('moves rows through due, retry, dead, revived and dropped', () => {
    store.commitSync(DEV_A, [dayInput(), dayInput({ date: '2026-11-21' })], 2, 100);
    const [a, b] = store.dueDeliveries(100, 10);
    expect(store.dueDeliveries(99, 10)).toEqual([]);
    store.beginAttempt(a.id);
    store.markRetry(a.id, 500, 'HTTP 503');
    expect(store.dueDeliveries(200, 10).map((r) => r.id)).toEqual([b.id]);
    expect(store.nextDueAfter(200)).toBe(500);
    store.deadLetter(a.id, 'HTTP 400: bad date');
    expect(store.outbox({ state: 'dead' })).toMatchObject([{ id: a.id, deadReason: 'HTTP 400: bad date', attempts: 1 }]);
    expect(store.retryDead('all')).toBe(1);
    expect(store.outboxRow(a.id)).toMatchObject({ state: 'pending', attempts: 1, attemptsInBudget: 0, nextAt: 0 });
    expect(store.drop(b.id)).toBe(true);
    expect(store.drop(b.id)).toBe(false);
    expect(store.outboxCounts()).toMatchObject({ pending: 1, dropped: 1, dead: 0 });
  });

  it('does not revive a dead version that has a newer one behind it', () => {
    store.commitSync(DEV_A, [dayInput({ steps: 1 })], 1, 1);
    const old = store.outbox()[0];
    store.beginAttempt(old.id);
    store.deadLetter(old.id, 'HTTP 422');
    store.commitSync(DEV_A, [dayInput({ steps: 2 })], 2, 2);
    expect(store.retryDead(old.id)).toBe(0);
    expect(store.outboxRow(old.id)!.state).toBe('superseded');
  });

  it('an attempted row keeps its body even after a manual retry', () => {
    store.commitSync(DEV_A, [dayInput({ steps: 1 })], 1, 1);
    const row = store.outbox()[0];
    store.beginAttempt(row.id);
    store.deadLetter(row.id, 'gave up');
    store.retryDead(row.id);
    store.commitSync(DEV_A, [dayInput({ steps: 2 })], 2, 2);
    expect(store.outboxRow(row.id)).toMatchObject({ state: 'superseded', body: row.body });
  });
});

describe('several wearables of one user', () => {
  it('takes the maximum per day, never the sum', () => {
    store.commitSync(DEV_A, [dayInput({ steps: 4000 }), dayInput({ date: '2026-11-21', steps: 100 })], 2, 1);
    store.commitSync(DEV_B, [dayInput({ device: DEV_B, steps: 6000, source: 'wechat' }), dayInput({ device: DEV_B, date: '2026-11-21', steps: 100 })], 2, 1);
    expect(store.userDays('alice')).toEqual([
      { date: '2026-11-20', steps: 6000, device: DEV_B },
      { date: '2026-11-21', steps: 100, device: DEV_A },
    ]);
    expect(store.userDays('alice', '2026-11-21', '2026-11-21')).toHaveLength(1);
    expect(() => store.userDays('bob')).toThrow('unknown user "bob"');
  });
});
