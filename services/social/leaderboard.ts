// Rankings among a user's friends (and the user). A user's total for a day is the maximum over
// their devices (two watches worn together must not double the count), over counted days only.
import type { Db } from '../db/types.ts';

export interface RankRow {
  rank: number;
  user: string;
  name: string;
  steps: number;
  self: boolean;
}

/**
 * The user and their friends, as a derived table of ids: read by the friendships primary key, then
 * joined to users and days by their indexes. (As `u.id = $1 OR u.id IN (…)` the planners scanned
 * every user, or every stored day.)
 */
const CIRCLE = `(SELECT CAST($1 AS TEXT) AS id UNION SELECT friend_id FROM friendships WHERE user_id = $1)`;

/** Competition ranking: equal steps share a rank; ties are listed by user id. */
export async function ranking(db: Db, user: string, date: string): Promise<RankRow[]> {
  const rows = await db.all<{ id: string; name: string; steps: number }>(
    `SELECT u.id, u.name, COALESCE(MAX(d.steps), 0) AS steps
     FROM ${CIRCLE} c JOIN users u ON u.id = c.id LEFT JOIN social_days d ON d.user_id = u.id AND d.date = $2 AND d.status = 'counted'
     GROUP BY u.id, u.name`,
    [user, date],
  );
  return rank(rows.map((r) => ({ user: r.id, name: r.name, steps: Number(r.steps) })), user);
}

function rank(rows: Array<{ user: string; name: string; steps: number }>, self: string): RankRow[] {
  rows.sort((a, b) => b.steps - a.steps || (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  let prev = -1;
  let prevRank = 0;
  return rows.map((r, i) => {
    const rnk = r.steps === prev ? prevRank : i + 1;
    prev = r.steps;
    prevRank = rnk;
    return { rank: rnk, ...r, self: r.user === self };
  });
}

export interface HistoryDay {
  date: string;
  steps: number;
  rank: number;
  of: number;
  leader: string | null;
}

/** For each date in [from, to], newest first: the user's total and rank in their circle. */
export async function history(db: Db, user: string, from: string, to: string): Promise<HistoryDay[]> {
  const members = await db.all<{ id: string; name: string }>(`SELECT u.id, u.name FROM ${CIRCLE} c JOIN users u ON u.id = c.id`, [user]);
  const totals = await db.all<{ date: string; user_id: string; steps: number }>(
    `SELECT d.date, d.user_id, MAX(d.steps) AS steps FROM ${CIRCLE} c JOIN social_days d ON d.user_id = c.id
     WHERE d.date >= $2 AND d.date <= $3 AND d.status = 'counted'
     GROUP BY d.date, d.user_id`,
    [user, from, to],
  );
  const byDate = new Map<string, Map<string, number>>();
  for (const t of totals) {
    if (!byDate.has(t.date)) byDate.set(t.date, new Map());
    byDate.get(t.date)!.set(t.user_id, Number(t.steps));
  }
  const out: HistoryDay[] = [];
  for (const date of [...byDate.keys()].sort().reverse()) {
    const day = byDate.get(date)!;
    const ranked = rank(members.map((m) => ({ user: m.id, name: m.name, steps: day.get(m.id) ?? 0 })), user);
    const me = ranked.find((r) => r.self)!;
    out.push({ date, steps: me.steps, rank: me.rank, of: ranked.length, leader: ranked[0].steps > 0 ? ranked[0].user : null });
  }
  return out;
}
