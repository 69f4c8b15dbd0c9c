// Who is reading. Step data is health data: every read of a user's days, awards or leaderboard
// needs a credential, sent as `Authorization: Bearer <token>` or, for the dashboard, as the
// session cookie a login link sets. The admin token (config) reads everything; a user token (made
// by the admin API, one per login link) reads its user's own data, and that user's leaderboard,
// which already holds only friends' day totals.
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../shared/sha256.ts';
import { sameSecret } from '../shared/webhook.ts';
import type { Db } from './db/types.ts';
import { userOrThrow } from './api/read.ts';
import { HttpError, type Request } from './http/router.ts';

const SESSION_COOKIE = 'bushu_session';
/** A login link's cookie lasts 30 days; the token itself until the admin revokes it. */
const SESSION_MAX_AGE_S = 30 * 24 * 3600;

export type Viewer = { admin: true } | { admin: false; user: string };

/** A new token for `user` (who must exist): returned once, stored only as its hash. */
export async function issueUserToken(db: Db, user: string, nowMs: number): Promise<string> {
  await userOrThrow(db, user);
  const token = 'bsu_' + randomBytes(24).toString('base64url');
  await db.run('INSERT INTO user_tokens (token_sha256, user_id, created_at) VALUES ($1, $2, $3)', [sha256Hex(token), user, nowMs]);
  return token;
}

/** Forgets every token of `user`: their login links and sessions stop working. */
export async function revokeUserTokens(db: Db, user: string): Promise<number> {
  return db.run('DELETE FROM user_tokens WHERE user_id = $1', [user]);
}

function presented(req: Request): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) return auth.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}

/** The token's holder; 401 without a valid one. */
export async function viewerOf(db: Db, adminToken: string | null, req: Request): Promise<Viewer> {
  const token = presented(req);
  if (token === undefined || token === '') throw new HttpError(401, 'unauthorized', 'sign in: open your login link, or send Authorization: Bearer <token>');
  if (adminToken !== null && sameSecret(token, adminToken)) return { admin: true };
  const [row] = await db.all<{ user_id: string }>('SELECT user_id FROM user_tokens WHERE token_sha256 = $1', [sha256Hex(token)]);
  if (row === undefined) throw new HttpError(401, 'unauthorized', 'this token or login link is not valid (any more)');
  return { admin: false, user: row.user_id };
}

/** 403 unless the viewer is the admin or `user` themselves. */
export function mayRead(viewer: Viewer, user: string): void {
  if (!viewer.admin && viewer.user !== user) throw new HttpError(403, 'forbidden', "you may read only your own data");
}

/** Set-Cookie for a session holding `token`. */
export function sessionCookie(token: string): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_S}`;
}

export function clearedCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
