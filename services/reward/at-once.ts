// The reward service's acceptance on PostgreSQL in two round trips and no open transaction: one
// statement reads everything a delivery's decision needs (its Idempotency-Key, the device and its
// user, the stored day and its signed neighbours, the user-day's award), the rules decide in this
// process (ingest.ts decideRewardDay, the same code as the transactional path), and one statement
// writes it all: the day, the device's counter, the award with its payout, and the key with its
// stored response. That statement is one transaction, and it commits only if nothing it decided on
// has changed: every writer of a device's days bumps devices.revision, the write bumps it only from
// the revision that was read, and the key and award go in only if still absent. If any of those
// fails, bushu_all_or_nothing (migration 008) aborts the statement, nothing of it is stored, and
// the caller falls back to the transactional path (idempotency.ts idempotent), which locks the
// device row and settles the race. So exactly-once still rests on the database: the revision
// compare-and-set, UNIQUE(scope, key) and UNIQUE(user_id, date).
import { decodeSummaryMessage } from '../../shared/protocol/summary-verify.ts';
import type { ServicesConfig } from '../config.ts';
import { RETRYABLE } from '../db/postgres.ts';
import type { Db } from '../db/types.ts';
import { HttpError, type Response } from '../http/router.ts';
import { REPLAY_HEADER } from '../idempotency.ts';
import { checkRecord, checkRegistry, type Delivery, type DeviceRow } from '../ingest.ts';
import { DAY_COLUMNS, decideRewardDay, type AwardView, type DayRow } from './ingest.ts';
import { verifyRecordSummary } from './trust.ts';

export interface KeyOptions {
  scope: string;
  key: string;
  hash: string;
}

interface Read {
  idem: { request_hash: string; state: string; status: number | null; response: string | null } | null;
  user_known: boolean;
  device: (DeviceRow & { revision: number; key_id: string | null }) | null;
  award: { id: number; amount_fen: number } | null;
  days: DayRow[] | null;
}

// The device's key id in SQL, as trust.ts keyId computes it: the first 16 hex digits of SHA-256 of its lower-case hex.
const KEY_ID = `substr(encode(sha256(convert_to(lower(key_hex), 'UTF8')), 'hex'), 1, 16)`;
const neighbour = (side: -1 | 1) => `SELECT * FROM (SELECT ${side} AS side, ${DAY_COLUMNS} FROM reward_days
  WHERE device_id = $1 AND date ${side < 0 ? '<' : '>'} $3 AND counter IS NOT NULL
    AND COALESCE(key_id, (SELECT key_id FROM d)) = (SELECT key_id FROM d) AND COALESCE(epoch, -1) = COALESCE(CAST($4 AS BIGINT), -1)
  ORDER BY date ${side < 0 ? 'DESC' : 'ASC'} LIMIT 1) n${side < 0 ? 'b' : 'a'}`;
const READ = `WITH d AS (SELECT id, user_id, bridge_id, key_hex, last_counter, revision, ${KEY_ID} AS key_id FROM devices WHERE id = $1)
SELECT
  (SELECT row_to_json(k) FROM (SELECT request_hash, state, status, response FROM idempotency_keys WHERE scope = $5 AND key = $6) k) AS idem,
  EXISTS (SELECT 1 FROM users WHERE id = $2) AS user_known,
  (SELECT row_to_json(d) FROM d) AS device,
  (SELECT row_to_json(a) FROM (SELECT id, amount_fen FROM awards WHERE user_id = $2 AND date = $3) a) AS award,
  (SELECT json_agg(x) FROM (SELECT 0 AS side, ${DAY_COLUMNS} FROM reward_days WHERE device_id = $1 AND date = $3
     UNION ALL ${neighbour(-1)} UNION ALL ${neighbour(1)}) x) AS days`;

/** Stands for the new award's id in the stored response until the statement that creates it fills it in. */
const AWARD_ID = '"award":{"id":"bushu:award-id"';

/**
 * The delivery accepted or refused in two round trips; null when this path cannot decide alone
 * (a key still in flight from an older process, or a race lost to another writer of the device,
 * key or award): the caller then runs the transactional path.
 */
