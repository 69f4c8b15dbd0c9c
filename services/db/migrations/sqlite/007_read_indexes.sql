-- Every query of acceptance, the leaderboard, the history and the dashboard reads by an index
-- (test/services-query-plans.test.ts runs EXPLAIN on each). The dashboard's devices of a user:
CREATE INDEX devices_user ON devices (user_id);
-- The payout worker's due payouts (pending, or paying with an expired claim), without reading the
-- paid ones, which are nearly all of them.
CREATE INDEX payouts_due ON payouts (state, id);
