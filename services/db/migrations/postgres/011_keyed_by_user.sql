-- Every key is keyed by user, so that a PostgreSQL-compatible distributed database (Citus, for one)
-- can shard the data by user_id: such a database enforces a primary key, a unique constraint or a
-- foreign key between two sharded tables only if it holds the shard key. docs/api.md, "Distribution
-- key", says which table is sharded how and which statements cross shards. The keys keep their
-- leading columns, so every query keeps its index (test/services-query-plans.test.ts).
--
-- A device belongs to one user for good: a user-sharded devices table cannot enforce that a device
-- id is unique across users, so device_owners does. It is written once per device, at registration,
-- and is small: on a distributed database, a reference table (a copy on every node).
CREATE TABLE device_owners (
  device_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  UNIQUE (device_id, user_id)
);
INSERT INTO device_owners (device_id, user_id) SELECT id, user_id FROM devices;
ALTER TABLE reward_days DROP CONSTRAINT reward_days_device_id_fkey;
ALTER TABLE devices DROP CONSTRAINT devices_pkey, ADD CONSTRAINT devices_pkey PRIMARY KEY (id, user_id),
  ADD CONSTRAINT devices_owner_fkey FOREIGN KEY (id, user_id) REFERENCES device_owners (device_id, user_id);
-- A day's key (device, date, user): a device's days are still one range of the key, read as
-- before (and still index-only: migration 010), and the device's user is fixed by device_owners.
CREATE UNIQUE INDEX reward_days_key_by_user ON reward_days (device_id, date, user_id) INCLUDE (record_version, counter, closed, steps, epoch, key_id);
ALTER TABLE reward_days DROP CONSTRAINT reward_days_pkey, ADD CONSTRAINT reward_days_pkey PRIMARY KEY USING INDEX reward_days_key_by_user;
ALTER TABLE reward_days ADD CONSTRAINT reward_days_device_fkey FOREIGN KEY (device_id, user_id) REFERENCES devices (id, user_id);
ALTER TABLE social_days DROP CONSTRAINT social_days_pkey, ADD CONSTRAINT social_days_pkey PRIMARY KEY (device_id, date, user_id);
-- An award is still one per user-day (UNIQUE (user_id, date)) and its payout one per award.
ALTER TABLE payouts DROP CONSTRAINT payouts_award_id_fkey, DROP CONSTRAINT payouts_award_id_key;
ALTER TABLE awards DROP CONSTRAINT awards_pkey, ADD CONSTRAINT awards_pkey PRIMARY KEY (id, user_id);
ALTER TABLE payouts DROP CONSTRAINT payouts_pkey, ADD CONSTRAINT payouts_pkey PRIMARY KEY (id, user_id),
  ADD CONSTRAINT payouts_award_key UNIQUE (award_id, user_id),
  ADD CONSTRAINT payouts_award_fkey FOREIGN KEY (award_id, user_id) REFERENCES awards (id, user_id);
