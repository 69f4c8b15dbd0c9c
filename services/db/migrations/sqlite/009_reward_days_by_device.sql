-- A user's reward days are read through the user's devices (devices_user, then the day's primary
-- key on device and date): a device belongs to one user for good (registry.ts refuses to move it)
-- and a reward day is stored only for the record's own device and user (ingest.ts checkRegistry).
-- This index was one more leaf written at every accepted day, in a different place of the file
-- for every user: with a year of days stored, a page read and, after every checkpoint, written
-- again whole (SQLite's checkpoint, PostgreSQL's full-page image), for reads the device key serves.
DROP INDEX reward_days_user_date;
