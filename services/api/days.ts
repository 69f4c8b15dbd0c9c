// One number per user-day for the dashboard, and what the day earned. The number is the maximum
// over the user's devices of what either service stored, leaving out flagged records, the same
// rule the leaderboard uses, so the chart, today's total, the ledger and the ranking agree. A
// hongbao's own steps (the signed record that earned it) can be fewer; the ledger then shows both.
import type { Db } from '../db/types.ts';

/**
 * What a day earned: `paid` or `pending` (awarded, by payout state); or, for a day whose total
 * reaches the goal without an award, why: `open` (the day is still running: the watch signs it
 * when it closes), `unsigned` (no signed record reached the goal), `late` (the signed record came
 * after the grace period); `below` under the goal.
 */
export type Hongbao = 'paid' | 'pending' | 'open' | 'unsigned' | 'late' | 'below';

export interface DayView {
  date: string;
  steps: number;
  hongbao: Hongbao;
  /** The most steps of a flagged (implausible) record that day, left out of `steps`; else null. */
  flaggedSteps: number | null;
}

interface Row {
  service: 'reward' | 'social';
  date: string;
  steps: number;
  status: string;
  closed: number | null;
  reasons: string;
}

/**
 * Every stored day of both services. A reward day's user is its device's (the one user a device ever
 * has): a filter on user_id reads the user's devices and then each device's days by their key, so
 * acceptance keeps no index of reward days by user (migration 009).
 */
export const ALL_DAYS = `(SELECT 'reward' AS service, dv.user_id, r.device_id, r.date, r.steps, r.hours, r.status, r.closed, r.reasons, r.source, r.firmware, r.synced_at
  FROM devices dv JOIN reward_days r ON r.device_id = dv.id AND r.user_id = dv.user_id
  UNION ALL SELECT 'social' AS service, user_id, device_id, date, steps, hours, status, NULL AS closed, reasons, source, firmware, synced_at FROM social_days)`;

/** The days from..to (inclusive, listed by the caller) of one user, with `today` the user's local date. */
export async function dayViews(db: Db, user: string, dates: string[], today: string, goal: number): Promise<DayView[]> {
  if (dates.length === 0) return [];
  const rows = await db.all<Row>(
    `SELECT service, date, steps, status, closed, reasons FROM ${ALL_DAYS} d WHERE user_id = $1 AND date >= $2 AND date <= $3`,
    [user, dates[0], dates.at(-1)],
  );
  // Each date's award by its key (date, user_id: migration 012), one probe per date: a range of
  // dates would walk every user's awards of those days.
  const awards = await db.all<{ date: string; state: string }>(
    `SELECT a.date, p.state FROM awards a JOIN payouts p ON p.award_id = a.id AND p.user_id = a.user_id
     WHERE a.user_id = $1 AND a.date IN (${dates.map((_, i) => `$${i + 2}`).join(', ')})`,
    [user, ...dates],
  );
  const paidState = new Map(awards.map((a) => [a.date, a.state === 'paid' ? ('paid' as const) : ('pending' as const)]));
  const byDate = new Map<string, Row[]>();
  for (const r of rows) {
    if (!byDate.has(r.date)) byDate.set(r.date, []);
    byDate.get(r.date)!.push(Object.assign({}, r, { steps: Number(r.steps) })); // not a spread: slow in Node 20's V8, once a row
  }
  return dates.map((date) => {
    const day = byDate.get(date) ?? [];
    const counted = day.filter((r) => r.status !== 'flagged');
    const flagged = day.filter((r) => r.status === 'flagged');
    const steps = Math.max(0, ...counted.map((r) => r.steps));
    return {
      date,
      steps,
      hongbao: paidState.get(date) ?? unawarded(counted, steps, goal, date === today),
      flaggedSteps: flagged.length === 0 ? null : Math.max(...flagged.map((r) => r.steps)),
    };
  });
}

function unawarded(counted: Row[], steps: number, goal: number, isToday: boolean): Hongbao {
  if (steps < goal) return 'below';
  const signed = counted.filter((r) => r.service === 'reward' && r.status === 'verified' && r.steps >= goal);
  if (signed.some((r) => (JSON.parse(r.reasons) as Array<{ rule: string }>).some((x) => x.rule === 'grace_period'))) return 'late';
  // Only the reward service keeps `closed`; a day known only to the social one is open while it is today.
  const open = counted.some((r) => r.closed !== null && Number(r.closed) === 0) || (isToday && !counted.some((r) => r.closed !== null && Number(r.closed) === 1));
  return open ? 'open' : 'unsigned';
}

/**
 * The day total of every stored date of the user, for the ledger (date -> steps). Every date, not
 * the awarded ones by a join: awards are keyed by date first (migration 012), and PostgreSQL planned
 * that join of a year's days as a parallel query, 10 ms to start its workers for 2 ms of work.
 */
export async function dayTotals(db: Db, user: string): Promise<Map<string, number>> {
  const rows = await db.all<{ date: string; steps: number }>(
    `SELECT d.date, MAX(d.steps) AS steps FROM ${ALL_DAYS} d WHERE d.user_id = $1 AND d.status <> 'flagged' GROUP BY d.date`,
    [user],
  );
  return new Map(rows.map((r) => [r.date, Number(r.steps)]));
}
