-- Read access for users: a token per login link, kept as its SHA-256 (a leaked database does not
-- leak working tokens). The admin token (config) reads everything; a user token reads one user.
CREATE TABLE user_tokens (
  token_sha256 TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX user_tokens_user ON user_tokens (user_id);
