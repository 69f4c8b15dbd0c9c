-- A device's revision: bumped by every statement that writes the device's reward days or its
-- counter, so the reward service's two-round-trip acceptance (services/reward/at-once.ts) can write
-- only if nothing it read has changed since.
ALTER TABLE devices ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
-- Aborts the statement it is called from (serialization_failure) unless ok: the at-once write
-- checks that each of its guarded inserts happened, and otherwise stores none of them.
CREATE FUNCTION bushu_all_or_nothing(ok BOOLEAN) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
BEGIN
  IF NOT ok THEN
    RAISE EXCEPTION 'bushu: a row this delivery was decided on changed before it was written' USING ERRCODE = '40001';
  END IF;
  RETURN TRUE;
END
$$;
