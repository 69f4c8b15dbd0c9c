-- bushu services schema, PostgreSQL. Kept column for column equal to the SQLite one. Times are Unix milliseconds; JSON columns are TEXT.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  utc_offset_min INTEGER NOT NULL DEFAULT 480,
  created_at BIGINT NOT NULL
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  key_hex TEXT,
  last_counter BIGINT,
  created_at BIGINT NOT NULL
);
CREATE TABLE friendships (
  user_id TEXT NOT NULL REFERENCES users(id),
  friend_id TEXT NOT NULL REFERENCES users(id),
  PRIMARY KEY (user_id, friend_id),
  CHECK (user_id <> friend_id)
);
CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
  status INTEGER,
  response TEXT,
  locked_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE TABLE reward_days (
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
  counter BIGINT,
  status TEXT NOT NULL,
  reasons TEXT NOT NULL,
  firmware TEXT,
  synced_at TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (device_id, date)
);
CREATE INDEX reward_days_user_date ON reward_days(user_id, date);
CREATE TABLE awards (
  id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  date TEXT NOT NULL,
  device_id TEXT NOT NULL,
  steps INTEGER NOT NULL,
  amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
  created_at BIGINT NOT NULL,
  UNIQUE (user_id, date)
);
CREATE TABLE payouts (
  id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  award_id INTEGER NOT NULL UNIQUE REFERENCES awards(id),
  user_id TEXT NOT NULL,
  amount_fen INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'paying', 'paid')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  claimed_at BIGINT,
  paid_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE TABLE social_days (
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
  received_at BIGINT NOT NULL,
  PRIMARY KEY (device_id, date)
);
CREATE INDEX social_days_user_date ON social_days(user_id, date);
