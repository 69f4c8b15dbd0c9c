// Idempotency-Key semantics after the IETF httpapi draft, kept in the database so that every
// service process sees the same keys:
//  - first use: the key is claimed (row `in_flight`), the request runs, and its response is stored
//    (row `done`), all in one transaction with the request's effects, so no other process ever
//    sees the claim without its response;
//  - same key, same body: the stored status and body are replayed (header Idempotent-Replayed);
//  - same key, different body: 422; same key while the first is running: 409;
//  - a request that is rejected stores nothing: its transaction, claim included, is rolled back.
// An in-flight claim older than the TTL belongs to a process that died; it may be taken over.
// Keys are forgotten `idempotencyKeyTtlHours` (7 days) after first use: longer than a bridge
// retries on its fast schedule, and short enough that keys do not outgrow the data they guard.
import { sha256Hex } from '../shared/sha256.ts';
import { HttpError, type Response } from './http/router.ts';
import type { Db, Queryable } from './db/types.ts';

export const REPLAY_HEADER = 'idempotent-replayed';
const KEY = /^[\x21-\x7e]{1,255}$/;

export type Claim = { kind: 'claimed' } | { kind: 'replay'; response: Response };

export function requestHash(path: string, body: Buffer): string {
  return sha256Hex(Buffer.concat([Buffer.from(path + '\n'), body]));
}

/** The Idempotency-Key header, or 400. */
export function idempotencyKeyOf(headers: Record<string, string | string[] | undefined>): string {
  const v = headers['idempotency-key'];
  const key = Array.isArray(v) ? v[0] : v;
  if (key === undefined || key === '') throw new HttpError(400, 'idempotency_key_missing', 'Idempotency-Key header is required');
  if (!KEY.test(key)) throw new HttpError(400, 'idempotency_key_invalid', 'Idempotency-Key must be 1-255 visible ASCII characters');
  return key;
}

/**
 * Claim the key inside the request's transaction (or alone, as a test planting a claim does). On
 * PostgreSQL a concurrent request holding the same key uncommitted makes the INSERT wait for its
 * end: then the row is there (done: replayed) or gone (rolled back: ours).
 */
export async function claim(q: Queryable, scope: string, key: string, hash: string, nowMs: number, ttlMs: number): Promise<Claim> {
  for (let round = 0; round < 2; round++) {
    const inserted = await q.run(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_at, created_at)
       VALUES ($1, $2, $3, 'in_flight', $4, $4) ON CONFLICT (scope, key) DO NOTHING`,
      [scope, key, hash, nowMs],
    );
    if (inserted === 1) return { kind: 'claimed' };
    const [row] = await q.all<{ request_hash: string; state: string; status: number | null; response: string | null; locked_at: number }>(
      'SELECT request_hash, state, status, response, locked_at FROM idempotency_keys WHERE scope = $1 AND key = $2',
      [scope, key],
    );
    if (row === undefined) continue;
    if (row.request_hash !== hash) {
      throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request body');
    }
    if (row.state === 'done') {
      return { kind: 'replay', response: { status: Number(row.status), json: JSON.parse(row.response ?? 'null'), headers: { [REPLAY_HEADER]: 'true' } } };
    }
    // An in-flight row is a claim committed on its own: a process of an earlier version, which
    // claimed before its transaction, still working or dead. After the TTL it is taken over.
    if (Number(row.locked_at) < nowMs - ttlMs) {
      const taken = await q.run(
        `UPDATE idempotency_keys SET locked_at = $3 WHERE scope = $1 AND key = $2 AND state = 'in_flight' AND locked_at = $4`,
        [scope, key, nowMs, row.locked_at],
      );
      if (taken === 1) return { kind: 'claimed' };
    }
    throw new HttpError(409, 'idempotency_key_in_flight', 'a request with this Idempotency-Key is still being processed; retry later', {
      retryable: true,
    });
  }
  throw new HttpError(409, 'idempotency_key_in_flight', 'a request with this Idempotency-Key is changing state; retry later', { retryable: true });
}

/** Store the response, inside the transaction that made the request's effects. */
export async function complete(q: Queryable, scope: string, key: string, lockedAtMs: number, response: Response): Promise<void> {
  const n = await q.run(
    `UPDATE idempotency_keys SET state = 'done', status = $3, response = $4
     WHERE scope = $1 AND key = $2 AND state = 'in_flight' AND locked_at = $5`,
    [scope, key, response.status, JSON.stringify(response.json ?? null), lockedAtMs],
  );
  // Our claim expired and another process took the key over: roll back and let it finish.
  if (n !== 1) throw new HttpError(409, 'idempotency_key_in_flight', 'this request was taken over by another attempt; retry later', { retryable: true });
}

export const PURGE_EVERY_MS = 3_600_000;

/**
 * A purge of keys first used more than `ttlMs` ago, run by the day endpoints at most once per
 * PURGE_EVERY_MS per process (an index on created_at keeps it a range delete). A repeat of a
 * forgotten key is processed as new, which the services make harmless: an older or equal
 * recordVersion is answered `stale`, an award is credited once per user-day.
 */
export function expireKeys(db: Db, ttlMs: number): (nowMs: number) => Promise<void> {
  let lastMs = -Infinity;
  return async (nowMs) => {
    if (nowMs - lastMs < PURGE_EVERY_MS) return;
    lastMs = nowMs;
    await db.run('DELETE FROM idempotency_keys WHERE created_at < $1', [nowMs - ttlMs]);
  };
}

/**
 * Run one idempotent POST in one transaction: claim the key, run `effects` on the same transaction,
 * store the response. A rejection (any throw) rolls it all back, the claim with it, so nothing of a
 * refused request is stored and its key stays free. A replay commits nothing.
 */
export async function idempotent(
  db: Db,
  opts: { scope: string; key: string; hash: string; nowMs: number; ttlMs: number },
  effects: (q: Queryable) => Promise<Response>,
): Promise<Response> {
  return db.tx(async (q) => {
    const c = await claim(q, opts.scope, opts.key, opts.hash, opts.nowMs, opts.ttlMs);
    if (c.kind === 'replay') return c.response;
    const response = await effects(q);
    await complete(q, opts.scope, opts.key, opts.nowMs, response);
    return response;
  });
}
