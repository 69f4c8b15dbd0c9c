// The reward service's acceptance on PostgreSQL in two round trips and no open transaction, for a
// batch of deliveries at once: the deliveries that arrive while the previous batch runs (at-once
// batcher below) are read by one statement (each one's Idempotency-Key, device and user, stored day
// and signed neighbours, and user-day award), decided in this process (ingest.ts decideRewardDay,
// the same code as the transactional path), and written by one statement: the days, the devices'
// counters, the awards with their payouts, and the keys with their stored responses. That statement
// is one transaction, and it commits only if nothing any delivery was decided on has changed:
// every writer of a device's days bumps devices.revision, the write bumps it only from the
// revision that was read, and the keys and awards go in only if still absent. If any of that
// fails, bushu_all_or_nothing (migration 008) aborts the statement, nothing of it is stored, and
// each delivery of the batch runs the transactional path (idempotency.ts idempotent), which locks
// the device row and settles the race. So exactly-once still rests on the database: the revision
// compare-and-set, UNIQUE(scope, key) and UNIQUE(date, user_id). What a batch saves is PostgreSQL's
// per-statement work (a round trip, planning, executor start-up, a commit's WAL flush) N times over.
import { decodeSummaryMessage } from '../../shared/protocol/summary-verify.ts';
import type { ServicesConfig } from '../config.ts';
import { RETRYABLE } from '../db/postgres.ts';
import type { Db } from '../db/types.ts';
import { HttpError, JSON_TYPE, type Response } from '../http/router.ts';
import { REPLAY_HEADER } from '../idempotency.ts';
import { checkRecord, checkRegistry, type Delivery, type DeviceRow } from '../ingest.ts';
import { DAY_FIELDS, DAY_REPLACE, dayAndNeighbours, dayRow, decideRewardDay, withAward, type AwardView, type DayRow } from './ingest.ts';
import { verifyRecordSummary } from './trust.ts';

export interface KeyOptions {
  scope: string;
  key: string;
  hash: string;
}

interface Read {
  n: number;
  idem: { request_hash: string; state: string; status: number | null; response: string | null } | null;
  user_known: boolean;
  device: (DeviceRow & { revision: number; key_id: string | null }) | null;
  award: { id: number; amount_fen: number } | null;
  days: DayRow[] | null;
}

// The device's key id in SQL, as trust.ts keyId computes it: the first 16 hex digits of SHA-256 of its lower-case hex.
export const KEY_ID_SQL = (hex: string) => `substr(encode(sha256(convert_to(lower(${hex}), 'UTF8')), 'hex'), 1, 16)`;
/**
 * Every delivery's reads, one row each, by index: the arrays are devices, users, dates, epochs, key
 * scopes and keys. The device's subquery has LIMIT 1 and the user's is a scalar subquery so that the
 * planner cannot flatten them into hash joins: it did, and then computed the device's JSON and its
 * key id (a SHA-256) for every device in the table on every batch, 20 ms a batch at 3,000 devices.
 * The rows come back as one JSON array: node-postgres builds each row as an object and parses each
 * JSON column on its own, about 6 µs a delivery, where one JSON.parse of the batch's array is one.
 */
export const READ = `SELECT json_agg(r ORDER BY r.n) AS reads FROM (SELECT i.n,
  (SELECT row_to_json(k) FROM (SELECT request_hash, state, status, response FROM idempotency_keys WHERE scope = i.scope AND key = i.key) k) AS idem,
  COALESCE((SELECT TRUE FROM users WHERE id = i.user_id), FALSE) AS user_known,
  d.device,
  (SELECT row_to_json(a) FROM (SELECT id, amount_fen FROM awards WHERE user_id = i.user_id AND date = i.date) a) AS award,
  (SELECT json_agg(x) FROM (${dayAndNeighbours({ device: 'i.device', user: 'i.user_id', date: 'i.date', keyId: 'd.key_id', epoch: 'i.epoch' })}) x) AS days
FROM unnest(CAST($1 AS TEXT[]), CAST($2 AS TEXT[]), CAST($3 AS TEXT[]), CAST($4 AS BIGINT[]), CAST($5 AS TEXT[]), CAST($6 AS TEXT[])) WITH ORDINALITY AS i(device, user_id, date, epoch, scope, key, n)
LEFT JOIN LATERAL (SELECT row_to_json(v) AS device, v.key_id FROM (SELECT id, user_id, bridge_id, key_hex, last_counter, revision, ${KEY_ID_SQL('key_hex')} AS key_id
  FROM devices WHERE id = i.device AND user_id = i.user_id LIMIT 1) v) d ON TRUE) r`;

