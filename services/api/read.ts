// The read API behind the dashboard: one overview call per user (today, 30 days, ledger,
// leaderboard, devices) and the hourly steps of one day. A user-day has one number, the maximum
// over their devices of what either service stored, flagged records left out (days.ts), so the
// page shows what the watch showed and the leaderboard agrees.
import { dateString, dayNumber, localDate } from '../../shared/days.ts';
import type { ServicesConfig } from '../config.ts';
import type { Db } from '../db/types.ts';
import { HttpError } from '../http/router.ts';
import { ledger } from '../reward/payouts.ts';
import { ranking } from '../social/leaderboard.ts';
import { ALL_DAYS, dayTotals, dayViews } from './days.ts';

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

const USERS_PAGE = 100;
const USERS_PAGE_MAX = 1000;

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
  const offset = Number(u.utc_offset_min);
  const today = dateParam(date, nowMs, offset);
  const end = dayNumber(today);
  const dates = [];
  for (let n = Math.max(0, end - 29); n <= end; n++) dates.push(dateString(n));
  const goal = config.reward.goalSteps;
  const days = await dayViews(db, user, dates, localDate(nowMs, offset), goal);
  const day = days.at(-1)!;
  // The user's registered devices and the devices of their stored days (days.ts ALL_DAYS: social
  // days may name devices the registry does not know).
  const devices = await db.all<{ id: string; source: string | null; firmware: string | null; last_sync: string | null }>(
    `SELECT device_id AS id, MAX(source) AS source, MAX(firmware) AS firmware, MAX(synced_at) AS last_sync
     FROM (SELECT device_id, source, firmware, synced_at FROM ${ALL_DAYS} a WHERE user_id = $1
       UNION ALL SELECT id, NULL, NULL, NULL FROM devices WHERE user_id = $1) d
     GROUP BY device_id ORDER BY device_id`,
    [user],
  );
  const totals = await dayTotals(db, user);
  return {
    user: { id: u.id, name: u.name, utcOffsetMin: offset },
    today: { date: today, steps: day.steps, goal, progress: Math.min(1, day.steps / goal), reached: day.steps >= goal, hongbao: day.hongbao },
    days,
    // dayTotal is the day's one number; steps stays what the awarding record counted.
    // Object.assign, not a spread followed by a property (slow in Node 20's V8): a year's ledger is 365 entries.
    ledger: (await ledger(db, user)).map((e) => Object.assign({}, e, { dayTotal: totals.get(e.date) ?? e.steps })),
    currency: config.reward.currency,
    leaderboard: await ranking(db, user, today),
    devices: devices.map((d) => ({ id: d.id, source: d.source, firmware: d.firmware, lastSync: d.last_sync })),
  };
}

/** Why a day has no hours to draw, so the page never claims more than it knows. */
export type NoHours = 'no_steps' | 'totals_only' | 'next_sync' | 'not_sent';

/** Sources whose devices count a day total and nothing finer (bridge/sync/counter-profile.ts). */
const TOTALS_ONLY = new Set(['wechat', 'infinitime']);

/**
 * The hours of the device whose steps are the day's number (most steps, flagged records last),
 * or why there are none.
 */
export async function hours(db: Db, user: string, date: string | null, nowMs: number): Promise<unknown> {
  const u = await userOrThrow(db, user);
  const offset = Number(u.utc_offset_min);
  const day = dateParam(date, nowMs, offset);
  const [best] = await db.all<{ device_id: string; steps: number; hours: string | null; source: string; status: string; closed: number | null }>(
    `SELECT device_id, steps, hours, source, status, closed FROM ${ALL_DAYS} d WHERE user_id = $1 AND date = $2
     ORDER BY CASE WHEN status = 'flagged' THEN 1 ELSE 0 END, steps DESC, device_id, service LIMIT 1`,
    [user, day],
  );
  if (best === undefined) return { date: day, steps: 0, device: null, source: null, flagged: false, hours: null, noHours: 'no_steps' };
  const base = { date: day, steps: Number(best.steps), device: best.device_id, source: best.source, flagged: best.status === 'flagged' };
  if (best.hours !== null) return { ...base, hours: JSON.parse(best.hours) as number[], noHours: null };
  const open = best.closed === null ? day >= localDate(nowMs, offset) : Number(best.closed) === 0;
  const noHours: NoHours = TOTALS_ONLY.has(best.source) ? 'totals_only' : open ? 'next_sync' : 'not_sent';
  return { ...base, hours: null, noHours };
}
