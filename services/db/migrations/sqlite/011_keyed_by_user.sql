-- PostgreSQL's migration 011 keys every table by user, for a distributed database to shard it by
-- user_id. SQLite is never sharded; it takes the same keys where statements shared by both
-- dialects name them (the days' ON CONFLICT targets, and device_owners, which registration writes),
-- and keeps its single-column ids elsewhere: awards and payouts number their rows with
-- AUTOINCREMENT, which only a one-column INTEGER PRIMARY KEY has, and a device id stays unique in
-- devices itself. A table's primary key cannot be changed in SQLite without rebuilding the table:
-- the two days tables are rebuilt, their rows copied as they are.
CREATE TABLE device_owners (
  device_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  UNIQUE (device_id, user_id)
);
INSERT INTO device_owners (device_id, user_id) SELECT id, user_id FROM devices;

CREATE TABLE reward_days_by_user (
  device_id TEXT NOT NULL REFERENCES devices(id),
  date TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  record_version INTEGER NOT NULL,
  source TEXT NOT NULL,
  utc_offset_min INTEGER NOT NULL,
  steps INTEGER NOT NULL,
  hours TEXT,
  not_worn TEXT NOT NULL,
  closed INTEGER NOT NULL,
  counter INTEGER,
  status TEXT NOT NULL,
  reasons TEXT NOT NULL,
  firmware TEXT,
  synced_at TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  key_id TEXT,
  epoch INTEGER,
  PRIMARY KEY (device_id, date, user_id)
);
INSERT INTO reward_days_by_user (device_id, date, user_id, record_version, source, utc_offset_min, steps, hours, not_worn, closed,
    counter, status, reasons, firmware, synced_at, received_at, key_id, epoch)
  SELECT device_id, date, user_id, record_version, source, utc_offset_min, steps, hours, not_worn, closed,
    counter, status, reasons, firmware, synced_at, received_at, key_id, epoch FROM reward_days;
DROP TABLE reward_days;
ALTER TABLE reward_days_by_user RENAME TO reward_days;

CREATE TABLE social_days_by_user (
  device_id TEXT NOT NULL,
  date TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  record_version INTEGER NOT NULL,
  source TEXT NOT NULL,
  utc_offset_min INTEGER NOT NULL,
  steps INTEGER NOT NULL,
  hours TEXT,
  status TEXT NOT NULL,
  reasons TEXT NOT NULL,
  firmware TEXT,
  synced_at TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  epoch INTEGER,
  counter INTEGER,
  PRIMARY KEY (device_id, date, user_id)
);
INSERT INTO social_days_by_user (device_id, date, user_id, record_version, source, utc_offset_min, steps, hours, status, reasons,
    firmware, synced_at, received_at, epoch, counter)
  SELECT device_id, date, user_id, record_version, source, utc_offset_min, steps, hours, status, reasons,
    firmware, synced_at, received_at, epoch, counter FROM social_days;
DROP TABLE social_days;
ALTER TABLE social_days_by_user RENAME TO social_days;
CREATE INDEX social_days_user_date ON social_days (user_id, date);