/** Stands for a new award's id in its stored response until the statement that creates it fills it in. */
const AWARD_PLACEHOLDER = 'bushu:award-id';
const AWARD_ID = `"award":{"id":"${AWARD_PLACEHOLDER}"`;

/** The SQL types of DAY_FIELDS. */
const DAY_TYPES = ['TEXT', 'TEXT', 'TEXT', 'INTEGER', 'TEXT', 'INTEGER', 'INTEGER', 'TEXT', 'TEXT', 'INTEGER', 'BIGINT', 'TEXT', 'TEXT', 'TEXT', 'TEXT', 'BIGINT', 'TEXT', 'BIGINT'];
/**
 * Rows sent as one JSON parameter, an array of arrays, typed here: `columns` names and types each
 * element's values in order. One JSON.stringify instead of a PostgreSQL array literal per column,
 * which node-postgres builds by escaping every element in JavaScript: the stored responses, hours
 * and reasons are long strings full of quotes, and escaping them cost more than the rest of a batch.
 */
const jsonRows = (param: number, columns: string) => `(SELECT ${columns.split(', ').map((c, i) => {
  const [name, type] = c.split(' ');
  return `CAST(e->>${i} AS ${type}) AS ${name}`;
}).join(', ')} FROM jsonb_array_elements(CAST($${param} AS JSONB)) AS e)`;
const DAY_COLUMNS = DAY_FIELDS.split(', ').map((f, i) => `${f} ${DAY_TYPES[i]}`).join(', ');
/**
 * The batch's writes, all or nothing; see the header. Rows (jsonRows): devices $1, days $2, awards
 * $3, keys $4; and $5 the number of keys. Each device row is found by its key in a LATERAL ... LIMIT
 * 1 and updated by its ctid: joined plainly, the planner hashed the batch and scanned every device
 * (it costs a scan of a few thousand rows below a hundred index lookups), on every batch. A row
 * changed since is rechecked at its new version, whose ctid differs: not updated, so the statement aborts.
 */
export const WRITE = `WITH g AS (UPDATE devices d SET revision = d.revision + 1, last_counter = COALESCE(x.counter, d.last_counter)
     FROM ${jsonRows(1, 'device TEXT, revision BIGINT, counter BIGINT, user_id TEXT')} AS x
     CROSS JOIN LATERAL (SELECT f.ctid AS row_id FROM devices f WHERE f.id = x.device AND f.user_id = x.user_id LIMIT 1) found
     WHERE d.ctid = found.row_id AND d.revision = x.revision RETURNING d.id),
s AS (INSERT INTO reward_days (${DAY_FIELDS})
     SELECT * FROM ${jsonRows(2, DAY_COLUMNS)} AS v WHERE v.device_id IN (SELECT id FROM g) ${DAY_REPLACE}),
a AS (INSERT INTO awards (user_id, date, device_id, steps, amount_fen, created_at)
     SELECT * FROM ${jsonRows(3, 'user_id TEXT, date TEXT, device_id TEXT, steps INTEGER, amount_fen INTEGER, created_at BIGINT')} AS w
     WHERE w.device_id IN (SELECT id FROM g)
     ON CONFLICT (user_id, date) DO NOTHING RETURNING id, user_id, date, amount_fen, created_at),
p AS (INSERT INTO payouts (award_id, user_id, amount_fen, state, created_at) SELECT id, user_id, amount_fen, 'pending', created_at FROM a),
k AS (INSERT INTO idempotency_keys (scope, key, request_hash, state, status, response, locked_at, created_at)
     SELECT kk.scope, kk.key, kk.hash, 'done', 200,
       CASE WHEN kk.credits THEN replace(kk.response, '${AWARD_ID}', '"award":{"id":' || CAST(a.id AS TEXT)) ELSE kk.response END, kk.created, kk.created
     FROM ${jsonRows(4, 'device TEXT, scope TEXT, key TEXT, hash TEXT, response TEXT, credits BOOLEAN, user_id TEXT, date TEXT, created BIGINT')} AS kk
     LEFT JOIN a ON kk.credits AND a.user_id = kk.user_id AND a.date = kk.date
     WHERE kk.device IN (SELECT id FROM g) AND (NOT kk.credits OR a.id IS NOT NULL)
     ON CONFLICT (scope, key) DO NOTHING RETURNING 1)
SELECT bushu_all_or_nothing((SELECT count(*) FROM k) = $5) AS done, (SELECT json_agg(json_build_object('user', user_id, 'date', date, 'id', id)) FROM a) AS awards`;

/** One delivery for the batch. */
export interface AtOnce {
  delivery: Delivery;
  nowMs: number;
  key: KeyOptions;
}