export async function ingestRewardDayAtOnce(db: Db, config: ServicesConfig, delivery: Delivery, nowMs: number, key: KeyOptions): Promise<Response | null> {
  const { record } = delivery;
  // The epoch the summary names, before it is verified: only to pick the neighbours to read. The
  // verified one must be the same (it is the same message), or this path gives way.
  const decoded = record.summary === null ? null : decodeSummaryMessage(Buffer.from(record.summary.message, 'hex'));
  const epoch = decoded !== null && decoded.ok ? decoded.value.epoch : null;
  const [read] = await db.all<Read>(READ, [record.device, record.user, record.date, epoch, key.scope, key.key]);

  // The key first, as the transactional path claims it first: a replay answers whatever changed since.
  if (read.idem !== null) {
    if (read.idem.request_hash !== key.hash) throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request body');
    if (read.idem.state !== 'done') return null;
    return { status: Number(read.idem.status), json: JSON.parse(read.idem.response ?? 'null'), headers: { [REPLAY_HEADER]: 'true' } };
  }
  const flags = checkRecord(config, record, nowMs);
  const device = checkRegistry(delivery, read.device ?? undefined, read.user_known);
  const signed = record.summary === null ? null : verifyRecordSummary(record, device);
  if (signed !== null && (signed.epoch !== epoch || signed.keyId !== read.device!.key_id)) return null;
  const decision = decideRewardDay(config, record, nowMs, { device, flags, signed, rows: read.days ?? [] });

  const existing: AwardView | null = read.award === null ? null : { id: Number(read.award.id), date: record.date, amountFen: Number(read.award.amount_fen), currency: config.reward.currency, created: false };
  const credits = decision.earns && existing === null;
  const award: AwardView | null = credits ? { id: 0, date: record.date, amountFen: config.reward.amountFen, currency: config.reward.currency, created: true } : existing;
  const json = { ...decision.answer, award };
  const text = JSON.stringify(credits ? { ...json, award: { ...award, id: 'bushu:award-id' } } : json);

  const params: unknown[] = [];
  const $ = (value: unknown) => `$${params.push(value)}`;
  // A parameter numbered when first used: PostgreSQL refuses one the statement never reads.
  const lazy = (value: unknown) => {
    let name: string | undefined;
    return () => (name ??= $(value));
  };
  const dev = $(record.device);
  const ctes = [`g AS (UPDATE devices SET revision = revision + 1${decision.raisesCounter ? `, last_counter = ${$(signed!.counter)}` : ''}
     WHERE id = ${dev} AND revision = ${$(read.device!.revision)} RETURNING id)`];
  const user = lazy(record.user);
  const date = lazy(record.date);
  const now = $(nowMs);
  if (!decision.stale) {
    const values = [dev, date(), user(), ...[record.recordVersion, record.source, record.utcOffsetMin, record.steps, record.hours === null ? null : JSON.stringify(record.hours),
      JSON.stringify(record.notWornHours), record.closed ? 1 : 0, signed?.counter ?? null, decision.status, JSON.stringify(decision.answer.reasons),
      record.firmware, record.syncedAt, nowMs, signed?.keyId ?? null, signed?.epoch ?? null].map($)];
    ctes.push(`s AS (INSERT INTO reward_days (device_id, date, user_id, record_version, source, utc_offset_min, steps, hours, not_worn, closed,
       counter, status, reasons, firmware, synced_at, received_at, key_id, epoch)
     SELECT ${values.join(', ')} FROM g
     ON CONFLICT (device_id, date) DO UPDATE SET record_version = excluded.record_version, source = excluded.source,
       utc_offset_min = excluded.utc_offset_min, steps = excluded.steps, hours = excluded.hours, not_worn = excluded.not_worn,
       closed = excluded.closed, counter = excluded.counter, status = excluded.status, reasons = excluded.reasons,
       firmware = excluded.firmware, synced_at = excluded.synced_at, received_at = excluded.received_at, key_id = excluded.key_id, epoch = excluded.epoch)`);
  }
  let response = $(text);
  let from = 'g';
  if (credits) {
    const amount = $(config.reward.amountFen);
    ctes.push(`a AS (INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at) SELECT ${user()}, ${date()}, ${dev}, ${$(record.steps)}, ${amount}, ${now} FROM g
       ON CONFLICT (user_id, date) DO NOTHING RETURNING id)`);
    ctes.push(`p AS (INSERT INTO payouts (award_id, user_id, amount_fen, state, created_at) SELECT id, ${user()}, ${amount}, 'pending', ${now} FROM a)`);
    response = `replace(${response}, '${AWARD_ID}', '"award":{"id":' || CAST(a.id AS TEXT))`;
    from = 'g, a';
  }
  ctes.push(`k AS (INSERT INTO idempotency_keys (scope, key, request_hash, state, status, response, locked_at, created_at)
     SELECT ${$(key.scope)}, ${$(key.key)}, ${$(key.hash)}, 'done', 200, ${response}, ${now}, ${now} FROM ${from} ON CONFLICT (scope, key) DO NOTHING RETURNING 1)`);
  const sql = `WITH ${ctes.join(',\n')}
SELECT bushu_all_or_nothing((SELECT count(*) FROM k) = 1) AS done${credits ? ', (SELECT id FROM a) AS award_id' : ''}`;
  try {
    const [row] = await db.all<{ award_id?: number }>(sql, params);
    return { status: 200, json: credits ? { ...json, award: { ...award!, id: Number(row.award_id) } } : json };
  } catch (err) {
    // A race lost (the abort above, or a deadlock with a transactional delivery of the same key): nothing was stored.
    if (RETRYABLE.has((err as { code?: string }).code ?? '')) return null;
    throw err;
  }
}
