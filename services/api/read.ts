// The read API behind the dashboard: one overview call per user (today, 30 days, ledger,
// leaderboard, devices) and the hourly steps of one day. A user's steps here are the maximum over
// their devices, across what either service stored, so the page shows what the watch showed.
import { dateString, dayNumber, localDate } from '../../shared/days.ts';
import type { ServicesConfig } from '../config.ts';
import type { Db } from '../db/types.ts';
import { HttpError } from '../http/router.ts';
import { ledger } from '../reward/payouts.ts';
import { ranking } from '../social/leaderboard.ts';

const ALL_DAYS = `(SELECT user_id, device_id, date, steps, hours, source, firmware, synced_at FROM reward_days
  UNION ALL SELECT user_id, device_id, date, steps, hours, source, firmware, synced_at FROM social_days)`;

export async function userOrThrow(db: Db, user: string): Promise<{ id: string; name: string; utc_offset_min: number }> {
  const [u] = await db.all<{ id: string; name: string; utc_offset_min: number }>('SELECT id, name, utc_offset_min FROM users WHERE id = $1', [user]);
  if (u === undefined) throw new HttpError(404, 'unknown_user', `no user ${user}`);
  return u;
}

/** The date query parameter, or the user's local today. */
export function dateParam(value: string | null, nowMs: number, utcOffsetMin: number): string {
  if (value === null || value === '') return localDate(nowMs, utcOffsetMin);
  try {
    return dateString(dayNumber(value));
  } catch (err) {
    throw new HttpError(400, 'invalid_date', (err as Error).message);
  }
}

export const USERS_PAGE = 100;
export const USERS_PAGE_MAX = 1000;

/**
 * Users by id, a page at a time: those after `after` (keyset paging on the primary key, so a page
 * costs the same at any depth), and `next`, the `after` of the following page, or null at the end.
 */
export async function listUsers(db: Db, after: string, limit: number): Promise<{ users: Array<{ id: string; name: string }>; next: string | null }> {
  const rows = await db.all<{ id: string; name: string }>('SELECT id, name FROM users WHERE id > $1 ORDER BY id LIMIT $2', [after, limit + 1]);
  const users = rows.slice(0, limit);
  return { users, next: rows.length > limit ? users[users.length - 1].id : null };
}

/** The limit query parameter: 1..USERS_PAGE_MAX, default USERS_PAGE. */
export function limitParam(value: string | null): number {
  if (value === null || value === '') return USERS_PAGE;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > USERS_PAGE_MAX) throw new HttpError(400, 'invalid_limit', `limit must be an integer in 1..${USERS_PAGE_MAX}`);
  return n;
}

export async function overview(db: Db, config: ServicesConfig, user: string, date: string | null, nowMs: number): Promise<unknown> {
  const u = await userOrThrow(db, user);
  const today = dateParam(date, nowMs, Number(u.utc_offset_min));
  const end = dayNumber(today);
  const from = dateString(Math.max(0, end - 29));
  const totals = await db.all<{ date: string; steps: number }>(
    `SELECT date, MAX(steps) AS steps FROM ${ALL_DAYS} d WHERE user_id = $1 AND date >= $2 AND date <= $3 GROUP BY date`,
    [user, from, today],
  );
  const byDate = new Map(totals.map((t) => [t.date, Number(t.steps)]));
  const days = [];
  for (let n = dayNumber(from); n <= end; n++) days.push({ date: dateString(n), steps: byDate.get(dateString(n)) ?? 0 });
  const steps = byDate.get(today) ?? 0;
  const goal = config.reward.goalSteps;
  // The user's registered devices and the devices of their stored days, each read by its user_id index.
  const devices = await db.all<{ id: string; source: string | null; firmware: string | null; last_sync: string | null }>(
    `SELECT device_id AS id, MAX(source) AS source, MAX(firmware) AS firmware, MAX(synced_at) AS last_sync
     FROM (SELECT device_id, source, firmware, synced_at FROM reward_days WHERE user_id = $1
       UNION ALL SELECT device_id, source, firmware, synced_at FROM social_days WHERE user_id = $1
       UNION ALL SELECT id, NULL, NULL, NULL FROM devices WHERE user_id = $1) d
     GROUP BY device_id ORDER BY device_id`,
    [user],
  );
  return {
    user: { id: u.id, name: u.name, utcOffsetMin: Number(u.utc_offset_min) },
    today: { date: today, steps, goal, progress: Math.min(1, steps / goal), reached: steps >= goal },
    days,
    ledger: await ledger(db, user),
    currency: config.reward.currency,
    leaderboard: await ranking(db, user, today),
    devices: devices.map((d) => ({ id: d.id, source: d.source, firmware: d.firmware, lastSync: d.last_sync })),
  };
}

/** The hours of the user's device with the most steps that day (the one the total came from). */
export async function hours(db: Db, user: string, date: string | null, nowMs: number): Promise<unknown> {
  const u = await userOrThrow(db, user);
  const day = dateParam(date, nowMs, Number(u.utc_offset_min));
  const [best] = await db.all<{ device_id: string; steps: number; hours: string | null }>(
    `SELECT device_id, steps, hours FROM ${ALL_DAYS} d WHERE user_id = $1 AND date = $2 ORDER BY steps DESC, device_id LIMIT 1`,
    [user, day],
  );
  if (best === undefined) return { date: day, steps: 0, device: null, hours: null };
  return { date: day, steps: Number(best.steps), device: best.device_id, hours: best.hours === null ? null : (JSON.parse(best.hours) as number[]) };
}
