// Schema migrations. The `schema_version` table holds one row, the number of migrations applied;
// each migration runs in the same transaction as its version bump, so a crash mid-migration
// leaves the file at the old version rather than half-migrated.
import type { Database } from 'better-sqlite3';
import { deliveryKey } from './outbox.ts';

export type Migration = (db: Database) => void;

/** Append only: an existing database replays just the migrations after its version. */
export const MIGRATIONS: Migration[] = [
  (db) => {
    db.exec(`
      CREATE TABLE devices (
        id           TEXT PRIMARY KEY,
        name         TEXT,
        source       TEXT NOT NULL,
        firmware     TEXT,
        last_sync_at INTEGER,
        cursor       INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE days (
        device         TEXT NOT NULL REFERENCES devices(id),
        date           TEXT NOT NULL,
        utc_offset_min INTEGER NOT NULL,
        steps          INTEGER NOT NULL,
        hours          TEXT,              -- JSON array of 24, or NULL
        not_worn_hours TEXT NOT NULL,     -- JSON array of local hours
        closed         INTEGER NOT NULL,
        source         TEXT NOT NULL,
        summary        TEXT,              -- JSON {message, tag}, or NULL
        firmware       TEXT,
        synced_at      INTEGER NOT NULL,
        revision       INTEGER NOT NULL,
        PRIMARY KEY (device, date)
      );
      CREATE TABLE outbox (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        service        TEXT NOT NULL,
        device         TEXT NOT NULL,
        date           TEXT NOT NULL,
        record_version INTEGER NOT NULL,
        key            TEXT NOT NULL UNIQUE,
        body           TEXT NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('pending','delivered','dead','superseded','dropped')),
        attempts       INTEGER NOT NULL DEFAULT 0,
        attempt_base   INTEGER NOT NULL DEFAULT 0,  -- attempts at the last manual retry
        next_at        INTEGER NOT NULL,
        created_at     INTEGER NOT NULL,
        last_error     TEXT,
        delivered_at   INTEGER,
        http_status    INTEGER,
        dead_reason    TEXT,
        UNIQUE (service, device, date, record_version)
      );
      CREATE INDEX outbox_due ON outbox (state, next_at);
      CREATE INDEX outbox_day ON outbox (service, device, date);
    `);
  },
  // Delivery outlasts outages and clock skew: a time budget (failing_since), slow retries of dead
  // letters that ran out of time (dead_retry), the last attempt's time; keys carry a body digest.
  (db) => {
    db.exec(`
      ALTER TABLE outbox ADD COLUMN failing_since INTEGER;
      ALTER TABLE outbox ADD COLUMN last_attempt_at INTEGER;
      ALTER TABLE outbox ADD COLUMN dead_retry INTEGER NOT NULL DEFAULT 0;
    `);
    // Rows the old rules gave up on for reasons that pass (an outage, a clock off by minutes) are
    // retried slowly from now on rather than lost.
    db.exec(`UPDATE outbox SET dead_retry = 1, next_at = 0 WHERE state = 'dead'
             AND (dead_reason LIKE 'gave up after%' OR dead_reason LIKE 'HTTP 401%' OR dead_reason LIKE 'HTTP 5%')`);
    // Rows refused because a reinstalled bridge reused a version's key with another body: the
    // service never accepted this body under any key, so a new key (with the digest) is safe.
    const reused = db.prepare(`SELECT id, service, device, date, record_version, body FROM outbox WHERE state = 'dead' AND dead_reason LIKE '%idempotency_key_reused%'`).all() as {
      id: number; service: string; device: string; date: string; record_version: number; body: string;
    }[];
    const rekey = db.prepare(`UPDATE outbox SET key = ?, state = 'pending', attempt_base = attempts, next_at = 0, dead_reason = NULL WHERE id = ?`);
    for (const r of reused) rekey.run(deliveryKey(r.service, r.device, r.date, r.record_version, r.body), r.id);
  },
  // A watch's history epoch, kept with the cursor it gives meaning to (a wiped watch starts a new
  // epoch and its seqs again at 1); and records the bridge keeps aside instead of storing, so one
  // bad record never blocks a transfer.
  (db) => {
    db.exec(`
      ALTER TABLE devices ADD COLUMN epoch INTEGER;  -- NULL: not known (never synced, or older firmware)
      CREATE TABLE quarantine (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        device         TEXT NOT NULL REFERENCES devices(id),
        epoch          INTEGER,           -- the device's epoch when it was received
        seq            INTEGER NOT NULL,
        date           TEXT NOT NULL,     -- YYYY-MM-DD as the record named it
        raw            TEXT NOT NULL,     -- the record's frames as received, hex (Day, then its Summary)
        reason         TEXT NOT NULL,
        quarantined_at INTEGER NOT NULL,
        UNIQUE (device, raw)
      );
    `);
  },
  // The history epoch each day was read under: a wiped watch's records of the day it was wiped
  // count only the steps after the wipe, and must not replace the old history's higher total.
  (db) => {
    db.exec(`ALTER TABLE days ADD COLUMN epoch INTEGER;  -- NULL: not known (older rows, firmware without epochs, other sources)`);
  },
  // The device → user mapping last configured, so that commands run without the config (the
  // demo's store, `--db` elsewhere) still name each device's user.
  (db) => {
    db.exec(`CREATE TABLE device_users (device TEXT PRIMARY KEY, user_id TEXT NOT NULL);`);
  },
];

export class SchemaError extends Error {}

/** Bring db up to date with `migrations`; returns the resulting version. */
export function migrate(db: Database, migrations: Migration[] = MIGRATIONS): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  if (row === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  const current = row?.version ?? 0;
  if (current > migrations.length) {
    throw new SchemaError(`database schema version ${current} is newer than this bridge understands (${migrations.length}); upgrade bushu`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      migrations[v](db);
      db.prepare('UPDATE schema_version SET version = ?').run(v + 1);
    })();
  }
  return migrations.length;
}
