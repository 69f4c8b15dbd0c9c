// Upgrading a bridge database made under the old delivery rules (schema 1): the rows those rules
// gave up on for passing reasons come back, and rows refused for a reused key get a new key.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { deliveryKey } from '../bridge/store/outbox.ts';
import { MIGRATIONS, migrate } from '../bridge/store/schema.ts';

describe('outbox migration 2', () => {
  it('retries old dead letters that ran out of attempts or met clock skew; re-keys those refused for a reused key', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 1));
    const insert = db.prepare(`INSERT INTO outbox (service, device, date, record_version, key, body, state, attempts, next_at, created_at, dead_reason)
                               VALUES ('reward', 'c0ffee000001', ?, 1, ?, '{"steps":1}', 'dead', ?, 5, 0, ?)`);
    insert.run('2026-11-17', 'k17', 10, 'gave up after 10 attempts; last: HTTP 503');
    insert.run('2026-11-18', 'k18', 1, 'HTTP 401: {"error":"bad_webhook_signature","message":"webhook-timestamp is in the future (600 s)"}');
    insert.run('2026-11-19', 'k19', 1, 'HTTP 422: {"error":"idempotency_key_reused"}');
    insert.run('2026-11-20', 'k20', 1, 'HTTP 422: {"error":"implausible"}');
    expect(migrate(db)).toBe(MIGRATIONS.length);
    const rows = db.prepare('SELECT date, key, state, dead_retry, next_at, attempts, attempt_base FROM outbox ORDER BY date').all();
    expect(rows).toEqual([
      { date: '2026-11-17', key: 'k17', state: 'dead', dead_retry: 1, next_at: 0, attempts: 10, attempt_base: 0 },
      { date: '2026-11-18', key: 'k18', state: 'dead', dead_retry: 1, next_at: 0, attempts: 1, attempt_base: 0 },
      { date: '2026-11-19', key: deliveryKey('reward', 'c0ffee000001', '2026-11-19', 1, '{"steps":1}'), state: 'pending', dead_retry: 0, next_at: 0, attempts: 1, attempt_base: 1 },
      { date: '2026-11-20', key: 'k20', state: 'dead', dead_retry: 0, next_at: 5, attempts: 1, attempt_base: 0 },
    ]);
  });
});

describe('migration 3: history epoch and quarantine', () => {
  it('keeps every device and its cursor, with the epoch not known yet, and an empty quarantine the store then fills', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 2));
    db.prepare(`INSERT INTO devices (id, source, cursor) VALUES ('c0ffee000001', 'bushu', 17)`).run();
    expect(migrate(db, MIGRATIONS.slice(0, 3))).toBe(3);
    expect(db.prepare('SELECT id, cursor, epoch FROM devices').all()).toEqual([{ id: 'c0ffee000001', cursor: 17, epoch: null }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM quarantine').get()).toEqual({ n: 0 });
    const keep = db.prepare(`INSERT INTO quarantine (device, epoch, seq, date, raw, reason, quarantined_at) VALUES ('c0ffee000001', NULL, 3, '2026-11-20', 'aa', 'r', 0)`);
    keep.run();
    expect(() => keep.run()).toThrow(/UNIQUE/); // one row per record, however often it is re-sent
  });
});

describe('migration 4: the epoch of each day', () => {
  it('keeps every day, with its epoch not known', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 3));
    db.prepare(`INSERT INTO devices (id, source) VALUES ('c0ffee000001', 'bushu')`).run();
    db.prepare(`INSERT INTO days (device, date, utc_offset_min, steps, hours, not_worn_hours, closed, source, summary, firmware, synced_at, revision)
                VALUES ('c0ffee000001', '2026-11-20', 480, 9000, NULL, '[]', 1, 'bushu', NULL, NULL, 0, 1)`).run();
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT date, steps, epoch FROM days').all()).toEqual([{ date: '2026-11-20', steps: 9000, epoch: null }]);
  });
});
