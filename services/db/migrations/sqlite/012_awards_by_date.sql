-- As PostgreSQL's migration 012: an award's key leads with the date, UNIQUE (date, user_id), so a
-- day's awards share the few pages every delivery of the day writes. SQLite keeps a table's UNIQUE
-- constraint until the table is rebuilt, and payouts refers to awards, so both are rebuilt, their
-- rows copied with their ids (each AUTOINCREMENT sequence carries on from its highest id): the new
-- tables are filled beside the old ones, the old ones dropped (payouts first, the table that
-- refers), and the new ones renamed, which carries the reference along with the name.
CREATE TABLE awards_by_date (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL REFERENCES users(id),
  date TEXT NOT NULL,
  device_id TEXT NOT NULL,
  steps INTEGER NOT NULL,
  amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
  created_at INTEGER NOT NULL,
  UNIQUE (date, user_id)
);
INSERT INTO awards_by_date (id, user_id, date, device_id, steps, amount_fen, created_at)
  SELECT id, user_id, date, device_id, steps, amount_fen, created_at FROM awards;
CREATE TABLE payouts_of_awards (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  award_id INTEGER NOT NULL UNIQUE REFERENCES awards_by_date(id),
  user_id TEXT NOT NULL,
  amount_fen INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'paying', 'paid')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  claimed_at INTEGER,
  paid_at INTEGER,
  created_at INTEGER NOT NULL
);
INSERT INTO payouts_of_awards (id, award_id, user_id, amount_fen, state, attempts, last_error, claimed_at, paid_at, created_at)
  SELECT id, award_id, user_id, amount_fen, state, attempts, last_error, claimed_at, paid_at, created_at FROM payouts;
DROP TABLE payouts;
DROP TABLE awards;
ALTER TABLE awards_by_date RENAME TO awards;
ALTER TABLE payouts_of_awards RENAME TO payouts;
CREATE INDEX payouts_due ON payouts (state, id);