/** Per delivery: its answer, the refusal to throw, or null when the transactional path must decide it. */
export type AtOnceResult = { answer: Response } | { refused: unknown } | null;

interface Planned {
  index: number;
  item: AtOnce;
  json: Record<string, unknown> & { award: AwardView | null };
  credits: boolean;
  revision: number;
  counter: number | null;
  day: unknown[] | null;
}

/**
 * A batch of deliveries: one read, decisions here, one write. A batch holds at most one delivery
 * per device, per key and per user-day (the batcher sees to it): one statement cannot write a row twice.
 */
export async function ingestRewardDaysAtOnce(db: Db, config: ServicesConfig, items: AtOnce[], onError: (err: unknown) => void = () => undefined): Promise<AtOnceResult[]> {
  // The epoch each summary names, before it is verified: only to pick the neighbours to read. The
  // verified one must be the same (it is the same message), or the delivery gives way.
  const decodings = items.map(({ delivery: { record } }) => (record.summary === null ? undefined : decodeSummaryMessage(Buffer.from(record.summary.message, 'hex'))));
  const epochs = decodings.map((d) => (d !== undefined && d.ok ? d.value.epoch : null));
  const [{ reads }] = await db.all<{ reads: Read[] }>(READ, [
    items.map((x) => x.delivery.record.device), items.map((x) => x.delivery.record.user), items.map((x) => x.delivery.record.date),
    epochs, items.map((x) => x.key.scope), items.map((x) => x.key.key),
  ]);
  const results: AtOnceResult[] = items.map(() => null);
  const planned: Planned[] = [];
  items.forEach((item, index) => {
    try {
      const plan = decide(config, item, reads[index], epochs[index], decodings[index]);
      if (plan === null || 'answer' in plan) results[index] = plan;
      else planned.push(Object.assign(plan, { index, item }));
    } catch (refused) {
      results[index] = { refused };
    }
  });
  if (planned.length === 0) return results;

  const devices = planned.map((p) => [p.item.delivery.record.device, p.revision, p.counter, p.item.delivery.record.user]);
  const days = planned.filter((p) => p.day !== null).map((p) => p.day!);
  const awards = planned.filter((p) => p.credits).map((p) => [p.item.delivery.record.user, p.item.delivery.record.date, p.item.delivery.record.device, p.item.delivery.record.steps, config.reward.amountFen, p.item.nowMs]);
  // Each answer is serialised once: stored under its key, and (its award's id filled in as the
  // statement fills it in) sent as the body.
  const texts = planned.map((p) => JSON.stringify(p.credits ? withAward(p.json, Object.assign({}, p.json.award!, { id: AWARD_PLACEHOLDER })) : p.json));
  const keys = planned.map((p, i) => [p.item.delivery.record.device, p.item.key.scope, p.item.key.key, p.item.key.hash,
    texts[i], p.credits, p.item.delivery.record.user, p.item.delivery.record.date, p.item.nowMs]);
  const params = [JSON.stringify(devices), JSON.stringify(days), JSON.stringify(awards), JSON.stringify(keys), planned.length];
  let created: Array<{ user: string; date: string; id: number }>;
  try {
    const [row] = await db.all<{ awards: Array<{ user: string; date: string; id: number }> | null }>(WRITE, params);
    created = row.awards ?? [];
  } catch (err) {
    // Nothing was stored, and each of these deliveries goes the transactional way: after a race
    // lost (the abort, or a deadlock with a transactional delivery of the same key), where it is
    // settled; after any other refusal too, so that a row the database will not take fails its
    // own delivery there, not the batch's every other one (and an outage fails each there alike).
    // Anything but a lost race is reported: were it this statement's own fault, every batch
    // would take the slow way, and nothing else would say so.
    if (!RETRYABLE.has((err as { code?: string }).code ?? '')) onError(err);
    return results;
  }
  planned.forEach((p, i) => {
    const { record } = p.item.delivery;
    const id = p.credits ? Number(created.find((a) => a.user === record.user && a.date === record.date)!.id) : null;
    const json = id === null ? p.json : withAward(p.json, Object.assign({}, p.json.award!, { id }));
    const text = id === null ? texts[i] : texts[i].replace(AWARD_ID, `"award":{"id":${id}`);
    results[p.index] = { answer: { status: 200, json, raw: { contentType: JSON_TYPE, data: text } } };
  });
  return results;
}

