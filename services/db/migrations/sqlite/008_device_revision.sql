-- The same column as on PostgreSQL, where the reward service's two-round-trip acceptance compares
-- it. SQLite runs every delivery in one write transaction under the database lock and does not use it.
ALTER TABLE devices ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
