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
 * joined to days by their index. (As `u.id = $1 OR u.id IN (…)` the planners scanned every user,
 * or every stored day.)
 */
const CIRCLE = `(SELECT CAST($1 AS TEXT) AS id UNION SELECT friend_id FROM friendships WHERE user_id = $1)`;
/**
 * A member's name, one probe of the users key each: a scalar subquery, which no planner turns into
 * a join. Joined to users instead, PostgreSQL's generic plan read the whole users table whenever
 * it had no statistics yet (a new deployment, users just imported: 2.7 ms at 10,000 users and
 * growing with them). Null for an id that is no user (the caller's own, unchecked).
 */
const NAME = `(SELECT name FROM users WHERE id = c.id)`;

/** Competition ranking: equal steps share a rank; ties are listed by user id. */
export async function ranking(db: Db, user: string, date: string): Promise<RankRow[]> {
  const rows = await db.all<{ id: string; name: string | null; steps: number }>(
    `SELECT c.id, ${NAME} AS name,
       COALESCE((SELECT MAX(d.steps) FROM social_days d WHERE d.user_id = c.id AND d.date = $2 AND d.status = 'counted'), 0) AS steps
     FROM ${CIRCLE} c`,
    [user, date],
  );
  return rank(rows.filter((r) => r.name !== null).map((r) => ({ user: r.id, name: r.name!, steps: Number(r.steps) })), user);
}

function rank(rows: Array<{ user: string; name: string; steps: number }>, self: string): RankRow[] {
  rows.sort((a, b) => b.steps - a.steps || (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  let prev = -1;
  let prevRank = 0;
  return rows.map((r, i) => {
    const rnk = r.steps === prev ? prevRank : i + 1;
    prev = r.steps;
    prevRank = rnk;
    return Object.assign({ rank: rnk }, r, { self: r.user === self }); // not a spread: slow in Node 20's V8, once a friend
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
  const members = (await db.all<{ id: string; name: string | null }>(`SELECT c.id, ${NAME} AS name FROM ${CIRCLE} c`, [user])).filter(
    (m): m is { id: string; name: string } => m.name !== null,
  );
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