/** One delivery's answer from what was read: a replay or a refusal now, null to give way, or what to write. */
function decide(config: ServicesConfig, { delivery, nowMs, key }: AtOnce, read: Read, epoch: number | null, decoded: ReturnType<typeof decodeSummaryMessage> | undefined): { answer: Response } | null | Omit<Planned, 'index' | 'item'> {
  const { record } = delivery;
  // The key first, as the transactional path claims it first: a replay answers whatever changed since.
  if (read.idem !== null) {
    if (read.idem.request_hash !== key.hash) throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request body');
    if (read.idem.state !== 'done') return null; // in flight in an older process: the transactional path knows what to do
    return { answer: { status: Number(read.idem.status), json: JSON.parse(read.idem.response ?? 'null'), headers: { [REPLAY_HEADER]: 'true' } } };
  }
  const flags = checkRecord(config, record, nowMs);
  // The device is read by device and user (its key, migration 011): not found under this user, it
  // is refused, and the transactional path looks it up under any user to say which refusal.
  if (read.device === null && read.user_known) return null;
  const device = checkRegistry(delivery, read.device ?? undefined, read.user_known);
  const signed = record.summary === null ? null : verifyRecordSummary(record, device, decoded);
  if (signed !== null && (signed.epoch !== epoch || signed.keyId !== read.device!.key_id)) return null;
  const decision = decideRewardDay(config, record, nowMs, { device, flags, signed, rows: read.days ?? [] });
  const existing: AwardView | null = read.award === null ? null : { id: Number(read.award.id), date: record.date, amountFen: Number(read.award.amount_fen), currency: config.reward.currency, created: false };
  const credits = decision.earns && existing === null;
  const award = credits ? { id: 0, date: record.date, amountFen: config.reward.amountFen, currency: config.reward.currency, created: true } : existing;
  const day = decision.stale ? null : dayRow(record, signed, decision.status, decision.answer.reasons, nowMs);
  return { json: withAward(decision.answer, award), credits, revision: Number(read.device!.revision), counter: decision.raisesCounter ? signed!.counter : null, day };
}

/**
 * The deliveries asked for since the last batch started, as batches of at most `maxBatch`, each
 * holding one delivery per device, key and user-day. A delivery that would repeat one of those,
 * in its turn or in a batch still running, waits until that batch is done (then it reads what it
 * wrote: a repeated key is a replay, not a race lost). At most `maxInFlight` batches run at once
 * (each on one pooled connection); deliveries arriving meanwhile wait for the next, so under load
 * batches grow and each statement's fixed cost (planning, round trip, commit) is shared by more.
 * One at a time measured best: with 32 clients, batches of ~15 instead of ~4 each starting at
 * once, PostgreSQL's CPU per request 0.25 -> 0.13 ms and the services' 0.31 -> 0.26 ms, p99 lower.
 */
export function atOnceBatcher(db: Db, config: ServicesConfig, onError: (err: unknown) => void = () => undefined, maxBatch = 64, maxInFlight = 1): (item: AtOnce) => Promise<AtOnceResult> {
  type Waiting = { item: AtOnce; names: string[]; resolve: (r: AtOnceResult) => void; reject: (e: unknown) => void };
  let queue: Waiting[] = [];
  const running = new Set<string>();
  let inFlight = 0;
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  function flush(): void {
    scheduled = false;
    const batches: Waiting[][] = [];
    const later: Waiting[] = [];
    for (const w of queue) {
      const full = batches.length === 0 || batches[batches.length - 1].length === maxBatch;
      if (w.names.some((n) => running.has(n)) || (full && inFlight + batches.length >= maxInFlight)) {
        later.push(w); // flushed again when a batch ends
        continue;
      }
      for (const n of w.names) running.add(n);
      if (full) batches.push([]);
      batches[batches.length - 1].push(w);
    }
    queue = later;
    for (const batch of batches) {
      inFlight++;
      // The next batch starts here, and this one is answered at the next turn of the event loop:
      // so the next batch's read goes to the database (the pool sends it at the next tick) before
      // this batch's responses are written, and the two overlap instead of following each other.
      const done = (answer: () => void) => {
        inFlight--;
        for (const w of batch) for (const n of w.names) running.delete(n);
        if (queue.length > 0) flush();
        setImmediate(answer);
      };
      ingestRewardDaysAtOnce(db, config, batch.map((w) => w.item), onError).then(
        (results) => done(() => batch.forEach((w, i) => w.resolve(results[i]))),
        (error: unknown) => done(() => batch.forEach((w) => w.reject(error))),
      );
    }
  }
  return (item) => new Promise((resolve, reject) => {
    const { record } = item.delivery;
    const names = [`d ${record.device}`, `k ${item.key.scope} ${item.key.key}`, `u ${record.user} ${record.date}`];
    queue.push({ item, names, resolve, reject });
    schedule();
  });
}
