// The payout outbox. Every award inserts a `pending` payout in its own transaction; this worker
// pays them through an injected Payer. A payout is claimed with a conditional UPDATE (pending ->
// paying), so among any number of workers in any number of processes exactly one pays it. A
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

export async function runPayouts(db: Db, payer: Payer, nowMs: number, opts: { limit?: number; claimTtlMs?: number } = {}): Promise<PayoutRunResult> {
  const limit = opts.limit ?? 100;
  const stale = nowMs - (opts.claimTtlMs ?? 300_000);
  const due = await db.all<{ id: number; award_id: number; user_id: string; amount_fen: number; state: string; claimed_at: number | null }>(
    `SELECT id, award_id, user_id, amount_fen, state, claimed_at FROM payouts
     WHERE state = 'pending' OR (state = 'paying' AND claimed_at < $1) ORDER BY id LIMIT $2`,
    [stale, limit],
  );
  const result: PayoutRunResult = { paid: 0, failed: 0 };
  for (const p of due) {
    const claimed = await db.run(
      `UPDATE payouts SET state = 'paying', claimed_at = $2, attempts = attempts + 1
       WHERE id = $1 AND (state = 'pending' OR (state = 'paying' AND claimed_at < $3))`,
      [p.id, nowMs, stale],
    );
    if (claimed !== 1) continue; // another worker got there first
    try {
      await payer.pay({ id: Number(p.id), awardId: Number(p.award_id), userId: p.user_id, amountFen: Number(p.amount_fen) });
      await db.run(`UPDATE payouts SET state = 'paid', paid_at = $2, last_error = NULL WHERE id = $1`, [p.id, nowMs]);
      result.paid++;
    } catch (err) {
      await db.run(`UPDATE payouts SET state = 'pending', last_error = $2 WHERE id = $1`, [p.id, String((err as Error).message ?? err).slice(0, 500)]);
      result.failed++;
    }
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

/** A user's awards, newest date first, with their payout state. */
export async function ledger(db: Db, user: string): Promise<LedgerEntry[]> {
  const rows = await db.all<{ id: number; date: string; steps: number; device_id: string; amount_fen: number; created_at: number; payout_id: number; state: string; paid_at: number | null }>(
    `SELECT a.id, a.date, a.steps, a.device_id, a.amount_fen, a.created_at, p.id AS payout_id, p.state, p.paid_at
     FROM awards a JOIN payouts p ON p.award_id = a.id WHERE a.user_id = $1 ORDER BY a.date DESC`,
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
