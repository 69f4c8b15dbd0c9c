-- The reward days' key carries what acceptance decides on (ingest.ts DAY_COLUMNS), so the signed
-- neighbours of a new day are read from the key alone (an index-only scan, once VACUUM has marked
-- the table's pages all-visible, as autovacuum does). Otherwise the device's last stored day is
-- one more page to read: a table page of its own, written a day or months ago, that no other
-- delivery of the hour touches. With 10,000 users x 365 days stored and the default 128 MB of
-- shared buffers, that was about one block read from outside the buffers for every device.
CREATE UNIQUE INDEX reward_days_key ON reward_days (device_id, date) INCLUDE (record_version, counter, closed, steps, epoch, key_id);
ALTER TABLE reward_days DROP CONSTRAINT reward_days_pkey, ADD CONSTRAINT reward_days_pkey PRIMARY KEY USING INDEX reward_days_key;
