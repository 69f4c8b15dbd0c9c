// Users, devices (device -> user, serving bridge, HMAC key, last accepted counter) and friendships. Written by the
// admin API and by seeding from the config file; read by both services.
import { sameSecret } from '../shared/webhook.ts';
import { BRIDGE_ID, BRIDGE_ID_RULE, type Seed } from './config.ts';
import { forUpdate, type Db } from './db/types.ts';
import { HttpError, type Request } from './http/router.ts';
import { DEVICE_ID_RULE, isDeviceId, isUserId, USER_ID_RULE } from '../shared/record/index.ts';

function bad(field: string, why: string): HttpError {
  return new HttpError(422, 'invalid_registration', `${field}: ${why}`, { field });
}

export async function upsertUser(db: Db, u: { id: unknown; name: unknown; utcOffsetMin?: unknown }, nowMs: number): Promise<void> {
  if (!isUserId(u.id)) throw bad('id', USER_ID_RULE);
  // Display names are free text (the dashboard escapes them), but bounded.
  if (typeof u.name !== 'string' || u.name.length < 1 || u.name.length > 80) throw bad('name', 'must be 1-80 characters');
  const offset = u.utcOffsetMin ?? 480;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < -720 || offset > 840) throw bad('utcOffsetMin', 'must be an integer in -720..840');
  await db.run(
    `INSERT INTO users (id, name, utc_offset_min, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, utc_offset_min = excluded.utc_offset_min`,
    [u.id, u.name, offset, nowMs],
  );
}

/**
 * Register a device to a user and the bridge that serves it (one of `bridges`, the configured
 * bridge ids). Re-registering with a new key (a watch reset and re-keyed) starts its counter
 * afresh; with another bridge (the user's new bridge) moves it there, so the old bridge is refused
 * from then on; moving a device to another user is refused (409): unregistering is manual.
 */
export async function registerDevice(db: Db, d: { id: unknown; user: unknown; bridge: unknown; key: unknown }, bridges: readonly string[], nowMs: number): Promise<void> {
  if (!isDeviceId(d.id)) throw bad('id', DEVICE_ID_RULE);
  if (!isUserId(d.user)) throw bad('user', 'must be a user id');
  if (typeof d.bridge !== 'string' || !BRIDGE_ID.test(d.bridge)) throw bad('bridge', 'must be ' + BRIDGE_ID_RULE);
  if (!bridges.includes(d.bridge)) throw bad('bridge', `no bridge "${d.bridge}" in the services config`);
  if (d.key !== null && (typeof d.key !== 'string' || !/^[0-9a-f]{64}$/i.test(d.key))) throw bad('key', 'must be null or 32 bytes in hex');
  const key = d.key === null ? null : (d.key as string).toLowerCase();
  await db.tx(async (q) => {
    const [user] = await q.all('SELECT id FROM users WHERE id = $1', [d.user]);
    if (user === undefined) throw bad('user', `no user ${d.user}`);
    // The device's owner first (device_owners: a device id is one user's for good, whatever shard
    // its rows are on), then its row. Insert unless there: two processes starting with one seed
    // register the same devices at once.
    await q.run('INSERT INTO device_owners (device_id, user_id) VALUES ($1, $2) ON CONFLICT (device_id) DO NOTHING', [d.id, d.user]);
    const [owner] = await q.all<{ user_id: string }>('SELECT user_id FROM device_owners WHERE device_id = $1', [d.id]);
    if (owner.user_id !== d.user) throw new HttpError(409, 'device_taken', `device ${d.id} is registered to another user`);
    const inserted = await q.run(
      'INSERT INTO devices (id, user_id, bridge_id, key_hex, last_counter, created_at) VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT DO NOTHING',
      [d.id, d.user, d.bridge, key, nowMs],
    );
    if (inserted === 1) return;
    const [old] = await q.all<{ key_hex: string | null; bridge_id: string | null }>(`SELECT key_hex, bridge_id FROM devices WHERE id = $1 AND user_id = $2${forUpdate(db)}`, [d.id, d.user]);
    // The revision tells a delivery decided on the old row (reward/at-once.ts) that it is out of date.
    if (old.key_hex !== key) await q.run('UPDATE devices SET key_hex = $3, last_counter = NULL, revision = revision + 1 WHERE id = $1 AND user_id = $2', [d.id, d.user, key]);
    if (old.bridge_id !== d.bridge) await q.run('UPDATE devices SET bridge_id = $3, revision = revision + 1 WHERE id = $1 AND user_id = $2', [d.id, d.user, d.bridge]);
  });
}

/** Friendship is symmetric: both directions are stored, so queries need no OR. */
export async function befriend(db: Db, a: unknown, b: unknown): Promise<void> {
  if (!isUserId(a) || !isUserId(b)) throw bad('users', 'must be two user ids');
  if (a === b) throw bad('users', 'a user cannot befriend themselves');
  await db.tx(async (q) => {
    const found = await q.all('SELECT id FROM users WHERE id = $1 OR id = $2', [a, b]);
    if (found.length !== 2) throw bad('users', 'both users must exist');
    for (const [x, y] of [[a, b], [b, a]]) {
      await q.run('INSERT INTO friendships (user_id, friend_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [x, y]);
    }
  });
}

export async function applySeed(db: Db, seed: Seed, bridges: readonly string[], nowMs: number): Promise<void> {
  for (const u of seed.users) await upsertUser(db, u, nowMs);
  for (const d of seed.devices) await registerDevice(db, d, bridges, nowMs);
  for (const [a, b] of seed.friendships) await befriend(db, a, b);
}

/** 401 unless `Authorization: Bearer <adminToken>`; 404 when no token is configured (admin off). */
export function requireAdmin(req: Request, token: string | null): void {
  if (token === null) throw new HttpError(404, 'not_found', 'the admin API is disabled (no adminToken configured)');
  const auth = req.headers.authorization ?? '';
  if (!sameSecret(auth.startsWith('Bearer ') ? auth.slice(7) : '', token)) throw new HttpError(401, 'unauthorized', 'a valid admin bearer token is required');
}
