// The payout outbox. Every award inserts a `pending` payout in its own transaction; this worker
// pays them through an injected Payer. Payouts are claimed with a conditional UPDATE (pending ->
// paying), so among any number of workers in any number of processes exactly one pays each. A
// worker that dies mid-payment leaves `paying`; after claimTtlMs the payout is claimed again with
// the same id, which the payer must treat as its idempotency key (real payment APIs take one).
import type { Db } from '../db/types.ts';

export interface Payout {
  id: number;
  awardId: number;
  userId: string;
  amountFen: number;
}

export interface Payer {
  pay(p: Payout): Promise<void>;
}

export interface PayoutRunResult {
  paid: number;
  failed: number;
}

const DUE = `(state = 'pending' OR (state = 'paying' AND claimed_at < $2))`;

/**
 * One run of the worker: claims up to `limit` due payouts in one statement, pays them one by one,
 * then marks the paid ones in one statement (and each failure in its own): a few statements per
 * batch rather than three per payout. The claim re-checks that each row is still due, so of two
 * workers racing for a row only one updates it; on PostgreSQL they also skip each other's locked
 * rows rather than wait for them.
 */
export async function runPayouts(db: Db, payer: Payer, nowMs: number, opts: { limit?: number; claimTtlMs?: number } = {}): Promise<PayoutRunResult> {
  const limit = opts.limit ?? 100;
  const stale = nowMs - (opts.claimTtlMs ?? 300_000);
  // PostgreSQL: the due ids as an array, matched against the primary key (id, user_id) by its
  // leading column. As `id IN (subquery)`, once id alone was no longer the key (migration 011), the
  // planner took the claim for a join and read every due row to hash them at each claim.
  const due = db.dialect === 'postgres'
    ? `id = ANY (ARRAY(SELECT id FROM payouts WHERE ${DUE} ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED))`
    : `id IN (SELECT id FROM payouts WHERE ${DUE} ORDER BY id LIMIT $3)`;
  const claimed = await db.all<{ id: number; award_id: number; user_id: string; amount_fen: number }>(
    `UPDATE payouts SET state = 'paying', claimed_at = $1, attempts = attempts + 1
     WHERE ${due} AND ${DUE}
     RETURNING id, award_id, user_id, amount_fen`,
    [nowMs, stale, limit],
  );
  claimed.sort((a, b) => Number(a.id) - Number(b.id));
  const result: PayoutRunResult = { paid: 0, failed: 0 };
  const paid: number[] = [];
  for (const p of claimed) {
    try {
      await payer.pay({ id: Number(p.id), awardId: Number(p.award_id), userId: p.user_id, amountFen: Number(p.amount_fen) });
      paid.push(Number(p.id));
    } catch (err) {
      await db.run(`UPDATE payouts SET state = 'pending', last_error = $2 WHERE id = $1 AND user_id = $4 AND state = 'paying' AND claimed_at = $3`, [p.id, String((err as Error).message ?? err).slice(0, 500), nowMs, p.user_id]);
      result.failed++;
    }
  }
  if (paid.length > 0) {
    // The ids as one array parameter, so the statement text (and its prepared plan) is one.
    const ids = db.dialect === 'postgres' ? 'id = ANY (CAST($1 AS BIGINT[]))' : 'id IN (SELECT value FROM json_each($1))';
    result.paid = await db.run(
      `UPDATE payouts SET state = 'paid', paid_at = $2, last_error = NULL WHERE ${ids} AND state = 'paying' AND claimed_at = $2`,
      [db.dialect === 'postgres' ? paid : JSON.stringify(paid), nowMs],
    );
  }
  return result;
}

export interface LedgerEntry {
  awardId: number;
  date: string;
  steps: number;
  device: string;
  amountFen: number;
  createdAt: string;
  payout: { id: number; state: string; paidAt: string | null };
}

/**
 * A user's awards, newest date first, with their payout state. No index keys awards by user
 * (migration 012): an award is stored with its device's day, in the same transaction, so the
 * user's awards are found at the dates of the user's devices' reward days, by the key (date, user_id).
 */
export async function ledger(db: Db, user: string): Promise<LedgerEntry[]> {
  const rows = await db.all<{ id: number; date: string; steps: number; device_id: string; amount_fen: number; created_at: number; payout_id: number; state: string; paid_at: number | null }>(
    `SELECT a.id, a.date, a.steps, a.device_id, a.amount_fen, a.created_at, p.id AS payout_id, p.state, p.paid_at
     FROM (SELECT DISTINCT r.date FROM devices dv JOIN reward_days r ON r.device_id = dv.id AND r.user_id = dv.user_id WHERE dv.user_id = $1) d
     JOIN awards a ON a.date = d.date AND a.user_id = $1 JOIN payouts p ON p.award_id = a.id AND p.user_id = a.user_id ORDER BY a.date DESC`,
    [user],
  );
  return rows.map((r) => ({
    awardId: Number(r.id),
    date: r.date,
    steps: Number(r.steps),
    device: r.device_id,
    amountFen: Number(r.amount_fen),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    payout: { id: Number(r.payout_id), state: r.state, paidAt: r.paid_at === null ? null : new Date(Number(r.paid_at)).toISOString() },
  }));
}
