-- Which signing sequence a day's summary belongs to: the device key it verified under (key_id,
-- the first 16 hex digits of SHA-256 of the key's hex) and the watch history epoch it signs
-- (summary version 3). Counters are compared only within one sequence: a wiped watch restarts
-- them under a new epoch, a re-keyed one under a new key. NULL: a day stored before this
-- migration (its key is taken as the device's current one), or a summary without an epoch.
ALTER TABLE reward_days ADD COLUMN key_id TEXT;
ALTER TABLE reward_days ADD COLUMN epoch INTEGER;
-- The social service keeps the epoch a day's summary names (unverified: it trusts the bridge), so
-- a wiped watch's lower total of the day it was wiped on does not replace the old history's.
ALTER TABLE social_days ADD COLUMN epoch INTEGER;
