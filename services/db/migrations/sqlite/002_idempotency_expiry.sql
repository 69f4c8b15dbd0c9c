-- Idempotency keys expire (services/idempotency.ts expireKeys): the purge deletes by created_at.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
